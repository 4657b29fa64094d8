"""Property-based fuzzing of the API from its own OpenAPI document (schemathesis): whatever is sent, the
server answers without a 5xx and every response matches the documented schema (issue: the catalog, §12)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from gantry_core.testing.server import gantry_server
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

PASSWORD = "fuzz-admin-password"
FUZZED = (
    "/api/v1/entities",
    "/api/v1/search",
    "/api/v1/facets",
    "/api/v1/graph",
    "/api/v1/export",
    "/api/v1/apply",
    "/api/v1/schemas",
    "/api/v1/audit",
    "/api/v1/activity",
    "/api/v1/history",
    "/api/v1/auth/apikeys",
    "/api/v1/groups",
    "/api/v1/plugins",
    "/api/v1/dashboard",
    "/api/v1/stats",
)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, dict[str, str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        db = os.environ.get("GANTRY_FUZZ_DB")  # a PostgreSQL URL to fuzz that backend instead
        with gantry_server(
            Path(tmp) / "data", db=db, env={"GANTRY_ADMIN_PASSWORD": PASSWORD}, args=("--demo",)
        ) as running:
            token = httpx.post(
                f"{running.url}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD}
            ).json()["token"]
            yield running.url, {"Authorization": f"Bearer {token}"}


def _schema(url: str) -> schemathesis.schemas.BaseSchema:
    schema = schemathesis.openapi.from_url(f"{url}/api/openapi.json")
    return schema.include(path_regex="^(" + "|".join(FUZZED) + ")")


def test_no_server_errors_and_responses_match_the_schema(server: tuple[str, dict[str, str]]) -> None:
    url, headers = server
    schema = _schema(url)
    failures: list[str] = []
    calls: list[int] = []
    operations = list(schema.get_all_operations())
    assert len(operations) >= 25
    for result in operations:
        operation = result.ok()

        @settings(
            max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            calls.append(1)
            case.call_and_validate(
                base_url=url, headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            check()
        except Exception as exc:  # collect every failing operation, not only the first
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:800]}")
    assert not failures, "\n\n".join(failures)
    assert len(calls) >= 10 * len(operations)  # every operation really was exercised
