"""The fast lane: `GET /api/v1/entities/{kind}/{name}`, the hottest read, answered without FastAPI's
per-request machinery (walking the route table, solving dependencies), which costs several times the
lookup itself.

Only requests the route would take as they are use the lane: a GET whose query string holds at most one
valid `namespace`. Everything else — other methods, other or repeated or invalid parameters — goes on to
FastAPI, which answers it (validation errors included) as usual. The lane makes the same role check
(`admit`) in the same order and answers with the same view (`entity_response`) as the declared route,
which stays the one documented in OpenAPI; `tests/test_fastlane.py` compares both answers request by
request.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from gantry_core.api.deps import admit, app_state
from gantry_core.api.errors import GantryError
from gantry_core.catalog.documents import DEFAULT_NAMESPACE

_ENTITY = re.compile(r"^/api/v1/entities/([^/]+)/([^/]+)$")
_NAMESPACE_MAX = 63  # as the route's `NamespaceQ` declares


def _namespace(query_string: bytes) -> str | None:
    """The namespace if the query string holds nothing else the route would look at differently."""
    if not query_string:
        return DEFAULT_NAMESPACE
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    if len(pairs) != 1 or pairs[0][0] != "namespace" or len(pairs[0][1]) > _NAMESPACE_MAX:
        return None
    return pairs[0][1]


class FastLane:
    """Pure ASGI middleware in front of the router; see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        from gantry_core.catalog.views import entity_response  # built with the middleware stack, not at import

        self.app = app
        self.entity_response = entity_response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            match = _ENTITY.match(get_route_path(scope))
            if match is not None:
                namespace = _namespace(scope["query_string"])
                if namespace is not None:
                    await self._entity(scope, receive, send, match.group(1), match.group(2), namespace)
                    return
        await self.app(scope, receive, send)

    async def _entity(self, scope: Scope, receive: Receive, send: Send, kind: str, name: str, namespace: str) -> None:
        request = Request(scope, receive)
        try:
            await admit(request, "viewer")
            response = await self.entity_response(app_state(request), kind, namespace, name)
        except GantryError as exc:
            response = exc.response()
        await response(scope, receive, send)
