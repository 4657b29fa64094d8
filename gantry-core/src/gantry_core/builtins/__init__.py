"""Built-in behaviour registered as plugins, through the same contract third-party plugins use."""

from __future__ import annotations

from gantry_core.plugins.manager import PluginSource


def builtin_sources(version: str) -> list[PluginSource]:
    """The built-in plugins, registered before any installed one and never blockable."""
    from gantry_core.builtins import executors, kinds

    return [
        PluginSource(id="catalog", distribution="gantry-core", version=version, builtin=True, obj=kinds),
        PluginSource(id="executors", distribution="gantry-core", version=version, builtin=True, obj=executors),
    ]
