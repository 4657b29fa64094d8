"""API keys: format, storage, roles, expiry, revocation, lastUsedAt and the cache window (SPEC F68; issue 3
point 6)."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from gantry_core.app import create_app
from gantry_core.auth.principal import CACHE_TTL, KEY_TOUCH_INTERVAL
from gantry_core.db.tables import api_keys, users
from gantry_core.testing import Gantry, Harness, running
from sqlalchemy import update

KEYS = "/api/v1/auth/apikeys"
ME = "/api/v1/auth/me"


async def _create(client: Any, **body: Any) -> dict[str, Any]:
    response = await client.post(KEYS, json={"name": "ci", **body})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_a_new_key_is_shown_once_and_only_its_sha256_is_stored(gantry: Gantry, kit: Any) -> None:
    client = await gantry.client("developer")
    created = await _create(client, name="deploy bot")
    key = created["key"]
    assert re.fullmatch(r"gantry_[0-9a-f]{64}", key)
    assert re.fullmatch(r"gantry_[0-9a-f]{6}", created["prefix"])
    assert created == {
        "id": created["id"],
        "name": "deploy bot",
        "key": key,
        "prefix": key[:13],
        "role": "developer",
        "user": "developer-user",
        "createdAt": created["createdAt"],
        "expiresAt": None,
        "lastUsedAt": None,
    }
    [row] = await kit.rows(gantry, api_keys)
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert row["prefix"] == key[:13]
    assert not any(key[13:] in str(value) for value in row.values())

    listed = (await client.get(KEYS)).json()
    assert "key" not in listed["items"][0]
    assert listed["items"][0]["prefix"] == key[:13]
    another = await _create(client)
    assert another["key"] != key


async def test_a_key_authenticates_as_its_owner_with_the_lower_of_both_roles(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    created = await _create(admin, role="developer")
    as_key = kit.bearer(gantry, created["key"])
    me = (await as_key.get(ME)).json()
    assert (me["username"], me["role"], me["effectiveRole"], me["authMethod"]) == (
        "admin-user",
        "admin",
        "developer",
        "apikey",
    )
    assert (await as_key.get("/api/v1/auth/users")).status_code == 403

    # The owner is demoted below the key's role: the key follows at once.
    owner_id = me["userId"]
    bootstrap = (await kit.rows(gantry, users, users.c.username == "admin"))[0]["id"]
    other_admin = kit.bearer(gantry, await kit.token(gantry, bootstrap))
    assert (await other_admin.put(f"/api/v1/auth/users/{owner_id}", json={"role": "viewer"})).status_code == 200
    assert (await as_key.get(ME)).json()["effectiveRole"] == "viewer"
    assert (await as_key.post(KEYS, json={"name": "escalate", "role": "developer"})).status_code == 403

    # Deleting the owner deletes the key.
    assert (await other_admin.delete(f"/api/v1/auth/users/{owner_id}")).status_code == 204
    assert (await as_key.get(ME)).status_code == 401


async def test_a_key_defaults_to_the_effective_role_and_never_exceeds_it(gantry: Gantry, kit: Any) -> None:
    viewer = await gantry.client("viewer")
    admin = await gantry.client("admin")
    before = await kit.counts(gantry)
    for role in ("developer", "platform-engineer", "admin"):
        response = await viewer.post(KEYS, json={"name": "too much", "role": role})
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
    assert await kit.counts(gantry) == before
    assert (await _create(viewer))["role"] == "viewer"

    # A group raises the effective role, and with it what a key may have.
    group = {"name": "operators", "role": "platform-engineer", "members": ["viewer-user"]}
    assert (await admin.post("/api/v1/groups", json=group)).status_code == 201
    assert (await _create(viewer))["role"] == "platform-engineer"
    assert (await _create(viewer, role="developer"))["role"] == "developer"
    assert (await viewer.post(KEYS, json={"name": "x", "role": "admin"})).status_code == 403


async def test_expiry(gantry: Gantry, kit: Any) -> None:
    client = await gantry.client("developer")
    later = datetime.now(UTC) + timedelta(days=30)
    created = await _create(client, expiresAt=later.isoformat())
    assert datetime.fromisoformat(created["expiresAt"]) == later
    assert (await kit.bearer(gantry, created["key"]).get(ME)).status_code == 200

    naive = await _create(client, expiresAt="2099-01-01T00:00:00")
    assert datetime.fromisoformat(naive["expiresAt"]) == datetime(2099, 1, 1, tzinfo=UTC)
    zoned = await _create(client, expiresAt="2099-01-01T00:00:00+14:00")
    assert zoned["expiresAt"] == "2098-12-31T10:00:00Z"
    too_far = await client.post(KEYS, json={"name": "forever", "expiresAt": "9999-12-31T23:59:59Z"})
    assert too_far.status_code == 422
    assert too_far.json()["details"][0]["message"].startswith("must be at most 100 years ahead")

    past = await client.post(KEYS, json={"name": "old", "expiresAt": "2000-01-01T00:00:00Z"})
    assert past.status_code == 422
    assert past.json()["details"] == [{"path": "/expiresAt", "message": "must be in the future"}]
    assert (await client.post(KEYS, json={"name": "x", "expiresAt": "next week"})).status_code == 422

    # Time passes (the row says so): the key stops working.
    unused = await _create(client)
    async with gantry.state.db.write() as conn:
        await conn.execute(
            update(api_keys)
            .where(api_keys.c.id == unused["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    response = await kit.bearer(gantry, unused["key"]).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


async def test_list_is_paginated_own_keys_only_and_admins_may_ask_for_anyone(gantry: Gantry) -> None:
    developer = await gantry.client("developer")
    viewer = await gantry.client("viewer")
    admin = await gantry.client("admin")
    ids = [(await _create(developer, name=f"key-{i}"))["id"] for i in range(3)]
    await _create(viewer, name="not yours")

    first = (await developer.get(KEYS, params={"limit": 2})).json()
    assert (first["total"], len(first["items"])) == (3, 2)
    assert first["next"]
    second = (await developer.get(KEYS, params={"limit": 2, "cursor": first["next"]})).json()
    assert (second["total"], len(second["items"]), second["next"]) == (3, 1, None)
    assert [k["id"] for k in first["items"] + second["items"]] == ids

    theirs = (await admin.get(KEYS, params={"user": "developer-user"})).json()
    assert [k["id"] for k in theirs["items"]] == ids
    assert {k["user"] for k in theirs["items"]} == {"developer-user"}
    refused = await developer.get(KEYS, params={"user": "viewer-user"})
    assert refused.status_code == 403
    assert (await admin.get(KEYS, params={"user": "nobody"})).status_code == 404
    assert (await developer.get(KEYS, params={"user": "developer-user"})).json()["total"] == 3


async def test_revoke(gantry: Gantry, kit: Any) -> None:
    developer = await gantry.client("developer")
    viewer = await gantry.client("viewer")
    admin = await gantry.client("admin")
    created = await _create(developer)
    as_key = kit.bearer(gantry, created["key"])
    assert (await as_key.get(ME)).status_code == 200  # now cached

    # Someone else's key looks like no key at all, unless you are an admin.
    assert (await viewer.delete(f"{KEYS}/{created['id']}")).status_code == 404
    assert (await as_key.get(ME)).status_code == 200

    response = await developer.delete(f"{KEYS}/{created['id']}")
    assert response.status_code == 204
    assert (await as_key.get(ME)).status_code == 401  # at once on this replica
    assert (await developer.get(KEYS)).json()["total"] == 0
    assert (await developer.delete(f"{KEYS}/{created['id']}")).status_code == 404
    [row] = await kit.rows(gantry, api_keys)
    assert row["revoked_at"] is not None

    other = await _create(viewer)
    assert (await admin.delete(f"{KEYS}/{other['id']}")).status_code == 204
    assert (await kit.bearer(gantry, other["key"]).get(ME)).status_code == 401
    assert (await developer.delete(f"{KEYS}/999999")).status_code == 404


async def test_last_used_at_is_kept_without_a_write_per_request(gantry: Gantry, kit: Any) -> None:
    created = await _create(await gantry.client("developer"))
    as_key = kit.bearer(gantry, created["key"])
    auth = gantry.state.auth

    async def last_used() -> datetime | None:
        await auth.drain()
        value: datetime | None = (await kit.rows(gantry, api_keys, api_keys.c.id == created["id"]))[0]["last_used_at"]
        return value

    assert (await as_key.get(ME)).status_code == 200
    assert await last_used() is not None
    listed = (await as_key.get(KEYS)).json()["items"][0]
    assert listed["lastUsedAt"] is not None

    # Forget the stored value: the next requests within the minute write nothing.
    async with gantry.state.db.write() as conn:
        await conn.execute(update(api_keys).where(api_keys.c.id == created["id"]).values(last_used_at=None))
    for _ in range(5):
        assert (await as_key.get(ME)).status_code == 200
    assert await last_used() is None

    real = time.monotonic
    auth.clock = lambda: real() + KEY_TOUCH_INTERVAL + 1
    assert (await as_key.get(ME)).status_code == 200
    assert await last_used() is not None


async def test_another_replica_sees_a_revocation_within_the_cache_window(gantry_harness: Harness, kit: Any) -> None:
    settings = await gantry_harness.settings()
    async with (
        running(create_app(settings, autoload=False)) as one,
        running(create_app(settings, autoload=False)) as two,
    ):
        owner = await two.client("developer")
        created = await _create(owner)
        on_one = kit.bearer(one, created["key"])
        assert (await on_one.get(ME)).status_code == 200
        assert (await owner.delete(f"{KEYS}/{created['id']}")).status_code == 204
        assert (await kit.bearer(two, created["key"]).get(ME)).status_code == 401
        # Replica one may still trust its cached copy, but never past CACHE_TTL.
        real = time.monotonic
        one.state.auth.clock = lambda: real() + CACHE_TTL + 0.5
        assert (await on_one.get(ME)).status_code == 401


async def test_keys_are_not_cookies(gantry: Gantry, kit: Any) -> None:
    created = await _create(await gantry.client("developer"))
    response = await kit.browser(gantry, created["key"]).get(ME)
    assert response.status_code == 401
