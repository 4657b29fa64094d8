"""Actions: the list, execute with input validation and permissions, executors that are missing or off,
runs and their lists, audit, and runs interrupted by a shutdown or a crash (F71-F80)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from gantry_core.actions.runs import INTERRUPTED, LEASE_PREFIX
from gantry_core.db import tables
from gantry_core.db.engine import Database
from gantry_core.plugins import ActionType, PluginManifest, hookimpl
from gantry_core.testing import Gantry, Harness
from sqlalchemy import insert, select


def action(name: str, spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    return {"apiVersion": "gantry.io/v1", "kind": "Action", "metadata": {"name": name, **metadata}, "spec": spec}


def apply_service(inputs: list[dict[str, Any]] | None = None, **spec: Any) -> dict[str, Any]:
    """An internal catalog.apply action creating a Service named after the `name` input."""
    return {
        "type": "internal",
        "category": "scaffold",
        "inputs": inputs if inputs is not None else [{"name": "name", "type": "string", "required": True}],
        "config": {
            "operation": "catalog.apply",
            "template": {"kind": "Service", "metadata": {"name": "${inputs.name}"}, "spec": {"type": "backend"}},
        },
        **spec,
    }


def team(name: str, members: list[dict[str, str]], namespace: str = "default") -> dict[str, Any]:
    return {
        "apiVersion": "gantry.io/v1",
        "kind": "Team",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"members": members},
    }


async def create(gantry: Gantry, *documents: dict[str, Any]) -> None:
    admin = await gantry.client("admin")
    for document in documents:
        response = await admin.post("/api/v1/entities", json=document)
        assert response.status_code == 201, response.text


async def finished(gantry: Gantry, client: httpx.AsyncClient, run: Mapping[str, Any]) -> dict[str, Any]:
    """The run once this process has finished executing it."""
    await gantry.state.runs.wait(run["id"])
    response = await client.get(f"/api/v1/actions/{run['actionName']}/runs/{run['id']}?namespace={run['namespace']}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class FakeGithub:
    """A third-party plugin executing `github-action` actions: records inputs, fails or blocks on request."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    @hookimpl
    def gantry_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(id="fake-github", title="Fake GitHub", version="1.0.0")

    @hookimpl
    def gantry_register_action_types(self) -> list[ActionType]:
        return [ActionType(name="github-action", execute=self.execute)]

    async def execute(self, ctx: Any, action: Mapping[str, Any], inputs: Mapping[str, Any]) -> Any:
        self.calls.append(dict(inputs))
        ctx.log_line(f"dispatching {action['spec']['config'].get('workflow')}")
        if inputs.get("mode") == "fail":
            error = RuntimeError("workflow dispatch refused: 422")
            error.output = {"status": 422}  # type: ignore[attr-defined]
            raise error
        if inputs.get("mode") == "block":
            self.started.set()
            await self.release.wait()
        return {"dispatched": True, "plugin": ctx.plugin_id, "runId": ctx.run_id}


GITHUB_ACTION = {
    "type": "github-action",
    "category": "ci",
    "inputs": [{"name": "mode", "type": "select", "options": ["ok", "fail", "block"], "default": "ok"}],
    "config": {"repository": "acme/app", "workflow": "deploy.yml"},
}


# -- the list ----------------------------------------------------------------------------------------


