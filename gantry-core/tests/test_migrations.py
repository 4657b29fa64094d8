"""The migrations: they build exactly the schema `tables.py` declares, and the newest ones go down and up
again on a populated catalog without losing a row (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from alembic import command
from gantry_core.catalog.relations import target_key
from gantry_core.db import tables
from gantry_core.db.migrate import alembic_config, current_revision, head_revision, schema_differences
from gantry_core.testing import Gantry
from sqlalchemy import select
from sqlalchemy.engine import Connection


def _entity(i: int) -> dict[str, Any]:
    return {
        "kind": "Service",
        "metadata": {"name": f"svc-{i}", "owner": f"team-{i % 3}", "tags": ["python", f"tier-{i % 2}"]},
        "spec": {"type": "backend", "lifecycle": "production" if i % 2 else "experimental"},
    }


async def _snapshot(gantry: Gantry) -> dict[str, list[tuple[Any, ...]]]:
    async with gantry.state.db.read() as conn:
        out = {}
        for table in (tables.entity_facets, tables.entity_tags, tables.entity_relations):
            columns = [c for c in table.columns if c.name != "target_key"]  # 0008's, checked on its own
            rows = (await conn.execute(select(*columns))).all()
            out[table.name] = sorted(tuple(r) for r in rows)
        return out


def _any_kind_under_a_tag(snapshot: dict[str, list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """The facet rows 0009 dropped: (field, tag, '', value, n) with a tag."""
    return [row for row in snapshot["entity_facets"] if row[2] == "" and row[1] != ""]


async def _target_keys(gantry: Gantry) -> dict[int, int]:
    r = tables.entity_relations.c
    async with gantry.state.db.read() as conn:
        rows = (await conn.execute(select(r.id, r.target_kind, r.target_namespace, r.target_name, r.target_key))).all()
    for row in rows:
        assert row[4] == target_key(row[1], row[2], row[3])
    return {row[0]: row[4] for row in rows}


async def _run(gantry: Gantry, fn: Any) -> Any:
    async with gantry.state.db.write() as conn:
        return await conn.run_sync(fn)


async def test_the_migrated_database_matches_the_declared_schema(gantry: Gantry) -> None:
    assert await _run(gantry, schema_differences) == []
    if gantry.state.db.dialect == "sqlite":  # which autogenerate does not compare
        for table in ("entity_facets", "audit_counts"):
            sql = await _run(
                gantry,
                lambda c, table=table: c.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = ?", (table,)
                ).scalar(),
            )
            assert sql.rstrip().endswith("WITHOUT ROWID"), table


async def test_migrations_0007_to_0009_go_down_and_up_on_a_populated_catalog(gantry: Gantry) -> None:
    client = await gantry.client("admin")
    response = await client.post("/api/v1/apply", json={"entities": [_entity(i) for i in range(40)]})
    assert response.json()["summary"]["created"] == 40, response.text[:600]
    before = await _snapshot(gantry)
    assert len(before["entity_facets"]) > 30 and len(before["entity_tags"]) == 80
    assert len(before["entity_relations"]) == 40  # ownedBy
    keys_before = await _target_keys(gantry)

    def down(conn: Connection) -> str | None:
        command.downgrade(alembic_config(conn), "0006")
        return current_revision(conn)

    def up(conn: Connection) -> str | None:
        command.upgrade(alembic_config(conn), "head")
        return current_revision(conn)

    assert await _run(gantry, down) == "0006"
    below = await _snapshot(gantry)
    refilled = _any_kind_under_a_tag(below)  # 0009's downgrade sums them from the kinds' rows again
    sums: Counter[tuple[str, str, str]] = Counter()
    for field, tag, kind, value, n in before["entity_facets"]:
        if tag and kind:
            sums[(field, tag, value)] += n
    assert sorted((f, t, "", v, n) for (f, t, v), n in sums.items()) == refilled and refilled
    assert {**below, "entity_facets": [r for r in below["entity_facets"] if r not in refilled]} == before
    assert await _run(gantry, up) == head_revision()
    assert await _snapshot(gantry) == before
    assert await _target_keys(gantry) == keys_before  # 0008 filled the stored rows as the write path does
    assert await _run(gantry, schema_differences) == []
    # and the write path keeps working on the rebuilt tables
    team = {"kind": "Team", "metadata": {"name": "team-1"}, "spec": {}}
    response = await client.post("/api/v1/apply", json={"entities": [team] + [_entity(i) for i in range(40, 45)]})
    assert response.json()["summary"]["created"] == 6
    facets = (await client.get("/api/v1/facets?fields=owner&kind=service")).json()
    assert sum(f["count"] for f in facets["owner"]) == 45
    assert _any_kind_under_a_tag(await _snapshot(gantry)) == []
    under_a_tag = (await client.get("/api/v1/facets?fields=owner,kind&tag=python")).json()
    assert {f["value"]: f["count"] for f in under_a_tag["owner"]} == {"team-0": 15, "team-1": 15, "team-2": 15}
    assert under_a_tag["kind"] == [{"value": "Service", "count": 45}]
    # reverse lookups through the keys 0008 filled (svc-1, svc-4, …) and those written since (svc-40, svc-43)
    graph = (await client.get("/api/v1/graph/team/team-1?direction=in")).json()
    assert sorted(n["name"] for n in graph["nodes"] if n["kind"] == "Service") == [
        f"svc-{i}" for i in sorted(range(1, 45, 3), key=lambda i: f"svc-{i}")
    ]
