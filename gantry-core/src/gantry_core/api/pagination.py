"""One pagination shape for every list (F58): ``{"items": [...], "total": N, "next": cursor|null}``.

Keyset pagination: the opaque cursor holds the sort key of the last row, so a page costs an index seek,
never an OFFSET scan.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.engine import Connection, Row

from gantry_core.api.errors import GantryError

T = TypeVar("T")
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    next: str | None


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1-500)")] = 50,
    cursor: Annotated[str | None, Query(max_length=1024, description="`next` of the previous page")] = None,
) -> PageParams:
    return PageParams(limit, cursor)


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values), default=str)).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise GantryError(400, "invalid_cursor", "cursor is not one this server issued; start from the first page")
    return values


def after(columns: Sequence[ColumnElement[Any]], values: Sequence[Any], descending: bool) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order of `columns` (all ascending or all descending)."""
    clauses = []
    for i, col in enumerate(columns):
        prefix = [columns[j] == values[j] for j in range(i)]
        step = col < values[i] if descending else col > values[i]
        clauses.append(and_(*prefix, step))
    return or_(*clauses)


def keyset_page(
    conn: Connection,
    stmt: Select[Any],
    order: Sequence[ColumnElement[Any]],
    params: PageParams,
    *,
    descending: bool = False,
    key: Any = None,
    count: Select[Any] | int | None = None,
    cursor_types: Sequence[Any] = (),
) -> tuple[list[Row[Any]], int, str | None]:
    """Fetch one page of `stmt` ordered by `order`; returns rows, total and the next cursor.

    `count` is the statement that counts every row of `stmt` (by default, a count over `stmt` itself),
    or the total when the caller already knows it. Synchronous, so that a page can be read off the event
    loop (`Database.read_sync`); in a `read()` block, ``await conn.run_sync(keyset_page, …)``."""
    if isinstance(count, int):
        total = count
    else:
        count_stmt = count if count is not None else select(func.count()).select_from(stmt.order_by(None).subquery())
        total = int(conn.execute(count_stmt).scalar_one())
    page_stmt = stmt
    if params.cursor:
        values = decode_cursor(params.cursor, len(order))
        for i, kind in enumerate(cursor_types):
            if kind is not None and values[i] is not None:
                try:
                    values[i] = kind(values[i])
                    if isinstance(values[i], int) and not -(2**63) <= values[i] < 2**63:
                        raise ValueError("out of range")
                except (TypeError, ValueError, OverflowError):
                    raise GantryError(400, "invalid_cursor", "cursor is not one this server issued") from None
        page_stmt = page_stmt.where(after(order, values, descending))
    direction = [c.desc() if descending else c.asc() for c in order]
    rows = list(conn.execute(page_stmt.order_by(*direction).limit(params.limit + 1)).all())
    nxt = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        last = rows[-1]
        nxt = encode_cursor(key(last) if key else [last._mapping[str(c.key)] for c in order])
    return rows, total, nxt
