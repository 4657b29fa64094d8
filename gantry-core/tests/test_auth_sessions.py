"""Sign-in, sessions and tokens: login, cookie, logout, me, own password, JWT validation and invalidation,
bcrypt upgrade (SPEC F60-F65; issue 3 points 2-5)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import bcrypt
import jwt
from gantry_core.auth.schemas import MeOut
from gantry_core.db.tables import users
from gantry_core.testing import Gantry

ME = "/api/v1/auth/me"
PASSWORD_URL = "/api/v1/auth/me/password"


def _cookie_header(response: Any) -> str:
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith("gantry_session=")]
    return str(header)


def _flags(header: str) -> dict[str, str]:
    parts = [p.strip() for p in header.split(";")]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts[1:]}


async def test_login_returns_token_and_user_and_sets_the_session_cookie(gantry: Gantry, kit: Any) -> None:
    uid = await kit.add_user(gantry, "alice", "developer")
    response = await kit.login(gantry, "alice")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiresAt", "user"}
    assert body["user"] == {
        "id": uid,
        "username": "alice",
        "displayName": "Alice",
        "email": "alice@example.com",
        "role": "developer",
        "createdAt": body["user"]["createdAt"],
        "lastLoginAt": body["user"]["lastLoginAt"],
    }
    assert body["user"]["lastLoginAt"] is not None

    claims = jwt.decode(body["token"], gantry.state.auth.jwt_secret, algorithms=["HS256"])
    assert set(claims) == {"sub", "username", "role", "ver", "iat", "exp", "jti"}
    assert (claims["sub"], claims["username"], claims["role"], claims["ver"]) == (str(uid), "alice", "developer", 0)
    assert claims["exp"] - claims["iat"] == 24 * 3600
    assert jwt.get_unverified_header(body["token"])["alg"] == "HS256"

    header = _cookie_header(response)
    assert header.startswith(f"gantry_session={body['token']};")
    flags = _flags(header)
    assert "httponly" in flags
    assert flags["samesite"].lower() == "lax"
    assert flags["path"] == "/"
    assert flags["max-age"] == str(24 * 3600)
    assert "secure" not in flags  # plain HTTP

    second = await kit.login(gantry, "alice")
    assert jwt.decode(second.json()["token"], options={"verify_signature": False})["jti"] != claims["jti"]


async def test_the_session_cookie_is_secure_over_https(gantry: Gantry, kit: Any) -> None:
    await kit.add_user(gantry, "alice")
    client = kit.browser(gantry, "", base_url="https://testserver")
    response = await client.post("/api/v1/auth/login", json={"username": "alice", "password": kit.password})
    assert response.status_code == 200
    assert "secure" in _flags(_cookie_header(response))


async def test_cookie_session_reaches_me_and_logout_clears_the_cookie(gantry: Gantry, kit: Any) -> None:
    uid = await kit.add_user(gantry, "alice")
    browser = kit.browser(gantry, await kit.token(gantry, uid))
    me = await browser.get(ME)
    assert me.status_code == 200
    assert me.json()["authMethod"] == "session"

    logout = await browser.post("/api/v1/auth/logout", headers={"Origin": "http://testserver"})
    assert logout.status_code == 204
    assert logout.content == b""
    flags = _flags(_cookie_header(logout))
    assert flags["max-age"] == "0"
    assert flags["path"] == "/"
    assert "gantry_session" not in browser.cookies
    assert (await browser.get(ME)).status_code == 401


async def test_logout_everywhere_ends_every_older_session(gantry: Gantry, kit: Any) -> None:
    uid = await kit.add_user(gantry, "alice")
    laptop = kit.bearer(gantry, await kit.token(gantry, uid))
    phone = kit.browser(gantry, await kit.token(gantry, uid))
    bystander = await gantry.client("viewer")
    assert (await phone.get(ME)).status_code == 200

    response = await laptop.post("/api/v1/auth/logout", json={"everywhere": True})
    assert response.status_code == 204
    assert (await laptop.get(ME)).status_code == 401
    assert (await phone.get(ME)).status_code == 401
    assert (await bystander.get(ME)).status_code == 200
    assert (await kit.bearer(gantry, await kit.token(gantry, uid)).get(ME)).status_code == 200
    [entry] = await kit.audit(gantry, "logout_everywhere")
    assert entry["user_name"] == "alice"


async def test_me_reports_role_effective_role_groups_and_permissions(gantry: Gantry) -> None:
    expected = {
        "viewer": (True, False, False, False, False, False),
        "developer": (True, True, True, True, False, False),
        "platform-engineer": (True, True, True, True, True, False),
        "admin": (True, True, True, True, True, True),
    }
    for role, flags in expected.items():
        response = await (await gantry.client(role)).get(ME)
        assert response.status_code == 200
        body = response.json()
        assert body == {
            "userId": body["userId"],
            "username": f"{role}-user",
            "displayName": f"{role}-user".title(),
            "email": f"{role}-user@example.com",
            "role": role,
            "effectiveRole": role,
            "groups": [],
            "permissions": dict(zip(("read", "write", "execute", "delete", "configure", "admin"), flags, strict=True)),
            "authMethod": "bearer",
        }
        assert MeOut.model_validate(body).model_dump() == body  # the documented response model


async def test_me_logout_and_password_need_a_signed_in_caller(gantry: Gantry) -> None:
    client = gantry.anonymous()
    for response in (
        await client.get(ME),
        await client.post("/api/v1/auth/logout"),
        await client.put(PASSWORD_URL, json={"currentPassword": "x", "newPassword": "long enough pw"}),
    ):
        assert response.status_code == 401
        assert response.json() == {"error": "sign in or send a token or API key", "code": "unauthorized"}


async def test_change_own_password(gantry: Gantry, kit: Any) -> None:
    uid = await kit.add_user(gantry, "alice")
    old_token = await kit.token(gantry, uid)
    other_session = kit.bearer(gantry, old_token)
    browser = kit.browser(gantry, old_token)
    response = await browser.put(
        PASSWORD_URL,
        json={"currentPassword": kit.password, "newPassword": "a much better password"},
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 204
    # Every older token stops working at once; the browser that changed it got a fresh cookie.
    assert (await other_session.get(ME)).status_code == 401
    assert browser.cookies["gantry_session"] != old_token
    assert (await browser.get(ME)).status_code == 200
    assert (await kit.login(gantry, "alice")).status_code == 401
    assert (await kit.login(gantry, "alice", "a much better password")).status_code == 200
    [entry] = await kit.audit(gantry, "user.password")
    assert (entry["user_name"], entry["resource_name"]) == ("alice", "alice")


PASSWORD_RULES = [
    ("wrong password!", "a fine new password", "/currentPassword", "is not correct"),
    (None, "short", "/newPassword", "must be at least 8 characters"),
    (None, "é" * 513, "/newPassword", "must be at most 1024 bytes"),  # 513 characters, 1026 bytes
    (None, "x" * 1025, "/newPassword", "must be at most 1024 bytes"),
    (None, "contains\x00nul", "/newPassword", "must not contain NUL characters"),
    (None, "a tab\there", "/newPassword", "must not contain control characters"),
]


async def test_change_own_password_says_which_rule_failed(gantry: Gantry, kit: Any) -> None:
    uid = await kit.add_user(gantry, "alice")
    client = kit.bearer(gantry, await kit.token(gantry, uid))
    before = await kit.rows(gantry, users, users.c.id == uid)
    for current, new, path, message in PASSWORD_RULES:
        response = await client.put(PASSWORD_URL, json={"currentPassword": current or kit.password, "newPassword": new})
        assert response.status_code == 422, new
        body = response.json()
        assert body["code"] == "validation_failed"
        assert body["details"] == [{"path": path, "message": body["details"][0]["message"]}]
        assert message in body["details"][0]["message"], (new, body)
    assert await kit.rows(gantry, users, users.c.id == uid) == before
    assert (await client.get(ME)).status_code == 200


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


async def test_bad_tokens_are_all_401(gantry: Gantry, kit: Any) -> None:
    uid = await kit.add_user(gantry, "alice", "admin")
    secret = gantry.state.auth.jwt_secret
    now = int(time.time())
    good = {"sub": str(uid), "username": "alice", "role": "admin", "ver": 0, "iat": now, "exp": now + 600, "jti": "x"}
    assert (await kit.bearer(gantry, jwt.encode(good, secret, algorithm="HS256")).get(ME)).status_code == 200

    bad = {
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(good)}.",
        "alg none signed": jwt.encode(good, None, algorithm="none"),
        "wrong signature": jwt.encode(good, "0" * 64, algorithm="HS256"),
        "other algorithm": jwt.encode(good, secret, algorithm="HS512"),
        "expired": jwt.encode({**good, "iat": now - 90_000, "exp": now - 3600}, secret, algorithm="HS256"),
        "no version": jwt.encode({k: v for k, v in good.items() if k != "ver"}, secret, algorithm="HS256"),
        "stale version": jwt.encode({**good, "ver": 1}, secret, algorithm="HS256"),
        "no expiry": jwt.encode({k: v for k, v in good.items() if k != "exp"}, secret, algorithm="HS256"),
        "unknown user": jwt.encode({**good, "sub": "999999"}, secret, algorithm="HS256"),
        "huge user id": jwt.encode({**good, "sub": str(10**30)}, secret, algorithm="HS256"),
        "text user id": jwt.encode({**good, "sub": "alice"}, secret, algorithm="HS256"),
        "truncated": jwt.encode(good, secret, algorithm="HS256")[:-5],
        "garbage": "not-a-token",
        "three dots": "a.b.c",
        "key-like": "gantry_" + "z" * 64,
    }
    for name, token in bad.items():
        for client in (kit.bearer(gantry, token), gantry.anonymous(cookies={"gantry_session": token})):
            response = await client.get(ME)
            assert response.status_code == 401, name
            assert response.json()["code"] == "unauthorized", name
    latin1 = "Bearer ëÿ.ü".encode("latin-1")
    for header in ("Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer ", "Token abc", "bearer", latin1):
        response = await gantry.anonymous(headers={"Authorization": header}).get(ME)
        assert response.status_code == 401, header


async def test_role_change_and_user_deletion_invalidate_older_tokens(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    for change in ("role", "delete"):
        uid = await kit.add_user(gantry, f"alice-{change}", "developer")
        alice = kit.bearer(gantry, await kit.token(gantry, uid))
        browser = kit.browser(gantry, await kit.token(gantry, uid))
        assert (await alice.get(ME)).json()["role"] == "developer"
        if change == "role":
            response = await admin.put(f"/api/v1/auth/users/{uid}", json={"role": "platform-engineer"})
            assert response.status_code == 200
        else:
            assert (await admin.delete(f"/api/v1/auth/users/{uid}")).status_code == 204
        assert (await alice.get(ME)).status_code == 401, change
        assert (await browser.get(ME)).status_code == 401, change
        if change == "role":
            fresh = kit.bearer(gantry, await kit.token(gantry, uid))
            assert (await fresh.get(ME)).json()["role"] == "platform-engineer"


async def test_setting_the_same_role_again_keeps_sessions(gantry: Gantry, kit: Any) -> None:
    uid = await kit.add_user(gantry, "alice", "developer")
    alice = kit.bearer(gantry, await kit.token(gantry, uid))
    response = await (await gantry.client("admin")).put(f"/api/v1/auth/users/{uid}", json={"role": "developer"})
    assert response.status_code == 200
    assert (await alice.get(ME)).status_code == 200


async def test_bcrypt_hashes_are_accepted_and_upgraded_to_argon2id(gantry: Gantry, kit: Any) -> None:
    legacy = bcrypt.hashpw(kit.password.encode(), bcrypt.gensalt(rounds=4)).decode()
    uid = await kit.add_user(gantry, "legacy", password_hash=legacy)
    assert (await kit.login(gantry, "legacy", "wrong password")).status_code == 401
    assert (await kit.rows(gantry, users, users.c.id == uid))[0]["password_hash"] == legacy

    assert (await kit.login(gantry, "legacy")).status_code == 200
    upgraded = (await kit.rows(gantry, users, users.c.id == uid))[0]
    assert upgraded["password_hash"].startswith("$argon2id$")
    assert upgraded["token_version"] == 0  # an upgrade is not a password change
    assert (await kit.login(gantry, "legacy")).status_code == 200


async def test_bcrypt_passwords_longer_than_72_bytes_keep_working(gantry: Gantry, kit: Any) -> None:
    # bcrypt only ever looked at the first 72 bytes; such a user must still be able to sign in.
    long_password = "p" * 100
    legacy = bcrypt.hashpw(long_password.encode()[:72], bcrypt.gensalt(rounds=4)).decode()
    uid = await kit.add_user(gantry, "legacy", password_hash=legacy)
    assert (await kit.login(gantry, "legacy", long_password)).status_code == 200
    assert (await kit.rows(gantry, users, users.c.id == uid))[0]["password_hash"].startswith("$argon2id$")
    # From now on the whole password counts.
    assert (await kit.login(gantry, "legacy", "p" * 72 + "q" * 28)).status_code == 401
    assert (await kit.login(gantry, "legacy", long_password)).status_code == 200


async def test_an_unreadable_stored_hash_is_a_failed_login_not_an_error(gantry: Gantry, kit: Any) -> None:
    await kit.add_user(gantry, "odd", password_hash="{SSHA}not-a-hash-we-know")
    response = await kit.login(gantry, "odd")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


async def test_users_without_a_password_cannot_sign_in(gantry: Gantry, kit: Any) -> None:
    await gantry.client("viewer")  # created without a password (as SSO users are)
    response = await kit.login(gantry, "viewer-user", "")
    assert response.status_code == 422
    response = await kit.login(gantry, "viewer-user", "anything at all")
    assert response.status_code == 401
