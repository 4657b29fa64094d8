"""Discovery and loading of plugins (entry-point group ``gantry.plugins``), built inside the app factory."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal

import pluggy

from gantry_core.plugins import hookspecs
from gantry_core.plugins.types import PLUGIN_ID

ENTRY_POINT_GROUP = "gantry.plugins"
log = logging.getLogger("gantry.plugins")


class PluginLoadError(Exception):
    """A plugin could not be loaded; the message names the plugin and its distribution."""


@dataclass
class LoadedPlugin:
    """A plugin the manager found: registered with pluggy, or recorded with the reason it failed."""

    id: str
    distribution: str
    version: str
    builtin: bool
    obj: Any | None = None
    status: Literal["loaded", "error"] = "loaded"
    error: str | None = None


@dataclass(frozen=True)
class PluginSource:
    """Where a plugin comes from: an entry point, or an object handed to the factory (tests, builtins)."""

    id: str
    distribution: str
    version: str
    builtin: bool = False
    obj: Any | None = None
    entry_point: EntryPoint | None = None


def discover() -> list[PluginSource]:
    """Every plugin installed through the ``gantry.plugins`` entry-point group; duplicate ids fail."""
    found: dict[str, PluginSource] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist else "unknown"
        version = ep.dist.version if ep.dist else "0"
        if ep.name in found:
            raise PluginLoadError(
                f"plugin id {ep.name!r} is registered by two distributions: {found[ep.name].distribution} and {dist}"
            )
        found[ep.name] = PluginSource(id=ep.name, distribution=dist, version=version, entry_point=ep)
    return list(found.values())


class _GantryPluggy(pluggy.PluginManager):
    """Treats every ``gantry_*`` function as a hook implementation (as pytest does for ``pytest_*``),
    so a misspelled hook name fails at start-up even when its ``@hookimpl`` marker was forgotten."""

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith("gantry_") and callable(getattr(plugin, name, None)):
            return {}
        return opts


class PluginManager:
    """Holds the pluggy manager and what was loaded, in registration order (builtins first)."""

    def __init__(self) -> None:
        self.pm = _GantryPluggy(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.loaded: dict[str, LoadedPlugin] = {}
        self.on_error: Literal["fail", "skip"] = "fail"

    def load(
        self,
        sources: list[PluginSource],
        *,
        block: list[str] | tuple[str, ...] = (),
        allow: list[str] | tuple[str, ...] = (),
        on_error: Literal["fail", "skip"] = "fail",
    ) -> None:
        """Register each source with pluggy (builtins first); duplicate ids always stop start-up."""
        self.on_error = on_error
        for source in sources:
            if not PLUGIN_ID.match(source.id):
                self._failed(source, f"plugin id {source.id!r} must match {PLUGIN_ID.pattern}", on_error)
                continue
            if source.id in self.loaded:
                other = self.loaded[source.id]
                raise PluginLoadError(
                    f"plugin id {source.id!r} is registered by two distributions: "
                    f"{other.distribution} and {source.distribution}"
                )
            if not source.builtin and (source.id in block or (allow and source.id not in allow)):
                log.info("plugin %s not loaded (blocked by GANTRY_PLUGINS_BLOCK/ALLOW)", source.id)
                continue
            try:
                obj = source.obj if source.obj is not None else source.entry_point.load()  # type: ignore[union-attr]
                self.pm.register(obj, name=source.id)
                self.pm.check_pending()
            except Exception as exc:  # a broken plugin is reported, never half-registered
                if self.pm.get_plugin(source.id) is not None:
                    self.pm.unregister(name=source.id)
                self._failed(source, _describe(exc), on_error)
                continue
            self.loaded[source.id] = LoadedPlugin(
                id=source.id,
                distribution=source.distribution,
                version=source.version,
                builtin=source.builtin,
                obj=obj,
            )

    def _failed(self, source: PluginSource, reason: str, on_error: str) -> None:
        message = f"plugin {source.id!r} ({source.distribution}) failed to load: {reason}"
        if source.builtin or on_error == "fail":
            raise PluginLoadError(message)
        log.error("%s; continuing because GANTRY_PLUGINS_ON_ERROR=skip", message)
        self.loaded[source.id] = LoadedPlugin(
            id=source.id,
            distribution=source.distribution,
            version=source.version,
            builtin=False,
            status="error",
            error=reason,
        )

    def reject(self, plugin_id: str, reason: str) -> None:
        """Take a loaded plugin out again (its declarations were refused); keep it listed with `reason`."""
        if self.pm.get_plugin(plugin_id) is not None:
            self.pm.unregister(name=plugin_id)
        loaded = self.loaded[plugin_id]
        loaded.obj, loaded.status, loaded.error = None, "error", reason

    def impls(self, hook_name: str) -> dict[str, Any]:
        """The implementation of `hook_name` of each plugin that has one, keyed by plugin id."""
        hook = getattr(self.pm.hook, hook_name)
        return {impl.plugin_name: impl for impl in reversed(hook.get_hookimpls())}

    def call(self, hook_name: str, plugin_id: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation, passing only the arguments it asks for."""
        impl = self.impls(hook_name).get(plugin_id)
        if impl is None:
            return None
        return impl.function(**{name: kwargs[name] for name in impl.argnames})


def _describe(exc: BaseException) -> str:
    if isinstance(exc, pluggy.PluginValidationError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
