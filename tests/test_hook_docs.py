"""docs/plugin-hooks.md documents every hook of hookspecs.py with its exact signature, every hook has a
`test_hook_<name>` test, and the examples on the page make a plugin that loads."""

from __future__ import annotations

import ast
import inspect
import re
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gantry_core.app import build_host
from gantry_core.plugins import hookspecs
from gantry_core.plugins.manager import PluginSource
from gantry_core.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "plugin-hooks.md"
TEST_DIRS = [ROOT / "gantry-core" / "tests", ROOT / "tests"]


def hooks() -> dict[str, Callable[..., Any]]:
    marker = f"{hookspecs.PROJECT}_spec"
    return {name: fn for name, fn in vars(hookspecs).items() if callable(fn) and hasattr(fn, marker)}


def signature(name: str, fn: Callable[..., Any]) -> str:
    """The hook's signature as written in hookspecs.py (annotations are strings there)."""
    sig = inspect.signature(fn)
    params = ", ".join(
        p.name if p.annotation is inspect.Parameter.empty else f"{p.name}: {p.annotation}"
        for p in sig.parameters.values()
    )
    return f"{name}({params}) -> {sig.return_annotation}"


def sections() -> dict[str, str]:
    """`## heading` → the text up to the next heading of the same level."""
    parts = re.split(r"^## (.+)$", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def code_blocks(text: str, language: str = "python") -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def test_there_are_hooks_to_document() -> None:
    assert len(hooks()) == 8


@pytest.mark.parametrize("name", sorted(hooks()))
def test_every_hook_is_documented_with_its_exact_signature(name: str) -> None:
    section = sections().get(name)
    assert section is not None, f"docs/plugin-hooks.md has no '## {name}' section"
    blocks = code_blocks(section)
    assert blocks, f"the {name} section has no code"
    assert blocks[0].strip() == signature(name, hooks()[name]), f"the signature of {name} in the docs is stale"
    for part in ("**Returns**", "**What the core does**", "**Example**"):
        assert part in section, f"the {name} section lacks {part}"
    example = "\n".join(blocks[1:])
    assert "@hookimpl" in example and re.search(rf"def {name}\(", example), f"{name} has no example implementation"


def test_no_section_documents_a_hook_that_does_not_exist() -> None:
    documented = {title for title in sections() if title.startswith("gantry_")}
    assert documented == set(hooks())


def defined_tests() -> set[str]:
    names: set[str] = set()
    for folder in TEST_DIRS:
        for path in folder.rglob("test_*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names |= {
                node.name
                for node in ast.walk(tree)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_hook_")
            }
    return names


@pytest.mark.parametrize("name", sorted(hooks()))
def test_every_hook_has_a_test(name: str) -> None:
    assert f"test_hook_{name}" in defined_tests(), f"no test_hook_{name} under gantry-core/tests or tests/"


def test_the_examples_make_a_plugin_that_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("plugin_hooks_md_examples")
    for title, section in sections().items():
        if title.startswith("gantry_"):
            for block in code_blocks(section)[1:]:
                exec(compile(block, f"{DOC}#{title}", "exec"), module.__dict__)
    monkeypatch.chdir(tmp_path)
    source = PluginSource(id="widgets", distribution="gantry-plugin-widgets", version="1.0.0", obj=module)
    host = build_host(load_settings(data_dir=tmp_path / "data"), [source], autoload=False)
    record = host.plugins["widgets"]
    assert record.error is None
    assert record.kinds == ["Widget"]
    assert record.jobs == ["widgets"]
    assert record.action_types == ["widget-rebuild"]
    assert record.ui_extensions == ["widgets-tab"]
    assert [r["path"] for r in record.routes] == ["/api/v1/plugins/widgets/widgets", "/api/v1/plugins/widgets/info"]
    assert set(host.manager.impls("gantry_lifespan")) >= {"widgets"}
    assert set(host.manager.impls("gantry_on_entity_event")) >= {"widgets"}
