"""From Kubernetes objects to catalog entities (SPEC F99, F101, F43). Pure functions, no I/O.

- Namespace → Environment `<namespace>` (`spec.cluster`, `type` guessed from the namespace, then the cluster name)
- Deployment → Service `<app label or deployment name>` (`type: backend`, `lifecycle: production`,
  `deployedIn` its namespace's Environment, annotation `kubernetes.io/deployment`)
- Service → Infrastructure `<service name>-svc` (`type` guessed from its ports and name)

Every entity carries `kubernetes.io/cluster` and `kubernetes.io/namespace`. A name found in more than one
place gets the cluster as a prefix (`prod-payment-api`, `staging-payment-api`), then the namespace too when
the cluster alone does not tell them apart.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

API_VERSION = "gantry.io/v1"
CLUSTER = "kubernetes.io/cluster"
NAMESPACE = "kubernetes.io/namespace"
DEPLOYMENT = "kubernetes.io/deployment"
OWN_ANNOTATIONS = (CLUSTER, NAMESPACE, DEPLOYMENT)
CORE_ANNOTATIONS = ("gantry.io/sync-job", "gantry.io/orphaned")  # the core sets these itself
USER_METADATA = ("title", "description", "owner", "tags", "labels", "annotations")
CREATED_BY = "plugin:kubernetes"
MAX_NAME = 63

_PRODUCTION = re.compile(r"(^|[-_.])(prod|production|prd|live)([-_.]|$)|production")
_STAGING = re.compile(r"(^|[-_.])(stag|staging|stg|preprod|pre-prod|uat|qa|test|testing)([-_.]|$)|staging")
_DEVELOPMENT = re.compile(r"(^|[-_.])(dev|develop|development|sandbox|local)([-_.]|$)")

_DATABASE_PORTS = {5432, 3306, 1433, 1521, 27017, 9042, 26257, 5984, 7687, 8086, 9200, 8123}
_CACHE_PORTS = {6379, 26379, 11211}
_QUEUE_PORTS = {5672, 9092, 4222, 1883, 8883, 61613, 61616, 6650}
_STORAGE_PORTS = {2049, 445, 3260}
_HINTS = (
    (
        "database",
        re.compile(
            r"postgres|mysql|maria|mongo|cassandra|cockroach|elastic|opensearch|clickhouse|(^|-)db($|-)|database"
        ),
    ),
    ("cache", re.compile(r"redis|memcache|valkey|dragonfly|cache")),
    ("queue", re.compile(r"kafka|rabbit|nats|pulsar|activemq|mqtt|queue|(^|-)mq($|-)")),
    ("bucket", re.compile(r"minio|(^|-)s3($|-)|bucket|object-store")),
)


class Malformed(ValueError):
    """An object without the fields every object of its kind has."""


@dataclass(frozen=True)
class Namespace:
    cluster: str
    name: str


@dataclass(frozen=True)
class Deployment:
    cluster: str
    namespace: str
    name: str
    app: str


@dataclass(frozen=True)
class KubeService:
    cluster: str
    namespace: str
    name: str
    type: str
    ports: tuple[int, ...]
    external_name: str | None = None


@dataclass
class ClusterObjects:
    """What one cluster holds, reduced to what the mapping needs; `problems` lists skipped objects."""

    cluster: str
    namespaces: list[Namespace] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    services: list[KubeService] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# -- reading raw objects ----------------------------------------------------------------------------------


def _metadata(obj: Any, namespaced: bool) -> tuple[str, str, dict[str, Any]]:
    if not isinstance(obj, Mapping):
        raise Malformed("not an object")
    metadata = obj.get("metadata")
    if not isinstance(metadata, Mapping):
        raise Malformed("no metadata")
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        raise Malformed("no metadata.name")
    namespace = metadata.get("namespace", "")
    if namespaced and (not isinstance(namespace, str) or not namespace):
        raise Malformed(f"{name}: no metadata.namespace")
    labels = metadata.get("labels") or {}
    if not isinstance(labels, Mapping):
        raise Malformed(f"{namespace}/{name}: metadata.labels is not a map")
    return name, str(namespace or ""), dict(labels)


def app_name(labels: Mapping[str, Any], name: str) -> str:
    """The name a deployment is known by: its `app` label (F104), else its own name."""
    app = labels.get("app")
    return app if isinstance(app, str) and app.strip() else name


def read_deployment(cluster: str, obj: Any) -> Deployment:
    name, namespace, labels = _metadata(obj, namespaced=True)
    spec = obj.get("spec")
    if spec is not None and not isinstance(spec, Mapping):
        raise Malformed(f"{namespace}/{name}: spec is not an object")
    return Deployment(cluster, namespace, name, app_name(labels, name))


def read_service(cluster: str, obj: Any) -> KubeService:
    name, namespace, _ = _metadata(obj, namespaced=True)
    spec = obj.get("spec") or {}
    if not isinstance(spec, Mapping):
        raise Malformed(f"{namespace}/{name}: spec is not an object")
    ports_raw = spec.get("ports") or []
    if not isinstance(ports_raw, list):
        raise Malformed(f"{namespace}/{name}: spec.ports is not a list")
    ports = []
    for port in ports_raw:
        value = port.get("port") if isinstance(port, Mapping) else None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 65536:
            raise Malformed(f"{namespace}/{name}: a port is not a number between 1 and 65535")
        ports.append(value)
    kind = spec.get("type") or "ClusterIP"
    external = spec.get("externalName")
    return KubeService(
        cluster,
        namespace,
        name,
        str(kind)[:40],
        tuple(ports),
        external if isinstance(external, str) and external else None,
    )


def read_cluster(
    cluster: str,
    namespaces: Iterable[Any],
    deployments: Iterable[Any],
    services: Iterable[Any],
) -> ClusterObjects:
    """Reduce raw list items (or plain namespace names) to what the mapping needs; skip malformed objects."""
    found = ClusterObjects(cluster)
    seen_namespaces: set[str] = set()

    def skipped(what: str, exc: Exception) -> None:
        found.problems.append(f"cluster {cluster}: skipped a malformed {what}: {exc}")

    for raw in namespaces:
        try:
            name = raw if isinstance(raw, str) else _metadata(raw, namespaced=False)[0]
        except Malformed as exc:
            skipped("namespace", exc)
            continue
        if name not in seen_namespaces:
            seen_namespaces.add(name)
            found.namespaces.append(Namespace(cluster, name))
    for raw in deployments:
        try:
            found.deployments.append(read_deployment(cluster, raw))
        except Malformed as exc:
            skipped("deployment", exc)
    for raw in services:
        try:
            found.services.append(read_service(cluster, raw))
        except Malformed as exc:
            skipped("service", exc)
    for namespace in sorted({d.namespace for d in found.deployments} | {s.namespace for s in found.services}):
        if namespace not in seen_namespaces:  # an object in a namespace the listing did not show
            seen_namespaces.add(namespace)
            found.namespaces.append(Namespace(cluster, namespace))
    return found


# -- names ----------------------------------------------------------------------------------------------


_VALID = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def slug(*parts: str) -> str:
    """A valid entity name (lowercase kebab-case, at most 63 characters) from `parts`."""
    text = "-".join(p for p in parts if p)
    if len(text) <= MAX_NAME and _VALID.match(text) and "--" not in text:
        return text
    name = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", text.lower())).strip("-")
    if len(name) > MAX_NAME:
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        name = f"{name[: MAX_NAME - 9].rstrip('-')}-{digest}"
    return name or "unnamed-" + hashlib.sha256(text.encode()).hexdigest()[:8]


def infrastructure_base(service_name: str) -> str:
    return service_name if service_name.endswith("-svc") else f"{service_name}-svc"


@dataclass(frozen=True)
class Candidate:
    """An entity to be named: its kind, where its object lives and the name it would like."""

    kind: str
    cluster: str
    namespace: str
    object: str
    base: str

    def name_at(self, level: int) -> str:
        if level == 0:
            return slug(self.base)
        if level == 1:
            return slug(self.cluster, self.base)
        if level == 2:
            return slug(self.cluster, self.namespace, self.base)
        return slug(self.cluster, self.namespace, self.object, self.kind.lower())


def assign_names(candidates: Iterable[Candidate]) -> dict[Candidate, str]:
    """Unique names per kind: the base name unless it clashes; clashing ones get the cluster as a prefix,
    then the namespace too, then the object's own name. Deterministic for the same input."""
    ordered = sorted(set(candidates), key=lambda c: (c.kind, c.cluster, c.namespace, c.object, c.base))
    current = {cand: cand.name_at(0) for cand in ordered}
    level = dict.fromkeys(ordered, 0)
    for _ in range(5):
        groups: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
        for cand in ordered:
            groups[(cand.kind, current[cand])].append(cand)
        clashes = [group for group in groups.values() if len(group) > 1]
        if not clashes:
            break
        for group in clashes:
            for cand in group:
                level[cand] = min(level[cand] + 1, 3)
                current[cand] = cand.name_at(level[cand])
    names: dict[Candidate, str] = {}
    taken: set[tuple[str, str]] = set()
    for cand in ordered:
        name = current[cand]
        if (cand.kind, name) in taken:  # only names that still clash after every level: make them unique
            name = slug(name, hashlib.sha256(repr(cand).encode()).hexdigest()[:6])
        taken.add((cand.kind, name))
        names[cand] = name
    return names


