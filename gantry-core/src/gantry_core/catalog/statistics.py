"""Catalog upkeep after bulk loads: planner statistics and the search index.

Each is due once the entities created since it last ran exceed a fifth of the catalog (and at least
MIN_CREATED): an import, a first sync. Statistics are refreshed at once; the search index is tidied once
the writes pause for QUIET seconds.

- **PostgreSQL** still plans with the statistics of the near-empty tables until autovacuum gets round to
  them, up to a minute or more later; meanwhile it can pick a namespace index over the unique (kind,
  namespace, name) one and read the whole catalog (measured: a depth-2 graph at 100k entities ~80 ms
  instead of ~25 ms). The catalog tables and the audit trail are analysed in the background at once, as
  autovacuum would.
- **SQLite** has no statistics until ANALYZE runs, and then keeps those it was given. Without them its
  planner takes every equality for a selective one: `namespace=default` sorted by update time read and
  sorted the whole catalog through the namespace index (~120 ms at 100k) instead of reading the first
  page off the update-time index (~0.2 ms). ANALYZE runs with the search index's tidying below (~0.2 s
  at 100k), and at start-up when the statistics are missing or a fifth or more out of date.
- **SQLite**'s FTS5 index gains a segment with every batch and merges only some of them as it goes;
  after a 100k import, searches read each term from several segments (p50 ~2.2 ms, p95 ~12.5 ms against
  ~1.5 and ~8.5 ms on one). Once writes pause for QUIET seconds, the index is merged into one segment
  (`search.optimize`, ~0.5 s at 100k) on the commit thread: the event loop keeps serving, and writes
  that arrive meanwhile wait for the write lock.
- **PostgreSQL**'s GIN index takes new entries into a pending list (up to `gin_pending_list_limit`, 4 MB
  by default) that every search reads in full until autovacuum merges it. Once writes pause, the list is
  merged (`search.clean_pending`): after a 100k import, a search's index scan went from ~4.5 to ~1.5 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.engine import Connection

from gantry_core.catalog import search
from gantry_core.db.engine import Database, SqliteDatabase

log = logging.getLogger("gantry.catalog")

#: What a bulk load grows: the catalog's tables and the audit trail (an entry per entity written). With
#: the trail's statistics SQLite sees that few kinds and namespaces lead its resource index and skips
#: through them for a name alone (GET /audit?name=…: ~27 ms at 100k entries, a whole-table read, against
#: microseconds); PostgreSQL, without them, took `kind=Service` for a few hundred of 100k entries and
#: gathered all 60k before sorting (GET /activity?kind=service ~40 ms).
TABLES = (
    "entities",
    "entity_relations",
    "entity_tags",
    "entity_labels",
    "entity_facets",
    "entity_search",
    "audit_log",
)
MIN_CREATED = 5000
QUIET = 1.0  # seconds without a new entity before the search index is tidied


class StatisticsKeeper:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.catalog_size = 0
        self.unanalysed = 0  # PostgreSQL: entities created since the catalog tables were last analysed
        self.untidy = 0  # entities created since the search index was last tidied
        self.task: asyncio.Task[None] | None = None
        self.runs = 0  # upkeep runs finished: analyses and tidyings
        self._quiet: asyncio.TimerHandle | None = None
        self._closed = False

    def entities_created(self, count: int) -> None:
        """Called after a commit that created `count` entities: starts whatever upkeep is due."""
        self.unanalysed += count
        self.untidy += count
        self._schedule()

    def _due(self, created: int) -> bool:
        return created >= max(MIN_CREATED, self.catalog_size // 5)

    def _schedule(self) -> None:
        if self._quiet is not None:  # still writing: the search index waits for the next pause
            self._quiet.cancel()
            self._quiet = None
        if self._closed or (self.task is not None and not self.task.done()):
            return  # a running task schedules again when it ends
        if not isinstance(self.db, SqliteDatabase) and self._due(self.unanalysed):
            self.unanalysed = 0
            self._begin(self._analyse)
        elif self._due(self.untidy):
            self._quiet = asyncio.get_running_loop().call_later(QUIET, self._start_tidy)

    def _start_tidy(self) -> None:
        self._quiet = None
        self.untidy = 0
        self._begin(self._tidy)

    def _begin(self, upkeep: Callable[[], Awaitable[None]]) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run(upkeep))
        self.task.add_done_callback(lambda _: self._schedule())

    async def _analyse(self) -> None:
        async with self.db.write() as conn:
            await conn.exec_driver_sql("ANALYZE " + ", ".join(TABLES))

    async def start(self) -> None:
        """At start-up (SQLite): tidy the search index and refresh the planner statistics now if the
        catalog has outgrown them, as after a bulk load by an earlier process."""
        if not isinstance(self.db, SqliteDatabase):
            return  # PostgreSQL's autovacuum analyses what changed meanwhile
        async with self.db.read() as conn:
            self.catalog_size = int((await conn.exec_driver_sql("SELECT count(*) FROM entities")).scalar() or 0)
            has_stats = (
                await conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
            ).first() is not None
            analysed = 0
            if has_stats:
                stat = (
                    await conn.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'entities' LIMIT 1")
                ).scalar()
                analysed = int(str(stat).split()[0]) if stat else 0
        if self.catalog_size >= MIN_CREATED and abs(self.catalog_size - analysed) >= self.catalog_size // 5:
            self._begin(self._tidy)

    async def _tidy(self) -> None:
        if isinstance(self.db, SqliteDatabase):
            await self.db.write_off_loop(_tidy_sqlite)
        else:
            async with self.db.write() as conn:
                await search.clean_pending(conn)

    async def _run(self, upkeep: Callable[[], Awaitable[None]]) -> None:
        try:
            await upkeep()
            async with self.db.read() as conn:
                self.catalog_size = int((await conn.exec_driver_sql("SELECT count(*) FROM entities")).scalar() or 0)
            self.runs += 1
        except Exception:
            log.warning("catalog upkeep after a bulk load failed; it is tried again after the next", exc_info=True)

    async def close(self) -> None:
        self._closed = True
        if self._quiet is not None:
            self._quiet.cancel()
            self._quiet = None
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


def _tidy_sqlite(conn: Connection) -> None:
    search.optimize(conn)
    for table in TABLES:  # SQLite's ANALYZE takes one name
        conn.exec_driver_sql(f"ANALYZE {table}")
