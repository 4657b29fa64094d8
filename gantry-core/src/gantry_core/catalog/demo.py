"""The demo catalog of `gantry serve --demo`: a small online shop, about 60 entities of all seven kinds.

Loaded once, into an empty catalog only, through the one write path (validation, relations, search,
audit as ``system``). Every relation points at an entity of the demo, so the graphs have no missing
nodes. URLs point at example.com (RFC 2606), and no service has a ``healthCheckUrl``, so the demo makes
no outbound calls.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, text

from gantry_core.catalog.documents import parse
from gantry_core.catalog.service import Actor, WriteError, write_many
from gantry_core.db.tables import entities
from gantry_core.plugins.kinds import API_VERSION
from gantry_core.state import AppState

log = logging.getLogger("gantry.catalog")

SYSTEM = Actor(name="system", source="system")
DOCS = "https://docs.example.com"
GIT = "https://git.example.com/acme"

Entity = dict[str, Any]


def _entity(kind: str, name: str, title: str, description: str, spec: dict[str, Any], **metadata: Any) -> Entity:
    return {
        "apiVersion": API_VERSION,
        "kind": kind,
        "metadata": {"name": name, "title": title, "description": description, **metadata},
        "spec": spec,
    }


def _member(name: str, role: str | None = None) -> dict[str, str]:
    member = {"name": name, "email": f"{name.lower().replace(' ', '.')}@example.com"}
    if role:
        member["role"] = role
    return member


def _team(name: str, title: str, description: str, members: list[dict[str, str]], slack: str) -> Entity:
    lead = next(m["name"] for m in members if m.get("role") == "lead")
    return _entity(
        "Team",
        name,
        title,
        description,
        {
            "members": members,
            "slackChannel": slack,
            "email": f"{name}@example.com",
            "oncallSchedule": f"https://oncall.example.com/schedules/{name}",
            "manager": lead,
            "links": [{"title": "Team page", "url": f"{DOCS}/teams/{name}", "icon": "docs"}],
        },
        tags=["team"],
    )


def _environment(name: str, title: str, type_: str, region: str, account: str) -> Entity:
    return _entity(
        "Environment",
        name,
        title,
        f"The {title.lower()} environment on AWS {region}",
        {
            "type": type_,
            "provider": "AWS",
            "region": region,
            "cluster": f"{name}-eks",
            "accountId": account,
            "links": [
                {"title": "Cluster dashboard", "url": f"https://grafana.example.com/d/{name}", "icon": "dashboard"}
            ],
        },
        owner="platform",
        tags=["aws", "kubernetes"],
        labels={"gantry.io/environment-type": type_},
    )


def _infrastructure(
    name: str, title: str, description: str, type_: str, provider: str, owner: str, tags: list[str]
) -> Entity:
    return _entity(
        "Infrastructure",
        name,
        title,
        description,
        {
            "type": type_,
            "provider": provider,
            "lifecycle": "production",
            "connectionString": f"{name}.internal.example.com",
            "repoUrl": f"{GIT}/infrastructure",
            "links": [
                {"title": "Metrics", "url": f"https://grafana.example.com/d/{name}", "icon": "monitor"},
            ],
        },
        owner=owner,
        tags=tags,
    )


PRODUCTION = [{"kind": "Environment", "name": "production-eu"}, {"kind": "Environment", "name": "production-us"}]
ALL_ENVIRONMENTS = [
    {"kind": "Environment", "name": "development"},
    {"kind": "Environment", "name": "staging"},
    *PRODUCTION,
]


def _service(
    name: str,
    title: str,
    description: str,
    owner: str,
    *,
    type_: str = "backend",
    lifecycle: str = "production",
    system: str,
    tags: list[str],
    depends_on: Sequence[tuple[str, str]] = (),
    provides: Sequence[str] = (),
    consumes: Sequence[str] = (),
    deployed: Sequence[dict[str, str]] = ALL_ENVIRONMENTS,
    tier: str = "2",
) -> Entity:
    spec: dict[str, Any] = {
        "type": type_,
        "lifecycle": lifecycle,
        "system": system,
        "repoUrl": f"{GIT}/{name}",
        "deployedIn": list(deployed),
        "dependsOn": [{"kind": kind, "name": target} for kind, target in depends_on],
        "providesApis": list(provides),
        "consumesApis": list(consumes),
        "links": [
            {"title": "Repository", "url": f"{GIT}/{name}", "icon": "github"},
            {"title": "Dashboard", "url": f"https://grafana.example.com/d/{name}", "icon": "dashboard"},
            {"title": "Runbook", "url": f"{DOCS}/runbooks/{name}", "icon": "runbook"},
            {"title": "CI", "url": f"https://ci.example.com/acme/{name}", "icon": "ci"},
        ],
    }
    return _entity(
        "Service",
        name,
        title,
        description,
        spec,
        owner=owner,
        tags=tags,
        labels={"tier": tier, "gantry.io/system": system},
        annotations={"kubernetes.io/namespace": system, "kubernetes.io/deployment": name},
    )


def _api(
    name: str, title: str, description: str, type_: str, owner: str, system: str, *, lifecycle: str = "production"
) -> Entity:
    definition = {
        "rest": "openapi.yaml",
        "graphql": "schema.graphql",
        "grpc": "service.proto",
        "event": "asyncapi.yaml",
    }
    return _entity(
        "API",
        name,
        title,
        description,
        {
            "type": type_,
            "lifecycle": lifecycle,
            "definition": f"{GIT}/api-specs/raw/main/{name}/{definition[type_]}",
            "system": system,
            "repoUrl": f"{GIT}/api-specs",
            "links": [{"title": "Reference", "url": f"{DOCS}/apis/{name}", "icon": "docs"}],
        },
        owner=owner,
        tags=[type_, system],
        labels={"gantry.io/system": system},
    )


def _documentation(
    name: str, title: str, description: str, type_: str, owner: str, about: tuple[str, str], tags: list[str]
) -> Entity:
    return _entity(
        "Documentation",
        name,
        title,
        description,
        {
            "type": type_,
            "url": f"{DOCS}/{type_}/{name}",
            "associatedEntity": {"kind": about[0], "name": about[1]},
            "format": "markdown",
        },
        owner=owner,
        tags=tags,
    )


TEAM_NAMES = ["platform", "payments", "checkout", "identity", "data", "storefront"]


def demo_entities() -> list[Entity]:
    """Every demo entity, teams first (the order `gantry apply` uses)."""
    teams = [
        _team(
            "platform",
            "Platform Engineering",
            "Runs the clusters, the delivery pipeline and the shared infrastructure",
            [_member("Alice Martin", "lead"), _member("Bob Chen", "sre"), _member("Chidi Okafor", "engineer")],
            "#platform",
        ),
        _team(
            "payments",
            "Payments",
            "Card payments, refunds, fraud checks and the ledger",
            [_member("Dana Kowalski", "lead"), _member("Emeka Obi", "engineer"), _member("Fatima Zahra", "engineer")],
            "#payments",
        ),
        _team(
            "checkout",
            "Checkout",
            "Cart, checkout flow, orders and inventory",
            [_member("Gabriel Silva", "lead"), _member("Hana Sato", "engineer"), _member("Ivan Petrov", "engineer")],
            "#checkout",
        ),
        _team(
            "identity",
            "Identity",
            "Sign-in, accounts and permissions for customers and staff",
            [_member("Julia Novak", "lead"), _member("Kwame Mensah", "engineer")],
            "#identity",
        ),
        _team(
            "data",
            "Data & ML",
            "Analytics, the data warehouse and recommendations",
            [
                _member("Lena Fischer", "lead"),
                _member("Miguel Torres", "data-scientist"),
                _member("Nora Lind", "engineer"),
            ],
            "#data",
        ),
        _team(
            "storefront",
            "Storefront",
            "The web shop, the mobile backend, product catalog and search",
            [_member("Omar Haddad", "lead"), _member("Priya Nair", "engineer"), _member("Quinn Murphy", "designer")],
            "#storefront",
        ),
    ]
    environments = [
        _environment("development", "Development", "development", "eu-west-1", "111111111111"),
        _environment("staging", "Staging", "staging", "eu-west-1", "222222222222"),
        _environment("production-eu", "Production EU", "production", "eu-west-1", "333333333333"),
        _environment("production-us", "Production US", "production", "us-east-1", "444444444444"),
    ]
    infrastructure = [
        _infrastructure("payments-db", "Payments database", "PostgreSQL 16 holding payments and the ledger",
                        "database", "AWS RDS", "payments", ["postgres", "pci"]),
        _infrastructure("orders-db", "Orders database", "PostgreSQL 16 for orders and inventory",
                        "database", "AWS RDS", "checkout", ["postgres"]),
        _infrastructure("users-db", "Users database", "Aurora PostgreSQL with customer accounts",
                        "database", "AWS Aurora", "identity", ["postgres", "pii"]),
        _infrastructure("catalog-search", "Catalog search cluster", "OpenSearch index of every product",
                        "database", "AWS OpenSearch", "storefront", ["opensearch"]),
        _infrastructure("event-bus", "Event bus", "Kafka cluster carrying order and payment events",
                        "queue", "AWS MSK", "platform", ["kafka"]),
        _infrastructure("email-queue", "E-mail queue", "SQS queue of outgoing e-mails",
                        "queue", "AWS SQS", "platform", ["sqs"]),
        _infrastructure("session-cache", "Session cache", "Redis for sessions, carts and rate limits",
                        "cache", "AWS ElastiCache", "platform", ["redis"]),
        _infrastructure("media-bucket", "Media bucket", "Product images and downloads behind the CDN",
                        "bucket", "AWS S3", "storefront", ["s3", "cdn"]),
        _infrastructure("data-warehouse", "Data warehouse", "Snowflake warehouse fed by the analytics pipeline",
                        "database", "Snowflake", "data", ["snowflake", "analytics"]),
    ]  # fmt: skip
    svc, infra = "Service", "Infrastructure"
    services = [
        _service("web-storefront", "Web storefront", "The customer-facing web shop (Next.js)", "storefront",
                 type_="frontend", system="storefront", tags=["typescript", "nextjs", "customer-facing"],
                 depends_on=[(svc, "api-gateway")], consumes=["catalog-api", "search-api", "cart-api"], tier="1"),
        _service("mobile-bff", "Mobile backend", "Backend for the iOS and Android apps", "storefront",
                 system="storefront", tags=["kotlin", "mobile"], depends_on=[(svc, "api-gateway")],
                 consumes=["catalog-api", "orders-api", "users-api", "recommendations-api"], tier="1"),
        _service("api-gateway", "API gateway", "Routes, authenticates and rate-limits every public request",
                 "platform", system="edge", tags=["go", "envoy"],
                 depends_on=[(svc, "auth-service"), (infra, "session-cache")], consumes=["auth-api"], tier="1"),
        _service("auth-service", "Auth service", "Sign-in, sessions and tokens (OIDC)", "identity",
                 system="identity", tags=["go", "security"],
                 depends_on=[(infra, "users-db"), (infra, "session-cache")], provides=["auth-api"], tier="1"),
        _service("user-service", "User service", "Customer accounts, addresses and preferences", "identity",
                 system="identity", tags=["java", "pii"], depends_on=[(infra, "users-db"), (infra, "event-bus")],
                 provides=["users-api"]),
        _service("catalog-service", "Catalog service", "Products, prices and categories", "storefront",
                 system="storefront", tags=["python", "graphql"],
                 depends_on=[(infra, "catalog-search"), (infra, "media-bucket")], provides=["catalog-api"], tier="1"),
        _service("search-service", "Search service", "Product search with typo tolerance and facets", "storefront",
                 system="storefront", tags=["python", "search"], depends_on=[(infra, "catalog-search")],
                 provides=["search-api"], consumes=["catalog-api"]),
        _service("cart-service", "Cart service", "Shopping carts and saved-for-later lists", "checkout",
                 system="checkout", tags=["go"], depends_on=[(infra, "session-cache")], provides=["cart-api"],
                 tier="1"),
        _service("checkout-service", "Checkout service", "Turns a cart into a paid order", "checkout",
                 system="checkout", tags=["java", "customer-facing"],
                 depends_on=[(svc, "cart-service"), (svc, "order-service"), (svc, "payment-api")],
                 provides=["checkout-api"], consumes=["cart-api", "orders-api", "payments-api", "inventory-api"],
                 tier="1"),
        _service("order-service", "Order service", "Orders, their status and history", "checkout",
                 system="checkout", tags=["java"], depends_on=[(infra, "orders-db"), (infra, "event-bus")],
                 provides=["orders-api", "order-events"], tier="1"),
        _service("inventory-service", "Inventory service", "Stock levels and reservations per warehouse",
                 "checkout", system="checkout", tags=["rust", "grpc"],
                 depends_on=[(infra, "orders-db"), (infra, "event-bus")], provides=["inventory-api"],
                 consumes=["order-events"]),
        _service("payment-api", "Payment API", "Card payments, refunds and payouts (PCI scope)", "payments",
                 system="payments", tags=["python", "pci"],
                 depends_on=[(infra, "payments-db"), (infra, "event-bus"), (svc, "fraud-detection")],
                 provides=["payments-api", "payment-events"], consumes=["fraud-api"], tier="1"),
        _service("fraud-detection", "Fraud detection", "Scores every payment for fraud risk", "payments",
                 system="payments", tags=["python", "ml"], depends_on=[(infra, "payments-db")],
                 provides=["fraud-api"]),
        _service("ledger-worker", "Ledger worker", "Books every payment event into the double-entry ledger",
                 "payments", type_="worker", system="payments", tags=["python", "finance"],
                 depends_on=[(infra, "payments-db"), (infra, "event-bus")], consumes=["payment-events"]),
        _service("notification-service", "Notification service", "E-mail, SMS and push notifications",
                 "platform", system="messaging", tags=["go"], depends_on=[(infra, "email-queue")],
                 provides=["notifications-api"], consumes=["order-events"]),
        _service("email-worker", "E-mail worker", "Renders and sends queued e-mails", "platform",
                 type_="worker", system="messaging", tags=["go", "email"], depends_on=[(infra, "email-queue")]),
        _service("recommendation-engine", "Recommendation engine", "Personalised product recommendations",
                 "data", lifecycle="experimental", system="data", tags=["python", "ml"],
                 depends_on=[(infra, "data-warehouse")], provides=["recommendations-api"],
                 consumes=["catalog-api"], deployed=[ALL_ENVIRONMENTS[0], ALL_ENVIRONMENTS[1]]),
        _service("analytics-pipeline", "Analytics pipeline", "Streams business events into the warehouse", "data",
                 type_="worker", system="data", tags=["python", "spark"],
                 depends_on=[(infra, "event-bus"), (infra, "data-warehouse")],
                 consumes=["order-events", "payment-events"], deployed=[PRODUCTION[0]]),
        _service("design-system", "Design system", "Shared React components and design tokens", "storefront",
                 type_="library", system="storefront", tags=["typescript", "react"], deployed=[]),
        _service("admin-portal", "Admin portal", "Back-office tool for customer support", "platform",
                 type_="fullstack", lifecycle="development", system="backoffice", tags=["typescript"],
                 depends_on=[(svc, "api-gateway")], consumes=["users-api", "orders-api", "payments-api"],
                 deployed=[ALL_ENVIRONMENTS[0], ALL_ENVIRONMENTS[1]]),
    ]  # fmt: skip
    apis = [
        _api("auth-api", "Auth API", "OIDC endpoints: authorize, token, userinfo", "rest", "identity", "identity"),
        _api("users-api", "Users API", "Read and update customer accounts", "rest", "identity", "identity"),
        _api("catalog-api", "Catalog API", "Products, prices and categories", "graphql", "storefront", "storefront"),
        _api("search-api", "Search API", "Full-text product search with facets", "rest", "storefront", "storefront"),
        _api("cart-api", "Cart API", "Create and change shopping carts", "rest", "checkout", "checkout"),
        _api("checkout-api", "Checkout API", "Start and complete a checkout", "rest", "checkout", "checkout"),
        _api("orders-api", "Orders API", "Orders and their status", "rest", "checkout", "checkout"),
        _api("order-events", "Order events", "order.created, order.paid, order.shipped", "event", "checkout",
             "checkout"),
        _api("inventory-api", "Inventory API", "Stock levels and reservations", "grpc", "checkout", "checkout"),
        _api("payments-api", "Payments API", "Authorise, capture and refund payments", "rest", "payments",
             "payments"),
        _api("payment-events", "Payment events", "payment.authorised, payment.captured, payment.refunded",
             "event", "payments", "payments"),
        _api("fraud-api", "Fraud API", "Risk score for a payment", "grpc", "payments", "payments"),
        _api("notifications-api", "Notifications API", "Send e-mail, SMS and push messages", "rest", "platform",
             "messaging"),
        _api("recommendations-api", "Recommendations API", "Products a customer may like", "rest", "data", "data",
             lifecycle="experimental"),
    ]  # fmt: skip
    documentation = [
        _documentation("payments-runbook", "Payments runbook", "What to do when payments fail or slow down",
                       "runbook", "payments", ("Service", "payment-api"), ["runbook", "oncall"]),
        _documentation("checkout-architecture", "Checkout architecture", "How a cart becomes a paid order",
                       "architecture", "checkout", ("Service", "checkout-service"), ["architecture"]),
        _documentation("incident-response", "Incident response", "Severity levels, roles and the incident process",
                       "runbook", "platform", ("Team", "platform"), ["runbook", "oncall"]),
        _documentation("platform-onboarding", "Platform onboarding", "Your first week: access, tools, deploying",
                       "wiki", "platform", ("Team", "platform"), ["onboarding"]),
        _documentation("payments-api-docs", "Payments API reference", "Endpoints, errors and webhooks",
                       "api-docs", "payments", ("API", "payments-api"), ["api"]),
        _documentation("catalog-api-docs", "Catalog API reference", "The GraphQL schema with examples",
                       "api-docs", "storefront", ("API", "catalog-api"), ["api", "graphql"]),
    ]  # fmt: skip
    return [*teams, *environments, *infrastructure, *services, *apis, *documentation, *_actions()]


def _actions() -> list[Entity]:
    environments = ["staging", "production-eu", "production-us"]
    create_service = _entity(
        "Action",
        "create-service",
        "Create a new service",
        "Registers a new service in the catalog, owned by your team",
        {
            "type": "internal",
            "category": "Scaffolding",
            "inputs": [
                {"name": "name", "title": "Service name", "type": "string", "required": True,
                 "description": "Lowercase kebab-case, e.g. billing-api"},
                {"name": "owner", "title": "Owning team", "type": "select", "required": True,
                 "options": TEAM_NAMES},
                {"name": "type", "title": "Service type", "type": "select", "default": "backend",
                 "options": ["backend", "frontend", "fullstack", "library", "worker"]},
                {"name": "lifecycle", "title": "Lifecycle", "type": "select", "default": "experimental",
                 "options": ["experimental", "development", "production"]},
                {"name": "description", "title": "Description", "type": "textarea"},
            ],
            "config": {
                "operation": "catalog.apply",
                "template": {
                    "apiVersion": API_VERSION,
                    "kind": "Service",
                    "metadata": {
                        "name": "${inputs.name}",
                        "owner": "${inputs.owner}",
                        "description": "${inputs.description}",
                    },
                    "spec": {"type": "${inputs.type}", "lifecycle": "${inputs.lifecycle}"},
                },
            },
            "permissions": {"allowedRoles": ["developer"]},
        },
        owner="platform",
        tags=["self-service", "scaffolding"],
    )  # fmt: skip
    restart = _entity(
        "Action",
        "restart-service",
        "Restart a service",
        "Rolling restart of a service's pods in one environment",
        {
            "type": "webhook",
            "category": "Operations",
            "inputs": [
                {"name": "service", "title": "Service", "type": "string", "required": True},
                {"name": "environment", "title": "Environment", "type": "select", "required": True,
                 "options": environments},
                {"name": "reason", "title": "Reason", "type": "textarea"},
            ],
            "config": {
                "url": "https://hooks.example.com/deploy/restart",
                "method": "POST",
                "headers": {"Authorization": "Bearer ${SECRET_DEPLOY_TOKEN}"},
            },
            "permissions": {"allowedRoles": ["developer"], "allowedTeams": ["platform"]},
        },
        owner="platform",
        tags=["operations"],
    )  # fmt: skip
    provision = _entity(
        "Action",
        "provision-database",
        "Provision a database",
        "Creates a managed PostgreSQL database; a platform engineer approves each request",
        {
            "type": "webhook",
            "category": "Infrastructure",
            "inputs": [
                {"name": "name", "title": "Database name", "type": "string", "required": True},
                {"name": "size", "title": "Size", "type": "select", "default": "small",
                 "options": ["small", "medium", "large"]},
                {"name": "highAvailability", "title": "Multi-AZ", "type": "boolean", "default": False},
                {"name": "storageGb", "title": "Storage (GB)", "type": "number", "default": 20},
            ],
            "config": {"url": "https://hooks.example.com/infrastructure/databases", "method": "POST"},
            "permissions": {"allowedRoles": ["developer"], "requireApproval": True, "approvers": ["platform"]},
        },
        owner="platform",
        tags=["self-service", "infrastructure"],
    )  # fmt: skip
    deploy = _entity(
        "Action",
        "deploy-service",
        "Deploy a service",
        "Runs the deploy workflow for a service version",
        {
            "type": "github-action",
            "category": "Delivery",
            "inputs": [
                {"name": "service", "title": "Service", "type": "string", "required": True},
                {"name": "version", "title": "Version or commit", "type": "string", "required": True},
                {"name": "environment", "title": "Environment", "type": "select", "default": "staging",
                 "options": environments},
            ],
            "config": {"repository": "acme/deployments", "workflow": "deploy.yml", "ref": "main"},
            "permissions": {"allowedRoles": ["developer"]},
        },
        owner="platform",
        tags=["delivery"],
    )  # fmt: skip
    sync = _entity(
        "Action",
        "sync-storefront",
        "Sync the storefront",
        "Argo CD sync of the web storefront application",
        {
            "type": "argocd-sync",
            "category": "Delivery",
            "config": {"appName": "web-storefront"},
            "permissions": {"allowedTeams": ["storefront", "platform"]},
        },
        owner="storefront",
        tags=["delivery", "argocd"],
    )
    return [create_service, restart, provision, deploy, sync]


async def load_demo(state: AppState) -> int:
    """Write the demo catalog if the catalog is empty; returns how many entities were written (0 if not empty).

    Nothing is published: this runs at start-up, before plugins start and before anyone can listen.
    """
    host = state.host

    def canonical(name: str) -> str:
        registered = host.kind(name)
        return registered.name if registered else name

    docs = [parse(host, raw) for raw in demo_entities()]
    async with state.db.write() as conn:
        if conn.dialect.name == "postgresql":
            # Two replicas starting with --demo at once: the second waits, then finds the catalog filled.
            await conn.execute(text("LOCK TABLE entities IN SHARE ROW EXCLUSIVE MODE"))
        if (await conn.execute(select(entities.c.id).limit(1))).first() is not None:
            return 0
        results = await write_many(conn, docs, SYSTEM, mode="create", canonical_kind=canonical)
        failed = [r.error.message for r in results if isinstance(r, WriteError)]
        if failed:
            raise RuntimeError(f"the demo catalog did not load: {failed[0]}")
    log.info("loaded the demo catalog (%d entities)", len(results))
    return len(results)
