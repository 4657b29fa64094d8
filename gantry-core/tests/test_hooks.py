"""One test per hook (`test_hook_<name>`, required by tests/test_hook_docs.py): the core does with each hook
what docs/plugin-hooks.md says it does today, shown with gantry_core.testing.reference_plugin."""

from __future__ import annotations

from typing import Any

import pytest
from gantry_core.app import create_app
from gantry_core.testing import Harness, reference_plugin, running

recorder = reference_plugin.recorder
PLUGINS_URL = "/api/v1/plugins"
WIDGETS = "/api/v1/plugins/reference/widgets"


@pytest.fixture(autouse=True)
def fresh_recorder() -> None:
    recorder.reset()


def widget(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "gantry.io/v1", "kind": "Widget", "metadata": {"name": name}, "spec": spec}


async def reference_record(client: Any) -> dict[str, Any]:
    items = (await client.get(PLUGINS_URL)).json()["items"]
    record: dict[str, Any] = next(item for item in items if item["id"] == "reference")
    return record


async def test_hook_gantry_plugin_manifest(gantry_harness: Harness) -> None:
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        client = await gantry.client("viewer")
        record = await reference_record(client)
        single = (await (await gantry.client("platform-engineer")).get(f"{PLUGINS_URL}/reference")).json()
    assert single == record
    assert record["title"] == "Reference"
    assert record["description"] == "Implements every hook; used by the contract tests"
    assert record["version"] == "1.0.0"
    assert record["distribution"] == "<reference>"
    assert record["category"] == "testing"
    assert (record["status"], record["builtin"], record["error"]) == ("available", False, None)
    schema = record["configSchema"]
    assert schema == reference_plugin.ReferenceConfig.model_json_schema()
    assert set(schema["properties"]) == {"endpoint", "token", "syncInterval"}
    assert schema["properties"]["endpoint"]["description"] == "Where widgets come from"


async def test_hook_gantry_register_entity_kinds(gantry_harness: Harness) -> None:
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        client = await gantry.client("developer")
        listed = {item["kind"]: item for item in (await client.get("/api/v1/schemas")).json()["items"]}
        assert listed["Widget"]["plugin"] == "reference"
        assert listed["Service"]["plugin"] == "catalog"
        for alias in ("widget", "WIDGETS", "Wd"):
            response = await client.get(f"/api/v1/schemas/{alias}")
            assert response.status_code == 200
            assert response.json()["kind"] == "Widget"
        schema = listed["Widget"]["schema"]
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["properties"]["spec"]["additionalProperties"] is False
        assert (await reference_record(client))["kinds"] == ["Widget"]

        # The catalog validates writes of the kind against its schema, reporting every failing path ...
        refused = await client.post("/api/v1/entities", json=widget("alpha", size=0, colour="red"))
        assert refused.status_code == 422
        paths = {d["path"] for d in refused.json()["details"]}
        assert {"/spec/size", "/spec/colour"} <= paths
        # ... stores valid ones although the plugin is not enabled, and turns references into relations.
        created = await client.post("/api/v1/entities", json=widget("alpha", size=3, partOf="checkout"))
        assert created.status_code == 201, created.text
        graph = (await client.get("/api/v1/graph/widget/alpha")).json()
        assert {"from": "widget/alpha", "to": "service/checkout", "type": "partOf"} in graph["edges"]


async def test_hook_gantry_register_routes(gantry_harness: Harness) -> None:
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        viewer = await gantry.client("viewer")
        developer = await gantry.client("developer")
        anonymous = gantry.anonymous()
        assert (await reference_record(viewer))["routes"] == [
            {"method": "GET", "path": "/api/v1/plugins/reference/widgets"},
            {"method": "POST", "path": "/api/v1/plugins/reference/widgets/poke"},
            {"method": "GET", "path": "/api/v1/plugins/reference/info"},
        ]
        openapi = (await anonymous.get("/api/openapi.json")).json()
        assert openapi["paths"][WIDGETS]["get"]["tags"] == ["plugin:reference"]

        # Not enabled: callers the route admits get 409 plugin_disabled; the role check still comes first.
        for client, method, url in (
            (viewer, "GET", WIDGETS),
            (developer, "POST", f"{WIDGETS}/poke"),
            (anonymous, "GET", "/api/v1/plugins/reference/info"),
        ):
            response = await client.request(method, url)
            assert response.status_code == 409
            assert response.json() == {"error": "plugin 'reference' is not enabled", "code": "plugin_disabled"}
        assert (await anonymous.get(WIDGETS)).status_code == 401
        assert (await viewer.post(f"{WIDGETS}/poke")).status_code == 403

        await gantry.set_plugin_enabled("reference")
        assert (await reference_record(viewer))["status"] == "enabled"
        listed = await viewer.get(WIDGETS)
        assert listed.status_code == 200
        assert [w["name"] for w in listed.json()["items"]] == ["alpha", "beta"]
        assert (await anonymous.get(WIDGETS)).status_code == 401
        assert (await viewer.post(f"{WIDGETS}/poke")).json()["code"] == "forbidden"
        assert (await developer.post(f"{WIDGETS}/poke")).json() == {"poked": "yes"}
        assert (await anonymous.get("/api/v1/plugins/reference/info")).json() == {"plugin": "reference"}

        await gantry.set_plugin_enabled("reference", enabled=False)
        assert (await viewer.get(WIDGETS)).status_code == 409