async def test_actions_are_listed_with_type_category_inputs_and_permissions(gantry: Gantry) -> None:
    await create(
        gantry,
        action("new-service", apply_service(), title="Create a service", description="Scaffold a backend"),
        action(
            "rotate-keys",
            {
                "type": "webhook",
                "category": "security",
                "inputs": [{"name": "env", "type": "select", "options": ["dev", "prod"]}, {"name": "why"}],
                "config": {"url": "https://example.com/hook"},
                "permissions": {"allowedRoles": ["admin"], "requireApproval": True, "approvers": ["ops"]},
            },
        ),
        action("tidy", apply_service(category="scaffold"), namespace="platform"),
        team("ops", []),
    )
    viewer = await gantry.client("viewer")
    listed = (await viewer.get("/api/v1/actions")).json()
    assert listed["total"] == 3
    assert [i["name"] for i in listed["items"]] == ["new-service", "rotate-keys", "tidy"]
    rotate = listed["items"][1]
    assert (rotate["type"], rotate["category"], rotate["inputCount"]) == ("webhook", "security", 2)
    assert rotate["permissions"] == {
        "allowedRoles": ["admin"],
        "allowedTeams": [],
        "requireApproval": True,
        "approvers": ["ops"],
    }
    assert listed["items"][0]["title"] == "Create a service"

    by_category = (await viewer.get("/api/v1/actions", params={"category": "scaffold"})).json()
    assert [(i["name"], i["namespace"]) for i in by_category["items"]] == [
        ("new-service", "default"),
        ("tidy", "platform"),
    ]
    assert (await viewer.get("/api/v1/actions", params={"category": "nope"})).json()["total"] == 0
    assert [i["name"] for i in (await viewer.get("/api/v1/actions", params={"q": "scaffold"})).json()["items"]] == [
        "new-service"
    ]
    assert (await viewer.get("/api/v1/actions", params={"namespace": "platform"})).json()["total"] == 1

    first = (await viewer.get("/api/v1/actions", params={"limit": 2})).json()
    second = (await viewer.get("/api/v1/actions", params={"limit": 2, "cursor": first["next"]})).json()
    assert [i["name"] for i in first["items"] + second["items"]] == ["new-service", "rotate-keys", "tidy"]
    assert second["next"] is None
    assert (await viewer.get("/api/v1/actions", params={"cursor": "garbage"})).json()["code"] == "invalid_cursor"
    assert (await gantry.anonymous().get("/api/v1/actions")).status_code == 401


# -- execute -----------------------------------------------------------------------------------------


async def test_execute_runs_the_action_in_the_background_and_records_the_run(gantry: Gantry, kit: Any) -> None:
    await create(gantry, action("new-service", apply_service()))
    developer = await gantry.client("developer")
    response = await developer.post(
        "/api/v1/actions/new-service/execute",
        json={"inputs": {"name": "billing"}},
        headers={"X-Real-IP": "203.0.113.7"},
    )
    assert response.status_code == 201, response.text
    run = response.json()
    assert set(run) >= {"id", "actionName", "namespace", "status", "inputs", "triggeredBy", "startedAt", "finishedAt"}
    assert (run["actionName"], run["namespace"], run["type"]) == ("new-service", "default", "internal")
    assert (run["status"], run["inputs"], run["triggeredBy"]) == ("running", {"name": "billing"}, "developer-user")
    assert run["startedAt"] is not None and run["finishedAt"] is None

    done = await finished(gantry, developer, run)
    assert done["status"] == "success", done
    assert done["output"]["entity"] == {"kind": "Service", "namespace": "default", "name": "billing"}
    assert done["finishedAt"] >= done["startedAt"]
    assert [line["message"] for line in done["logs"]] == [
        "catalog.apply Service/billing",
        "created Service/billing in namespace default",
    ]
    service = (await developer.get("/api/v1/entities/service/billing")).json()
    assert service["metadata"]["createdBy"] == "developer-user"

    [executed] = await kit.audit(gantry, "execute")
    assert (executed["user_name"], executed["ip_address"], executed["source"]) == (
        "developer-user",
        "203.0.113.7",
        "api",
    )
    assert (executed["resource_type"], executed["resource_name"]) == ("Action", "new-service")
    assert executed["details"] == {"runId": run["id"], "inputs": {"name": "billing"}, "status": "running"}
    [created] = [e for e in await kit.audit(gantry, "create") if e["resource_type"] == "Service"]
    assert (created["resource_type"], created["user_name"], created["ip_address"]) == (
        "Service",
        "developer-user",
        "203.0.113.7",
    )
    assert created["before"] is None and created["after"]["metadata"]["name"] == "billing"


