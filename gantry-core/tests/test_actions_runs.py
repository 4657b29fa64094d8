"""Runs on a real `gantry serve`: run.created / run.updated on the WebSocket `runs` channel (F89), across
two replicas on one PostgreSQL, and a run left `running` by a killed server failed at the next start."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from gantry_core.actions.runs import INTERRUPTED
from gantry_core.testing import throwaway_database
from gantry_core.testing.server import gantry_server
from websockets.asyncio.client import connect

PASSWORD = "runs-admin-password"
SECRET = "cd" * 32
ENV = {"GANTRY_ADMIN_PASSWORD": PASSWORD, "GANTRY_JWT_SECRET": SECRET, "GANTRY_WEBHOOK_ALLOW_PRIVATE": "true"}


def new_service_action(**permissions: Any) -> dict[str, Any]:
    return {
        "apiVersion": "gantry.io/v1",
        "kind": "Action",
        "metadata": {"name": "new-service"},
        "spec": {
            "type": "internal",
            "inputs": [{"name": "name", "required": True}, {"name": "notes", "type": "textarea"}],
            "config": {
                "operation": "catalog.apply",
                "template": {"kind": "Service", "metadata": {"name": "${inputs.name}"}, "spec": {"type": "backend"}},
            },
            "permissions": permissions,
        },
    }


def login(url: str, username: str = "admin", password: str = PASSWORD) -> dict[str, str]:
    response = httpx.post(f"{url}/api/v1/auth/login", json={"username": username, "password": password})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def add_developer(url: str, admin: dict[str, str], username: str) -> dict[str, str]:
    password = f"{username}-password-123"
    body = {"username": username, "password": password, "displayName": username, "email": f"{username}@example.com"}
    created = httpx.post(f"{url}/api/v1/auth/register", json=body, headers=admin)
    created.raise_for_status()
    httpx.put(f"{url}/api/v1/auth/users/{created.json()['id']}", json={"role": "developer"}, headers=admin)
    return login(url, username, password)


async def next_message(ws: Any, type_: str) -> dict[str, Any]:
    while True:
        message = orjson.loads(await asyncio.wait_for(ws.recv(), timeout=15))
        if message["type"] == type_:
            return message  # type: ignore[no-any-return]


def ws_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://") + "/api/v1/ws"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (into the backlog) and never answers: a webhook there hangs."""
    with socket.create_server(("127.0.0.1", 0), backlog=16) as server:
        yield int(server.getsockname()[1])


async def test_runs_are_published_on_the_runs_channel(tmp_path: Path, gantry_backend: str) -> None:
    async with throwaway_database(tmp_path, gantry_backend) as db:
        with gantry_server(tmp_path / "data", db=db, env=ENV) as server:
            admin = login(server.url)
            developer = add_developer(server.url, admin, "dev")
            async with (
                connect(ws_url(server.url), additional_headers=admin) as ws,
                httpx.AsyncClient(base_url=server.url) as client,
            ):
                await ws.send('{"action": "subscribe", "channel": "runs"}')
                await next_message(ws, "subscribed")
                action = new_service_action()
                assert (await client.post("/api/v1/entities", json=action, headers=admin)).status_code == 201
                started = await client.post(
                    "/api/v1/actions/new-service/execute", json={"inputs": {"name": "live"}}, headers=developer
                )
                assert started.status_code == 201
                created = (await next_message(ws, "run.created"))["payload"]
                assert (created["id"], created["status"], created["triggeredBy"]) == (
                    started.json()["id"],
                    "running",
                    "dev",
                )
                updated = (await next_message(ws, "run.updated"))["payload"]
                assert (updated["id"], updated["status"]) == (created["id"], "success")
                assert updated["output"]["ref"] == "service/live"

                gated = new_service_action(requireApproval=True, approvers=["admin"])
                gated["metadata"]["name"] = "gated"
                assert (await client.post("/api/v1/entities", json=gated, headers=admin)).status_code == 201
                pending = await client.post(
                    "/api/v1/actions/gated/execute", json={"inputs": {"name": "later"}}, headers=developer
                )
                assert (await next_message(ws, "run.created"))["payload"]["status"] == "pending"
                approve = await client.post(f"/api/v1/actions/runs/{pending.json()['id']}/approve", headers=admin)
                assert approve.status_code == 200
                running = (await next_message(ws, "run.updated"))["payload"]
                assert (running["status"], running["approvedBy"]) == ("running", "admin")
                assert (await next_message(ws, "run.updated"))["payload"]["status"] == "success"


async def test_a_run_of_a_killed_server_is_failed_at_the_next_start(tmp_path: Path, silent_port: int) -> None:
    """SQLite serves one process: a `running` run found at start-up was interrupted (on PostgreSQL the
    run's lease must lapse first, see test_actions_execute)."""
    hook = {
        "apiVersion": "gantry.io/v1",
        "kind": "Action",
        "metadata": {"name": "slow-hook"},
        "spec": {"type": "webhook", "config": {"url": f"http://127.0.0.1:{silent_port}/", "timeout": 60}},
    }
    with gantry_server(tmp_path / "data", env=ENV) as server:
        admin = login(server.url)
        assert httpx.post(f"{server.url}/api/v1/entities", json=hook, headers=admin).status_code == 201
        run = httpx.post(f"{server.url}/api/v1/actions/slow-hook/execute", json={}, headers=admin).json()
        assert run["status"] == "running"
        server.kill()
    with gantry_server(tmp_path / "data", env=ENV) as again:
        after = httpx.get(f"{again.url}/api/v1/actions/slow-hook/runs/{run['id']}", headers=login(again.url)).json()
    assert (after["status"], after["error"]) == ("failed", INTERRUPTED)
    assert after["finishedAt"] is not None


@pytest.mark.postgres
async def test_replicas_see_each_others_runs(tmp_path: Path) -> None:
    async with throwaway_database(tmp_path, "postgresql") as db:
        with gantry_server(tmp_path / "a", db=db, env=ENV) as a, gantry_server(tmp_path / "b", db=db, env=ENV) as b:
            admin = login(a.url)
            async with connect(ws_url(b.url), additional_headers=admin) as ws:
                await ws.send('{"action": "subscribe", "channel": "runs"}')
                await next_message(ws, "subscribed")
                async with httpx.AsyncClient(base_url=a.url, headers=admin) as client:
                    assert (await client.post("/api/v1/entities", json=new_service_action())).status_code == 201
                    notes = "n" * 9000  # too big for one NOTIFY: replicas re-read the run
                    started = await client.post(
                        "/api/v1/actions/new-service/execute", json={"inputs": {"name": "far", "notes": notes}}
                    )
                    assert started.status_code == 201
                created = (await next_message(ws, "run.created"))["payload"]
                assert (created["id"], created["inputs"]["notes"]) == (started.json()["id"], notes)
                updated = (await next_message(ws, "run.updated"))["payload"]
                assert (updated["id"], updated["status"]) == (created["id"], "success")
