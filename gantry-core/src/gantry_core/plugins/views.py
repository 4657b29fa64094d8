"""Plugin registry endpoints (F93): the list of installed plugins and what each declares."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from gantry_core.api.deps import State, Viewer
from gantry_core.api.errors import not_found
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
        error=record.error,
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


@router.get("/{plugin_id}", summary="One plugin")
async def get_plugin(plugin_id: str, state: State, user: Viewer) -> PluginOut:
    record = state.host.plugins.get(plugin_id)
    if record is None:
        raise not_found(f"plugin {plugin_id!r}")
    return plugin_out(state, record)
