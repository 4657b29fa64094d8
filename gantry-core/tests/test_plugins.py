"""The plugin manager and host with plugin objects (DESIGN §2): clashes name both plugins, every route
declares its access, block/allow lists, check_pending and the load-error policy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends
from gantry_core import __version__
from gantry_core.app import build_host
from gantry_core.builtins import builtin_sources
from gantry_core.plugins import (
    ActionType,
    EntityKind,
    PluginContext,
    PluginManifest,
    SyncJob,
    UIExtension,
    hookimpl,
    public,
    require_role,
)
from gantry_core.plugins.host import PluginHost
from gantry_core.plugins.manager import PluginLoadError, PluginSource
from gantry_core.settings import load_settings
from gantry_core.testing import Harness
from pydantic import BaseModel, ConfigDict, Field

BUILTINS = [source.id for source in builtin_sources(__version__)]  # never blockable, loaded first


class GadgetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    size: int = Field(1, description="How big")


async def no_sync(ctx: Any) -> AsyncIterator[dict[str, Any]]:
    for _ in ():
        yield {}


async def no_action(ctx: Any, action: Any, inputs: Any) -> None:
    return None


class Plugin:
    """A small plugin object whose declarations are given in the constructor."""

    def __init__(
        self,
        plugin_id: str,
        *,
        kinds: Sequence[str] = (),
        plural: str | None = None,
        jobs: Sequence[str] = (),
        actions: Sequence[str] = (),
        ui: Sequence[str] = (),
        routers: Sequence[APIRouter] = (),
        distribution: str | None = None,
    ) -> None:
        self.plugin_id = plugin_id
        self.kinds = kinds
        self.plural = plural
        self.jobs = jobs
        self.actions = actions
        self.ui = ui
        self.routers = routers
        self.distribution = distribution or f"gantry-plugin-{plugin_id}"

    def source(self) -> PluginSource:
        return PluginSource(id=self.plugin_id, distribution=self.distribution, version="2.0.0", obj=self)

    @hookimpl
    def gantry_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(id=self.plugin_id, title=self.plugin_id.title(), version="2.0.0")

    @hookimpl
    def gantry_register_entity_kinds(self) -> list[EntityKind]:
        return [
            EntityKind(name=k, plural=self.plural or f"{k.lower()}s", spec_model=GadgetSpec, description=k)
            for k in self.kinds
        ]

    @hookimpl
    def gantry_register_sync_jobs(self) -> list[SyncJob]:
        return [SyncJob(name=name, run=no_sync) for name in self.jobs]

    @hookimpl
    def gantry_register_action_types(self) -> list[ActionType]:
        return [ActionType(name=name, execute=no_action) for name in self.actions]

    @hookimpl
    def gantry_register_ui_extensions(self) -> list[UIExtension]:
        return [UIExtension(id=name, slot="entity.tab", title=name, renderer="table") for name in self.ui]

    @hookimpl
    def gantry_register_routes(self) -> list[APIRouter]:
        return list(self.routers)


@pytest.fixture
def settings_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)

    def make(**overrides: Any) -> Any:
        return load_settings(data_dir=tmp_path / "data", **overrides)

    return make


def host_of(settings: Any, *plugins: Any) -> PluginHost:
    return build_host(settings, [p.source() if isinstance(p, Plugin) else p for p in plugins], autoload=False)


# -- declarations are attributed and clashes name both plugins -------------------------------------------


def test_declarations_are_attributed_to_their_plugin(settings_in: Any) -> None:
    host = host_of(settings_in(), Plugin("one", kinds=["Gadget"], jobs=["gadgets"], actions=["poke"], ui=["tab"]))
    record = host.plugins["one"]
    assert (record.kinds, record.jobs, record.action_types, record.ui_extensions) == (
        ["Gadget"],
        ["gadgets"],
        ["poke"],
        ["tab"],
    )
    assert host.kind("GADGETS") is host.kind("gadget")
    assert host.kind("gadget") is not None and host.kind("gadget").plugin_id == "one"  # type: ignore[union-attr]
    assert host.jobs["gadgets"].plugin_id == "one"
    assert host.action_types["poke"].plugin_id == "one"
    assert host.ui_extensions["tab"].plugin_id == "one"
    assert list(host.plugins) == [*BUILTINS, "one"]  # builtins first


@pytest.mark.parametrize(
    ("first", "second", "what"),
    [
        ({"kinds": ["Gadget"]}, {"kinds": ["Gadget"]}, "entity kind name 'gadget'"),
        ({"kinds": ["Gadget"]}, {"kinds": ["Widget"], "plural": "gadget"}, "entity kind name 'gadget'"),
        ({"jobs": ["nightly"]}, {"jobs": ["nightly"]}, "sync job 'nightly'"),
        ({"actions": ["deploy"]}, {"actions": ["deploy"]}, "action type 'deploy'"),
        ({"ui": ["status-card"]}, {"ui": ["status-card"]}, "UI extension id 'status-card'"),
    ],
)
def test_duplicate_declarations_across_plugins_name_both(
    settings_in: Any, first: dict[str, Any], second: dict[str, Any], what: str
) -> None:
    with pytest.raises(PluginLoadError) as caught:
        host_of(settings_in(), Plugin("one", **first), Plugin("two", **second))
    assert str(caught.value) == (
        f"plugin 'two' (gantry-plugin-two) failed to load: {what} is already declared by plugin 'one' "
        "(gantry-plugin-one)"
    )


def test_a_kind_may_not_take_a_builtin_name(settings_in: Any) -> None:
    with pytest.raises(PluginLoadError, match=r"entity kind name 'svc' is already declared by plugin 'catalog'"):
        host_of(settings_in(), Plugin("one", kinds=["Svc"]))


def test_duplicate_within_one_plugin_is_refused(settings_in: Any) -> None:
    with pytest.raises(PluginLoadError, match=r"^plugin 'one' .*: sync job 'a' is declared twice$"):
        host_of(settings_in(), Plugin("one", jobs=["a", "a"]))


def test_duplicate_plugin_ids_name_both_distributions(settings_in: Any) -> None:
    with pytest.raises(PluginLoadError) as caught:
        host_of(settings_in(), Plugin("one", distribution="dist-a"), Plugin("one", distribution="dist-b"))
    assert str(caught.value) == "plugin id 'one' is registered by two distributions: dist-a and dist-b"


# -- routes ----------------------------------------------------------------------------------------------


def test_a_route_without_a_role_declaration_is_refused(settings_in: Any) -> None:
    router = APIRouter()

    @router.get("/open-by-accident")
    async def open_by_accident() -> dict[str, str]:
        return {}

    with pytest.raises(PluginLoadError) as caught:
        host_of(settings_in(), Plugin("one", routers=[router]))
    assert str(caught.value) == (
        "plugin 'one' (gantry-plugin-one) failed to load: route /open-by-accident declares neither a minimum "
        "role (require_role) nor public access"
    )


def test_routes_with_a_role_or_public_are_listed(settings_in: Any) -> None:
    router = APIRouter()

    @router.get("/things")
    async def things(user: Annotated[Any, Depends(require_role("developer"))]) -> dict[str, str]:
        return {}

    @router.get("/ping", dependencies=[Depends(public)])
    async def ping() -> dict[str, str]:
        return {}

    host = host_of(settings_in(), Plugin("one", routers=[router]))
    assert host.plugins["one"].routes == [
        {"method": "GET", "path": "/api/v1/plugins/one/things"},
        {"method": "GET", "path": "/api/v1/plugins/one/ping"},
    ]


def test_the_same_route_twice_is_refused(settings_in: Any) -> None:
    def router() -> APIRouter:
        r = APIRouter()

        @r.get("/x", dependencies=[Depends(public)])
        async def x() -> None:
            return None

        return r

    with pytest.raises(PluginLoadError, match=r"route GET /x is declared twice$"):
        host_of(settings_in(), Plugin("one", routers=[router(), router()]))


# -- bad plugins ------------------------------------------------------------------------------------------


class Misspelled:
    @hookimpl
    def gantry_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(id="typo", title="Typo")

    def gantry_registr_routes(self) -> list[APIRouter]:  # no marker: still caught by its gantry_ prefix
        return []


class WrongArgument:
    @hookimpl
    def gantry_lifespan(self, context: PluginContext) -> None:
        return None


class Raising:
    @hookimpl
    def gantry_register_sync_jobs(self) -> list[SyncJob]:
        raise RuntimeError("no credentials")


class WrongType:
    @hookimpl
    def gantry_register_action_types(self) -> list[str]:
        return ["deploy"]


class WrongManifest:
    @hookimpl
    def gantry_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(id="someone-else", title="?")


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        (Misspelled(), "unknown hook 'gantry_registr_routes' in plugin"),
        (WrongArgument(), "hook 'gantry_lifespan'"),
        (Raising(), "gantry_register_sync_jobs raised RuntimeError: no credentials"),
        (WrongType(), "gantry_register_action_types returned str, expected ActionType"),
        (WrongManifest(), "manifest id 'someone-else' differs from its entry-point name 'bad'"),
    ],
)
def test_a_broken_plugin_stops_start_up_naming_plugin_and_distribution(settings_in: Any, obj: Any, reason: str) -> None:
    with pytest.raises(PluginLoadError) as caught:
        host_of(settings_in(), PluginSource(id="bad", distribution="gantry-plugin-bad", version="1", obj=obj))
    message = str(caught.value)
    assert message.startswith("plugin 'bad' (gantry-plugin-bad) failed to load: ")
    assert reason in message


@pytest.mark.parametrize("obj", [Misspelled(), Raising(), WrongType(), Plugin("bad", jobs=["nightly"])])
def test_skip_keeps_a_broken_plugin_out_and_lists_it_with_its_reason(settings_in: Any, obj: Any) -> None:
    good = Plugin("good", jobs=["nightly"], kinds=["Gadget"])
    bad = PluginSource(id="bad", distribution="gantry-plugin-bad", version="1", obj=obj)
    host = host_of(settings_in(plugins_on_error="skip"), good, bad)
    record = host.plugins["bad"]
    assert record.error
    assert (record.kinds, record.jobs, record.routes) == ([], [], [])
    assert host.jobs["nightly"].plugin_id == "good"
    assert host.manager.pm.get_plugin("bad") is None  # none of its hooks will be called
    assert host.manager.loaded["bad"].status == "error"


def test_builtins_fail_start_up_even_with_skip(settings_in: Any) -> None:
    clash = PluginSource(id="catalog", distribution="gantry-plugin-fake", version="1", obj=Plugin("catalog"))
    with pytest.raises(PluginLoadError, match="registered by two distributions: gantry-core and gantry-plugin-fake"):
        host_of(settings_in(plugins_on_error="skip"), clash)


# -- block and allow lists --------------------------------------------------------------------------------


def test_block_list_keeps_plugins_out_but_never_builtins(settings_in: Any) -> None:
    host = host_of(settings_in(plugins_block=["one", *BUILTINS]), Plugin("one"), Plugin("two"))
    assert list(host.plugins) == [*BUILTINS, "two"]
    assert host.kind("service") is not None


def test_allow_list_loads_only_the_listed_plugins_and_the_builtins(settings_in: Any) -> None:
    host = host_of(settings_in(plugins_allow=["two"]), Plugin("one"), Plugin("two"), Plugin("three"))
    assert list(host.plugins) == [*BUILTINS, "two"]


def test_a_blocked_plugin_is_not_even_imported(settings_in: Any) -> None:
    # A blocked plugin that would fail to load does not stop start-up: it is never loaded.
    source = PluginSource(id="bad", distribution="gantry-plugin-bad", version="1", obj=Misspelled())
    host = host_of(settings_in(plugins_block=["bad"]), source)
    assert "bad" not in host.plugins


# -- through the API ---------------------------------------------------------------------------------------


async def test_skipped_plugin_shows_in_the_api_with_status_error(gantry_harness: Harness) -> None:
    bad = PluginSource(id="typo", distribution="gantry-plugin-typo", version="0.3.0", obj=Misspelled())
    async with gantry_harness(plugins=[bad, Plugin("good")], plugins_on_error="skip") as gantry:
        client = await gantry.client("viewer")
        body = (await client.get("/api/v1/plugins")).json()
        by_id = {item["id"]: item for item in body["items"]}
        assert by_id["typo"]["status"] == "error"
        assert by_id["typo"]["distribution"] == "gantry-plugin-typo"
        assert by_id["typo"]["version"] == "0.3.0"
        assert "unknown hook 'gantry_registr_routes'" in by_id["typo"]["error"]
        assert by_id["good"]["status"] == "available"
        assert by_id["good"]["error"] is None
        assert by_id["catalog"]["status"] == "enabled" and by_id["catalog"]["builtin"] is True
        assert body["total"] == len(BUILTINS) + 2


async def test_lifespans_are_entered_in_order_and_exited_in_reverse(gantry_harness: Harness) -> None:
    seen: list[str] = []

    class WithLifespan:
        def __init__(self, plugin_id: str) -> None:
            self.plugin_id = plugin_id

        @hookimpl
        def gantry_plugin_manifest(self) -> PluginManifest:
            return PluginManifest(id=self.plugin_id, title=self.plugin_id)

        @hookimpl
        def gantry_lifespan(self, ctx: PluginContext) -> Any:
            @asynccontextmanager
            async def lifespan() -> AsyncIterator[None]:
                seen.append(f"enter:{ctx.plugin_id}")
                yield
                seen.append(f"exit:{ctx.plugin_id}")

            return lifespan()

    from gantry_core.app import create_app
    from gantry_core.testing import running

    settings = await gantry_harness.settings()
    plugins = [WithLifespan("first"), WithLifespan("second")]
    async with running(create_app(settings, plugins=plugins, autoload=False)) as gantry:
        assert seen == []  # not enabled yet
        await gantry.set_plugin_enabled("first")
        await gantry.set_plugin_enabled("second")
        assert seen == ["enter:first", "enter:second"]  # enabled while running: entered at once
    assert seen == ["enter:first", "enter:second", "exit:second", "exit:first"]
    seen.clear()
    async with running(create_app(settings, plugins=plugins, autoload=False)):
        assert seen == ["enter:first", "enter:second"]  # enabled at start-up: entered in load order
    assert seen == ["enter:first", "enter:second", "exit:second", "exit:first"]


def test_a_kind_whose_schema_is_not_valid_json_schema_is_refused(settings_in: Any) -> None:
    class BrokenSpec(BaseModel):
        model_config = ConfigDict(extra="forbid")

        size: int = Field(1, description="How big", json_schema_extra={"minimum": "zero"})

    class BrokenKind:
        @hookimpl
        def gantry_register_entity_kinds(self) -> list[EntityKind]:
            return [EntityKind(name="Gadget", plural="gadgets", spec_model=BrokenSpec, description="x")]

    source = PluginSource(id="broken", distribution="gantry-plugin-broken", version="1", obj=BrokenKind())
    with pytest.raises(PluginLoadError) as caught:
        host_of(settings_in(), source)
    assert str(caught.value).startswith(
        "plugin 'broken' (gantry-plugin-broken) failed to load: kind 'Gadget': invalid JSON Schema at "
        "/properties/spec/properties/size/minimum: "
    )
