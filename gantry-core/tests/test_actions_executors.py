"""The built-in executors: `webhook` against a real local HTTP server (headers with secrets, 2xx success,
non-2xx, timeouts, redirects, the SSRF guard) and `internal` catalog.apply (F74, F76, F156)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest
from gantry_core.builtins.executors import render
from gantry_core.testing import Gantry, Harness


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HookServer:
    port: int = 0
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


def _handler(record: HookServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            record.received.append(Received(self.command, self.path, dict(self.headers.items()), body))
            path = self.path.split("?", 1)[0]
            if path == "/hang":
                record.release.wait(30)
                return
            status, headers, payload = {
                "/ok": (200, {}, f"accepted; you sent {self.headers.get('Authorization')}".encode()),
                "/created": (201, {}, b""),
                "/fail": (500, {}, b"boom"),
                "/redirect": (302, {"Location": "/ok"}, b""),
                "/big": (200, {}, b"x" * 5000),
            }.get(path, (404, {}, b"no such hook"))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def hook_server() -> Iterator[HookServer]:
    record = HookServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(record))
    server.daemon_threads = True
    record.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        record.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
async def local_gantry(gantry_harness: Harness) -> AsyncIterator[Gantry]:
    """An app whose webhooks may reach 127.0.0.1 (GANTRY_WEBHOOK_ALLOW_PRIVATE)."""
    async with gantry_harness(webhook_allow_private=True) as gantry:
        yield gantry


def webhook(name: str, config: dict[str, Any], inputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "gantry.io/v1",
        "kind": "Action",
        "metadata": {"name": name},
        "spec": {"type": "webhook", "category": "ops", "inputs": inputs or [], "config": config},
    }


async def run_action(gantry: Gantry, document: dict[str, Any], inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create the action (if new), run it as a developer and return the finished run."""
    admin = await gantry.client("admin")
    name = document["metadata"]["name"]
    if (await admin.get(f"/api/v1/entities/action/{name}")).status_code == 404:
        assert (await admin.post("/api/v1/entities", json=document)).status_code == 201
    developer = await gantry.client("developer")
    response = await developer.post(f"/api/v1/actions/{name}/execute", json={"inputs": inputs or {}})
    assert response.status_code == 201, response.text
    await gantry.state.runs.wait(response.json()["id"])
    run: dict[str, Any] = (await developer.get(f"/api/v1/actions/{name}/runs/{response.json()['id']}")).json()
    return run


# -- webhook ------------------------------------------------------------------------------------------

TOKEN = "tok-0123456789-secret"


async def test_webhook_sends_the_inputs_with_headers_filled_from_secrets(
    local_gantry: Gantry, hook_server: HookServer, monkeypatch: pytest.MonkeyPatch, kit: Any
) -> None:
    monkeypatch.setenv("GANTRY_SECRET_REGION", "eu-west-1")
    admin = await local_gantry.client("admin")
    assert (await admin.put("/api/v1/secrets/DEPLOY_TOKEN", json={"value": TOKEN})).status_code == 201
    document = webhook(
        "deploy",
        {
            "url": hook_server.url("/ok"),
            "headers": {
                "Authorization": "Bearer ${SECRET_DEPLOY_TOKEN}",
                "X-Region": "${SECRET_REGION}",
                "X-Plain": "static ${NOT_A_SECRET}",
            },
        },
        [{"name": "env", "type": "select", "options": ["dev", "prod"]}, {"name": "replicas", "type": "number"}],
    )
    run = await run_action(local_gantry, document, {"env": "prod", "replicas": 3})

    assert run["status"] == "success", run
    [request] = hook_server.received
    assert (request.method, request.path) == ("POST", "/ok")
    assert orjson.loads(request.body) == {"env": "prod", "replicas": 3}
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["X-Region"] == "eu-west-1"
    assert request.headers["X-Plain"] == "static ${NOT_A_SECRET}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"].startswith("gantry-webhook/")
    assert request.headers["Host"] == f"127.0.0.1:{hook_server.port}"

    assert run["output"] == {"statusCode": 200, "body": "accepted; you sent Bearer ********", "truncated": False}
    assert [line["message"] for line in run["logs"]] == [f"POST {hook_server.url('/ok')}", "answered 200 OK"]
    everything = repr(run) + repr(await kit.audit(local_gantry)) + (await admin.get("/api/v1/actions/runs")).text
    assert TOKEN not in everything


