"""The entity write path (DESIGN §3) and catalog reads. Never commits: callers own the transaction.

Every writer — POST, PUT, DELETE, batch apply, plugin sync, imports, the demo loader — goes through
:func:`write_many` / :func:`delete_entity`: validation happened in ``documents.parse``; here one
transaction writes the rows, their relation, tag, label and search rows and the audit entries. Writes
whose content hash is unchanged write and audit nothing. The caller publishes the returned events
after commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from gantry_core.api.errors import GantryError
from gantry_core.audit.service import record_many
from gantry_core.catalog import facet_counts, search
from gantry_core.catalog import relations as relmod
from gantry_core.catalog.documents import Document
from gantry_core.catalog.queries import keys_in
from gantry_core.db.bulk import insert_rows, reserve_ids
from gantry_core.db.engine import Database
from gantry_core.db.tables import entities, entity_labels, entity_relations, entity_tags
from gantry_core.plugins.kinds import API_VERSION
from gantry_core.plugins.types import EntityEvent

Outcome = Literal["created", "updated", "unchanged"]
_KEY_CHUNK = 300


@dataclass(frozen=True)
class Actor:
    """Who writes and through what: recorded in the audit trail and on the row."""

    name: str | None
    source: str
    ip: str | None = None
    plugin: str | None = None


@dataclass
class WriteResult:
    outcome: Outcome
    entity: dict[str, Any]
    event: EntityEvent | None = None


@dataclass
class WriteError:
    error: GantryError


@dataclass
class _Pending:
    index: int
    doc: Document
    existing: RowMapping | None
    values: dict[str, Any] = field(default_factory=dict)
    entity_id: int | None = None


@lru_cache(maxsize=1024)  # a batch stamps all its rows with one datetime, and lists repeat few
def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_document(row: Mapping[str, Any] | RowMapping) -> dict[str, Any]:
    """The API representation of an entity row."""
    stored = row["metadata"]
    metadata = {"name": row["name"], "namespace": row["namespace"], **stored}
    metadata["createdAt"] = _iso(row["created_at"])
    metadata["updatedAt"] = _iso(row["updated_at"])
    if row["created_by"] is not None:
        metadata["createdBy"] = row["created_by"]
    metadata["resourceVersion"] = str(row["resource_version"])
    if row["managed_by"]:
        metadata["managedBy"] = row["managed_by"]
    return {"apiVersion": API_VERSION, "kind": row["kind"], "metadata": metadata, "spec": row["spec"]}


def _audit_view(document: Mapping[str, Any]) -> dict[str, Any]:
    return dict(document)


def entity_not_found(kind: str, namespace: str, name: str) -> GantryError:
    return GantryError(404, "not_found", f"{kind} {name!r} not found in namespace {namespace!r}")


def conflict(current: str, message: str = "the entity changed since you read it") -> GantryError:
    return GantryError(
        412,
        "conflict",
        f"{message} (current resourceVersion {current}); reload and retry",
        [{"path": "/metadata/resourceVersion", "message": f"current is {current}"}],
    )


#: What deciding created / updated / unchanged needs: no JSON to decode.
_STATE_COLUMNS = (
    entities.c.id,
    entities.c.kind,
    entities.c.namespace,
    entities.c.name,
    entities.c.content_hash,
    entities.c.resource_version,
    entities.c.managed_by,
    entities.c.created_by,
    entities.c.created_at,
    entities.c.updated_at,
)


async def load_existing(
    conn: AsyncConnection, keys: Sequence[tuple[str, str, str]], *, lock: bool = True, full: bool = True
) -> dict[tuple[str, str, str], RowMapping]:
    """The rows at `keys` (whole, or with `full=False` only the columns the write decision needs)."""
    found: dict[tuple[str, str, str], RowMapping] = {}
    unique = list(dict.fromkeys(keys))
    columns = (entities,) if full else _STATE_COLUMNS
    for start in range(0, len(unique), _KEY_CHUNK):
        chunk = unique[start : start + _KEY_CHUNK]
        where, params = keys_in((entities.c.kind, entities.c.namespace, entities.c.name), chunk)
        stmt = select(*columns).where(where)
        if lock and conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        for row in (await conn.execute(stmt, params)).mappings():
            found[(row["kind"], row["namespace"], row["name"])] = row
    return found


def _row_values(doc: Document, actor: Actor, now: datetime) -> dict[str, Any]:
    lifecycle = doc.spec.get("lifecycle")
    return {
        "title": doc.metadata.get("title"),
        "description": doc.metadata.get("description"),
        "owner": doc.metadata.get("owner"),
        "lifecycle": lifecycle if isinstance(lifecycle, str) else None,
        "metadata": doc.metadata,
        "spec": doc.spec,
        "content_hash": doc.content_hash,
        "updated_at": now,
    }


async def write_many(
    conn: AsyncConnection,
    docs: Sequence[Document],
    actor: Actor,
    *,
    mode: Literal["create", "upsert"] = "upsert",
    if_match: Mapping[int, str] | None = None,
    canonical_kind: Any = None,
) -> list[WriteResult | WriteError]:
    """Write `docs` in the caller's transaction; one result per document, in order."""
    results: list[WriteResult | WriteError | None] = [None] * len(docs)
    seen: dict[tuple[str, str, str], int] = {}
    existing = await load_existing(conn, [d.key for d in docs], full=False)
    now = datetime.now(UTC)
    inserts: list[_Pending] = []
    updates: list[_Pending] = []
    for i, doc in enumerate(docs):
        if doc.key in seen:
            results[i] = WriteError(
                GantryError(
                    422,
                    "validation_failed",
                    f"duplicate of entity {seen[doc.key]} in this batch",
                    [{"path": "/metadata/name", "message": "appears twice in the batch"}],
                )
            )
            continue
        seen[doc.key] = i
        row = existing.get(doc.key)
        expected = (if_match or {}).get(i)
        if row is None:
            if expected is not None:
                results[i] = WriteError(conflict("none", "the entity does not exist"))
                continue
            values = _row_values(doc, actor, now)
            values.update(
                kind=doc.kind.name,
                namespace=doc.namespace,
                name=doc.name,
                resource_version=1,
                managed_by=actor.plugin,
                created_by=actor.name,
                created_at=now,
            )
            inserts.append(_Pending(i, doc, None, values))
            continue
        current = str(row["resource_version"])
        if mode == "create":
            results[i] = WriteError(
                GantryError(
                    409,
                    "already_exists",
                    f"{doc.kind.name} {doc.name!r} already exists in namespace {doc.namespace!r}",
                    [{"path": "/metadata/name", "message": "already exists"}],
                )
            )
            continue
        if (expected is not None and expected != current) or (
            doc.resource_version is not None and doc.resource_version != current
        ):
            results[i] = WriteError(conflict(current))
            continue
        managed_by = actor.plugin or row["managed_by"]
        if row["content_hash"] == doc.content_hash and row["managed_by"] == managed_by:
            # Same content hash: the stored metadata and spec are the document's own.
            results[i] = WriteResult("unchanged", to_document({**row, "metadata": doc.metadata, "spec": doc.spec}))
            continue
        values = _row_values(doc, actor, now)
        values.update(resource_version=row["resource_version"] + 1, managed_by=managed_by)
        updates.append(_Pending(i, doc, row, values, entity_id=row["id"]))

    if updates:  # the audit entry needs each updated entity's whole previous state
        full = await load_existing(conn, [p.doc.key for p in updates])
        for pending in updates:
            pending.existing = full[pending.doc.key]
    if inserts:
        # Ids reserved first, then one plain executemany (RETURNING with a guaranteed order would make
        # SQLite insert one row per statement).
        ids = await reserve_ids(conn, entities, len(inserts))
        for pending, entity_id in zip(inserts, ids, strict=True):
            pending.entity_id = pending.values["id"] = entity_id
        await insert_rows(conn, entities, [p.values for p in inserts])
    if updates:
        stmt_u = (
            update(entities)
            .where(entities.c.id == bindparam("_id"))
            .values({k: bindparam(k) for k in updates[0].values})
        )
        await conn.execute(stmt_u, [{"_id": p.entity_id, **p.values} for p in updates])
    written = inserts + updates
    if written:
        await _write_derived(conn, written, updates, canonical_kind)
        removed: list[facet_counts.Key] = []
        for p in updates:
            if p.existing is not None:
                removed.extend(facet_counts.row_keys(p.existing))
        added: list[facet_counts.Key] = []
        for p in written:
            added.extend(_facet_keys(p))
        await facet_counts.apply_changes(conn, removed, added)
        audit_rows = []
        for p in written:
            assert p.entity_id is not None
            row_like = {**(dict(p.existing) if p.existing else {}), **p.values, "id": p.entity_id}
            if p.existing is None:
                row_like.setdefault("created_by", actor.name)
            document = to_document(row_like)
            before = to_document(p.existing) if p.existing else None
            kind: Literal["entity.created", "entity.updated"] = "entity.created" if before is None else "entity.updated"
            audit_rows.append(
                {
                    "action": "create" if before is None else "update",
                    "resource_type": p.doc.kind.name,
                    "resource_namespace": p.doc.namespace,
                    "resource_name": p.doc.name,
                    "before": before,
                    "after": document,
                }
            )
            results[p.index] = WriteResult(
                "created" if before is None else "updated",
                document,
                EntityEvent(kind, p.doc.kind.name, p.doc.namespace, p.doc.name, document, actor.source, actor.name),
            )
        await record_many(conn, audit_rows, actor=actor.name, source=actor.source, ip=actor.ip)
    return [r for r in results if r is not None]


