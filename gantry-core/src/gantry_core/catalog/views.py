"""Catalog endpoints: entity CRUD, lists, facets, search, graph, batch apply, export (F55-F58, F151-F153)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import orjson
import yaml
from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from gantry_core.api.deps import Developer, State, Viewer, client_ip, request_source
from gantry_core.api.errors import GantryError
from gantry_core.api.json_body import JsonRoute, text_checked
from gantry_core.api.pagination import PageParams, decode_cursor, encode_cursor, page_params
from gantry_core.catalog import events as catalog_events
from gantry_core.catalog import facet_counts, queries, search
from gantry_core.catalog.documents import DEFAULT_NAMESPACE, InvalidDocument, parse
from gantry_core.catalog.schema_views import unknown_kind
from gantry_core.catalog.service import (
    Actor,
    WriteError,
    WriteResult,
    delete_entity,
    entity_not_found,
    get_entity,
    read_entity,
    to_document,
    write_many,
)
from gantry_core.db.tables import entities
from gantry_core.plugins.kinds import RegisteredKind
from gantry_core.state import AppState

router = APIRouter(tags=["catalog"], route_class=JsonRoute)
Pagination = Annotated[PageParams, Depends(page_params)]
NamespaceQ = Annotated[str, Query(max_length=63, description="Namespace of the entity")]
MAX_BATCH = 1000


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def kind_of(state: AppState, kind: str) -> RegisteredKind:
    registered = state.host.kind(kind)
    if registered is None:
        raise unknown_kind(kind)
    return registered


def canonical_kind(state: AppState) -> Any:
    def canonical(name: str) -> str:
        registered = state.host.kind(name)
        return registered.name if registered else name

    return canonical


def actor(request: Request, user: Any) -> Actor:
    return Actor(name=user.username, source=request_source(request), ip=client_ip(request))


def _etag(document: dict[str, Any]) -> dict[str, str]:
    return {"ETag": f'"{document["metadata"]["resourceVersion"]}"'}


def _if_match(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip().removeprefix("W/").strip('"')


def _single(results: list[WriteResult | WriteError]) -> WriteResult:
    result = results[0]
    if isinstance(result, WriteError):
        raise result.error
    return result


# -- lists -------------------------------------------------------------------------------------------


async def entity_filter(
    state: State,
    namespace: Annotated[str | None, Query(max_length=63)] = None,
    owner: Annotated[str | None, Query(max_length=253)] = None,
    tag: Annotated[str | None, Query(max_length=63)] = None,
    lifecycle: Annotated[str | None, Query(max_length=32)] = None,
    label: Annotated[list[str], Query(max_length=500, description="key=value, repeatable")] = [],  # noqa: B006
    q: Annotated[str | None, Query(max_length=200, description="Text search")] = None,
) -> queries.EntityFilter:
    return queries.EntityFilter(
        namespace=namespace,
        owner=owner,
        tag=tag,
        lifecycle=lifecycle,
        labels=queries.parse_labels(label),
        q=q,
        search_words=tuple(search.terms(q)) if q is not None else (),
    )


Filter = Annotated[queries.EntityFilter, Depends(entity_filter)]
SortQ = Annotated[Literal["name", "-name", "updatedAt", "-updatedAt"], Query(description="Sort order")]


async def _list(state: AppState, flt: queries.EntityFilter, page: PageParams, sort: queries.Sort) -> Response:
    rows, total, nxt = await state.db.read_sync(
        lambda conn: queries.list_page(conn, flt, page, sort), off_loop=queries.off_loop(flt)
    )
    return json_response({"items": [to_document(r._mapping) for r in rows], "total": total, "next": nxt})


@router.get("/entities", summary="List entities (paginated, filtered)")
async def list_entities(
    state: State,
    user: Viewer,
    flt: Filter,
    page: Pagination,
    sort: SortQ = "name",
    kind: Annotated[str | None, Query(max_length=63)] = None,
) -> Response:
    if kind:
        flt = dataclasses.replace(flt, kind=kind_of(state, kind).name)
    return await _list(state, flt, page, sort)


@router.get("/entities/{kind}", summary="List entities of one kind")
async def list_kind(
    kind: str, state: State, user: Viewer, flt: Filter, page: Pagination, sort: SortQ = "name"
) -> Response:
    registered = kind_of(state, kind)
    return await _list(state, dataclasses.replace(flt, kind=registered.name), page, sort)


FacetFields = Annotated[str, Query(max_length=200, description="Comma list of kind, namespace, owner, tag, lifecycle")]


@router.get("/facets", summary="Counts per owner, tag, … for the current filter")
async def facets(
    state: State,
    user: Viewer,
    flt: Filter,
    fields: FacetFields = "owner,tag",
    kind: Annotated[str | None, Query(max_length=63)] = None,
) -> Response:
    if kind:
        flt = dataclasses.replace(flt, kind=kind_of(state, kind).name)
    wanted = [f.strip() for f in fields.split(",") if f.strip()]
    bad = [f for f in wanted if f not in queries.FACET_FIELDS]
    if bad or not wanted:
        raise GantryError(
            400,
            "invalid_parameter",
            f"fields: unknown field(s) {', '.join(bad) or '(none)'}",
            [{"path": "fields", "message": f"use any of {', '.join(queries.FACET_FIELDS)}"}],
        )
    cache = facet_cache(state)
    found = {field: cache.get(flt, field) for field in wanted}
    missing = [field for field, counts in found.items() if counts is None]
    if missing:
        # kept counts are a few index ranges; any other field counts every matching entity
        kept = all(facet_counts.answers(flt, field) for field in missing)
        computed = await state.db.read_sync(lambda conn: queries.facets(conn, flt, missing), off_loop=not kept)
        for field, counts in computed.items():
            cache.put(flt, field, counts)
            found[field] = counts
    return json_response(found)


def facet_cache(state: AppState) -> queries.FacetCache:
    cache = state.extras.get("facet_cache")
    if cache is None:
        cache = state.extras["facet_cache"] = queries.FacetCache()
    assert isinstance(cache, queries.FacetCache)
    return cache


# -- one entity --------------------------------------------------------------------------------------


@router.get("/entities/{kind}/{name}", summary="One entity")
async def get_one(
    kind: str, name: str, state: State, user: Viewer, namespace: NamespaceQ = DEFAULT_NAMESPACE
) -> Response:
    return await entity_response(state, kind, namespace, name)


async def entity_response(state: AppState, kind: str, namespace: str, name: str) -> Response:
    """GET of one entity; the route above and the fast lane (`api/fastlane.py`) both answer with it."""
    document = await read_entity(state.db, kind_of(state, kind).name, namespace, name)
    return json_response(document, headers=_etag(document))


EntityBody = Annotated[dict[str, Any], Body(description="An entity document (apiVersion, kind, metadata, spec)")]


@router.post("/entities", status_code=201, summary="Create an entity (409 if it exists)")
async def create(body: EntityBody, request: Request, state: State, user: Developer) -> Response:
    doc = parse(state.host, body, text_checked=text_checked(request))
    async with state.db.write() as conn:
        result = _single(
            await write_many(conn, [doc], actor(request, user), mode="create", canonical_kind=canonical_kind(state))
        )
    await catalog_events.publish(state, [result.event])
    return json_response(result.entity, status=201, headers=_etag(result.entity))


@router.put("/entities/{kind}/{name}", summary="Create or replace an entity (201 created, 200 updated)")
async def replace(
    kind: str,
    name: str,
    body: EntityBody,
    request: Request,
    state: State,
    user: Developer,
    if_match: Annotated[str | None, Header(max_length=64)] = None,
) -> Response:
    registered = kind_of(state, kind)
    body_kind = body.get("kind")
    if body_kind is not None and (not isinstance(body_kind, str) or state.host.kind(body_kind) is not registered):
        raise GantryError(
            400,
            "identity_mismatch",
            f"the body's kind {body_kind!r} differs from the URL's {kind!r}",
            [{"path": "/kind", "message": "differs from the URL"}],
        )
    metadata = body.get("metadata")
    if isinstance(metadata, dict) and metadata.get("name") not in (None, name):
        raise GantryError(
            400,
            "identity_mismatch",
            f"the body's name {metadata.get('name')!r} differs from the URL's {name!r}",
            [{"path": "/metadata/name", "message": "differs from the URL"}],
        )
    if isinstance(metadata, dict) and "name" not in metadata:
        body = {**body, "metadata": {**metadata, "name": name}}
    doc = parse(state.host, body, kind_hint=registered)
    expected = _if_match(if_match)
    async with state.db.write() as conn:
        result = _single(
            await write_many(
                conn,
                [doc],
                actor(request, user),
                if_match={0: expected} if expected else None,
                canonical_kind=canonical_kind(state),
            )
        )
    await catalog_events.publish(state, [result.event])
    return json_response(
        result.entity, status=201 if result.outcome == "created" else 200, headers=_etag(result.entity)
    )


@router.delete("/entities/{kind}/{name}", status_code=204, summary="Delete an entity")
async def remove(
    kind: str,
    name: str,
    request: Request,
    state: State,
    user: Developer,
    namespace: NamespaceQ = DEFAULT_NAMESPACE,
    if_match: Annotated[str | None, Header(max_length=64)] = None,
) -> Response:
    registered = kind_of(state, kind)
    async with state.db.write() as conn:
        event = await delete_entity(
            conn, registered.name, namespace, name, actor(request, user), if_match=_if_match(if_match)
        )
    await catalog_events.publish(state, [event])
    return Response(status_code=204)


# -- batch apply -------------------------------------------------------------------------------------


class ApplyIn(BaseModel):
    entities: Annotated[list[Any], Field(max_length=MAX_BATCH, description="Up to 1,000 entity documents")]
    dryRun: bool = Field(False, description="Validate only; write nothing")
    atomic: bool = Field(False, description="All or nothing")


def _result_item(
    doc_or_raw: Any, status: str, details: list[dict[str, Any]] | None = None, message: str | None = None
) -> dict[str, Any]:
    md = doc_or_raw.get("metadata") if isinstance(doc_or_raw, dict) else None
    item: dict[str, Any] = {
        "kind": doc_or_raw.get("kind") if isinstance(doc_or_raw, dict) else None,
        "namespace": (md or {}).get("namespace", DEFAULT_NAMESPACE) if isinstance(md, dict) else None,
        "name": md.get("name") if isinstance(md, dict) else None,
        "status": status,
    }
    if message:
        item["error"] = message
    if details:
        item["details"] = details
    return item


class _AtomicAbort(Exception):
    """Rolls back an atomic batch in which some entity failed."""


@router.post("/apply", summary="Create or update up to 1,000 entities in one call")
async def apply(body: ApplyIn, request: Request, state: State, user: Developer) -> Response:
    items: list[dict[str, Any] | None] = [None] * len(body.entities)
    docs = []
    positions = []
    checked = text_checked(request)
    for i, raw in enumerate(body.entities):
        try:
            doc = parse(state.host, raw, text_checked=checked)
        except InvalidDocument as exc:
            items[i] = _result_item(raw, "invalid", exc.details, exc.message)
            continue
        docs.append(doc)
        positions.append(i)
        items[i] = {"kind": doc.kind.name, "namespace": doc.namespace, "name": doc.name, "status": "valid"}
    failed_validation = any(item and item["status"] == "invalid" for item in items)
    published = []
    if body.dryRun or (body.atomic and failed_validation):
        if body.atomic and failed_validation:
            for item in items:
                if item and item["status"] == "valid":
                    item["status"] = "skipped"
    else:
        write_actor = actor(request, user)
        try:
            async with state.db.write() as conn:
                results = await write_many(conn, docs, write_actor, canonical_kind=canonical_kind(state))
                aborted = body.atomic and any(isinstance(r, WriteError) for r in results)
                if aborted:
                    raise _AtomicAbort
        except _AtomicAbort:
            pass
        for pos, result in zip(positions, results, strict=True):
            item = items[pos]
            assert item is not None
            if isinstance(result, WriteError):
                item.update(status="error", error=result.error.message, code=result.error.code)
                if result.error.details:
                    item["details"] = result.error.details
            elif aborted:
                item["status"] = "skipped"
            else:
                item["status"] = result.outcome
                published.append(result.event)
    summary = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    for item in items:
        assert item is not None
        if item["status"] in summary:
            summary[item["status"]] += 1
        elif item["status"] in ("invalid", "error"):
            summary["failed"] += 1
    await catalog_events.publish(state, published)
    return json_response({"results": items, "summary": summary, "dryRun": body.dryRun})


# -- search, graph, export ---------------------------------------------------------------------------


@router.get("/search", summary="Full-text search, best matches first")
async def search_entities(
    state: State,
    user: Viewer,
    page: Pagination,
    q: Annotated[str | None, Query(max_length=200, description="At least 2 characters")] = None,
) -> Response:
    words = search.terms(q)
    offset = decode_cursor(page.cursor, 1)[0] if page.cursor else 0
    if not isinstance(offset, int) or offset < 0:
        raise GantryError(400, "invalid_cursor", "cursor is not one this server issued")
    rows, total, more = await search.page(state.db, words, page.limit, offset)
    items = [
        {
            "kind": row["kind"],
            "namespace": row["namespace"],
            "name": row["name"],
            "title": md.get("title"),
            "description": md.get("description"),
            "owner": md.get("owner"),
            "tags": md.get("tags") or [],
        }
        for row in rows
        for md in (row["metadata"],)
    ]
    nxt = encode_cursor([offset + page.limit]) if more else None
    return json_response({"items": items, "total": total, "next": nxt})


@router.get("/graph/{kind}/{name}", summary="The relations graph around an entity")
async def graph(
    kind: str,
    name: str,
    state: State,
    user: Viewer,
    namespace: NamespaceQ = DEFAULT_NAMESPACE,
    depth: Annotated[int, Query(ge=1, le=5)] = 1,
    direction: Annotated[Literal["out", "in", "both"], Query()] = "both",
) -> Response:
    registered = kind_of(state, kind)
    async with state.db.read() as conn:
        if await get_entity(conn, registered.name, namespace, name) is None:
            raise entity_not_found(registered.name, namespace, name)
        result = await queries.graph(conn, (registered.name, namespace, name), depth, direction)
    return json_response(result)


EXPORT_BATCH = 500


@router.get("/export", summary="Stream every matching entity (ndjson, yaml or json) in constant memory")
async def export(
    state: State,
    user: Viewer,
    format: Annotated[Literal["ndjson", "yaml", "json"], Query()] = "ndjson",
    namespace: Annotated[str | None, Query(max_length=63)] = None,
    kind: Annotated[str | None, Query(max_length=63)] = None,
) -> StreamingResponse:
    flt = queries.EntityFilter(kind=kind_of(state, kind).name if kind else None, namespace=namespace)

    async def batches() -> AsyncIterator[list[dict[str, Any]]]:
        last_id = 0
        while True:
            async with state.db.read() as conn:
                where, params = flt.clauses(conn.dialect.name)
                stmt = queries.filtered(select(entities), [*where, entities.c.id > last_id])
                rows = (await conn.execute(stmt.order_by(entities.c.id).limit(EXPORT_BATCH), params)).mappings().all()
            if not rows:
                return
            last_id = rows[-1]["id"]
            yield [_exported(to_document(r)) for r in rows]

    async def body() -> AsyncIterator[bytes]:
        first = True
        if format == "json":
            yield b"["
        async for batch in batches():
            for doc in batch:
                if format == "ndjson":
                    yield orjson.dumps(doc) + b"\n"
                elif format == "json":
                    yield (b"" if first else b",") + orjson.dumps(doc)
                else:
                    yield (b"---\n" if not first else b"") + yaml.safe_dump(doc, sort_keys=False).encode()
                first = False
        if format == "json":
            yield b"]"

    media = {"ndjson": "application/x-ndjson", "json": "application/json", "yaml": "application/yaml"}[format]
    return StreamingResponse(
        body(), media_type=media, headers={"Content-Disposition": f'attachment; filename="gantry-export.{format}"'}
    )


def _exported(document: dict[str, Any]) -> dict[str, Any]:
    """Entities as one would write them: server-managed metadata left out, `namespace: default` omitted."""
    metadata = {
        k: v
        for k, v in document["metadata"].items()
        if k not in ("createdAt", "updatedAt", "createdBy", "resourceVersion", "managedBy")
    }
    if metadata.get("namespace") == DEFAULT_NAMESPACE:
        metadata.pop("namespace")
    return {
        "apiVersion": document["apiVersion"],
        "kind": document["kind"],
        "metadata": metadata,
        "spec": document["spec"],
    }
