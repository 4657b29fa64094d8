"""Catalog reads: filters shared by lists, facets and export; graph traversal."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import ColumnElement, Executable, Select, and_, bindparam, exists, func, or_, select, text
from sqlalchemy.engine import Connection, Row
from sqlalchemy.ext.asyncio import AsyncConnection

from gantry_core.api.errors import GantryError
from gantry_core.api.pagination import PageParams, keyset_page
from gantry_core.catalog import facet_counts, search
from gantry_core.catalog.relations import target_key
from gantry_core.db.tables import entities, entity_labels, entity_relations, entity_tags

Sort = Literal["name", "-name", "updatedAt", "-updatedAt"]
FACET_FIELDS = ("kind", "namespace", "owner", "tag", "lifecycle")


@dataclass(frozen=True)
class EntityFilter:
    """The filters every catalog list, facet and export understands (F56, F58)."""

    kind: str | None = None
    namespace: str | None = None
    owner: str | None = None
    tag: str | None = None
    lifecycle: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    q: str | None = None
    search_words: tuple[str, ...] = ()

    def clauses(
        self, dialect: str, *, skip: str | None = None, membership: Membership = "in"
    ) -> tuple[list[ColumnElement[bool]], dict[str, Any]]:
        """WHERE clauses and the bind parameters they need; `skip` leaves one field out (for facets).

        `membership` is how a tag, label or text filter is written. ``"in"`` (`id IN (ids with the tag)`) reads
        the tag's own index, so the work follows the number of entities that carry it: right for counts,
        facets and a rare tag. ``"exists"`` checks entity by entity, which is right only for one page of
        a common tag read along a sort index (it stops once the page is full, see :func:`list_page`)."""
        where: list[ColumnElement[bool]] = []
        params: dict[str, Any] = {}
        if self.kind and skip != "kind":
            where.append(entities.c.kind == self.kind)
        if self.namespace and skip != "namespace":
            where.append(entities.c.namespace == self.namespace)
        if self.owner and skip != "owner":
            where.append(entities.c.owner == self.owner)
        if self.lifecycle and skip != "lifecycle":
            where.append(entities.c.lifecycle == self.lifecycle)
        if self.tag and skip != "tag":
            where.append(_member(entity_tags, [entity_tags.c.tag == self.tag], membership))
        for key, value in self.labels:
            where.append(
                _member(entity_labels, [entity_labels.c.key == key, entity_labels.c.value == value], membership)
            )
        if self.search_words:
            where.append(search.matching_ids(dialect, probe=membership == "exists"))
            params["search_q"] = search.match_query(dialect, list(self.search_words))
        return where, params


Membership = Literal["in", "exists"]


def _member(table: Any, conditions: list[ColumnElement[bool]], membership: Membership) -> ColumnElement[bool]:
    if membership == "in":
        return entities.c.id.in_(select(table.c.entity_id).where(*conditions))
    return exists().where(table.c.entity_id == entities.c.id, *conditions)


def keys_in(columns: Sequence[Any], keys: Sequence[tuple[str, str, str]]) -> tuple[ColumnElement[bool], dict[str, Any]]:
    """`(kind, namespace, name) IN keys` and its bind parameters, written so that the (kind, namespace,
    name) index is searched.

    A row-value IN list makes SQLite scan the whole index; grouping by (kind, namespace) into OR-ed
    `kind = ? AND namespace = ? AND name IN (…)` terms lets both SQLite and PostgreSQL seek. The values
    are bound, never built into the expression, so a query of a given shape is built and compiled once
    (building `IN` from a list of values cost more than running the query)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for kind, namespace, name in keys:
        groups.setdefault((kind, namespace), []).append(name)
    params: dict[str, Any] = {}
    for i, ((kind, namespace), names) in enumerate(groups.items()):
        params[f"keys_k{i}"], params[f"keys_ns{i}"], params[f"keys_n{i}"] = kind, namespace, names
    return _keys_clause(tuple(columns), len(groups)), params


@lru_cache(maxsize=64)
def _keys_clause(columns: tuple[Any, ...], groups: int) -> ColumnElement[bool]:
    kind_col, namespace_col, name_col = columns
    return or_(
        *(
            and_(
                kind_col == bindparam(f"keys_k{i}"),
                namespace_col == bindparam(f"keys_ns{i}"),
                name_col.in_(bindparam(f"keys_n{i}", expanding=True)),
            )
            for i in range(groups)
        )
    )


