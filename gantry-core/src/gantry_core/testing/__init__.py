"""Test helpers for Gantry and its plugins: a real app on a throw-away database, clients per role.

Used by the core's own tests and by third-party plugin authors alike (pytest plugin ``gantry``):

    async def test_my_route(gantry_harness):
        async with gantry_harness(plugins=[my_plugin]) as gantry:
            client = await gantry.client("developer")
            response = await client.get("/api/v1/plugins/my-plugin/things")
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from gantry_core.app import create_app
from gantry_core.auth import service as auth_service
from gantry_core.auth import tokens
from gantry_core.plugins.types import ROLE_LEVELS
from gantry_core.settings import GantrySettings, load_settings
from gantry_core.state import AppState

TEST_DATABASE_ENV = "GANTRY_TEST_DATABASE_URL"
ADMIN_PASSWORD = "admin-test-password"


def test_database_url() -> str | None:
    """The PostgreSQL server tests run against when ``GANTRY_TEST_DATABASE_URL`` is set, else None."""
    return os.environ.get(TEST_DATABASE_ENV) or None


@asynccontextmanager
async def throwaway_database(tmp_path: Path, backend: str = "sqlite") -> AsyncIterator[str]:
    """A `GANTRY_DB` value for an empty database: a SQLite file, or a fresh schema on PostgreSQL."""
    base = test_database_url() if backend == "postgresql" else None
    if backend == "postgresql" and not base:
        raise RuntimeError(f"set {TEST_DATABASE_ENV} to run on PostgreSQL")
    if not base:
        yield str(tmp_path / "gantry.db")
        return
    import asyncpg

    schema = f"gantry_test_{uuid.uuid4().hex[:12]}"
    dsn = base.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    except asyncpg.UniqueViolationError:  # two runs creating it at once
        pass
    finally:
        await conn.close()
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}schema={schema}"
    finally:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()


def make_settings(data_dir: Path, db: str, **overrides: Any) -> GantrySettings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "db": db,
        "admin_password": ADMIN_PASSWORD,
        "rate_limit": 0,
        # cheap argon2id for the throw-away users of tests (the same code, a fraction of the cost)
        "argon2_memory_kib": 1024,
        "argon2_time_cost": 1,
        "dev": False,
    }
    values.update(overrides)
    return load_settings(**values)


@dataclass
class Gantry:
    """A running app (lifespan entered) with helpers to call it as any role."""

    app: FastAPI
    transport: httpx.ASGITransport
    _clients: list[httpx.AsyncClient] = field(default_factory=list)
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def state(self) -> AppState:
        state: AppState = self.app.state.gantry
        return state

    def anonymous(self, **kwargs: Any) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=self.transport, base_url="http://testserver", **kwargs)
        self._clients.append(client)
        return client

    async def token(self, role: str = "admin", username: str | None = None) -> str:
        """A JWT for a user of `role` (created on first use; named ``<role>-user`` unless given)."""
        if role not in ROLE_LEVELS:
            raise ValueError(f"unknown role {role!r}")
        username = username or f"{role}-user"
        if username not in self._tokens:
            async with self.state.db.write() as conn:
                row = await auth_service.user_by_username(conn, username)
                if row is None:
                    row = await auth_service.create_user(
                        conn,
                        username=username,
                        password=None,
                        role=role,
                        display_name=username.title(),
                        email=f"{username}@example.com",
                    )
            token, _ = tokens.issue(
                self.state.auth.jwt_secret,
                user_id=row["id"],
                username=username,
                role=row["role"],
                version=row["token_version"],
            )
            self._tokens[username] = token
        return self._tokens[username]

    async def client(self, role: str = "admin", username: str | None = None) -> httpx.AsyncClient:
        """An HTTP client authenticated with a Bearer JWT of a user of `role`."""
        token = await self.token(role, username)
        return self.anonymous(headers={"Authorization": f"Bearer {token}"})

    async def set_plugin_enabled(self, plugin_id: str, enabled: bool = True) -> None:
        """Enable (or disable) a plugin through the same code as `PUT /api/v1/plugins/{id}/enable`."""
        await self.state.plugin_states.set_enabled(plugin_id, enabled, actor="test", ip=None, source="api")

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[Gantry]:
    """Enter `app`'s lifespan and yield a :class:`Gantry` around it."""
    async with app.router.lifespan_context(app):
        gantry = Gantry(app=app, transport=httpx.ASGITransport(app=app))
        try:
            yield gantry
        finally:
            await gantry.aclose()


class Harness:
    """Builds and runs apps on throw-away databases below one temporary folder."""

    def __init__(self, tmp_path: Path, backend: str = "sqlite") -> None:
        self.tmp_path = tmp_path
        self.backend = backend
        self._stack = AsyncExitStack()
        self._count = 0

    async def settings(self, **overrides: Any) -> GantrySettings:
        self._count += 1
        data_dir = self.tmp_path / f"gantry-{self._count}"
        data_dir.mkdir(parents=True, exist_ok=True)
        db = overrides.pop("db", None) or await self._stack.enter_async_context(
            throwaway_database(data_dir, self.backend)
        )
        return make_settings(data_dir, db, **overrides)

    async def make_app(
        self, plugins: Sequence[Any] | None = None, *, autoload: bool = False, **overrides: Any
    ) -> FastAPI:
        """An app (lifespan not entered) with `plugins` on a fresh database."""
        return create_app(await self.settings(**overrides), plugins=plugins, autoload=autoload)

    @asynccontextmanager
    async def __call__(
        self, plugins: Sequence[Any] | None = None, *, autoload: bool = False, **overrides: Any
    ) -> AsyncIterator[Gantry]:
        app = await self.make_app(plugins, autoload=autoload, **overrides)
        async with running(app) as gantry:
            yield gantry

    async def aclose(self) -> None:
        await self._stack.aclose()


__all__ = [
    "ADMIN_PASSWORD",
    "Gantry",
    "Harness",
    "make_settings",
    "running",
    "test_database_url",
    "throwaway_database",
]
