"""Every task a person runs. `nox` alone runs the whole test suite (the README's test command)."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["tests", "integration", "web", "e2e"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
DISTRIBUTIONS = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and (p / "pyproject.toml").exists())
PLUGINS = [d for d in DISTRIBUTIONS if d.startswith("gantry-plugin-")]
TEST_DEPS = ["pytest>=8.3", "pytest-asyncio>=1.0", "pytest-xdist>=3.6"]
#: Two workers (the machines this runs on have two cores); a test file stays on one worker, since some
#: modules share one server across their tests.
PARALLEL = ["-n", os.environ.get("GANTRY_TEST_WORKERS", "2"), "--dist", "loadfile"]


def _install(session: nox.Session, *dists: str) -> None:
    """Install distributions from this checkout (editable) plus the test tools, nothing else."""
    session.install(*TEST_DEPS)
    session.install(*[arg for d in dists for arg in ("-e", str(ROOT / d))])


@nox.session
@nox.parametrize("dist", ["gantry-core", *PLUGINS])
def tests(session: nox.Session, dist: str) -> None:
    """Each distribution's own tests, with only the core and that distribution installed."""
    _install(session, *dict.fromkeys(["gantry-core", dist]))
    session.run("pytest", str(ROOT / dist / "tests"), "-q", *PARALLEL, *session.posargs)


@nox.session
def integration(session: nox.Session) -> None:
    """Cross-package tests in tests/: contract, migrations, all plugins together, fuzz, e2e."""
    _install(session, "gantry-core", *PLUGINS)
    session.install("schemathesis>=4.0", "import-linter>=2.1", "alembic>=1.14")
    session.run("pytest", str(ROOT / "tests"), "-q", *PARALLEL, *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and format check, and the import-linter contracts."""
    session.install("ruff>=0.9", "import-linter>=2.1")
    session.install("-e", str(ROOT / "gantry-core"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy over every distribution."""
    _install(session, "gantry-core", *PLUGINS)
    session.install("mypy>=1.15", "types-PyYAML")
    session.run("mypy", *[str(ROOT / d / "src") for d in DISTRIBUTIONS])


@nox.session
def bench(session: nox.Session) -> None:
    """Every benchmark in bench/ (not tests: they print figures, each beside the floor measured in the same
    run). `nox -s bench -- catalog sync` runs only those; pass GANTRY_BENCH_POSTGRES to add PostgreSQL."""
    _install(session, "gantry-core", *PLUGINS)
    session.install("websockets>=13")
    wanted = set(session.posargs)
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        name = script.stem.removeprefix("bench_")
        if not wanted or name in wanted:
            session.run("python", str(script))


@nox.session(python=False)
def build(session: nox.Session) -> None:
    """Build every wheel and sdist into dist/ (no workspace sources, as on PyPI)."""
    session.run("uv", "build", "--all-packages", "--no-sources", "-o", str(ROOT / "dist"), external=True)


WEB = ROOT / "web"
WEB_INDEX = ROOT / "gantry-core" / "src" / "gantry_core" / "web" / "static" / "index.html"


def _build_web(session: nox.Session, *, checks: bool) -> None:
    """Install the web UI's packages, optionally type-check and test it, and build it into gantry_core/web/static."""
    install = "ci" if (WEB / "package-lock.json").exists() else "install"
    with session.chdir(WEB):
        session.run("npm", install, "--no-audit", "--no-fund", external=True)
        if checks:
            session.run("npm", "run", "typecheck", external=True)
            session.run("npm", "test", external=True)
        session.run("npm", "run", "build", external=True)


@nox.session(python=False)
def web(session: nox.Session) -> None:
    """Type-check, unit-test (Vitest) and build the web UI into gantry_core/web/static (needs Node.js 20.19+)."""
    _build_web(session, checks=True)


@nox.session(python=False)
def e2e(session: nox.Session) -> None:
    """End-to-end tests of the web UI: Playwright on /usr/bin/chromium against a real `gantry serve` (builds the UI
    if it is missing; screenshots in test-artifacts/screenshots/). Needs the workspace .venv (`uv sync`)."""
    if not (WEB / "node_modules").exists() or not WEB_INDEX.exists():
        _build_web(session, checks=False)
    with session.chdir(WEB):
        session.run("npx", "playwright", "test", "-c", "e2e", *session.posargs, external=True)


@nox.session
def serve(session: nox.Session) -> None:
    """Run Gantry on SQLite with the demo catalog (the quick start); builds the web UI first if it is missing."""
    if not WEB_INDEX.exists():
        _build_web(session, checks=False)
    _install(session, "gantry-core", *PLUGINS)
    data_dir = os.environ.get("GANTRY_DATA_DIR", str(ROOT / "data"))
    session.run("gantry", "serve", "--demo", *session.posargs, env={"GANTRY_DATA_DIR": data_dir})