def parse_labels(values: Sequence[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for raw in values:
        key, sep, value = raw.partition("=")
        if not sep or not key:
            raise GantryError(
                400,
                "invalid_parameter",
                f"label: {raw!r} must look like key=value",
                [{"path": "label", "message": "must be key=value"}],
            )
        pairs.append((key, value))
    return tuple(pairs)


def sort_columns(sort: Sort) -> tuple[list[Any], bool]:
    if sort in ("name", "-name"):
        return [entities.c.name, entities.c.id], sort.startswith("-")
    return [entities.c.updated_at, entities.c.id], sort.startswith("-")


def filtered(stmt: Select[Any], where: list[ColumnElement[bool]]) -> Select[Any]:
    return stmt.where(and_(*where)) if where else stmt


#: Entity columns copied onto entity_tags (besides the tag itself).
TAG_COPIES = ("kind", "owner", "lifecycle")


def _tags_alone(flt: EntityFilter, name: str) -> bool:
    """Whether entity_tags answers facet `name` for `flt` without a join: the tag facet, or any copied
    field once a tag is filtered on, when the filter uses copied fields and the tag alone."""
    if flt.namespace or flt.labels or flt.search_words:
        return False
    return name == "tag" or (flt.tag is not None and name in TAG_COPIES)


def facets(
    conn: Connection, flt: EntityFilter, fields: Sequence[str], limit: int = 100
) -> dict[str, list[dict[str, Any]]]:
    """Counts per value of each field for the current filter (the field's own filter left out), most
    entities first.

    Synchronous: a field the kept counts do not answer (`facet_counts.answers`) is counted over every
    matching entity, tens to a hundred ms at 100k entities, so the view runs those through
    `Database.read_sync`. Such fields that share a filter are counted in one pass, grouped by all of
    them at once; the grouping is by `field || ''`, which no index orders, as SQLite would otherwise walk
    an owner index for its order and read every entity row through it (~150 ms instead of ~75 ms)."""
    out: dict[str, list[dict[str, Any]]] = {}
    passes: dict[str | None, list[str]] = {}  # the field left out of the filter (None: none) -> fields
    dialect = conn.dialect.name
    for name in fields:
        if facet_counts.answers(flt, name):
            out[name] = facet_counts.read(conn, flt, name, limit)
        elif _tags_alone(flt, name):
            # one row per (entity, tag), which carries the copied fields: no join to entities
            column: Any = getattr(entity_tags.c, name)
            where = [
                getattr(entity_tags.c, field) == getattr(flt, field)
                for field in ("tag", *TAG_COPIES)
                if field != name and getattr(flt, field)
            ]
            if name != "tag":
                where.append(column.is_not(None))
            stmt = select(column, func.count()).select_from(entity_tags).where(*where).group_by(column)
            ordered = stmt.order_by(func.count().desc(), facet_counts.by_value(column, dialect))
            out[name] = _top(conn.execute(ordered.limit(limit)).all())
        elif name == "tag":
            clauses, params = flt.clauses(dialect, skip="tag")
            matching = filtered(select(entities.c.id), clauses)
            column = entity_tags.c.tag
            stmt = select(column, func.count()).where(entity_tags.c.entity_id.in_(matching)).group_by(column)
            ordered = stmt.order_by(func.count().desc(), facet_counts.by_value(column, dialect))
            out[name] = _top(conn.execute(ordered.limit(limit), params).all())
        else:
            passes.setdefault(name if getattr(flt, name) else None, []).append(name)
    for skip, names in passes.items():
        clauses, params = flt.clauses(dialect, skip=skip)
        grouped = [getattr(entities.c, name).concat("").label(name) for name in names]
        rows = conn.execute(filtered(select(*grouped, func.count()), clauses).group_by(*grouped), params).all()
        for i, name in enumerate(names):
            counts: Counter[str] = Counter()
            for row in rows:
                if row[i] is not None:
                    counts[row[i]] += row[-1]
            out[name] = _top(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit])
    return {name: out[name] for name in fields}


def _top(rows: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"value": value, "count": int(count)} for value, count in rows]


