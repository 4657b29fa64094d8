"""Moving catalogs in and out: `export` (F124, F151) and `import backstage` (F159)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from gantry_core.cli.documents import Source, read_sources
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
from gantry_core.cli.output import Format, emit, info, ref

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
            count = _write_tree(client, params, Path(directory), format)
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


IMPORT_BATCH = 1000  # the server's limit per request
RESULT_WORDS = {"created": "Created", "updated": "Updated", "unchanged": "Unchanged", "valid": "Valid"}


def _ref(value: Any) -> str:
    if not isinstance(value, dict):
        return "?"
    return ref(value.get("kind") or "?", value.get("name") or "?", value.get("namespace"))


def _document_lines(item: dict[str, Any], source: Source | None, mark: dict[str, str]) -> list[str]:
    """One document of the server's import report: what it became, what was mapped, dropped or wrong."""
    status = str(item.get("status"))
    origin = _ref(item.get("source"))
    where = f" ({source.where})" if source is not None else ""
    if status == "error":
        lines = [f"{mark['fail']} Error {origin}{where}"]
    elif status == "skipped":
        reasons = [d.get("reason") for d in item.get("dropped") or [] if not d.get("field")]
        return [f"- Skipped {origin}{where}: {'; '.join(str(r) for r in reasons) or 'no Gantry equivalent'}"]
    else:
        word = RESULT_WORDS.get(str(item.get("result")), "Merged" if item.get("mergedInto") else "Converted")
        lines = [f"{mark['ok']} {word} {origin} → {_ref(item.get('target'))}"]
    if item.get("mapped"):
        lines.append(f"    mapped: {', '.join(str(m) for m in item['mapped'])}")
    for dropped in item.get("dropped") or []:
        lines.append(f"    dropped {dropped.get('field') or '(document)'}: {dropped.get('reason')}")
    for team in item.get("mergedInto") or []:
        lines.append(f"    merged into {_ref(team)}")
    for error in item.get("errors") or []:
        lines.append(f"    {error.get('path') or '(document)'}: {error.get('message')}")
    return lines


def _summary_line(summary: dict[str, Any], dry_run: bool) -> str:
    text = (
        f"{summary.get('documents', 0)} documents: {summary.get('converted', 0)} converted, "
        f"{summary.get('skipped', 0)} skipped, {summary.get('errors', 0)} failed"
    )
    if dry_run:
        return text + "; dry run, nothing was written."
    return (
        text + f"; {summary.get('created', 0)} created, {summary.get('updated', 0)} updated, "
        f"{summary.get('unchanged', 0)} unchanged."
    )


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
    """Import Backstage catalog-info.yaml files through the server's converter and print its report.

    Components become Services (or APIs, Documentation), Groups Teams, Resources Infrastructure; Users join
    their Teams when they are imported together. Exit code 1 when a document could not be imported.
    """
    from gantry_core.cli.apply import marks
    from gantry_core.cli.client import connect

    if not filename:
        raise typer.BadParameter("give -f PATH (a catalog-info.yaml, a folder of them, or -)", param_hint="'-f'")
    if output not in (None, Format.json, Format.yaml):
        raise typer.BadParameter("use json or yaml", param_hint="'-o' / '--output'")
    sources = read_sources(filename, recursive=recursive)
    mark = marks()
    errors = 0
    with connect(server, token, context, timeout=IMPORT_TIMEOUT) as client:
        for start in range(0, len(sources), IMPORT_BATCH):
            batch = sources[start : start + IMPORT_BATCH]
            report = client.post(
                "/api/v1/import/backstage", [s.doc for s in batch], params={"dryRun": "true"} if dry_run else None
            )
            if output is not None:
                emit(report, output)
                continue
            lines = []
            for item in report.get("documents") or []:
                index = item.get("index")
                source = batch[index] if isinstance(index, int) and 0 <= index < len(batch) else None
                lines += _document_lines(item, source, mark)
            print("\n".join(lines))
            print(_summary_line(report.get("summary") or {}, dry_run))
            errors += int((report.get("summary") or {}).get("errors", 0))
    if errors:
        raise CliError(f"{errors} Backstage documents could not be imported")


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    import_app.command("backstage")(import_backstage)
    app.add_typer(import_app, name="import")
