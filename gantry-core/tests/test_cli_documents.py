"""How `gantry apply` reads files (no server needed): its YAML loader gives what PyYAML's safe loader gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from gantry_core.cli.documents import load_yaml, parse, read_sources
from gantry_core.cli.errors import CliError

STREAMS = [
    "apiVersion: gantry.io/v1\nkind: Service\nmetadata: {name: a, tags: [x, y]}\nspec: {type: backend}\n",
    "a: 1\nb: true\nc: null\nd: 2024-01-01\ne: [1, 'x', {f: 1.5, g: ~}]\nh: '007'\n",
    "base: &b {x: 1, y: [1, 2]}\nother: *b\n",
    "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",
    "---\n---\nk: v\n---\n- 1\n- two\n",
    "s: !!str 123\nn: !!int '5'\n",
    "1: one\n2.5: half\nnull: nothing\n",
    'text: |\n  line one\n  line two\nfolded: >\n  a\n  b\nquoted: "tab\\there"\n',
    "emoji: \"\\u2713 done\"\nstars: '**bold** *not an alias*'\n",
]


@pytest.mark.parametrize("text", STREAMS)
def test_load_yaml_matches_the_safe_loader(text: str) -> None:
    assert list(load_yaml(text)) == list(yaml.safe_load_all(text))


def test_load_yaml_keeps_recursive_aliases() -> None:
    [doc] = list(load_yaml("r: &r [1, *r]\n"))
    assert doc["r"][1] is doc["r"]


def test_parse_names_each_document_and_item() -> None:
    sources = parse("all.yaml", "kind: Team\nmetadata: {name: a}\n---\n---\nitems:\n- {kind: Team}\n- {kind: API}\n")
    assert [s.where for s in sources] == [
        "all.yaml, document 1",
        "all.yaml, document 3, item 1",
        "all.yaml, document 3, item 2",
    ]
    assert [s.kind for s in sources] == ["Team", "Team", "API"]
    json_list = parse("list.json", '[{"kind": "Team", "metadata": {"name": "j"}}]')
    assert json_list[0].where == "list.json, document 1, item 1" and json_list[0].name == "j"


def test_parse_reports_the_line_of_a_syntax_error() -> None:
    with pytest.raises(CliError, match=r"^bad.yaml is not valid YAML \(line 2, column 1\): "):
        parse("bad.yaml", "a: [1,\n")


def test_read_sources_walks_folders_in_order_and_skips_hidden_and_other_files(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("kind: Team\nmetadata: {name: b}\n")
    (tmp_path / "a.yml").write_text("kind: Team\nmetadata: {name: a}\n")
    (tmp_path / "notes.md").write_text("# not a catalog file")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.json").write_text('{"kind": "Team", "metadata": {"name": "c"}}')
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "d.yaml").write_text("kind: Team\nmetadata: {name: d}\n")
    assert [s.name for s in read_sources([str(tmp_path)])] == ["a", "b"]
    assert [s.name for s in read_sources([str(tmp_path)], recursive=True)] == ["a", "b", "c"]
