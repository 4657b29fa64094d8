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

__all__ = [
    "ROLE_LEVELS",
    "ActionType",
    "EntityEvent",
    "EntityKind",
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
    "public",
    "require_role",
]


def __getattr__(name: str) -> object:
    # The route dependencies live with the API; importing them lazily keeps this module light.
    if name in ("require_role", "public"):
        from gantry_core.api import deps

        return getattr(deps, name)
    raise AttributeError(name)
