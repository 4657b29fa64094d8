"""Bad input to the identity endpoints: overlong fields, wrong types, unknown fields, Unicode edge cases and
SQL-looking strings get 400/422 in the error shape and change nothing (issue 3 point 9). Runs on SQLite and
PostgreSQL, where a NUL in text or a lone surrogate would otherwise fail inside the driver."""

from __future__ import annotations

import base64
import json
from typing import Any

from gantry_core.db.tables import users
from gantry_core.testing import Gantry

NUL = "a\x00b"
RTL = "admin\u202etxt.exe"  # right-to-left override
EMOJI = "rocket-\U0001f680"
COMBINING = "jose\u0301"  # e + combining acute
ZERO_WIDTH = "ad\u200bmin"
SQL = "robert'); DROP TABLE users;--"
SURROGATE = "\\ud800"  # a lone surrogate, as JSON escapes it (raw JSON below)


def refused(response: Any) -> dict[str, Any]:
    """Assert a 400/422 in the one error shape; returns the body."""
    assert response.status_code in (400, 422), (response.status_code, response.text)
    body: dict[str, Any] = response.json()
    assert {"error", "code"} <= set(body) <= {"error", "code", "details"}, body
    assert body["code"] in {"validation_failed", "invalid_json", "invalid_parameter", "invalid_cursor"}, body
    assert isinstance(body["error"], str) and body["error"]
    if response.status_code == 422:
        assert body["details"], body
        for detail in body["details"]:
            assert set(detail) == {"path", "message"}
    return body


def raw(text: str) -> dict[str, Any]:
    """Arguments to send `text` as the JSON body, byte for byte."""
    return {"content": text.encode(), "headers": {"Content-Type": "application/json"}}


async def test_login_refuses_bad_input_without_a_trace(gantry: Gantry, kit: Any) -> None:
    await kit.add_user(gantry, "alice")
    client = gantry.anonymous()
    before = await kit.counts(gantry)
    bodies: list[Any] = [
        {"username": NUL, "password": "whatever-pw"},
        {"username": RTL, "password": "whatever-pw"},
        {"username": "alice", "password": NUL},
        {"username": "a" * 151, "password": "whatever-pw"},
        {"username": "alice", "password": "p" * 4097},
        {"username": 42, "password": "whatever-pw"},
        {"username": ["alice"], "password": "whatever-pw"},
        {"username": "alice", "password": None},
        {"username": "alice", "password": "whatever-pw", "remember": True},
        {"username": "", "password": "whatever-pw"},
        {"username": "alice"},
        {},
        [],
        "alice",
        None,
    ]
    for body in bodies:
        refused(await client.post("/api/v1/auth/login", json=body))
    for text in (
        f'{{"username": "alice", "password": "{SURROGATE}abcdefgh"}}',
        f'{{"username": "{SURROGATE}", "password": "abcdefgh"}}',
        '{"username": "alice", "password": "x"',
        "",
        "\u00ff",
    ):
        refused(await client.post("/api/v1/auth/login", **raw(text)))
    form = await client.post("/api/v1/auth/login", data={"username": "alice", "password": kit.password})
    refused(form)
    assert await kit.counts(gantry) == before

    # SQL-looking or exotic names are just names nobody has.
    for name in (SQL, "alice' OR '1'='1", "alice'--", EMOJI, COMBINING, ZERO_WIDTH, "ALICE"):
        response = await client.post("/api/v1/auth/login", json={"username": name, "password": kit.password})
        assert response.status_code == 401, name
        assert response.json()["code"] == "invalid_credentials"


REGISTER_OK = {"username": "valid", "password": "long enough pw", "displayName": "Valid", "email": "v@example.com"}


