"""Bulk inserts with SQLAlchemy's own SQL and type processors but without its per-row machinery.

`conn.execute(insert(table), rows)` spends most of its time building parameters row by row; for the
thousands of rows of a batch apply or a sync that was a third of the write. Here the statement is
compiled once per (dialect, table, columns) and each row is turned into a tuple with the same bind
processors SQLAlchemy would apply (JSON serializer, DateTime format), then handed to the driver's
executemany. Same SQL, same stored values, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

_UNSEEN = object()


@lru_cache(maxsize=128)
def _compiled(
    dialect: Dialect, table: Table, columns: tuple[str, ...]
) -> tuple[str, Callable[[Any], Any], Callable[[Any], Any], list[Any]]:
    """SQL, a getter of the bound values from a mapping row and one from a tuple of `columns` (both in
    bind order), and (position, processor) for the columns that have a processor."""
    compiled = insert(table).values({c: bindparam(c) for c in columns}).compile(dialect=dialect)
    names = list(compiled.positiontup or ())
    processors = compiled._bind_processors
    by_name = itemgetter(*names) if len(names) > 1 else (lambda row, name=names[0]: (row[name],))
    order = [columns.index(name) for name in names]
    by_position = tuple if order == list(range(len(columns))) else (lambda row: tuple(row[i] for i in order))
    # every value of a column with a processor goes through it, None too
    return (
        str(compiled),
        by_name,
        by_position,
        [(i, processors[name]) for i, name in enumerate(names) if name in processors],
    )


async def insert_rows(
    conn: AsyncConnection,
    table: Table,
    rows: Sequence[Mapping[str, Any]] | Sequence[tuple[Any, ...]],
    columns: tuple[str, ...] | None = None,
) -> None:
    """INSERT `rows` into `table` in one executemany: mappings with the same keys, or with `columns`
    tuples of those columns' values in that order (no dict per row)."""
    if not rows:
        return
    if columns is None:
        sql, get, _, processed = _compiled(conn.dialect, table, tuple(rows[0]))
    else:
        sql, _, get, processed = _compiled(conn.dialect, table, columns)
    if not processed:
        params: list[Any] = [get(row) for row in rows]
    else:
        params = []
        # the last value each processor saw and its answer: a batch stamps every row with the same
        # datetime object, so that one is processed once
        last: dict[int, tuple[Any, Any]] = {i: (_UNSEEN, None) for i, _ in processed}
        for row in rows:
            values = list(get(row))
            for i, process in processed:
                value = values[i]
                seen = last[i]
                if seen[0] is not value:
                    seen = last[i] = (value, process(value))
                values[i] = seen[1]
            params.append(tuple(values))
    await conn.exec_driver_sql(sql, params)


@lru_cache(maxsize=32)
def _compiled_upsert(dialect: Dialect, table: Table, column: str) -> str:
    from sqlalchemy.dialects import postgresql, sqlite

    names = [c.name for c in table.columns]
    dialect_insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    stmt: Any = dialect_insert(table).values({c: bindparam(c) for c in names})
    stmt = stmt.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns],
        set_={column: table.c[column] + stmt.excluded[column]},
    )
    compiled = stmt.compile(dialect=dialect)
    assert list(compiled.positiontup or ()) == names  # the rows' tuples bind in column order
    return str(compiled)


async def upsert_add(conn: AsyncConnection, table: Table, rows: Sequence[tuple[Any, ...]], column: str = "n") -> None:
    """INSERT `rows` (tuples in the table's column order) into `table`, adding `column` onto the row
    already there for the same primary key."""
    if not rows:
        return
    await conn.exec_driver_sql(_compiled_upsert(conn.dialect, table, column), list(rows))


async def reserve_ids(conn: AsyncConnection, table: Table, count: int) -> Sequence[int]:
    """`count` new ids for rows of `table` that the caller inserts in this transaction.

    PostgreSQL draws them from the column's sequence. On SQLite the write transaction holds the
    database's only write lock (`BEGIN IMMEDIATE`), so nobody else inserts meanwhile and the ids after
    the current largest are free — exactly those SQLite would have chosen itself."""
    if count == 0:
        return []
    if conn.dialect.name == "sqlite":
        top = (await conn.execute(select(func.max(table.c.id)))).scalar() or 0
        return range(top + 1, top + 1 + count)
    rows = await conn.execute(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
        {"table": table.name, "count": count},
    )
    return [int(row[0]) for row in rows]
