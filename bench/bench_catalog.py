"""Catalog benchmarks at 10k and 100k entities (issue: the catalog, §11). Not a test: prints figures.

    python bench/bench_catalog.py [--sizes 10000,100000] [--postgres URL]

Every throughput figure is printed beside the floor (bare Starlette + the same driver doing the same
primary-key lookup on the same database) measured in the same run, and as a ratio to it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).parent))
from gantry_core.testing.server import free_port, gantry_server
from generate import WORDS, catalog
from loadgen import Result, hammer, sequential

PASSWORD = "bench-admin-password"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def token_for(url: str) -> str:
    response = httpx.post(f"{url}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
    response.raise_for_status()
    return str(response.json()["token"])


async def load(url: str, headers: dict[str, str], n: int) -> tuple[float, list[dict[str, Any]]]:
    """POST /apply in batches of 1,000 with two requests in flight (as `gantry apply` does)."""
    docs = list(catalog(n))
    bodies = [orjson.dumps({"entities": docs[i : i + 1000]}) for i in range(0, len(docs), 1000)]
    queue = list(reversed(bodies))
    started = time.perf_counter()

    async def sender(client: httpx.AsyncClient) -> None:
        while queue:
            body = queue.pop()
            response = await client.post("/api/v1/apply", content=body, headers={"Content-Type": "application/json"})
            response.raise_for_status()
            failed = response.json()["summary"]["failed"]
            if failed:
                raise RuntimeError(f"{failed} entities failed: {response.text[:500]}")

    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as client:
        await asyncio.gather(sender(client), sender(client))
    return len(docs) / (time.perf_counter() - started), docs


async def ws_latency(url: str, headers: dict[str, str], services: list[dict[str, Any]], rounds: int = 200) -> Result:
    from websockets.asyncio.client import connect

    latencies = []
    async with connect(url.replace("http://", "ws://") + "/api/v1/ws", additional_headers=headers) as ws:
        await ws.send('{"action":"subscribe","channel":"entities"}')
        await ws.recv()
        async with httpx.AsyncClient(base_url=url, headers=headers) as client:
            for i in range(rounds):
                doc = dict(services[i % len(services)])
                doc["metadata"] = {**doc["metadata"], "description": f"bench edit {i} {time.time()}"}
                started = time.perf_counter()
                response = await client.put(f"/api/v1/entities/service/{doc['metadata']['name']}", json=doc)
                response.raise_for_status()
                while True:
                    message = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
                    if (
                        message["type"] == "entity.updated"
                        and message["payload"]["metadata"]["description"] == doc["metadata"]["description"]
                    ):
                        break
                latencies.append(time.perf_counter() - started)
    return Result(len(latencies), sum(latencies), 0, latencies)


async def measure(url: str, pid: int, db: str, n: int, figures: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {token_for(url)}"}
    rate, docs = await load(url, headers, n)
    figures["apply entities/s"] = rate
    services = [d for d in docs if d["kind"] == "Service"]
    rng = random.Random(1)
    sample = rng.sample(services, min(500, len(services)))
    get_paths = [f"/api/v1/entities/service/{d['metadata']['name']}" for d in sample]
    floor_paths = [f"/entities/Service/{d['metadata']['name']}" for d in sample]

    await hammer(url, get_paths, headers=headers, total=1000)  # warm up
    gantry = await hammer(url, get_paths, headers=headers, total=8000)
    floor_port = free_port()
    floor = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "floor.py"), "--db", db, "--port", str(floor_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        floor_url = f"http://127.0.0.1:{floor_port}"
        for _ in range(100):
            try:
                if httpx.get(floor_url + floor_paths[0]).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        await hammer(floor_url, floor_paths, total=1000)
        base = await hammer(floor_url, floor_paths, total=8000)
    finally:
        floor.terminate()
        floor.wait()
    figures["GET entity req/s"] = gantry.rps
    figures["floor req/s"] = base.rps
    figures["GET entity / floor"] = gantry.rps / base.rps
    owners = sorted({d["metadata"].get("owner") for d in services if d["metadata"].get("owner")})
    lists = [f"/api/v1/entities?kind=service&owner={o}&limit=50" for o in owners[:200]]
    figures["list kind+owner p95 ms"] = (await sequential(url, lists, headers=headers, rounds=2)).p95_ms
    # the same 200 queries at every size (their own generator), so that sizes compare like with like
    words = random.Random(2)
    queries = [f"/api/v1/search?q={words.choice(WORDS)}%20{words.choice(WORDS)[:3]}" for _ in range(200)]
    figures["search p95 ms"] = (await sequential(url, queries, headers=headers, rounds=2)).p95_ms
    facets = [
        f"/api/v1/facets?fields=owner,tag,lifecycle&kind=service&tag={t}"
        for t in ("python", "go", "java", "tier-1", "tier-2")
    ] + ["/api/v1/facets?fields=owner,tag,kind,lifecycle"]
    figures["facets p95 ms"] = (await sequential(url, facets, headers=headers, rounds=10)).p95_ms
    graphs = [f"/api/v1/graph/service/{d['metadata']['name']}?depth=2" for d in sample[:200]]
    figures["graph depth 2 p95 ms"] = (await sequential(url, graphs, headers=headers)).p95_ms
    figures["write→WebSocket p95 ms"] = (await ws_latency(url, headers, services)).p95_ms
    figures["server RSS MB"] = rss_mb(pid)


def run(sizes: list[int], postgres: str | None) -> None:
    from gantry_core.testing import throwaway_database

    results: dict[str, dict[int, dict[str, Any]]] = {}
    backends = [("sqlite", None)] + ([("postgresql", postgres)] if postgres else [])
    for backend, _ in backends:
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:

                async def one(tmp: str = tmp, n: int = n, backend: str = backend) -> dict[str, Any]:
                    if backend == "postgresql":
                        os.environ["GANTRY_TEST_DATABASE_URL"] = postgres or ""
                    async with throwaway_database(Path(tmp), backend) as db:
                        env = {"GANTRY_ADMIN_PASSWORD": PASSWORD}
                        with gantry_server(Path(tmp) / "data", db=db, env=env) as server:
                            figures: dict[str, Any] = {}
                            floor_db = db if backend == "postgresql" else str(Path(tmp) / "gantry.db")
                            if backend == "postgresql":
                                from gantry_core.db.engine import async_url, asyncpg_dsn

                                dsn, settings = asyncpg_dsn(async_url(db))
                                floor_db = (
                                    dsn
                                    + ("&" if "?" in dsn else "?")
                                    + "options="
                                    + f"-csearch_path%3D{settings['search_path'].split(',')[0]}"
                                )
                            await measure(server.url, server.process.pid, floor_db, n, figures)
                            return figures

                print(f"measuring {backend} at {n:,} entities …", file=sys.stderr, flush=True)
                results.setdefault(backend, {})[n] = asyncio.run(one())
    for backend, by_size in results.items():
        print(f"\n## {backend}")
        keys = list(next(iter(by_size.values())))
        print("| figure | " + " | ".join(f"{n:,}" for n in by_size) + " |")
        print("|---|" + "---|" * len(by_size))
        for key in keys:
            print(f"| {key} | " + " | ".join(f"{by_size[n][key]:.2f}" for n in by_size) + " |")
        if len(by_size) > 1:
            small, large = min(by_size), max(by_size)
            for key in keys:
                if key.endswith("ms"):
                    ratio = by_size[large][key] / by_size[small][key]
                    print(f"- {key}: {large:,} vs {small:,} = ×{ratio:.2f} (target ≤ 2)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--postgres", default=os.environ.get("GANTRY_BENCH_POSTGRES"))
    args = parser.parse_args()
    run([int(s) for s in args.sizes.split(",")], args.postgres)
