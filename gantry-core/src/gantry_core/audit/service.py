"""Write audit entries; always called with the connection of the change being audited."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from gantry_core.db.bulk import insert_rows, upsert_add
from gantry_core.db.tables import audit_counts, audit_log

Source = Literal["api", "cli", "plugin", "system", "mcp"]

#: audit_counts rows per (action, resource type): each transaction adds to one picked at random, so that
#: concurrent writers on PostgreSQL rarely wait for each other's row lock (SQLite has one writer anyway).
COUNT_SHARDS = 8


async def record(
    conn: AsyncConnection,
    *,
    action: str,
    actor: str | None,
    source: str,
    ip: str | None,
    resource_type: str | None = None,
    resource_namespace: str | None = None,
    resource_name: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    await record_many(
        conn,
        [
            {
                "action": action,
                "resource_type": resource_type,
                "resource_namespace": resource_namespace,
                "resource_name": resource_name,
                "before": dict(before) if before is not None else None,
                "after": dict(after) if after is not None else None,
                "details": dict(details) if details is not None else None,
            }
        ],
        actor=actor,
        source=source,
        ip=ip,
    )


async def record_many(
    conn: AsyncConnection,
    entries: list[dict[str, Any]],
    *,
    actor: str | None,
    source: str,
    ip: str | None,
) -> None:
    """Write several entries (each with action, resource_* and before/after) in one statement, and count
    them in `audit_counts` (audit.queries reads the totals of the trail's usual views there)."""
    if not entries:
        return
    shard = random.randrange(COUNT_SHARDS)  # spreads row locks; nothing secret
    counts = Counter((entry["action"], entry.get("resource_type") or "") for entry in entries)
    await upsert_add(conn, audit_counts, sorted((action, kind, shard, n) for (action, kind), n in counts.items()))
    now = datetime.now(UTC)
    await insert_rows(
        conn,
        audit_log,
        [
            {
                "timestamp": now,
                "user_name": actor,
                "source": source,
                "ip_address": ip,
                "details": None,
                "resource_type": None,
                "resource_namespace": None,
                "resource_name": None,
                "before": None,
                "after": None,
                **entry,
            }
            for entry in entries
        ],
    )
