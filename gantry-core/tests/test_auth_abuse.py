"""Abuse resistance: login rate limits, indistinguishable failures, and the audit trail of every identity
change (issue 3 point 8; SPEC F83)."""

from __future__ import annotations

from typing import Any

from gantry_core.testing import Gantry

LOGIN = "/api/v1/auth/login"


async def _attempt(gantry: Gantry, username: str, password: str, ip: str) -> Any:
    return await gantry.anonymous().post(
        LOGIN, json={"username": username, "password": password}, headers={"X-Real-IP": ip}
    )


async def test_login_is_rate_limited_per_username_and_per_client_ip(gantry: Gantry, kit: Any) -> None:
    for name in ("alice", "bob", *(f"someone-{i}" for i in range(6))):
        await kit.add_user(gantry, name)
    # Ten wrong passwords for alice, half from their own addresses, half from 198.51.100.1 ...
    for i in range(10):
        ip = "198.51.100.1" if i % 2 else f"203.0.113.{i}"
        response = await _attempt(gantry, "alice", "wrong password", ip)
        assert response.status_code == 401
    # ... the 11th for alice is refused, from anywhere, even with the right password.
    for ip in ("192.0.2.77", "192.0.2.78"):
        limited = await _attempt(gantry, "alice", kit.password, ip)
        assert limited.status_code == 429
        assert limited.json()["code"] == "rate_limited"
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert (await _attempt(gantry, "ALICE", kit.password, "192.0.2.79")).status_code == 429

    # Per address: 198.51.100.1 made 5 attempts above; 5 more for other names, then it is refused.
    for i in range(5):
        assert (await _attempt(gantry, f"someone-{i}", "whatever-pw", "198.51.100.1")).status_code == 401
    limited = await _attempt(gantry, "someone-5", "whatever-pw", "198.51.100.1")
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    # Others are not affected.
    assert (await _attempt(gantry, "bob", "whatever-pw", "198.51.100.2")).status_code == 401


async def test_wrong_username_and_wrong_password_look_the_same(gantry: Gantry, kit: Any) -> None:
    await kit.add_user(gantry, "alice")
    wrong_password = await kit.login(gantry, "alice", "not her password")
    wrong_user = await kit.login(gantry, "alicia", "not her password")
    assert wrong_password.status_code == wrong_user.status_code == 401
    assert wrong_password.content == wrong_user.content
    assert wrong_password.json() == {"error": "invalid username or password", "code": "invalid_credentials"}
    assert "set-cookie" not in wrong_password.headers
    assert sorted(k for k in wrong_password.headers if k != "x-request-id") == sorted(
        k for k in wrong_user.headers if k != "x-request-id"
    )


def _who(entry: dict[str, Any]) -> tuple[Any, ...]:
    return (entry["user_name"], entry["action"], entry["resource_type"], entry["resource_name"])


async def test_logins_are_audited_with_ip_and_source(gantry: Gantry, kit: Any) -> None:
    await kit.add_user(gantry, "alice")
    cli = {"X-Real-IP": "203.0.113.9", "User-Agent": "gantry-cli/1.0"}
    assert (await kit.login(gantry, "alice", headers=cli)).status_code == 200
    assert (await kit.login(gantry, "alice", "nope-nope", headers={"X-Real-IP": "203.0.113.10"})).status_code == 401
    assert (await kit.login(gantry, "mallory", "nope-nope")).status_code == 401

    [success] = await kit.audit(gantry, "login")
    assert _who(success) == ("alice", "login", "User", "alice")
    assert (success["ip_address"], success["source"]) == ("203.0.113.9", "cli")
    failures = await kit.audit(gantry, "login_failed")
    assert [_who(f) for f in failures] == [
        ("alice", "login_failed", "User", "alice"),
        ("mallory", "login_failed", "User", "mallory"),
    ]
    assert (failures[0]["ip_address"], failures[0]["source"]) == ("203.0.113.10", "api")
    assert failures[1]["ip_address"] == "127.0.0.1"

    # A proxy may hand on an IPv6 address with a long zone id; it is stored without it.
    zoned = {"X-Real-IP": "fe80::1%" + "a" * 60}
    assert (await kit.login(gantry, "alice", "nope-nope", headers=zoned)).status_code == 401
    assert (await kit.audit(gantry, "login_failed"))[-1]["ip_address"] == "fe80::1"
    assert all(f["timestamp"] is not None for f in failures)


