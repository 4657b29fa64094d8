"""The plugin's routes under /api/v1/plugins/kubernetes (F103, F160). `?cluster=` picks a configured
cluster (the first one when absent); `?namespaces=a,b` narrows the search (default: the cluster's
configured namespaces, else all). Every client call runs in the plugin's worker threads."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, Path, Query
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from gantry_core.plugins import Context, GantryError, PluginContext, require_role
from pydantic import BaseModel, ConfigDict, Field

from gantry_plugin_kubernetes import workloads
from gantry_plugin_kubernetes.clients import ClusterClient, ClusterError, KubeRuntime, runtime_of
from gantry_plugin_kubernetes.config import DNS_LABEL, ClusterConfig, KubernetesConfig

T = TypeVar("T")

LABEL_VALUE = r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
OBJECT_NAME = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
NAMESPACE = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
FOLLOW_READ_TIMEOUT = 24 * 3600.0
CHUNK = 64 * 1024

router = APIRouter()

AppName = Annotated[
    str, Path(description="The deployment's `app` label (or its name)", max_length=63, pattern=LABEL_VALUE)
]
ClusterQuery = Annotated[
    str | None, Query(description="Name of a configured cluster; the first one when absent", max_length=30)
]
NamespacesQuery = Annotated[
    str | None, Query(description="Comma-separated namespaces to search; default: the cluster's", max_length=4096)
]
DeploymentQuery = Annotated[
    str | None,
    Query(
        description="Name of the deployment (annotation kubernetes.io/deployment); overrides the app label",
        max_length=253,
        pattern=OBJECT_NAME,
    ),
]
Viewer = Annotated[Any, Depends(require_role("viewer"))]
Developer = Annotated[Any, Depends(require_role("developer"))]


class ScaleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    replicas: int = Field(ge=0, le=1000, strict=True, description="The number of pods to run")


def _config(ctx: PluginContext) -> KubernetesConfig:
    config = ctx.config
    if not isinstance(config, KubernetesConfig):
        raise GantryError(409, "plugin_not_configured", "the kubernetes plugin has no usable configuration")
    return config


def _cluster(ctx: PluginContext, name: str | None) -> ClusterConfig:
    config = _config(ctx)
    cluster = config.cluster(name)
    if cluster is None:
        known = ", ".join(c.name for c in config.clusters)
        raise GantryError(
            400,
            "invalid_parameter",
            f"cluster: no cluster named {name!r} (configured: {known})",
            [{"path": "cluster", "message": f"not a configured cluster ({known})"}],
        )
    return cluster


def _namespaces(value: str | None, cluster: ClusterConfig) -> list[str]:
    if value is None or not value.strip():
        return cluster.namespace_list
    names = [n.strip() for n in value.split(",") if n.strip()]
    bad = [n for n in names if len(n) > 63 or not DNS_LABEL.match(n)]
    if bad:
        raise GantryError(
            400,
            "invalid_parameter",
            f"namespaces: not a namespace name: {bad[0]!r}",
            [{"path": "namespaces", "message": f"not a namespace name: {bad[0]!r}"}],
        )
    return list(dict.fromkeys(names))


def failure(exc: ClusterError) -> GantryError:
    """The answer for a cluster that could not do what was asked."""
    if exc.status == 0:
        return GantryError(502, "cluster_unreachable", str(exc))
    if exc.status == 404:
        return GantryError(404, "not_found", str(exc))
    if exc.status == 400:
        return GantryError(400, "invalid_parameter", str(exc))
    return GantryError(502, "cluster_error", str(exc), [{"path": "cluster", "message": f"HTTP {exc.status}"}])


async def _on(ctx: PluginContext, cluster: ClusterConfig, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return await runtime_of(ctx.state).on_cluster(cluster, fn, *args, **kwargs)
    except ClusterError as exc:
        raise failure(exc) from None


@dataclass(frozen=True)
class Workload:
    """Where a workload route looks: the app label, the cluster, the namespaces, maybe a deployment name."""

    ctx: PluginContext
    app: str
    cluster: ClusterConfig
    namespaces: list[str]
    deployment: str | None

    async def run(self, fn: Callable[..., T | None], *args: Any, **kwargs: Any) -> T:
        """`fn(client, app, namespaces, deployment, *args)` in a worker thread; 404 when it finds nothing."""
        found = await _on(self.ctx, self.cluster, fn, self.app, self.namespaces, self.deployment, *args, **kwargs)
        if found is None:
            raise self.missing()
        return found

    def missing(self) -> GantryError:
        app = self.app
        what = (
            f"deployment {self.deployment!r}" if self.deployment else f"deployment labelled app={app} (or named {app})"
        )
        return GantryError(404, "not_found", f"no {what} in cluster {self.cluster.name}")

    async def one_deployment(self) -> dict[str, Any]:
        found = await self.run(workloads.find_deployments)
        if not found:
            raise self.missing()
        if len(found) > 1:
            where = ", ".join(f"{d['metadata'].get('namespace')}/{d['metadata'].get('name')}" for d in found[:5])
            raise GantryError(
                409,
                "conflict",
                f"{len(found)} deployments match ({where}); pick one with ?deployment= and ?namespaces=",
            )
        return found[0]

    async def change(
        self, action: str, user: Any, call: Callable[..., Any], *args: Any, note: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Apply `call(client, namespace, name, *args)` to the one matching deployment and audit it with the
        replica count before and after."""
        found = await self.one_deployment()
        namespace, name = found["metadata"]["namespace"], found["metadata"]["name"]
        changed = await _on(self.ctx, self.cluster, call, namespace, name, *args)
        before, after = _replicas(found), _replicas(changed)
        await self.ctx.audit(
            action,
            actor=getattr(user, "username", None),
            resource_type="Deployment",
            resource_name=name,
            before={"replicas": before},
            after={"replicas": after, **(note or {})},
            details={"cluster": self.cluster.name, "namespace": namespace, "appName": self.app},
        )
        return {
            "cluster": self.cluster.name,
            "namespace": namespace,
            "deployment": name,
            "before": before,
            "replicas": after,
        }


