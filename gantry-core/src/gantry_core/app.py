"""The application factory. No module-level app, engine or settings: everything is built per app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from gantry_core import __version__
from gantry_core.api.deps import plugin_enabled
from gantry_core.api.errors import install_error_handlers
from gantry_core.api.fastlane import FastLane
from gantry_core.observability.metrics import Metrics
from gantry_core.observability.middleware import RequestPipeline
from gantry_core.plugins.host import PluginHost
from gantry_core.plugins.manager import PluginManager, PluginSource, discover
from gantry_core.settings import GantrySettings, check_data_dir, load_settings
from gantry_core.state import AppState

log = logging.getLogger("gantry")


def build_host(settings: GantrySettings, plugins: Sequence[Any] | None, autoload: bool) -> PluginHost:
    """Load the built-in plugins, then installed ones (entry points) and those handed in, into a host."""
    from gantry_core.builtins import builtin_sources

    sources = builtin_sources(__version__)
    if autoload:
        sources += discover()
    for obj in plugins or ():
        sources.append(_source_for(obj))
    manager = PluginManager()
    manager.load(
        sources, block=settings.plugins_block, allow=settings.plugins_allow, on_error=settings.plugins_on_error
    )
    return PluginHost(manager)


def _source_for(obj: Any) -> PluginSource:
    if isinstance(obj, PluginSource):
        return obj
    manifest = getattr(obj, "gantry_plugin_manifest", None)
    if manifest is None:
        raise TypeError(f"{obj!r} is not a plugin: it has no gantry_plugin_manifest hook")
    declared = manifest()
    return PluginSource(id=declared.id, distribution=f"<{declared.id}>", version=declared.version, obj=obj)


def create_app(
    settings: GantrySettings | None = None, *, plugins: Sequence[Any] | None = None, autoload: bool = True
) -> FastAPI:
    """Build the Gantry ASGI app. `plugins` adds plugin objects (tests); `autoload` finds installed ones."""
    settings = settings or load_settings()
    host = build_host(settings, plugins, autoload)
    metrics = Metrics()
    state = AppState(settings=settings, host=host, metrics=metrics)

    app = FastAPI(
        title="Gantry",
        version=__version__,
        description="The Gantry internal developer portal API",
        lifespan=_lifespan,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.gantry = state
    install_error_handlers(app)
    _include_routes(app, host)
    app.add_middleware(FastLane)
    if settings.dev:
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
    app.add_middleware(RequestPipeline, metrics=metrics)
    return app


def _include_routes(app: FastAPI, host: PluginHost) -> None:
    from gantry_core.api.router import api_routers, root_router, spa_router

    app.include_router(root_router())
    for router in api_routers():
        app.include_router(router, prefix="/api/v1")
    for owned in host.routers:
        wrapper = APIRouter(dependencies=[Depends(plugin_enabled(owned.plugin_id))])
        wrapper.include_router(owned.value)
        app.include_router(wrapper, prefix=f"/api/v1/plugins/{owned.plugin_id}", tags=[f"plugin:{owned.plugin_id}"])
    from gantry_core.plugins.views import static_router

    app.include_router(static_router)
    app.include_router(spa_router())


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    from gantry_core.startup import start, stop

    state: AppState = app.state.gantry
    async with AsyncExitStack() as stack:
        await start(state, stack)
        try:
            yield
        finally:
            await stop(state)


def settings_for_app(app: FastAPI) -> GantrySettings:
    state: AppState = app.state.gantry
    return state.settings


__all__ = ["check_data_dir", "create_app"]
