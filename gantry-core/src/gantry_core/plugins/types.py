"""Declaration types plugins return from their hooks. Plain frozen dataclasses the core validates."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel

PLUGIN_ID = re.compile(r"^[a-z][a-z0-9-]*$")
KIND_NAME = re.compile(r"^[A-Z][A-Za-z0-9]{0,62}$")
DECLARATION_NAME = re.compile(r"^[a-z][a-z0-9._-]{0,62}$")

Role = Literal["viewer", "developer", "platform-engineer", "admin"]
ROLE_LEVELS: Mapping[str, int] = {"viewer": 1, "developer": 2, "platform-engineer": 3, "admin": 4}

UISlot = Literal["nav.item", "entity.tab", "entity.card", "entity.action", "catalog.column", "settings.page"]
UIRenderer = Literal["table", "key-value", "status", "links", "markdown", "log-stream", "form"]


@dataclass(frozen=True)
class PluginManifest:
    """What a plugin says about itself. `config_model` fields typed `SecretStr` are stored encrypted."""

    id: str
    title: str
    description: str = ""
    version: str = "0.0.0"
    category: str = "integration"
    icon: str = "puzzle"
    config_model: type[BaseModel] | None = None
    static_dir: Path | None = None


@dataclass(frozen=True)
class ReferenceField:
    """A spec field that points at other entities; each reference becomes a relation row.

    `target_kind` is fixed for fields holding plain names (``providesApis`` → API); when it is None the
    field holds ``{kind, name}`` objects (``dependsOn``). A field may hold one value or a list.
    """

    field: str
    relation: str
    target_kind: str | None = None


@dataclass(frozen=True)
class EntityKind:
    """A kind of entity: its canonical name (``Service``), plural, spec model and how it relates."""

    name: str
    plural: str
    spec_model: type[BaseModel]
    description: str
    references: tuple[ReferenceField, ...] = ()
    short_names: tuple[str, ...] = ()
    icon: str = "box"
    list_columns: tuple[str, ...] = ()


class CoreServices(Protocol):
    """What the core lets a plugin do beyond returning declarations (reached through PluginContext)."""

    async def get_entity(self, kind: str, name: str, namespace: str = "default") -> dict[str, Any] | None: ...

    async def get_entities(
        self, kind: str, names: Sequence[str], namespace: str = "default"
    ) -> dict[str, dict[str, Any]]: ...

    async def audit(
        self,
        plugin_id: str,
        *,
        action: str,
        actor: str | None,
        resource_type: str | None = None,
        resource_name: str | None = None,
        resource_namespace: str | None = None,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        details: Mapping[str, Any] | None = None,
        ip: str | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class PluginContext:
    """What the core hands a plugin at run time: its id, logger, validated config and core services.

    `state` is one dictionary per plugin and app, shared by the contexts of its lifespan, routes and sync
    jobs: the place for resources the lifespan opens (client pools, executors) instead of module globals.
    In a route's context `client_ip` is the caller's address, which `audit` records."""

    plugin_id: str
    log: logging.Logger
    config: Any = None
    core: CoreServices | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    client_ip: str | None = None

    async def get_entity(self, kind: str, name: str, namespace: str = "default") -> dict[str, Any] | None:
        """An entity of the catalog as the API shows it, or None."""
        if self.core is None:
            raise RuntimeError("no core services in this context")
        return await self.core.get_entity(kind, name, namespace)

    async def get_entities(
        self, kind: str, names: Sequence[str], namespace: str = "default"
    ) -> dict[str, dict[str, Any]]:
        """The entities of `kind` among `names` in `namespace` that exist, by name (a few queries for many)."""
        if self.core is None:
            raise RuntimeError("no core services in this context")
        return await self.core.get_entities(kind, names, namespace)

    async def audit(self, action: str, *, actor: str | None, **fields: Any) -> None:
        """Write an audit entry for something the plugin did (source `plugin`; in a route, the caller's IP)."""
        if self.core is None:
            raise RuntimeError("no core services in this context")
        if self.client_ip is not None:
            fields.setdefault("ip", self.client_ip)
        await self.core.audit(self.plugin_id, action=action, actor=actor, **fields)


@dataclass(frozen=True)
class SyncContext(PluginContext):
    """The context of one sync-job run: report problems that should not stop the whole run."""

    job: str = ""
    errors: list[str] = field(default_factory=list)

    def report_error(self, message: str) -> None:
        """Record an error on the sync run (e.g. one cluster unreachable) and carry on."""
        self.log.warning("[%s-sync] %s", self.plugin_id, message)
        self.errors.append(message)


@dataclass(frozen=True)
class EntityEvent:
    """An entity change, published after its transaction committed."""

    type: Literal["entity.created", "entity.updated", "entity.deleted"]
    kind: str
    namespace: str
    name: str
    entity: Mapping[str, Any] | None
    source: str
    actor: str | None


SyncRun = Callable[[Any], AsyncIterator[Mapping[str, Any]]]


@dataclass(frozen=True)
class SyncJob:
    """A job the scheduler runs on its interval; `run(ctx)` yields entity documents to upsert."""

    name: str
    run: SyncRun
    description: str = ""
    interval: timedelta | None = timedelta(minutes=15)
    run_on_enable: bool = True


ExecuteAction = Callable[[Any, Mapping[str, Any], Mapping[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class ActionType:
    """An executor for Action entities whose ``spec.type`` is `name`."""

    name: str
    execute: ExecuteAction
    description: str = ""
    config_model: type[BaseModel] | None = None


@dataclass(frozen=True)
class UICondition:
    """When a UI extension shows: any listed kind, every listed annotation, every listed spec field."""

    kinds: tuple[str, ...] = ()
    annotations: tuple[str, ...] = ()
    spec_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class UIExtension:
    """A declarative UI extension: a slot, a condition, a built-in renderer (or an ES module) and data."""

    id: str
    slot: UISlot
    title: str
    renderer: UIRenderer | None = None
    component: str | None = None
    data_url: str | None = None
    when: UICondition = field(default_factory=UICondition)
    order: int = 100
    options: Mapping[str, Any] = field(default_factory=dict)