def count_statement(flt: EntityFilter, where: list[ColumnElement[bool]], dialect: str) -> Executable:
    """COUNT(*) for a list whose `where` is `flt.clauses()`. The kept counts answer a kind and/or a tag
    with at most one of namespace, owner and lifecycle (`facet_counts.total`); a lone label is counted
    from entity_labels and a lone text filter from the search index, neither reading an entity row.
    Otherwise entities are counted through the filter's indexes (the tag's or the owner's, say)."""
    kept = facet_counts.total(flt)
    if kept is not None:
        return kept
    if flt.search_words and not (flt.kind or flt.namespace or flt.owner or flt.lifecycle or flt.tag or flt.labels):
        return text(search.count_sql(dialect))
    if len(flt.labels) == 1 and not (
        flt.kind or flt.owner or flt.lifecycle or flt.tag or flt.namespace or flt.search_words
    ):
        ((key, value),) = flt.labels
        return (
            select(func.count())
            .select_from(entity_labels)
            .where(entity_labels.c.key == key, entity_labels.c.value == value)
        )
    return filtered(select(func.count()).select_from(entities), where)


#: Above this many matches, a page of a tag, label or text filter checks entities one by one along the sort
#: order (`membership="exists"`) instead of reading and sorting every match: about limit * catalog / matches
#: rows checked, against every match read and sorted. At 100k entities, a tag on 10k of them
#: ~0.5 ms against ~15 ms; one on 5 of them, 0.1 ms against ~35 ms the other way round.
FEW_MATCHES = 2000


def list_page(
    conn: Connection,
    flt: EntityFilter,
    page: PageParams,
    sort: Sort,
    extra: Sequence[ColumnElement[bool]] = (),
) -> tuple[list[Row[Any]], int, str | None]:
    """One page of the entities matching `flt` (and `extra` conditions), its total and next cursor.
    Synchronous, for `Database.read_sync` (see :func:`off_loop`)."""
    dialect = conn.dialect.name
    where, params = flt.clauses(dialect)
    count = (
        filtered(select(func.count()).select_from(entities), [*where, *extra])
        if extra
        else count_statement(flt, where, dialect)
    )
    total = int(conn.execute(count, params).scalar_one())
    if total > FEW_MATCHES and (flt.tag or flt.labels or flt.search_words):
        where, params = flt.clauses(dialect, membership="exists")
    order, descending = sort_columns(sort)
    stmt = filtered(select(entities), [*where, *extra]).params(**params)
    kinds = [str, int] if sort.endswith("name") else [datetime.fromisoformat, int]
    rows, _, nxt = keyset_page(conn, stmt, order, page, descending=descending, count=total, cursor_types=kinds)
    return rows, total, nxt


def off_loop(flt: EntityFilter) -> bool:
    """Whether a list or count under `flt` should be read off the event loop: a text filter (the search
    index's matches, any number of them) or a label filter (a count through every labelled entity) can
    take tens of ms at 100k entities; the others are index ranges or counts of one index's entries."""
    return bool(flt.search_words or flt.labels)


class FacetCache:
    """Facet counts for a few seconds, per field: one field's counts depend on the filter without that
    field's own value, so `kind=Service&tag=go` and `kind=Service&tag=java` share their tag counts.
    Any catalog write on this replica empties it at once (catalog.events.publish); other replicas' writes
    show within TTL seconds."""

    TTL = 3.0
    MAX_ENTRIES = 1024

    def __init__(self) -> None:
        self._entries: dict[tuple[EntityFilter, str], tuple[float, list[dict[str, Any]]]] = {}

    @staticmethod
    def _key(flt: EntityFilter, field: str) -> tuple[EntityFilter, str]:
        cleared: dict[str, Any] = {field: None}
        return dataclasses.replace(flt, **cleared), field

    def get(self, flt: EntityFilter, field: str) -> list[dict[str, Any]] | None:
        found = self._entries.get(self._key(flt, field))
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, flt: EntityFilter, field: str, counts: list[dict[str, Any]]) -> None:
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[self._key(flt, field)] = (time.monotonic() + self.TTL, counts)

    def clear(self) -> None:
        self._entries.clear()


# -- graph -------------------------------------------------------------------------------------------

MAX_NODES = 500
Node = tuple[str, str, str]  # kind, namespace, name


