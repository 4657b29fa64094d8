"""SQLite's write-ahead log is copied back into the database file by Gantry's own checkpoint thread,
not inside the commits on the event loop (db/engine.py, `Checkpointer`)."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

from gantry_core.db.engine import Checkpointer, Database, SqliteDatabase, async_url
from sqlalchemy import text


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
