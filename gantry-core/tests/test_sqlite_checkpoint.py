"""SQLite's write-ahead log is copied back into the database file by Gantry's own checkpoint thread,
not inside the commits on the event loop (db/engine.py, `Checkpointer`); the commits themselves run on
a thread too (`SqliteDatabase.write`), so the event loop serves other requests meanwhile."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from gantry_core.db.engine import Checkpointer, Database, SqliteDatabase, async_url
from sqlalchemy import event, text


def rows_in_main_file(db_path: Path, scratch: Path) -> int:
    """Rows of `t` in the database file alone (its log left behind), i.e. what checkpoints copied."""
    shutil.copy(db_path, scratch)
    conn = sqlite3.connect(scratch)
    try:
        found = conn.execute("SELECT name FROM sqlite_master WHERE name = 't'").fetchone()
        return int(conn.execute("SELECT count(*) FROM t").fetchone()[0]) if found else 0
    finally:
        conn.close()


async def test_writes_reach_the_database_file_without_sqlites_own_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "gantry.db"
    db = Database.open(async_url(str(path)))
    assert isinstance(db, SqliteDatabase)
    try:
        async with db.write() as conn:
            autocheckpoint = (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar()
            assert autocheckpoint == Checkpointer.SAFETY_NET_PAGES  # far above what this test writes
            await conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        for i in range(20):
            async with db.write() as conn:
                await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": f"{i}-{j}"} for j in range(50)])
        assert (tmp_path / "gantry.db-wal").exists()
        for _ in range(100):
            if rows_in_main_file(path, tmp_path / "copy.db") == 1000:
                break
            await asyncio.sleep(0.05)
        assert rows_in_main_file(path, tmp_path / "copy.db") == 1000
        thread = db._checkpointer._thread
        assert thread is not None and thread.is_alive()
    finally:
        await db.dispose()
    assert not thread.is_alive()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 1000
    finally:
        conn.close()


async def test_a_database_that_never_writes_starts_no_thread(tmp_path: Path) -> None:
    db = Database.open(async_url(str(tmp_path / "gantry.db")))
    assert isinstance(db, SqliteDatabase)
    async with db.read() as conn:
        await conn.exec_driver_sql("SELECT 1")
    assert db._checkpointer._thread is None
    await db.dispose()


async def _table_t(tmp_path: Path) -> SqliteDatabase:
    db = Database.open(async_url(str(tmp_path / "gantry.db")))
    assert isinstance(db, SqliteDatabase)
    async with db.write() as conn:
        await conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    return db


def _count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM t").fetchone()[0])
    finally:
        conn.close()


async def test_a_commit_runs_off_the_event_loop(tmp_path: Path) -> None:
    db = await _table_t(tmp_path)
    loop_ran = threading.Event()
    seen: list[str] = []

    @event.listens_for(db.sync_engine, "commit")
    def _commit(_conn: Any) -> None:
        seen.append(threading.current_thread().name)
        # the loop must get to run the task below while this commit is under way
        seen.append("loop ran" if loop_ran.wait(timeout=10) else "loop blocked")

    async def meanwhile() -> None:
        while not loop_ran.is_set():
            loop_ran.set()
            await asyncio.sleep(0)

    try:
        async with db.write() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
            task = asyncio.ensure_future(meanwhile())  # first runs once the block awaits its commit
        await task
        assert seen[0].startswith("gantry-sqlite-commit") and seen[1] == "loop ran"
        async with db.read() as conn:
            assert (await conn.exec_driver_sql("SELECT v FROM t")).scalar() == "a"
    finally:
        await db.dispose()


async def test_a_write_cancelled_during_its_commit_commits_and_leaves_the_connection_usable(tmp_path: Path) -> None:
    db = await _table_t(tmp_path)
    entered, release = threading.Event(), threading.Event()

    @event.listens_for(db.sync_engine, "commit")
    def _commit(_conn: Any) -> None:
        entered.set()
        release.wait(timeout=30)

    async def write() -> None:
        async with db.write() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('committed')"))

    try:
        task = asyncio.ensure_future(write())
        while not entered.is_set():
            await asyncio.sleep(0.01)
        task.cancel()
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        event.remove(db.sync_engine, "commit", _commit)
        async with db.write() as conn:  # the write lock and the pooled connection are free again
            await conn.execute(text("INSERT INTO t (v) VALUES ('next')"))
        assert _count(tmp_path / "gantry.db") == 2
    finally:
        await db.dispose()


async def test_a_failing_write_block_rolls_back(tmp_path: Path) -> None:
    db = await _table_t(tmp_path)
    try:
        with pytest.raises(RuntimeError):
            async with db.write() as conn:
                await conn.execute(text("INSERT INTO t (v) VALUES ('never')"))
                raise RuntimeError("the handler failed")
        assert _count(tmp_path / "gantry.db") == 0
        async with db.write() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('after')"))
        assert _count(tmp_path / "gantry.db") == 1
    finally:
        await db.dispose()