def node_id(kind: str, name: str, namespace: str, root_namespace: str) -> str:
    base = f"{kind.lower()}/{name}"
    return base if namespace == root_namespace else f"{namespace}/{base}"


async def graph(
    conn: AsyncConnection, root: Node, depth: int, direction: Literal["out", "in", "both"]
) -> dict[str, Any]:
    """Nodes and edges within `depth` hops of `root` (F53); missing targets are nodes with missing: true."""
    found: dict[Node, dict[str, Any] | None] = {}
    edges: dict[tuple[Node, Node, str], None] = {}
    truncated = False
    frontier = [root]
    found[root] = None
    for _ in range(depth):
        if not frontier:
            break
        rows = await _resolve(conn, frontier)
        next_nodes: list[Node] = []
        ids = {node: row["id"] for node, row in rows.items()}
        for node, row in rows.items():
            found[node] = dict(row)
        if direction in ("out", "both") and ids:
            rel_rows = await conn.execute(
                select(
                    entity_relations.c.source_id,
                    entity_relations.c.type,
                    entity_relations.c.target_kind,
                    entity_relations.c.target_namespace,
                    entity_relations.c.target_name,
                ).where(entity_relations.c.source_id.in_(list(ids.values())))
            )
            by_id = {v: k for k, v in ids.items()}
            for source_id, type_, tk, tns, tn in rel_rows.all():
                target = (tk, tns, tn)
                edges[(by_id[source_id], target, type_)] = None
                if target not in found:
                    found[target] = None
                    next_nodes.append(target)
        if direction in ("in", "both"):
            src = entities.alias("src")
            in_rows = await conn.execute(
                select(
                    src.c.kind,
                    src.c.namespace,
                    src.c.name,
                    entity_relations.c.type,
                    entity_relations.c.target_kind,
                    entity_relations.c.target_namespace,
                    entity_relations.c.target_name,
                )
                .join(src, src.c.id == entity_relations.c.source_id)
                .where(entity_relations.c.target_key.in_([target_key(*node) for node in frontier]))
            )
            wanted = set(frontier)
            for sk, sns, sn, type_, tk, tns, tn in in_rows.all():
                if (tk, tns, tn) not in wanted:  # another target with the same 64-bit key
                    continue
                source = (sk, sns, sn)
                edges[(source, (tk, tns, tn), type_)] = None
                if source not in found:
                    found[source] = None
                    next_nodes.append(source)
        if len(found) > MAX_NODES:
            truncated = True
            break
        frontier = next_nodes
    unresolved = [n for n, row in found.items() if row is None]
    if unresolved:
        for node, row in (await _resolve(conn, unresolved)).items():
            found[node] = dict(row)
    nodes_out = []
    kept = list(found.items())[:MAX_NODES]
    kept_keys = {n for n, _ in kept}
    for (kind, namespace, name), row in kept:
        item: dict[str, Any] = {
            "id": node_id(kind, name, namespace, root[1]),
            "kind": kind,
            "name": name,
            "namespace": namespace,
        }
        if row is None:
            item["missing"] = True
        else:
            if row.get("title"):
                item["title"] = row["title"]
            if row.get("owner"):
                item["owner"] = row["owner"]
        nodes_out.append(item)
    edges_out = [
        {"from": node_id(s[0], s[2], s[1], root[1]), "to": node_id(t[0], t[2], t[1], root[1]), "type": type_}
        for (s, t, type_) in edges
        if s in kept_keys and t in kept_keys
    ]
    return {"nodes": nodes_out, "edges": edges_out, "truncated": truncated}


async def _resolve(conn: AsyncConnection, nodes: Sequence[Node]) -> dict[Node, Any]:
    out: dict[Node, Any] = {}
    unique = list(dict.fromkeys(nodes))
    for start in range(0, len(unique), 300):
        where, params = keys_in((entities.c.kind, entities.c.namespace, entities.c.name), unique[start : start + 300])
        rows = await conn.execute(
            select(
                entities.c.id,
                entities.c.kind,
                entities.c.namespace,
                entities.c.name,
                entities.c.title,
                entities.c.owner,
            ).where(where),
            params,
        )
        for row in rows.mappings():
            out[(row["kind"], row["namespace"], row["name"])] = row
    return out
