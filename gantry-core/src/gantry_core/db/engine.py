"""The async engine: SQLite (WAL, foreign keys) by default, PostgreSQL (asyncpg) by URL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

_WRITE = "gantry_write"
_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def async_url(db: str) -> str:
    """Turn a `GANTRY_DB` value (path, sqlite:// or postgres:// URL) into an async SQLAlchemy URL.

    PostgreSQL URLs may carry ``sslmode`` (passed on as asyncpg's ``ssl``) and ``schema`` (Gantry's
    tables live in that schema, created when missing).
    """
    if db.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(db)
        query = []
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key == "sslmode":
                key = "ssl"
            query.append((key, value))
        return urlunsplit(("postgresql+asyncpg", parts.netloc, parts.path, urlencode(query), ""))
    if db.startswith("sqlite://"):
        return db.replace("sqlite://", "sqlite+aiosqlite://", 1)
    return f"sqlite+aiosqlite:///{Path(db).expanduser()}"


def asyncpg_dsn(url: str) -> tuple[str, dict[str, str]]:
    """A plain asyncpg DSN and server settings (search_path for ``?schema=``) from an async URL."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((value for key, value in query if key == "schema"), None)
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    dsn = urlunsplit(("postgresql", parts.netloc, parts.path, rest, ""))
    return dsn, ({"search_path": f"{schema},public"} if schema else {})


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Create the engine for `url` (an async URL from :func:`async_url`)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url, json_serializer=_json_dumps, json_deserializer=orjson.loads, pool_size=pool_size
        )
        _configure_sqlite(engine)
        return engine
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((value for key, value in query if key == "schema"), None)
    url = urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in query if k != "schema"])))
    connect_args: dict[str, Any] = {}
    if schema:
        if not _SCHEMA.match(schema):
            raise ValueError(f"schema {schema!r} must be a plain lowercase identifier")
        connect_args["server_settings"] = {"search_path": f"{schema},public"}
    engine = create_async_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args=connect_args,
    )
    if schema:

        @event.listens_for(engine.sync_engine, "connect")
        def _ensure_schema(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            cursor.close()

    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA busy_timeout=10000",
            "PRAGMA cache_size=-32000",
            "PRAGMA temp_store=MEMORY",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock up front, so two writers queue on busy_timeout instead of
        # failing when a read snapshot would have to be upgraded.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


class Database:
    """The engine plus the two ways to get a transaction: read (snapshot) and write."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One transaction that commits when the block ends cleanly and rolls back otherwise."""
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(**{_WRITE: True})
            async with conn.begin():
                yield conn

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.engine.dispose()
