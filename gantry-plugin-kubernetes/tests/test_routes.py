"""Routes against recorded traffic (F103, F160): workloads, events, logs, restart and scale, errors."""

from __future__ import annotations

from typing import Any

import httpx
from conftest import PLUGIN, cluster_config, configure
from gantry_core.db import tables
from gantry_core.testing import Gantry
from k8s_data import app_cluster, kind_cluster, recorded_log
from k8s_replay import ReplayServer
from sqlalchemy import select


async def setup(k8s: Gantry, replay: ReplayServer) -> httpx.AsyncClient:
    replay.clusters["kind"] = kind_cluster()
    replay.clusters["prod"] = app_cluster("prod-token")
    await configure(k8s, [cluster_config(replay, "kind"), cluster_config(replay, "prod")])
    return await k8s.client("viewer")


async def test_workload_shows_the_deployment_and_its_pods(k8s: Gantry, replay: ReplayServer) -> None:
    viewer = await setup(k8s, replay)
    response = await viewer.get(f"{PLUGIN}/workload/coredns", params={"namespaces": "kube-system"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["cluster"] == "kind" and body["status"] == "Healthy" and body["message"] == "2/2 ready"
    assert body["replicas"] == {"desired": 2, "ready": 2}
    (dep,) = body["deployments"]
    assert (dep["name"], dep["namespace"], dep["desired"], dep["ready"]) == ("coredns", "kube-system", 2, 2)
    assert dep["images"] == ["registry.k8s.io/coredns/coredns:v1.14.2"]
    assert body["items"] == [{"label": "kube-system/coredns", "status": "Healthy", "message": "2/2 ready"}]
    pods = {p["name"]: p for p in body["pods"]}
    assert set(pods) == {"coredns-589f44dc88-4fpns", "coredns-589f44dc88-lxdzt"}  # selected by k8s-app=kube-dns
    pod = pods["coredns-589f44dc88-4fpns"]
    assert (pod["phase"], pod["status"], pod["ready"], pod["restarts"]) == ("Running", "Running", "1/1", 0)
    assert pod["images"] == ["registry.k8s.io/coredns/coredns:v1.14.2"] and pod["age"] and pod["createdAt"]
    sent = [p for _, p in replay.clusters["kind"].requests]
    assert "/apis/apps/v1/namespaces/kube-system/deployments?labelSelector=app%3Dcoredns&limit=500" in sent
    assert any("fieldSelector=metadata.name%3Dcoredns" in p for p in sent)  # no app label: by name


async def test_workload_of_a_degraded_deployment_shows_pod_states(k8s: Gantry, replay: ReplayServer) -> None:
    viewer = await setup(k8s, replay)
    body = (await viewer.get(f"{PLUGIN}/workload/guestbook-ui", params={"cluster": "kind"})).json()
    assert body["status"] == "Degraded"
    assert "progress" in body["message"].lower()
    statuses = sorted((p["status"], p["restarts"], p["ready"]) for p in body["pods"])
    assert statuses == sorted(
        [
            ("Running", 0, "1/1"),
            ("CrashLoopBackOff", 3, "0/1"),
            ("ImagePullBackOff", 0, "0/1"),
            ("PodInitializing", 0, "0/1"),
        ]
    ), statuses


async def test_workload_by_deployment_and_cluster_and_errors(k8s: Gantry, replay: ReplayServer) -> None:
    viewer = await setup(k8s, replay)
    prod = await viewer.get(
        f"{PLUGIN}/workload/prod-payment-api",
        params={"cluster": "prod", "namespaces": "payments", "deployment": "payment-api"},
    )
    assert prod.status_code == 200 and prod.json()["cluster"] == "prod"
    missing = await viewer.get(f"{PLUGIN}/workload/nothing-here")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    unknown = await viewer.get(f"{PLUGIN}/workload/coredns", params={"cluster": "mars"})
    assert unknown.status_code == 400 and unknown.json()["details"][0]["path"] == "cluster"
    bad_ns = await viewer.get(f"{PLUGIN}/workload/coredns", params={"namespaces": "Not_Valid"})
    assert bad_ns.status_code == 400 and bad_ns.json()["code"] == "invalid_parameter"
    bad_name = await viewer.get(f"{PLUGIN}/workload/-bad-")
    assert bad_name.status_code == 400
    assert (await k8s.anonymous().get(f"{PLUGIN}/workload/coredns")).status_code == 401


async def test_events_of_a_workload_newest_first(k8s: Gantry, replay: ReplayServer) -> None:
    viewer = await setup(k8s, replay)
    body = (await viewer.get(f"{PLUGIN}/workload/coredns/events", params={"namespaces": "kube-system"})).json()
    assert [e["reason"] for e in body["items"]] == ["Unhealthy", "SuccessfulCreate", "ScalingReplicaSet"]
    warning = body["items"][0]
    assert warning["type"] == "Warning" and warning["count"] == 3
    assert warning["object"] == "Pod/coredns-589f44dc88-4fpns"
    assert body["total"] == 3  # the etcd pod's event is not the workload's
    limited = (await viewer.get(f"{PLUGIN}/workload/coredns/events", params={"limit": 1})).json()
    assert len(limited["items"]) == 1 and limited["total"] == 3


async def test_pod_logs_tail_previous_download_and_errors(k8s: Gantry, replay: ReplayServer) -> None:
    viewer = await setup(k8s, replay)
    url = f"{PLUGIN}/pods/kube-system/coredns-589f44dc88-4fpns/containers/coredns/logs"
    full = await viewer.get(url)
    assert full.status_code == 200 and full.text == recorded_log()
    assert full.headers["content-type"].startswith("text/plain")
    tail = await viewer.get(url, params={"tailLines": 3})
    assert tail.text == "".join(recorded_log().splitlines(keepends=True)[-3:])
    download = await viewer.get(url, params={"download": "true", "tailLines": 1})
    assert download.headers["content-disposition"] == 'attachment; filename="coredns-589f44dc88-4fpns-coredns.log"'
    sent = [p for _, p in replay.clusters["kind"].requests]
    assert any("tailLines=3" in p and "container=coredns" in p for p in sent)

    crashed = f"{PLUGIN}/pods/default/guestbook-ui-85bdb5b9c-00001/containers/main/logs"
    previous = await viewer.get(crashed, params={"previous": "true", "sinceSeconds": 600})
    assert previous.text == "panic: the previous container crashed\n"
    assert any(
        "previous=true" in p and "sinceSeconds=600" in p for p in [p for _, p in replay.clusters["kind"].requests]
    )
    wrong = await viewer.get(f"{PLUGIN}/pods/kube-system/coredns-589f44dc88-4fpns/containers/nope/logs")
    assert wrong.status_code == 400 and "not valid" in wrong.json()["error"]
    bad = await viewer.get(url, params={"tailLines": 0})
    assert bad.status_code == 400


async def test_workload_logs_prefix_every_line(k8s: Gantry, replay: ReplayServer) -> None:
    viewer = await setup(k8s, replay)
    text = (await viewer.get(f"{PLUGIN}/workload/guestbook-ui/logs", params={"tailLines": 1})).text
    lines = text.splitlines()
    assert "[guestbook-ui-85bdb5b9c-00001/main] pod-crashloop line 2" in lines
    assert len(lines) == 4


async def audit_rows(k8s: Gantry, action: str) -> list[Any]:
    async with k8s.state.db.read() as conn:
        rows = await conn.execute(select(tables.audit_log).where(tables.audit_log.c.action == action))
        return list(rows.mappings())


async def test_restart_and_scale_are_for_developers_and_audited(k8s: Gantry, replay: ReplayServer) -> None:
    viewer = await setup(k8s, replay)
    cluster = replay.clusters["prod"]
    url = f"{PLUGIN}/workload/payment-api"
    assert (await viewer.post(f"{url}/restart", params={"cluster": "prod"})).status_code == 403
    assert (await viewer.post(f"{url}/scale", params={"cluster": "prod"}, json={"replicas": 3})).status_code == 403
    assert not cluster.patches

    dev = await k8s.client("developer", username="dana")
    restarted = await dev.post(f"{url}/restart", params={"cluster": "prod"})
    assert restarted.status_code == 200, restarted.text
    stamp = restarted.json()["restartedAt"]
    (patch,) = cluster.patches
    assert patch.path == "/apis/apps/v1/namespaces/payments/deployments/payment-api"
    assert patch.content_type == "application/strategic-merge-patch+json"
    assert patch.body == {
        "spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": stamp}}}}
    }

    scaled = await dev.post(f"{url}/scale", params={"cluster": "prod"}, json={"replicas": 5})
    assert scaled.status_code == 200, scaled.text
    assert scaled.json() == {
        "cluster": "prod",
        "namespace": "payments",
        "deployment": "payment-api",
        "before": 2,
        "replicas": 5,
    }
    scale_patch = cluster.patches[1]
    assert scale_patch.path.endswith("/deployments/payment-api/scale") and scale_patch.body == {"spec": {"replicas": 5}}

    (restart_audit,) = await audit_rows(k8s, "kubernetes.restart")
    assert restart_audit["user_name"] == "dana" and restart_audit["source"] == "plugin"
    assert restart_audit["before"] == {"replicas": 2}
    assert restart_audit["after"] == {"replicas": 2, "restartedAt": stamp}
    (scale_audit,) = await audit_rows(k8s, "kubernetes.scale")
    assert scale_audit["user_name"] == "dana"
    assert (scale_audit["before"], scale_audit["after"]) == ({"replicas": 2}, {"replicas": 5})
    assert scale_audit["resource_type"] == "Deployment" and scale_audit["resource_name"] == "payment-api"

    for body, path in (
        ({"replicas": -1}, "/replicas"),
        ({"replicas": "3"}, "/replicas"),
        ({}, "/replicas"),
        ({"replicas": 1, "x": 1}, "/x"),
    ):
        refused = await dev.post(f"{url}/scale", params={"cluster": "prod"}, json=body)
        assert refused.status_code == 422 and refused.json()["details"][0]["path"] == path, refused.text
    assert len(cluster.patches) == 2


