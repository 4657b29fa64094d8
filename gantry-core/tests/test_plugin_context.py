"""The plugin context of routes and jobs (DESIGN §2): one `state` per plugin shared by its lifespan, routes and
sync jobs; `get_entities` reads many entities at once; route audits carry the caller's IP; `Context` and
`GantryError` come from `gantry_core.plugins`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from gantry_core.db import tables
from gantry_core.plugins import (
    Context,
    GantryError,
    PluginContext,
    PluginManifest,
    SyncJob,
    hookimpl,
    require_role,
)
from gantry_core.testing import Harness
from sqlalchemy import select

router = APIRouter()
seen: dict[str, Any] = {}


@router.post("/things/{name}")
async def touch(name: str, ctx: Context, user: Annotated[Any, Depends(require_role("developer"))]) -> dict[str, Any]:
    if name == "bad":
        raise GantryError(422, "validation_failed", "bad thing", [{"path": "/name", "message": "not allowed"}])
    ctx.state["touched"] = ctx.state.get("touched", 0) + 1
    found = await ctx.get_entities("service", ["alpha", "beta", "missing"])
    await ctx.audit("touch", actor=user.username, resource_type="Thing", resource_name=name, after={"n": 1})
    return {"opened": ctx.state.get("opened"), "touched": ctx.state["touched"], "found": sorted(found)}


async def job(ctx: Any) -> AsyncIterator[Mapping[str, Any]]:
    seen["job_state"] = ctx.state
    return
    yield


class ContextPlugin:
    @hookimpl
    def gantry_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(id="ctxtest", title="Context test")

    @hookimpl
    def gantry_register_routes(self) -> list[APIRouter]:
        return [router]

    @hookimpl
    def gantry_register_sync_jobs(self) -> list[SyncJob]:
        return [SyncJob(name="ctxtest-job", run=job, interval=None)]

    @hookimpl
    def gantry_lifespan(self, ctx: PluginContext) -> AbstractAsyncContextManager[None]:
        @asynccontextmanager
        async def lifespan() -> AsyncIterator[None]:
            ctx.state["opened"] = "yes"
            seen["lifespan_state"] = ctx.state
            yield
            ctx.state.pop("opened")

        return lifespan()


def service(name: str) -> dict[str, Any]:
    return {"apiVersion": "gantry.io/v1", "kind": "Service", "metadata": {"name": name}, "spec": {"type": "backend"}}


async def test_state_entities_audit_ip_and_errors(gantry_harness: Harness) -> None:
    async with gantry_harness(plugins=[ContextPlugin()]) as gantry:
        admin = await gantry.client("admin")
        assert (await admin.put("/api/v1/plugins/ctxtest/enable", json={"enabled": True})).status_code == 200
        dev = await gantry.client("developer", username="devon")
        for name in ("alpha", "beta"):
            assert (await dev.put(f"/api/v1/entities/service/{name}", json=service(name))).status_code == 201

        first = await dev.post("/api/v1/plugins/ctxtest/things/one", headers={"X-Forwarded-For": "203.0.113.7"})
        assert first.json() == {"opened": "yes", "touched": 1, "found": ["alpha", "beta"]}
        second = await dev.post("/api/v1/plugins/ctxtest/things/two")
        assert second.json()["touched"] == 2  # the same state across requests

        await admin.post("/api/v1/plugins/ctxtest/sync")
        await gantry.state.scheduler.wait_idle("ctxtest")
        assert seen["job_state"] is seen["lifespan_state"]

        async with gantry.state.db.read() as conn:
            row = (
                (await conn.execute(select(tables.audit_log).where(tables.audit_log.c.action == "ctxtest.touch")))
                .mappings()
                .first()
            )
        assert row is not None
        assert (row["user_name"], row["source"], row["resource_name"]) == ("devon", "plugin", "one")
        assert row["ip_address"] is not None

        bad = await dev.post("/api/v1/plugins/ctxtest/things/bad")
        assert bad.status_code == 422
        assert bad.json() == {
            "error": "bad thing",
            "code": "validation_failed",
            "details": [{"path": "/name", "message": "not allowed"}],
        }
