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
    PluginManifest,
    SyncJob,
    UIExtension,
)

log = logging.getLogger("gantry.plugins")
#: Paths under /api/v1/plugins/{id} that the core serves itself.
RESERVED_PATHS = frozenset({"", "/config", "/enable", "/sync", "/sync-runs"})


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


class _Rejected(Exception):
    """A plugin's declarations cannot be accepted; the message says why (without naming the plugin)."""


@dataclass
class _Declarations:
    """What one plugin declared, checked on its own before any of it is added to the host."""

    manifest: PluginManifest
    kinds: list[RegisteredKind] = field(default_factory=list)
    routers: list[APIRouter] = field(default_factory=list)
    routes: list[dict[str, Any]] = field(default_factory=list)
    jobs: list[SyncJob] = field(default_factory=list)
    action_types: list[ActionType] = field(default_factory=list)
    ui_extensions: list[UIExtension] = field(default_factory=list)


class PluginHost:
    """Collects and validates declarations from the loaded plugins; raises PluginLoadError on clashes.

    A plugin's declarations are taken all or nothing. When one is refused (a hook raised, a declaration
    is invalid or clashes with another plugin's), start-up stops with a message naming the plugin, its
    distribution and, for a clash, the other plugin; with ``GANTRY_PLUGINS_ON_ERROR=skip`` the plugin is
    kept out instead and listed with its reason (built-in plugins always stop start-up).
    """

    def __init__(self, manager: PluginManager) -> None:
        self.manager = manager
        self.plugins: dict[str, PluginRecord] = {}
        self.kinds: dict[str, RegisteredKind] = {}
        self.routers: list[Owned[APIRouter]] = []
        self.jobs: dict[str, Owned[SyncJob]] = {}
        self.action_types: dict[str, Owned[ActionType]] = {}
        self.ui_extensions: dict[str, Owned[UIExtension]] = {}
        self._kind_aliases: dict[str, str] = {}
        for loaded in list(manager.loaded.values()):
            self._collect(loaded)

    # -- lookups -------------------------------------------------------------------------------------

    def kind(self, name: str) -> RegisteredKind | None:
        """A kind by canonical name, plural or short name, in any case."""
        key = self._kind_aliases.get(name.lower())
        return self.kinds[key] if key else None

    # -- collection ----------------------------------------------------------------------------------

    def _collect(self, loaded: LoadedPlugin) -> None:
        pid = loaded.id
        if loaded.status == "error":
            self.plugins[pid] = PluginRecord(
                pid, loaded.distribution, loaded.version, loaded.builtin, None, error=loaded.error
            )
            return
        try:
            declared = self._declarations(loaded)
            self._check_clashes(loaded, declared)
        except _Rejected as exc:
            message = f"plugin {pid!r} ({loaded.distribution}) failed to load: {exc}"
            if loaded.builtin or self.manager.on_error == "fail":
                raise PluginLoadError(message) from None
            log.error("%s; continuing because GANTRY_PLUGINS_ON_ERROR=skip", message)
            self.manager.reject(pid, str(exc))
            self.plugins[pid] = PluginRecord(
                pid, loaded.distribution, loaded.version, loaded.builtin, None, error=str(exc)
            )
            return
        self._add(loaded, declared)

    def _declarations(self, loaded: LoadedPlugin) -> _Declarations:
        declared = _Declarations(self._manifest(loaded))
        for kind in self._declared(loaded.id, "gantry_register_entity_kinds", EntityKind):
            try:
                declared.kinds.append(register_kind(kind, loaded.id))
            except ValueError as exc:
                raise _Rejected(f"kind {kind.name!r}: {exc}") from None
        for router in self._declared(loaded.id, "gantry_register_routes", APIRouter):
            declared.routes.extend(self._routes_of(loaded.id, router, declared.routes))
            declared.routers.append(router)
        declared.jobs = self._declared(loaded.id, "gantry_register_sync_jobs", SyncJob)
        declared.action_types = self._declared(loaded.id, "gantry_register_action_types", ActionType)
        declared.ui_extensions = self._declared(loaded.id, "gantry_register_ui_extensions", UIExtension)
        for what, names in (
            ("sync job", [job.name for job in declared.jobs]),
            ("action type", [action.name for action in declared.action_types]),
            ("UI extension id", [ext.id for ext in declared.ui_extensions]),
        ):
            seen: set[str] = set()
            for name in names:
                if not DECLARATION_NAME.match(name):
                    raise _Rejected(f"{what} {name!r} must match {DECLARATION_NAME.pattern}")
                if name in seen:
                    raise _Rejected(f"{what} {name!r} is declared twice")
                seen.add(name)
        for ext in declared.ui_extensions:
            if (ext.renderer is None) == (ext.component is None):
                raise _Rejected(f"UI extension {ext.id!r} needs exactly one of renderer or component")
        return declared

    def _manifest(self, loaded: LoadedPlugin) -> PluginManifest:
        manifest = self._call(loaded.id, "gantry_plugin_manifest")
        if manifest is None:
            return PluginManifest(id=loaded.id, title=loaded.id, version=loaded.version)
        if not isinstance(manifest, PluginManifest):
            raise _Rejected(f"gantry_plugin_manifest returned {type(manifest).__name__}, expected PluginManifest")
        if manifest.id != loaded.id:
            raise _Rejected(f"manifest id {manifest.id!r} differs from its entry-point name {loaded.id!r}")
        return manifest

    def _call(self, plugin_id: str, hook: str) -> Any:
        try:
            return self.manager.call(hook, plugin_id)
        except Exception as exc:
            raise _Rejected(f"{hook} raised {type(exc).__name__}: {exc}") from exc

    def _declared(self, plugin_id: str, hook: str, expected: type[T]) -> list[T]:
        result = self._call(plugin_id, hook)
        if result is None:
            return []
        if not isinstance(result, Iterable) or isinstance(result, str | bytes):
            raise _Rejected(f"{hook} must return a list of {expected.__name__}")
        items = list(result)
        for item in items:
            if not isinstance(item, expected):
                raise _Rejected(f"{hook} returned {type(item).__name__}, expected {expected.__name__}")
        return items

    def _routes_of(self, plugin_id: str, router: APIRouter, seen: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from gantry_core.api.deps import route_access

        routes: list[dict[str, Any]] = []
        for route in router.routes:
            if not isinstance(route, APIRoute):
                raise _Rejected(f"only API routes may be registered ({route!r})")
            if route.path.rstrip("/") in RESERVED_PATHS:
                raise _Rejected(f"route {route.path} is reserved for the core's plugin endpoints")
            if route_access(route) is None:
                raise _Rejected(f"route {route.path} declares neither a minimum role (require_role) nor public access")
            for method in sorted(route.methods or ()):
                entry = {"method": method, "path": f"/api/v1/plugins/{plugin_id}{route.path}"}
                if entry in seen or entry in routes:
                    raise _Rejected(f"route {method} {route.path} is declared twice")
                routes.append(entry)
        return routes

    def _owner(self, plugin_id: str) -> str:
        record = self.plugins[plugin_id]
        return f"plugin {plugin_id!r} ({record.distribution})"

    def _check_clashes(self, loaded: LoadedPlugin, declared: _Declarations) -> None:
        aliases: set[str] = set()
        for registered in declared.kinds:
            kind = registered.kind
            for alias in sorted({kind.name.lower(), kind.plural.lower(), *(s.lower() for s in kind.short_names)}):
                if alias in self._kind_aliases:
                    other = self.kinds[self._kind_aliases[alias]].plugin_id
                    raise _Rejected(f"entity kind name {alias!r} is already declared by {self._owner(other)}")
                if alias in aliases:
                    raise _Rejected(f"entity kind name {alias!r} is declared twice")
                aliases.add(alias)
        tables: list[tuple[str, dict[str, Owned[Any]], list[str]]] = [
            ("sync job", self.jobs, [job.name for job in declared.jobs]),
            ("action type", self.action_types, [action.name for action in declared.action_types]),
            ("UI extension id", self.ui_extensions, [ext.id for ext in declared.ui_extensions]),
        ]
        for what, table, names in tables:
            for name in names:
                if name in table:
                    raise _Rejected(f"{what} {name!r} is already declared by {self._owner(table[name].plugin_id)}")

    def _add(self, loaded: LoadedPlugin, declared: _Declarations) -> None:
        pid = loaded.id
        record = PluginRecord(pid, loaded.distribution, loaded.version, loaded.builtin, declared.manifest)
        self.plugins[pid] = record
        for registered in declared.kinds:
            kind = registered.kind
            key = kind.name.lower()
            self.kinds[key] = registered
            for alias in {key, kind.plural.lower(), *(s.lower() for s in kind.short_names)}:
                self._kind_aliases[alias] = key
            record.kinds.append(kind.name)
        self.routers.extend(Owned(pid, router) for router in declared.routers)
        record.routes = declared.routes
        for job in declared.jobs:
            self.jobs[job.name] = Owned(pid, job)
            record.jobs.append(job.name)
        for action in declared.action_types:
            self.action_types[action.name] = Owned(pid, action)
            record.action_types.append(action.name)
        for ext in declared.ui_extensions:
            self.ui_extensions[ext.id] = Owned(pid, ext)
            record.ui_extensions.append(ext.id)
