"""The sync job against recorded cluster traffic (F99, F101, F43, F157): entities, annotations, collision
prefixes, idempotent re-syncs, per-cluster errors, malformed objects, merging with existing entities."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from conftest import PLUGIN, cluster_config, configure, sync
from gantry_core.db import tables
from gantry_core.testing import Gantry
from k8s_data import app_cluster, kind_cluster, recorded_deployments
from k8s_replay import ReplayServer
from sqlalchemy import func, select


async def entity(gantry: Gantry, kind: str, name: str) -> dict[str, Any]:
    viewer = await gantry.client("viewer")
    response = await viewer.get(f"/api/v1/entities/{kind}/{name}")
    assert response.status_code == 200, f"{kind}/{name}: {response.text}"
    found: dict[str, Any] = response.json()
    return found


async def names(gantry: Gantry, kind: str) -> set[str]:
    viewer = await gantry.client("viewer")
    items = (await viewer.get(f"/api/v1/entities/{kind}", params={"limit": 500})).json()["items"]
    return {i["metadata"]["name"] for i in items}


async def audit_count(gantry: Gantry) -> int:
    async with gantry.state.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(tables.audit_log))).scalar_one())


async def test_a_cluster_becomes_environments_services_and_infrastructure(k8s: Gantry, replay: ReplayServer) -> None:
    replay.clusters["kind"] = kind_cluster()
    run = await configure(k8s, [cluster_config(replay, "kind")])
    assert run["status"] == "success", run
    assert run["created"] == 3 + 2 + 2 and run["failed"] == 0

    assert await names(k8s, "environment") == {"default", "kube-system", "argocd"}
    env = await entity(k8s, "environment", "kube-system")
    assert env["spec"] == {"type": "development", "cluster": "kind"}
    assert env["metadata"]["annotations"]["kubernetes.io/namespace"] == "kube-system"
    assert env["metadata"]["managedBy"] == "kubernetes"

    coredns = await entity(k8s, "service", "coredns")  # the recorded deployment has no app label: its name
    assert coredns["spec"]["type"] == "backend" and coredns["spec"]["lifecycle"] == "production"
    assert coredns["spec"]["deployedIn"] == [{"kind": "Environment", "name": "kube-system"}]
    annotations = coredns["metadata"]["annotations"]
    assert annotations["kubernetes.io/cluster"] == "kind"
    assert annotations["kubernetes.io/namespace"] == "kube-system"
    assert annotations["kubernetes.io/deployment"] == "coredns"
    guestbook = await entity(k8s, "service", "guestbook-ui")  # named by its app label
    assert guestbook["spec"]["deployedIn"] == [{"kind": "Environment", "name": "default"}]

    metrics = await entity(k8s, "infrastructure", "argocd-metrics-svc")
    assert metrics["spec"]["provider"] == "Kubernetes ClusterIP"
    assert metrics["spec"]["connectionString"] == "argocd-metrics.argocd.svc:8082"
    assert metrics["metadata"]["annotations"]["kubernetes.io/namespace"] == "argocd"
    server = await entity(k8s, "infrastructure", "argocd-server-svc")
    assert server["spec"]["provider"] == "Kubernetes LoadBalancer"

    graph = (await (await k8s.client("viewer")).get("/api/v1/graph/service/coredns")).json()
    assert {"from": "service/coredns", "to": "environment/kube-system", "type": "deployedIn"} in graph["edges"]


async def test_a_second_sync_with_nothing_changed_writes_nothing(k8s: Gantry, replay: ReplayServer) -> None:
    replay.clusters["kind"] = kind_cluster()
    await configure(k8s, [cluster_config(replay, "kind")])
    audits = await audit_count(k8s)
    versions = (await entity(k8s, "service", "coredns"))["metadata"]["resourceVersion"]

    again = await sync(k8s)
    assert (again["status"], again["created"], again["updated"], again["unchanged"]) == ("success", 0, 0, 7)
    assert await audit_count(k8s) == audits
    assert (await entity(k8s, "service", "coredns"))["metadata"]["resourceVersion"] == versions

    replay.clusters["kind"].objects["deployments"][0]["metadata"]["labels"]["app"] = "dns"  # now named by label
    replay.clusters["kind"].serialized.clear()
    changed = await sync(k8s)
    assert changed["created"] == 1 and changed["updated"] == 0
    assert (await entity(k8s, "service", "dns"))["metadata"]["annotations"]["kubernetes.io/deployment"] == "coredns"


async def test_names_found_in_several_clusters_get_the_cluster_prefix(k8s: Gantry, replay: ReplayServer) -> None:
    replay.clusters["prod"] = app_cluster("prod-token")
    replay.clusters["staging"] = app_cluster("staging-token")
    replay.clusters["kind"] = kind_cluster()
    run = await configure(
        k8s, [cluster_config(replay, "prod"), cluster_config(replay, "staging"), cluster_config(replay, "kind")]
    )
    assert run["status"] == "success", run
    assert {"prod-payment-api", "staging-payment-api", "coredns", "guestbook-ui"} == await names(k8s, "service")
    assert {
        "prod-payments",
        "staging-payments",
        "prod-default",
        "staging-default",
        "kind-default",
        "kube-system",
        "argocd",
    } == await names(k8s, "environment")
    prod = await entity(k8s, "service", "prod-payment-api")
    assert prod["metadata"]["annotations"]["kubernetes.io/cluster"] == "prod"
    assert prod["metadata"]["annotations"]["kubernetes.io/deployment"] == "payment-api"
    assert prod["spec"]["deployedIn"] == [{"kind": "Environment", "name": "prod-payments"}]
    assert (await entity(k8s, "environment", "prod-payments"))["spec"]["type"] == "production"
    assert (await entity(k8s, "environment", "staging-payments"))["spec"]["type"] == "staging"
    assert {"prod-payment-api-svc", "staging-payment-api-svc"} <= await names(k8s, "infrastructure")

    # staging goes away for a run: prod's names stay as they were, nothing is orphaned
    replay.clusters["staging"].token = "rotated"
    failed = await sync(k8s)
    assert failed["status"] == "partial"
    assert failed["created"] == 0 and failed["updated"] == 0
    assert "gantry.io/orphaned" not in (await entity(k8s, "service", "prod-payment-api"))["metadata"]["annotations"]


async def test_cluster_failures_are_recorded_and_the_other_clusters_still_sync(
    k8s: Gantry, replay: ReplayServer
) -> None:
    replay.clusters["good"] = app_cluster("good-token", app="checkout")
    replay.clusters["refusing"] = app_cluster("right-token")
    replay.clusters["forbidding"] = app_cluster("forbidding-token", app="billing")
    replay.clusters["forbidding"].forbidden = {"deployments"}
    gone = {"name": "gone", "url": "http://127.0.0.1:9", "token": "t"}
    run = await configure(
        k8s,
        [
            cluster_config(replay, "good"),
            cluster_config(replay, "refusing", token="wrong-token"),
            cluster_config(replay, "forbidding"),
            gone,
        ],
    )
    assert run["status"] == "partial"
    errors = run["errors"]
    assert len(errors) == 3, errors
    assert any(e.startswith("cluster refusing: the API server refused the token (401 Unauthorized)") for e in errors)
    forbidden = next(e for e in errors if e.startswith("cluster forbidding:"))
    assert "403 Forbidden" in forbidden and 'cannot list resource "deployments"' in forbidden
    assert any(e.startswith("cluster gone: unreachable:") and "refused" in e.lower() for e in errors)
    assert await names(k8s, "service") == {"checkout"}
    assert (await entity(k8s, "service", "checkout"))["metadata"]["annotations"]["kubernetes.io/cluster"] == "good"
    pe = await k8s.client("platform-engineer")
    assert (await pe.get(f"{PLUGIN}/sync-runs")).json()["items"][0]["created"] == run["created"]


async def test_malformed_objects_are_skipped_and_reported(k8s: Gantry, replay: ReplayServer) -> None:
    cluster = app_cluster("token")
    broken_port = dict(cluster.objects["services"][0])
    broken_port = {
        **broken_port,
        "metadata": {"name": "odd", "namespace": "payments"},
        "spec": {"ports": [{"port": "http"}]},
    }
    cluster.add("deployments", {"metadata": {"namespace": "payments"}, "spec": {}})  # no name
    cluster.add("deployments", {"metadata": {"name": "labels", "namespace": "payments", "labels": ["a"]}})
    cluster.add("deployments", "not an object")
    cluster.add("services", broken_port)
    weird = recorded_deployments()[0]
    weird["metadata"].update(name="Weird.Name_With.Dots", namespace="payments", labels={"app": "Very_Odd.App"})
    cluster.add("deployments", weird)
    replay.clusters["c1"] = cluster
    run = await configure(k8s, [cluster_config(replay, "c1")])
    assert run["status"] == "partial"
    assert len(run["errors"]) == 4, run["errors"]
    assert all(e.startswith("cluster c1: skipped a malformed") for e in run["errors"])
    assert any("no metadata.name" in e for e in run["errors"])
    assert any("port" in e for e in run["errors"])
    assert await names(k8s, "service") == {"payment-api", "very-odd-app"}  # a label made into a valid name


async def test_an_entity_made_by_hand_keeps_what_people_wrote(k8s: Gantry, replay: ReplayServer) -> None:
    dev = await k8s.client("developer")
    made = await dev.put(
        "/api/v1/entities/service/payment-api",
        json={
            "apiVersion": "gantry.io/v1",
            "kind": "Service",
            "metadata": {"name": "payment-api", "owner": "payments-team", "annotations": {"github.com/repo": "a/b"}},
            "spec": {"type": "frontend", "deployedIn": [{"kind": "Environment", "name": "on-prem"}]},
        },
    )
    assert made.status_code == 201, made.text
    replay.clusters["prod"] = app_cluster("token")
    run = await configure(k8s, [cluster_config(replay, "prod")])
    assert run["status"] == "success" and run["updated"] == 1
    merged = await entity(k8s, "service", "payment-api")
    assert merged["metadata"]["owner"] == "payments-team"
    assert merged["metadata"]["annotations"]["github.com/repo"] == "a/b"
    assert merged["metadata"]["annotations"]["kubernetes.io/cluster"] == "prod"
    assert merged["spec"]["type"] == "frontend"  # not the sync's default
    assert merged["spec"]["lifecycle"] == "production"  # a gap the sync filled
    assert merged["spec"]["deployedIn"] == [
        {"kind": "Environment", "name": "payments"},
        {"kind": "Environment", "name": "on-prem"},
    ]
    again = await sync(k8s)
    assert (again["updated"], again["created"]) == (0, 0)


async def test_configured_namespaces_read_only_those_and_replay_the_recording(
    k8s: Gantry, replay: ReplayServer
) -> None:
    replay.clusters["kind"] = kind_cluster()
    run = await configure(k8s, [cluster_config(replay, "kind", namespaces="kube-system")])
    assert run["status"] == "success", run
    assert await names(k8s, "environment") == {"kube-system"}
    assert await names(k8s, "service") == {"coredns"}
    paths = [path for _, path in replay.clusters["kind"].requests]
    assert "/apis/apps/v1/namespaces/kube-system/deployments?limit=500" in paths  # served from the recording
    assert not any(p.startswith("/api/v1/namespaces?") for p in paths)  # namespaces are not listed


async def test_label_selector_and_pagination(k8s: Gantry, replay: ReplayServer) -> None:
    cluster = app_cluster("token")
    source = cluster.objects["deployments"][0]
    for i in range(1203):
        dep = {
            **source,
            "metadata": {
                **source["metadata"],
                "name": f"app-{i}",
                "labels": {"app": f"app-{i}", "team": "a" if i % 2 else "b"},
            },
        }
        cluster.add("deployments", dep)
    replay.clusters["big"] = cluster
    run = await configure(k8s, [cluster_config(replay, "big")], labelSelector="team=a")
    assert run["status"] == "success", run
    viewer = await k8s.client("viewer")
    assert (await viewer.get("/api/v1/entities/service", params={"limit": 1})).json()["total"] == 601
    assert (await viewer.get("/api/v1/entities/service/app-1")).status_code == 200
    assert (await viewer.get("/api/v1/entities/service/app-2")).status_code == 404
    pages = [p for _, p in cluster.requests if p.startswith("/apis/apps/v1/deployments")]
    assert len(pages) == 2 and "continue=500" in pages[1] and "labelSelector=team%3Da" in pages[0]


async def test_cluster_calls_never_block_the_event_loop(k8s: Gantry, replay: ReplayServer) -> None:
    cluster = app_cluster("token")
    cluster.hold = threading.Event()
    replay.clusters["slow"] = cluster
    pe = await k8s.client("platform-engineer")
    config = {"clusters": [cluster_config(replay, "slow")], "syncInterval": ""}
    assert (await pe.put(f"{PLUGIN}/config", json=config)).status_code == 200
    enabling = asyncio.create_task(pe.put(f"{PLUGIN}/enable", json={"enabled": True}))
    for _ in range(500):  # the loop keeps running while the cluster holds the first list request
        if cluster.requests:
            break
        await asyncio.sleep(0.01)
    assert cluster.requests
    cluster.hold.set()
    assert (await enabling).status_code == 200
    await k8s.state.scheduler.wait_idle("kubernetes")
    assert cluster.held and all(cluster.held)  # every held request was released by this loop, none timed out
