"""Cluster contents for the replay server, from the recorded traffic and objects in `fixtures/`.

Objects that were never recorded (namespaces, events) are built in the recorded objects' shapes and checked
against the `kubernetes` client's own models (`validated`), so a typo in a field name fails the tests."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import yaml
from k8s_replay import FIXTURES, FakeCluster, load_recordings

CREATED = "2026-06-15T04:14:45Z"


@cache
def _recorded_list(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(json.loads((FIXTURES / name).read_text())[0]["response_body"])
    return body


def recorded_deployments() -> list[dict[str, Any]]:
    return copy.deepcopy(_recorded_list("replays-v1.36/deployment-list.json")["items"])


def recorded_pods() -> list[dict[str, Any]]:
    return copy.deepcopy(_recorded_list("replays-v1.36/pod-list.json")["items"])


def recorded_log() -> str:
    exchanges = json.loads((FIXTURES / "replays-v1.27/logs-get.json").read_text())
    text: str = exchanges[1]["response_body"]
    return text


def recorded_object(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((FIXTURES / "objects" / f"{name}.yaml").read_text())
    # YAML turns the timestamps into datetimes; the API sends RFC 3339 strings
    return json.loads(json.dumps(loaded, default=lambda v: v.isoformat().replace("+00:00", "Z")))


_MODELS = {"Namespace": "V1Namespace", "Event": "CoreV1Event", "Deployment": "V1Deployment", "Pod": "V1Pod"}


def validated(obj: dict[str, Any]) -> dict[str, Any]:
    """`obj`, once the kubernetes client's model of its kind accepted it (required fields, types)."""
    import kubernetes.client

    model = getattr(kubernetes.client, _MODELS[obj["kind"]]).from_dict(obj)
    assert model is not None
    return obj


def namespace(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return validated(
        {
            "kind": "Namespace",
            "apiVersion": "v1",
            "metadata": {
                "name": name,
                "uid": f"ns-{name}",
                "resourceVersion": "20",
                "creationTimestamp": CREATED,
                "labels": {"kubernetes.io/metadata.name": name, **(labels or {})},
            },
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        }
    )


def event(
    namespace: str,
    kind: str,
    name: str,
    reason: str,
    message: str,
    *,
    type_: str = "Normal",
    last: str = "2026-06-15T04:15:05Z",
    count: int = 1,
) -> dict[str, Any]:
    return validated(
        {
            "kind": "Event",
            "apiVersion": "v1",
            "metadata": {"name": f"{name}.{reason.lower()}", "namespace": namespace, "creationTimestamp": last},
            "involvedObject": {"kind": kind, "namespace": namespace, "name": name, "apiVersion": "v1"},
            "reason": reason,
            "message": message,
            "source": {"component": "kubelet" if kind == "Pod" else "deployment-controller"},
            "firstTimestamp": last,
            "lastTimestamp": last,
            "count": count,
            "type": type_,
            "reportingComponent": "",
            "reportingInstance": "",
        }
    )


def renamed_deployment(
    source: dict[str, Any], namespace: str, name: str, app: str | None = None, replicas: int | None = None
) -> dict[str, Any]:
    """A recorded deployment moved to another name and namespace (labels and selector follow)."""
    dep = copy.deepcopy(source)
    dep["metadata"].update(name=name, namespace=namespace, uid=f"uid-{namespace}-{name}")
    dep["metadata"].pop("managedFields", None)
    labels = {"app": app} if app else {"k8s-app": name}
    dep["metadata"]["labels"] = dict(labels)
    dep["spec"]["selector"] = {"matchLabels": dict(labels)}
    dep["spec"]["template"]["metadata"]["labels"] = dict(labels)
    if replicas is not None:
        dep["spec"]["replicas"] = replicas
    return dep


def renamed_pod(source: dict[str, Any], namespace: str, name: str, labels: dict[str, str]) -> dict[str, Any]:
    pod = copy.deepcopy(source)
    pod["metadata"].update(name=name, namespace=namespace, labels=dict(labels))
    pod["metadata"].pop("managedFields", None)
    return pod


def renamed_service(source: dict[str, Any], namespace: str, name: str) -> dict[str, Any]:
    svc = copy.deepcopy(source)
    svc["metadata"].update(name=name, namespace=namespace)
    svc["metadata"].pop("annotations", None)
    return svc


def kind_cluster(token: str = "kind-token") -> FakeCluster:
    """The recorded kind cluster (kube-system: coredns and its pods) plus the argo-cd test objects in
    `default` (a degraded guestbook-ui with pods in several states) and `argocd` (services)."""
    cluster = FakeCluster(token=token)
    cluster.recordings = load_recordings("replays-v1.36/deployment-list.json", "replays-v1.36/pod-list.json")
    cluster.add("namespaces", *(namespace(n) for n in ("default", "kube-system", "argocd")))
    cluster.add("deployments", *recorded_deployments())
    cluster.add("pods", *recorded_pods())
    log = recorded_log()
    for pod in recorded_pods():
        for container in pod["spec"]["containers"]:
            cluster.logs[("kube-system", pod["metadata"]["name"], container["name"])] = log

    guestbook = recorded_object("deployment-degraded")
    guestbook["metadata"]["labels"]["app"] = "guestbook-ui"
    cluster.add("deployments", guestbook)
    states = ["pod-running-restart-always", "pod-crashloop", "pod-imagepullbackoff", "pod-pending"]
    for i, state in enumerate(states):
        pod = renamed_pod(recorded_object(state), "default", f"guestbook-ui-85bdb5b9c-{i:05d}", {"app": "guestbook-ui"})
        cluster.add("pods", pod)
        for container in pod["spec"]["containers"]:
            cluster.logs[("default", pod["metadata"]["name"], container["name"])] = f"{state} line 1\n{state} line 2\n"
    crashing = "guestbook-ui-85bdb5b9c-00001"
    cluster.logs[("default", crashing, "main:previous")] = "panic: the previous container crashed\n"
    cluster.add("services", recorded_object("svc-clusterip"), recorded_object("svc-loadbalancer"))
    cluster.add(
        "events",
        event(
            "kube-system",
            "Deployment",
            "coredns",
            "ScalingReplicaSet",
            "Scaled up replica set coredns-589f44dc88 from 0 to 2",
            last="2026-06-15T04:14:52Z",
        ),
        event(
            "kube-system",
            "ReplicaSet",
            "coredns-589f44dc88",
            "SuccessfulCreate",
            "Created pod: coredns-589f44dc88-4fpns",
            last="2026-06-15T04:14:53Z",
        ),
        event(
            "kube-system",
            "Pod",
            "coredns-589f44dc88-4fpns",
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
            type_="Warning",
            last="2026-06-15T04:15:01Z",
            count=3,
        ),
        event("kube-system", "Pod", "etcd-v1.36-control-plane", "Pulled", "Container image already present"),
    )
    return cluster


def app_cluster(token: str, app: str = "payment-api", namespace_name: str = "payments") -> FakeCluster:
    """A cluster running `app` (the recorded coredns deployment, renamed) and its service."""
    cluster = FakeCluster(token=token)
    cluster.add("namespaces", namespace(namespace_name), namespace("default"))
    cluster.add("deployments", renamed_deployment(recorded_deployments()[0], namespace_name, app, app=app))
    cluster.add("services", renamed_service(recorded_object("svc-clusterip"), namespace_name, app))
    return cluster
