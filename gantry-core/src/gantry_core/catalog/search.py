"""The search index: SQLite FTS5 (bm25, prefix) or PostgreSQL tsvector + GIN (with pg_trgm fuzzy names).

Indexed: name, title, description, tags, owner and annotation values (F52). Kept in step by the write
path, in the same transaction as the entity row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, bindparam, literal_column, select, text
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from gantry_core.api.errors import GantryError
from gantry_core.db.engine import Database
from gantry_core.db.tables import entities

_TERM = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 16


def terms(q: str | None) -> list[str]:
    """The search terms of `q`; a blank or 1-character query is refused (400)."""
    stripped = (q or "").strip()
    if len(stripped) < 2:
        raise GantryError(
            400,
            "invalid_parameter",
            "q: type at least 2 characters to search",
            [{"path": "q", "message": "must be at least 2 characters"}],
        )
    found = _TERM.findall(stripped.lower())[:MAX_TERMS]
    if not found:
        raise GantryError(
            400,
            "invalid_parameter",
            "q: needs at least one letter or digit",
            [{"path": "q", "message": "has no searchable words"}],
        )
    return found


def _fields(name: str, metadata: Mapping[str, Any]) -> dict[str, str]:
    annotations = metadata.get("annotations") or {}
    return {
        "name": f"{name} {name.replace('-', ' ')}",
        "title": str(metadata.get("title") or ""),
        "description": str(metadata.get("description") or ""),
        "tags": " ".join(metadata.get("tags") or ()),
        "owner": str(metadata.get("owner") or ""),
        "annotations": " ".join(str(v) for v in annotations.values())[:65_536],
    }


async def index_many(conn: AsyncConnection, rows: list[tuple[int, str, Mapping[str, Any], bool]]) -> None:
    """(Re)index entities given as (id, name, metadata, is_new)."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        stale = [(entity_id,) for entity_id, _, _, new in rows if not new]
        if stale:
            await conn.exec_driver_sql("DELETE FROM entity_search WHERE rowid = ?", stale)
        # straight to the driver: these are plain strings, and SQLAlchemy's per-row parameter handling
        # cost more than FTS5's own indexing
        await conn.exec_driver_sql(
            "INSERT INTO entity_search(rowid, name, title, description, tags, owner, annotations) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(entity_id, *_fields(name, metadata).values()) for entity_id, name, metadata, _ in rows],
        )
        return
    params = [{"id": entity_id, **_fields(name, metadata)} for entity_id, name, metadata, _ in rows]
    await conn.execute(
        text(
            "INSERT INTO entity_search(entity_id, document) VALUES (:id, "
            "setweight(to_tsvector('simple', :name), 'A') || setweight(to_tsvector('simple', :title), 'A') || "
            "setweight(to_tsvector('simple', :description), 'B') || setweight(to_tsvector('simple', :tags), 'B') || "
            "setweight(to_tsvector('simple', :owner), 'C') || setweight(to_tsvector('simple', :annotations), 'D')) "
            "ON CONFLICT (entity_id) DO UPDATE SET document = EXCLUDED.document"
        ),
        params,
    )


def optimize(conn: Connection) -> None:
    """SQLite: merge the FTS5 index's segments into one, so a search reads one doclist per term (after a
    bulk load; catalog.statistics runs it)."""
    conn.exec_driver_sql("INSERT INTO entity_search(entity_search) VALUES ('optimize')")


async def clean_pending(conn: AsyncConnection) -> int:
    """PostgreSQL: merge the GIN index's pending list (entries written since the last merge, which every
    search reads in full) into the index; the number of pages it held. catalog.statistics runs it."""
    found = await conn.execute(text("SELECT gin_clean_pending_list('ix_entity_search_document'::regclass)"))
    return int(found.scalar_one())


async def unindex(conn: AsyncConnection, entity_id: int) -> None:
    if conn.dialect.name == "sqlite":
        await conn.execute(text("DELETE FROM entity_search WHERE rowid = :id"), {"id": entity_id})
    # PostgreSQL: the row goes with the entity (ON DELETE CASCADE).


def match_query(dialect: str, words: list[str]) -> str:
    """The engine's query string: every word must match, the last one as a prefix."""
    if dialect == "sqlite":
        quoted = [f'"{w}"' for w in words]
        quoted[-1] += "*"
        return " ".join(quoted)
    return " & ".join([*words[:-1], f"{words[-1]}:*"])


def matching_ids(dialect: str, *, probe: bool = False) -> ColumnElement[Any]:
    """`entities.id IN (<ids matching :search_q>)`; bind `search_q` from :func:`match_query`.

    `probe` writes `entities.id + 0` so that no index can answer the id: the database then reads the
    entities in the order its other clauses and the sort give, and checks each against the matches
    (gathered once), instead of fetching every match and sorting them all (the `exists` way of
    `queries.EntityFilter.clauses`)."""
    if dialect == "sqlite":
        sub = text("SELECT rowid FROM entity_search WHERE entity_search MATCH :search_q")
    else:
        sub = text("SELECT entity_id FROM entity_search WHERE document @@ to_tsquery('simple', :search_q)")
    return (entities.c.id + 0 if probe else entities.c.id).in_(sub.columns(literal_column("id")))