async def test_inputs_are_validated_with_every_failing_field_listed(gantry: Gantry, kit: Any) -> None:
    inputs: list[dict[str, Any]] = [
        {"name": "name", "type": "string", "required": True},
        {"name": "notes", "type": "textarea"},
        {"name": "replicas", "type": "number", "required": True},
        {"name": "ratio", "type": "number", "default": 0.5},
        {"name": "dryRun", "type": "boolean", "default": False},
        {"name": "tier", "type": "select", "options": ["gold", "silver"], "required": True},
    ]
    await create(gantry, action("scaffold", apply_service(inputs)))
    developer = await gantry.client("developer")
    url = "/api/v1/actions/scaffold/execute"

    bad = await developer.post(
        url, json={"inputs": {"name": "two\nlines", "replicas": "3", "dryRun": "yes", "tier": "bronze", "colour": 1}}
    )
    assert bad.status_code == 422
    body = bad.json()
    assert body["code"] == "invalid_inputs"
    assert {d["path"]: d["message"] for d in body["details"]} == {
        "/inputs/colour": "unknown input; this action takes name, notes, replicas, ratio, dryRun, tier",
        "/inputs/name": "must be a single line (use a textarea input for several lines)",
        "/inputs/replicas": "must be a number",
        "/inputs/dryRun": "must be true or false",
        "/inputs/tier": "must be one of: gold, silver",
    }

    missing = (await developer.post(url, json={"inputs": {"name": "", "ratio": True}})).json()
    assert {d["path"]: d["message"] for d in missing["details"]} == {
        "/inputs/name": "required: must not be empty",
        "/inputs/replicas": "required",
        "/inputs/ratio": "must be a number",
        "/inputs/tier": "required",
    }
    assert (await developer.post(url, json={})).json()["code"] == "invalid_inputs"
    not_finite = await developer.post(
        url,
        content=b'{"inputs": {"name": "a", "replicas": NaN, "tier": "gold"}}',
        headers={"Content-Type": "application/json"},
    )
    assert not_finite.json()["details"] == [{"path": "/inputs/replicas", "message": "must be a finite number"}]
    not_object = await developer.post(url, json={"inputs": ["name"]})
    assert (not_object.status_code, not_object.json()["code"]) == (422, "validation_failed")
    extra = await developer.post(url, json={"inputs": {}, "dryRun": True})
    assert (extra.status_code, extra.json()["details"][0]["path"]) == (422, "/dryRun")
    assert (await developer.post(url, content=b"{nope", headers={"Content-Type": "application/json"})).json()[
        "code"
    ] == "invalid_json"
    assert not await kit.rows(gantry, tables.action_runs)
    assert not await kit.audit(gantry, "execute")

    ok = await developer.post(url, json={"inputs": {"name": "svc-int", "replicas": 3, "tier": "gold"}})
    assert ok.status_code == 201
    assert ok.json()["inputs"] == {"name": "svc-int", "replicas": 3, "ratio": 0.5, "dryRun": False, "tier": "gold"}
    floats = await developer.post(
        url, json={"inputs": {"name": "svc-f", "replicas": 2.5, "tier": "silver", "notes": "a\nb"}}
    )
    assert floats.json()["inputs"]["replicas"] == 2.5
    await finished(gantry, developer, ok.json())
    await finished(gantry, developer, floats.json())


async def test_a_bad_default_in_the_action_is_reported(gantry: Gantry) -> None:
    inputs = [{"name": "name", "default": "svc"}, {"name": "count", "type": "number", "default": "many"}]
    await create(gantry, action("odd", apply_service(inputs)))
    response = await (await gantry.client("developer")).post("/api/v1/actions/odd/execute", json={"inputs": {}})
    assert response.json()["details"] == [{"path": "/inputs/count", "message": "the action's default must be a number"}]


async def test_unknown_actions_and_roles(gantry: Gantry) -> None:
    await create(gantry, action("new-service", apply_service(), namespace="platform"))
    developer = await gantry.client("developer")
    missing = await developer.post("/api/v1/actions/nope/execute", json={"inputs": {}})
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    other_namespace = await developer.post("/api/v1/actions/new-service/execute", json={"inputs": {"name": "a"}})
    assert other_namespace.status_code == 404
    ok = await developer.post(
        "/api/v1/actions/new-service/execute", params={"namespace": "platform"}, json={"inputs": {"name": "a"}}
    )
    assert (ok.status_code, ok.json()["namespace"]) == (201, "platform")
    await finished(gantry, developer, ok.json())
    viewer = await (await gantry.client("viewer")).post(
        "/api/v1/actions/new-service/execute", params={"namespace": "platform"}, json={"inputs": {"name": "b"}}
    )
    assert (viewer.status_code, viewer.json()["code"]) == (403, "forbidden")
    anonymous = await gantry.anonymous().post("/api/v1/actions/new-service/execute", json={"inputs": {}})
    assert anonymous.status_code == 401


