"""The seven built-in kinds (SPEC F28-F38) as served by `GET /api/v1/schemas`: valid draft 2020-12 schemas,
closed `spec` objects, a description on every field, the SPEC's fields and enums exactly, and validation that
reports every failing JSON path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from gantry_core.app import build_host
from gantry_core.plugins.host import PluginHost
from gantry_core.settings import GantrySettings
from gantry_core.testing import Gantry
from jsonschema import Draft202012Validator

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
LIFECYCLE = ["experimental", "development", "production", "deprecated"]
LINK_ICONS = ["dashboard", "docs", "runbook", "github", "slack", "alert", "monitor", "ci", "other"]  # F38

#: spec fields per kind (F31-F37), `links` on every kind (F38)
SPEC_FIELDS = {
    "Service": {
        "type",
        "lifecycle",
        "system",
        "repoUrl",
        "deployedIn",
        "dependsOn",
        "providesApis",
        "consumesApis",
        "links",
        "healthCheckUrl",
    },
    "API": {"type", "lifecycle", "definition", "owner", "system", "repoUrl", "links"},
    "Team": {"members", "slackChannel", "email", "oncallSchedule", "manager", "links"},
    "Environment": {"type", "provider", "region", "cluster", "accountId", "links"},
    "Infrastructure": {"type", "provider", "lifecycle", "connectionString", "system", "repoUrl", "links"},
    "Action": {"type", "category", "inputs", "config", "permissions", "links"},
    "Documentation": {"type", "url", "associatedEntity", "format", "links"},
}

#: (kind, path below spec) → the SPEC's list, in the SPEC's order
SPEC_ENUMS = {
    ("Service", "type"): ["backend", "frontend", "fullstack", "library", "worker"],
    ("Service", "lifecycle"): LIFECYCLE,
    ("Service", "dependsOn[].kind"): ["Service", "Infrastructure"],
    ("API", "type"): ["rest", "grpc", "graphql", "event"],
    ("API", "lifecycle"): LIFECYCLE,
    ("Environment", "type"): ["staging", "production", "development"],
    ("Infrastructure", "type"): ["database", "queue", "cache", "storage", "bucket"],
    ("Infrastructure", "lifecycle"): LIFECYCLE,
    ("Action", "type"): ["github-action", "argocd-sync", "flux-update", "webhook", "internal"],
    ("Documentation", "type"): ["runbook", "wiki", "api-docs", "architecture"],
    **{(kind, "links[].icon"): LINK_ICONS for kind in SPEC_FIELDS},
}


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> PluginHost:
    """The plugin host of an app with only the built-ins (what `create_app` builds; no database needed)."""
    folder = tmp_path_factory.mktemp("kinds")
    return build_host(GantrySettings(data_dir=folder / "data"), None, autoload=False)


@pytest.fixture(scope="module")
def schemas(host: PluginHost) -> dict[str, dict[str, Any]]:
    return {registered.name: registered.schema for registered in host.kinds.values()}


def resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].removeprefix("#/$defs/")
        node = {**root["$defs"][name], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def at(root: dict[str, Any], path: str) -> dict[str, Any]:
    """The schema of `path` below spec: ``links[].icon`` is the icon of a link."""
    node = resolve(root, root["properties"]["spec"])
    for part in path.split("."):
        name = part.removesuffix("[]")
        node = resolve(root, node["properties"][name])
        if part.endswith("[]"):
            node = resolve(root, node["items"])
    return node


def objects(root: dict[str, Any], node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object schema below `node` (following $refs), with where it is."""
    if isinstance(node, dict):
        node = resolve(root, node) if "$ref" in node else node
        if "properties" in node:
            yield path, node
        for key, value in node.items():
            if key != "$defs":
                yield from objects(root, value, f"{path}/{key}")
    elif isinstance(node, list):
        for item in node:
            yield from objects(root, item, path)


async def test_the_seven_kinds_are_served(gantry: Gantry, schemas: dict[str, dict[str, Any]]) -> None:
    assert set(schemas) == set(SPEC_FIELDS)
    client = await gantry.client("viewer")
    served = {item["kind"]: item for item in (await client.get("/api/v1/schemas")).json()["items"]}
    assert {kind: item["schema"] for kind, item in served.items()} == schemas
    assert {item["plugin"] for item in served.values()} == {"catalog"}
    for name in ("service", "Service", "SERVICE", "services", "svc"):
        assert (await client.get(f"/api/v1/schemas/{name}")).json()["kind"] == "Service"
    for unknown in ("Flow", "nothing"):  # F45: Flow is reserved, without a phase-1 schema
        response = await client.get(f"/api/v1/schemas/{unknown}")
        assert response.status_code == 404
        assert response.json()["code"] == "unknown_kind"
    assert (await gantry.anonymous().get("/api/v1/schemas")).status_code == 401


