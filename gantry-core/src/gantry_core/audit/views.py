"""Audit log for admins, activity feeds for everyone (F83, F84, F86, F154).

`GET /audit` (admin) shows every entry with the client's IP address. `GET /entities/{kind}/{name}/activity`
and `GET /activity` (any signed-in user) show entity changes without IP addresses.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime
from sqlalchemy.engine import RowMapping

from gantry_core.api.deps import Admin, State, Viewer
from gantry_core.api.errors import invalid_parameter
from gantry_core.api.pagination import Page, PageParams, page_params
from gantry_core.audit import queries
from gantry_core.audit.schemas import ActivityEntry, AuditEntry
from gantry_core.catalog.documents import DEFAULT_NAMESPACE
from gantry_core.catalog.schema_views import unknown_kind
from gantry_core.catalog.service import entity_not_found, get_entity
from gantry_core.state import AppState

router = APIRouter(tags=["audit"])

Pagination = Annotated[PageParams, Depends(page_params)]
KindQ = Annotated[str | None, Query(max_length=63, description="Resource type: an entity kind (any case) or User…")]
NamespaceQ = Annotated[str | None, Query(max_length=63, description="Resource namespace")]
Since = Annotated[AwareDatetime | None, Query(description="Entries at or after this time (RFC 3339)")]
Until = Annotated[AwareDatetime | None, Query(description="Entries before this time (RFC 3339)")]
Source = Literal["api", "cli", "plugin", "system", "mcp"]


def _kind(state: AppState, kind: str | None) -> str | None:
    """Entity kinds are case-insensitive and take their canonical name; other types are matched as given."""
    if kind is None:
        return None
    registered = state.host.kind(kind)
    return registered.name if registered is not None else kind


def _check_range(since: AwareDatetime | None, until: AwareDatetime | None) -> None:
    if since is not None and until is not None and since >= until:
        raise invalid_parameter("until", "must be later than since")


@router.get("/audit", summary="The audit log, newest first (admin)")
async def audit_log(
    state: State,
    user: Admin,
    page: Pagination,
    kind: KindQ = None,
    name: Annotated[str | None, Query(max_length=253, description="Resource name")] = None,
    namespace: NamespaceQ = None,
    user_name: Annotated[str | None, Query(alias="user", max_length=150, description="Who did it")] = None,
    action: Annotated[list[str], Query(max_length=20, description="Action, repeatable (create, login, …)")] = [],  # noqa: B006
    source: Annotated[Source | None, Query(description="Where the change came from")] = None,
    since: Since = None,
    until: Until = None,
) -> Page[AuditEntry]:
    _check_range(since, until)
    if any(len(a) > 63 for a in action):
        raise invalid_parameter("action", "at most 63 characters")
    flt = queries.AuditFilter(
        kind=_kind(state, kind),
        namespace=namespace,
        name=name,
        user=user_name,
        actions=tuple(dict.fromkeys(action)),
        source=source,
        since=since,
        until=until,
    )
    rows, total, nxt = await state.db.read_sync(
        lambda conn: queries.page(conn, flt, page), off_loop=queries.off_loop(flt)
    )
    items = [AuditEntry.model_validate(queries.entry(r._mapping, with_ip=True)) for r in rows]
    return Page(items=items, total=total, next=nxt)


@router.get("/activity", summary="Recent entity changes across the catalog, newest first (no IP addresses)")
async def activity(
    state: State,
    user: Viewer,
    page: Pagination,
    kind: KindQ = None,
    namespace: NamespaceQ = None,
    since: Since = None,
    until: Until = None,
) -> Page[ActivityEntry]:
    _check_range(since, until)
    if kind is not None and state.host.kind(kind) is None:
        raise unknown_kind(kind)
    flt = queries.AuditFilter(
        kind=_kind(state, kind), namespace=namespace, actions=queries.ACTIVITY_ACTIONS, since=since, until=until
    )
    rows, total, nxt = await state.db.read_sync(
        lambda conn: queries.page(conn, flt, page), off_loop=queries.off_loop(flt)
    )
    return Page(items=[_activity(r._mapping) for r in rows], total=total, next=nxt)


@router.get("/entities/{kind}/{name}/activity", summary="One entity's audit entries, newest first (no IP addresses)")
async def entity_activity(
    kind: str,
    name: str,
    state: State,
    user: Viewer,
    page: Pagination,
    namespace: Annotated[str, Query(max_length=63, description="Namespace of the entity")] = DEFAULT_NAMESPACE,
) -> Page[ActivityEntry]:
    registered = state.host.kind(kind)
    if registered is None:
        raise unknown_kind(kind)
    flt = queries.AuditFilter(kind=registered.name, namespace=namespace, name=name)
    async with state.db.read() as conn:
        rows, total, nxt = await conn.run_sync(queries.page, flt, page)
        if total == 0 and await get_entity(conn, registered.name, namespace, name) is None:
            raise entity_not_found(registered.name, namespace, name)
    return Page(items=[_activity(r._mapping) for r in rows], total=total, next=nxt)


def _activity(row: RowMapping) -> ActivityEntry:
    return ActivityEntry.model_validate(queries.entry(row, with_ip=False))
