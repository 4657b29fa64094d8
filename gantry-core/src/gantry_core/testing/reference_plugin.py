"""A plugin that implements every hook, for contract tests and as a template for plugin authors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from gantry_core.plugins import (
    ActionType,
    EntityEvent,
    EntityKind,
    PluginContext,
    PluginManifest,
    ReferenceField,
    SyncJob,
    UICondition,
    UIExtension,
    hookimpl,
    public,
    require_role,
)

PLUGIN_ID = "reference"


class ReferenceConfig(BaseModel):
    """Configuration of the reference plugin."""

    endpoint: str = Field("https://example.invalid", description="Where widgets come from")
    token: SecretStr | None = Field(None, description="Credential for the endpoint")
    syncInterval: str = Field("15m", description="How often to sync, e.g. 5m or 1h")


class WidgetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    size: int = Field(1, ge=1, le=100, description="How big the widget is")
    partOf: str | None = Field(None, description="Name of the Service this widget belongs to", max_length=63)


class Recorder:
    """What the hooks saw, for assertions."""

    def __init__(self) -> None:
        self.lifespan: list[str] = []
        self.events: list[EntityEvent] = []
        self.event_plugin_ids: list[str] = []  # ctx.plugin_id of each event
        self.executed: list[Mapping[str, Any]] = []
        self.fail_next = False
        self.widgets: list[str] = ["alpha", "beta"]  # what the sync job reports
        self.sync_error: str | None = None  # reported through ctx.report_error (the run goes on)
        self.sync_raises: str | None = None  # raised after the widgets (the run fails)
        self.sync_gate: asyncio.Event | None = None  # when set, the job waits for it before finishing
        self.configs: list[Any] = []  # ctx.config seen by each sync run

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


recorder = Recorder()

router = APIRouter()


@router.get("/widgets", summary="Widgets the reference plugin knows")
async def list_widgets(user: Annotated[Any, Depends(require_role("viewer"))]) -> dict[str, Any]:
    return {"items": [{"name": "alpha"}, {"name": "beta"}], "total": 2, "next": None}


@router.post("/widgets/poke", summary="A developer-only operation")
async def poke(user: Annotated[Any, Depends(require_role("developer"))]) -> dict[str, str]:
    return {"poked": "yes"}


@router.get("/info", dependencies=[Depends(public)], summary="Public information")
async def info() -> dict[str, str]:
    return {"plugin": PLUGIN_ID}


async def sync_widgets(ctx: Any) -> AsyncIterator[Mapping[str, Any]]:
    recorder.configs.append(ctx.config)
    if recorder.sync_error:
        ctx.report_error(recorder.sync_error)
    for name in list(recorder.widgets):
        yield {
            "apiVersion": "gantry.io/v1",
            "kind": "Widget",
            "metadata": {"name": name},
            "spec": {"size": 2, "partOf": "checkout"},
        }
    if recorder.sync_gate is not None:
        await recorder.sync_gate.wait()
    if recorder.sync_raises:
        raise RuntimeError(recorder.sync_raises)


async def execute_echo(ctx: Any, action: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
    recorder.executed.append(dict(inputs))
    return {"echo": dict(inputs)}


@hookimpl
def gantry_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        id=PLUGIN_ID,
        title="Reference",
        description="Implements every hook; used by the contract tests",
        version="1.0.0",
        category="testing",
        config_model=ReferenceConfig,
    )


@hookimpl
def gantry_register_entity_kinds() -> list[EntityKind]:
    return [
        EntityKind(
            name="Widget",
            plural="widgets",
            short_names=("wd",),
            spec_model=WidgetSpec,
            description="A thing the reference plugin manages",
            references=(ReferenceField("partOf", "partOf", target_kind="Service"),),
        )
    ]


@hookimpl
def gantry_register_routes() -> list[APIRouter]:
    return [router]


@hookimpl
def gantry_register_sync_jobs() -> list[SyncJob]:
    return [SyncJob(name="reference-widgets", run=sync_widgets, description="Import widgets")]


@hookimpl
def gantry_register_action_types() -> list[ActionType]:
    return [ActionType(name="reference-echo", execute=execute_echo, description="Echo the inputs back")]


@hookimpl
def gantry_register_ui_extensions() -> list[UIExtension]:
    return [
        UIExtension(
            id="reference-widgets-tab",
            slot="entity.tab",
            title="Widgets",
            renderer="table",
            data_url="/widgets",
            when=UICondition(kinds=("Service",)),
        )
    ]


@hookimpl
def gantry_lifespan(ctx: PluginContext) -> Any:
    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        recorder.lifespan.append(f"enter:{ctx.plugin_id}")
        yield
        recorder.lifespan.append(f"exit:{ctx.plugin_id}")

    return lifespan()


@hookimpl
def gantry_on_entity_event(event: EntityEvent, ctx: PluginContext) -> None:
    if recorder.fail_next:
        recorder.fail_next = False
        raise RuntimeError("the reference plugin was told to fail")
    recorder.events.append(event)
    recorder.event_plugin_ids.append(ctx.plugin_id)