async def workload_scope(
    appName: AppName,
    ctx: Context,
    cluster: ClusterQuery = None,
    namespaces: NamespacesQuery = None,
    deployment: DeploymentQuery = None,
) -> Workload:
    target = _cluster(ctx, cluster)
    return Workload(ctx, appName, target, _namespaces(namespaces, target), deployment)


Scope = Annotated[Workload, Depends(workload_scope)]


def _replicas(deployment: Any) -> int | None:
    spec = deployment.get("spec") if isinstance(deployment, dict) else None
    value = spec.get("replicas") if isinstance(spec, dict) else None
    return value if isinstance(value, int) else None


@router.get("/workload/{appName}", summary="Deployments labelled app=<appName>, their pods and health")
async def get_workload(where: Scope, user: Viewer) -> dict[str, Any]:
    return await where.run(workloads.workload)


@router.get("/workload/{appName}/events", summary="Recent events of the workload's deployment and pods")
async def get_events(
    where: Scope,
    user: Viewer,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many events, newest first")] = 50,
) -> dict[str, Any]:
    return await where.run(workloads.events, limit)


@router.get(
    "/workload/{appName}/logs",
    summary="The last log lines of every container of the workload, prefixed [pod/container]",
    response_class=PlainTextResponse,
)
async def get_workload_logs(
    where: Scope,
    user: Viewer,
    tailLines: Annotated[int, Query(ge=1, le=5000, description="Lines per container")] = 100,
    sinceSeconds: Annotated[int | None, Query(ge=1, description="Only lines newer than this")] = None,
) -> PlainTextResponse:
    return PlainTextResponse(await where.run(workloads.workload_logs, tail_lines=tailLines, since_seconds=sinceSeconds))


