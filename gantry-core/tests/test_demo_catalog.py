"""`gantry serve --demo`: a realistic catalog loaded into an empty database through the write path (issue 4 §9)."""

from __future__ import annotations

from collections import Counter

from gantry_core.catalog.demo import demo_entities
from gantry_core.db.tables import audit_log, entities, entity_relations
from gantry_core.testing import Gantry, Harness
from sqlalchemy import and_, func, select

SEVEN_KINDS = {"Service", "API", "Team", "Environment", "Infrastructure", "Action", "Documentation"}


async def _count(gantry: Gantry, table: object) -> int:
    async with gantry.state.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def test_demo_catalog_is_complete_and_consistent(gantry_harness: Harness) -> None:
    async with gantry_harness(demo=True) as gantry:
        viewer = await gantry.client("viewer")
        stats = (await viewer.get("/api/v1/stats")).json()
        assert stats["total"] >= 55
        assert set(stats["byKind"]) == SEVEN_KINDS
        assert all(stats["byKind"][kind] > 0 for kind in SEVEN_KINDS), stats
        assert stats["total"] == len(demo_entities())

        # Every relation target exists: no dangling owner, dependency, environment, API or document link.
        async with gantry.state.db.read() as conn:
            target = entities.alias("target")
            dangling = (
                await conn.execute(
                    select(entity_relations.c.type, entity_relations.c.target_kind, entity_relations.c.target_name)
                    .outerjoin(
                        target,
                        and_(
                            target.c.kind == entity_relations.c.target_kind,
                            target.c.namespace == entity_relations.c.target_namespace,
                            target.c.name == entity_relations.c.target_name,
                        ),
                    )
                    .where(target.c.id.is_(None))
                )
            ).all()
            relation_types = Counter(r[0] for r in (await conn.execute(select(entity_relations.c.type))).all())
        assert dangling == []
        assert {"ownedBy", "dependsOn", "deployedIn", "providesApis", "consumesApis", "documents"} <= set(
            relation_types
        )

        services = (await viewer.get("/api/v1/entities/service", params={"limit": 500})).json()["items"]
        assert len(services) >= 15
        for svc in services:
            assert svc["metadata"]["owner"]
            assert svc["metadata"]["tags"]
            assert svc["spec"]["links"]
            assert "healthCheckUrl" not in svc["spec"]
            graph = (await viewer.get(f"/api/v1/graph/service/{svc['metadata']['name']}", params={"depth": 2})).json()
            assert [n for n in graph["nodes"] if n.get("missing")] == [], svc["metadata"]["name"]
        payment = (await viewer.get("/api/v1/graph/service/payment-api")).json()
        assert {"team/payments", "infrastructure/payments-db", "api/payments-api", "environment/production-eu"} <= {
            n["id"] for n in payment["nodes"]
        }

        # Written by the write path: searchable, audited as the system, created by `system`.
        found = (await viewer.get("/api/v1/search", params={"q": "payment"})).json()
        assert "payment-api" in [i["name"] for i in found["items"]]
        one = (await viewer.get("/api/v1/entities/team/payments")).json()
        assert one["metadata"]["createdBy"] == "system"
        assert len(one["spec"]["members"]) >= 2
        admin = await gantry.client("admin")
        audit = (await admin.get("/api/v1/audit", params={"user": "system", "limit": 500})).json()
        assert audit["total"] == stats["total"]
        assert {e["source"] for e in audit["items"]} == {"system"}
        assert {e["action"] for e in audit["items"]} == {"create"}

        actions = {a["metadata"]["name"]: a for a in (await viewer.get("/api/v1/entities/action")).json()["items"]}
        create = actions["create-service"]
        assert create["metadata"]["title"] == "Create a new service"
        assert create["spec"]["type"] == "internal"
        assert create["spec"]["config"]["operation"] == "catalog.apply"
        assert {i["name"] for i in create["spec"]["inputs"]} >= {"name", "owner", "type"}
        assert any(a["spec"]["type"] == "webhook" for a in actions.values())


async def test_demo_loads_once_and_never_into_a_filled_catalog(gantry_harness: Harness) -> None:
    async with gantry_harness(demo=True) as first:
        db = first.state.settings.db
        total = await _count(first, entities)
        audited = await _count(first, audit_log)
    async with gantry_harness(demo=True, db=db) as second:
        assert await _count(second, entities) == total
        assert await _count(second, audit_log) == audited
        viewer = await second.client("viewer")
        versions = {
            e["metadata"]["resourceVersion"]
            for e in (await viewer.get("/api/v1/entities", params={"limit": 500})).json()["items"]
        }
        assert versions == {"1"}

    async with gantry_harness() as plain:
        db = plain.state.settings.db
        dev = await plain.client("developer")
        created = await dev.post(
            "/api/v1/entities",
            json={"apiVersion": "gantry.io/v1", "kind": "Team", "metadata": {"name": "mine"}, "spec": {}},
        )
        assert created.status_code == 201
    async with gantry_harness(demo=True, db=db) as later:
        assert await _count(later, entities) == 1


async def test_without_the_flag_nothing_is_loaded(gantry: Gantry) -> None:
    assert await _count(gantry, entities) == 0


async def test_the_demo_create_service_action_creates_a_service(gantry_harness: Harness) -> None:
    import asyncio

    async with gantry_harness(demo=True) as gantry:
        client = await gantry.client("developer")
        inputs = {"name": "brand-new", "owner": "platform", "type": "backend", "lifecycle": "experimental"}
        response = await client.post("/api/v1/actions/create-service/execute", json={"inputs": inputs})
        assert response.status_code == 201, response.text
        run_id = response.json()["id"]
        for _ in range(100):
            run = (await client.get(f"/api/v1/actions/create-service/runs/{run_id}")).json()
            if run["status"] not in ("pending", "running"):
                break
            await asyncio.sleep(0.05)
        assert run["status"] == "success", run
        created = (await client.get("/api/v1/entities/service/brand-new")).json()
        assert created["metadata"]["owner"] == "platform" and created["spec"]["lifecycle"] == "experimental"
