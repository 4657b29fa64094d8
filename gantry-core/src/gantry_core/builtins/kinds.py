"""The seven built-in kinds (SPEC F28-F38) as a plugin: Service, API, Team, Environment, Infrastructure,
Action and Documentation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gantry_core import __version__
from gantry_core.plugins import EntityKind, PluginManifest, ReferenceField, hookimpl

Lifecycle = Literal["experimental", "development", "production", "deprecated"]
EntityName = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63)]
Url = Annotated[str, Field(max_length=2048, pattern=r"^https?://\S+$")]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Link(Spec):
    title: str = Field(description="Text shown for the link", max_length=255)
    url: Url = Field(description="Absolute http(s) URL")
    icon: Literal["dashboard", "docs", "runbook", "github", "slack", "alert", "monitor", "ci", "other"] = Field(
        "other", description="Icon shown next to the link"
    )


Links = Annotated[list[Link], Field(max_length=100)]


class EnvironmentRef(Spec):
    kind: Literal["Environment"] = Field(description="Always Environment")
    name: EntityName = Field(description="Name of the Environment")


class DependencyRef(Spec):
    kind: Literal["Service", "Infrastructure"] = Field(description="Kind of the dependency")
    name: EntityName = Field(description="Name of the Service or Infrastructure")


class EntityRef(Spec):
    kind: str = Field(description="Kind of the entity", max_length=63, pattern=r"^[A-Za-z][A-Za-z0-9]*$")
    name: EntityName = Field(description="Name of the entity")


class ServiceSpec(Spec):
    type: Literal["backend", "frontend", "fullstack", "library", "worker"] = Field(
        description="What sort of service this is"
    )
    lifecycle: Lifecycle | None = Field(None, description="Where the service is in its life")
    system: str | None = Field(None, description="The larger system it belongs to", max_length=63)
    repoUrl: Url | None = Field(None, description="Source repository URL")
    deployedIn: list[EnvironmentRef] = Field(default_factory=list, description="Environments it runs in")
    dependsOn: list[DependencyRef] = Field(default_factory=list, description="Services and infrastructure it needs")
    providesApis: list[EntityName] = Field(default_factory=list, description="Names of APIs it serves")
    consumesApis: list[EntityName] = Field(default_factory=list, description="Names of APIs it calls")
    healthCheckUrl: Url | None = Field(None, description="URL polled for the Health card and Status page")
    links: Links = Field(default_factory=list, description="Links shown in the sidebar")


class ApiSpec(Spec):
    type: Literal["rest", "grpc", "graphql", "event"] = Field(description="API style")
    lifecycle: Lifecycle | None = Field(None, description="Where the API is in its life")
    definition: Url | None = Field(None, description="URL of the definition (OpenAPI, proto, schema)")
    owner: EntityName | None = Field(None, description="Team owning the API contract, if not metadata.owner")
    system: str | None = Field(None, description="The larger system it belongs to", max_length=63)
    repoUrl: Url | None = Field(None, description="Source repository URL")
    links: Links = Field(default_factory=list, description="Links shown in the sidebar")


class TeamMember(Spec):
    name: str = Field(description="Username or full name", min_length=1, max_length=150)
    email: str | None = Field(None, description="E-mail address", max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    role: str | None = Field(None, description="Role in the team, e.g. lead", max_length=63)


class TeamSpec(Spec):
    members: list[TeamMember] = Field(default_factory=list, description="People in the team", max_length=1000)
    slackChannel: str | None = Field(None, description="Slack channel, e.g. #payments", max_length=80)
    email: str | None = Field(None, description="Team e-mail address", max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    oncallSchedule: Url | None = Field(None, description="URL of the on-call schedule")
    manager: str | None = Field(None, description="Manager of the team", max_length=150)
    links: Links = Field(default_factory=list, description="Links shown in the sidebar")


class EnvironmentSpec(Spec):
    type: Literal["staging", "production", "development"] = Field(description="What the environment is for")
    provider: str | None = Field(None, description="Where it runs: AWS, GCP, Azure, on-prem…", max_length=63)
    region: str | None = Field(None, description="Provider region, e.g. eu-west-1", max_length=63)
    cluster: str | None = Field(None, description="Kubernetes cluster name", max_length=253)
    accountId: str | None = Field(None, description="Cloud account or project id", max_length=63)
    links: Links = Field(default_factory=list, description="Links shown in the sidebar")


class InfrastructureSpec(Spec):
    type: Literal["database", "queue", "cache", "storage", "bucket"] = Field(description="What sort of resource")
    provider: str | None = Field(None, description='Managed offering, e.g. "AWS RDS"', max_length=63)
    lifecycle: Lifecycle | None = Field(None, description="Where the resource is in its life")
    connectionString: str | None = Field(
        None, description="How to connect (sensitive: do not put passwords here)", max_length=2048
    )
    system: str | None = Field(None, description="The larger system it belongs to", max_length=63)
    repoUrl: Url | None = Field(None, description="Infrastructure-as-code repository URL")
    links: Links = Field(default_factory=list, description="Links shown in the sidebar")


class ActionInput(Spec):
    name: str = Field(description="Input key", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=63)
    title: str | None = Field(None, description="Label shown in the form", max_length=255)
    type: Literal["string", "textarea", "number", "boolean", "select"] = Field(
        "string", description="Form control and value type"
    )
    description: str | None = Field(None, description="Help text", max_length=2000)
    required: bool = Field(False, description="Whether a value must be given")
    default: str | float | bool | None = Field(None, description="Value used when none is given")
    options: list[str] = Field(default_factory=list, description="Choices of a select input", max_length=500)


class ActionPermissions(Spec):
    allowedRoles: list[Literal["viewer", "developer", "platform-engineer", "admin"]] = Field(
        default_factory=list, description="Roles that may run it (empty = any developer)"
    )
    allowedTeams: list[EntityName] = Field(default_factory=list, description="Teams whose members may run it")
    requireApproval: bool = Field(False, description="Runs wait for an approver")
    approvers: list[str] = Field(default_factory=list, description="Usernames or Team names who approve runs")


class ActionSpec(Spec):
    type: Literal["github-action", "argocd-sync", "flux-update", "webhook", "internal"] = Field(
        description="Executor that runs the action"
    )
    category: str | None = Field(None, description="Group shown in the Actions page", max_length=63)
    inputs: list[ActionInput] = Field(default_factory=list, description="Form fields asked at run time")
    config: dict[str, Any] = Field(default_factory=dict, description="Executor settings (url, workflow…)")
    permissions: ActionPermissions = Field(
        default_factory=ActionPermissions, description="Who may run it and whether runs need approval"
    )
    links: Links = Field(default_factory=list, description="Links shown in the sidebar")


class DocumentationSpec(Spec):
    type: Literal["runbook", "wiki", "api-docs", "architecture"] = Field(description="What sort of document")
    url: Url | None = Field(None, description="Where the document lives")
    associatedEntity: EntityRef | None = Field(None, description="The entity it documents")
    format: Literal["markdown", "html", "asciidoc", "pdf", "other"] | None = Field(None, description="Document format")
    links: Links = Field(default_factory=list, description="Links shown in the sidebar")


KINDS = (
    EntityKind(
        name="Service",
        plural="services",
        short_names=("svc",),
        spec_model=ServiceSpec,
        description="A deployable piece of software: backend, frontend, worker or library",
        references=(
            ReferenceField("dependsOn", "dependsOn"),
            ReferenceField("deployedIn", "deployedIn"),
            ReferenceField("providesApis", "providesApis", target_kind="API"),
            ReferenceField("consumesApis", "consumesApis", target_kind="API"),
        ),
        icon="server",
        list_columns=("type", "lifecycle", "system"),
    ),
    EntityKind(
        name="API",
        plural="apis",
        spec_model=ApiSpec,
        description="An interface a service provides: REST, gRPC, GraphQL or events",
        icon="plug",
        list_columns=("type", "lifecycle"),
    ),
    EntityKind(
        name="Team",
        plural="teams",
        spec_model=TeamSpec,
        description="A group of people who own entities",
        icon="users",
        list_columns=("slackChannel", "email"),
    ),
    EntityKind(
        name="Environment",
        plural="environments",
        short_names=("env",),
        spec_model=EnvironmentSpec,
        description="Where services run: development, staging, production",
        icon="cloud",
        list_columns=("type", "provider", "region"),
    ),
    EntityKind(
        name="Infrastructure",
        plural="infrastructure",
        short_names=("infra",),
        spec_model=InfrastructureSpec,
        description="A resource services use: database, queue, cache, storage",
        icon="database",
        list_columns=("type", "provider", "lifecycle"),
    ),
    EntityKind(
        name="Action",
        plural="actions",
        spec_model=ActionSpec,
        description="A self-service operation people run from the portal",
        icon="zap",
        list_columns=("type", "category"),
    ),
    EntityKind(
        name="Documentation",
        plural="documentation",
        short_names=("doc", "docs"),
        spec_model=DocumentationSpec,
        description="A runbook, wiki page, API docs or architecture document",
        references=(ReferenceField("associatedEntity", "documents"),),
        icon="book-open",
        list_columns=("type", "format"),
    ),
)


@hookimpl
def gantry_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        id="catalog",
        title="Catalog",
        description="The seven built-in entity kinds",
        version=__version__,
        category="core",
        icon="library",
    )


@hookimpl
def gantry_register_entity_kinds() -> list[EntityKind]:
    return list(KINDS)
