"""Alembic environment: always driven programmatically with a connection from gantry_core.db.migrate."""

from __future__ import annotations

from alembic import context
from gantry_core.db.migrate import include_object
from gantry_core.db.tables import metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `gantry db upgrade`; offline mode is not supported")
    version_schema = None
    if connection.dialect.name == "postgresql":
        # Keep alembic's bookkeeping in the schema Gantry's tables live in (`?schema=`), not wherever the
        # search path happens to find an `alembic_version` table first.
        version_schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
    context.configure(
        connection=connection,
        version_table_schema=version_schema,
        target_metadata=metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
