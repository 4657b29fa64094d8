"""Discovery through the `gantry.plugins` entry-point group (DESIGN §1-2), with distributions that
importlib.metadata finds on the path exactly as it finds pip-installed ones."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from gantry_core import __version__
from gantry_core.app import create_app
from gantry_core.builtins import builtin_sources
from gantry_core.plugins.manager import PluginLoadError, discover
from gantry_core.settings import load_settings
from gantry_core.testing import Harness
from gantry_core.testing.distributions import write_distribution

BUILTINS = [source.id for source in builtin_sources(__version__)]  # never blockable, loaded first

PLUGIN = """
from gantry_core.plugins import PluginManifest, hookimpl

@hookimpl
def gantry_plugin_manifest():
    return PluginManifest(id="{pid}", title="{title}", version="{version}", category="integration")
"""

MISSPELLED = """
from gantry_core.plugins import hookimpl

@hookimpl
def gantry_registr_routes():
    return []
"""

BROKEN = """
import gantry_plugin_dependency_that_is_not_installed
"""


def module_name(stem: str) -> str:
    """Module names unique to one test, so no module cached by an earlier test is reused."""
    return f"{stem}_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on sys.path for distributions written by the test; the working dir is a clean tmp dir."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("GANTRY_") and key != "GANTRY_TEST_DATABASE_URL":
            monkeypatch.delenv(key)
    return folder


def add_plugin(site: Path, dist: str, pid: str, source: str | None = None, version: str = "1.2.3") -> str:
    module = module_name(pid.replace("-", "_"))
    code = source if source is not None else PLUGIN.format(pid=pid, title=pid.title(), version=version)
    write_distribution(site, dist, version, plugins={pid: module}, modules={module: code})
    return module


def test_installed_plugins_are_found_with_their_distribution(site: Path) -> None:
    add_plugin(site, "gantry-plugin-alpha", "alpha", version="0.4.1")
    found = {source.id: source for source in discover()}
    assert found["alpha"].distribution == "gantry-plugin-alpha"
    assert found["alpha"].version == "0.4.1"
    assert found["alpha"].builtin is False


async def test_a_discovered_plugin_is_listed_as_available(site: Path, gantry_harness: Harness) -> None:
    add_plugin(site, "gantry-plugin-alpha", "alpha", version="0.4.1")
    async with gantry_harness(autoload=True) as gantry:
        client = await gantry.client("viewer")
        items = {item["id"]: item for item in (await client.get("/api/v1/plugins")).json()["items"]}
    assert items["alpha"]["distribution"] == "gantry-plugin-alpha"
    assert items["alpha"]["version"] == "0.4.1"
    assert items["alpha"]["status"] == "available"
    assert items["alpha"]["builtin"] is False


def test_duplicate_ids_from_two_distributions_stop_start_up(site: Path) -> None:
    add_plugin(site, "gantry-plugin-first", "twin")
    add_plugin(site, "gantry-plugin-second", "twin")
    with pytest.raises(PluginLoadError) as caught:
        create_app(load_settings(), autoload=True)
    message = str(caught.value)
    assert message.startswith("plugin id 'twin' is registered by two distributions: ")
    assert "gantry-plugin-first" in message and "gantry-plugin-second" in message


def test_an_installed_plugin_cannot_take_a_builtin_id(site: Path) -> None:
    add_plugin(site, "gantry-plugin-impostor", "catalog")
    with pytest.raises(PluginLoadError, match="'catalog' is registered by two distributions: gantry-core and gantry"):
        create_app(load_settings(), autoload=True)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (MISSPELLED, "unknown hook 'gantry_registr_routes'"),
        (BROKEN, "ModuleNotFoundError: No module named 'gantry_plugin_dependency_that_is_not_installed'"),
    ],
)
def test_a_plugin_that_fails_to_load_stops_start_up(site: Path, source: str, reason: str) -> None:
    add_plugin(site, "gantry-plugin-broken", "broken", source)
    with pytest.raises(PluginLoadError) as caught:
        create_app(load_settings(), autoload=True)
    message = str(caught.value)
    assert message.startswith("plugin 'broken' (gantry-plugin-broken) failed to load: ")
    assert reason in message


async def test_with_skip_a_plugin_that_fails_to_load_is_listed_with_its_reason(
    site: Path, gantry_harness: Harness
) -> None:

    add_plugin(site, "gantry-plugin-broken", "broken", BROKEN)
    add_plugin(site, "gantry-plugin-alpha", "alpha")
    async with gantry_harness(autoload=True, plugins_on_error="skip") as gantry:
        client = await gantry.client("viewer")
        items = {item["id"]: item for item in (await client.get("/api/v1/plugins")).json()["items"]}
        one = (await (await gantry.client("platform-engineer")).get("/api/v1/plugins/broken")).json()
    assert items["broken"]["status"] == "error"
    assert items["broken"]["distribution"] == "gantry-plugin-broken"
    assert "No module named 'gantry_plugin_dependency_that_is_not_installed'" in items["broken"]["error"]
    assert one["status"] == "error"
    assert items["alpha"]["status"] == "available"


def test_block_and_allow_lists_apply_to_installed_plugins(site: Path) -> None:
    add_plugin(site, "gantry-plugin-alpha", "alpha")
    add_plugin(site, "gantry-plugin-beta", "beta")
    add_plugin(site, "gantry-plugin-broken", "broken", BROKEN)

    ours = {*BUILTINS, "alpha", "beta", "broken"}  # other installed plugins (say, kubernetes) aside

    def loaded(**overrides: Any) -> list[str]:
        app = create_app(load_settings(**overrides), autoload=True)
        return [pid for pid in app.state.gantry.host.plugins if pid in ours]

    assert loaded(plugins_block=["broken"]) == [*BUILTINS, "alpha", "beta"]
    assert loaded(plugins_allow=["beta"]) == [*BUILTINS, "beta"]
    assert loaded(plugins_allow=["alpha", "beta"], plugins_block=["beta", *BUILTINS]) == [*BUILTINS, "alpha"]


def run_gantry(site: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GANTRY_")}
    return subprocess.run(
        [sys.executable, "-c", "from gantry_core.cli import main; main()", *args],
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(site), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_gantry_serve_refuses_duplicate_ids_in_one_line_and_writes_nothing(site: Path, tmp_path: Path) -> None:
    add_plugin(site, "gantry-plugin-first", "twin")
    add_plugin(site, "gantry-plugin-second", "twin")
    work = tmp_path / "work"
    work.mkdir()
    result = run_gantry(site, work, "serve", "--port", "1")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gantry: plugin id 'twin' is registered by two distributions: ")
    assert "gantry-plugin-first" in lines[0] and "gantry-plugin-second" in lines[0]
    assert list(work.iterdir()) == []


def test_gantry_serve_refuses_a_broken_plugin_unless_told_to_skip(site: Path, tmp_path: Path) -> None:
    add_plugin(site, "gantry-plugin-broken", "broken", MISSPELLED)
    work = tmp_path / "work"
    work.mkdir()
    result = run_gantry(site, work, "serve")
    assert result.returncode == 2
    assert result.stderr.startswith("gantry: plugin 'broken' (gantry-plugin-broken) failed to load: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(work.iterdir()) == []

    listed = run_gantry(site, work, "plugins", "list", GANTRY_PLUGINS_ON_ERROR="skip")
    assert listed.returncode == 0, listed.stderr
    line = next(line for line in listed.stdout.splitlines() if line.startswith("broken "))
    assert "gantry-plugin-broken" in line and "error: unknown hook 'gantry_registr_routes'" in line