@router.post("/workload/{appName}/restart", summary="Restart the deployment's pods (a rolling restart)")
async def restart(where: Scope, user: Developer) -> dict[str, Any]:
    stamp = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
    done = await where.change("restart", user, ClusterClient.patch_deployment, patch, note={"restartedAt": stamp})
    return {**done, "restartedAt": stamp}


@router.post("/workload/{appName}/scale", summary="Set the deployment's replica count")
async def scale(where: Scope, body: Annotated[ScaleIn, Body()], user: Developer) -> dict[str, Any]:
    return await where.change("scale", user, ClusterClient.patch_scale, body.replicas)


def _attachment(pod: str, container: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{pod}-{container}.log"'}


@router.get(
    "/pods/{namespace}/{pod}/containers/{container}/logs",
    summary="A container's log: the tail, since a time, the previous container; followed as a stream",
    response_class=PlainTextResponse,
    response_model=None,
)
async def pod_logs(
    namespace: Annotated[str, Path(max_length=63, pattern=NAMESPACE)],
    pod: Annotated[str, Path(max_length=253, pattern=OBJECT_NAME)],
    container: Annotated[str, Path(max_length=63, pattern=NAMESPACE)],
    ctx: Context,
    user: Viewer,
    cluster: ClusterQuery = None,
    tailLines: Annotated[int | None, Query(ge=1, le=100_000, description="Only the last N lines")] = None,
    sinceSeconds: Annotated[int | None, Query(ge=1, description="Only lines newer than this many seconds")] = None,
    previous: Annotated[bool, Query(description="The previous (crashed) container's log")] = False,
    follow: Annotated[bool, Query(description="Keep the response open and stream new lines")] = False,
    download: Annotated[bool, Query(description="Answer as a file download")] = False,
) -> Response:
    target = _cluster(ctx, cluster)
    query = {"tail_lines": tailLines, "since_seconds": sinceSeconds, "previous": previous or None}
    headers = _attachment(pod, container) if download else {}
    if not follow:
        text = await _on(ctx, target, ClusterClient.read_log, namespace, pod, container, **query)
        return PlainTextResponse(text, headers=headers)
    runtime = runtime_of(ctx.state)
    if not runtime.log_slots.acquire(blocking=False):
        raise GantryError(429, "rate_limited", "too many followed log streams are open; try again later")
    try:
        upstream = await _open_follow(runtime, target, namespace, pod, container, query)
    except BaseException:
        runtime.log_slots.release()
        raise
    headers["Cache-Control"] = "no-cache"
    return StreamingResponse(_relay(runtime, upstream), media_type="text/plain; charset=utf-8", headers=headers)


async def _open_follow(
    runtime: KubeRuntime, target: ClusterConfig, namespace: str, pod: str, container: str, query: dict[str, Any]
) -> Any:
    def open_stream() -> Any:
        client = runtime.client(target)
        return client.open_log(namespace, pod, container, follow=True, timeout=(5.0, FOLLOW_READ_TIMEOUT), **query)

    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(runtime.log_executor, open_stream)
    except ClusterError as exc:
        raise failure(exc) from None


async def _relay(runtime: KubeRuntime, upstream: Any) -> AsyncIterator[bytes]:
    """Pass the cluster's stream on until it ends or the client goes away (Starlette then cancels this
    generator); either way the upstream connection is shut, which also frees the reading thread."""
    loop = asyncio.get_running_loop()
    read = functools.partial(upstream.read1, CHUNK)
    try:
        while True:
            chunk = await loop.run_in_executor(runtime.log_executor, read)
            if not chunk:
                break
            yield chunk
    except Exception:  # the cluster closed the stream or the read failed: end the response
        return
    finally:
        _shut(upstream)
        runtime.log_slots.release()


def _shut(upstream: Any) -> None:
    for method in ("shutdown", "close", "release_conn"):  # close before release: never back to the pool
        try:
            getattr(upstream, method, lambda: None)()
        except Exception:  # noqa: S112 - closing an already broken connection
            continue
