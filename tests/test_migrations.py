"""Migrations (SPEC F6): an empty database upgraded to head matches `tables.metadata` exactly, on SQLite and
on PostgreSQL; upgrading again changes nothing; `gantry db upgrade` does the same from the command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from gantry_core.db import migrate, tables
from gantry_core.db.engine import Database, async_url
from gantry_core.testing import throwaway_database
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine

DDL = re.compile(r"^\s*(CREATE|ALTER|DROP)\b", re.IGNORECASE)


async def state_of(db: Database) -> tuple[list[Any], str | None, set[str]]:
    async with db.read() as conn:
        differences = await conn.run_sync(migrate.schema_differences)
        revision = await conn.run_sync(migrate.current_revision)
        names = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names(migrate.current_schema(sync))))
    return differences, revision, names


def sync_engine(db: Database) -> Engine:
    engine: Engine = getattr(db, "sync_engine", None) or db.engine.sync_engine
    return engine


def test_the_migrations_have_one_head_and_env_uses_the_shared_filter() -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(scripts.get_heads()) == 1
    assert migrate.head_revision() == scripts.get_current_head()
    env = (migrate.MIGRATIONS / "env.py").read_text(encoding="utf-8")
    assert "from gantry_core.db.migrate import include_object" in env
    assert "include_object=include_object" in env


async def test_empty_database_to_head_matches_the_models_and_upgrading_again_is_a_no_op(
    tmp_path: Path, gantry_backend: str
) -> None:
    """Through `Database.upgrade()`, what every start runs."""
    async with throwaway_database(tmp_path, gantry_backend) as url:
        db = Database.open(async_url(url))
        try:
            _, revision, names = await state_of(db)
            assert revision is None
            assert not names & set(tables.metadata.tables)  # really empty

            await db.upgrade()
            differences, revision, names = await state_of(db)
            assert differences == []
            assert revision == migrate.head_revision()
            assert set(tables.metadata.tables) <= names

            statements: list[str] = []

            def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
                statements.append(statement)

            event.listen(sync_engine(db), "before_cursor_execute", record)
            await db.upgrade()
            event.remove(sync_engine(db), "before_cursor_execute", record)
            assert statements, "the second upgrade did not even look at the database"
            assert [s for s in statements if DDL.match(s)] == []
            assert await state_of(db) == (differences, revision, names)
        finally:
            await db.dispose()


def gantry(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GANTRY_")}
    return subprocess.run(
        [sys.executable, "-c", "from gantry_core.cli import main; main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_gantry_db_upgrade(tmp_path: Path, gantry_backend: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    async with throwaway_database(tmp_path, gantry_backend) as db:
        for _ in range(2):
            result = gantry("db", "upgrade", "--db", db, cwd=work)
            assert result.returncode == 0, result.stderr
            assert result.stdout.strip() == "database is at the newest schema"
        database = Database.open(async_url(db))
        try:
            differences, revision, _ = await state_of(database)
        finally:
            await database.dispose()
        assert (differences, revision) == ([], migrate.head_revision())
    assert list(work.iterdir()) == []  # with --db given, no ./data folder is made


def test_gantry_db_upgrade_refuses_a_bad_setting(tmp_path: Path) -> None:
    result = gantry("db", "upgrade", "--db", "mysql://x/y", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "gantry: --db: must be a SQLite file path or a postgres:// / postgresql:// URL"
    assert list(tmp_path.iterdir()) == []
