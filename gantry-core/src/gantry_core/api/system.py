"""Liveness, readiness and metrics (F87, F88), outside /api/v1."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gantry_core.api.deps import Public, State
from gantry_core.api.errors import error_response
from gantry_core.catalog import facet_counts
from gantry_core.catalog.queries import EntityFilter

log = logging.getLogger("gantry")
router = APIRouter(tags=["system"])


@router.get("/healthz", dependencies=[Public], summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", dependencies=[Public], summary="Readiness: 503 when the database is unreachable")
async def readyz(state: State) -> Response:
    try:
        await asyncio.wait_for(state.db.ping(), timeout=2.0)
    except Exception:
        return error_response(503, "not_ready", "database unreachable")
    return JSONResponse({"status": "ok"})


@router.get("/metrics", dependencies=[Public], summary="Prometheus metrics", response_class=Response)
async def metrics(state: State, request: Request) -> Response:
    kept = facet_counts.total(EntityFilter())  # a row the write path keeps, not a count of every entity
    assert kept is not None  # under no filter, always
    try:
        async with state.db.read() as conn:
            count = (await conn.execute(kept)).scalar_one()
        state.metrics.entities.set(count)
    except Exception:  # metrics stay available while the database is down
        log.warning("could not count entities for /metrics", exc_info=True)
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
