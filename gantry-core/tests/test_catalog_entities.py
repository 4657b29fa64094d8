"""Entity CRUD, validation, the one write path, optimistic concurrency (issue: the catalog; F55-F58, F152)."""

from __future__ import annotations

import asyncio
from typing import Any

from gantry_core.db import tables
from gantry_core.testing import Gantry
from sqlalchemy import func, select


def service(name: str = "payment-api", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "gantry.io/v1",
        "kind": "Service",
        "metadata": {"name": name, "owner": "payments", "tags": ["python"], "labels": {"tier": "1"}},
        "spec": {"type": "backend", "lifecycle": "production", **spec},
    }


async def count(gantry: Gantry, table: Any) -> int:
    async with gantry.state.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_create_get_replace_delete(gantry: Gantry) -> None:
    client = await gantry.client("developer")
    created = await client.post("/api/v1/entities", json=service())
    assert created.status_code == 201
    body = created.json()
    assert body["kind"] == "Service"
    assert body["metadata"]["namespace"] == "default"
    assert body["metadata"]["createdBy"] == "developer-user"
    assert body["metadata"]["resourceVersion"] == "1"
    assert created.headers["etag"] == '"1"'

    for kind in ("service", "Service", "SERVICE", "services", "svc"):
        got = await client.get(f"/api/v1/entities/{kind}/payment-api")
        assert got.status_code == 200, kind
        assert got.json() == body

    again = await client.post("/api/v1/entities", json=service())
    assert again.status_code == 409
    assert again.json()["code"] == "already_exists"

    changed = service(system="payments")
    updated = await client.put("/api/v1/entities/service/payment-api", json=changed)
    assert updated.status_code == 200
    assert updated.json()["spec"]["system"] == "payments"
    assert updated.json()["metadata"]["resourceVersion"] == "2"
    assert updated.json()["metadata"]["createdAt"] == body["metadata"]["createdAt"]

    upserted = await client.put("/api/v1/entities/Service/checkout", json=service("checkout"))
    assert upserted.status_code == 201

    deleted = await client.delete("/api/v1/entities/service/payment-api")
    assert deleted.status_code == 204
    assert (await client.get("/api/v1/entities/service/payment-api")).status_code == 404
    assert (await client.delete("/api/v1/entities/service/payment-api")).status_code == 404


async def test_server_managed_metadata_is_set_by_the_server(gantry: Gantry) -> None:
    client = await gantry.client("developer")
    doc = service()
    doc["metadata"].update(
        createdAt="1999-01-01T00:00:00Z", updatedAt="1999-01-01T00:00:00Z", createdBy="mallory", managedBy="evil"
    )
    body = (await client.post("/api/v1/entities", json=doc)).json()
    assert body["metadata"]["createdBy"] == "developer-user"
    assert not body["metadata"]["createdAt"].startswith("1999")
    assert "managedBy" not in body["metadata"]


async def test_unknown_kind_and_identity_mismatch(gantry: Gantry) -> None:
    client = await gantry.client("developer")
    assert (await client.get("/api/v1/entities/flow/x")).json()["code"] == "unknown_kind"
    assert (await client.get("/api/v1/entities/flow")).status_code == 404
    mismatch = await client.put("/api/v1/entities/service/other-name", json=service())
    assert mismatch.status_code == 400
    assert mismatch.json()["code"] == "identity_mismatch"
    kind_mismatch = await client.put("/api/v1/entities/team/payment-api", json=service())
    assert kind_mismatch.json()["code"] == "identity_mismatch"
    body_unknown = await client.post("/api/v1/entities", json={**service(), "kind": "Flow"})
    assert body_unknown.status_code == 422
    assert body_unknown.json()["details"][0]["path"] == "/kind"


async def test_validation_lists_every_failing_path_and_writes_nothing(gantry: Gantry) -> None:
    client = await gantry.client("developer")
    before = await count(gantry, tables.audit_log)
    bad = {
        "apiVersion": "gantry.io/v2",
        "kind": "Service",
        "metadata": {"name": "Not_Kebab", "tags": "python", "surprise": 1},
        "spec": {"type": "mainframe", "dependsOn": [{"kind": "Team", "name": "x"}], "extra": True},
    }
    response = await client.post("/api/v1/entities", json=bad)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    paths = {d["path"] for d in body["details"]}
    assert {
        "/apiVersion",
        "/metadata/name",
        "/metadata/tags",
        "/metadata/surprise",
        "/spec/type",
        "/spec/dependsOn/0/kind",
        "/spec/extra",
    } <= paths
    missing = await client.post("/api/v1/entities", json={"kind": "Service", "metadata": {}, "spec": {}})
    assert {d["path"] for d in missing.json()["details"]} >= {"/metadata/name", "/spec/type"}
    assert await count(gantry, tables.entities) == 0
    assert await count(gantry, tables.audit_log) == before