def candidates(objects: ClusterObjects) -> list[Candidate]:
    found = [Candidate("Environment", ns.cluster, ns.name, ns.name, ns.name) for ns in objects.namespaces]
    found += [Candidate("Service", d.cluster, d.namespace, d.name, d.app) for d in objects.deployments]
    found += [
        Candidate("Infrastructure", s.cluster, s.namespace, s.name, infrastructure_base(s.name))
        for s in objects.services
    ]
    return found


# -- documents --------------------------------------------------------------------------------------------


def environment_type(*names: str) -> str:
    for name in names:
        lowered = name.lower()
        if _PRODUCTION.search(lowered):
            return "production"
        if _STAGING.search(lowered):
            return "staging"
        if _DEVELOPMENT.search(lowered):
            return "development"
    return "development"


def infrastructure_type(service: KubeService) -> str:
    for port in service.ports:
        if port in _DATABASE_PORTS:
            return "database"
        if port in _CACHE_PORTS:
            return "cache"
        if port in _QUEUE_PORTS:
            return "queue"
        if port in _STORAGE_PORTS:
            return "storage"
    for kind, pattern in _HINTS:
        if pattern.search(service.name):
            return kind
    return "storage"  # the kind has no type for a plain network endpoint; `provider` tells the service type


def _document(kind: str, name: str, annotations: dict[str, str], spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": kind,
        "metadata": {"name": name, "annotations": annotations},
        "spec": spec,
    }