async def test_webhook_methods_and_2xx(local_gantry: Gantry, hook_server: HookServer) -> None:
    inputs: list[dict[str, Any]] = [
        {"name": "tag", "default": "v1"},
        {"name": "force", "type": "boolean", "default": True},
    ]
    got = await run_action(local_gantry, webhook("get", {"url": hook_server.url("/ok?a=1"), "method": "get"}, inputs))
    put = await run_action(local_gantry, webhook("put", {"url": hook_server.url("/created"), "method": "PUT"}, inputs))
    assert (got["status"], put["status"], put["output"]["statusCode"]) == ("success", "success", 201)
    first, second = hook_server.received
    assert (first.method, first.path, first.body) == ("GET", "/ok?a=1&tag=v1&force=true", b"")
    assert (second.method, orjson.loads(second.body)) == ("PUT", {"tag": "v1", "force": True})


@pytest.mark.parametrize(
    ("path", "config", "error", "output"),
    [
        ("/fail", {}, "the webhook answered 500; only 2xx counts as success", {"statusCode": 500, "body": "boom"}),
        ("/redirect", {}, "the webhook answered 302; only 2xx counts as success", {"statusCode": 302}),
        ("/missing", {"method": "DELETE"}, "the webhook answered 404", {"statusCode": 404}),
        ("/hang", {"timeout": 0.5}, "the webhook did not answer within 0.5 s", None),
    ],
)
async def test_webhook_failures(
    local_gantry: Gantry, hook_server: HookServer, path: str, config: dict[str, Any], error: str, output: Any
) -> None:
    run = await run_action(local_gantry, webhook("hook", {"url": hook_server.url(path), **config}))
    assert run["status"] == "failed"
    assert run["error"].startswith(error)
    if output is None:
        assert run["output"] is None
    else:
        assert {k: run["output"][k] for k in output} == output
    assert [r.path for r in hook_server.received] == [path]  # a redirect is never followed
    assert run["finishedAt"] is not None


async def test_webhook_keeps_an_excerpt_of_large_answers(local_gantry: Gantry, hook_server: HookServer) -> None:
    run = await run_action(local_gantry, webhook("big", {"url": hook_server.url("/big")}))
    assert run["status"] == "success"
    assert (len(run["output"]["body"]), run["output"]["truncated"]) == (2048, True)


async def test_a_missing_or_unusable_secret_fails_before_any_request(
    local_gantry: Gantry, hook_server: HookServer
) -> None:
    missing = await run_action(
        local_gantry, webhook("hook", {"url": hook_server.url("/ok"), "headers": {"X-Key": "${SECRET_NOWHERE}"}})
    )
    assert missing["status"] == "failed"
    assert "secret NOWHERE is not set" in missing["error"] and "GANTRY_SECRET_NOWHERE" in missing["error"]

    admin = await local_gantry.client("admin")
    await admin.put("/api/v1/secrets/TWO_LINES", json={"value": "one\r\nX-Injected: yes"})
    split = await run_action(
        local_gantry, webhook("split", {"url": hook_server.url("/ok"), "headers": {"X-Key": "${SECRET_TWO_LINES}"}})
    )
    assert split["status"] == "failed" and "line break" in split["error"]
    assert hook_server.received == []


async def test_the_ssrf_guard_refuses_private_targets_unless_allowed(
    gantry: Gantry, local_gantry: Gantry, hook_server: HookServer
) -> None:
    loopback = await run_action(gantry, webhook("hook", {"url": hook_server.url("/ok")}))
    assert loopback["status"] == "failed"
    assert "127.0.0.1 is a loopback address" in loopback["error"]
    private = await run_action(gantry, webhook("private", {"url": "http://10.1.2.3/hook"}))
    assert "private address" in private["error"]
    metadata = await run_action(local_gantry, webhook("metadata", {"url": "http://169.254.169.254/latest/meta-data/"}))
    assert "link-local" in metadata["error"]  # never, even when private targets are allowed
    userinfo = await run_action(local_gantry, webhook("userinfo", {"url": f"http://u:p@127.0.0.1:{hook_server.port}/"}))
    assert "user name or password" in userinfo["error"]
    assert hook_server.received == []


async def test_bad_webhook_configs_are_refused_before_the_run(local_gantry: Gantry, kit: Any) -> None:
    admin = await local_gantry.client("admin")
    document = webhook("hook", {"url": "https://example.com/", "headers": {"Bad Header": "x", "X-Ok": "a\nb"}})
    assert (await admin.post("/api/v1/entities", json=document)).status_code == 201
    response = await (await local_gantry.client("developer")).post("/api/v1/actions/hook/execute", json={})
    assert (response.status_code, response.json()["code"]) == (422, "validation_failed")
    assert response.json()["details"][0]["path"] == "/spec/config/headers"
    assert await kit.audit(local_gantry, "execute") == []


