"""The ``gantry`` pytest plugin (entry point ``pytest11``): fixtures for core and plugin tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gantry_core.testing import Gantry, Harness, test_database_url

try:  # the fixtures are async; without pytest-asyncio (extra `gantry-core[testing]`) they are left out
    import pytest_asyncio
except ImportError:  # pragma: no cover
    pytest_asyncio = None  # type: ignore[assignment]


_fixture = pytest_asyncio.fixture if pytest_asyncio is not None else pytest.fixture


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests using the harness run on SQLite, and on PostgreSQL too when GANTRY_TEST_DATABASE_URL is set."""
    if "gantry_backend" in metafunc.fixturenames:
        backends = ["sqlite", "postgresql"] if test_database_url() else ["sqlite"]
        metafunc.parametrize("gantry_backend", backends, scope="function")


@_fixture
async def gantry_harness(tmp_path: Path, gantry_backend: str) -> AsyncIterator[Harness]:
    """Build apps on throw-away databases: ``async with gantry_harness(plugins=[...]) as gantry``."""
    harness = Harness(tmp_path, backend=gantry_backend)
    try:
        yield harness
    finally:
        await harness.aclose()


@_fixture
async def gantry(gantry_harness: Harness) -> AsyncIterator[Gantry]:
    """A running app with only the built-in plugins, on a throw-away database."""
    async with gantry_harness() as running_app:
        yield running_app


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs GANTRY_TEST_DATABASE_URL (PostgreSQL); skipped without it")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `postgres` are skipped when GANTRY_TEST_DATABASE_URL is not set."""
    if test_database_url():
        return
    skip = pytest.mark.skip(reason="needs GANTRY_TEST_DATABASE_URL")
    for item in items:
        if item.get_closest_marker("postgres") is not None:
            item.add_marker(skip)
