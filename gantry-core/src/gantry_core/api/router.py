"""The explicit list of every core router."""

from __future__ import annotations

from fastapi import APIRouter

from gantry_core.web.spa import spa_router

__all__ = ["api_router", "root_router", "spa_router"]


def root_router() -> APIRouter:
    from gantry_core.api import system

    return system.router


def api_router() -> APIRouter:
    from gantry_core.audit import views as audit_views
    from gantry_core.auth import views as auth_views
    from gantry_core.catalog import schema_views
    from gantry_core.catalog import views as catalog_views
    from gantry_core.dashboard import views as dashboard_views
    from gantry_core.events import ws
    from gantry_core.healthcheck import views as healthcheck_views
    from gantry_core.history import views as history_views
    from gantry_core.plugins import views as plugin_views

    router = APIRouter()
    router.include_router(auth_views.router)
    router.include_router(auth_views.users_router)
    router.include_router(auth_views.groups_router)
    router.include_router(schema_views.router)
    router.include_router(plugin_views.router)
    router.include_router(catalog_views.router)
    router.include_router(ws.router)
    router.include_router(audit_views.router)
    router.include_router(history_views.router)
    router.include_router(dashboard_views.router)
    router.include_router(healthcheck_views.router)
    return router
