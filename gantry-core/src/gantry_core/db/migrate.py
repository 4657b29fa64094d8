"""Run the Alembic migrations shipped in the package (every start, and `gantry db upgrade`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from gantry_core.db.tables import SEARCH_OBJECTS, metadata

MIGRATIONS = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 7_420_001  # pg advisory lock id: replicas starting together migrate one at a time


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Leave the dialect-specific search index (FTS5 shadow tables, tsvector) out of comparisons."""
    if type_ == "table" and name is not None:
        return not any(name == o or name.startswith(f"{o}_") for o in SEARCH_OBJECTS)
    if type_ == "index" and name is not None and isinstance(getattr(obj, "table", None), Table):
        return not name.startswith("ix_entities_search")
    return True


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
    command.upgrade(alembic_config(connection), "head")


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the database to the newest schema; a no-op when it is there already."""
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin otherwise
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


def current_schema(connection: Connection) -> str | None:
    """The schema Gantry's tables live in on PostgreSQL (the first of the search path: `?schema=`)."""
    if connection.dialect.name != "postgresql":
        return None
    schema: str | None = connection.exec_driver_sql("SELECT current_schema()").scalar()
    return schema


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None when it was never migrated), read from Gantry's schema."""
    from alembic.runtime.migration import MigrationContext

    opts = {"version_table_schema": current_schema(connection)}
    return MigrationContext.configure(connection, opts=opts).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped in the package."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@contextmanager
def _only_gantry_schema(connection: Connection) -> Iterator[None]:
    """On PostgreSQL, hide other schemas (such as `public` holding another installation's tables) from
    reflection, which otherwise sees every table the search path reaches."""
    schema = current_schema(connection)
    if schema is None:
        yield
        return
    previous = connection.exec_driver_sql("SHOW search_path").scalar()
    connection.exec_driver_sql(f'SET search_path TO "{schema}"')
    try:
        yield
    finally:
        connection.exec_driver_sql(f"SET search_path TO {previous}")


def schema_differences(connection: Connection) -> list[Any]:
    """What autogenerate would change to make the database match `tables.metadata` (empty = in sync)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with _only_gantry_schema(connection):
        context = MigrationContext.configure(
            connection,
            opts={"include_object": include_object, "compare_type": True, "target_metadata": metadata},
        )
        return list(compare_metadata(context, metadata))
