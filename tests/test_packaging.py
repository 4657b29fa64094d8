"""Packaging (DESIGN §1): `uv build --all-packages --no-sources` builds every wheel, and gantry-core's wheel
carries what the server needs at run time — the migrations, the built web UI, py.typed and its entry points."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "gantry-core"
PACKAGE = CORE / "src" / "gantry_core"


def uv_build(*args: str, cwd: Path) -> None:
    uv = shutil.which("uv")
    assert uv, "uv is needed to build the distributions (see .ci/run)"
    result = subprocess.run([uv, "build", "--no-sources", *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def wheel_files(dist: Path, name: str) -> set[str]:
    wheels = list(dist.glob(f"{name.replace('-', '_')}-*.whl"))
    assert len(wheels) == 1, f"expected one wheel of {name} in {sorted(p.name for p in dist.iterdir())}"
    with zipfile.ZipFile(wheels[0]) as archive:
        return set(archive.namelist())


def read_from_wheel(dist: Path, name: str, suffix: str) -> str:
    wheel = next(dist.glob(f"{name.replace('-', '_')}-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        member = next(n for n in archive.namelist() if n.endswith(suffix))
        return archive.read(member).decode()


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    uv_build("--all-packages", "-o", str(out), cwd=ROOT)
    return out


def test_every_distribution_of_the_workspace_builds_a_wheel(dist: Path) -> None:
    members = ["gantry-core", *sorted(p.name for p in ROOT.glob("gantry-plugin-*") if (p / "pyproject.toml").exists())]
    for member in members:
        wheel_files(dist, member)


def test_the_core_wheel_carries_the_migrations(dist: Path) -> None:
    files = wheel_files(dist, "gantry-core")
    versions = sorted((PACKAGE / "db" / "migrations" / "versions").glob("*.py"))
    assert versions
    for path in versions:
        assert f"gantry_core/db/migrations/versions/{path.name}" in files
    assert "gantry_core/db/migrations/env.py" in files
    assert "gantry_core/db/migrations/script.py.mako" in files
    assert "gantry_core/py.typed" in files


def test_the_core_wheel_carries_the_web_ui_folder(dist: Path) -> None:
    files = wheel_files(dist, "gantry-core")
    static = PACKAGE / "web" / "static"
    present = [p for p in static.rglob("*") if p.is_file()]
    assert present, "web/static is empty (not even .gitkeep)"
    for path in present:
        assert f"gantry_core/web/static/{path.relative_to(static).as_posix()}" in files


def test_the_core_wheel_declares_the_gantry_command_and_the_pytest_plugin(dist: Path) -> None:
    entry_points = read_from_wheel(dist, "gantry-core", ".dist-info/entry_points.txt")
    assert "[console_scripts]\ngantry = gantry_core.cli:main" in entry_points
    assert "[pytest11]\ngantry = gantry_core.testing.pytest_plugin" in entry_points


def test_a_built_ui_ships_in_the_wheel(tmp_path: Path) -> None:
    """The UI build lands in web/static (ignored by git): a wheel built after it must carry it.

    Built from a copy laid out like the checkout (root .gitignore, a .git folder as the boundary hatchling
    looks for), so the real tree's web/static is left alone.
    """
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    shutil.copytree(
        CORE, repo / "gantry-core", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "dist", "build")
    )
    static = repo / "gantry-core" / "src" / "gantry_core" / "web" / "static"
    (static / "assets").mkdir(parents=True, exist_ok=True)
    (static / "index.html").write_text("<!doctype html><title>Gantry</title>")
    (static / "assets" / "app-1234.js").write_text("console.log('gantry')")
    out = tmp_path / "dist"
    uv_build("-o", str(out), cwd=repo / "gantry-core")
    files = wheel_files(out, "gantry-core")
    assert {"gantry_core/web/static/index.html", "gantry_core/web/static/assets/app-1234.js"} <= files
