"""The plugin contract: the only module (with gantry_core.testing) a plugin imports from the core."""

from typing import TYPE_CHECKING

from gantry_core.plugins.hookspecs import hookimpl, hookspec
from gantry_core.plugins.types import (
    ROLE_LEVELS,
    ActionType,
    EntityEvent,
    EntityKind,
    PluginContext,
    PluginManifest,
    ReferenceField,
    Role,
    SyncContext,
    SyncJob,
    UICondition,
    UIExtension,
)

if TYPE_CHECKING:
    from gantry_core.api.deps import public, require_role
    from gantry_core.api.errors import GantryError
    from gantry_core.plugins.runtime import Context, plugin_context

__all__ = [
    "ROLE_LEVELS",
    "ActionType",
    "Context",
    "EntityEvent",
    "EntityKind",
    "GantryError",
    "PluginContext",
    "PluginManifest",
    "ReferenceField",
    "Role",
    "SyncContext",
    "SyncJob",
    "UICondition",
    "UIExtension",
    "hookimpl",
    "hookspec",
    "plugin_context",
    "public",
    "require_role",
]


def __getattr__(name: str) -> object:
    # The route dependencies, the route context and the error type live with the API and the runtime;
    # importing them lazily keeps this module light.
    if name in ("require_role", "public"):
        from gantry_core.api import deps

        return getattr(deps, name)
    if name in ("Context", "plugin_context"):
        from gantry_core.plugins import runtime

        return getattr(runtime, name)
    if name == "Context":
        from gantry_core.plugins.runtime import Context

        return Context
    if name == "GantryError":
        from gantry_core.api.errors import GantryError

        return GantryError
    raise AttributeError(name)