def _facet_keys(p: _Pending) -> list[facet_counts.Key]:
    md = p.doc.metadata
    return facet_counts.keys(
        p.doc.kind.name, p.doc.namespace, p.values["owner"], p.values["lifecycle"], md.get("tags") or ()
    )


_TAG_COLUMNS = ("entity_id", "tag", "kind", "owner", "lifecycle")
_LABEL_COLUMNS = ("entity_id", "key", "value")
# a relation row: the source, then the fields of catalog.relations.Relation in order, then its target key
_RELATION_COLUMNS = ("source_id", "type", "target_kind", "target_namespace", "target_name", "target_key")


async def _write_derived(
    conn: AsyncConnection, written: list[_Pending], updated: list[_Pending], canonical_kind: Any
) -> None:
    updated_ids = [p.entity_id for p in updated]
    if updated_ids:
        for table in (entity_tags, entity_labels, entity_relations):
            col = table.c.entity_id if table is not entity_relations else table.c.source_id
            await conn.execute(delete(table).where(col.in_(updated_ids)))
    tags: list[tuple[Any, ...]] = []
    labels: list[tuple[Any, ...]] = []
    rels: list[tuple[Any, ...]] = []
    target_key = relmod.target_key
    for p in written:
        md = p.doc.metadata
        entity_id, kind, owner, lifecycle = p.entity_id, p.doc.kind.name, p.values["owner"], p.values["lifecycle"]
        tags.extend((entity_id, tag, kind, owner, lifecycle) for tag in dict.fromkeys(md.get("tags") or ()))
        labels.extend((entity_id, key, value) for key, value in (md.get("labels") or {}).items())
        rels.extend((entity_id, *r, target_key(*r[1:])) for r in relmod.derive(p.doc, canonical_kind))
    await insert_rows(conn, entity_tags, tags, _TAG_COLUMNS)
    await insert_rows(conn, entity_labels, labels, _LABEL_COLUMNS)
    await insert_rows(conn, entity_relations, rels, _RELATION_COLUMNS)
    await search.index_many(
        conn,
        [(p.entity_id, p.doc.name, p.doc.metadata, p.existing is None) for p in written],  # type: ignore[misc]
    )