async def test_allowed_roles_and_teams(gantry: Gantry, kit: Any) -> None:
    await create(
        gantry,
        action("pe-only", apply_service(permissions={"allowedRoles": ["platform-engineer"]})),
        action("payments-only", apply_service(permissions={"allowedTeams": ["payments"]})),
        action("either", apply_service(permissions={"allowedRoles": ["admin"], "allowedTeams": ["payments"]})),
        team("payments", [{"name": "dev-a"}, {"name": "Someone Else", "email": "DEV-B@example.com"}]),
        team("payments", [{"name": "dev-c"}], namespace="other"),
    )

    async def run(who: str, role: str, name: str) -> httpx.Response:
        client = await gantry.client(role, username=who)
        response = await client.post(f"/api/v1/actions/{name}/execute", json={"inputs": {"name": f"{who}-{name}"}})
        if response.status_code == 201:
            await finished(gantry, client, response.json())
        return response

    forbidden = await run("dev-x", "developer", "pe-only")
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "action_forbidden")
    assert "platform-engineer" in forbidden.json()["error"]
    assert (await run("pe-x", "platform-engineer", "pe-only")).status_code == 201
    assert (await run("admin-x", "admin", "pe-only")).status_code == 201

    assert (await run("dev-a", "developer", "payments-only")).status_code == 201  # by username
    assert (await run("dev-b", "developer", "payments-only")).status_code == 201  # by e-mail, any case
    assert (await run("dev-c", "developer", "payments-only")).status_code == 403  # a Team of another namespace
    assert (await run("admin-y", "admin", "payments-only")).status_code == 403  # not listed, not a member

    assert (await run("dev-a", "developer", "either")).status_code == 201
    assert (await run("admin-z", "admin", "either")).status_code == 201
    assert (await run("pe-z", "platform-engineer", "either")).status_code == 403
    refused = [r for r in await kit.rows(gantry, tables.action_runs) if r["triggered_by"] in ("dev-x", "dev-c")]
    assert refused == []


async def test_an_executor_that_is_missing_or_disabled_is_409(gantry_harness: Harness) -> None:
    plugin = FakeGithub()
    async with gantry_harness(plugins=[plugin]) as gantry:
        await create(
            gantry,
            action("deploy", GITHUB_ACTION),
            action("sync-app", {"type": "argocd-sync", "config": {"appName": "shop"}}),
        )
        developer = await gantry.client("developer")
        missing = await developer.post("/api/v1/actions/sync-app/execute", json={"inputs": {}})
        assert (missing.status_code, missing.json()["code"]) == (409, "executor_unavailable")
        assert "argocd-sync" in missing.json()["error"]

        disabled = await developer.post("/api/v1/actions/deploy/execute", json={"inputs": {}})
        assert (disabled.status_code, disabled.json()["code"]) == (409, "executor_unavailable")
        assert "fake-github" in disabled.json()["error"]
        assert plugin.calls == []

        await gantry.set_plugin_enabled("fake-github")
        ok = await developer.post("/api/v1/actions/deploy/execute", json={"inputs": {}})
        assert ok.status_code == 201
        done = await finished(gantry, developer, ok.json())
        assert done["status"] == "success"
        assert done["output"] == {"dispatched": True, "plugin": "fake-github", "runId": ok.json()["id"]}
        assert done["logs"][0]["message"] == "dispatching deploy.yml"
        assert plugin.calls == [{"mode": "ok"}]


async def test_a_failing_executor_fails_the_run_with_its_error_and_output(gantry_harness: Harness) -> None:
    plugin = FakeGithub()
    async with gantry_harness(plugins=[plugin]) as gantry:
        await gantry.set_plugin_enabled("fake-github")
        await create(gantry, action("deploy", GITHUB_ACTION))
        developer = await gantry.client("developer")
        run = (await developer.post("/api/v1/actions/deploy/execute", json={"inputs": {"mode": "fail"}})).json()
        done = await finished(gantry, developer, run)
    assert (done["status"], done["error"], done["output"]) == (
        "failed",
        "workflow dispatch refused: 422",
        {"status": 422},
    )
    assert done["finishedAt"] is not None


