"""Upkeep after bulk loads (catalog/statistics.py): PostgreSQL's planner statistics are refreshed at once;
the search index is tidied once the writes pause (SQLite: merged into one segment; PostgreSQL: the GIN
pending list merged)."""

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
    "SELECT min(last_analyze), count(last_analyze) FROM pg_stat_user_tables"
    " WHERE relname IN ('entities', 'audit_log') AND schemaname = current_schema()"
)


async def analyzed(gantry: Gantry, wait: float = 0.0) -> Any:
    """When the entities table and the audit trail were both last analysed (statistics views may lag a
    moment: wait up to `wait` s); None while either has not been."""
    for _ in range(max(1, int(wait * 10))):
        async with gantry.state.db.read() as conn:
            found, tables = (await conn.execute(LAST_ANALYZE)).one()
        if tables == 2:
            return found
        await asyncio.sleep(0.1)
    return None


async def _segments(gantry: Gantry) -> int:
    """SQLite: rows of the FTS5 index's segment directory (one or more per segment)."""
    async with gantry.state.db.read() as conn:
        return int((await conn.exec_driver_sql("SELECT count(*) FROM entity_search_idx")).scalar() or 0)


async def _sqlite_analysed_rows(gantry: Gantry) -> int | None:
    """SQLite: the number of entities the planner statistics were gathered on (None: never gathered)."""
    async with gantry.state.db.read() as conn:
        if (await conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first() is None:
            return None
        stat = (await conn.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'entities' LIMIT 1")).scalar()
        return int(stat.split()[0]) if stat else None


async def _pending_pages(gantry: Gantry) -> int:
    """PostgreSQL: pages in the GIN index's pending list (merging them is how to count them)."""
    from gantry_core.catalog import search

    async with gantry.state.db.write() as conn:
        return await search.clean_pending(conn)


async def _finished(keeper: statistics.StatisticsKeeper, runs: int) -> None:
    for _ in range(100):
        if keeper.runs >= runs and keeper.task is not None and keeper.task.done():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{keeper.runs} upkeep runs, expected {runs}")


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
    else:
        assert keeper.task is not None  # planner statistics are refreshed at once
        await keeper.task
        assert keeper.runs == 1 and keeper.catalog_size == 400
    response = await client.post("/api/v1/apply", json={"entities": [service(i) for i in range(400, 410)]})
    assert response.status_code == 200
    before = await _segments(gantry) if sqlite else 0
    if sqlite:
        assert await _sqlite_analysed_rows(gantry) is None
    tidy_runs = 1 if sqlite else 2
    assert keeper.runs < tidy_runs  # the writes have not paused yet
    await _finished(keeper, tidy_runs)
    assert keeper.catalog_size == 410
    if sqlite:
        assert await _segments(gantry) < before  # three batches' segments merged into one
        assert await _sqlite_analysed_rows(gantry) == 410  # and the planner has statistics of the catalog
    else:
        assert await analyzed(gantry, wait=5) is not None
        assert await _pending_pages(gantry) == 0  # the keeper merged the pending list
    found = (await client.get("/api/v1/search?q=svc&limit=5")).json()
    assert found["total"] == 410 and len(found["items"]) == 5
    # an update creates nothing: no new run
    changed = service(1) | {"spec": {"type": "frontend"}}
    assert (await client.put("/api/v1/entities/service/svc-1", json=changed)).status_code == 200
    await asyncio.sleep(0.4)
    assert keeper.untidy == 0 and keeper.runs == tidy_runs


async def test_sqlite_start_up_gathers_statistics_the_catalog_has_outgrown(
    gantry: Gantry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start-up refreshes SQLite's planner statistics when they are missing or a fifth or more out of
    date (a catalog loaded by an earlier process), and leaves them when they are close enough."""
    if gantry.state.db.dialect != "sqlite":
        pytest.skip("PostgreSQL's autovacuum analyses after a restart")
    keeper = gantry.state.extras["statistics"]
    monkeypatch.setattr(statistics, "MIN_CREATED", 100)
    monkeypatch.setattr(statistics, "QUIET", 3600.0)  # no tidying after these writes: only start-up's
    client = await gantry.client("developer")

    async def grow_to(size: int) -> None:
        """Apply services up to `size`, then start up as after a restart."""
        start = keeper.catalog_size
        response = await client.post("/api/v1/apply", json={"entities": [service(i) for i in range(start, size)]})
        assert response.status_code == 200
        await keeper.start()

    await grow_to(90)
    assert keeper.task is None and keeper.catalog_size == 90  # below MIN_CREATED: nothing to do
    await grow_to(150)
    assert keeper.task is not None
    await keeper.task
    assert await _sqlite_analysed_rows(gantry) == 150
    last = keeper.task
    await grow_to(170)  # 20 more (13%): still close enough
    assert keeper.task is last and await _sqlite_analysed_rows(gantry) == 150
    await grow_to(190)  # 20 more again (24% since gathered): gathered afresh
    assert keeper.task is not None
    await keeper.task
    assert await _sqlite_analysed_rows(gantry) == 190


async def test_sqlite_statistics_let_the_audit_trail_be_read_by_name_alone(
    gantry: Gantry, kit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GET /audit?name=… without a kind: with the audit trail's statistics, SQLite skips through the few
    kinds and namespaces that lead the resource index instead of reading the whole trail."""
    if gantry.state.db.dialect != "sqlite":
        pytest.skip("SQLite's query plans")
    monkeypatch.setattr(statistics, "MIN_CREATED", 100)
    monkeypatch.setattr(statistics, "QUIET", 3600.0)
    client = await gantry.client("developer")
    assert (await client.post("/api/v1/apply", json={"entities": [service(i) for i in range(300)]})).status_code == 200
    keeper = gantry.state.extras["statistics"]
    await keeper.start()
    assert keeper.task is not None
    await keeper.task
    admin = await gantry.client("admin")
    with kit.sqlite_statements(gantry) as executed:
        page = (await admin.get("/api/v1/audit?name=svc-7")).json()
    statements = [done for done in executed if "audit_log" in done.sql and done.sql.lstrip().startswith("SELECT")]
    assert page["total"] == 1 and page["items"][0]["resourceName"] == "svc-7"
    assert len(statements) == 2  # the count and the page
    for done in statements:
        plan = kit.sqlite_plan(gantry, done)
        assert not any(step.startswith("SCAN audit_log") for step in plan), plan
