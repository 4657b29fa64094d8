"""The `kubernetes` plugin's hooks (entry point `kubernetes` in `gantry.plugins`). The `kubernetes` client is
imported only when a cluster is first contacted, never when Gantry loads the plugin."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter
from gantry_core.plugins import PluginContext, PluginManifest, SyncJob, UIExtension, hookimpl

from gantry_plugin_kubernetes import __version__, routes, ui
from gantry_plugin_kubernetes.clients import close_runtime
from gantry_plugin_kubernetes.config import KubernetesConfig
from gantry_plugin_kubernetes.sync import sync_job

PLUGIN_ID = "kubernetes"


@hookimpl
def gantry_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        id=PLUGIN_ID,
        title="Kubernetes",
        description="Namespaces, deployments and services of your clusters in the catalog; pods, logs, events, "
        "restart and scale on each service's Kubernetes tab",
        version=__version__,
        category="integration",
        icon="container",
        config_model=KubernetesConfig,
    )


@hookimpl
def gantry_register_routes() -> list[APIRouter]:
    return [routes.router]


@hookimpl
def gantry_register_sync_jobs() -> list[SyncJob]:
    return [sync_job()]


@hookimpl
def gantry_register_ui_extensions() -> list[UIExtension]:
    return ui.extensions()


@hookimpl
def gantry_lifespan(ctx: PluginContext) -> AbstractAsyncContextManager[None]:
    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        # Clusters without caData are not verified on purpose (F100); the sync logs that once per cluster
        # instead of urllib3 warning on every request.
        warnings.filterwarnings("ignore", message="Unverified HTTPS request")
        try:
            yield
        finally:
            close_runtime(ctx.state)

    return lifespan()
