"""The plugin host: a typed façade over what every plugin declared, attributed and checked for clashes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from fastapi import APIRouter
from fastapi.routing import APIRoute

from gantry_core.plugins.kinds import RegisteredKind, register_kind
from gantry_core.plugins.manager import LoadedPlugin, PluginLoadError, PluginManager
from gantry_core.plugins.types import (
    DECLARATION_NAME,
    ActionType,
    EntityKind,
    PluginContext,
    PluginManifest,
    SyncJob,
    UIExtension,
)

log = logging.getLogger("gantry.plugins")


@dataclass
class PluginRecord:
    """One plugin as the API lists it, with everything it declared."""

    id: str
    distribution: str
    version: str
    builtin: bool
    manifest: PluginManifest | None
    error: str | None = None
    kinds: list[str] = field(default_factory=list)
    routes: list[dict[str, Any]] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    action_types: list[str] = field(default_factory=list)
    ui_extensions: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.manifest.title if self.manifest else self.id


T = TypeVar("T")


@dataclass(frozen=True)
class Owned(Generic[T]):
    plugin_id: str
    value: T


class PluginHost:
    """Collects and validates declarations from the loaded plugins; raises PluginLoadError on clashes."""

    def __init__(self, manager: PluginManager) -> None:
        self.manager = manager
        self.plugins: dict[str, PluginRecord] = {}
        self.kinds: dict[str, RegisteredKind] = {}
        self.routers: list[Owned[APIRouter]] = []
        self.jobs: dict[str, Owned[SyncJob]] = {}
        self.action_types: dict[str, Owned[ActionType]] = {}
        self.ui_extensions: dict[str, Owned[UIExtension]] = {}
        self._kind_aliases: dict[str, str] = {}
        self._route_keys: set[tuple[str, str, str]] = set()
        for loaded in manager.loaded.values():
            self._collect(loaded)

    # -- lookups -------------------------------------------------------------------------------------

    def kind(self, name: str) -> RegisteredKind | None:
        """A kind by canonical name, plural or short name, in any case."""
        key = self._kind_aliases.get(name.lower())
        return self.kinds[key] if key else None

    def context(self, plugin_id: str) -> PluginContext:
        return PluginContext(plugin_id=plugin_id, log=logging.getLogger(f"gantry.plugin.{plugin_id}"))

    # -- collection ----------------------------------------------------------------------------------

    def _collect(self, loaded: LoadedPlugin) -> None:
        pid = loaded.id
        if loaded.status == "error":
            self.plugins[pid] = PluginRecord(
                pid, loaded.distribution, loaded.version, loaded.builtin, None, error=loaded.error
            )
            return
        manifest = self._manifest(loaded)
        record = PluginRecord(pid, loaded.distribution, loaded.version, loaded.builtin, manifest)
        self.plugins[pid] = record
        for kind in self._declared(pid, "gantry_register_entity_kinds", EntityKind):
            self._add_kind(record, kind)
        for router in self._declared(pid, "gantry_register_routes", APIRouter):
            self._add_router(record, router)
        for job in self._declared(pid, "gantry_register_sync_jobs", SyncJob):
            self._add_unique(record, self.jobs, job.name, job, "sync job")
            record.jobs.append(job.name)
        for action_type in self._declared(pid, "gantry_register_action_types", ActionType):
            self._add_unique(record, self.action_types, action_type.name, action_type, "action type")
            record.action_types.append(action_type.name)
        for ext in self._declared(pid, "gantry_register_ui_extensions", UIExtension):
            self._check_ui_extension(pid, ext)
            self._add_unique(record, self.ui_extensions, ext.id, ext, "UI extension id")
            record.ui_extensions.append(ext.id)

    def _manifest(self, loaded: LoadedPlugin) -> PluginManifest:
        manifest = self.manager.call("gantry_plugin_manifest", loaded.id)
        if manifest is None:
            return PluginManifest(id=loaded.id, title=loaded.id, version=loaded.version)
        if not isinstance(manifest, PluginManifest):
            raise PluginLoadError(f"plugin {loaded.id!r}: gantry_plugin_manifest must return a PluginManifest")
        if manifest.id != loaded.id:
            raise PluginLoadError(
                f"plugin {loaded.id!r}: manifest id {manifest.id!r} differs from its entry-point name"
            )
        return manifest

    def _declared(self, plugin_id: str, hook: str, expected: type[T]) -> list[T]:
        result = self.manager.call(hook, plugin_id)
        if result is None:
            return []
        if not isinstance(result, Iterable) or isinstance(result, str | bytes):
            raise PluginLoadError(f"plugin {plugin_id!r}: {hook} must return a list of {expected.__name__}")
        items = list(result)
        for item in items:
            if not isinstance(item, expected):
                raise PluginLoadError(
                    f"plugin {plugin_id!r}: {hook} returned {type(item).__name__}, expected {expected.__name__}"
                )
        return items

    def _add_unique(self, record: PluginRecord, table: dict[str, Owned[T]], name: str, value: T, what: str) -> None:
        if not DECLARATION_NAME.match(name):
            raise PluginLoadError(f"plugin {record.id!r}: {what} {name!r} must match {DECLARATION_NAME.pattern}")
        if name in table:
            raise PluginLoadError(
                f"{what} {name!r} is declared by two plugins: {table[name].plugin_id!r} and {record.id!r}"
            )
        table[name] = Owned(record.id, value)

    def _add_kind(self, record: PluginRecord, kind: EntityKind) -> None:
        key = kind.name.lower()
        for alias in {key, kind.plural.lower(), *(s.lower() for s in kind.short_names)}:
            if alias in self._kind_aliases:
                other = self.kinds[self._kind_aliases[alias]].plugin_id
                raise PluginLoadError(
                    f"entity kind name {alias!r} is declared by two plugins: {other!r} and {record.id!r}"
                )
        try:
            registered = register_kind(kind, record.id)
        except ValueError as exc:
            raise PluginLoadError(f"plugin {record.id!r}: kind {kind.name!r}: {exc}") from None
        self.kinds[key] = registered
        for alias in {key, kind.plural.lower(), *(s.lower() for s in kind.short_names)}:
            self._kind_aliases[alias] = key
        record.kinds.append(kind.name)

    def _add_router(self, record: PluginRecord, router: APIRouter) -> None:
        from gantry_core.api.deps import route_access

        for route in router.routes:
            if not isinstance(route, APIRoute):
                raise PluginLoadError(f"plugin {record.id!r}: only API routes may be registered ({route!r})")
            if route_access(route) is None:
                raise PluginLoadError(
                    f"plugin {record.id!r}: route {route.path} declares neither a minimum role "
                    "(require_role) nor public access"
                )
            for method in sorted(route.methods):
                key = (record.id, method, route.path)
                if key in self._route_keys:
                    raise PluginLoadError(f"route {method} {route.path} is declared twice in plugin {record.id!r}")
                self._route_keys.add(key)
                record.routes.append({"method": method, "path": f"/api/v1/plugins/{record.id}{route.path}"})
        self.routers.append(Owned(record.id, router))

    def _check_ui_extension(self, plugin_id: str, ext: UIExtension) -> None:
        if (ext.renderer is None) == (ext.component is None):
            raise PluginLoadError(
                f"plugin {plugin_id!r}: UI extension {ext.id!r} needs exactly one of renderer or component"
            )
