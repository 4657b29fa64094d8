"""The plugin keeps to the contract: it imports only `gantry_core.plugins` (and, in tests, `gantry_core.testing`)
from the core, loads without the `kubernetes` client, and is found through its entry point."""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib.metadata import entry_points, version
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "gantry_plugin_kubernetes"


def test_only_the_plugin_contract_is_imported_from_the_core() -> None:
    for path in SRC.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("gantry_core"):
                    assert name == "gantry_core.plugins", f"{path.name} imports {name}"


def test_loading_the_plugin_does_not_import_the_kubernetes_client() -> None:
    code = "import sys, gantry_plugin_kubernetes.plugin; print('kubernetes' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_entry_point_and_version() -> None:
    (found,) = [ep for ep in entry_points(group="gantry.plugins") if ep.name == "kubernetes"]
    assert found.value == "gantry_plugin_kubernetes.plugin"
    from gantry_plugin_kubernetes import __version__

    assert version("gantry-plugin-kubernetes") == __version__