async def test_bad_bodies_get_the_error_shape(gantry: Gantry) -> None:
    client = await gantry.client("developer")
    not_json = await client.post("/api/v1/entities", content=b"{", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["code"] == "invalid_json"
    a_list = await client.post("/api/v1/entities", json=[service()])
    assert a_list.status_code == 422
    nul = service()
    nul["metadata"]["description"] = "a\x00b"
    nul_response = await client.post("/api/v1/entities", json=nul)
    assert nul_response.status_code == 422
    assert nul_response.json()["details"][0]["path"] == "/metadata/description"
    surrogate = await client.post(
        "/api/v1/entities",
        content=b'{"kind": "Service", "metadata": {"name": "s", "description": "\\ud800", "labels": {"\\udfff": "x"}},'
        b' "spec": {"type": "backend"}}',
        headers={"Content-Type": "application/json"},
    )
    assert surrogate.status_code == 422, surrogate.text
    assert [d["path"] for d in surrogate.json()["details"]] == ["/metadata/description", "/metadata/labels/\\udfff"]
    long_name = await client.post("/api/v1/entities", json=service("a" * 64))
    assert long_name.status_code == 422
    sql = service()
    sql["metadata"]["description"] = "'; DROP TABLE entities; --"
    assert (await client.post("/api/v1/entities", json=sql)).status_code == 201
    emoji = service("emoji")
    emoji["metadata"]["title"] = "Paiement \u202e\U0001f680 e\u0301"
    created = await client.post("/api/v1/entities", json=emoji)
    assert created.status_code == 201
    assert created.json()["metadata"]["title"] == emoji["metadata"]["title"]
    assert await count(gantry, tables.entities) == 2


async def test_unchanged_write_writes_and_audits_nothing(gantry: Gantry) -> None:
    client = await gantry.client("developer")
    first = (await client.put("/api/v1/entities/service/payment-api", json=service())).json()
    audits = await count(gantry, tables.audit_log)
    second = await client.put("/api/v1/entities/service/payment-api", json=service())
    assert second.status_code == 200
    assert second.json() == first
    assert await count(gantry, tables.audit_log) == audits


async def test_writes_are_audited_with_before_and_after(gantry: Gantry) -> None:
    client = await gantry.client("developer")
    await client.post("/api/v1/entities", json=service(), headers={"X-Forwarded-For": "203.0.113.9"})
    await client.put("/api/v1/entities/service/payment-api", json=service(system="core"))
    await client.delete("/api/v1/entities/service/payment-api")
    async with gantry.state.db.read() as conn:
        rows = (
            (
                await conn.execute(
                    select(tables.audit_log)
                    .where(tables.audit_log.c.resource_type == "Service")
                    .order_by(tables.audit_log.c.id)
                )
            )
            .mappings()
            .all()
        )
    assert [r["action"] for r in rows] == ["create", "update", "delete"]
    create, update, delete = rows
    assert create["before"] is None and create["after"]["metadata"]["name"] == "payment-api"
    assert create["ip_address"] == "203.0.113.9"
    assert create["source"] == "api" and create["user_name"] == "developer-user"
    assert update["before"]["spec"].get("system") is None and update["after"]["spec"]["system"] == "core"
    assert delete["after"] is None and delete["before"]["spec"]["system"] == "core"
    cli = await client.post("/api/v1/entities", json=service("cli-made"), headers={"User-Agent": "gantry-cli/0.1.0"})
    assert cli.status_code == 201
    async with gantry.state.db.read() as conn:
        source = (
            await conn.execute(select(tables.audit_log.c.source).where(tables.audit_log.c.resource_name == "cli-made"))
        ).scalar_one()
    assert source == "cli"


async def test_if_match_and_stale_resource_version_get_412(gantry: Gantry) -> None:
    client = await gantry.client("developer")
    await client.post("/api/v1/entities", json=service())
    ok = await client.put("/api/v1/entities/service/payment-api", json=service(system="a"), headers={"If-Match": '"1"'})
    assert ok.status_code == 200
    stale = await client.put(
        "/api/v1/entities/service/payment-api", json=service(system="b"), headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "conflict"
    assert "current is 2" in stale.json()["details"][0]["message"]
    body_rv = service(system="c")
    body_rv["metadata"]["resourceVersion"] = "1"
    assert (await client.put("/api/v1/entities/service/payment-api", json=body_rv)).status_code == 412
    body_rv["metadata"]["resourceVersion"] = "2"
    assert (await client.put("/api/v1/entities/service/payment-api", json=body_rv)).status_code == 200
    assert (await client.delete("/api/v1/entities/service/payment-api", headers={"If-Match": '"2"'})).status_code == 412
    assert (await client.delete("/api/v1/entities/service/payment-api", headers={"If-Match": '"3"'})).status_code == 204
    missing = await client.put("/api/v1/entities/service/ghost", json=service("ghost"), headers={"If-Match": '"1"'})
    assert missing.status_code == 412


async def test_concurrent_editors_never_overwrite_each_other(gantry: Gantry) -> None:
    alice = await gantry.client("developer", "alice")
    bob = await gantry.client("developer", "bob")
    await alice.post("/api/v1/entities", json=service())
    for round_ in range(5):
        version = (await alice.get("/api/v1/entities/service/payment-api")).json()["metadata"]["resourceVersion"]
        results = await asyncio.gather(
            alice.put(
                "/api/v1/entities/service/payment-api",
                json=service(system=f"alice-{round_}"),
                headers={"If-Match": f'"{version}"'},
            ),
            bob.put(
                "/api/v1/entities/service/payment-api",
                json=service(system=f"bob-{round_}"),
                headers={"If-Match": f'"{version}"'},
            ),
        )
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200, 412], statuses
        winner = next(r for r in results if r.status_code == 200).json()["spec"]["system"]
        stored = (await alice.get("/api/v1/entities/service/payment-api")).json()
        assert stored["spec"]["system"] == winner
        assert stored["metadata"]["resourceVersion"] == str(int(version) + 1)


async def test_roles_on_entity_writes(gantry: Gantry) -> None:
    viewer = await gantry.client("viewer")
    assert (await viewer.post("/api/v1/entities", json=service())).status_code == 403
    assert (await viewer.get("/api/v1/entities")).status_code == 200
    anonymous = gantry.anonymous()
    assert (await anonymous.get("/api/v1/entities")).status_code == 401