async def test_key_user_and_group_changes_are_audited(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    headers = {"X-Real-IP": "198.51.100.20"}
    key = (await admin.post("/api/v1/auth/apikeys", json={"name": "ci", "role": "viewer"}, headers=headers)).json()
    await admin.delete(f"/api/v1/auth/apikeys/{key['id']}", headers=headers)
    user = (
        await admin.post(
            "/api/v1/auth/register", json={"username": "carol", "password": "long enough pw"}, headers=headers
        )
    ).json()
    await admin.put(f"/api/v1/auth/users/{user['id']}", json={"role": "developer"}, headers=headers)
    await admin.post("/api/v1/groups", json={"name": "team", "role": "viewer", "members": ["carol"]}, headers=headers)
    await admin.put("/api/v1/groups/team", json={"role": "developer", "members": []}, headers=headers)
    await admin.delete("/api/v1/groups/team", headers=headers)
    await admin.delete(f"/api/v1/auth/users/{user['id']}", headers=headers)

    entries = await kit.audit(gantry)
    assert [_who(e) for e in entries] == [
        ("admin-user", "apikey.create", "ApiKey", key["prefix"]),
        ("admin-user", "apikey.revoke", "ApiKey", key["prefix"]),
        ("admin-user", "user.create", "User", "carol"),
        ("admin-user", "user.update", "User", "carol"),
        ("admin-user", "group.create", "Group", "team"),
        ("admin-user", "group.update", "Group", "team"),
        ("admin-user", "group.delete", "Group", "team"),
        ("admin-user", "user.delete", "User", "carol"),
    ]
    assert {(e["ip_address"], e["source"]) for e in entries} == {("198.51.100.20", "api")}
    by_action = {e["action"]: e for e in entries}
    assert by_action["apikey.create"]["after"] == {"name": "ci", "role": "viewer", "prefix": key["prefix"]}
    assert key["key"] not in str(entries)
    assert (by_action["user.update"]["before"]["role"], by_action["user.update"]["after"]["role"]) == (
        "viewer",
        "developer",
    )
    assert by_action["group.update"]["before"] == {"role": "viewer", "members": ["carol"]}
    assert by_action["group.update"]["after"] == {"role": "developer", "members": []}
    assert by_action["user.delete"]["before"]["username"] == "carol"
    assert not any("password" in str(e["after"]) or "argon2" in str(e) for e in entries)


async def test_refused_changes_write_no_audit_entry(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    viewer = await gantry.client("viewer")
    before = await kit.counts(gantry)
    own_id = (await admin.get("/api/v1/auth/me")).json()["userId"]
    bootstrap = (await admin.get("/api/v1/auth/users")).json()["items"][0]["id"]
    await admin.delete(f"/api/v1/auth/users/{bootstrap}")
    after_delete = await kit.counts(gantry)
    refused = [
        await admin.delete(f"/api/v1/auth/users/{own_id}"),  # last admin
        await admin.post("/api/v1/groups", json={"name": "g", "members": ["nobody"]}),
        await viewer.post("/api/v1/auth/apikeys", json={"name": "k", "role": "admin"}),
        await viewer.post("/api/v1/groups", json={"name": "g"}),
    ]
    assert [r.status_code for r in refused] == [409, 422, 403, 403]
    assert await kit.counts(gantry) == after_delete
    assert after_delete["audit_log"] == before["audit_log"] + 1
