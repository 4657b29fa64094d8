"""Writing the catalog: `apply -f` through `POST /api/v1/apply` (F123, F153) and `delete` (F163)."""

from __future__ import annotations

import re
import sys
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

import typer

from gantry_core.cli.catalog import DEFAULT_NAMESPACE, named_ref
from gantry_core.cli.documents import Source, read_sources
from gantry_core.cli.errors import CliError, handles_errors
from gantry_core.cli.options import ContextOpt, FilesOpt, NamespaceOpt, RecursiveOpt, ServerOpt, TokenOpt
from gantry_core.cli.output import ref

if TYPE_CHECKING:
    from concurrent.futures import Future

    from gantry_core.cli.client import Client
    from gantry_core.cli.kinds import Kinds

BATCH = 1000  # the server's limit per request (F153)
WORKERS = 2  # batches in flight at once, within one kind
APPLY_TIMEOUT = 300.0

DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Validate on the server; write nothing")]


def marks() -> dict[str, str]:
    """✓ ✗ where the output can show them, else ASCII (a Windows pipe in a legacy code page)."""
    try:
        "✓✗".encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return {"ok": "+", "fail": "x"}
    return {"ok": "✓", "fail": "✗"}


# A top-level `kind:` line of a YAML document (block style): enough to order files before parsing them.
KIND_LINE = re.compile(r"""^kind:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#'"]+))""", re.MULTILINE)


@dataclass(frozen=True)
class Unparsed:
    """A YAML file whose documents all declare one kind (by their `kind:` lines): parsed when its turn comes."""

    label: str
    text: str
    count: int


class Plan:
    """Every document to apply, in the F123 kind order, handed out in batches of ≤1,000 of one kind.

    Files are read and their `kind:` lines looked at first; the YAML of a one-kind file is parsed only when
    its kind's turn comes, so parsing overlaps with the server writing the batches before it. A file that
    is not valid YAML or JSON is reported and skipped; the rest is still applied.
    """

    def __init__(self, paths: Sequence[str], known: Kinds, *, recursive: bool) -> None:
        from gantry_core.cli.documents import files_of, looks_like_json, read_text
        from gantry_core.cli.kinds import apply_rank

        self.known = known
        self.rank = apply_rank
        self.broken: list[CliError] = []
        self.units: list[tuple[str, Source | Unparsed]] = []
        for label, path in files_of(paths, recursive=recursive):
            text = read_text(label, path)
            declared = None if looks_like_json(label, text) else self._declared(text)
            if declared is not None and len(set(declared)) == 1:
                self.units.append((declared[0], Unparsed(label, text, len(declared))))
            else:
                self.units += [(self.kind_of(s), s) for s in self._parse(label, text)]
        self.units.sort(key=lambda unit: self.rank(unit[0]))  # stable: file order within a kind

    @property
    def estimate(self) -> int:
        return sum(u.count if isinstance(u, Unparsed) else 1 for _, u in self.units)

    def kind_of(self, source: Source) -> str:
        found = self.known.find(source.kind) if source.kind else None
        return found.name if found else (source.kind or "")

    def _declared(self, text: str) -> list[str] | None:
        names = [next(g for g in m.groups() if g is not None) for m in KIND_LINE.finditer(text)]
        if not names:
            return None
        found = [self.known.find(n) for n in names]
        return [f.name if f else n for f, n in zip(found, names, strict=True)]

    def _parse(self, label: str, text: str) -> list[Source]:
        from gantry_core.cli.documents import parse

        try:
            return parse(label, text)
        except CliError as exc:
            self.broken.append(exc)
            return []

    def batches(self, on_broken: Callable[[CliError], None]) -> Iterator[tuple[str, list[Source]]]:
        """`(kind, documents)` in order. A document whose kind differs from its file's `kind:` lines waits
        for its own kind's turn."""
        for exc in self.broken:
            on_broken(exc)
        waiting: dict[str, list[Source]] = defaultdict(list)
        for kind, group in groupby(self.units, key=lambda unit: unit[0]):
            for early in sorted((k for k in waiting if self.rank(k) < self.rank(kind)), key=self.rank):
                yield from self._chunks(early, waiting.pop(early))
            batch = waiting.pop(kind, [])
            for _, unit in group:
                if isinstance(unit, Unparsed):
                    before = len(self.broken)
                    sources = self._parse(unit.label, unit.text)
                    for exc in self.broken[before:]:
                        on_broken(exc)
                else:
                    sources = [unit]
                for source in sources:
                    actual = self.kind_of(source)
                    if actual != kind and self.rank(actual) > self.rank(kind):
                        waiting[actual].append(source)
                        continue
                    batch.append(source)
                    if len(batch) == BATCH:
                        yield kind, batch
                        batch = []
            if batch:
                yield kind, batch
        for kind in sorted(waiting, key=self.rank):
            yield from self._chunks(kind, waiting[kind])

    @staticmethod
    def _chunks(kind: str, sources: list[Source]) -> Iterator[tuple[str, list[Source]]]:
        for i in range(0, len(sources), BATCH):
            yield kind, sources[i : i + BATCH]


