"""One pure-ASGI middleware for the request pipeline (F9): request id, real client IP, JSON access log,
metrics. Pure ASGI (not BaseHTTPMiddleware) keeps the per-request cost small."""

from __future__ import annotations

import functools
import ipaddress
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gantry_core.observability.metrics import Metrics

access_log = logging.getLogger("gantry.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


@functools.lru_cache(maxsize=1024)
def _is_proxy(host: str | None) -> bool:
    if not host:
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_private


def real_ip(scope: Scope, headers: dict[bytes, bytes]) -> str | None:
    """The client address; X-Real-IP / X-Forwarded-For are believed only from a local or private proxy."""
    peer = scope.get("client")
    host = peer[0] if peer else None
    if _is_proxy(host):
        forwarded = headers.get(b"x-real-ip") or headers.get(b"x-forwarded-for", b"").split(b",")[0]
        candidate = forwarded.decode("latin-1").strip()
        if candidate:
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return host


class RequestPipeline:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope.get("headers") or ())
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope["gantry.request_id"] = request_id
        scope["gantry.client_ip"] = real_ip(scope, headers)
        status = 500
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        encoded_id = request_id.encode("latin-1")

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", encoded_id)]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            method = scope["method"]
            self.metrics.requests.labels(method, str(status)).inc()
            self.metrics.duration.observe(elapsed)
            if access_log.isEnabledFor(logging.INFO):
                extra: dict[str, Any] = {
                    "method": method,
                    "path": scope["path"],
                    "status": status,
                    "latency_ms": round(elapsed * 1000, 2),
                    "request_id": request_id,
                    "client_ip": scope["gantry.client_ip"],
                }
                access_log.info("%s %s %s", method, scope["path"], status, extra=extra)
