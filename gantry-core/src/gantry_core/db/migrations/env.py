"""Alembic environment: always driven programmatically with a connection from gantry_core.db.migrate."""

from __future__ import annotations

from alembic import context
from gantry_core.db.tables import SEARCH_OBJECTS, metadata
from sqlalchemy import Table


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Leave the dialect-specific search index (FTS5 shadow tables, tsvector) out of comparisons."""
    if type_ == "table" and name is not None:
        return not any(name == o or name.startswith(f"{o}_") for o in SEARCH_OBJECTS)
    if type_ == "index" and name is not None and isinstance(getattr(obj, "table", None), Table):
        return not name.startswith("ix_entities_search")
    return True


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `gantry db upgrade`; offline mode is not supported")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