async def test_a_cluster_that_fails_answers_with_the_reason(k8s: Gantry, replay: ReplayServer) -> None:
    replay.clusters["prod"] = app_cluster("prod-token")
    await configure(k8s, [cluster_config(replay, "prod"), {"name": "gone", "url": "http://127.0.0.1:9", "token": "t"}])
    viewer = await k8s.client("viewer")
    unreachable = await viewer.get(f"{PLUGIN}/workload/payment-api", params={"cluster": "gone"})
    assert unreachable.status_code == 502 and unreachable.json()["code"] == "cluster_unreachable"
    replay.clusters["prod"].token = "rotated"
    refused = await viewer.get(f"{PLUGIN}/workload/payment-api", params={"cluster": "prod"})
    assert refused.status_code == 502 and refused.json()["code"] == "cluster_error"
    assert "401" in refused.json()["error"]


async def test_ui_extensions_in_the_manifest(k8s: Gantry, replay: ReplayServer) -> None:
    viewer = await setup(k8s, replay)
    items = {i["id"]: i for i in (await viewer.get("/api/v1/ui/manifest")).json()["items"]}
    tab, card = items["kubernetes-workload-tab"], items["kubernetes-status-card"]
    assert tab["slot"] == "entity.tab" and tab["title"] == "Kubernetes" and tab["renderer"] == "status"
    assert tab["when"] == {"kinds": ["Service"], "annotations": ["kubernetes.io/cluster"], "specFields": []}
    assert tab["dataUrl"].startswith("/api/v1/plugins/kubernetes/workload/{name}?cluster=")
    sections = {s["id"]: s for s in tab["options"]["sections"]}
    assert sections["pods"]["renderer"] == "table" and sections["pods"]["options"]["path"] == "pods"
    assert sections["logs"]["renderer"] == "log-stream" and sections["events"]["renderer"] == "table"
    assert sections["actions"]["minRole"] == "developer"
    assert sections["actions"]["options"]["submitUrl"].startswith("workload/{name}/scale?")
    assert card["slot"] == "entity.card" and card["renderer"] == "status"
    # the data URL, filled in as the UI does for a synced entity, answers what the status renderer reads
    filled = "/api/v1/plugins/kubernetes/workload/coredns?cluster=kind&namespaces=kube-system&deployment=coredns"
    body = (await viewer.get(filled)).json()
    assert {"status", "message", "items"} <= set(body)
