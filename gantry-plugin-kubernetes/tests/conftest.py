"""Fixtures: the replay server and a Gantry with the kubernetes plugin configured against it."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helpers beside the tests (pytest runs with importlib)

from gantry_core.testing import Gantry, Harness
from gantry_plugin_kubernetes import plugin
from k8s_replay import ReplayServer, replay_server

PLUGIN = "/api/v1/plugins/kubernetes"


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with replay_server() as server:
        yield server


def cluster_config(server: ReplayServer, name: str, token: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "url": server.url(name), "token": token or server.clusters[name].token, **extra}


async def configure(gantry: Gantry, clusters: Sequence[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """PUT the config, enable the plugin (which runs the first sync) and return that sync run."""
    pe = await gantry.client("platform-engineer")
    saved = await pe.put(f"{PLUGIN}/config", json={"clusters": list(clusters), "syncInterval": "", **extra})
    assert saved.status_code == 200, saved.text
    enabled = await pe.put(f"{PLUGIN}/enable", json={"enabled": True})
    assert enabled.status_code == 200, enabled.text
    await gantry.state.scheduler.wait_idle("kubernetes")
    return await latest_run(gantry)


async def sync(gantry: Gantry) -> dict[str, Any]:
    pe = await gantry.client("platform-engineer")
    started = await pe.post(f"{PLUGIN}/sync")
    assert started.status_code == 202, started.text
    await gantry.state.scheduler.wait_idle("kubernetes")
    return await latest_run(gantry)


async def latest_run(gantry: Gantry) -> dict[str, Any]:
    pe = await gantry.client("platform-engineer")
    runs = (await pe.get(f"{PLUGIN}/sync-runs")).json()
    run: dict[str, Any] = runs["items"][0]
    return run


@pytest.fixture
async def k8s(gantry_harness: Harness) -> AsyncIterator[Gantry]:
    """A running Gantry with the kubernetes plugin installed (not yet configured)."""
    async with gantry_harness(plugins=[plugin]) as gantry:
        yield gantry
