"""`GET /health-check?url=` (F59): does a URL answer? Refused URLs are a 400 saying why."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gantry_core.api.deps import State, Viewer
from gantry_core.api.errors import invalid_parameter
from gantry_core.healthcheck import service

router = APIRouter(tags=["health-check"])


class HealthOut(BaseModel):
    up: bool = Field(description="The URL answered with a status below 400")
    statusCode: int | None = Field(description="HTTP status of the final answer; null when none came")
    latencyMs: int = Field(description="Milliseconds until the final answer's headers")
    error: str | None = Field(None, description="Why it is down, when no answer came or a redirect was refused")


@router.get("/health-check", summary="Check that an http(s) URL answers (public addresses only)")
async def health_check(
    state: State,
    user: Viewer,
    url: Annotated[str, Query(min_length=1, max_length=2048, description="Absolute http(s) URL")],
) -> HealthOut:
    try:
        result = await service.check(url, allow_private=state.settings.healthcheck_allow_private)
    except service.Refused as exc:
        raise invalid_parameter("url", str(exc)) from None
    return HealthOut(up=result.up, statusCode=result.status_code, latencyMs=result.latency_ms, error=result.error)
