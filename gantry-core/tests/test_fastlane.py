"""The fast lane for `GET /api/v1/entities/{kind}/{name}` answers exactly as the declared route does,
and hands every request it does not fully understand on to FastAPI (api/fastlane.py)."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from gantry_core.api.fastlane import FastLane
from gantry_core.catalog.service import _GET_ENTITY, get_entity
from gantry_core.db.engine import Database
from gantry_core.testing import Gantry, Harness
from sqlalchemy import text
from starlette.types import Receive, Scope, Send


def without_lane(app: FastAPI) -> FastAPI:
    """The same app (state, routes, database) with the lane taken out of the middleware stack."""
    clone = copy.copy(app)
    clone.user_middleware = [m for m in app.user_middleware if m.cls is not FastLane]
    clone.middleware_stack = None
    return clone


def service(name: str, namespace: str = "default") -> dict[str, Any]:
    return {
        "apiVersion": "gantry.io/v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "owner": "payments", "tags": ["go"], "labels": {"a": "b"}},
        "spec": {"type": "backend", "lifecycle": "production"},
    }


LONG = "n" * 64
PATHS = [
    "/api/v1/entities/service/payments",
    "/api/v1/entities/Service/payments",
    "/api/v1/entities/services/payments",
    "/api/v1/entities/svc/payments",
    "/api/v1/entities/service/payments?namespace=default",
    "/api/v1/entities/service/payments?namespace=team-a",
    "/api/v1/entities/service/payments?namespace=",
    "/api/v1/entities/service/missing",
    "/api/v1/entities/nokind/payments",
    "/api/v1/entities/service/pay%2Fments",
    "/api/v1/entities/service/payments/",
    f"/api/v1/entities/service/payments?namespace={LONG}",
    "/api/v1/entities/service/payments?namespace=a&namespace=team-a",
    "/api/v1/entities/service/payments?other=1",
]


def same(lane: httpx.Response, route: httpx.Response) -> None:
    assert lane.status_code == route.status_code, (lane.text, route.text)
    assert lane.json() == route.json()
    for header in ("content-type", "etag", "www-authenticate", "retry-after"):
        assert lane.headers.get(header) == route.headers.get(header), header
    assert "x-request-id" in lane.headers


@pytest.mark.parametrize("role", ["viewer", "admin", None, "bad-token"])
async def test_lane_answers_as_the_route_does(gantry: Gantry, role: str | None) -> None:
    writer = await gantry.client("developer")
    for doc in (service("payments"), service("payments", "team-a")):
        assert (
            await writer.put(f"/api/v1/entities/service/payments?namespace={doc['metadata']['namespace']}", json=doc)
        ).status_code == 201
    headers = {}
    if role == "bad-token":
        headers = {"Authorization": "Bearer not-a-token"}
    elif role is not None:
        headers = {"Authorization": f"Bearer {await gantry.token(role)}"}
    plain = without_lane(gantry.app)
    async with (
        httpx.AsyncClient(transport=gantry.transport, base_url="http://testserver", headers=headers) as lane,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=plain), base_url="http://testserver", headers=headers
        ) as route,
    ):
        for path in PATHS:
            same(await lane.get(path), await route.get(path))
        if role in ("viewer", "admin"):
            got = await lane.get("/api/v1/entities/svc/payments?namespace=team-a")
            assert got.status_code == 200
            assert got.json()["metadata"]["namespace"] == "team-a"
            assert got.headers["etag"] == '"1"'


async def test_lane_takes_only_requests_it_fully_understands(gantry: Gantry) -> None:
    passed: list[str] = []

    async def router(scope: Scope, receive: Receive, send: Send) -> None:
        passed.append(scope["path"] + ("?" + scope["query_string"].decode() if scope["query_string"] else ""))
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    lane = FastLane(router)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = gantry.app
        await lane(scope, receive, send)

    token = await gantry.token("viewer")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers={"Authorization": f"Bearer {token}"}
    ) as client:
        taken = PATHS[:9]
        for path in taken:
            assert (await client.get(path)).status_code in (200, 404), path
        assert passed == []
        for path in PATHS[9:]:
            assert (await client.get(path)).status_code == 299, path
        assert (await client.head(PATHS[0])).status_code == 299
        assert (await client.delete(PATHS[0])).status_code == 299
        assert (await client.get("/api/v1/entities/service")).status_code == 299
        assert len(passed) == len(PATHS) - 9 + 3


async def test_read_one_returns_what_a_read_transaction_returns(gantry: Gantry) -> None:
    writer = await gantry.client("developer")
    assert (await writer.post("/api/v1/entities", json=service("payments"))).status_code == 201
    params = {"kind": "Service", "namespace": "default", "name": "payments"}
    async with gantry.state.db.read() as conn:
        row = await get_entity(conn, "Service", "default", "payments")
    assert row is not None
    one = await gantry.state.db.read_one(_GET_ENTITY, params)
    assert one is not None
    assert dict(one) == dict(row)
    assert isinstance(one["metadata"], dict)
    assert one["created_at"] == row["created_at"]
    assert await gantry.state.db.read_one(_GET_ENTITY, {**params, "name": "missing"}) is None


@pytest.mark.postgres
async def test_read_one_survives_a_connection_the_server_dropped(tmp_path: Path) -> None:
    """PostgreSQL: lookups take pooled connections without pinging them first; one the server has
    dropped (a restart, a failover) costs that lookup a retry on a new connection, never an error."""
    harness = Harness(tmp_path, backend="postgresql")
    try:
        async with harness() as gantry:
            writer = await gantry.client("developer")
            assert (await writer.post("/api/v1/entities", json=service("payments"))).status_code == 201
            params = {"kind": "Service", "namespace": "default", "name": "payments"}
            db = gantry.state.db
            assert (await db.read_one(_GET_ENTITY, params)) is not None
            async with db._single.connect() as conn:  # the pooled connection the next lookup takes
                pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            async with db.engine.connect() as other:
                assert (await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()
            row = await db.read_one(_GET_ENTITY, params)
            assert row is not None and row["name"] == "payments"
            async with db._single.connect() as conn:
                assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one() != pid
            response = await writer.get("/api/v1/entities/service/payments")
            assert response.status_code == 200
    finally:
        await harness.aclose()


@pytest.mark.postgres
async def test_a_transaction_never_starts_on_a_connection_the_server_dropped(tmp_path: Path) -> None:
    """PostgreSQL: a connection leaving the transactions' pool is pinged and, when the server has
    dropped it, replaced before the transaction starts."""
    harness = Harness(tmp_path, backend="postgresql")
    try:
        async with harness() as gantry:
            db = gantry.state.db
            writer = await gantry.client("developer")
            await db.engine.dispose()  # the pool now holds one connection: the one this read opens
            async with db.read() as conn:
                pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            async with db._single.connect() as other:
                assert (await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()
            assert (await writer.post("/api/v1/entities", json=service("payments"))).status_code == 201
            async with db.read() as conn:
                assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one() != pid
                assert (await get_entity(conn, "Service", "default", "payments")) is not None
    finally:
        await harness.aclose()


@pytest.mark.postgres
async def test_db_pool_size_caps_the_connections_of_transactions_and_of_lookups(tmp_path: Path) -> None:
    """PostgreSQL: GANTRY_DB_POOL_SIZE connections at most for transactions, and as many for lookups;
    more concurrent work waits its turn (and succeeds) instead of opening more connections."""
    harness = Harness(tmp_path, backend="postgresql")
    try:
        async with harness(db_pool_size=2) as gantry:
            db = gantry.state.db
            writer = await gantry.client("developer")
            assert (await writer.post("/api/v1/entities", json=service("payments"))).status_code == 201
            params = {"kind": "Service", "namespace": "default", "name": "payments"}

            async def in_transaction() -> int:
                async with db.read() as conn:
                    found = await conn.execute(text("SELECT pg_backend_pid(), pg_sleep(0.05)"))
                    return int(found.scalar_one())

            async def in_lookup() -> int:
                async with db._single.connect() as conn:
                    found = await conn.execute(text("SELECT pg_backend_pid(), pg_sleep(0.05)"))
                    return int(found.scalar_one())

            transactions = await asyncio.gather(*(in_transaction() for _ in range(8)))
            lookups = await asyncio.gather(*(in_lookup() for _ in range(8)))
            assert len(set(transactions)) <= 2 and len(set(lookups)) <= 2
            assert not set(transactions) & set(lookups)
            # requests queue the same way, and every one of them is answered
            answers = await asyncio.gather(
                *(writer.get("/api/v1/entities/service/payments") for _ in range(6)),
                *(writer.get("/api/v1/entities?kind=service") for _ in range(6)),
            )
            assert [r.status_code for r in answers] == [200] * 12
            assert (await db.read_one(_GET_ENTITY, params)) is not None
            assert (db.engine.pool.size(), db._single.pool.size()) == (2, 2)
    finally:
        await harness.aclose()


@pytest.mark.postgres
async def test_no_free_connection_in_time_answers_503_and_changes_nothing(tmp_path: Path) -> None:
    """PostgreSQL: a request that finds every pooled connection busy for too long is answered 503
    `not_ready` with Retry-After, through the lane and the routes alike, and writes nothing."""
    harness = Harness(tmp_path, backend="postgresql")
    try:
        async with harness() as gantry:
            writer = await gantry.client("developer")
            assert (await writer.post("/api/v1/entities", json=service("payments"))).status_code == 201
            roomy = gantry.state.db
            gantry.state.db = Database.open(gantry.state.settings.database_url, pool_size=1, wait=0.2)
            try:
                async with gantry.state.db.read(), gantry.state.db._single.connect():  # every connection busy
                    answers = [
                        await writer.get("/api/v1/entities/service/payments"),
                        await writer.get("/api/v1/entities?kind=service"),
                        await writer.post("/api/v1/entities", json=service("orders")),
                    ]
                for answer in answers:
                    assert answer.status_code == 503, answer.text
                    assert answer.json()["code"] == "not_ready"
                    assert answer.headers["retry-after"] == "1"
                assert (await writer.get("/api/v1/entities/service/payments")).status_code == 200
                assert (await writer.get("/api/v1/entities/service/orders")).status_code == 404
            finally:
                await gantry.state.db.dispose()
                gantry.state.db = roomy
    finally:
        await harness.aclose()
