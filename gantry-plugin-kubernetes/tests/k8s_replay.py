"""A Kubernetes API server replay for tests and the benchmark: real HTTP on 127.0.0.1, any number of
clusters behind path prefixes (`http://127.0.0.1:PORT/c/<cluster>`), served to the real `kubernetes` client.

Requests are routed by method, path and query. A request that matches a recorded exchange (same method and
path, same query but for `limit`) gets the recorded response verbatim; other lists are built from the
cluster's objects (recorded ones, or ones built from them) with label and field selectors, `limit` and
`continue` as the API server does them. Bearer tokens are checked (401 Status otherwise); resources can be
forbidden (403 Status); PATCH bodies are recorded and applied; followed logs stream until the client leaves.
"""

from __future__ import annotations

import copy
import json
import re
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"

LISTS = {
    # (api prefix, resource) -> (kind, apiVersion, namespaced)
    ("/api/v1", "namespaces"): ("Namespace", "v1", False),
    ("/apis/apps/v1", "deployments"): ("Deployment", "apps/v1", True),
    ("/api/v1", "services"): ("Service", "v1", True),
    ("/api/v1", "pods"): ("Pod", "v1", True),
    ("/api/v1", "events"): ("Event", "v1", True),
}
_PATH = re.compile(
    r"^(?P<api>/api/v1|/apis/apps/v1)(?:/namespaces/(?P<ns>[^/]+))?/(?P<res>[a-z]+)"
    r"(?:/(?P<name>[^/]+))?(?:/(?P<sub>log|scale))?$"
)