_GET_ENTITY = select(entities).where(
    entities.c.kind == bindparam("kind"),
    entities.c.namespace == bindparam("namespace"),
    entities.c.name == bindparam("name"),
)


async def get_entity(conn: AsyncConnection, kind: str, namespace: str, name: str) -> RowMapping | None:
    params = {"kind": kind, "namespace": namespace, "name": name}
    return (await conn.execute(_GET_ENTITY, params)).mappings().first()


async def read_entity(db: Database, kind: str, namespace: str, name: str) -> dict[str, Any]:
    """The API document of one entity (a single-statement read), or 404 `not_found`."""
    row = await db.read_one(_GET_ENTITY, {"kind": kind, "namespace": namespace, "name": name})
    if row is None:
        raise entity_not_found(kind, namespace, name)
    return to_document(row)


async def delete_entity(
    conn: AsyncConnection, kind: str, namespace: str, name: str, actor: Actor, *, if_match: str | None = None
) -> EntityEvent:
    row = (await load_existing(conn, [(kind, namespace, name)])).get((kind, namespace, name))
    if row is None:
        raise entity_not_found(kind, namespace, name)
    if if_match is not None and if_match != str(row["resource_version"]):
        raise conflict(str(row["resource_version"]))
    await search.unindex(conn, row["id"])
    await conn.execute(delete(entities).where(entities.c.id == row["id"]))
    await facet_counts.apply_changes(conn, facet_counts.row_keys(row), ())
    before = to_document(row)
    await record_many(
        conn,
        [
            {
                "action": "delete",
                "resource_type": kind,
                "resource_namespace": namespace,
                "resource_name": name,
                "before": before,
                "after": None,
            }
        ],
        actor=actor.name,
        source=actor.source,
        ip=actor.ip,
    )
    return EntityEvent("entity.deleted", kind, namespace, name, None, actor.source, actor.name)
