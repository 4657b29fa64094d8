"""Every route of an app with all installed plugins (plus the reference plugin) declares its access, and
refuses anonymous callers (401) and the role just below its minimum (403) (SPEC F65, F69; issue 3 point 7).

Only the refusals are checked: the right role may well get 404/409/422 from the dummy path values.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from gantry_core.api.deps import require_role, route_access
from gantry_core.auth import roles
from gantry_core.testing import Harness, reference_plugin

_PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


def _routes(app: FastAPI) -> list[RouteContext]:
    """Every API route as served, with the dependencies added where its router was included."""
    return [r for r in iter_route_contexts(app.routes) if isinstance(r.original_route, APIRoute)]


def _dummy_path(route: RouteContext) -> str:
    """The route's path with a plausible value for each path parameter."""
    types = {p.name: p.field_info.annotation for p in route.dependant.path_params}
    return _PARAM.sub(lambda m: "1" if types.get(m.group(1)) is int else "x", str(route.path_format))


def _below(role: str) -> str:
    return roles.ROLES[roles.level(role) - 2]


def _calls(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path, access) for every method of every API route."""
    found = []
    for route in _routes(app):
        access = route_access(route)
        assert access is not None, f"{sorted(route.methods)} {route.path} declares neither a role nor public"
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append((method, _dummy_path(route), access))
    return found


async def test_every_route_declares_a_minimum_role_or_public(gantry_harness: Harness) -> None:
    app = await gantry_harness.make_app([reference_plugin], autoload=True)
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in _routes(app) if route_access(r) is None]
    assert undeclared == []
    paths = {r.path for r in _routes(app)}
    assert {"/api/v1/auth/me", "/api/v1/plugins/reference/widgets", "/healthz"} <= paths


def test_a_route_without_a_declaration_is_found() -> None:
    router = APIRouter()

    @router.get("/forgotten")
    async def forgotten() -> None: ...

    @router.get("/guarded", dependencies=[Depends(require_role("developer"))])
    async def guarded() -> None: ...

    app = FastAPI()
    app.include_router(router)
    assert {r.path: route_access(r) for r in _routes(app)} == {"/forgotten": None, "/guarded": "developer"}


async def test_role_by_endpoint_matrix(gantry_harness: Harness) -> None:
    async with gantry_harness([reference_plugin], autoload=True) as gantry:
        calls = _calls(gantry.app)
        clients = {role: await gantry.client(role) for role in roles.ROLES}
        anonymous = gantry.anonymous()
        checked = 0
        for method, path, access in calls:
            if access == "public":
                response = await anonymous.request(method, path)
                assert response.status_code not in (401, 403), (method, path, response.text)
                continue
            response = await anonymous.request(method, path)
            assert (response.status_code, response.json()["code"]) == (401, "unauthorized"), (method, path)
            if access != "viewer":
                response = await clients[_below(access)].request(method, path)
                assert (response.status_code, response.json()["code"]) == (403, "forbidden"), (method, path, access)
            checked += 1
        assert checked >= 10


async def test_role_checks_come_before_the_plugin_enabled_check(gantry_harness: Harness) -> None:
    async with gantry_harness([reference_plugin]) as app:
        assert app.state.plugin_states.status("reference") == "available"
        base = "/api/v1/plugins/reference"
        anonymous = app.anonymous()
        assert (await anonymous.get(f"{base}/widgets")).status_code == 401
        assert (await (await app.client("viewer")).post(f"{base}/widgets/poke")).status_code == 403
        for response in (
            await (await app.client("viewer")).get(f"{base}/widgets"),
            await (await app.client("developer")).post(f"{base}/widgets/poke"),
            await anonymous.get(f"{base}/info"),  # public: nothing to check first
        ):
            assert response.status_code == 409
            assert response.json()["code"] == "plugin_disabled"


async def test_a_request_counts_once_against_the_rate_limit(gantry_harness: Harness) -> None:
    # A plugin route passes two role checks (the plugin guard and its own); it must count once.
    async with gantry_harness([reference_plugin], rate_limit=3) as app:
        client = await app.client("viewer")
        statuses = [(await client.get("/api/v1/plugins/reference/widgets")).status_code for _ in range(4)]
        assert statuses == [409, 409, 409, 429]
        limited = await client.get("/api/v1/auth/me")
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert (await (await app.client("developer")).get("/api/v1/auth/me")).status_code == 200
