"""First start: the bootstrap admin and its default-password warning (F17, issue 3 point 1); the JWT
secret kept in the data dir (F22, point 4)."""

from __future__ import annotations

import logging
import stat
from typing import Any

import pytest
from gantry_core.app import create_app
from gantry_core.db.tables import users
from gantry_core.testing import ADMIN_PASSWORD, Gantry, Harness, running
from pydantic import SecretStr

WARNING = "default password"


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and WARNING in r.getMessage()]


async def test_first_start_creates_the_admin_with_the_configured_password(gantry: Gantry, kit: Any) -> None:
    rows = await kit.rows(gantry, users)
    assert [(r["username"], r["role"], r["display_name"]) for r in rows] == [("admin", "admin", "Administrator")]
    assert rows[0]["password_hash"].startswith("$argon2id$")
    response = await kit.login(gantry, "admin", ADMIN_PASSWORD)
    assert response.status_code == 200
    assert response.json()["user"] == {
        "id": rows[0]["id"],
        "username": "admin",
        "displayName": "Administrator",
        "email": None,
        "role": "admin",
        "createdAt": response.json()["user"]["createdAt"],
        "lastLoginAt": response.json()["user"]["lastLoginAt"],
    }
    assert (await kit.login(gantry, "admin", "changeme")).status_code == 401


async def test_a_restart_does_not_recreate_or_reset_the_admin(gantry_harness: Harness, kit: Any) -> None:
    settings = await gantry_harness.settings()
    async with running(create_app(settings, autoload=False)) as first:
        admin = (await kit.rows(first, users))[0]
        other = await kit.add_user(first, "someone", "admin")
        await (await first.client("admin")).delete(f"/api/v1/auth/users/{admin['id']}")
    restarted = settings.model_copy(update={"admin_password": SecretStr("a-different-password")})
    async with running(create_app(restarted, autoload=False)) as second:
        remaining = await kit.rows(second, users)
        assert sorted((r["id"], r["username"]) for r in remaining) == [(other, "someone"), (other + 1, "admin-user")]


async def test_default_password_is_warned_about_at_every_start_until_changed(
    gantry_harness: Harness, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="gantry")
    settings = await gantry_harness.settings(admin_password="changeme")
    # The check runs in an executor beside start-up; leaving the app waits for it.
    async with running(create_app(settings, autoload=False)):
        pass
    assert len(_warnings(caplog)) == 1

    caplog.clear()
    async with running(create_app(settings, autoload=False)) as gantry:
        login = await kit.login(gantry, "admin", "changeme")
        client = kit.bearer(gantry, login.json()["token"])
        changed = await client.put(
            "/api/v1/auth/me/password", json={"currentPassword": "changeme", "newPassword": "not-the-default"}
        )
        assert changed.status_code == 204
    assert len(_warnings(caplog)) == 1  # this start still had the default

    caplog.clear()
    async with running(create_app(settings, autoload=False)):
        pass
    assert _warnings(caplog) == []


async def test_no_default_password_warning_in_dev_mode_or_with_another_password(
    gantry_harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="gantry")
    async with gantry_harness(admin_password="changeme", dev=True):
        pass
    async with gantry_harness():
        pass
    assert _warnings(caplog) == []


async def test_jwt_secret_is_generated_once_with_mode_0600_and_survives_a_restart(
    gantry_harness: Harness, kit: Any
) -> None:
    settings = await gantry_harness.settings()
    secret_file = settings.data_dir / "jwt.secret"
    assert not secret_file.exists()
    async with running(create_app(settings, autoload=False)) as first:
        token = await first.token("developer")
        secret = first.state.auth.jwt_secret
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert secret_file.read_text().strip() == secret
    assert len(secret) == 64 and int(secret, 16) >= 0

    # Two apps on the same data dir and database (a restart, or a second process) share the secret.
    async with (
        running(create_app(settings, autoload=False)) as second,
        running(create_app(settings, autoload=False)) as third,
    ):
        assert second.state.auth.jwt_secret == third.state.auth.jwt_secret == secret
        for app in (second, third):
            me = await kit.bearer(app, token).get("/api/v1/auth/me")
            assert me.status_code == 200
            assert me.json()["username"] == "developer-user"


async def test_a_configured_jwt_secret_is_used_and_nothing_is_written(gantry_harness: Harness) -> None:
    configured = "ab" * 32
    async with gantry_harness(jwt_secret=configured) as gantry:
        assert gantry.state.auth.jwt_secret == configured
        data_dir = gantry.state.settings.data_dir
    assert not (data_dir / "jwt.secret").exists()


async def test_a_damaged_jwt_secret_file_is_replaced(gantry_harness: Harness) -> None:
    settings = await gantry_harness.settings()
    secret_file = settings.data_dir / "jwt.secret"
    secret_file.write_text("not hex at all, and not 64 characters either\n")
    async with running(create_app(settings, autoload=False)) as gantry:
        secret = gantry.state.auth.jwt_secret
    assert len(secret) == 64 and int(secret, 16) >= 0
    assert secret_file.read_text().strip() == secret
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
