"""Facet counts kept up to date by the write path (table `entity_facets`).

Counting owners, tags or lifecycles over the matching entities costs time in proportion to the catalog;
these counts cost time in proportion to the number of distinct values. Every write adds +1 for each
(kind, tag, field, value) the new version contributes and -1 for each the old version contributed, in
the write's own transaction, so the counts are exactly the catalog's. Facets whose filter holds nothing
but a kind and/or a tag (the catalog page's usual views) read them; any other filter counts from the
entities as before (`queries.facets`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, delete, func, select, tuple_
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from gantry_core.db.bulk import upsert_add
from gantry_core.db.tables import entity_facets

if TYPE_CHECKING:
    from gantry_core.catalog.queries import EntityFilter

Key = tuple[str, str, str, str]  # field, tag ('' = any), kind ('' = any), value
ALL = "*"  # the field counting the entities themselves (value '')


def keys(kind: str, namespace: str, owner: Any, lifecycle: Any, tags: Iterable[str]) -> list[Key]:
    """The counts one entity contributes to under its own kind (`apply_changes` adds those of any kind)."""
    tags = list(dict.fromkeys(tags))
    out: list[Key] = []
    for tag in ("", *tags):
        out.append((ALL, tag, kind, ""))
        out.append(("namespace", tag, kind, namespace))
        if isinstance(owner, str) and owner:
            out.append(("owner", tag, kind, owner))
        if isinstance(lifecycle, str) and lifecycle:
            out.append(("lifecycle", tag, kind, lifecycle))
    out.extend(("tag", "", kind, tag) for tag in tags)
    return out


def row_keys(row: Mapping[str, Any] | RowMapping) -> list[Key]:
    """The counts a stored entity row (with its metadata) contributes to."""
    tags = row["metadata"].get("tags") or ()
    return keys(row["kind"], row["namespace"], row["owner"], row["lifecycle"], tags)


async def apply_changes(conn: AsyncConnection, removed: Iterable[Key], added: Iterable[Key]) -> None:
    """Count `added` up and `removed` down (keys of one kind each, as `keys` gives them) and, for the keys
    under no tag, the same for any kind, in the caller's transaction; counts that reach 0 go.

    Under a tag there are no any-kind rows: `read` sums that tag's kinds instead (there are few kinds, and
    those rows were a third of what every batch wrote)."""
    delta: Counter[Key] = Counter(added)
    delta.subtract(removed)
    any_kind: Counter[Key] = Counter()
    for (field, tag, _kind, value), n in delta.items():
        if n and not tag:
            any_kind[(field, "", "", value)] += n
    delta.update(any_kind)
    changes = [(field, tag, kind, value, n) for (field, tag, kind, value), n in delta.items() if n]
    if not changes:
        return
    if conn.dialect.name == "postgresql":
        changes.sort()  # one lock order for concurrent writers (SQLite has one writer at a time)
    await upsert_add(conn, entity_facets, changes)
    emptied = [change[:4] for change in changes if change[4] < 0]
    if emptied:
        cols = (entity_facets.c.field, entity_facets.c.tag, entity_facets.c.kind, entity_facets.c.value)
        for start in range(0, len(emptied), 200):
            chunk = emptied[start : start + 200]
            await conn.execute(delete(entity_facets).where(tuple_(*cols).in_(chunk), entity_facets.c.n <= 0))


def answers(flt: EntityFilter, field: str) -> bool:
    """Whether the kept counts answer facet `field` under `flt` (the field's own filter is left out)."""
    others = ("namespace", "owner", "lifecycle")
    return not (flt.labels or flt.search_words or any(getattr(flt, name) for name in others if name != field))


def total(flt: EntityFilter) -> Select[Any] | None:
    """The number of entities matching `flt` from the kept counts, when they hold it: for a kind and/or a
    tag with at most one of namespace, owner and lifecycle, one row (under a tag with no kind, one per
    kind, see `apply_changes`), where COUNT(*) would read every matching entry of an index, 60k of them
    for `kind=Service` at 100k entities. None for any other filter."""
    if flt.labels or flt.search_words:
        return None
    fields = [name for name in ("namespace", "owner", "lifecycle") if getattr(flt, name)]
    if len(fields) > 1:
        return None
    field, value = (fields[0], getattr(flt, fields[0])) if fields else (ALL, "")
    c = entity_facets.c
    kind = c.kind != "" if flt.tag and not flt.kind else c.kind == (flt.kind or "")
    return select(func.coalesce(func.sum(c.n), 0)).where(
        c.field == field, c.tag == (flt.tag or ""), kind, c.value == value
    )


def by_value(column: Any, dialect: str) -> Any:
    """`column` to order a facet's ties by: code point order on both databases, as the facets counted in
    Python are (`queries.facets`). PostgreSQL would otherwise use the database's collation, under which
    `en_US.UTF-8` puts `data` before `Platform` and code point order puts it after."""
    return column.collate("C") if dialect == "postgresql" else column


def read(conn: Connection, flt: EntityFilter, field: str, limit: int) -> list[dict[str, Any]]:
    """Facet `field` under `flt` from the kept counts (see `answers`): one range of the primary key."""
    c = entity_facets.c
    dialect = conn.dialect.name
    if field == "kind":
        stmt = select(c.kind, c.n).where(c.field == ALL, c.tag == (flt.tag or ""), c.kind != "", c.n > 0)
        stmt = stmt.order_by(c.n.desc(), by_value(c.kind, dialect))
    elif (tag := "" if field == "tag" else (flt.tag or "")) and not flt.kind:
        # under a tag, any kind is the sum of the kinds' rows (see apply_changes)
        total = func.sum(c.n)
        stmt = select(c.value, total).where(c.field == field, c.tag == tag, c.kind != "").group_by(c.value)
        stmt = stmt.having(total > 0).order_by(total.desc(), by_value(c.value, dialect))
    else:
        stmt = select(c.value, c.n).where(c.field == field, c.tag == tag, c.kind == (flt.kind or ""), c.n > 0)
        stmt = stmt.order_by(c.n.desc(), by_value(c.value, dialect))
    return [{"value": value, "count": int(n)} for value, n in conn.execute(stmt.limit(limit)).all()]
