"""`GET/PUT /dashboard/config` (F85) and `GET /stats`, the per-kind counts of the dashboard (F86)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gantry_core.api.deps import Admin, State, Viewer, client_ip, request_source
from gantry_core.audit.service import record as audit
from gantry_core.dashboard import service
from gantry_core.dashboard.schemas import DashboardConfig, EntityStats

router = APIRouter(tags=["dashboard"])


@router.get("/dashboard/config", summary="The dashboard's widgets and announcements")
async def get_config(state: State, user: Viewer) -> DashboardConfig:
    async with state.db.read() as conn:
        return await service.load(conn)


@router.put("/dashboard/config", summary="Replace the dashboard's widgets and announcements (admin)")
async def put_config(body: DashboardConfig, request: Request, state: State, user: Admin) -> DashboardConfig:
    config = service.complete(body)
    async with state.db.write() as conn:
        before = await service.load(conn)
        await service.save(conn, config, user.username)
        await audit(
            conn,
            action="dashboard.update",
            actor=user.username,
            source=request_source(request),
            ip=client_ip(request),
            resource_type="DashboardConfig",
            resource_name="global",
            before=before.model_dump(mode="json"),
            after=config.model_dump(mode="json"),
        )
    return config


@router.get("/stats", summary="How many entities of each kind the catalog holds")
async def stats(state: State, user: Viewer) -> EntityStats:
    async with state.db.read() as conn:
        counts = await service.entity_counts(conn)
    by_kind = {k.name: counts.get(k.name, 0) for k in state.host.kinds.values()}
    by_kind.update(counts)
    return EntityStats(total=sum(counts.values()), byKind=by_kind)