class Report:
    """Prints one line per entity as results arrive, keeps the counts, draws a bar on a terminal."""

    def __init__(self, estimate: int, *, dry_run: bool) -> None:
        self.estimate = estimate
        self.total = 0  # documents seen (a file that cannot be read counts as one)
        self.dry_run = dry_run
        self.counts = {"created": 0, "updated": 0, "unchanged": 0, "valid": 0, "skipped": 0, "failed": 0}
        self.mark = marks()
        self.progress: Any = None
        self.task: Any = None

    def __enter__(self) -> Report:
        if sys.stdout.isatty() and self.estimate > 1:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("Validating" if self.dry_run else "Applying"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=True,
            )
            self.progress.__enter__()
            self.task = self.progress.add_task("apply", total=self.estimate)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(None, None, None)

    def broken(self, exc: CliError) -> None:
        """A file that is not valid YAML or JSON: reported, counted as one failure, the rest goes on."""
        self.total += 1
        self.counts["failed"] += 1
        print(f"{self.mark['fail']} {exc.message}", file=sys.stderr, flush=True)

    def batch(self, sources: Sequence[Source], results: Sequence[dict[str, Any]]) -> None:
        self.total += len(sources)
        out: list[str] = []
        errors: list[str] = []
        ok = self.mark["ok"]
        words = {
            "created": (ok, "Created"),
            "updated": (ok, "Updated"),
            "unchanged": ("=", "Unchanged"),
            "valid": (ok, "Valid"),
            "skipped": ("-", "Skipped"),
        }
        for source, result in zip(sources, results, strict=True):
            status = str(result.get("status"))
            name = ref(result.get("kind") or source.kind, result.get("name") or source.name, source.namespace)
            if status in words:
                self.counts[status] += 1
                mark, word = words[status]
                out.append(f"{mark} {word} {name}")
                continue
            self.counts["failed"] += 1
            word = "Invalid" if status == "invalid" else "Failed"
            errors.append(f"{self.mark['fail']} {word} {name} ({source.where}): {result.get('error') or status}")
            errors += [f"    {d.get('path') or '(document)'}: {d.get('message')}" for d in result.get("details") or []]
        if out:
            print("\n".join(out), flush=True)
        if errors:
            print("\n".join(errors), file=sys.stderr, flush=True)
        if self.progress is not None:
            self.progress.advance(self.task, len(sources))

    def summary(self) -> str:
        c = self.counts
        if self.dry_run:
            return f"Dry run: {c['valid']} valid, {c['failed']} invalid; nothing was written."
        text = f"{c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged, {c['failed']} failed"
        if c["skipped"]:
            text += f", {c['skipped']} skipped"
        return f"{self.total} entities: {text}."


def _send(client: Client, batch: Sequence[Source], dry_run: bool) -> list[dict[str, Any]]:
    body = {"entities": [s.doc for s in batch], "dryRun": dry_run, "atomic": False}
    answer = client.post("/api/v1/apply", body)
    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list) or len(results) != len(batch):
        raise CliError(f"{client.server} answered /api/v1/apply with an unexpected body")
    return results