def environment_document(ns: Namespace, name: str) -> dict[str, Any]:
    return _document(
        "Environment",
        name,
        {CLUSTER: ns.cluster, NAMESPACE: ns.name},
        {"type": environment_type(ns.name, ns.cluster), "cluster": ns.cluster},
    )


def service_document(deployment: Deployment, name: str, environment: str) -> dict[str, Any]:
    return _document(
        "Service",
        name,
        {CLUSTER: deployment.cluster, NAMESPACE: deployment.namespace, DEPLOYMENT: deployment.name},
        {
            "type": "backend",
            "lifecycle": "production",
            "deployedIn": [{"kind": "Environment", "name": environment}],
        },
    )


def infrastructure_document(service: KubeService, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": infrastructure_type(service),
        "lifecycle": "production",
        "provider": f"Kubernetes {service.type}",
    }
    if service.external_name:
        spec["connectionString"] = service.external_name[:2048]
    elif service.ports:
        spec["connectionString"] = f"{service.name}.{service.namespace}.svc:{service.ports[0]}"
    return _document("Infrastructure", name, {CLUSTER: service.cluster, NAMESPACE: service.namespace}, spec)


def merge(doc: dict[str, Any], existing: Mapping[str, Any] | None, environments: set[str]) -> dict[str, Any]:
    """The document to write over `existing` (the entity as the catalog has it, or None).

    The sync owns the `kubernetes.io/*` annotations and its place in `deployedIn`; everything else people or
    other plugins added (owner, description, tags, other annotations, dependencies…) is kept. On entities
    the sync created, its spec fields win; on entities made by someone else, they only fill gaps.
    """
    if existing is None:
        return doc
    old_meta = existing.get("metadata") or {}
    owned = old_meta.get("createdBy") == CREATED_BY
    metadata: dict[str, Any] = {k: old_meta[k] for k in USER_METADATA if k in old_meta}
    annotations = {
        k: v
        for k, v in (old_meta.get("annotations") or {}).items()
        if k not in OWN_ANNOTATIONS and k not in CORE_ANNOTATIONS
    }
    annotations.update(doc["metadata"]["annotations"])
    metadata["annotations"] = annotations
    metadata["name"] = doc["metadata"]["name"]
    old_spec = dict(existing.get("spec") or {})
    ours = doc["spec"]
    spec = {**old_spec, **ours} if owned else {**ours, **old_spec}
    if "deployedIn" in ours:
        mine = ours["deployedIn"]
        kept = [
            ref
            for ref in old_spec.get("deployedIn") or []
            if isinstance(ref, Mapping) and ref.get("name") not in environments and ref not in mine
        ]
        spec["deployedIn"] = [*mine, *kept]
    return {"apiVersion": API_VERSION, "kind": doc["kind"], "metadata": metadata, "spec": spec}