REGISTER_REFUSALS: list[dict[str, Any]] = [
    {"username": NUL},
    {"username": RTL},
    {"username": EMOJI},
    {"username": COMBINING},
    {"username": ZERO_WIDTH},
    {"username": SQL},
    {"username": "with space"},
    {"username": "../../etc/passwd"},
    {"username": "-starts-with-dash"},
    {"username": "a" * 151},
    {"username": ""},
    {"username": 7},
    {"password": NUL * 5},
    {"password": "short"},
    {"password": "é" * 513},
    {"password": 12345678},
    {"password": ["long enough pw"]},
    {"displayName": "a" * 256},
    {"displayName": "two\nlines"},
    {"displayName": NUL},
    {"displayName": "bidi \u202egnirts"},
    {"displayName": {"first": "Val"}},
    {"email": "not-an-email"},
    {"email": "a@b"},
    {"email": "v@example.com\x00.evil"},
    {"email": "x" * 310 + "@example.com"},
    {"role": "admin"},
    {"isAdmin": True},
]


async def test_register_refuses_bad_input(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    before = await kit.counts(gantry)
    for change in REGISTER_REFUSALS:
        body = refused(await admin.post("/api/v1/auth/register", json={**REGISTER_OK, **change}))
        assert body["details"][0]["path"] == "/" + next(iter(change)), change
    assert await kit.counts(gantry) == before


async def test_register_refuses_lone_surrogates_and_bad_json(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    before = await kit.counts(gantry)
    for field in ("username", "password", "displayName", "email"):
        text = json.dumps(REGISTER_OK).replace(f'"{field}": "', f'"{field}": "{SURROGATE}', 1)
        refused(await admin.post("/api/v1/auth/register", **raw(text)))
    for text in ("{", '{"username": "x",}', "[1, 2]", "null", '"text"', "1e999999"):
        refused(await admin.post("/api/v1/auth/register", **raw(text)))
    assert await kit.counts(gantry) == before


async def test_free_text_keeps_unicode_and_sql_looking_text_verbatim(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    display = f"{EMOJI} {COMBINING} שלום {SQL}"
    response = await admin.post(
        "/api/v1/auth/register", json={**REGISTER_OK, "displayName": display, "password": "пароль-🔑-ok"}
    )
    assert response.status_code == 201
    assert response.json()["displayName"] == display
    [row] = await kit.rows(gantry, users, users.c.username == "valid")
    assert row["display_name"] == display
    assert len(await kit.rows(gantry, users)) == 3  # the table is still there, with admin and admin-user
    assert (await kit.login(gantry, "valid", "пароль-🔑-ok")).status_code == 200

    key = await admin.post("/api/v1/auth/apikeys", json={"name": f"{EMOJI} {SQL}"})
    assert key.status_code == 201
    assert key.json()["name"] == f"{EMOJI} {SQL}"


async def test_password_change_refuses_bad_input(gantry: Gantry, kit: Any) -> None:
    uid = await kit.add_user(gantry, "alice")
    client = kit.bearer(gantry, await kit.token(gantry, uid))
    before = await kit.rows(gantry, users)
    counts = await kit.counts(gantry)
    for body in (
        {"currentPassword": kit.password},
        {"newPassword": "long enough pw"},
        {"currentPassword": kit.password, "newPassword": 123456789},
        {"currentPassword": kit.password, "newPassword": "long enough pw", "username": "admin"},
        {"currentPassword": kit.password, "newPassword": "tab\tinside pw"},
    ):
        refused(await client.put("/api/v1/auth/me/password", json=body))
    text = json.dumps({"currentPassword": kit.password, "newPassword": "long enough pw"})
    refused(await client.put("/api/v1/auth/me/password", **raw(text.replace('"long', f'"{SURROGATE}long'))))
    assert await kit.rows(gantry, users) == before
    assert await kit.counts(gantry) == counts


async def test_api_keys_refuse_bad_input(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    before = await kit.counts(gantry)
    for body in (
        {"name": ""},
        {"name": "k" * 101},
        {"name": NUL},
        {"name": "line\nbreak"},
        {"name": 5},
        {"name": "ok", "role": "superuser"},
        {"name": "ok", "role": 4},
        {"name": "ok", "role": "Admin"},
        {"name": "ok", "expiresAt": "soon"},
        {"name": "ok", "expiresAt": 1e20},
        {"name": "ok", "expiresAt": "9999-12-31T23:59:59-23:59"},
        {"name": "ok", "expiresAt": "9999-12-31T23:59:59Z"},
        {"name": "ok", "expiresAt": "0001-01-01T00:00:00+14:00"},
        {"name": "ok", "scopes": ["all"]},
        {},
    ):
        refused(await admin.post("/api/v1/auth/apikeys", json=body))
    refused(await admin.post("/api/v1/auth/apikeys", **raw(f'{{"name": "{SURROGATE}"}}')))
    for query in ({"user": NUL}, {"user": "u" * 151}, {"user": RTL}, {"limit": "ten"}, {"limit": 0}):
        refused(await admin.get("/api/v1/auth/apikeys", params=query))
    for key_id in ("abc", "1.5", "99999999999999999999999", "-1", "0"):
        response = await admin.delete(f"/api/v1/auth/apikeys/{key_id}")
        assert response.status_code in (400, 404), (key_id, response.text)
    assert await kit.counts(gantry) == before


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


async def test_user_admin_refuses_bad_ids_and_cursors(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    before = await kit.counts(gantry)
    for user_id in ("abc", "1.5", "99999999999999999999999", "-1", "0", "1%00"):
        for response in (
            await admin.put(f"/api/v1/auth/users/{user_id}", json={"role": "viewer"}),
            await admin.delete(f"/api/v1/auth/users/{user_id}"),
        ):
            assert response.status_code in (400, 404), (user_id, response.status_code, response.text)
    for cursor in (_cursor([10**30]), _cursor(["x"]), _cursor([{"a": 1}]), _cursor([1, 2]), "%%%", NUL):
        refused(await admin.get("/api/v1/auth/users", params={"cursor": cursor}))
        refused(await admin.get("/api/v1/auth/apikeys", params={"cursor": cursor}))
    for cursor in (_cursor([NUL]), _cursor([{"a": 1}]), _cursor([10**30]), _cursor(["x" * 5000])):
        refused(await admin.get("/api/v1/groups", params={"cursor": cursor}))
    refused(await admin.put("/api/v1/auth/users/1", json={"role": "admin", "extra": 1}))
    assert await kit.counts(gantry) == before


async def test_groups_refuse_bad_input(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    await kit.add_user(gantry, "alice")
    before = await kit.counts(gantry)
    for body in (
        {"name": ""},
        {"name": "g" * 151},
        {"name": NUL},
        {"name": "with space"},
        {"name": EMOJI},
        {"name": RTL},
        {"name": SQL},
        {"name": "../up"},
        {"name": "a/b"},
        {"name": "ok", "role": "owner"},
        {"name": "ok", "members": "alice"},
        {"name": "ok", "members": [NUL]},
        {"name": "ok", "members": [1]},
        {"name": "ok", "members": ["alice"] * 10_001},
        {"name": "ok", "id": 5},
        {"role": "viewer"},
    ):
        refused(await admin.post("/api/v1/groups", json=body))
    refused(await admin.post("/api/v1/groups", **raw(f'{{"name": "ok", "members": ["{SURROGATE}"]}}')))
    assert (await admin.post("/api/v1/groups", json={"name": "real", "members": ["alice"]})).status_code == 201
    after_create = await kit.counts(gantry)
    for body in ({"members": ["alice"]}, {"role": "viewer", "members": [EMOJI]}, {"role": "viewer", "name": "x"}):
        refused(await admin.put("/api/v1/groups/real", json=body))
    for name in ("%00", "a%00b", "x" * 151, "%E2%80%AE", "%F0%9F%9A%80"):
        for response in (await admin.get(f"/api/v1/groups/{name}"), await admin.delete(f"/api/v1/groups/{name}")):
            assert response.status_code in (400, 404), (name, response.status_code, response.text)
    assert await kit.counts(gantry) == after_create
    assert after_create["groups"] == before["groups"] + 1
