"""Generate a realistic catalog of N entities (teams, environments, infrastructure, services, APIs, docs)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

WORDS = (
    "payment",
    "ledger",
    "checkout",
    "cart",
    "search",
    "catalog",
    "inventory",
    "pricing",
    "shipping",
    "billing",
    "invoice",
    "fraud",
    "risk",
    "auth",
    "identity",
    "profile",
    "account",
    "notification",
    "email",
    "sms",
    "push",
    "feed",
    "ranking",
    "recommend",
    "media",
    "image",
    "video",
    "upload",
    "storage",
    "report",
    "analytics",
    "metrics",
    "audit",
    "config",
    "gateway",
    "edge",
    "router",
    "cache",
    "session",
    "order",
    "refund",
    "tax",
    "loyalty",
)
LANGS = ["python", "go", "java", "typescript", "rust", "kotlin"]


def _name(rng: random.Random, i: int) -> str:
    return f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i}"


def catalog(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """About 2% teams, 1% environments, 12% infrastructure, 60% services, 15% APIs, 10% docs."""
    rng = random.Random(seed)
    teams = [f"team-{i}" for i in range(max(5, n // 50))]
    envs = [f"env-{i}" for i in range(max(3, n // 100))]
    n_infra = n * 12 // 100
    n_apis = n * 15 // 100
    n_docs = n * 10 // 100
    n_services = n - len(teams) - len(envs) - n_infra - n_apis - n_docs
    for name in teams:
        yield {
            "apiVersion": "gantry.io/v1",
            "kind": "Team",
            "metadata": {"name": name, "title": name.title()},
            "spec": {
                "members": [{"name": f"{name}-lead", "email": f"{name}@example.com", "role": "lead"}],
                "slackChannel": f"#{name}",
            },
        }
    for i, name in enumerate(envs):
        yield {
            "apiVersion": "gantry.io/v1",
            "kind": "Environment",
            "metadata": {"name": name, "owner": teams[0]},
            "spec": {"type": ("production", "staging", "development")[i % 3], "provider": "AWS", "region": "eu-west-1"},
        }
    infra = [f"db-{i}" for i in range(n_infra)]
    for name in infra:
        yield {
            "apiVersion": "gantry.io/v1",
            "kind": "Infrastructure",
            "metadata": {"name": name, "owner": rng.choice(teams), "tags": ["postgres"]},
            "spec": {"type": rng.choice(["database", "queue", "cache", "storage"]), "provider": "AWS RDS"},
        }
    apis = [f"api-{i}" for i in range(n_apis)]
    for name in apis:
        yield {
            "apiVersion": "gantry.io/v1",
            "kind": "API",
            "metadata": {"name": name, "owner": rng.choice(teams)},
            "spec": {"type": rng.choice(["rest", "grpc", "graphql", "event"]), "lifecycle": "production"},
        }
    services = [_name(rng, i) for i in range(n_services)]
    for i, name in enumerate(services):
        deps = [{"kind": "Service", "name": services[rng.randrange(max(1, i))]} for _ in range(2)] if i > 2 else []
        if infra:
            deps.append({"kind": "Infrastructure", "name": rng.choice(infra)})
        yield {
            "apiVersion": "gantry.io/v1",
            "kind": "Service",
            "metadata": {
                "name": name,
                "title": name.replace("-", " ").title(),
                "description": f"Handles {rng.choice(WORDS)} and {rng.choice(WORDS)} for the {rng.choice(WORDS)} "
                f"domain",
                "owner": rng.choice(teams),
                "tags": sorted({rng.choice(LANGS), f"tier-{rng.randint(1, 3)}"}),
                "labels": {"tier": str(rng.randint(1, 3))},
                "annotations": {"github.com/repo": f"acme/{name}"},
            },
            "spec": {
                "type": rng.choice(["backend", "frontend", "worker"]),
                "lifecycle": rng.choice(["production", "production", "experimental", "deprecated"]),
                "dependsOn": deps,
                "deployedIn": [{"kind": "Environment", "name": rng.choice(envs)}],
                "providesApis": [rng.choice(apis)] if apis else [],
                "repoUrl": f"https://github.com/acme/{name}",
            },
        }
    for i in range(n_docs):
        yield {
            "apiVersion": "gantry.io/v1",
            "kind": "Documentation",
            "metadata": {"name": f"doc-{i}", "owner": rng.choice(teams)},
            "spec": {
                "type": rng.choice(["runbook", "wiki", "architecture"]),
                "url": f"https://docs.example.com/{i}",
                "associatedEntity": {"kind": "Service", "name": rng.choice(services)},
            },
        }
