"""Kubernetes plugin sync benchmark (issue 8). Not a test: prints figures.

    python bench/bench_kubernetes.py [--deployments 5000] [--services 5000] [--clusters 3] [--postgres URL]

A real `gantry serve` (SQLite by default) syncs 3 clusters holding 5,000 deployments and 5,000 services in
all, served by the replay server of the plugin's tests (objects built from the recorded ones; a tenth of the
names exist in every cluster, so they get cluster prefixes). Reports the first sync and an unchanged
re-sync (which must write nothing) against the targets: first ≤ 15 s, re-sync ≤ 3 s with zero writes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "gantry-plugin-kubernetes" / "tests"))
from gantry_core.testing.server import gantry_server  # noqa: E402
from k8s_data import namespace, recorded_deployments, recorded_object, renamed_deployment, renamed_service  # noqa: E402
from k8s_replay import FakeCluster, ReplayServer, replay_server  # noqa: E402

PASSWORD = "bench-admin-password"
PLUGIN = "/api/v1/plugins/kubernetes"
FIRST_TARGET, RESYNC_TARGET = 15.0, 3.0


def build_clusters(server: ReplayServer, clusters: int, deployments: int, services: int) -> None:
    source_dep = recorded_deployments()[0]
    source_svc = recorded_object("svc-clusterip")
    namespaces = [f"team-{i:02d}" for i in range(20)]
    for c in range(clusters):
        cluster = FakeCluster(token=f"bench-token-{c}")
        cluster.add("namespaces", *(namespace(ns) for ns in namespaces))
        for i in range(c, deployments, clusters):
            shared = i % 10 == 0  # the same app in every cluster: prefixed names
            app = f"shared-app-{i // (10 * clusters)}" if shared else f"app-{i:05d}"
            cluster.add("deployments", renamed_deployment(source_dep, namespaces[i % 20], app, app=app))
        for i in range(c, services, clusters):
            cluster.add("services", renamed_service(source_svc, namespaces[i % 20], f"svc-{i:05d}"))
        server.clusters[f"cluster-{c}"] = cluster


def wait_run(client: httpx.Client, previous: str | None) -> dict[str, Any]:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        items = client.get(f"{PLUGIN}/sync-runs", params={"limit": 1}).json()["items"]
        if items and items[0]["id"] != previous and items[0]["finishedAt"]:
            run: dict[str, Any] = items[0]
            return run
        time.sleep(0.05)
    raise RuntimeError("the sync did not finish in 10 minutes")


def seconds(run: dict[str, Any]) -> float:
    from datetime import datetime

    start = datetime.fromisoformat(run["startedAt"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(run["finishedAt"].replace("Z", "+00:00"))
    return (end - start).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deployments", type=int, default=5000)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--clusters", type=int, default=3)
    parser.add_argument("--postgres", help="run on this PostgreSQL database instead of SQLite")
    args = parser.parse_args()

    with replay_server() as replay, tempfile.TemporaryDirectory() as tmp:
        build_clusters(replay, args.clusters, args.deployments, args.services)
        env = {"GANTRY_ADMIN_PASSWORD": PASSWORD, "GANTRY_PLUGINS_ALLOW": "kubernetes"}
        with gantry_server(Path(tmp) / "gantry", db=args.postgres, env=env) as server:
            login = httpx.post(f"{server.url}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {login.json()['token']}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
                clusters = [
                    {"name": name, "url": replay.url(name), "token": cluster.token}
                    for name, cluster in replay.clusters.items()
                ]
                client.put(f"{PLUGIN}/config", json={"clusters": clusters, "syncInterval": ""}).raise_for_status()
                client.put(f"{PLUGIN}/enable", json={"enabled": True}).raise_for_status()
                first = wait_run(client, None)
                audits = client.get("/api/v1/audit", params={"limit": 1}).json()["total"]
                while client.post(f"{PLUGIN}/sync").status_code == 409:  # the first run still holds its lease
                    time.sleep(0.05)
                again = wait_run(client, first["id"])
                audits_after = client.get("/api/v1/audit", params={"limit": 1}).json()["total"]

    entities = first["created"] + first["updated"] + first["unchanged"]
    writes = again["created"] + again["updated"] + (audits_after - audits)
    print(
        f"kubernetes sync: {args.clusters} clusters, {args.deployments} deployments, {args.services} services "
        f"({entities} entities, {'PostgreSQL' if args.postgres else 'SQLite'})"
    )
    print(
        f"  first sync     {seconds(first):6.2f} s  (target ≤ {FIRST_TARGET:.0f} s)  status {first['status']}, "
        f"created {first['created']}, failed {first['failed']}"
    )
    print(
        f"  unchanged sync {seconds(again):6.2f} s  (target ≤ {RESYNC_TARGET:.0f} s)  status {again['status']}, "
        f"unchanged {again['unchanged']}, writes {writes}"
    )
    ok = seconds(first) <= FIRST_TARGET and seconds(again) <= RESYNC_TARGET and writes == 0
    ok = ok and first["status"] == again["status"] == "success"
    print("  within targets" if ok else "  OUTSIDE TARGETS")
    if first["errors"]:
        print("  errors:", first["errors"][:3])


if __name__ == "__main__":
    main()