def status(code: int, reason: str, message: str, **details: Any) -> dict[str, Any]:
    """A `Status` object as the API server sends with an error."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": details,
        "code": code,
    }


@dataclass
class Recording:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    status: int
    body: str


def load_recordings(*names: str) -> list[Recording]:
    """Recorded exchanges from `fixtures/replays-*/<name>.json`."""
    found = []
    for name in names:
        for exchange in json.loads((FIXTURES / name).read_text()):
            parts = urlsplit(exchange["request_url"])
            query = tuple(sorted(parse_qsl(parts.query)))
            found.append(
                Recording(
                    exchange["request_method"],
                    parts.path,
                    query,
                    exchange["response_status_code"],
                    exchange["response_body"],
                )
            )
    return found


@dataclass
class Patch:
    path: str
    content_type: str
    body: Any


@dataclass
class FakeCluster:
    """What one API server holds and how it behaves."""

    token: str = "replay-token"
    objects: dict[str, list[Any]] = field(default_factory=lambda: {r: [] for _, r in LISTS})
    logs: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (ns, pod, container[:previous])
    recordings: list[Recording] = field(default_factory=list)
    forbidden: set[str] = field(default_factory=set)  # resources the service account may not list
    patches: list[Patch] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    serialized: dict[str, bytes] = field(default_factory=dict)  # list answers, as an API server's watch cache
    hold: threading.Event | None = None  # when set, list requests wait for it (up to 10 s)
    held: list[bool] = field(default_factory=list)  # per held request: released by the test (not timed out)

    def add(self, resource: str, *items: Any) -> None:
        self.objects[resource].extend(items)
        self.serialized.clear()


def _deep_merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _label_match(labels: dict[str, str], selector: str) -> bool:
    for requirement in re.split(r",(?![^(]*\))", selector):
        requirement = requirement.strip()
        if not requirement:
            continue
        if m := re.match(r"^([^!=\s]+)\s+(in|notin)\s+\((.*)\)$", requirement):
            key, op, values = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
            if (labels.get(key) in values) != (op == "in") or (op == "in" and key not in labels):
                return False
        elif "!=" in requirement:
            key, value = requirement.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in requirement:
            key, value = requirement.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif requirement.startswith("!"):
            if requirement[1:] in labels:
                return False
        elif requirement not in labels:
            return False
    return True


def _field_match(obj: Any, selector: str) -> bool:
    metadata = obj.get("metadata", {}) if isinstance(obj, dict) else {}
    for requirement in selector.split(","):
        key, _, value = requirement.partition("=")
        if key == "metadata.name" and metadata.get("name") != value:
            return False
        if key == "metadata.namespace" and metadata.get("namespace") != value:
            return False
        if key.startswith("involvedObject."):
            involved = obj.get("involvedObject", {}) if isinstance(obj, dict) else {}
            if involved.get(key.split(".", 1)[1]) != value:
                return False
    return True


class ReplayServer:
    """The HTTP server: start with `with replay_server() as server`."""

    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        self.clusters: dict[str, FakeCluster] = {}
        self.follow_closed = threading.Event()
        self.follow_started = threading.Event()
        self.max_ticks = 600
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                outer._handle(self, "GET")

            def do_PATCH(self) -> None:
                outer._handle(self, "PATCH")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, cluster: str) -> str:
        """The API server URL of `cluster` (the cluster named "" is served at the root)."""
        return (
            f"{self.scheme}://127.0.0.1:{self.port}/c/{cluster}"
            if cluster
            else f"{self.scheme}://127.0.0.1:{self.port}"
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- handling ---------------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        match = re.match(r"^/c/([^/]+)(/.*)$", parts.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw_body = handler.rfile.read(length) if length else b""
        name, path = (match.group(1), match.group(2)) if match else ("", parts.path)  # "": served at the root
        if name not in self.clusters:
            self._send_json(handler, 404, status(404, "NotFound", "the server could not find the requested resource"))
            return
        cluster = self.clusters[name]
        query = dict(parse_qsl(parts.query))
        cluster.requests.append((method, f"{path}?{parts.query}" if parts.query else path))
        scheme, _, credential = (handler.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or credential != cluster.token:  # the scheme is case-insensitive
            self._send_json(handler, 401, status(401, "Unauthorized", "Unauthorized"))
            return
        recorded = self._recorded(cluster, method, path, query)
        if recorded is not None:
            self._send(handler, recorded.status, recorded.body.encode(), "application/json")
            return
        found = _PATH.match(path)
        if not found:
            self._send_json(handler, 404, status(404, "NotFound", "the server could not find the requested resource"))
            return
        api, ns, resource, name, sub = (found.group(g) for g in ("api", "ns", "res", "name", "sub"))
        if resource == "namespaces" and name is not None and ns is None:
            ns, name = name, None  # /api/v1/namespaces/<ns> (a namespace read) is not used by the plugin
        if resource in cluster.forbidden:
            scope = f'in the namespace "{ns}"' if ns else "at the cluster scope"
            group = ' in API group "apps"' if api.startswith("/apis/apps") else ' in API group ""'
            message = (
                f"{resource}{'.apps' if 'apps' in api else ''} is forbidden: User "
                f'"system:serviceaccount:gantry:gantry" cannot list resource "{resource}"{group} {scope}'
            )
            self._send_json(handler, 403, status(403, "Forbidden", message, kind=resource))
            return
        if method == "GET" and name is None and (api, resource) in LISTS:
            if cluster.hold is not None:
                cluster.held.append(cluster.hold.wait(10))
            self._list(handler, cluster, api, resource, ns, query)
        elif method == "GET" and resource == "pods" and sub == "log" and ns and name:
            self._log(handler, cluster, ns, name, query)
        elif resource == "deployments" and ns and name:
            self._deployment(handler, cluster, method, path, ns, name, sub, raw_body)
        else:
            self._send_json(handler, 405, status(405, "MethodNotAllowed", f"{method} {path} is not supported"))

    def _recorded(self, cluster: FakeCluster, method: str, path: str, query: dict[str, str]) -> Recording | None:
        asked = tuple(sorted((k, v) for k, v in query.items() if k != "limit"))
        for rec in cluster.recordings:
            if rec.method == method and rec.path == path and rec.query == asked:
                if "limit" in query and rec.status == 200:
                    items = json.loads(rec.body).get("items")
                    if isinstance(items, list) and len(items) > int(query["limit"]):
                        continue  # the recording holds more than one page
                return rec
        return None

    def _list(
        self,
        handler: BaseHTTPRequestHandler,
        cluster: FakeCluster,
        api: str,
        resource: str,
        ns: str | None,
        query: dict[str, str],
    ) -> None:
        key = f"{resource}|{ns}|{sorted(query.items())}"
        cached = cluster.serialized.get(key)
        if cached is None:
            cached = cluster.serialized[key] = self._list_body(cluster, api, resource, ns, query)
        self._send(handler, 200, cached, "application/json")

    @staticmethod
    def _list_body(cluster: FakeCluster, api: str, resource: str, ns: str | None, query: dict[str, str]) -> bytes:
        kind, api_version, _ = LISTS[(api, resource)]
        items = cluster.objects[resource]
        if ns:
            items = [o for o in items if not isinstance(o, dict) or o.get("metadata", {}).get("namespace") == ns]
        if query.get("labelSelector"):
            items = [
                o
                for o in items
                if isinstance(o, dict)
                and _label_match(o.get("metadata", {}).get("labels") or {}, query["labelSelector"])
            ]
        if query.get("fieldSelector"):
            items = [o for o in items if _field_match(o, query["fieldSelector"])]
        start = int(query.get("continue") or 0)
        limit = int(query.get("limit") or 0)
        page = items[start : start + limit] if limit else items[start:]
        metadata: dict[str, Any] = {"resourceVersion": "1000"}
        if limit and start + limit < len(items):
            metadata["continue"] = str(start + limit)
        return json.dumps(
            {"kind": f"{kind}List", "apiVersion": api_version, "metadata": metadata, "items": page}
        ).encode()

    def _log(
        self, handler: BaseHTTPRequestHandler, cluster: FakeCluster, ns: str, pod: str, query: dict[str, str]
    ) -> None:
        container = query.get("container", "")
        key = f"{container}:previous" if query.get("previous") == "true" else container
        text = cluster.logs.get((ns, pod, key))
        if text is None:
            message = f"container {container} is not valid for pod {pod}"
            if query.get("previous") == "true":
                message = f'previous terminated container "{container}" in pod "{pod}" not found'
            self._send_json(handler, 400, status(400, "BadRequest", message))
            return
        lines = text.splitlines(keepends=True)
        if query.get("tailLines"):
            lines = lines[-int(query["tailLines"]) :]
        body = "".join(lines).encode()
        if query.get("follow") != "true":
            self._send(handler, 200, body, "text/plain")
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        self.follow_started.set()
        try:
            self._chunk(handler, body)
            for tick in range(self.max_ticks):
                time.sleep(0.05)
                self._chunk(handler, f"follow tick {tick}\n".encode())
            self._chunk(handler, b"")
        except OSError:  # the client went away
            self.follow_closed.set()
        handler.close_connection = True

    @staticmethod
    def _chunk(handler: BaseHTTPRequestHandler, data: bytes) -> None:
        handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        handler.wfile.flush()

    def _deployment(
        self,
        handler: BaseHTTPRequestHandler,
        cluster: FakeCluster,
        method: str,
        path: str,
        ns: str,
        name: str,
        sub: str | None,
        raw_body: bytes,
    ) -> None:
        target = next(
            (
                d
                for d in cluster.objects["deployments"]
                if isinstance(d, dict)
                and d.get("metadata", {}).get("namespace") == ns
                and d["metadata"].get("name") == name
            ),
            None,
        )
        if target is None:
            self._send_json(handler, 404, status(404, "NotFound", f'deployments.apps "{name}" not found'))
            return
        if method == "PATCH":
            body = json.loads(raw_body or b"{}")
            cluster.patches.append(Patch(path, handler.headers.get("Content-Type", ""), body))
            if sub == "scale":
                old = target.get("status", {}).get("replicas", 0)
                target.setdefault("spec", {})["replicas"] = body["spec"]["replicas"]
                scale = {
                    "kind": "Scale",
                    "apiVersion": "autoscaling/v1",
                    "metadata": {"name": name, "namespace": ns},
                    "spec": {"replicas": body["spec"]["replicas"]},
                    "status": {"replicas": old},
                }
                cluster.serialized.clear()
                self._send_json(handler, 200, scale)
                return
            _deep_merge(target, body)
            target["metadata"]["generation"] = int(target["metadata"].get("generation", 1)) + 1
            cluster.serialized.clear()
        self._send_json(handler, 200, target)

    @staticmethod
    def _send_json(handler: BaseHTTPRequestHandler, code: int, body: Any) -> None:
        ReplayServer._send(handler, code, json.dumps(body).encode(), "application/json")

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, code: int, body: bytes, content_type: str) -> None:
        handler.send_response(code)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@contextmanager
def replay_server(tls: tuple[Path, Path] | None = None) -> Iterator[ReplayServer]:
    server = ReplayServer(tls)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def decode_path(path: str) -> str:
    return unquote(path)
