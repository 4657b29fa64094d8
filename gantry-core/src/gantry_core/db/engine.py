"""The async engine: SQLite (WAL, foreign keys) by default, PostgreSQL (asyncpg) by URL."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql import Select
from sqlalchemy.util import await_only

from gantry_core.api.errors import GantryError

log = logging.getLogger("gantry.db")
_WRITE = "gantry_write"
_T = TypeVar("_T")
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


def create_engine(url: str, *, pool_size: int = 10, autocommit: bool = False, wait: float = 30.0) -> AsyncEngine:
    """Create the engine for `url` (an async URL from :func:`async_url`).

    PostgreSQL: the pool keeps up to `pool_size` connections and opens none beyond them; work that finds
    none free waits up to `wait` seconds for one. A connection is pinged (one empty statement) as it
    leaves the pool, and replaced if the server dropped it. SQLAlchemy's own pre-ping is a transaction of
    three round trips on asyncpg. An `autocommit` engine runs each statement on its own (no BEGIN and
    ROLLBACK around it) and pings nothing; its user retries on a dropped connection (`Database.read_one`)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url, json_serializer=_json_dumps, json_deserializer=orjson.loads, pool_size=pool_size
        )
        _configure_sqlite(engine.sync_engine)
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
        max_overflow=0,  # a burst waits for a pooled connection instead of opening and closing more
        pool_timeout=wait,
        connect_args=connect_args,
        **({"isolation_level": "AUTOCOMMIT"} if autocommit else {}),
    )
    if not autocommit:

        @event.listens_for(engine.sync_engine, "checkout")
        def _ping(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
            try:
                await_only(dbapi_connection.driver_connection.fetchrow(";"))
            except Exception as exc:  # the pool discards this connection and takes another
                raise DisconnectionError(str(exc)) from exc

    if schema:

        @event.listens_for(engine.sync_engine, "connect")
        def _ensure_schema(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            cursor.close()

    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA busy_timeout=5000",
            "PRAGMA cache_size=-8000",
            "PRAGMA temp_store=MEMORY",
            # Checkpoints run beside the writers (see `Checkpointer`); this is only the safety net.
            f"PRAGMA wal_autocheckpoint={Checkpointer.SAFETY_NET_PAGES}",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock up front, so a read snapshot never has to be upgraded.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


class Database:
    """The engine plus the two ways to get a transaction: read (snapshot) and write.

    Use :meth:`open`. On PostgreSQL this wraps an async engine (asyncpg). On SQLite see
    :class:`SqliteDatabase`.
    """

    def __init__(self, engine: AsyncEngine, single: AsyncEngine | None = None) -> None:
        self.engine = engine
        # read_one's: a lone SELECT is its own snapshot and needs no transaction, so a lookup is one
        # round trip instead of four (ping, BEGIN, SELECT, ROLLBACK)
        self._single = single or engine

    @staticmethod
    def open(url: str, pool_size: int = 16, wait: float = 30.0) -> Database:
        """The database at `url` (an async URL from :func:`async_url`).

        PostgreSQL: transactions and lookups each keep up to `pool_size` connections open and queue
        beyond that, rather than open and close more under a burst (GANTRY_DB_POOL_SIZE). Work that
        finds no free connection within `wait` seconds is answered 503 (see :func:`_connect`)."""
        if url.startswith("sqlite"):
            return SqliteDatabase(url)
        return Database(
            create_engine(url, pool_size=pool_size, wait=wait),
            create_engine(url, pool_size=pool_size, autocommit=True, wait=wait),
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with _connect(self.engine) as conn, conn.begin():
            yield conn

    async def read_one(self, statement: Select[Any], params: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The first row of one SELECT (a single statement needs no transaction), or None.

        Connections are not pinged on their way out of the pool: one the server dropped (a restart, a
        failover) fails its statement, SQLAlchemy then discards every pooled connection, and the
        lookup runs once more on a new one."""
        try:
            return await self._first_row(statement, params)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        return await self._first_row(statement, params)

    async def _first_row(self, statement: Select[Any], params: Mapping[str, Any]) -> Mapping[str, Any] | None:
        async with _connect(self._single) as conn:
            row: Mapping[str, Any] | None = (await conn.execute(statement, params)).mappings().first()
            return row

    async def read_sync(self, fn: Callable[[Connection], _T], *, off_loop: bool = False) -> _T:
        """`fn(conn)`, synchronous code, in a read transaction. `off_loop` asks that it not hold up the
        event loop, for reads whose cost grows with the catalog (a broad search ranks every match); on
        PostgreSQL nothing does (an async connection as :meth:`read` gives, through `run_sync`)."""
        async with self.read() as conn:
            return await conn.run_sync(fn)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One transaction that commits when the block ends cleanly and rolls back otherwise."""
        async with _connect(self.engine) as conn:
            conn = await conn.execution_options(**{_WRITE: True})
            async with conn.begin():
                yield conn

    async def upgrade(self) -> None:
        """Run the migrations to the newest schema."""
        from gantry_core.db.migrate import upgrade

        await upgrade(self.engine)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._single is not self.engine:
            await self._single.dispose()


@asynccontextmanager
async def _connect(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A pooled connection; when none frees up in time, a 503 `not_ready` with `Retry-After` (the
    request changed nothing) instead of an internal error."""
    try:
        conn = await engine.connect()
    except PoolTimeout as exc:
        log.warning("no free database connection in time (raise GANTRY_DB_POOL_SIZE?): %s", exc)
        raise GantryError(
            503, "not_ready", "the database is busy: no free connection; try again", headers={"Retry-After": "1"}
        ) from exc
    try:
        yield conn
    finally:  # shielded as SQLAlchemy's own `async with` is: a cancelled request still returns it to the pool
        await asyncio.shield(conn.close())


class InlineConnection:
    """An `AsyncConnection` look-alike over a synchronous SQLite connection, run on the event loop.

    SQLite answers an indexed lookup in microseconds and, in WAL mode, readers never wait for writers,
    so running statements inline beats a thread hop per statement (aiosqlite) several times over.
    Write transactions are serialised by an asyncio lock before they reach SQLite, so `BEGIN IMMEDIATE`
    never waits on another writer of this process.
    """

    def __init__(self, sync: Connection) -> None:
        self.sync_connection = sync
        self.dialect = sync.dialect

    async def execute(self, statement: Any, parameters: Any = None, **kwargs: Any) -> Any:
        return self.sync_connection.execute(statement, parameters, **kwargs)

    async def scalar(self, statement: Any, parameters: Any = None, **kwargs: Any) -> Any:
        return self.sync_connection.scalar(statement, parameters, **kwargs)

    async def exec_driver_sql(self, statement: str, parameters: Any = None) -> Any:
        return self.sync_connection.exec_driver_sql(statement, parameters)

    async def run_sync(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(self.sync_connection, *args, **kwargs)


class SqliteDatabase(Database):
    """SQLite through the standard `sqlite3` driver, with statements run inline (see InlineConnection)."""

    def __init__(self, url: str) -> None:
        sync_url = url.replace("sqlite+aiosqlite://", "sqlite://", 1)
        self.sync_engine = sa_create_engine(
            sync_url,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            pool_size=8,
            max_overflow=-1,
            pool_reset_on_return=None,  # every block ends its own transaction
        )
        _configure_sqlite(self.sync_engine)
        self._write_lock = asyncio.Lock()
        # Commits run here, so that the event loop reads and parses the next request meanwhile.
        self._committer: concurrent.futures.ThreadPoolExecutor | None = None
        if self.sync_engine.url.database not in (None, "", ":memory:"):  # a memory database is per-thread
            self._committer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="gantry-sqlite-commit")
        self._checkpointer = Checkpointer(self.sync_engine)
        self._reader: Any = None  # a raw sqlite3 connection in autocommit mode, for read_one
        # read_sync(off_loop=True)'s: SQLite runs a statement without the GIL, so the event loop serves meanwhile
        self._readers: concurrent.futures.ThreadPoolExecutor | None = None
        if self._committer is not None:
            self._readers = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="gantry-sqlite-read")
        self._compiled: dict[int, _RawSelect] = {}

    @property
    def dialect(self) -> str:
        return "sqlite"

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        with self.sync_engine.connect() as conn, conn.begin():
            yield cast(AsyncConnection, InlineConnection(conn))

    async def read_sync(self, fn: Callable[[Connection], _T], *, off_loop: bool = False) -> _T:
        """`fn(conn)` in a read transaction: inline, or with `off_loop` on a reader thread (inline for a
        memory database). A search that ranks 60k matches takes ~70 ms at 100k entities; inline, every
        other request waited for it. Should the awaiting request be cancelled, the statement still
        finishes on its thread."""

        def run() -> _T:
            with self.sync_engine.connect() as conn, conn.begin():
                return fn(conn)

        if not off_loop or self._readers is None:
            return run()
        return await asyncio.wrap_future(self._readers.submit(run))

    async def read_one(self, statement: Select[Any], params: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """One SELECT straight through `sqlite3`, skipping SQLAlchemy's per-statement machinery.

        The statement is compiled once; its columns are decoded by SQLAlchemy's own result processors,
        so rows look exactly like those of :meth:`read`. A single statement in autocommit mode reads one
        consistent snapshot, and running it inline (no await) means nothing else uses the connection
        meanwhile."""
        raw = self._compiled.get(id(statement))
        if raw is None or raw.statement is not statement:
            raw = self._compiled[id(statement)] = _RawSelect(statement, self.sync_engine.dialect)
        if self._reader is None:
            self._reader = self.sync_engine.raw_connection()
        row = self._reader.dbapi_connection.execute(raw.sql, [params[name] for name in raw.params]).fetchone()
        return None if row is None else raw.decode(row)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        async with self._write_lock:
            with self.sync_engine.connect() as conn:
                conn = conn.execution_options(**{_WRITE: True})
                transaction = conn.begin()
                try:
                    yield cast(AsyncConnection, InlineConnection(conn))
                except BaseException:
                    transaction.rollback()
                    raise
                await self._commit(transaction)
        self._checkpointer.wanted()

    async def _commit(self, transaction: Any) -> None:
        """Commit on the commit thread: SQLite writes the transaction's pages to the log without the GIL
        while the event loop takes in the next request."""
        await self._on_commit_thread(transaction.commit)

    async def _on_commit_thread(self, fn: Callable[[], _T]) -> _T:
        """`fn()` on the commit thread (inline without one). Should the awaiting task be cancelled
        meanwhile, `fn` still finishes before the cancellation goes on (its connection is in use)."""
        if self._committer is None:
            return fn()
        future = self._committer.submit(fn)
        try:
            return await asyncio.shield(asyncio.wrap_future(future))
        except asyncio.CancelledError:
            concurrent.futures.wait([future])
            raise

    async def write_off_loop(self, fn: Callable[[Connection], _T]) -> _T:
        """Run `fn` in a write transaction of its own on the commit thread: for long maintenance work,
        during which the event loop stays free and this process's other writers wait their turn."""

        def run() -> _T:
            with self.sync_engine.connect() as conn:
                conn = conn.execution_options(**{_WRITE: True})
                with conn.begin():
                    return fn(conn)

        async with self._write_lock:
            result = await self._on_commit_thread(run)
        self._checkpointer.wanted()
        return result

    async def upgrade(self) -> None:
        from alembic import command

        from gantry_core.db.migrate import alembic_config

        async with self._write_lock:
            with self.sync_engine.begin() as conn:
                command.upgrade(alembic_config(conn), "head")

    async def ping(self) -> None:
        with self.sync_engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await asyncio.to_thread(self._checkpointer.stop)
        if self._committer is not None:
            self._committer.shutdown()
        if self._readers is not None:
            self._readers.shutdown()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self.sync_engine.dispose()


class Checkpointer:
    """Copies the SQLite write-ahead log back into the database file on a thread of its own.

    SQLite's automatic checkpoint runs inside the commit that crosses its threshold, on the committing
    connection — here the event loop — and after a large batch that is most of the commit's time. A
    checkpoint from another connection is safe at any moment (PASSIVE: it copies what no reader still
    needs and never blocks writers), and the `sqlite3` driver releases the GIL while SQLite works, so
    on this thread it runs beside the next request. `wal_autocheckpoint` stays set, far higher, as the
    safety net should this thread fall behind.
    """

    SAFETY_NET_PAGES = 25_000  # ~100 MB of log
    # Seconds between checkpoints while writes keep coming. A batch rewrites index pages that the next
    # batches rewrite again; a checkpoint copies each page once however often it changed since the last,
    # so at 0.5 s (a few batches, a WAL of tens of MB) a 100k import wrote ~2.4 instead of ~2.9 GB and
    # took ~2 CPU-seconds less than at 0.05 s.
    PAUSE = 0.5

    def __init__(self, engine: Engine) -> None:
        self.path = engine.url.database or ""
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def wanted(self) -> None:
        """A write committed: checkpoint soon (called on the event loop; returns at once)."""
        if self._thread is None and self.path not in ("", ":memory:"):
            with self._lock:
                if self._thread is None and not self._stopping:
                    self._thread = threading.Thread(target=self._run, name="gantry-sqlite-checkpoint", daemon=True)
                    self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        import sqlite3

        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout=5000")
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    log.warning("WAL checkpoint failed; SQLite's own checkpoint takes over", exc_info=True)
                time.sleep(self.PAUSE)
        finally:
            conn.close()

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join()


class _RawSelect:
    """A SELECT compiled once for the `sqlite3` driver: SQL, parameter order, per-column decoders."""

    def __init__(self, statement: Select[Any], dialect: Any) -> None:
        compiled = statement.compile(dialect=dialect)
        self.statement = statement
        self.sql = str(compiled)
        self.params: list[str] = list(compiled.positiontup or ())
        columns = compiled._result_columns  # SQLAlchemy's own (key, name, objects, type) per column
        self.keys = [column[0] for column in columns]
        self.processors: list[Callable[[Any], Any] | None] = [
            column[3]._cached_result_processor(dialect, None) for column in columns
        ]

    def decode(self, row: tuple[Any, ...]) -> dict[str, Any]:
        return {
            key: (value if process is None or value is None else process(value))
            for key, process, value in zip(self.keys, self.processors, row, strict=True)
        }
