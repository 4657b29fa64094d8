"""Talking to the clusters with the official (blocking) `kubernetes` client — never on the event loop.

`KubeRuntime` lives in the plugin's per-app state (`ctx.state`): one `ApiClient` per cluster config, a thread
pool for API calls and a separate, bounded one for followed log streams, all closed when the plugin stops.
Lists are read raw (`_preload_content=False`) and decoded as JSON, page by page: building the client's
model objects for thousands of deployments would cost more than the whole sync.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import orjson

from gantry_plugin_kubernetes.config import ClusterConfig

T = TypeVar("T")

SERVICE_ACCOUNT_DIR_ENV = "GANTRY_KUBERNETES_SERVICE_ACCOUNT_DIR"
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
TIMEOUT = (5.0, 30.0)  # connect, read (seconds)
PAGE = 500
API_WORKERS = 8
MAX_LOG_STREAMS = 16
STATE_KEY = "kube-runtime"


class ClusterError(Exception):
    """A cluster could not answer: unreachable, refused our credentials, or sent something unreadable.

    `status` is the API server's HTTP status (0 when there was no answer)."""

    def __init__(self, cluster: str, message: str, status: int = 0) -> None:
        super().__init__(f"cluster {cluster}: {message}")
        self.cluster = cluster
        self.status = status
        self.reason = message


def describe(cluster: str, exc: BaseException) -> ClusterError:
    """A short, useful message for what the client raised."""
    if isinstance(exc, ClusterError):
        return exc
    from kubernetes.client.exceptions import ApiException
    from kubernetes.config.config_exception import ConfigException
    from urllib3.exceptions import HTTPError, MaxRetryError

    if isinstance(exc, ApiException):
        status = int(exc.status or 0)
        detail = _status_message(exc.body) or (exc.reason or "").strip()
        if status == 0:
            return ClusterError(cluster, f"request failed: {detail}")
        hints = {
            401: "the API server refused the token (401 Unauthorized)",
            403: "the service account lacks permission (403 Forbidden)",
        }
        prefix = hints.get(status, f"the API server answered {status}")
        return ClusterError(cluster, f"{prefix}: {detail}" if detail else prefix, status)
    if isinstance(exc, MaxRetryError):
        return ClusterError(cluster, f"unreachable: {_root_cause(exc.reason)}")
    if isinstance(exc, HTTPError | OSError):
        return ClusterError(cluster, f"unreachable: {_root_cause(exc)}")
    if isinstance(exc, ConfigException):
        return ClusterError(cluster, f"in-cluster configuration: {exc}")
    if isinstance(exc, ValueError):
        return ClusterError(cluster, f"unreadable answer: {exc}")
    return ClusterError(cluster, f"{type(exc).__name__}: {exc}")


def _root_cause(exc: BaseException | None) -> str:
    text = str(exc) if exc is not None else "no answer"
    for marker in ("] ", "): "):
        if marker in text:
            text = text.rsplit(marker, 1)[-1]
    return text.strip(" ')\"") or type(exc).__name__


def _status_message(body: Any) -> str:
    if not body:
        return ""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return str(body)[:200]
    return str(data.get("message", ""))[:300] if isinstance(data, dict) else ""


def service_account_dir() -> Path:
    return Path(os.environ.get(SERVICE_ACCOUNT_DIR_ENV) or SERVICE_ACCOUNT_DIR)


def _configuration(cluster: ClusterConfig) -> Any:
    from kubernetes.client import Configuration

    configuration = Configuration()
    configuration.retries = 1
    if cluster.in_cluster:
        from kubernetes.config import incluster_config

        folder = service_account_dir()
        loader: Any = incluster_config.InClusterConfigLoader  # untyped in the client
        loader(str(folder / "token"), str(folder / "ca.crt")).load_and_set(configuration)
        return configuration
    configuration.host = cluster.url
    configuration.api_key = {"BearerToken": cluster.token.get_secret_value() if cluster.token else ""}
    configuration.api_key_prefix = {"BearerToken": "Bearer"}
    ca = cluster.ca_pem()
    if ca:
        configuration.ca_cert_data = ca
        configuration.verify_ssl = True
    else:
        configuration.verify_ssl = False  # F100: no CA data, no verification
    return configuration


