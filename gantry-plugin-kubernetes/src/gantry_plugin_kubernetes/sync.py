"""The sync job (F99, F101): every cluster read at once in worker threads, mapped, merged with what the
catalog already holds, and yielded to the core, which writes only what changed.

A cluster that fails is reported on the sync run (`ctx.report_error`) and the others go on. Names that
collide across clusters are prefixed; the objects a failing cluster had last time still count for those
collisions, so a cluster going away for one run does not rename the others' entities.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from gantry_core.plugins import SyncContext, SyncJob

from gantry_plugin_kubernetes import mapping
from gantry_plugin_kubernetes.clients import ClusterClient, ClusterError, describe, runtime_of
from gantry_plugin_kubernetes.config import ClusterConfig, KubernetesConfig

JOB = "kubernetes-clusters"
KNOWN_KEY = "known-candidates"  # ctx.state: cluster -> its candidates from its last good read
WARNED_KEY = "tls-warned"


def fetch_cluster(client: ClusterClient, cluster: ClusterConfig, label_selector: str) -> mapping.ClusterObjects:
    """Read a cluster's namespaces, deployments and services (blocking: runs in a worker thread)."""
    selector = label_selector or None
    namespaces: list[Any]
    if cluster.namespace_list:
        namespaces = list(cluster.namespace_list)
        deployments: list[Any] = []
        services: list[Any] = []
        for namespace in namespaces:
            deployments += client.list("deployments", namespace, label_selector=selector)
            services += client.list("services", namespace, label_selector=selector)
    else:
        namespaces = client.list("namespaces")
        deployments = client.list("deployments", label_selector=selector)
        services = client.list("services", label_selector=selector)
    return mapping.read_cluster(cluster.name, namespaces, deployments, services)


async def sync_clusters(ctx: SyncContext) -> AsyncIterator[dict[str, Any]]:
    config: KubernetesConfig | None = ctx.config
    if config is None:
        ctx.report_error("the plugin is not configured")
        return
    runtime = runtime_of(ctx.state)
    warned: set[str] = ctx.state.setdefault(WARNED_KEY, set())
    for cluster in config.clusters:
        if cluster.url.startswith("https://") and cluster.caData is None and cluster.name not in warned:
            warned.add(cluster.name)
            ctx.log.warning("cluster %s: no caData, TLS verification is off", cluster.name)

    results = await asyncio.gather(
        *(runtime.on_cluster(c, fetch_cluster, c, config.labelSelector) for c in config.clusters),
        return_exceptions=True,
    )
    known: dict[str, list[mapping.Candidate]] = ctx.state.setdefault(KNOWN_KEY, {})
    good: list[mapping.ClusterObjects] = []
    for cluster, result in zip(config.clusters, results, strict=True):
        if isinstance(result, BaseException):
            if not isinstance(result, Exception):
                raise result
            error = result if isinstance(result, ClusterError) else describe(cluster.name, result)
            ctx.report_error(str(error))
            continue
        for problem in result.problems:
            ctx.report_error(problem)
        known[cluster.name] = mapping.candidates(result)
        good.append(result)
    configured = {c.name for c in config.clusters}
    for stale in [name for name in known if name not in configured]:
        del known[stale]

    everyone = [cand for cands in known.values() for cand in cands]
    names = mapping.assign_names(everyone)
    env_names = {(c.cluster, c.namespace): n for c, n in names.items() if c.kind == "Environment"}
    docs: list[dict[str, Any]] = []
    for objects in good:
        for ns in objects.namespaces:
            cand = mapping.Candidate("Environment", ns.cluster, ns.name, ns.name, ns.name)
            docs.append(mapping.environment_document(ns, names[cand]))
        for dep in objects.deployments:
            cand = mapping.Candidate("Service", dep.cluster, dep.namespace, dep.name, dep.app)
            docs.append(mapping.service_document(dep, names[cand], env_names[(dep.cluster, dep.namespace)]))
        for svc in objects.services:
            base = mapping.infrastructure_base(svc.name)
            cand = mapping.Candidate("Infrastructure", svc.cluster, svc.namespace, svc.name, base)
            docs.append(mapping.infrastructure_document(svc, names[cand]))

    all_envs = set(env_names.values())
    by_kind: dict[str, list[str]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc["metadata"]["name"])
    existing: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, kind_names in by_kind.items():
        for name, entity in (await ctx.get_entities(kind, kind_names)).items():
            existing[(kind, name)] = entity
    for doc in docs:
        yield mapping.merge(doc, existing.get((doc["kind"], doc["metadata"]["name"])), all_envs)


def sync_job() -> SyncJob:
    return SyncJob(
        name=JOB,
        run=sync_clusters,
        description="Namespaces, deployments and services of every configured cluster",
        interval=timedelta(minutes=5),
        run_on_enable=True,
    )