@pytest.mark.parametrize("kind", sorted(SPEC_FIELDS))
def test_every_schema_is_draft_2020_12_with_closed_objects_and_described_fields(
    schemas: dict[str, dict[str, Any]], kind: str
) -> None:
    schema = schemas[kind]
    assert schema["$schema"] == DRAFT_2020_12
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["apiVersion"]["const"] == "gantry.io/v1"
    assert schema["properties"]["kind"]["const"] == kind
    assert schema["additionalProperties"] is False
    assert schema["properties"]["metadata"]["additionalProperties"] is False
    assert schema["properties"]["spec"]["additionalProperties"] is False
    for path, node in objects(schema, schema):
        assert node.get("additionalProperties") is False, f"{kind}: the object at {path} accepts any field"
        for name, field in node["properties"].items():
            assert field.get("description"), f"{kind}: {path}/{name} has no description"
            assert field.get("title") != name.title() or name.islower(), f"{kind}: {name} has a generated title"


@pytest.mark.parametrize("kind", sorted(SPEC_FIELDS))
def test_spec_fields_are_those_of_the_spec(schemas: dict[str, dict[str, Any]], kind: str) -> None:
    assert set(schemas[kind]["properties"]["spec"]["properties"]) == SPEC_FIELDS[kind]


@pytest.mark.parametrize(("kind", "path"), sorted(SPEC_ENUMS))
def test_enums_match_the_spec_exactly(schemas: dict[str, dict[str, Any]], kind: str, path: str) -> None:
    assert at(schemas[kind], path)["enum"] == SPEC_ENUMS[(kind, path)]


def test_deployed_in_points_at_environments(schemas: dict[str, dict[str, Any]]) -> None:
    assert at(schemas["Service"], "deployedIn[].kind")["const"] == "Environment"


def test_validation_reports_every_failing_path(host: PluginHost) -> None:
    service = host.kind("service")
    assert service is not None
    bad = {
        "apiVersion": "gantry.io/v0",
        "kind": "Service",
        "metadata": {"name": "Bad_Name", "tags": ["ok", "Not OK"], "colour": "red"},
        "spec": {
            "type": "mainframe",
            "lifecycle": "retired",
            "repoUrl": "ftp://example.com/repo",
            "deployedIn": [{"kind": "Environment", "name": "prod"}, {"kind": "Team", "name": "x"}],
            "dependsOn": [{"kind": "Service"}],
            "links": [{"title": "Runbook", "url": "https://example.com", "icon": "book"}],
            "owner": "payments",
        },
    }
    paths = [d["path"] for d in service.errors(bad)]
    assert paths == sorted(
        [
            "/apiVersion",
            "/metadata/colour",
            "/metadata/name",
            "/metadata/tags/1",
            "/spec/dependsOn/0/name",
            "/spec/deployedIn/1/kind",
            "/spec/lifecycle",
            "/spec/links/0/icon",
            "/spec/owner",
            "/spec/repoUrl",
            "/spec/type",
        ]
    )
    by_path = {d["path"]: d["message"] for d in service.errors(bad)}
    assert by_path["/spec/type"] == "must be one of: backend, frontend, fullstack, library, worker"
    assert by_path["/spec/owner"] == "is not an allowed field"
    assert by_path["/spec/dependsOn/0/name"] == "is required"

    missing = service.errors({"apiVersion": "gantry.io/v1", "kind": "Service"})
    assert [d["path"] for d in missing] == ["/metadata", "/spec"]


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        (
            "Service",
            {"type": "backend", "lifecycle": "production", "deployedIn": [{"kind": "Environment", "name": "p"}]},
        ),
        ("API", {"type": "grpc", "definition": "https://example.com/api.proto"}),
        ("Team", {"members": [{"name": "Ada", "email": "ada@example.com", "role": "lead"}], "slackChannel": "#t"}),
        ("Environment", {"type": "staging", "provider": "AWS", "region": "eu-west-1"}),
        ("Infrastructure", {"type": "bucket", "provider": "AWS S3", "lifecycle": "experimental"}),
        ("Action", {"type": "webhook", "config": {"url": "https://example.com/hook"}, "inputs": [{"name": "x"}]}),
        ("Documentation", {"type": "runbook", "associatedEntity": {"kind": "Service", "name": "api"}}),
    ],
)
def test_a_valid_document_of_each_kind_passes(host: PluginHost, kind: str, spec: dict[str, Any]) -> None:
    registered = host.kind(kind)
    assert registered is not None
    links = [{"title": "Dashboard", "url": "https://grafana.example.com/d/1", "icon": "dashboard"}]
    document = {
        "apiVersion": "gantry.io/v1",
        "kind": kind,
        "metadata": {"name": "ok"},
        "spec": {**spec, "links": links},
    }
    assert registered.errors(document) == []