async def test_hook_gantry_register_sync_jobs(gantry_harness: Harness) -> None:
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        record = await reference_record(await gantry.client("viewer"))
        job = gantry.state.host.jobs["reference-widgets"]
    assert record["jobs"] == ["reference-widgets"]
    assert job.plugin_id == "reference"
    assert job.value.run is reference_plugin.sync_widgets


async def test_hook_gantry_register_action_types(gantry_harness: Harness) -> None:
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        record = await reference_record(await gantry.client("viewer"))
        action_type = gantry.state.host.action_types["reference-echo"]
    assert record["actionTypes"] == ["reference-echo"]
    assert action_type.plugin_id == "reference"
    assert action_type.value.execute is reference_plugin.execute_echo


async def test_hook_gantry_register_ui_extensions(gantry_harness: Harness) -> None:
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        record = await reference_record(await gantry.client("viewer"))
        extension = gantry.state.host.ui_extensions["reference-widgets-tab"]
    assert record["uiExtensions"] == ["reference-widgets-tab"]
    assert extension.plugin_id == "reference"
    assert (extension.value.slot, extension.value.renderer) == ("entity.tab", "table")


async def test_hook_gantry_lifespan(gantry_harness: Harness) -> None:
    recorder.lifespan.clear()
    settings = await gantry_harness.settings()
    async with running(create_app(settings, plugins=[reference_plugin], autoload=False)) as gantry:
        assert recorder.lifespan == []  # installed but not enabled: not entered
        await gantry.set_plugin_enabled("reference")
        assert recorder.lifespan == ["enter:reference"]  # enabled while running: entered at once
        await gantry.set_plugin_enabled("reference", False)
        assert recorder.lifespan == ["enter:reference", "exit:reference"]  # disabled: exited at once
        await gantry.set_plugin_enabled("reference")
    assert recorder.lifespan == ["enter:reference", "exit:reference"] * 2  # exited at shutdown

    recorder.lifespan.clear()
    async with running(create_app(settings, plugins=[reference_plugin], autoload=False)):
        assert recorder.lifespan == ["enter:reference"]  # enabled at start-up: entered
    assert recorder.lifespan == ["enter:reference", "exit:reference"]


async def test_hook_gantry_on_entity_event(gantry_harness: Harness) -> None:
    recorder.events.clear()
    recorder.event_plugin_ids.clear()
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        client = await gantry.client("developer", username="dana")
        assert (await client.post("/api/v1/entities", json=widget("early", size=1))).status_code == 201
        assert recorder.events == []  # not enabled: not called

        recorder.widgets = []  # the sync job that runs on enable reports nothing
        await gantry.set_plugin_enabled("reference")
        await gantry.state.scheduler.wait_idle("reference")
        assert (await client.post("/api/v1/entities", json=widget("alpha", size=1))).status_code == 201
        assert (await client.put("/api/v1/entities/widget/alpha", json=widget("alpha", size=2))).status_code == 200
        assert (await client.delete("/api/v1/entities/widget/alpha")).status_code == 204

        recorder.fail_next = True  # a failing hook is logged; the write stays committed
        assert (await client.post("/api/v1/entities", json=widget("beta", size=1))).status_code == 201
        assert (await client.get("/api/v1/entities/widget/beta")).status_code == 200

    seen = [(e.type, e.kind, e.namespace, e.name, e.actor) for e in recorder.events]
    assert seen == [
        ("entity.created", "Widget", "default", "alpha", "dana"),
        ("entity.updated", "Widget", "default", "alpha", "dana"),
        ("entity.deleted", "Widget", "default", "alpha", "dana"),
    ]
    created, updated, deleted = recorder.events
    assert created.entity is not None and created.entity["spec"]["size"] == 1
    assert updated.entity is not None and updated.entity["spec"]["size"] == 2
    assert deleted.entity is None
    assert recorder.event_plugin_ids == ["reference"] * 3
