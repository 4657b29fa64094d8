"""Live events: the WebSocket protocol against a real server, slow clients, plugin hooks, and two
replicas on one PostgreSQL database seeing each other's writes (F7, F89, F164)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from gantry_core.events import ws as ws_module
from gantry_core.testing import Gantry, Harness, reference_plugin, throwaway_database
from gantry_core.testing.server import gantry_server
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

PASSWORD = "events-admin-password"
SECRET = "ab" * 32


def team(name: str) -> dict[str, Any]:
    return {"apiVersion": "gantry.io/v1", "kind": "Team", "metadata": {"name": name}, "spec": {}}


def login(url: str) -> str:
    response = httpx.post(f"{url}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
    response.raise_for_status()
    return str(response.json()["token"])


async def next_message(ws: Any, type_: str) -> dict[str, Any]:
    while True:
        message = orjson.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        if message["type"] == type_:
            return message  # type: ignore[no-any-return]


def ws_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://") + "/api/v1/ws"


async def test_websocket_protocol(tmp_path: Path, gantry_backend: str) -> None:
    async with throwaway_database(tmp_path, gantry_backend) as db:
        with gantry_server(tmp_path / "data", db=db, env={"GANTRY_ADMIN_PASSWORD": PASSWORD}) as server:
            token = login(server.url)
            headers = {"Authorization": f"Bearer {token}"}
            with pytest.raises(InvalidStatus):
                async with connect(ws_url(server.url)):
                    pass
            with pytest.raises(InvalidStatus):
                async with connect(ws_url(server.url) + f"?token={token}"):
                    pass
            async with connect(ws_url(server.url), additional_headers=headers) as ws:
                await ws.send('{"action": "ping"}')
                assert await next_message(ws, "pong") == {"type": "pong"}
                await ws.send('{"action": "subscribe", "channel": "nope"}')
                assert "unknown channel" in (await next_message(ws, "error"))["payload"]["message"]
                await ws.send("not json")
                await next_message(ws, "error")
                await ws.send('{"type": "subscribe", "channel": "entities"}')
                await next_message(ws, "subscribed")
                async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
                    assert (await client.post("/api/v1/entities", json=team("payments"))).status_code == 201
                    created = await next_message(ws, "entity.created")
                    assert created["payload"]["metadata"]["name"] == "payments"
                    await client.put(
                        "/api/v1/entities/team/payments", json={**team("payments"), "spec": {"slackChannel": "#pay"}}
                    )
                    updated = await next_message(ws, "entity.updated")
                    assert updated["payload"]["spec"]["slackChannel"] == "#pay"
                    await client.delete("/api/v1/entities/team/payments")
                    deleted = await next_message(ws, "entity.deleted")
                    assert deleted["payload"] == {"kind": "Team", "namespace": "default", "name": "payments"}
                    await ws.send('{"action": "unsubscribe", "channel": "entities"}')
                    await next_message(ws, "unsubscribed")
                    await client.post("/api/v1/entities", json=team("quiet"))
                    await ws.send('{"action": "ping"}')
                    assert await next_message(ws, "pong") == {"type": "pong"}  # no entity event came first


async def test_cookie_websocket_needs_same_origin(tmp_path: Path) -> None:
    with gantry_server(tmp_path / "data", env={"GANTRY_ADMIN_PASSWORD": PASSWORD}) as server:
        response = httpx.post(f"{server.url}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
        cookie = f"gantry_session={response.cookies['gantry_session']}"
        host = server.url.removeprefix("http://")
        with pytest.raises(InvalidStatus):
            async with connect(ws_url(server.url), additional_headers={"Cookie": cookie}, origin="http://evil.example"):  # type: ignore[arg-type]
                pass
        async with connect(ws_url(server.url), additional_headers={"Cookie": cookie}, origin=f"http://{host}") as ws:  # type: ignore[arg-type]
            await ws.send('{"action": "ping"}')
            assert await next_message(ws, "pong") == {"type": "pong"}


async def test_a_slow_client_is_dropped_without_blocking_others() -> None:
    class StuckSocket:
        """A peer that never reads: every send waits forever."""

        closed_with: int | None = None

        async def send_text(self, _: str) -> None:
            await asyncio.Event().wait()

        async def close(self, code: int = 1000, reason: str = "") -> None:
            self.closed_with = code

    stuck = StuckSocket()
    queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=ws_module.QUEUE_LIMIT)
    dropped = asyncio.Event()
    sender = asyncio.create_task(ws_module._send_loop(stuck, queue, dropped))  # type: ignore[arg-type]
    for i in range(ws_module.QUEUE_LIMIT + 5):
        try:
            queue.put_nowait(b"{}")
        except asyncio.QueueFull:
            dropped.set()
            break
        await asyncio.sleep(0) if i == 0 else None
    await asyncio.wait_for(sender, timeout=5)
    assert dropped.is_set()
    assert stuck.closed_with == 4408


async def test_plugins_hear_committed_writes_and_their_failures_change_nothing(gantry_harness: Harness) -> None:
    reference_plugin.recorder.events.clear()
    async with gantry_harness(plugins=[reference_plugin]) as gantry:
        await enable(gantry, "reference")
        client = await gantry.client("developer")
        assert (await client.post("/api/v1/entities", json=team("payments"))).status_code == 201
        assert [(e.type, e.name) for e in reference_plugin.recorder.events] == [("entity.created", "payments")]
        reference_plugin.recorder.fail_next = True
        assert (await client.delete("/api/v1/entities/team/payments")).status_code == 204
        assert (await client.get("/api/v1/entities/team/payments")).status_code == 404


async def enable(gantry: Gantry, plugin_id: str) -> None:
    from datetime import UTC, datetime

    from gantry_core.db.tables import plugins
    from sqlalchemy import insert

    async with gantry.state.db.write() as conn:
        await conn.execute(insert(plugins).values(id=plugin_id, enabled=True, config={}, updated_at=datetime.now(UTC)))
    async with gantry.state.db.read() as conn:
        await gantry.state.plugin_states.refresh(conn)


@pytest.mark.postgres
async def test_installations_in_two_schemas_of_one_database_hear_only_their_own_events(tmp_path: Path) -> None:
    harness = Harness(tmp_path, backend="postgresql")
    try:
        async with harness() as one, harness() as two:
            heard: dict[str, list[str]] = {"one": [], "two": []}
            for label, gantry in (("one", one), ("two", two)):
                gantry.state.bus.subscribe(lambda e, label=label: heard[label].append(e.payload["metadata"]["name"]))
            assert (await (await one.client()).post("/api/v1/entities", json=team("in-one"))).status_code == 201
            assert (await (await two.client()).post("/api/v1/entities", json=team("in-two"))).status_code == 201
            for _ in range(100):
                if heard["one"] and heard["two"]:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)  # anything crossing over would have arrived by now
            assert heard == {"one": ["in-one"], "two": ["in-two"]}
    finally:
        await harness.aclose()


@pytest.mark.postgres
async def test_two_replicas_on_one_postgresql_see_each_others_writes(tmp_path: Path) -> None:
    env = {"GANTRY_ADMIN_PASSWORD": PASSWORD, "GANTRY_JWT_SECRET": SECRET}
    async with throwaway_database(tmp_path, "postgresql") as db:
        with gantry_server(tmp_path / "a", db=db, env=env) as a, gantry_server(tmp_path / "b", db=db, env=env) as b:
            token = login(a.url)  # one secret: a token from replica A works on B
            headers = {"Authorization": f"Bearer {token}"}
            async with connect(ws_url(b.url), additional_headers=headers) as ws:
                await ws.send('{"action": "subscribe", "channel": "entities"}')
                await next_message(ws, "subscribed")
                async with httpx.AsyncClient(base_url=a.url, headers=headers) as client:
                    assert (await client.post("/api/v1/entities", json=team("from-a"))).status_code == 201
                    big = team("big-one")
                    big["metadata"]["description"] = "x" * 9000  # too big for one NOTIFY: sent as a reference
                    assert (await client.post("/api/v1/entities", json=big)).status_code == 201
                first = await next_message(ws, "entity.created")
                assert first["payload"]["metadata"]["name"] == "from-a"
                second = await next_message(ws, "entity.created")
                assert second["payload"]["metadata"]["description"] == "x" * 9000
                # a batch's events go out in one NOTIFY round trip and all arrive, in order but for the one
                # sent as a reference, which the receiver re-reads first
                batch = [team(f"batch-{i:02}") for i in range(40)]
                batch[7]["metadata"]["description"] = "y" * 9000  # one of them as a reference
                async with httpx.AsyncClient(base_url=a.url, headers=headers) as client:
                    applied = await client.post("/api/v1/apply", json={"entities": batch})
                    assert applied.json()["summary"]["created"] == 40
                heard = [(await next_message(ws, "entity.created"))["payload"]["metadata"] for _ in batch]
                names = [m["name"] for m in heard]
                assert sorted(names) == [f"batch-{i:02}" for i in range(40)]
                assert [n for n in names if n != "batch-07"] == [f"batch-{i:02}" for i in range(40) if i != 7]
                assert next(m for m in heard if m["name"] == "batch-07")["description"] == "y" * 9000


async def test_connection_closed_is_a_normal_end(tmp_path: Path) -> None:
    with gantry_server(tmp_path / "data", env={"GANTRY_ADMIN_PASSWORD": PASSWORD}) as server:
        token = login(server.url)
        ws = await connect(ws_url(server.url), additional_headers={"Authorization": f"Bearer {token}"})
        await ws.close()
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        assert httpx.get(f"{server.url}/healthz").status_code == 200
