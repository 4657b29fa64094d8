"""Plugin registry endpoints (F93): the list of installed plugins and what each declares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from gantry_core.api.deps import PlatformEngineer, Public, State, Viewer, client_ip, request_source
from gantry_core.api.errors import GantryError, not_found
from gantry_core.api.pagination import PageParams, keyset_page, page_params
from gantry_core.db.tables import sync_runs
from gantry_core.plugins import config as config_mod
from gantry_core.plugins.host import PluginRecord
from gantry_core.state import AppState

router = APIRouter(prefix="/plugins", tags=["plugins"])


class PluginOut(BaseModel):
    id: str
    title: str
    description: str
    version: str
    distribution: str
    category: str
    icon: str
    status: str
    builtin: bool
    error: str | None
    configSchema: dict[str, Any] | None
    kinds: list[str]
    routes: list[dict[str, Any]]
    jobs: list[str]
    actionTypes: list[str]
    uiExtensions: list[str]


def plugin_out(state: AppState, record: PluginRecord) -> PluginOut:
    manifest = record.manifest
    config_model = manifest.config_model if manifest else None
    return PluginOut(
        id=record.id,
        title=record.title,
        description=manifest.description if manifest else "",
        version=manifest.version if manifest and manifest.version != "0.0.0" else record.version,
        distribution=record.distribution,
        category=manifest.category if manifest else "integration",
        icon=manifest.icon if manifest else "puzzle",
        status=state.plugin_states.status(record.id),
        builtin=record.builtin,
        error=state.plugin_states.error(record.id),
        configSchema=config_model.model_json_schema() if config_model else None,
        kinds=record.kinds,
        routes=record.routes,
        jobs=record.jobs,
        actionTypes=record.action_types,
        uiExtensions=record.ui_extensions,
    )


class PluginList(BaseModel):
    items: list[PluginOut]
    total: int
    next: str | None = None


@router.get("", summary="Installed plugins with their status")
async def list_plugins(state: State, user: Viewer) -> PluginList:
    items = [plugin_out(state, rec) for rec in state.host.plugins.values()]
    return PluginList(items=items, total=len(items))


def _record(state: AppState, plugin_id: str) -> PluginRecord:
    record = state.host.plugins.get(plugin_id)
    if record is None:
        raise not_found(f"plugin {plugin_id!r}")
    return record


@router.get("/{plugin_id}", summary="One plugin")
async def get_plugin(plugin_id: str, state: State, user: PlatformEngineer) -> PluginOut:
    return plugin_out(state, _record(state, plugin_id))


@router.get("/{plugin_id}/config", summary="The plugin's config, secrets redacted")
async def get_config(plugin_id: str, state: State, user: PlatformEngineer) -> dict[str, Any]:
    _record(state, plugin_id)
    redacted: dict[str, Any] = config_mod.redact(state.plugin_states.stored_config(plugin_id) or {})
    return redacted


@router.put("/{plugin_id}/config", summary="Replace the plugin's config (send the placeholder to keep a secret)")
async def put_config(
    plugin_id: str, body: Annotated[Any, Body()], request: Request, state: State, user: PlatformEngineer
) -> dict[str, Any]:
    _record(state, plugin_id)
    stored: dict[str, Any] = await state.plugin_states.put_config(
        plugin_id, body, actor=user.username, ip=client_ip(request), source=request_source(request)
    )
    return stored


class EnableIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool


@router.put("/{plugin_id}/enable", summary="Enable or disable the plugin, at once on every replica")
async def enable(plugin_id: str, body: EnableIn, request: Request, state: State, user: PlatformEngineer) -> PluginOut:
    record = _record(state, plugin_id)
    await state.plugin_states.set_enabled(
        plugin_id, body.enabled, actor=user.username, ip=client_ip(request), source=request_source(request)
    )
    return plugin_out(state, record)


class SyncIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job: str | None = None


@router.post("/{plugin_id}/sync", status_code=202, summary="Run the plugin's sync jobs now")
async def sync_now(
    plugin_id: str, state: State, user: PlatformEngineer, body: Annotated[SyncIn | None, Body()] = None
) -> dict[str, Any]:
    _record(state, plugin_id)
    if not state.plugin_states.is_enabled(plugin_id):
        raise GantryError(409, "plugin_disabled", f"plugin {plugin_id!r} is not enabled")
    ids = await state.scheduler.trigger(plugin_id, body.job if body else None, user.username)
    return {"id": ids[0], "ids": ids, "status": "running"}


def sync_run_out(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "job": row["job"],
        "status": row["status"],
        "triggeredBy": row["triggered_by"],
        "startedAt": _iso(row["started_at"]),
        "finishedAt": _iso(row["finished_at"]),
        "created": row["created"],
        "updated": row["updated"],
        "unchanged": row["unchanged"],
        "failed": row["failed"],
        "errors": row["errors"] or [],
    }


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat().replace("+00:00", "Z")


@router.get("/{plugin_id}/sync-runs", summary="The plugin's sync runs, newest first")
async def list_sync_runs(
    plugin_id: str, state: State, user: PlatformEngineer, page: Annotated[PageParams, Depends(page_params)]
) -> dict[str, Any]:
    _record(state, plugin_id)
    async with state.db.read() as conn:
        rows, total, nxt = await conn.run_sync(
            keyset_page,
            select(sync_runs).where(sync_runs.c.plugin_id == plugin_id),
            [sync_runs.c.started_at, sync_runs.c.id],
            page,
            descending=True,
            cursor_types=[datetime.fromisoformat, str],
        )
    return {"items": [sync_run_out(r._mapping) for r in rows], "total": total, "next": nxt}


# -- UI manifest and static assets (F158) ------------------------------------------------------------

ui_router = APIRouter(prefix="/ui", tags=["plugins"])


@ui_router.get("/manifest", summary="UI extensions of the enabled plugins")
async def ui_manifest(state: State, user: Viewer) -> dict[str, Any]:
    items = []
    for ext_id, owned in state.host.ui_extensions.items():
        if not state.plugin_states.is_enabled(owned.plugin_id):
            continue
        ext = owned.value
        base = f"/api/v1/plugins/{owned.plugin_id}"
        items.append(
            {
                "id": ext_id,
                "plugin": owned.plugin_id,
                "slot": ext.slot,
                "title": ext.title,
                "renderer": ext.renderer,
                "component": f"/plugins/{owned.plugin_id}/static/{ext.component.lstrip('/')}"
                if ext.component
                else None,
                "dataUrl": f"{base}{ext.data_url}" if ext.data_url else None,
                "when": {
                    "kinds": list(ext.when.kinds),
                    "annotations": list(ext.when.annotations),
                    "specFields": list(ext.when.spec_fields),
                },
                "order": ext.order,
                "options": dict(ext.options),
            }
        )
    items.sort(key=lambda i: (i["slot"], i["order"], i["id"]))
    return {"items": items, "total": len(items), "next": None}


static_router = APIRouter(include_in_schema=False)


@static_router.get("/plugins/{plugin_id}/static/{path:path}", dependencies=[Public])
async def plugin_static(plugin_id: str, path: str, state: State) -> FileResponse:
    record = state.host.plugins.get(plugin_id)
    root = record.manifest.static_dir if record and record.manifest else None
    if root is None:
        raise not_found(f"static file {path!r} of plugin {plugin_id!r}")
    base = root.resolve()
    candidate = (base / path).resolve()
    if not candidate.is_relative_to(base) or not candidate.is_file():
        raise not_found(f"static file {path!r} of plugin {plugin_id!r}")
    return FileResponse(candidate, headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})
