"""Printing: `-o table|wide|yaml|json|name`, kubectl-style tables (rich on a terminal, imported only then),
YAML and JSON documents, ages and `Kind/name` references."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Format(StrEnum):
    table = "table"
    wide = "wide"
    yaml = "yaml"
    json = "json"
    name = "name"


NONE = "<none>"


def ref(kind: str | None, name: str | None, namespace: str | None = None) -> str:
    """``Service/payment-api``, with `` -n team-a`` when the namespace is not the default one."""
    text = f"{kind}/{name}"
    return text if namespace in (None, "default") else f"{text} -n {namespace}"


def age(timestamp: str | None, now: datetime | None = None) -> str:
    """``45s``, ``12m``, ``5h``, ``3d``, ``2y`` since an RFC 3339 timestamp."""
    if not timestamp:
        return NONE
    try:
        then = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return timestamp
    seconds = max(0, int(((now or datetime.now(UTC)) - then).total_seconds()))
    for unit, size in (("y", 365 * 86400), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size * (2 if unit in ("y", "d") else 1):
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def cell(value: Any) -> str:
    """One table cell: scalars as text, lists joined by commas, mappings as k=v."""
    if value is None or value == "" or value == [] or value == {}:
        return NONE
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if set(value) >= {"kind", "name"}:
            return f"{value['kind']}/{value['name']}"
        return ",".join(f"{k}={cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ",".join(cell(v) for v in value)
    return str(value)


RICH_TABLE_ROWS = 1000  # above this, rich's layout costs seconds: large tables are laid out directly


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, stream: Any = None) -> None:
    """A borderless table like kubectl's: upper-case headers, columns three spaces apart.

    On a terminal rich draws it (bold headers, long cells cut to the window); for pipes and files, and
    for very long tables, the columns are padded directly: nothing is cut, and 6,000 rows take
    milliseconds instead of seconds."""
    out = stream or sys.stdout
    rows = list(rows)
    if out.isatty() and len(rows) <= RICH_TABLE_ROWS:
        _rich_table(headers, rows, out)
        return
    lines = [[h.upper() for h in headers], *rows]
    widths = [max(len(line[c]) for line in lines) for c in range(len(headers))]
    out.write(
        "".join("   ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() + "\n" for line in lines)
    )


def _rich_table(headers: Sequence[str], rows: list[Sequence[str]], out: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    grid = Table(box=None, show_header=True, header_style="bold", pad_edge=False, padding=(0, 3, 0, 0))
    for header in headers:
        grid.add_column(header.upper(), no_wrap=True, overflow="ellipsis")
    for row in rows:
        grid.add_row(*row)
    Console(file=out, highlight=False).print(grid)


def yaml_text(docs: Sequence[Any]) -> str:
    """Documents as a YAML stream (``---`` between documents), keys in their original order."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump_all(docs, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)


def json_text(value: Any) -> str:
    import orjson

    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n"


def emit(value: Any, fmt: Format) -> None:
    """One document (or a list as `{"items": [...]}` / a YAML stream) as JSON or YAML on stdout."""
    if fmt is Format.json:
        sys.stdout.write(json_text(value))
    elif isinstance(value, list):
        sys.stdout.write(yaml_text(value))
    else:
        sys.stdout.write(yaml_text([value]))


def info(message: str) -> None:
    """A note for the person (stderr), kept out of what scripts read from stdout."""
    print(message, file=sys.stderr)
