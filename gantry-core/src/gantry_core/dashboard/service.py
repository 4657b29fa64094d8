"""Read and replace the global dashboard configuration; count entities per kind. Never commits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from gantry_core.catalog import facet_counts
from gantry_core.catalog.queries import EntityFilter
from gantry_core.dashboard.schemas import WIDGET_IDS, DashboardConfig, Widget
from gantry_core.db.tables import dashboard_config

ROW_ID = 1
MAX_KINDS = 10_000  # every kind there is: a few built in, a few per plugin


def complete(config: DashboardConfig) -> DashboardConfig:
    """Widgets the config does not mention (e.g. added by a newer version) are appended, enabled."""
    listed = {w.id for w in config.widgets}
    missing = [Widget(id=w) for w in WIDGET_IDS if w not in listed]
    return config.model_copy(update={"widgets": [*config.widgets, *missing]}) if missing else config


async def load(conn: AsyncConnection) -> DashboardConfig:
    """The stored configuration, or the defaults when none was saved (or what was saved no longer validates)."""
    stored = (
        await conn.execute(select(dashboard_config.c.config).where(dashboard_config.c.id == ROW_ID))
    ).scalar_one_or_none()
    if stored is None:
        return DashboardConfig()
    try:
        return complete(DashboardConfig.model_validate(stored))
    except ValidationError:
        return DashboardConfig()


async def save(conn: AsyncConnection, config: DashboardConfig, updated_by: str) -> None:
    values: dict[str, Any] = {
        "config": config.model_dump(mode="json"),
        "updated_by": updated_by,
        "updated_at": datetime.now(UTC),
    }
    dialect_insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = dialect_insert(dashboard_config).values(id=ROW_ID, **values)
    await conn.execute(stmt.on_conflict_do_update(index_elements=[dashboard_config.c.id], set_=values))


async def entity_counts(conn: AsyncConnection) -> dict[str, int]:
    """Entities per kind, from the counts the write path keeps (catalog.facet_counts): a row per kind,
    where a GROUP BY read every entry of the kind index (~10 ms at 100k entities on SQLite, ~35 ms on
    PostgreSQL) on every dashboard load."""
    rows = await conn.run_sync(facet_counts.read, EntityFilter(), "kind", MAX_KINDS)
    return {row["value"]: row["count"] for row in rows}
