"""Browser sessions and cross-site requests: a cookie-authenticated request that changes state must come
from this origin, while Bearer tokens and API keys are not subject to the check (SPEC F61; issue 3 point 5).
Also the declared role of every identity route against SPEC section 18."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from gantry_core.api.deps import route_access
from gantry_core.testing import Gantry

KEYS = "/api/v1/auth/apikeys"
SAME_ORIGIN = {"Origin": "http://testserver"}


async def test_cookie_requests_that_change_state_need_the_same_origin(gantry: Gantry, kit: Any) -> None:
    uid = await kit.add_user(gantry, "alice", "admin")
    browser = kit.browser(gantry, await kit.token(gantry, uid))
    before = await kit.counts(gantry)
    refusals = {
        "no origin": {},
        "other origin": {"Origin": "http://evil.example"},
        "other port": {"Origin": "http://testserver:8081"},
        "other scheme": {"Origin": "ftp://testserver"},
        "null origin": {"Origin": "null"},
        "other referer": {"Referer": "http://evil.example/testserver"},
        "lookalike host": {"Origin": "http://testserver.evil.example"},
        "userinfo trick": {"Origin": "http://testserver@evil.example"},
    }
    for name, headers in refusals.items():
        for response in (
            await browser.post(KEYS, json={"name": "k"}, headers=headers),
            await browser.put(
                "/api/v1/auth/me/password", json={"currentPassword": "x", "newPassword": "y"}, headers=headers
            ),
            await browser.delete(f"{KEYS}/1", headers=headers),
            await browser.post("/api/v1/groups", json={"name": "g"}, headers=headers),
            await browser.post("/api/v1/auth/logout", json={"everywhere": True}, headers=headers),
        ):
            assert response.status_code == 403, name
            assert response.json()["code"] == "csrf_failed", name
    assert await kit.counts(gantry) == before
    # Reading is fine without an Origin (SameSite=Lax already keeps cross-site sub-requests out).
    assert (await browser.get("/api/v1/auth/me")).status_code == 200

    created = await browser.post(KEYS, json={"name": "k"}, headers=SAME_ORIGIN)
    assert created.status_code == 201
    by_referer = await browser.post(KEYS, json={"name": "k2"}, headers={"Referer": "http://testserver/settings"})
    assert by_referer.status_code == 201
    # Behind a TLS-terminating proxy that does not say so, the browser's origin is https.
    proxied = await browser.post(KEYS, json={"name": "k3"}, headers={"Origin": "https://testserver"})
    assert proxied.status_code == 201
    revoked = await browser.delete(f"{KEYS}/{created.json()['id']}", headers=SAME_ORIGIN)
    assert revoked.status_code == 204


async def test_https_sessions_compare_the_https_origin(gantry: Gantry, kit: Any) -> None:
    uid = await kit.add_user(gantry, "alice")
    browser = kit.browser(gantry, await kit.token(gantry, uid), base_url="https://testserver")
    assert (await browser.post(KEYS, json={"name": "k"}, headers={"Origin": "https://testserver"})).status_code == 201
    downgraded = await browser.post(KEYS, json={"name": "k"}, headers={"Origin": "http://testserver"})
    assert downgraded.status_code == 403
    assert downgraded.json()["code"] == "csrf_failed"


async def test_bearer_tokens_and_api_keys_need_no_origin(gantry: Gantry, kit: Any) -> None:
    bearer = await gantry.client("developer")
    created = await bearer.post(KEYS, json={"name": "k"}, headers={"Origin": "http://evil.example"})
    assert created.status_code == 201
    as_key = kit.bearer(gantry, created.json()["key"])
    assert (await as_key.post(KEYS, json={"name": "k2"})).status_code == 201
    assert (await as_key.delete(f"{KEYS}/{created.json()['id']}")).status_code == 204


async def test_a_bad_cookie_is_anonymous_not_forbidden(gantry: Gantry, kit: Any) -> None:
    response = await kit.browser(gantry, "not-a-token").post(KEYS, json={"name": "k"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


#: SPEC section 18, the identity rows: (method, path) -> declared access.
SPEC_18 = {
    ("POST", "/api/v1/auth/login"): "public",
    ("POST", "/api/v1/auth/logout"): "viewer",
    ("GET", "/api/v1/auth/me"): "viewer",
    ("PUT", "/api/v1/auth/me/password"): "viewer",
    ("POST", "/api/v1/auth/apikeys"): "viewer",
    ("GET", "/api/v1/auth/apikeys"): "viewer",
    ("DELETE", "/api/v1/auth/apikeys/{key_id}"): "viewer",
    ("POST", "/api/v1/auth/register"): "admin",
    ("GET", "/api/v1/auth/users"): "admin",
    ("PUT", "/api/v1/auth/users/{user_id}"): "admin",
    ("DELETE", "/api/v1/auth/users/{user_id}"): "admin",
    ("GET", "/api/v1/groups"): "admin",
    ("POST", "/api/v1/groups"): "admin",
    ("GET", "/api/v1/groups/{name}"): "admin",
    ("PUT", "/api/v1/groups/{name}"): "admin",
    ("DELETE", "/api/v1/groups/{name}"): "admin",
}


async def test_identity_routes_declare_the_roles_of_the_spec(gantry: Gantry) -> None:
    declared = {}
    for route in iter_route_contexts(gantry.app.routes):
        if isinstance(route.original_route, APIRoute):
            for method in route.methods or ():
                declared[(method, route.path)] = route_access(route)
    assert {key: declared.get(key) for key in SPEC_18} == SPEC_18
