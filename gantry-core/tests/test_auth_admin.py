"""User and group administration: register, list, role changes, deletion, the last admin, groups and the
effective role (SPEC F66, F67; issue 3 point 2)."""

from __future__ import annotations

from typing import Any

from gantry_core.db.tables import group_members, groups, users
from gantry_core.testing import Gantry

USERS = "/api/v1/auth/users"
GROUPS = "/api/v1/groups"
ME = "/api/v1/auth/me"


async def test_register_creates_a_viewer_who_can_sign_in(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    body = {"username": "newbie", "password": "a long enough password", "displayName": "New Bie"}
    response = await admin.post("/api/v1/auth/register", json={**body, "email": "newbie@example.com"})
    assert response.status_code == 201
    created = response.json()
    assert created == {
        "id": created["id"],
        "username": "newbie",
        "displayName": "New Bie",
        "email": "newbie@example.com",
        "role": "viewer",
        "createdAt": created["createdAt"],
        "lastLoginAt": None,
    }
    [row] = await kit.rows(gantry, users, users.c.username == "newbie")
    assert row["password_hash"].startswith("$argon2id$")
    login = await kit.login(gantry, "newbie", "a long enough password")
    assert login.status_code == 200
    assert login.json()["user"]["role"] == "viewer"

    before = await kit.counts(gantry)
    again = await admin.post("/api/v1/auth/register", json=body)
    assert again.status_code == 409
    assert again.json()["code"] == "already_exists"
    # No self-chosen role: the field does not exist.
    sneaky = await admin.post("/api/v1/auth/register", json={**body, "username": "boss", "role": "admin"})
    assert sneaky.status_code == 422
    assert sneaky.json()["details"][0]["path"] == "/role"
    weak = await admin.post("/api/v1/auth/register", json={**body, "username": "weak", "password": "short"})
    assert weak.status_code == 422
    assert weak.json()["details"] == [{"path": "/password", "message": "must be at least 8 characters"}]
    assert await kit.counts(gantry) == before


async def test_only_admins_manage_users(gantry: Gantry) -> None:
    platform = await gantry.client("platform-engineer")
    body = {"username": "x", "password": "long enough!"}
    assert (await platform.post("/api/v1/auth/register", json=body)).status_code == 403
    assert (await platform.get(USERS)).status_code == 403
    assert (await gantry.anonymous().post("/api/v1/auth/register", json=body)).status_code == 401


async def test_list_users_is_paginated(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    for name in ("u1", "u2", "u3"):
        await kit.add_user(gantry, name)
    first = (await admin.get(USERS, params={"limit": 3})).json()
    assert first["total"] == 5  # admin, admin-user, u1-u3
    assert [u["username"] for u in first["items"]] == ["admin", "admin-user", "u1"]
    assert set(first["items"][0]) == {"id", "username", "displayName", "email", "role", "createdAt", "lastLoginAt"}
    second = (await admin.get(USERS, params={"limit": 3, "cursor": first["next"]})).json()
    assert [u["username"] for u in second["items"]] == ["u2", "u3"]
    assert second["next"] is None
    bad = await admin.get(USERS, params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_cursor"
    assert (await admin.get(USERS, params={"limit": 501})).status_code == 400


async def test_change_role_and_delete(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    uid = await kit.add_user(gantry, "bob")
    response = await admin.put(f"{USERS}/{uid}", json={"role": "developer"})
    assert response.status_code == 200
    assert response.json()["role"] == "developer"
    assert (await kit.rows(gantry, users, users.c.id == uid))[0]["role"] == "developer"

    assert (await admin.put(f"{USERS}/{uid}", json={"role": "root"})).status_code == 422
    assert (await admin.put(f"{USERS}/{uid}", json={})).status_code == 422
    assert (await admin.put(f"{USERS}/999999", json={"role": "viewer"})).status_code == 404

    assert (await admin.delete(f"{USERS}/{uid}")).status_code == 204
    assert await kit.rows(gantry, users, users.c.id == uid) == []
    missing = await admin.delete(f"{USERS}/{uid}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


async def test_the_last_admin_can_be_neither_demoted_nor_deleted(gantry: Gantry, kit: Any) -> None:
    me = await gantry.client("admin")  # admin-user; the bootstrap `admin` is the other admin
    bootstrap = (await kit.rows(gantry, users, users.c.username == "admin"))[0]["id"]
    own_id = (await me.get(ME)).json()["userId"]
    assert (await me.put(f"{USERS}/{bootstrap}", json={"role": "developer"})).status_code == 200

    before = await kit.counts(gantry)
    for response in (
        await me.put(f"{USERS}/{own_id}", json={"role": "platform-engineer"}),
        await me.delete(f"{USERS}/{own_id}"),
    ):
        assert response.status_code == 409
        assert response.json()["code"] == "last_admin"
    assert await kit.counts(gantry) == before
    assert (await me.get(ME)).json()["role"] == "admin"

    # With a second admin again, stepping down works.
    assert (await me.put(f"{USERS}/{bootstrap}", json={"role": "admin"})).status_code == 200
    assert (await me.delete(f"{USERS}/{own_id}")).status_code == 204


async def test_group_crud(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    await kit.add_user(gantry, "alice")
    await kit.add_user(gantry, "bob")
    response = await admin.post(GROUPS, json={"name": "platform", "role": "developer", "members": ["bob", "alice"]})
    assert response.status_code == 201
    group = response.json()
    assert group == {
        "id": group["id"],
        "name": "platform",
        "role": "developer",
        "members": ["alice", "bob"],
        "createdAt": group["createdAt"],
        "updatedAt": group["updatedAt"],
    }
    assert (await admin.get(f"{GROUPS}/platform")).json() == group

    duplicate = await admin.post(GROUPS, json={"name": "platform"})
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "already_exists"
    before = await kit.counts(gantry)
    unknown = await admin.post(GROUPS, json={"name": "ghosts", "members": ["alice", "casper"]})
    assert unknown.status_code == 422
    assert unknown.json()["details"] == [{"path": "/members/1", "message": "no user named 'casper'"}]
    assert await kit.counts(gantry) == before

    updated = await admin.put(f"{GROUPS}/platform", json={"role": "platform-engineer", "members": ["bob"]})
    assert updated.status_code == 200
    assert (updated.json()["role"], updated.json()["members"]) == ("platform-engineer", ["bob"])
    assert (await admin.put(f"{GROUPS}/nope", json={"role": "viewer"})).status_code == 404

    assert (await admin.post(GROUPS, json={"name": "empty"})).json()["role"] == "viewer"
    listing = (await admin.get(GROUPS, params={"limit": 1})).json()
    assert (listing["total"], [g["name"] for g in listing["items"]]) == (2, ["empty"])
    rest = (await admin.get(GROUPS, params={"limit": 1, "cursor": listing["next"]})).json()
    assert ([g["name"] for g in rest["items"]], rest["next"]) == (["platform"], None)
    assert rest["items"][0]["members"] == ["bob"]

    assert (await admin.delete(f"{GROUPS}/platform")).status_code == 204
    assert (await admin.get(f"{GROUPS}/platform")).status_code == 404
    assert (await admin.delete(f"{GROUPS}/platform")).status_code == 404
    assert await kit.rows(gantry, group_members) == []
    assert [g["name"] for g in await kit.rows(gantry, groups)] == ["empty"]


async def test_groups_are_admin_only(gantry: Gantry) -> None:
    platform = await gantry.client("platform-engineer")
    assert (await platform.get(GROUPS)).status_code == 403
    assert (await platform.post(GROUPS, json={"name": "mine", "role": "admin"})).status_code == 403
    assert (await gantry.anonymous().get(GROUPS)).status_code == 401


async def test_effective_role_is_the_highest_of_user_and_group_roles(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    uid = await kit.add_user(gantry, "alice", "developer")
    alice = kit.bearer(gantry, await kit.token(gantry, uid))

    async def me() -> tuple[str, str, list[str]]:
        body = (await alice.get(ME)).json()
        return body["role"], body["effectiveRole"], body["groups"]

    assert await me() == ("developer", "developer", [])
    await admin.post(GROUPS, json={"name": "readers", "role": "viewer", "members": ["alice"]})
    assert await me() == ("developer", "developer", ["readers"])  # a lower group never lowers
    await admin.post(GROUPS, json={"name": "ops", "role": "platform-engineer", "members": ["alice"]})
    assert await me() == ("developer", "platform-engineer", ["ops", "readers"])
    assert (await alice.get("/api/v1/plugins")).status_code == 200

    # Changes apply at once, without signing in again.
    await admin.put(f"{GROUPS}/readers", json={"role": "admin", "members": ["alice"]})
    assert await me() == ("developer", "admin", ["ops", "readers"])
    assert (await alice.get(USERS)).status_code == 200
    await admin.put(f"{GROUPS}/readers", json={"role": "admin", "members": []})
    assert await me() == ("developer", "platform-engineer", ["ops"])
    assert (await alice.get(USERS)).status_code == 403
    await admin.delete(f"{GROUPS}/ops")
    assert await me() == ("developer", "developer", [])
