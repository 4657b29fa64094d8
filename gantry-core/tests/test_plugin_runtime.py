"""The plugin runtime (issue: plugin runtime and actions; F92-F98, F157, F158, F161, F164): config with
encrypted secrets, enabling and disabling at run time, plugin routes, the UI manifest, sync jobs."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from gantry_core.db import tables
from gantry_core.plugins.config import REDACTED
from gantry_core.testing import Gantry, Harness, reference_plugin
from gantry_core.testing.reference_plugin import recorder
from sqlalchemy import func, select

PLUGIN = "/api/v1/plugins/reference"


@pytest.fixture(autouse=True)
def fresh_recorder() -> None:
    recorder.reset()


async def count(gantry: Gantry, table: Any, *where: Any) -> int:
    async with gantry.state.db.read() as conn:
        stmt = select(func.count()).select_from(table)
        if where:
            stmt = stmt.where(*where)
        return int((await conn.execute(stmt)).scalar_one())


async def stored_config(gantry: Gantry) -> Any:
    async with gantry.state.db.read() as conn:
        return (await conn.execute(select(tables.plugins.c.config).where(tables.plugins.c.id == "reference"))).scalar()


async def wait_runs(gantry: Gantry) -> None:
    await gantry.state.scheduler.wait_idle("reference")


async def test_config_secrets_are_encrypted_and_redacted(gantry_harness: Harness) -> None:
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        pe = await gantry.client("platform-engineer")
        assert (await pe.get(f"{PLUGIN}/config")).json() == {}
        bad = await pe.put(f"{PLUGIN}/config", json={"endpoint": 5, "surprise": True, "syncInterval": ["x"]})
        assert bad.status_code == 422
        assert {d["path"] for d in bad.json()["details"]} >= {"/endpoint", "/syncInterval"}
        assert await stored_config(gantry) is None

        saved = await pe.put(f"{PLUGIN}/config", json={"endpoint": "https://widgets.example", "token": "s3cret-tok"})
        assert saved.status_code == 200
        assert saved.json()["token"] == REDACTED
        assert (await pe.get(f"{PLUGIN}/config")).json()["token"] == REDACTED
        raw = await stored_config(gantry)
        assert "s3cret-tok" not in str(raw)
        assert set(raw["token"]) == {"$secret"}
        assert gantry.state.plugin_states.config_of("reference").token.get_secret_value() == "s3cret-tok"

        kept = await pe.put(f"{PLUGIN}/config", json={"endpoint": "https://other.example", "token": REDACTED})
        assert kept.status_code == 200
        config = gantry.state.plugin_states.config_of("reference")
        assert config.endpoint == "https://other.example"
        assert config.token.get_secret_value() == "s3cret-tok"

        replaced = await pe.put(f"{PLUGIN}/config", json={"token": "new-token"})
        assert replaced.status_code == 200
        assert gantry.state.plugin_states.config_of("reference").token.get_secret_value() == "new-token"

        developer = await gantry.client("developer")
        assert (await developer.get(f"{PLUGIN}/config")).status_code == 403
        assert (await developer.put(f"{PLUGIN}/config", json={})).status_code == 403
        assert (await pe.get("/api/v1/plugins/nope/config")).status_code == 404
        audits = await count(gantry, tables.audit_log, tables.audit_log.c.action == "plugin.configure")
        assert audits == 3


async def test_placeholder_without_a_stored_secret_is_refused(gantry_harness: Harness) -> None:
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        pe = await gantry.client("platform-engineer")
        response = await pe.put(f"{PLUGIN}/config", json={"token": REDACTED})
        assert response.status_code == 422
        assert response.json()["details"][0]["path"] == "/token"


async def test_enable_and_disable_take_effect_at_once(gantry_harness: Harness) -> None:
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        pe = await gantry.client("platform-engineer")
        viewer = await gantry.client("viewer")
        assert (await viewer.get(f"{PLUGIN}/widgets")).json()["code"] == "plugin_disabled"
        assert (await viewer.get("/api/v1/ui/manifest")).json()["items"] == []

        enabled = await pe.put(f"{PLUGIN}/enable", json={"enabled": True})
        assert enabled.status_code == 200 and enabled.json()["status"] == "enabled"
        assert recorder.lifespan == ["enter:reference"]
        assert (await viewer.get(f"{PLUGIN}/widgets")).status_code == 200
        manifest = (await viewer.get("/api/v1/ui/manifest")).json()["items"]
        assert manifest == [
            {
                "id": "reference-widgets-tab",
                "plugin": "reference",
                "slot": "entity.tab",
                "title": "Widgets",
                "renderer": "table",
                "component": None,
                "dataUrl": "/api/v1/plugins/reference/widgets",
                "when": {"kinds": ["Service"], "annotations": [], "specFields": []},
                "order": 100,
                "options": {},
            }
        ]
        await wait_runs(gantry)  # the job runs on enable

        disabled = await pe.put(f"{PLUGIN}/enable", json={"enabled": False})
        assert disabled.json()["status"] == "available"
        assert recorder.lifespan == ["enter:reference", "exit:reference"]
        assert (await viewer.get(f"{PLUGIN}/widgets")).status_code == 409
        assert (await viewer.get("/api/v1/ui/manifest")).json()["items"] == []
        assert (await pe.get(f"{PLUGIN}/config")).status_code == 200  # disabling keeps the config

        assert (await pe.put("/api/v1/plugins/catalog/enable", json={"enabled": False})).status_code == 409
        assert (await pe.put(f"{PLUGIN}/enable", json={"enabled": "yes please"})).status_code == 422
        assert (await pe.put(f"{PLUGIN}/enable", json={})).status_code == 422
        assert (
            await (await gantry.client("developer")).put(f"{PLUGIN}/enable", json={"enabled": True})
        ).status_code == 403


async def test_sync_upserts_idempotently_and_marks_orphans(gantry_harness: Harness) -> None:
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        pe = await gantry.client("platform-engineer")
        await pe.put(f"{PLUGIN}/config", json={"token": "tok"})
        await pe.put(f"{PLUGIN}/enable", json={"enabled": True})
        await wait_runs(gantry)
        assert recorder.configs[0].token.get_secret_value() == "tok"
        runs = (await pe.get(f"{PLUGIN}/sync-runs")).json()
        assert runs["total"] == 1
        first = runs["items"][0]
        assert (first["status"], first["created"], first["updated"], first["unchanged"], first["failed"]) == (
            "success",
            2,
            0,
            0,
            0,
        )
        assert first["job"] == "reference-widgets" and first["finishedAt"]
        alpha = (await pe.get("/api/v1/entities/widget/alpha")).json()
        assert alpha["metadata"]["managedBy"] == "reference"
        assert alpha["metadata"]["annotations"]["gantry.io/sync-job"] == "reference-widgets"
        audits = await count(gantry, tables.audit_log)

        again = await pe.post(f"{PLUGIN}/sync")
        assert again.status_code == 202
        run_id = again.json()["id"]
        await wait_runs(gantry)
        latest = (await pe.get(f"{PLUGIN}/sync-runs")).json()["items"][0]
        assert latest["id"] == run_id
        assert (latest["created"], latest["updated"], latest["unchanged"]) == (0, 0, 2)
        assert await count(gantry, tables.audit_log) == audits  # nothing written

        recorder.widgets = ["alpha"]
        await pe.post(f"{PLUGIN}/sync")
        await wait_runs(gantry)
        beta = (await pe.get("/api/v1/entities/widget/beta")).json()
        assert beta["metadata"]["annotations"]["gantry.io/orphaned"] == "true"
        async with gantry.state.db.read() as conn:
            source = (
                (
                    await conn.execute(
                        select(tables.audit_log.c.source)
                        .where(tables.audit_log.c.resource_name == "beta")
                        .order_by(tables.audit_log.c.id.desc())
                    )
                )
                .scalars()
                .first()
            )
        assert source == "plugin"

        recorder.widgets = ["alpha", "beta"]
        await pe.post(f"{PLUGIN}/sync")
        await wait_runs(gantry)
        beta = (await pe.get("/api/v1/entities/widget/beta")).json()
        assert "gantry.io/orphaned" not in beta["metadata"]["annotations"]


async def test_errors_are_recorded_and_never_take_the_server_down(gantry_harness: Harness) -> None:
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        pe = await gantry.client("platform-engineer")
        recorder.sync_error = "cluster east unreachable"
        recorder.widgets = ["alpha", "Not Valid"]
        await pe.put(f"{PLUGIN}/enable", json={"enabled": True})
        await wait_runs(gantry)
        run = (await pe.get(f"{PLUGIN}/sync-runs")).json()["items"][0]
        assert run["status"] == "partial"
        assert run["created"] == 1 and run["failed"] == 1
        assert "cluster east unreachable" in run["errors"]
        assert any(e.startswith("Widget/Not Valid") for e in run["errors"])

        recorder.sync_error = None
        recorder.widgets = []
        recorder.sync_raises = "the API exploded"
        await pe.post(f"{PLUGIN}/sync")
        await wait_runs(gantry)
        run = (await pe.get(f"{PLUGIN}/sync-runs")).json()["items"][0]
        assert run["status"] == "failed"
        assert run["errors"] == ["RuntimeError: the API exploded"]
        # a failed run marks no orphans
        assert "gantry.io/orphaned" not in (await pe.get("/api/v1/entities/widget/alpha")).json()["metadata"].get(
            "annotations", {}
        )
        assert (await gantry.anonymous().get("/readyz")).status_code == 200


async def test_sync_in_progress_and_cancel_on_disable(gantry_harness: Harness) -> None:
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        pe = await gantry.client("platform-engineer")
        recorder.sync_gate = asyncio.Event()
        await pe.put(f"{PLUGIN}/enable", json={"enabled": True})
        busy = await pe.post(f"{PLUGIN}/sync")
        assert busy.status_code == 409 and busy.json()["code"] == "sync_in_progress"
        await pe.put(f"{PLUGIN}/enable", json={"enabled": False})
        run = (await pe.get(f"{PLUGIN}/sync-runs")).json()["items"][0]
        assert run["status"] == "cancelled"
        refused = await pe.post(f"{PLUGIN}/sync")
        assert refused.status_code == 409 and refused.json()["code"] == "plugin_disabled"


async def test_a_wrong_encryption_key_puts_the_plugin_in_error(gantry_harness: Harness) -> None:
    settings = await gantry_harness.settings(plugins_on_error="skip")
    from gantry_core.app import create_app
    from gantry_core.testing import running

    async with running(create_app(settings, plugins=[reference_plugin], autoload=False)) as gantry:
        pe = await gantry.client("platform-engineer")
        await pe.put(f"{PLUGIN}/config", json={"token": "tok"})
        await pe.put(f"{PLUGIN}/enable", json={"enabled": True})
        await wait_runs(gantry)
    other = settings.model_copy(update={"encryption_key": type(settings.admin_password)("cd" * 32)})
    async with running(create_app(other, plugins=[reference_plugin], autoload=False)) as gantry:
        viewer = await gantry.client("viewer")
        items = {p["id"]: p for p in (await viewer.get("/api/v1/plugins")).json()["items"]}
        assert items["reference"]["status"] == "error"
        assert "cannot be decrypted" in items["reference"]["error"]
        assert (await viewer.get(f"{PLUGIN}/widgets")).status_code == 409
        assert (await gantry.anonymous().get("/readyz")).status_code == 200


async def test_plugin_static_files_are_served_safely(gantry_harness: Harness, tmp_path: Any) -> None:
    import types

    static = tmp_path / "static"
    static.mkdir()
    (static / "tab.js").write_text("export default function Tab() {}")
    (tmp_path / "secret.txt").write_text("nope")
    from gantry_core.plugins import PluginManifest, hookimpl

    plugin = types.SimpleNamespace()

    @hookimpl
    def gantry_plugin_manifest() -> PluginManifest:
        return PluginManifest(id="staticky", title="Static", static_dir=static)

    plugin.gantry_plugin_manifest = gantry_plugin_manifest
    async with gantry_harness(plugins=[plugin]) as gantry:
        client = gantry.anonymous()
        ok = await client.get("/plugins/staticky/static/tab.js")
        assert ok.status_code == 200 and "export default" in ok.text
        for path in (
            "/plugins/staticky/static/../secret.txt",
            "/plugins/staticky/static/%2e%2e/secret.txt",
            "/plugins/staticky/static/..%2fsecret.txt",
        ):
            assert "nope" not in (await client.get(path)).text, path
        assert (await client.get("/plugins/nobody/static/tab.js")).status_code == 404


@pytest.mark.postgres
async def test_two_replicas_on_one_postgresql_run_a_job_once(tmp_path: Any) -> None:
    """Enable on replica A: the change reaches B at once; POST /sync on both at the same moment starts
    the job once (the lease), and B's scheduler does not run it again within the interval."""
    import os

    import httpx
    from gantry_core.testing import throwaway_database
    from gantry_core.testing.distributions import write_distribution
    from gantry_core.testing.server import gantry_server

    site = write_distribution(
        tmp_path / "site", "gantry-plugin-reference", plugins={"reference": "gantry_core.testing.reference_plugin"}
    )
    env = {
        "GANTRY_ADMIN_PASSWORD": "replica-admin-pw",
        "GANTRY_JWT_SECRET": "ef" * 32,
        "GANTRY_ENCRYPTION_KEY": "12" * 32,
        "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
    }
    async with throwaway_database(tmp_path, "postgresql") as db:
        with gantry_server(tmp_path / "a", db=db, env=env) as a, gantry_server(tmp_path / "b", db=db, env=env) as b:
            token = httpx.post(
                f"{a.url}/api/v1/auth/login", json={"username": "admin", "password": "replica-admin-pw"}
            ).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            async with (
                httpx.AsyncClient(base_url=a.url, headers=headers) as ca,
                httpx.AsyncClient(base_url=b.url, headers=headers) as cb,
            ):
                assert (await cb.get(f"{PLUGIN}/widgets")).status_code == 409
                assert (await ca.put(f"{PLUGIN}/config", json={"token": "t", "syncInterval": "1h"})).status_code == 200
                assert (await ca.put(f"{PLUGIN}/enable", json={"enabled": True})).status_code == 200
                for _ in range(100):  # B hears about it through LISTEN/NOTIFY
                    if (await cb.get(f"{PLUGIN}/widgets")).status_code == 200:
                        break
                    await asyncio.sleep(0.05)
                assert (await cb.get(f"{PLUGIN}/widgets")).status_code == 200
                assert (await cb.get(f"{PLUGIN}/config")).json()["token"] == REDACTED
                for _ in range(100):
                    runs = (await ca.get(f"{PLUGIN}/sync-runs")).json()
                    if runs["items"] and runs["items"][0]["status"] != "running":
                        break
                    await asyncio.sleep(0.05)
                assert runs["total"] == 1  # the run on enable, on A only
                for _ in range(50):  # the first run's lease is released just after its status is recorded
                    both = await asyncio.gather(ca.post(f"{PLUGIN}/sync"), cb.post(f"{PLUGIN}/sync"))
                    statuses = sorted(r.status_code for r in both)
                    if statuses != [409, 409]:
                        break
                    await asyncio.sleep(0.1)
                assert statuses in ([202, 409], [202, 202]), statuses
                await asyncio.sleep(1.0)
                runs = (await cb.get(f"{PLUGIN}/sync-runs")).json()
                # Two POSTs at once: the lease lets one run at a time; a second may start after the first ended.
                assert runs["total"] == 1 + statuses.count(202)
                assert all(r["status"] in ("success", "running") for r in runs["items"])
                assert (await cb.put(f"{PLUGIN}/enable", json={"enabled": False})).status_code == 200
                for _ in range(100):
                    if (await ca.get(f"{PLUGIN}/widgets")).status_code == 409:
                        break
                    await asyncio.sleep(0.05)
                assert (await ca.get(f"{PLUGIN}/widgets")).status_code == 409
