"""Reading entity documents for `apply`, `delete -f` and `import`: files, folders (`-R`), stdin; multi-document
YAML and JSON (an object, a list, or `{"items": [...]}` as `get -o json` prints). Each document remembers
where it came from so an error can name the file and document."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
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


def files_of(paths: Sequence[str], *, recursive: bool = False) -> list[tuple[str, Path | None]]:
    """`(label, path)` per file to read, in a stable order; `-` (stdin) has no path. Missing paths fail."""
    found: list[tuple[str, Path | None]] = []
    for given in paths:
        if given == "-":
            found.append(("<stdin>", None))
            continue
        path = Path(given)
        if path.is_dir():
            pattern = path.rglob("*") if recursive else path.glob("*")
            inside = sorted(
                p
                for p in pattern
                if p.suffix.lower() in SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            found.extend((str(p), p) for p in inside)
        elif path.is_file():
            found.append((str(path), path))
        else:
            raise CliError(f"no such file or folder: {given}")
    return found


def read_text(label: str, path: Path | None) -> str:
    if path is None:
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {label}: {getattr(exc, 'strerror', None) or exc}") from None


def _looks_like_json(label: str, text: str) -> bool:
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


def parse(label: str, text: str) -> list[Source]:
    """Every document of one file. A syntax error fails the whole command before anything is sent."""
    if _looks_like_json(label, text):
        import orjson

        try:
            return list(_expand(label, 1, orjson.loads(text)))
        except orjson.JSONDecodeError as exc:
            if label != "<stdin>":
                raise CliError(f"{label} is not valid JSON: {exc}") from None
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    sources: list[Source] = []
    try:
        for index, doc in enumerate(yaml.load_all(text, Loader=loader), start=1):
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
