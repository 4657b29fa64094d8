"""The explicit list of every core router."""

from __future__ import annotations

from fastapi import APIRouter

from gantry_core.web.spa import spa_router

__all__ = ["api_routers", "root_router", "spa_router"]


def root_router() -> APIRouter:
    from gantry_core.api import system

    return system.router


def api_routers() -> list[APIRouter]:
    """Every core router under /api/v1, the busiest first: FastAPI tries routes in order, so the
    catalog's reads are matched before anything else. Each is included into the app directly (no
    router of routers) because every level of nesting is matched twice per request."""
    from gantry_core.actions import views as action_views
    from gantry_core.audit import views as audit_views
    from gantry_core.auth import views as auth_views
    from gantry_core.catalog import import_views, schema_views
    from gantry_core.catalog import views as catalog_views
    from gantry_core.dashboard import views as dashboard_views
    from gantry_core.events import ws
    from gantry_core.healthcheck import views as healthcheck_views
    from gantry_core.history import views as history_views
    from gantry_core.plugins import views as plugin_views
    from gantry_core.secrets import views as secret_views

    return [
        catalog_views.router,
        auth_views.router,
        schema_views.router,
        plugin_views.router,
        plugin_views.ui_router,
        ws.router,
        audit_views.router,
        history_views.router,
        dashboard_views.router,
        healthcheck_views.router,
        import_views.router,
        auth_views.users_router,
        auth_views.groups_router,
        action_views.router,
        secret_views.router,
    ]
