"""The import-linter contracts of pyproject.toml hold: `gantry` client commands speak HTTP only, and only
`gantry_core.cli.server` (which imports the server inside its commands) may reach server modules."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import gantry_core

ROOT = Path(__file__).resolve().parent.parent
CLIENT_SIDE = {"cli"}  # everything else in gantry_core is the server


def contract() -> dict[str, Any]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    found: dict[str, Any] = next(c for c in config["contracts"] if c["source_modules"] == ["gantry_core.cli"])
    return found


def test_lint_imports_passes() -> None:
    executable = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(executable), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_every_server_module_is_forbidden_to_the_cli() -> None:
    forbidden = set(contract()["forbidden_modules"])
    server = {
        f"gantry_core.{module.name}"
        for module in pkgutil.iter_modules(gantry_core.__path__)
        if module.name not in CLIENT_SIDE
    }
    missing = server - forbidden
    assert not missing, f"add {sorted(missing)} to forbidden_modules of the CLI contract in pyproject.toml"
    assert {"fastapi", "sqlalchemy", "uvicorn"} <= forbidden


def test_only_the_server_commands_may_import_the_server() -> None:
    ignored = contract()["ignore_imports"]
    assert ignored
    assert all(line.startswith("gantry_core.cli.server -> ") for line in ignored), ignored
