"""Workload views (F102, F103, F160): deployments found by `app` label, their pods, events and health,
shaped for the UI's declarative renderers (`status` reads `status`/`message`/`items`, `table` reads a list)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gantry_plugin_kubernetes.clients import ClusterClient, ClusterError

RANK = {"Healthy": 0, "ScaledDown": 1, "Suspended": 2, "Progressing": 3, "Degraded": 4}
EVENT_PAGES = 4


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def age(created: datetime | None, now: datetime) -> str:
    """kubectl's short age: 45s, 12m, 5h, 3d."""
    if created is None:
        return ""
    seconds = max(0, int((now - created).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size * (2 if unit != "m" else 1):
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def selector_string(selector: Any) -> str:
    """A label selector (`matchLabels` and `matchExpressions`) in the list query syntax."""
    selector = _map(selector)
    parts = [f"{k}={v}" for k, v in sorted(_map(selector.get("matchLabels")).items())]
    for expr in _list(selector.get("matchExpressions")):
        expr = _map(expr)
        key, op, values = expr.get("key"), expr.get("operator"), [str(v) for v in _list(expr.get("values"))]
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(str(key))
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def find_deployments(
    client: ClusterClient, app: str, namespaces: list[str], deployment: str | None
) -> list[dict[str, Any]]:
    """Deployments labelled `app=<app>`; if none, the deployment named `app`; with `deployment`, that one.
    Blocking (worker thread)."""
    scopes: list[str | None] = list(namespaces) or [None]

    def lookup(**query: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for scope in scopes:
            found += [d for d in client.list("deployments", scope, **query) if isinstance(d, dict)]
        return found

    if deployment:
        return lookup(field_selector=f"metadata.name={deployment}")
    return lookup(label_selector=f"app={app}") or lookup(field_selector=f"metadata.name={app}")


def pods_of(client: ClusterClient, deployment: Mapping[str, Any]) -> list[dict[str, Any]]:
    selector = selector_string(_map(deployment.get("spec")).get("selector"))
    if not selector:
        return []
    namespace = _map(deployment.get("metadata")).get("namespace")
    return [p for p in client.list("pods", namespace, label_selector=selector) if isinstance(p, dict)]


def deployment_view(deployment: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    metadata, spec = _map(deployment.get("metadata")), _map(deployment.get("spec"))
    status = _map(deployment.get("status"))
    desired = _int(spec.get("replicas"), 1)
    ready = _int(status.get("readyReplicas"))
    updated = _int(status.get("updatedReplicas"))
    available = _int(status.get("availableReplicas"))
    conditions = [
        {k: _map(c).get(k) for k in ("type", "status", "reason", "message")} for c in _list(status.get("conditions"))
    ]
    failing = [c for c in conditions if c["type"] in ("Available", "Progressing") and c["status"] == "False"]
    if desired == 0:
        health, message = "ScaledDown", "scaled to 0"
    elif spec.get("paused"):
        health, message = "Suspended", "rollout paused"
    elif failing:
        health, message = "Degraded", str(failing[0].get("message") or failing[0].get("reason") or "")
    elif ready >= desired and updated >= desired and available >= desired:
        health, message = "Healthy", f"{ready}/{desired} ready"
    else:
        health, message = "Progressing", f"{ready}/{desired} ready, {updated} updated"
    template = _map(_map(spec.get("template")).get("spec"))
    created = parse_time(metadata.get("creationTimestamp"))
    return {
        "name": metadata.get("name"),
        "namespace": metadata.get("namespace"),
        "desired": desired,
        "ready": ready,
        "updated": updated,
        "available": available,
        "status": health,
        "message": message,
        "images": [_map(c).get("image") for c in _list(template.get("containers"))],
        "createdAt": created.isoformat().replace("+00:00", "Z") if created else None,
        "age": age(created, now),
        "selector": selector_string(spec.get("selector")),
        "conditions": conditions,
    }


def _container_state(status: Mapping[str, Any]) -> tuple[str, str | None]:
    state = _map(status.get("state"))
    for key in ("waiting", "terminated"):
        if key in state:
            return key, _map(state[key]).get("reason")
    return ("running", None) if "running" in state else ("unknown", None)


def pod_view(pod: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A pod as `kubectl get pods` shows it: status (the most telling reason), ready, restarts, age."""
    metadata, spec, status = _map(pod.get("metadata")), _map(pod.get("spec")), _map(pod.get("status"))
    phase = str(status.get("phase") or "Unknown")
    statuses = [_map(s) for s in _list(status.get("containerStatuses"))]
    init_statuses = [_map(s) for s in _list(status.get("initContainerStatuses"))]
    containers = []
    shown = phase
    if status.get("reason"):
        shown = str(status["reason"])
    for item in init_statuses:
        state, reason = _container_state(item)
        if state in ("waiting", "terminated") and reason and reason != "Completed":
            shown = f"Init:{reason}"
    for item in statuses:
        state, reason = _container_state(item)
        containers.append(
            {
                "name": item.get("name"),
                "image": item.get("image"),
                "ready": bool(item.get("ready")),
                "restarts": _int(item.get("restartCount")),
                "state": state,
                "reason": reason,
            }
        )
        if reason and not shown.startswith("Init:") and not (state == "terminated" and reason == "Completed"):
            shown = str(reason)
    if metadata.get("deletionTimestamp"):
        shown = "Terminating"
    created = parse_time(metadata.get("creationTimestamp"))
    ready = sum(1 for c in containers if c["ready"])
    total = len(containers) or len(_list(spec.get("containers")))
    return {
        "name": metadata.get("name"),
        "namespace": metadata.get("namespace"),
        "phase": phase,
        "status": shown,
        "ready": f"{ready}/{total}",
        "restarts": sum(c["restarts"] for c in containers),
        "age": age(created, now),
        "createdAt": created.isoformat().replace("+00:00", "Z") if created else None,
        "node": spec.get("nodeName"),
        "images": [_map(c).get("image") for c in _list(spec.get("containers"))],
        "containers": containers,
    }


def workload(client: ClusterClient, app: str, namespaces: list[str], deployment: str | None) -> dict[str, Any] | None:
    """The workload payload, or None when no deployment matches. Blocking (worker thread)."""
    found = find_deployments(client, app, namespaces, deployment)
    if not found:
        return None
    now = datetime.now(UTC)
    deployments = [deployment_view(d, now) for d in found]
    pods = [pod_view(p, now) for d in found for p in pods_of(client, d)]
    worst = max(deployments, key=lambda d: RANK.get(d["status"], 0))
    desired = sum(d["desired"] for d in deployments)
    ready = sum(d["ready"] for d in deployments)
    return {
        "cluster": client.name,
        "appName": app,
        "status": worst["status"],
        "message": f"{ready}/{desired} ready" if worst["status"] == "Healthy" else worst["message"],
        "replicas": {"desired": desired, "ready": ready},
        "items": [
            {
                "label": f"{d['namespace']}/{d['name']}",
                "status": d["status"],
                "message": f"{d['ready']}/{d['desired']} ready",
            }
            for d in deployments
        ],
        "deployments": deployments,
        "pods": pods,
    }


def _involves(event: Mapping[str, Any], deployment: str) -> bool:
    involved = _map(event.get("involvedObject") or event.get("regarding"))
    kind, name = involved.get("kind"), str(involved.get("name") or "")
    if kind == "Deployment":
        return name == deployment
    return kind in ("ReplicaSet", "Pod") and name.startswith(f"{deployment}-")


def _event_time(event: Mapping[str, Any]) -> str | None:
    for key in ("lastTimestamp", "eventTime", "firstTimestamp"):
        if event.get(key):
            return str(event[key])
    return _map(event.get("metadata")).get("creationTimestamp")


def events(
    client: ClusterClient, app: str, namespaces: list[str], deployment: str | None, limit: int
) -> dict[str, Any] | None:
    """Recent events of the workload's deployments, their ReplicaSets and pods, newest first."""
    found = find_deployments(client, app, namespaces, deployment)
    if not found:
        return None
    items = []
    for dep in found:
        metadata = _map(dep.get("metadata"))
        namespace, name = metadata.get("namespace"), str(metadata.get("name"))
        for event in client.list("events", namespace, max_pages=EVENT_PAGES):
            if not isinstance(event, Mapping) or not _involves(event, name):
                continue
            involved = _map(event.get("involvedObject") or event.get("regarding"))
            items.append(
                {
                    "type": event.get("type") or "Normal",
                    "reason": event.get("reason"),
                    "message": event.get("message") or event.get("note"),
                    "object": f"{involved.get('kind')}/{involved.get('name')}",
                    "namespace": namespace,
                    "count": _int(event.get("count"), 1),
                    "firstSeen": event.get("firstTimestamp") or event.get("eventTime"),
                    "lastSeen": _event_time(event),
                }
            )
    items.sort(key=lambda e: parse_time(e["lastSeen"]) or datetime.min.replace(tzinfo=UTC), reverse=True)
    return {"cluster": client.name, "appName": app, "items": items[:limit], "total": len(items)}


def workload_logs(
    client: ClusterClient,
    app: str,
    namespaces: list[str],
    deployment: str | None,
    *,
    tail_lines: int,
    since_seconds: int | None,
    max_pods: int = 10,
) -> str | None:
    """The last lines of every container of the workload's pods, each prefixed `[pod/container]`."""
    found = find_deployments(client, app, namespaces, deployment)
    if not found:
        return None
    out: list[str] = []
    pods = [p for d in found for p in pods_of(client, d)][:max_pods]
    for pod in pods:
        metadata = _map(pod.get("metadata"))
        for container in _list(_map(pod.get("spec")).get("containers")):
            cname = _map(container).get("name")
            if not cname:
                continue
            prefix = f"[{metadata.get('name')}/{cname}] "
            try:
                text = client.read_log(
                    str(metadata.get("namespace")),
                    str(metadata.get("name")),
                    str(cname),
                    tail_lines=tail_lines,
                    since_seconds=since_seconds,
                )
            except ClusterError as exc:  # e.g. a container still waiting to start
                out.append(f"{prefix}(no logs: {exc.reason})")
                continue
            out += [prefix + line for line in text.splitlines()]
    return "\n".join(out) + ("\n" if out else "")
