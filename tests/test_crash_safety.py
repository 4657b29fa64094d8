"""Killing the server (SIGKILL) during batch applies leaves every chunk either fully applied or not at all
(issue: the catalog, §12): each POST /apply is one transaction."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from gantry_core.testing import throwaway_database
from gantry_core.testing.server import gantry_server

PASSWORD = "crash-admin-password"
CHUNK = 1000


def chunk(i: int) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "gantry.io/v1",
            "kind": "Team",
            "metadata": {"name": f"c{i}-team-{j}", "labels": {"chunk": str(i)}, "description": "x" * 200},
            "spec": {"members": [{"name": f"m{j}", "email": f"m{j}@example.com"}]},
        }
        for j in range(CHUNK)
    ]


async def test_sigkill_during_batch_apply_never_leaves_half_a_chunk(tmp_path: Path, gantry_backend: str) -> None:
    env = {"GANTRY_ADMIN_PASSWORD": PASSWORD, "GANTRY_JWT_SECRET": "ab" * 32}
    async with throwaway_database(tmp_path, gantry_backend) as db:
        with gantry_server(tmp_path / "data", db=db, env=env) as server:
            token = httpx.post(
                f"{server.url}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD}
            ).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            sent: list[int] = []
            stop = threading.Event()

            def writer() -> None:
                with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
                    for i in range(40):
                        if stop.is_set():
                            return
                        sent.append(i)
                        try:
                            client.post("/api/v1/apply", json={"entities": chunk(i)})
                        except httpx.HTTPError:
                            return

            thread = threading.Thread(target=writer)
            thread.start()
            deadline = time.monotonic() + 30
            while len(sent) < 4 and time.monotonic() < deadline:  # a few chunks in, mid-way through one
                time.sleep(0.02)
            time.sleep(0.15)
            server.kill(signal.SIGKILL)
            stop.set()
            thread.join(timeout=30)
        with gantry_server(tmp_path / "data", db=db, env=env) as again:
            headers = {
                "Authorization": "Bearer "
                + httpx.post(f"{again.url}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD}).json()[
                    "token"
                ]
            }
            counts = {}
            for i in sent:
                body = httpx.get(f"{again.url}/api/v1/entities/team?label=chunk={i}&limit=1", headers=headers).json()
                counts[i] = body["total"]
            search = httpx.get(f"{again.url}/api/v1/search?q=team", headers=headers).json()
    assert all(n in (0, CHUNK) for n in counts.values()), counts
    assert any(n == CHUNK for n in counts.values()), counts  # the kill came after some chunks landed
    assert search["total"] == sum(counts.values())  # the search index matches the rows: same transaction
