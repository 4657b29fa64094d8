"""`POST /history` records a detail view; `GET /history` lists the caller's recent views (F54)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from gantry_core.api.deps import State, Viewer
from gantry_core.api.errors import GantryError
from gantry_core.api.pagination import Page
from gantry_core.catalog.service import entity_not_found, get_entity
from gantry_core.history import service
from gantry_core.history.schemas import ViewIn, ViewOut

router = APIRouter(prefix="/history", tags=["history"])


@router.post("", status_code=204, summary="Record that the caller opened an entity")
async def record_view(body: ViewIn, state: State, user: Viewer) -> Response:
    registered = state.host.kind(body.kind)
    if registered is None:
        raise GantryError(422, "validation_failed", "unknown kind", [{"path": "/kind", "message": "unknown kind"}])
    async with state.db.write() as conn:
        if await get_entity(conn, registered.name, body.namespace, body.name) is None:
            raise entity_not_found(registered.name, body.namespace, body.name)
        await service.record_view(conn, user.user_id, registered.name, body.namespace, body.name)
    return Response(status_code=204)


@router.get("", summary="The caller's recently viewed entities, newest first (at most 20 are kept)")
async def recent_views(
    state: State,
    user: Viewer,
    limit: Annotated[int, Query(ge=1, le=service.MAX_KEPT, description="How many (1-20)")] = 10,
) -> Page[ViewOut]:
    async with state.db.read() as conn:
        rows = await service.recent(conn, user.user_id, limit)
        total = await service.count(conn, user.user_id)
    items = [
        ViewOut(
            kind=r["kind"],
            namespace=r["namespace"],
            name=r["name"],
            title=r["title"],
            viewedAt=r["viewed_at"],
            exists=r["entity_id"] is not None,
        )
        for r in rows
    ]
    return Page(items=items, total=total, next=None)
