"""Moving catalogs in and out: `export` (F124, F151) and `import backstage` (F159)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from gantry_core.cli.documents import files_of, read_text
from gantry_core.cli.errors import CliError, handles_errors
from gantry_core.cli.options import (
    ContextOpt,
    DirOpt,
    FilesOpt,
    NamespaceOpt,
    RecursiveOpt,
    ServerOpt,
    TokenOpt,
)
from gantry_core.cli.output import Format, emit, info

EXPORT_TIMEOUT = 600.0
IMPORT_TIMEOUT = 300.0
# A path segment written by `export --dir`: what the server returns is still checked before it names a file.
SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")

import_app = typer.Typer(help="Import catalogs from other tools.", no_args_is_help=True)


def _segment(value: Any) -> str:
    text = str(value)
    if not SAFE_SEGMENT.match(text) or text in (".", ".."):
        raise CliError(f"refusing to write a file named {text!r} (not a plain kind, namespace or name)")
    return text


def _write_tree(client: Any, params: dict[str, Any], root: Path, fmt: str) -> int:
    """Write `root/Kind/namespace/name.yaml` (or `.json`) per entity from the ndjson export stream."""
    import orjson

    from gantry_core.cli.output import json_text, yaml_text

    count = 0
    with client.stream("GET", "/api/v1/export", {**params, "format": "ndjson"}) as response:
        for line in response.iter_lines():
            if not line.strip():
                continue
            doc = orjson.loads(line)
            md = doc.get("metadata") or {}
            folder = root / _segment(doc.get("kind")) / _segment(md.get("namespace") or "default")
            folder.mkdir(parents=True, exist_ok=True)
            text = json_text(doc) if fmt == "json" else yaml_text([doc])
            (folder / f"{_segment(md.get('name'))}.{fmt}").write_text(text, encoding="utf-8")
            count += 1
    return count


@handles_errors
def export(
    format: Annotated[str, typer.Option("--format", help="yaml, json or ndjson")] = "yaml",
    namespace: NamespaceOpt = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind", show_default=False)] = None,
    directory: DirOpt = None,
    server: ServerOpt = None,
    token: TokenOpt = None,
    context: ContextOpt = None,
) -> None:
    """Export the catalog (all namespaces unless -n) to stdout, or to DIR as Kind/namespace/name.yaml."""
    from gantry_core.cli import kinds
    from gantry_core.cli.client import connect

    if format not in ("yaml", "json", "ndjson"):
        raise typer.BadParameter("use yaml, json or ndjson", param_hint="'--format'")
    if directory is not None and format == "ndjson":
        raise typer.BadParameter("--dir writes one yaml or json file per entity", param_hint="'--format'")
    with connect(server, token, context, timeout=EXPORT_TIMEOUT) as client:
        params: dict[str, Any] = {"format": format}
        if namespace:
            params["namespace"] = namespace
        if kind:
            params["kind"] = kinds.resolve(client, kind).name
        if directory is not None:
            count = _write_tree(client, params, directory, format)
            info(f"Exported {count} entities to {directory}")
            return
        out = sys.stdout.buffer
        last = b"\n"
        with client.stream("GET", "/api/v1/export", params) as response:
            for chunk in response.iter_bytes():
                if chunk:
                    out.write(chunk)
                    last = chunk[-1:]
        if last != b"\n":
            out.write(b"\n")
        out.flush()


# -- import backstage --------------------------------------------------------------------------------


def _report_items(report: Any) -> list[dict[str, Any]]:
    if isinstance(report, list):
        return [i for i in report if isinstance(i, dict)]
    if isinstance(report, dict):
        for key in ("results", "documents", "items", "report"):
            if isinstance(report.get(key), list):
                return [i for i in report[key] if isinstance(i, dict)]
    return []


def _entity_ref(value: Any) -> str | None:
    if isinstance(value, dict):
        md = value["metadata"] if isinstance(value.get("metadata"), dict) else value
        if value.get("kind") and md.get("name"):
            return f"{value['kind']}/{md['name']}"
    return str(value) if isinstance(value, str) and value else None


def _item_lines(item: dict[str, Any], mark: dict[str, str]) -> tuple[list[str], bool]:
    source = _entity_ref(item.get("source")) or _entity_ref(
        {"kind": item.get("sourceKind") or item.get("backstageKind"), "name": item.get("sourceName")}
    )
    target = _entity_ref(item.get("entity")) or _entity_ref(item)
    status = str(item.get("status") or ("error" if item.get("errors") or item.get("error") else "converted"))
    errors = item.get("errors") or ([item["error"]] if item.get("error") else [])
    failed = bool(errors) or status in ("error", "failed", "invalid")
    label = " → ".join(x for x in (source, target) if x) or f"document {item.get('index', '?')}"
    symbol = mark["fail"] if failed else ("-" if status == "skipped" else mark["ok"])
    lines = [f"{symbol} {status.capitalize()} {label}"]
    if item.get("reason"):
        lines.append(f"    reason: {item['reason']}")
    for key in ("mapped", "dropped"):
        values = item.get(key)
        if values:
            shown = values if isinstance(values, list) else [f"{k} → {v}" for k, v in dict(values).items()]
            lines.append(f"    {key}: {', '.join(str(v) for v in shown)}")
    for error in errors:
        if isinstance(error, dict):
            lines.append(f"    {error.get('path') or '(document)'}: {error.get('message')}")
        else:
            lines.append(f"    {error}")
    return lines, failed


@handles_errors
def import_backstage(
    filename: FilesOpt = None,
    recursive: RecursiveOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Convert and report; write nothing")] = False,
    output: Annotated[
        Format | None, typer.Option("--output", "-o", help="Print the server's report as json or yaml")
    ] = None,
    server: ServerOpt = None,
    token: TokenOpt = None,
    context: ContextOpt = None,
) -> None:
    """Import Backstage catalog-info.yaml files through the server's converter, with its report."""
    from gantry_core.cli.apply import marks
    from gantry_core.cli.client import connect

    if not filename:
        raise typer.BadParameter("give -f PATH (a catalog-info.yaml, a folder of them, or -)", param_hint="'-f'")
    if output not in (None, Format.json, Format.yaml):
        raise typer.BadParameter("use json or yaml", param_hint="'-o' / '--output'")
    mark = marks()
    failed = 0
    with connect(server, token, context, timeout=IMPORT_TIMEOUT) as client:
        for label, path in files_of(filename, recursive=recursive):
            text = read_text(label, path)
            response = client.request(
                "POST",
                "/api/v1/import/backstage",
                params={"dryRun": "true"} if dry_run else None,
                content=text.encode("utf-8"),
                headers={"Content-Type": "application/yaml"},
            )
            report = response.json() if response.content else {}
            if output is not None:
                emit(report, output)
                continue
            print(f"{label}:")
            for item in _report_items(report):
                lines, bad = _item_lines(item, mark)
                failed += bad
                print("\n".join(f"  {line}" for line in lines))
            summary = report.get("summary") if isinstance(report, dict) else None
            if isinstance(summary, dict):
                print("  " + ", ".join(f"{v} {k}" for k, v in summary.items()))
    if failed:
        raise CliError(f"{failed} Backstage documents could not be imported")


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    import_app.command("backstage")(import_backstage)
    app.add_typer(import_app, name="import")
