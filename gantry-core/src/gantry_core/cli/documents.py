"""Reading entity documents for `apply`, `delete -f` and `import`: files, folders (`-R`), stdin; multi-document
YAML and JSON (an object, a list, or `{"items": [...]}` as `get -o json` prints). Each document remembers
where it came from so an error can name the file and document."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from gantry_core.cli.errors import CliError

SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Source:
    """One document and where it was read: ``services.yaml, document 3``."""

    file: str
    index: int
    doc: Any
    item: int | None = None

    @property
    def where(self) -> str:
        place = f"{self.file}, document {self.index}"
        return place if self.item is None else f"{place}, item {self.item}"

    @property
    def kind(self) -> str | None:
        kind = self.doc.get("kind") if isinstance(self.doc, dict) else None
        return kind if isinstance(kind, str) else None

    @property
    def name(self) -> str | None:
        md = self.doc.get("metadata") if isinstance(self.doc, dict) else None
        name = md.get("name") if isinstance(md, dict) else None
        return name if isinstance(name, str) else None

    @property
    def namespace(self) -> str:
        md = self.doc.get("metadata") if isinstance(self.doc, dict) else None
        ns = md.get("namespace") if isinstance(md, dict) else None
        return ns if isinstance(ns, str) and ns else "default"


def _inside(folder: str, recursive: bool) -> list[str]:
    """The YAML and JSON files in `folder` (and below it with `recursive`), hidden ones left out."""
    if not recursive:
        with os.scandir(folder) as entries:
            return [e.path for e in entries if _wanted(e.name) and e.is_file()]
    found = []
    for parent, folders, files in os.walk(folder):
        folders[:] = [f for f in folders if not f.startswith(".")]
        found += [os.path.join(parent, f) for f in files if _wanted(f)]
    return found


def _wanted(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(SUFFIXES)


def files_of(paths: Sequence[str], *, recursive: bool = False) -> list[tuple[str, str | None]]:
    """`(label, path)` per file to read, sorted within each folder; `-` (stdin) has no path. Missing paths
    fail."""
    found: list[tuple[str, str | None]] = []
    for given in paths:
        if given == "-":
            found.append(("<stdin>", None))
        elif os.path.isdir(given):
            found.extend((p, p) for p in sorted(_inside(given, recursive)))
        elif os.path.isfile(given):
            found.append((given, given))
        else:
            raise CliError(f"no such file or folder: {given}")
    return found


def read_text(label: str, path: str | None) -> str:
    if path is None:
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {label}: {getattr(exc, 'strerror', None) or exc}") from None


def looks_like_json(label: str, text: str) -> bool:
    if label.lower().endswith(".json"):
        return True
    return label == "<stdin>" and text.lstrip()[:1] in ("{", "[")


def _expand(file: str, index: int, doc: Any) -> Iterator[Source]:
    """A list, or a `{"items": [...]}` wrapper without a kind, holds several entities."""
    items = None
    if isinstance(doc, list):
        items = doc
    elif isinstance(doc, dict) and "kind" not in doc and isinstance(doc.get("items"), list):
        items = doc["items"]
    if items is None:
        yield Source(file, index, doc)
    else:
        for i, item in enumerate(items, start=1):
            yield Source(file, index, item, item=i)


STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"


class _Repeated(Exception):
    """A node met twice (an alias): leave the document to PyYAML's own constructor."""


class _Builder:
    """Builds a composed YAML document: mappings, lists and strings directly, anything else by PyYAML."""

    def __init__(self, loader: Any, aliases_possible: bool) -> None:
        from yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self.loader = loader
        self.types = (MappingNode, ScalarNode, SequenceNode)
        self.seen: set[int] | None = set() if aliases_possible else None

    def build(self, node: Any) -> Any:
        if self.seen is not None:
            if id(node) in self.seen:
                raise _Repeated
            self.seen.add(id(node))
        mapping, scalar, sequence = self.types
        kind = type(node)
        if kind is scalar and node.tag == STR_TAG:
            return node.value
        if kind is mapping and node.tag == MAP_TAG:
            out = {}
            for key, value in node.value:
                if type(key) is not scalar or key.tag != STR_TAG:
                    return self.loader.construct_object(node, deep=True)
                out[key.value] = self.build(value)
            return out
        if kind is sequence and node.tag == SEQ_TAG:
            return [self.build(item) for item in node.value]
        return self.loader.construct_object(node, deep=True)


def load_yaml(text: str) -> Iterator[Any]:
    """Every document of a YAML stream, as ``yaml.safe_load_all`` gives them, but faster.

    Entities are plain mappings, lists and strings: those nodes are built directly and anything else
    (numbers, booleans, dates, merge keys) by PyYAML's safe constructor. A document with an alias
    (``*name``) is built entirely by PyYAML, which keeps shared and recursive nodes right.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    builder = _Builder(loader, aliases_possible="*" in text)
    try:
        while loader.check_node():
            node = loader.get_node()
            try:
                yield builder.build(node)
            except _Repeated:
                yield loader.construct_document(node)
            if builder.seen is not None:
                builder.seen.clear()
    finally:
        loader.dispose()


def parse(label: str, text: str) -> list[Source]:
    """Every document of one file. A syntax error fails the whole command before anything is sent."""
    if looks_like_json(label, text):
        import orjson

        try:
            return list(_expand(label, 1, orjson.loads(text)))
        except orjson.JSONDecodeError as exc:
            if label != "<stdin>":
                raise CliError(f"{label} is not valid JSON: {exc}") from None
    import yaml

    sources: list[Source] = []
    try:
        for index, doc in enumerate(load_yaml(text), start=1):
            if doc is not None:
                sources.extend(_expand(label, index, doc))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CliError(f"{label} is not valid YAML{where}: {problem}") from None
    return sources


def read_sources(paths: Sequence[str], *, recursive: bool = False) -> list[Source]:
    """Every document in `paths`; fails when there is none at all."""
    if not paths:
        raise CliError("give at least one -f FILE, DIR or -", exit_code=2)
    sources: list[Source] = []
    for label, path in files_of(paths, recursive=recursive):
        sources.extend(parse(label, read_text(label, path)))
    if not sources:
        raise CliError(f"no documents found in {', '.join(paths)}")
    return sources