def ranked_sql(dialect: str, *, with_total: bool = True) -> str:
    """(id, rank[, total]) of matching rows, best first; binds :search_q, :limit, :offset.

    `total` counts every match (a window over the ranked rows), so the index is searched once per page,
    not once to rank and again to count. A page past the last match has no row to carry it: `count_sql`."""
    if dialect == "sqlite":
        matches = (
            "SELECT rowid AS id, bm25(entity_search, 10.0, 6.0, 2.0, 4.0, 2.0, 1.0) AS rank "
            "FROM entity_search WHERE entity_search MATCH :search_q"
        )
    else:
        matches = (
            "SELECT entity_id AS id, -ts_rank_cd(document, to_tsquery('simple', :search_q)) AS rank "
            "FROM entity_search WHERE document @@ to_tsquery('simple', :search_q)"
        )
    total = ", count(*) OVER () AS total" if with_total else ""
    return (
        f"SELECT id, rank{total} FROM ({matches}) AS matches "  # noqa: S608 - our own SQL
        "ORDER BY rank, id LIMIT :limit OFFSET :offset"
    )


def count_sql(dialect: str) -> str:
    if dialect == "sqlite":
        return "SELECT count(*) FROM entity_search WHERE entity_search MATCH :search_q"
    return "SELECT count(*) FROM entity_search WHERE document @@ to_tsquery('simple', :search_q)"


#: SQLite ranks up to this many matches on the event loop (a few ms at most); a search with more, such
#: as a two-letter prefix that matches most of the catalog (~70 ms for 60k matches at 100k entities),
#: ranks on a reader thread (`Database.read_sync(off_loop=True)`), so that other requests are not held up. Counting
#: first costs ~0.05 µs a match; the hop to a thread ~0.15 ms, which searches that stay small are spared.
RANK_ON_LOOP = 2000


async def page(db: Database, words: list[str], limit: int, offset: int) -> tuple[list[RowMapping], int, bool]:
    """One page of results: the matching entities best first (only the columns a result shows), the
    number of matches, and whether more follow."""
    if db.dialect != "sqlite":  # asyncpg: nothing here holds up the event loop
        async with db.read() as conn:
            return await conn.run_sync(_page, words, limit, offset, None)
    async with db.read() as conn:
        found = await conn.execute(text(count_sql("sqlite")), {"search_q": match_query("sqlite", words)})
        total = int(found.scalar_one())
        if total <= RANK_ON_LOOP or offset >= total:
            return await conn.run_sync(_page, words, limit, offset, total)
    # ranked in a snapshot of its own: a write in between can make `total` differ by what it changed
    return await db.read_sync(lambda conn: _page(conn, words, limit, offset, total), off_loop=True)


def _page(
    conn: Connection, words: list[str], limit: int, offset: int, total: int | None
) -> tuple[list[RowMapping], int, bool]:
    """`page` on a synchronous connection; `total` when already counted, else counted with the ranking."""
    dialect = conn.dialect.name
    params = {"search_q": match_query(dialect, words), "limit": limit + 1, "offset": offset}
    if total is not None:
        ranked = conn.execute(text(ranked_sql(dialect, with_total=False)), params).all() if offset < total else []
    else:
        ranked = conn.execute(text(ranked_sql(dialect)), params).all()
        if ranked:
            total = int(ranked[0].total)
        else:  # past the last match, or none
            total = int(conn.execute(text(count_sql(dialect)), params).scalar_one()) if offset else 0
    if total == 0 and dialect == "postgresql":
        fuzzy = {"raw": " ".join(words), "limit": limit + 1, "offset": offset}
        total = int(conn.execute(text(FUZZY_COUNT_SQL), fuzzy).scalar_one())
        ranked = conn.execute(text(FUZZY_SQL), fuzzy).all()
    ids = [r.id for r in ranked[:limit]]
    more = len(ranked) > limit
    if not ids:
        return [], total, more
    found = {r["id"]: r for r in conn.execute(_RESULTS, {"ids": ids}).mappings()}
    # an entity deleted between the two statements is left out
    return [found[i] for i in ids if i in found], total, more


#: The columns a result shows (not `spec`), of the ranked ids; built once, as building it per search cost
#: ~0.12 ms, a tenth of a small search.
_RESULTS = select(entities.c.id, entities.c.kind, entities.c.namespace, entities.c.name, entities.c.metadata).where(
    entities.c.id.in_(bindparam("ids", expanding=True))
)

# On lower(name), as the trigram index is (migration 0006); trigrams ignore case either way.
FUZZY_SQL = (
    "SELECT id, -similarity(lower(name), :raw) AS rank FROM entities WHERE lower(name) % :raw "
    "ORDER BY rank, id LIMIT :limit OFFSET :offset"
)
FUZZY_COUNT_SQL = "SELECT count(*) FROM entities WHERE lower(name) % :raw"
