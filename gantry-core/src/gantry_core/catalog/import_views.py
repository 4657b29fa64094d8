"""`POST /import/backstage` (F159): Backstage catalog-info.yaml documents in, Gantry entities out.

The body is YAML text (one or more ``---`` separated documents; ``application/yaml`` or ``text/plain``)
or a JSON list of documents. Each document is converted (catalog/backstage.py), validated like any
entity, then everything converted is written in one transaction through the write path (audited with
the caller and source ``api``/``cli``); ``?dryRun=true`` stops after validation. The answer reports,
per document, what it became, which fields were mapped and which were dropped and why.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import yaml
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from gantry_core.api.deps import Developer, State
from gantry_core.api.errors import GantryError
from gantry_core.catalog import backstage
from gantry_core.catalog import events as catalog_events
from gantry_core.catalog.documents import Document, InvalidDocument, parse
from gantry_core.catalog.service import WriteError, write_many
from gantry_core.catalog.views import actor, canonical_kind

router = APIRouter(tags=["catalog"])

MAX_BODY = 5 * 1024 * 1024
MAX_DOCUMENTS = 1000
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"})


class EntityRef(BaseModel):
    kind: str
    namespace: str
    name: str


class SourceRef(BaseModel):
    kind: str | None = Field(description="The Backstage kind")
    name: str | None = Field(description="The Backstage metadata.name")


class Dropped(BaseModel):
    field: str = Field(description="Backstage field left out (empty: the whole document)")
    reason: str


class Problem(BaseModel):
    path: str
    message: str


class DocumentReport(BaseModel):
    index: int = Field(description="Position of the document in the request (0-based)")
    source: SourceRef
    status: str = Field(description="converted, skipped or error")
    target: EntityRef | None = Field(description="The Gantry entity it became (for a User: its first Team)")
    mapped: list[str] = Field(description="Fields carried over, with how they were renamed or converted")
    dropped: list[Dropped] = Field(description="Fields left out and why")
    errors: list[Problem] = Field(description="Why the document could not be imported")
    mergedInto: list[EntityRef] = Field(description="Teams a User was added to")
    result: str | None = Field(description="created, updated or unchanged (valid on a dry run); null if not written")


class ImportSummary(BaseModel):
    documents: int
    converted: int
    skipped: int
    errors: int
    created: int
    updated: int
    unchanged: int


class ImportOut(BaseModel):
    dryRun: bool
    documents: list[DocumentReport]
    summary: ImportSummary


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without aliases: ``*ref`` can expand a small file into gigabytes."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not supported", event.start_mark)
        return super().compose_node(parent, index)


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> GantryError:
    return GantryError(413, "payload_too_large", f"the body is larger than {MAX_BODY // (1024 * 1024)} MB")


def _documents(content_type: str, body: bytes) -> list[Any]:
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise GantryError(
                400, "invalid_json", "request body is not valid JSON", [{"path": "body", "message": str(exc)}]
            ) from None
        documents = data if isinstance(data, list) else [data]
    elif media in YAML_TYPES:
        try:
            documents = [d for d in yaml.load_all(body, Loader=_NoAliasLoader) if d is not None]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise GantryError(
                400,
                "invalid_yaml",
                f"request body is not valid YAML ({where}{problem})",
                [{"path": "body", "message": f"{where}{problem}"}],
            ) from None
    else:
        raise GantryError(
            415,
            "unsupported_media_type",
            "send YAML (Content-Type: application/yaml or text/plain) or a JSON list (application/json)",
            [{"path": "Content-Type", "message": f"{media or '(none)'} is not accepted"}],
        )
    if not documents:
        raise GantryError(422, "validation_failed", "no documents in the body", [{"path": "/", "message": "empty"}])
    if len(documents) > MAX_DOCUMENTS:
        raise GantryError(
            422,
            "validation_failed",
            f"at most {MAX_DOCUMENTS} documents per import",
            [{"path": "/", "message": f"{len(documents)} documents"}],
        )
    return documents


_OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string", "description": "catalog-info.yaml documents"}},
            "text/plain": {"schema": {"type": "string", "description": "catalog-info.yaml documents"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}


@router.post(
    "/import/backstage",
    summary="Import Backstage catalog-info.yaml documents (YAML text or a JSON list)",
    openapi_extra=_OPENAPI_BODY,
)
async def import_backstage(
    request: Request,
    state: State,
    user: Developer,
    dry_run: Annotated[bool, Query(alias="dryRun", description="Convert and validate; write nothing")] = False,
) -> ImportOut:
    documents = _documents(request.headers.get("content-type", ""), await _body(request))
    conversion = backstage.convert(documents)
    reports = conversion.reports
    results: dict[int, str] = {}
    docs: list[Document] = []
    positions: list[int] = []
    for index, entity in conversion.entities.items():
        try:
            docs.append(parse(state.host, entity))
        except InvalidDocument as exc:
            reports[index].status = "error"
            reports[index].errors.extend({"path": d["path"], "message": d["message"]} for d in exc.details)
            continue
        positions.append(index)
    _fail_users_of_failed_teams(reports)
    if dry_run:
        results = {index: "valid" for index in positions}
    elif docs:
        async with state.db.write() as conn:
            written = await write_many(conn, docs, actor(request, user), canonical_kind=canonical_kind(state))
        for index, outcome in zip(positions, written, strict=True):
            if isinstance(outcome, WriteError):
                reports[index].status = "error"
                reports[index].errors.extend(outcome.error.details or [{"path": "", "message": outcome.error.message}])
            else:
                results[index] = outcome.outcome
        await catalog_events.publish(
            state, [o.event for o in written if not isinstance(o, WriteError) and o.event is not None]
        )
    return _answer(dry_run, reports, results)


def _fail_users_of_failed_teams(reports: list[backstage.Report]) -> None:
    failed = {tuple(r.target.values()) for r in reports if r.status == "error" and r.target and not r.merged_into}
    for report in reports:
        if report.merged_into and all(tuple(t.values()) in failed for t in report.merged_into):
            report.error("", "none of its Teams could be imported")


def _answer(dry_run: bool, reports: list[backstage.Report], results: dict[int, str]) -> ImportOut:
    out = [
        DocumentReport(
            index=r.index,
            source=SourceRef(kind=r.source_kind, name=r.source_name),
            status=r.status,
            target=EntityRef(**r.target) if r.target and r.status != "error" else None,
            mapped=r.mapped,
            dropped=[Dropped(**d) for d in r.dropped],
            errors=[Problem(**e) for e in r.errors],
            mergedInto=[EntityRef(**m) for m in r.merged_into],
            result=results.get(r.index),
        )
        for r in reports
    ]
    outcomes = list(results.values())
    summary = ImportSummary(
        documents=len(out),
        converted=sum(1 for r in out if r.status == "converted"),
        skipped=sum(1 for r in out if r.status == "skipped"),
        errors=sum(1 for r in out if r.status == "error"),
        created=outcomes.count("created"),
        updated=outcomes.count("updated"),
        unchanged=outcomes.count("unchanged"),
    )
    return ImportOut(dryRun=dry_run, documents=out, summary=summary)
