"""Request dependencies: the app state, who is calling, and the one role check (`require_role`).

Every route declares its access with exactly one of ``require_role(role)`` (or the ``Viewer`` ...
``Admin`` annotations) or ``public``; a test walks the route table to make sure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Protocol
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import HTTPConnection

from gantry_core.api.errors import GantryError
from gantry_core.auth import roles
from gantry_core.auth.principal import Principal
from gantry_core.plugins.types import Role
from gantry_core.state import AppState

SESSION_COOKIE = "gantry_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def app_state(request: HTTPConnection) -> AppState:
    state: AppState = request.app.state.gantry
    return state


async def _state(request: Request) -> AppState:
    # Dependencies are async on purpose: FastAPI runs a plain `def` dependency in a thread pool.
    return app_state(request)


State = Annotated[AppState, Depends(_state)]


def client_ip(request: Request) -> str | None:
    """The client address (F9), at most 45 characters as stored: an IPv6 zone id is dropped if long."""
    ip: str | None = request.scope.get("gantry.client_ip")
    if ip is not None and len(ip) > 45:
        ip = ip.split("%", 1)[0][:45]
    return ip


def request_source(request: Request) -> str:
    agent = request.headers.get("user-agent", "")
    return "cli" if agent.startswith("gantry-cli/") else "api"


async def authenticate(request: HTTPConnection) -> Principal | None:
    """The caller, or None when no credentials were sent; bad credentials are 401.

    Works for HTTP requests and WebSocket handshakes alike (both are HTTP connections)."""
    if "gantry.principal" in request.scope:
        cached: Principal | None = request.scope["gantry.principal"]
        return cached
    state = app_state(request)
    header = request.headers.get("authorization")
    principal: Principal | None = None
    if header:
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise GantryError(401, "unauthorized", "Authorization must be `Bearer <token or API key>`")
        if credential.startswith("gantry_"):
            principal = await state.auth.from_api_key(credential)
        else:
            principal = await state.auth.from_token(credential, "bearer")
        if principal is None:
            raise GantryError(401, "unauthorized", "token or API key is invalid, expired or revoked")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            principal = await state.auth.from_token(cookie, "session")
            if principal is not None and request.scope.get("method", "GET") not in SAFE_METHODS:
                check_same_origin(request)
    request.scope["gantry.principal"] = principal
    return principal


def check_same_origin(request: HTTPConnection) -> None:
    """A cookie-authenticated request that changes state must come from this origin (CSRF).

    The host must match; so must the scheme, except that an https origin is accepted on a request that
    looks like plain http (a TLS-terminating proxy that does not say so). A plain-http origin is never
    trusted on an https request: anyone on the network can play that origin."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    host = request.headers.get("host", "")
    scheme = {"ws": "http", "wss": "https"}.get(request.url.scheme, request.url.scheme)
    if origin and origin != "null":
        parts = urlsplit(origin)
        if parts.netloc == host and parts.scheme in ("https", scheme):
            return
    raise GantryError(403, "csrf_failed", "cross-site request refused: the Origin does not match this server")


def _enforce_rate_limit(request: HTTPConnection, principal: Principal) -> None:
    wait = app_state(request).auth.requests.hit(f"u:{principal.user_id}")
    if wait is not None:
        raise GantryError(
            429, "rate_limited", f"too many requests; retry in {wait} s", headers={"Retry-After": str(wait)}
        )


async def admit(request: HTTPConnection, role: str) -> Principal:
    """The caller if their effective role is at least `role`: 401 anonymous, 403 below; each request
    counts once against the caller's rate limit however many role checks it passes."""
    principal = await authenticate(request)
    if principal is None:
        raise GantryError(401, "unauthorized", "sign in or send a token or API key")
    if principal.level < roles.level(role):
        raise GantryError(
            403,
            "forbidden",
            f"this requires the {role} role or higher; you are {principal.effective_role}",
            [{"path": "role", "message": f"requires {role}"}],
        )
    if "gantry.rate_counted" not in request.scope:
        request.scope["gantry.rate_counted"] = True
        _enforce_rate_limit(request, principal)
    return principal


def require_role(role: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency admitting callers whose effective role is at least `role` (401 anonymous, 403 below)."""
    if roles.level(role) == 0:
        raise ValueError(f"unknown role {role!r}")

    async def dependency(request: Request) -> Principal:
        return await admit(request, role)

    dependency.gantry_min_role = role  # type: ignore[attr-defined]
    return dependency


async def public() -> None:
    """Marks a route as open to anonymous callers."""


public.gantry_public = True  # type: ignore[attr-defined]

Viewer = Annotated[Principal, Depends(require_role("viewer"))]
Developer = Annotated[Principal, Depends(require_role("developer"))]
PlatformEngineer = Annotated[Principal, Depends(require_role("platform-engineer"))]
Admin = Annotated[Principal, Depends(require_role("admin"))]
Public = Depends(public)


def _walk(dependant: Dependant) -> list[Any]:
    found = [dependant.call] if dependant.call else []
    for sub in dependant.dependencies:
        found.extend(_walk(sub))
    return found


class _Routed(Protocol):
    @property
    def dependant(self) -> Dependant: ...


def route_access(route: _Routed) -> str | None:
    """The route's declared access: a role name, ``"public"``, or None when it declares neither.

    `route` is an ``APIRoute`` or anything else with its dependant, such as FastAPI's ``RouteContext``
    of an included route (whose dependant also holds the dependencies added where it was included)."""
    declared: list[str] = []
    for call in _walk(route.dependant):
        if getattr(call, "gantry_public", False):
            declared.append("public")
        elif (role := getattr(call, "gantry_min_role", None)) is not None:
            declared.append(role)
    if not declared:
        return None
    return max(declared, key=lambda r: roles.level(r) if r != "public" else 0)


def plugin_enabled(plugin_id: str) -> Callable[[Request], Awaitable[None]]:
    """Guards a plugin's routes: 409 `plugin_disabled` while the plugin is not enabled.

    FastAPI runs router dependencies before the route's own, so this applies the route's declared
    role first: anonymous callers get 401 and lower roles 403 whether or not the plugin is enabled."""

    async def dependency(request: Request) -> None:
        request.scope["gantry.plugin_id"] = plugin_id  # for plugin_context
        route = request.scope.get("route")
        if isinstance(route, APIRoute):
            access = _route_access(route)
            if access is not None and access != "public":
                await admit(request, access)
        if not app_state(request).plugin_states.is_enabled(plugin_id):
            raise GantryError(409, "plugin_disabled", f"plugin {plugin_id!r} is not enabled")

    return dependency


def _route_access(route: APIRoute) -> str | None:
    """`route_access`, worked out once per route."""
    try:
        cached: str | None = route.__dict__["gantry_access"]
    except KeyError:
        cached = route.__dict__["gantry_access"] = route_access(route)
    return cached
