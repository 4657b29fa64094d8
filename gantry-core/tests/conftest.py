"""Shared helpers for the core's tests (fixture ``kit``): users with passwords, raw table reads, logins."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import httpx
import pytest
from argon2 import PasswordHasher
from gantry_core.auth import tokens
from gantry_core.db import migrations, tables
from gantry_core.testing import Gantry
from sqlalchemy import Table, event, func, insert, select

PASSWORD = "correct-horse-battery"


@lru_cache(maxsize=1)
def _password_hash() -> str:
    """An argon2id hash of PASSWORD with tiny cost parameters: checking a wrong password against it is
    instant (the production parameters cost ~0.1 s a check). A successful login upgrades it, as it would
    any hash with outdated parameters."""
    return str(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD))


class Kit:
    """Helpers bound to no app: pass the running `Gantry` in."""

    password = PASSWORD

    async def add_user(
        self, gantry: Gantry, username: str, role: str = "viewer", *, password_hash: str | None = None
    ) -> int:
        """Insert a user straight into the database (with PASSWORD unless another hash is given)."""
        now = datetime.now(UTC)
        async with gantry.state.db.write() as conn:
            result = await conn.execute(
                insert(tables.users)
                .values(
                    username=username,
                    display_name=username.title(),
                    email=f"{username}@example.com",
                    role=role,
                    password_hash=password_hash or _password_hash(),
                    token_version=0,
                    created_at=now,
                    updated_at=now,
                )
                .returning(tables.users.c.id)
            )
            return int(result.scalar_one())

    async def rows(self, gantry: Gantry, table: Table, *where: Any) -> list[dict[str, Any]]:
        async with gantry.state.db.read() as conn:
            stmt = select(table).where(*where) if where else select(table)
            return [dict(r) for r in (await conn.execute(stmt)).mappings().all()]

    async def counts(self, gantry: Gantry) -> dict[str, int]:
        """Row counts of every identity table and the audit log."""
        found = {}
        async with gantry.state.db.read() as conn:
            for table in (tables.users, tables.groups, tables.group_members, tables.api_keys, tables.audit_log):
                found[table.name] = int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
        return found

    async def audit(self, gantry: Gantry, action: str | None = None) -> list[dict[str, Any]]:
        where = [tables.audit_log.c.action == action] if action else []
        return sorted(await self.rows(gantry, tables.audit_log, *where), key=lambda r: r["id"])

    async def login(self, gantry: Gantry, username: str, password: str = PASSWORD, **kwargs: Any) -> httpx.Response:
        return await gantry.anonymous().post(
            "/api/v1/auth/login", json={"username": username, "password": password}, **kwargs
        )

    async def token(self, gantry: Gantry, user_id: int) -> str:
        """A JWT for the user as it is now (no password check: for tests of what comes after login)."""
        row = (await self.rows(gantry, tables.users, tables.users.c.id == user_id))[0]
        token, _ = tokens.issue(
            gantry.state.auth.jwt_secret,
            user_id=user_id,
            username=row["username"],
            role=row["role"],
            version=row["token_version"],
        )
        return token

    def browser(self, gantry: Gantry, token: str, base_url: str = "http://testserver") -> httpx.AsyncClient:
        """A client holding the session cookie the way a browser would after signing in."""
        client = httpx.AsyncClient(transport=gantry.transport, base_url=base_url)
        gantry._clients.append(client)
        client.cookies.set("gantry_session", token, domain="testserver.local", path="/")
        return client

    def bearer(self, gantry: Gantry, token: str) -> httpx.AsyncClient:
        return gantry.anonymous(headers={"Authorization": f"Bearer {token}"})

    @contextmanager
    def sqlite_statements(self, gantry: Gantry) -> Iterator[list[Executed]]:
        """Every statement the app runs on its SQLite database inside the block, with the thread it ran on."""
        engine = gantry.state.db.sync_engine  # type: ignore[attr-defined]
        executed: list[Executed] = []

        def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            executed.append(Executed(statement, parameters, threading.get_ident()))

        event.listen(engine, "before_cursor_execute", seen)
        try:
            yield executed
        finally:
            event.remove(engine, "before_cursor_execute", seen)

    def migration(self, filename: str) -> ModuleType:
        """A migration of gantry_core.db.migrations by its file name, to run its own fill queries."""
        path = Path(next(iter(migrations.__path__))) / "versions" / filename
        spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def sqlite_plan(self, gantry: Gantry, done: Executed) -> list[str]:
        """SQLite's query plan for a statement `sqlite_statements` saw, a step a line."""
        with gantry.state.db.sync_engine.connect() as conn:  # type: ignore[attr-defined]
            return [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + done.sql, done.parameters)]


class Executed(NamedTuple):
    sql: str
    parameters: Any
    thread: int


@pytest.fixture
def kit() -> Kit:
    return Kit()