@handles_errors
def apply(
    filename: FilesOpt = None,
    recursive: RecursiveOpt = False,
    dry_run: DryRunOpt = False,
    server: ServerOpt = None,
    token: TokenOpt = None,
    context: ContextOpt = None,
) -> None:
    """Create or update entities from YAML/JSON files (multi-document); never deletes anything.

    Kinds are written in the order Teams, Environments, Infrastructure, Services, APIs, Documentation,
    Actions. Exit code 1 when any document is invalid or fails.
    """
    from concurrent.futures import ThreadPoolExecutor

    from gantry_core.cli import kinds
    from gantry_core.cli.client import connect

    if not filename:
        raise CliError("give at least one -f FILE, DIR or -", exit_code=2)
    with connect(server, token, context, timeout=APPLY_TIMEOUT) as client:
        plan = Plan(filename, kinds.load(client), recursive=recursive)
        if not plan.units and not plan.broken:
            raise CliError(f"no documents found in {', '.join(filename)}")
        with Report(plan.estimate, dry_run=dry_run) as report, ThreadPoolExecutor(WORKERS) as pool:
            in_flight: deque[tuple[list[Source], Future[list[dict[str, Any]]]]] = deque()

            def settle(keep: int) -> None:
                while len(in_flight) > keep:
                    batch, future = in_flight.popleft()
                    report.batch(batch, future.result())

            current = None
            try:
                for kind, batch in plan.batches(report.broken):
                    # Kinds go one after the other (F123); the batches of one kind go two at a time while
                    # the next one is parsed.
                    settle(0 if kind != current else WORKERS - 1)
                    current = kind
                    in_flight.append((batch, pool.submit(_send, client, batch, dry_run)))
                settle(0)
            except BaseException:
                for _, future in in_flight:
                    future.cancel()
                raise
    print(report.summary())
    if report.counts["failed"]:
        raise CliError(f"{report.counts['failed']} of {report.total} documents failed")


# -- delete ------------------------------------------------------------------------------------------


@handles_errors
def delete(
    kind: Annotated[str | None, typer.Argument(metavar="KIND", help="Kind (any name or alias)")] = None,
    name: Annotated[str | None, typer.Argument(metavar="NAME", help="Entity name", show_default=False)] = None,
    namespace: NamespaceOpt = None,
    filename: FilesOpt = None,
    recursive: RecursiveOpt = False,
    ignore_not_found: Annotated[
        bool, typer.Option("--ignore-not-found", help="Succeed when an entity does not exist")
    ] = False,
    server: ServerOpt = None,
    token: TokenOpt = None,
    context: ContextOpt = None,
) -> None:
    """Delete one entity (`gantry delete service payment-api`) or every entity in files (`-f`)."""
    from gantry_core.cli import kinds
    from gantry_core.cli.client import connect
    from gantry_core.cli.kinds import apply_rank

    if filename and kind:
        raise typer.BadParameter("give KIND NAME or -f FILE, not both", param_hint="KIND")
    targets: list[tuple[str | None, str | None, str, str]] = []  # kind, name, namespace, where
    if filename:
        for source in read_sources(filename, recursive=recursive):
            targets.append((source.kind, source.name, source.namespace, source.where))
    elif kind:
        kind, name = named_ref(kind, name, "delete")
        targets.append((kind, name, namespace or DEFAULT_NAMESPACE, ""))
    else:
        raise typer.BadParameter("give KIND NAME or -f FILE", param_hint="KIND")
    mark = marks()
    failed = 0
    with connect(server, token, context) as client:
        known = kinds.load(client)
        resolved = [(known.find(k) if k else None, k, n, ns, where) for k, n, ns, where in targets]
        resolved.sort(key=lambda t: apply_rank(t[0].name if t[0] else ""), reverse=True)
        for found, given_kind, entity, ns, where in resolved:
            place = f" ({where})" if where else ""
            if found is None or not entity:
                problem = f"unknown kind {given_kind!r}" if entity else "no kind and metadata.name"
                print(f"{mark['fail']} {ref(given_kind, entity, ns)}{place}: {problem}", file=sys.stderr)
                failed += 1
                continue
            path = f"/api/v1/entities/{quote(found.name, safe='')}/{quote(entity, safe='')}"
            response = client.request("DELETE", path, params={"namespace": ns}, expect=(204, 404))
            if response.status_code == 204:
                print(f"{mark['ok']} Deleted {ref(found.name, entity, ns)}", flush=True)
            elif not ignore_not_found:
                failed += 1
                print(f"{mark['fail']} {ref(found.name, entity, ns)}{place}: not found", file=sys.stderr)
    if failed:
        raise CliError(f"{failed} of {len(targets)} deletions failed")


def register(app: typer.Typer) -> None:
    app.command("apply")(apply)
    app.command("delete")(delete)