async def test_an_action_config_that_does_not_suit_its_executor_is_422(gantry: Gantry) -> None:
    await create(
        gantry,
        action("hook", {"type": "webhook", "config": {"method": "BREW", "timeout": 600, "extra": 1}}),
        action("odd", {"type": "internal", "config": {"operation": "delete.everything", "template": {}}}),
    )
    developer = await gantry.client("developer")
    hook = (await developer.post("/api/v1/actions/hook/execute", json={"inputs": {}})).json()
    assert hook["code"] == "validation_failed"
    assert {d["path"] for d in hook["details"]} == {
        "/spec/config/url",
        "/spec/config/method",
        "/spec/config/timeout",
        "/spec/config/extra",
    }
    odd = (await developer.post("/api/v1/actions/odd/execute", json={"inputs": {}})).json()
    assert [d["path"] for d in odd["details"]] == ["/spec/config/operation"]


# -- runs --------------------------------------------------------------------------------------------


async def test_run_lists_are_newest_first_filtered_and_paginated(gantry_harness: Harness) -> None:
    plugin = FakeGithub()
    async with gantry_harness(plugins=[plugin]) as gantry:
        await gantry.set_plugin_enabled("fake-github")
        await create(gantry, action("deploy", GITHUB_ACTION), action("new-service", apply_service()))
        developer = await gantry.client("developer")
        ids = []
        for mode in ("ok", "fail", "ok"):
            run = (await developer.post("/api/v1/actions/deploy/execute", json={"inputs": {"mode": mode}})).json()
            await finished(gantry, developer, run)
            ids.append(run["id"])
        other = (await developer.post("/api/v1/actions/new-service/execute", json={"inputs": {"name": "x"}})).json()
        await finished(gantry, developer, other)
        viewer = await gantry.client("viewer")

        everything = (await viewer.get("/api/v1/actions/runs")).json()
        assert [r["id"] for r in everything["items"]] == [other["id"], *reversed(ids)]
        assert everything["total"] == 4
        of_deploy = (await viewer.get("/api/v1/actions/runs", params={"action": "deploy"})).json()
        assert [r["id"] for r in of_deploy["items"]] == list(reversed(ids))
        failed = (await viewer.get("/api/v1/actions/runs", params={"status": "failed"})).json()
        assert [r["id"] for r in failed["items"]] == [ids[1]]
        bad_status = await viewer.get("/api/v1/actions/runs", params={"status": "exploded"})
        assert (bad_status.status_code, bad_status.json()["code"]) == (400, "invalid_parameter")

        pages: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
            page = (await viewer.get("/api/v1/actions/deploy/runs", params=params)).json()
            assert page["total"] == 3
            pages += [r["id"] for r in page["items"]]
            cursor = page["next"]
            if cursor is None:
                break
        assert pages == list(reversed(ids))
        succeeded = (await viewer.get("/api/v1/actions/deploy/runs", params={"status": "success"})).json()
        assert succeeded["total"] == 2

        one = await viewer.get(f"/api/v1/actions/deploy/runs/{ids[0]}")
        assert (one.status_code, one.json()["id"]) == (200, ids[0])
        assert (await viewer.get(f"/api/v1/actions/new-service/runs/{ids[0]}")).status_code == 404
        assert (await viewer.get(f"/api/v1/actions/deploy/runs/{ids[0]}?namespace=other")).status_code == 404
        assert (await viewer.get("/api/v1/actions/deploy/runs/not-a-run")).status_code == 404
        unknown = await viewer.get("/api/v1/actions/nope/runs")
        assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
        assert (await gantry.anonymous().get("/api/v1/actions/runs")).status_code == 401


