"""Upkeep after bulk loads (catalog/statistics.py): PostgreSQL's planner statistics are refreshed, and
SQLite's search index is merged into one segment once the writes pause."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from gantry_core.catalog import statistics
from gantry_core.testing import Gantry
from sqlalchemy import text


def service(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "gantry.io/v1",
        "kind": "Service",
        "metadata": {"name": f"svc-{i}", "owner": f"team-{i % 7}", "tags": ["go"]},
        "spec": {"type": "backend", "dependsOn": [{"kind": "Service", "name": f"svc-{max(i - 1, 0)}"}]},
    }


LAST_ANALYZE = text(
    "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'entities' AND schemaname = current_schema()"
)


async def analyzed(gantry: Gantry, wait: float = 0.0) -> Any:
    """When the entities table was last analysed (statistics views may lag a moment: wait up to `wait` s)."""
    for _ in range(max(1, int(wait * 10))):
        async with gantry.state.db.read() as conn:
            found = (await conn.execute(LAST_ANALYZE)).scalar()
        if found is not None:
            return found
        await asyncio.sleep(0.1)
    return None


async def _segments(gantry: Gantry) -> int:
    """SQLite: rows of the FTS5 index's segment directory (one or more per segment)."""
    async with gantry.state.db.read() as conn:
        return int((await conn.exec_driver_sql("SELECT count(*) FROM entity_search_idx")).scalar() or 0)


async def test_a_bulk_load_gets_its_upkeep(gantry: Gantry, monkeypatch: pytest.MonkeyPatch) -> None:
    keeper = gantry.state.extras.get("statistics")
    assert isinstance(keeper, statistics.StatisticsKeeper)
    sqlite = gantry.state.db.dialect == "sqlite"
    monkeypatch.setattr(statistics, "MIN_CREATED", 300)
    monkeypatch.setattr(statistics, "QUIET", 0.3)
    if not sqlite:
        assert await analyzed(gantry) is None
    client = await gantry.client("developer")
    response = await client.post("/api/v1/apply", json={"entities": [service(i) for i in range(200)]})
    assert response.status_code == 200
    assert keeper.task is None  # 200 created: not yet due
    response = await client.post("/api/v1/apply", json={"entities": [service(i) for i in range(200, 400)]})
    assert response.status_code == 200
    if sqlite:
        assert keeper.task is None  # due, but the search index waits for the writes to pause
        response = await client.post("/api/v1/apply", json={"entities": [service(i) for i in range(400, 410)]})
        assert response.status_code == 200 and keeper.task is None
        before = await _segments(gantry)
        for _ in range(100):
            if keeper.task is not None and keeper.task.done():
                break
            await asyncio.sleep(0.05)
    assert keeper.task is not None
    await keeper.task
    assert keeper.runs == 1
    if sqlite:
        assert keeper.catalog_size == 410
        assert await _segments(gantry) < before  # three batches' segments merged into one
        found = (await client.get("/api/v1/search?q=svc&limit=5")).json()
        assert found["total"] == 410 and len(found["items"]) == 5
    else:
        assert keeper.catalog_size == 400
        assert await analyzed(gantry, wait=5) is not None
    # an update creates nothing: no new run
    changed = service(1) | {"spec": {"type": "frontend"}}
    assert (await client.put("/api/v1/entities/service/svc-1", json=changed)).status_code == 200
    await asyncio.sleep(0.4)
    assert keeper.created == 0 and keeper.runs == 1
