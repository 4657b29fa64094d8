"""Alembic environment: always driven programmatically with a connection from gantry_core.db.migrate."""

from __future__ import annotations

from alembic import context
from gantry_core.db.migrate import include_object
from gantry_core.db.tables import metadata


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
