"""The whole plugin contract: one function per hook (DESIGN §2). Documented in docs/plugin-hooks.md.

Registration hooks are synchronous, side-effect free and return declarations; the core validates them,
attributes each to its plugin and wires it. Plugins never receive the FastAPI app.
"""

# mypy: disable-error-code="empty-body"
# (hook specifications have no body: pluggy calls the implementations)

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from fastapi import APIRouter

    from gantry_core.plugins.types import (
        ActionType,
        EntityEvent,
        EntityKind,
        PluginContext,
        PluginManifest,
        SyncJob,
        UIExtension,
    )

PROJECT = "gantry"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def gantry_plugin_manifest() -> PluginManifest:
    """Describe the plugin: id, title, description, version, category, icon and its config model."""


@hookspec
def gantry_register_entity_kinds() -> Sequence[EntityKind]:
    """Entity kinds the plugin adds to the catalog (spec model, reference fields, icon, columns)."""


@hookspec
def gantry_register_routes() -> Sequence[APIRouter]:
    """Routers mounted under /api/v1/plugins/{id}; every route declares a minimum role or `public`."""


@hookspec
def gantry_register_sync_jobs() -> Sequence[SyncJob]:
    """Jobs the scheduler runs on their interval; what they yield is upserted into the catalog."""


@hookspec
def gantry_register_action_types() -> Sequence[ActionType]:
    """Executors for Action entities whose `spec.type` names them."""


@hookspec
def gantry_register_ui_extensions() -> Sequence[UIExtension]:
    """Declarative UI extensions (slot, condition, renderer, data URL) shown while the plugin is enabled."""


@hookspec
def gantry_lifespan(ctx: PluginContext) -> AbstractAsyncContextManager[Any] | None:
    """An async context manager entered at start-up and exited, in reverse order, at shutdown."""


@hookspec
def gantry_on_entity_event(event: EntityEvent, ctx: PluginContext) -> Awaitable[None] | None:
    """Called after an entity write is committed; a failure is logged and never undoes the write."""