async def test_runs_in_flight_at_shutdown_are_recorded_as_failed(gantry_harness: Harness) -> None:
    plugin = FakeGithub()
    async with gantry_harness(plugins=[plugin]) as gantry:
        await gantry.set_plugin_enabled("fake-github")
        await create(gantry, action("deploy", GITHUB_ACTION))
        developer = await gantry.client("developer")
        run = (await developer.post("/api/v1/actions/deploy/execute", json={"inputs": {"mode": "block"}})).json()
        await asyncio.wait_for(plugin.started.wait(), timeout=10)
        url = gantry.state.settings.database_url
    db = Database.open(url)  # read what the stopped server left behind, before any start-up clean-up
    try:
        async with db.read() as conn:
            row = (await conn.execute(select(tables.action_runs))).mappings().one()
            leases = (await conn.execute(select(tables.job_leases))).all()
    finally:
        await db.dispose()
    assert (row["id"], row["status"], row["error"]) == (run["id"], "failed", INTERRUPTED)
    assert row["finished_at"] is not None
    assert leases == []


async def test_runs_left_running_by_a_dead_server_are_failed_at_start_up(gantry_harness: Harness) -> None:
    """On SQLite every `running` run found at start-up was interrupted; on PostgreSQL only those whose
    lease lapsed: another replica may still be executing the others."""
    async with gantry_harness() as first:
        db = first.state.settings.db
        dialect = first.state.db.dialect
        now = datetime.now(UTC)
        async with first.state.db.write() as conn:
            for run_id in ("run-without-lease", "run-with-lapsed-lease", "run-on-another-replica", "run-done"):
                await conn.execute(
                    insert(tables.action_runs).values(
                        id=run_id,
                        action_name="deploy",
                        action_namespace="default",
                        action_type="webhook",
                        status="success" if run_id == "run-done" else "running",
                        inputs={},
                        triggered_by="someone",
                        logs=[],
                        created_at=now,
                        started_at=now,
                    )
                )
            for run_id, expires in (
                ("run-with-lapsed-lease", now - timedelta(minutes=5)),
                ("run-on-another-replica", now + timedelta(minutes=5)),
            ):
                await conn.execute(
                    insert(tables.job_leases).values(
                        name=f"{LEASE_PREFIX}{run_id}", holder="elsewhere", expires_at=expires
                    )
                )
    async with gantry_harness(db=db) as second:
        runs = {r["id"]: r for r in (await (await second.client("viewer")).get("/api/v1/actions/runs")).json()["items"]}
    assert runs["run-without-lease"]["status"] == "failed"
    assert runs["run-without-lease"]["error"] == INTERRUPTED
    assert runs["run-with-lapsed-lease"]["status"] == "failed"
    assert runs["run-done"]["status"] == "success"
    expected = "failed" if dialect == "sqlite" else "running"
    assert runs["run-on-another-replica"]["status"] == expected


async def test_the_heartbeat_fails_runs_whose_lease_lapsed(gantry: Gantry, kit: Any) -> None:
    now = datetime.now(UTC)
    async with gantry.state.db.write() as conn:
        for run_id, expires in (("lapsed", now - timedelta(seconds=1)), ("alive", now + timedelta(minutes=1))):
            await conn.execute(
                insert(tables.action_runs).values(
                    id=run_id,
                    action_name="deploy",
                    action_namespace="default",
                    action_type="webhook",
                    status="running",
                    inputs={},
                    triggered_by="someone",
                    logs=[],
                    created_at=now,
                    started_at=now,
                )
            )
            await conn.execute(
                insert(tables.job_leases).values(name=f"{LEASE_PREFIX}{run_id}", holder="elsewhere", expires_at=expires)
            )
    assert await gantry.state.runs.reap() == ["lapsed"]
    statuses = {r["id"]: r["status"] for r in await kit.rows(gantry, tables.action_runs)}
    assert statuses == {"lapsed": "failed", "alive": "running"}
    assert [r["name"] for r in await kit.rows(gantry, tables.job_leases)] == [f"{LEASE_PREFIX}alive"]


@pytest.mark.parametrize("path", ["/api/v1/actions/runs", "/api/v1/actions/approvals"])
async def test_fixed_paths_are_not_taken_for_action_names(gantry: Gantry, path: str) -> None:
    await create(gantry, action("runs", apply_service()), action("approvals", apply_service()))
    response = await (await gantry.client("developer")).get(path)
    assert response.status_code == 200
    assert response.json()["total"] == 0