class ClusterClient:
    """Blocking calls to one cluster (run them through `KubeRuntime.call`)."""

    def __init__(self, cluster: ClusterConfig, api: Any) -> None:
        from kubernetes.client import AppsV1Api, CoreV1Api

        self.name = cluster.name
        self.api: Any = api  # kubernetes.client.ApiClient (partly untyped)
        self.core = CoreV1Api(api)
        self.apps = AppsV1Api(api)

    def _json(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            response = call(*args, _preload_content=False, _request_timeout=TIMEOUT, **kwargs)
            try:
                return orjson.loads(response.data)
            finally:
                response.release_conn()
        except Exception as exc:
            raise describe(self.name, exc) from exc

    def list(self, resource: str, namespace: str | None = None, *, max_pages: int = 1000, **query: Any) -> list[Any]:
        """Every item of a list (`namespaces`, `deployments`, `services`, `pods`, `events`), page by page."""
        call = self._list_call(resource, namespace)
        args = (namespace,) if namespace else ()
        items: list[Any] = []
        token: str | None = None
        for _ in range(max_pages):
            page = self._json(call, *args, limit=PAGE, _continue=token, **query)
            if not isinstance(page, dict) or not isinstance(page.get("items"), list | type(None)):
                raise ClusterError(self.name, f"unreadable answer: {resource} list is not a list")
            items.extend(page.get("items") or [])
            token = (page.get("metadata") or {}).get("continue") or None
            if not token:
                break
        return items

    def _list_call(self, resource: str, namespace: str | None) -> Callable[..., Any]:
        calls: dict[tuple[str, bool], Callable[..., Any]] = {
            ("namespaces", False): self.core.list_namespace,
            ("deployments", False): self.apps.list_deployment_for_all_namespaces,
            ("deployments", True): self.apps.list_namespaced_deployment,
            ("services", False): self.core.list_service_for_all_namespaces,
            ("services", True): self.core.list_namespaced_service,
            ("pods", False): self.core.list_pod_for_all_namespaces,
            ("pods", True): self.core.list_namespaced_pod,
            ("events", False): self.core.list_event_for_all_namespaces,
            ("events", True): self.core.list_namespaced_event,
        }
        return calls[(resource, namespace is not None)]

    def read_deployment(self, namespace: str, name: str) -> Any:
        return self._json(self.apps.read_namespaced_deployment, name, namespace)

    def patch_deployment(self, namespace: str, name: str, body: dict[str, Any]) -> Any:
        return self._json(self.apps.patch_namespaced_deployment, name, namespace, body)

    def patch_scale(self, namespace: str, name: str, replicas: int) -> Any:
        body = {"spec": {"replicas": replicas}}
        return self._json(self.apps.patch_namespaced_deployment_scale, name, namespace, body)

    def open_log(
        self,
        namespace: str,
        pod: str,
        container: str,
        *,
        follow: bool,
        timeout: tuple[float, float] = TIMEOUT,
        **query: Any,
    ) -> Any:
        """The raw log response (a urllib3 response: read it, then close it)."""
        try:
            return self.core.read_namespaced_pod_log(
                pod,
                namespace,
                container=container,
                follow=follow or None,
                _preload_content=False,
                _request_timeout=timeout,
                **{k: v for k, v in query.items() if v is not None},
            )
        except Exception as exc:
            raise describe(self.name, exc) from exc

    def read_log(self, namespace: str, pod: str, container: str, **query: Any) -> str:
        response = self.open_log(namespace, pod, container, follow=False, **query)
        try:
            data: bytes = response.data
            return data.decode("utf-8", errors="replace")
        finally:
            response.release_conn()


class KubeRuntime:
    """Clients and threads of the plugin in one app (kept in `ctx.state`)."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=API_WORKERS, thread_name_prefix="gantry-k8s")
        self.log_executor = ThreadPoolExecutor(max_workers=MAX_LOG_STREAMS, thread_name_prefix="gantry-k8s-log")
        self.log_slots = threading.BoundedSemaphore(MAX_LOG_STREAMS)
        self._clients: dict[tuple[str, str, str, str], ClusterClient] = {}
        self._lock = threading.Lock()
        self._closed = False

    def client(self, cluster: ClusterConfig) -> ClusterClient:
        """The client for `cluster` (built on first use; a changed config gets a new one). Blocking: it may
        read the in-cluster service-account files."""
        key = cluster.identity()
        with self._lock:
            found = self._clients.get(key)
            stale = [k for k in self._clients if k[0] == cluster.name and k != key]
            for old in stale:
                self._clients.pop(old).api.close()
            if found is not None:
                return found
            from kubernetes.client import ApiClient

            try:
                api = ApiClient(_configuration(cluster))
            except Exception as exc:
                raise describe(cluster.name, exc) from exc
            api.user_agent = "gantry-plugin-kubernetes"
            made = ClusterClient(cluster, api)
            self._clients[key] = made
            return made

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking call in the API thread pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    async def on_cluster(self, cluster: ClusterConfig, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(client, *args)` for the cluster, in the API thread pool."""

        def run() -> T:
            return fn(self.client(cluster), *args, **kwargs)

        return await self.call(run)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for made in clients:
            made.api.close()
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.log_executor.shutdown(wait=False, cancel_futures=True)


def runtime_of(state: dict[str, Any]) -> KubeRuntime:
    """The plugin's runtime in this app, made on first use."""
    found = state.get(STATE_KEY)
    if not isinstance(found, KubeRuntime) or found._closed:
        found = KubeRuntime()
        state[STATE_KEY] = found
    return found


def close_runtime(state: dict[str, Any]) -> None:
    found = state.pop(STATE_KEY, None)
    if isinstance(found, KubeRuntime):
        found.close()
