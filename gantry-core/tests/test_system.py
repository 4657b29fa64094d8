"""Health, readiness, metrics, request ids, the error shape and the SPA fallback (issue: core platform)."""

from __future__ import annotations

from gantry_core.testing import Gantry


async def test_healthz_and_readyz(gantry: Gantry) -> None:
    client = gantry.anonymous()
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_503_when_the_database_is_gone(gantry: Gantry) -> None:
    from gantry_core.db.engine import Database

    await gantry.state.db.dispose()
    if gantry.state.db.dialect == "sqlite":  # a file that cannot be opened
        gantry.state.db = Database.open("sqlite+aiosqlite:////nonexistent-dir/x.db")
    else:  # a server that is not there
        gantry.state.db = Database.open("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    response = await gantry.anonymous().get("/readyz")
    assert response.status_code == 503
    assert response.json()["code"] == "not_ready"


async def test_every_response_has_a_request_id(gantry: Gantry) -> None:
    client = gantry.anonymous()
    first = await client.get("/healthz")
    assert len(first.headers["x-request-id"]) == 32
    echoed = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    refused = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert refused.headers["x-request-id"] != "bad id with spaces"
    missing = await client.get("/api/v1/nothing-here")
    assert "x-request-id" in missing.headers


async def test_unknown_api_path_uses_the_error_shape(gantry: Gantry) -> None:
    response = await gantry.anonymous().get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json() == {"error": "no route for GET /api/v1/does-not-exist", "code": "not_found"}


async def test_validation_errors_use_the_error_shape(gantry: Gantry) -> None:
    client = gantry.anonymous()
    bad_json = await client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400
    assert bad_json.json()["code"] == "invalid_json"
    missing = await client.post("/api/v1/auth/login", json={"username": "x"})
    assert missing.status_code == 422
    body = missing.json()
    assert body["code"] == "validation_failed"
    assert {"path": "/password", "message": "Field required"} in body["details"]


async def test_metrics_expose_the_documented_series(gantry: Gantry) -> None:
    client = gantry.anonymous()
    await client.get("/healthz")
    text = (await client.get("/metrics")).text
    assert 'gantry_http_requests_total{method="GET",status="200"}' in text
    assert "gantry_request_duration_seconds_bucket" in text
    assert "gantry_entities_total 0.0" in text


async def test_non_api_paths_serve_the_spa_or_the_build_hint(gantry: Gantry) -> None:
    response = await gantry.anonymous().get("/catalog/service/payment-api")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Gantry" in response.text


async def test_openapi_and_docs_are_served(gantry: Gantry) -> None:
    client = gantry.anonymous()
    spec = (await client.get("/api/openapi.json")).json()
    assert "/api/v1/schemas/{kind}" in spec["paths"]
    docs = await client.get("/api/docs")
    assert docs.status_code == 200