# -- internal -----------------------------------------------------------------------------------------

NEW_SERVICE = {
    "apiVersion": "gantry.io/v1",
    "kind": "Action",
    "metadata": {"name": "new-service", "title": "Create a new service"},
    "spec": {
        "type": "internal",
        "category": "scaffold",
        "inputs": [
            {"name": "name", "title": "Service name", "required": True},
            {"name": "owner", "required": True},
            {
                "name": "lifecycle",
                "type": "select",
                "options": ["experimental", "production"],
                "default": "experimental",
            },
            {"name": "description", "type": "textarea"},
            {"name": "tag"},
        ],
        "config": {
            "operation": "catalog.apply",
            "template": {
                "apiVersion": "gantry.io/v1",
                "kind": "Service",
                "metadata": {
                    "name": "${inputs.name}",
                    "owner": "${inputs.owner}",
                    "description": "${inputs.description}",
                    "tags": ["scaffolded", "${inputs.tag}"],
                    "annotations": {"gantry.io/scaffolded-by": "new-service for ${inputs.owner}"},
                },
                "spec": {"type": "backend", "lifecycle": "${inputs.lifecycle}"},
            },
        },
    },
}


async def test_internal_catalog_apply_creates_then_updates_a_service(gantry: Gantry, kit: Any) -> None:
    created = await run_action(gantry, NEW_SERVICE, {"name": "checkout", "owner": "payments", "tag": "shop"})
    assert created["status"] == "success", created
    assert created["output"] == {
        "operation": "catalog.apply",
        "outcome": "created",
        "entity": {"kind": "Service", "namespace": "default", "name": "checkout"},
        "ref": "service/checkout",
        "resourceVersion": "1",
    }
    service = (await (await gantry.client("viewer")).get("/api/v1/entities/service/checkout")).json()
    assert service["metadata"]["owner"] == "payments"
    assert service["metadata"]["tags"] == ["scaffolded", "shop"]
    assert "description" not in service["metadata"]  # an input without a value leaves its key out
    assert service["metadata"]["annotations"] == {"gantry.io/scaffolded-by": "new-service for payments"}
    assert service["spec"] == {"type": "backend", "lifecycle": "experimental"}
    assert service["metadata"]["createdBy"] == "developer-user"

    unchanged = await run_action(gantry, NEW_SERVICE, {"name": "checkout", "owner": "payments", "tag": "shop"})
    assert (unchanged["status"], unchanged["output"]["outcome"]) == ("success", "unchanged")
    updated = await run_action(
        gantry, NEW_SERVICE, {"name": "checkout", "owner": "payments", "lifecycle": "production", "tag": "shop"}
    )
    assert (updated["output"]["outcome"], updated["output"]["resourceVersion"]) == ("updated", "2")
    [change] = [e for e in await kit.audit(gantry, "update") if e["resource_type"] == "Service"]
    assert change["user_name"] == "developer-user" and change["source"] == "api"
    assert (change["before"]["spec"]["lifecycle"], change["after"]["spec"]["lifecycle"]) == (
        "experimental",
        "production",
    )


async def test_an_invalid_rendered_entity_fails_the_run_and_writes_nothing(gantry: Gantry, kit: Any) -> None:
    run = await run_action(gantry, NEW_SERVICE, {"name": "Not A Valid Name", "owner": "payments"})
    assert run["status"] == "failed"
    assert "/metadata/name" in run["error"]
    assert (await (await gantry.client("viewer")).get("/api/v1/entities", params={"kind": "Service"})).json()[
        "total"
    ] == 0
    assert [e for e in await kit.audit(gantry, "create") if e["resource_type"] == "Service"] == []


def test_render_substitutes_inputs_in_string_values_only() -> None:
    template = {
        "whole": "${inputs.count}",
        "flag": "${inputs.on}",
        "text": "${inputs.count} replicas, on=${inputs.on}, ${inputs.none}!",
        "gone": "${inputs.none}",
        "list": ["${inputs.name}", "${inputs.none}", {"deep": "x-${inputs.name}"}],
        "${inputs.name}": "keys are not templates",
        "number": 7,
        "other": "${SECRET_X} and ${inputs.unknown-form}",
    }
    assert render(template, {"count": 3, "on": False, "name": "a"}) == {
        "whole": 3,
        "flag": False,
        "text": "3 replicas, on=false, !",
        "list": ["a", {"deep": "x-a"}],
        "${inputs.name}": "keys are not templates",
        "number": 7,
        "other": "${SECRET_X} and ${inputs.unknown-form}",
    }
