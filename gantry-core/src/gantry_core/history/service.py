"""Recording and reading a user's recently viewed entities. Never commits: callers own the transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from gantry_core.db.tables import entities, user_history

MAX_KEPT = 20
_TICK = timedelta(microseconds=1)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def record_view(conn: AsyncConnection, user_id: int, kind: str, namespace: str, name: str) -> None:
    """Upsert the view (a repeat view moves the entity to the top) and keep only the newest MAX_KEPT.

    Each view of a user is stamped strictly later than the previous one, so the order is the order of
    the calls even when the clock is coarse or two views share a microsecond.
    """
    latest = (
        await conn.execute(select(func.max(user_history.c.viewed_at)).where(user_history.c.user_id == user_id))
    ).scalar_one_or_none()
    now = datetime.now(UTC)
    if latest is not None and _utc(latest) >= now:
        now = _utc(latest) + _TICK
    dialect_insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = dialect_insert(user_history).values(
        user_id=user_id, kind=kind, namespace=namespace, name=name, viewed_at=now
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[user_history.c.user_id, user_history.c.kind, user_history.c.namespace, user_history.c.name],
        set_={"viewed_at": now},
    )
    await conn.execute(stmt)
    keep = (
        select(user_history.c.id)
        .where(user_history.c.user_id == user_id)
        .order_by(user_history.c.viewed_at.desc(), user_history.c.id.desc())
        .limit(MAX_KEPT)
    )
    await conn.execute(
        delete(user_history).where(user_history.c.user_id == user_id, user_history.c.id.not_in(keep.scalar_subquery()))
    )


async def recent(conn: AsyncConnection, user_id: int, limit: int) -> list[dict[str, Any]]:
    """The user's newest views with the entity's title; ``entity_id`` is None once the entity is gone."""
    joined = user_history.outerjoin(
        entities,
        and_(
            entities.c.kind == user_history.c.kind,
            entities.c.namespace == user_history.c.namespace,
            entities.c.name == user_history.c.name,
        ),
    )
    stmt = (
        select(
            user_history.c.kind,
            user_history.c.namespace,
            user_history.c.name,
            user_history.c.viewed_at,
            entities.c.title,
            entities.c.id.label("entity_id"),
        )
        .select_from(joined)
        .where(user_history.c.user_id == user_id)
        .order_by(user_history.c.viewed_at.desc(), user_history.c.id.desc())
        .limit(limit)
    )
    return [{**row, "viewed_at": _utc(row["viewed_at"])} for row in (await conn.execute(stmt)).mappings()]


async def count(conn: AsyncConnection, user_id: int) -> int:
    stmt = select(func.count()).select_from(user_history).where(user_history.c.user_id == user_id)
    return int((await conn.execute(stmt)).scalar_one())
