"""Catalog benchmarks at 10k and 100k entities (issue: the catalog, §11). Not a test: prints figures.

    python bench/bench_catalog.py [--sizes 10000,100000] [--postgres URL]

Every throughput figure is printed beside the floor (bare Starlette + the same driver doing the same
primary-key lookup on the same database) measured in the same run, and as a ratio to it. Every size's
server runs at once, and the latency figures are taken with the sizes taking turns, a chunk of requests
each, so that the ratios between sizes compare like with like on a machine whose speed drifts.
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
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).parent))
from gantry_core.testing.server import free_port, gantry_server
from generate import WORDS, catalog
from loadgen import Connection, Result, hammer

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


async def ws_latency(url: str, headers: dict[str, str], services: list[dict[str, Any]], rounds: int) -> list[float]:
    """Seconds from a PUT to its event reaching a WebSocket subscriber, `rounds` times."""
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
    return latencies


@dataclass
class Size:
    """One catalog size under measurement: its server, database and the requests made of it."""

    n: int
    url: str
    pid: int
    floor_db: str
    headers: dict[str, str] = field(default_factory=dict)
    services: list[dict[str, Any]] = field(default_factory=list)
    requests: dict[str, list[str]] = field(default_factory=dict)  # figure -> paths
    figures: dict[str, Any] = field(default_factory=dict)


#: figure -> how many times its requests are made (its p95 is over all of them)
ROUNDS = {"list kind+owner p95 ms": 2, "search p95 ms": 2, "facets p95 ms": 10, "graph depth 2 p95 ms": 1}
CHUNK = 50  # requests of one size before the next size's turn


async def prepare(size: Size) -> None:
    """Load the catalog (the apply figure), then pick the requests every figure makes."""
    size.headers = {"Authorization": f"Bearer {token_for(size.url)}"}
    rate, docs = await load(size.url, size.headers, size.n)
    size.figures["apply entities/s"] = rate
    size.services = [d for d in docs if d["kind"] == "Service"]
    sample = random.Random(1).sample(size.services, min(500, len(size.services)))
    owners = sorted({d["metadata"].get("owner") for d in size.services if d["metadata"].get("owner")})
    # the same 200 queries at every size (their own generator), so that sizes compare like with like
    words = random.Random(2)
    size.requests = {
        "GET": [f"/api/v1/entities/service/{d['metadata']['name']}" for d in sample],
        "floor": [f"/entities/Service/{d['metadata']['name']}" for d in sample],
        "list kind+owner p95 ms": [f"/api/v1/entities?kind=service&owner={o}&limit=50" for o in owners[:200]],
        "search p95 ms": [f"/api/v1/search?q={words.choice(WORDS)}%20{words.choice(WORDS)[:3]}" for _ in range(200)],
        "facets p95 ms": [
            f"/api/v1/facets?fields=owner,tag,lifecycle&kind=service&tag={t}"
            for t in ("python", "go", "java", "tier-1", "tier-2")
        ]
        + ["/api/v1/facets?fields=owner,tag,kind,lifecycle"],
        "graph depth 2 p95 ms": [f"/api/v1/graph/service/{d['metadata']['name']}?depth=2" for d in sample[:200]],
    }


async def throughput(size: Size) -> None:
    """Authenticated GETs per second beside the floor's, on the same database."""
    await hammer(size.url, size.requests["GET"], headers=size.headers, total=1000)  # warm up
    gantry = await hammer(size.url, size.requests["GET"], headers=size.headers, total=8000)
    floor_port = free_port()
    floor = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "floor.py"), "--db", size.floor_db, "--port", str(floor_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        floor_url = f"http://127.0.0.1:{floor_port}"
        for _ in range(100):
            try:
                if httpx.get(floor_url + size.requests["floor"][0]).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        await hammer(floor_url, size.requests["floor"], total=1000)
        base = await hammer(floor_url, size.requests["floor"], total=8000)
    finally:
        floor.terminate()
        floor.wait()
    size.figures["GET entity req/s"] = gantry.rps
    size.figures["floor req/s"] = base.rps
    size.figures["GET entity / floor"] = gantry.rps / base.rps


async def latencies(sizes: list[Size]) -> None:
    """Every p95 figure, the sizes taking turns a chunk of requests at a time, so that a slower or faster
    spell of the machine falls on every size alike instead of on whichever was measured then.

    A server's first request after another size's turn took ~1.1 ms longer at both sizes, whatever the
    request (moving the chunk boundaries moved the slow requests with them): with 4 chunks that is 2% of
    the requests, enough to decide a p95. So each turn starts with one untimed request, the one before
    the chunk's first (not the first itself, whose statement would then be warm)."""
    connections = {size.n: Connection(size.url, size.headers) for size in sizes}
    for connection in connections.values():
        await connection.open()
    try:
        for figure, rounds in ROUNDS.items():
            taken: dict[int, list[float]] = {size.n: [] for size in sizes}
            for _ in range(rounds):
                for start in range(0, max(len(size.requests[figure]) for size in sizes), CHUNK):
                    for size in sizes:
                        paths = size.requests[figure]
                        if start < len(paths):  # untimed: the request before the chunk's first (see above)
                            await connections[size.n].request("GET", paths[start - 1])
                        for path in paths[start : start + CHUNK]:
                            began = time.perf_counter()
                            status, _ = await connections[size.n].request("GET", path)
                            taken[size.n].append(time.perf_counter() - began)
                            if status >= 400:
                                raise RuntimeError(f"{path}: {status}")
            for size in sizes:
                size.figures[figure] = Result(len(taken[size.n]), 0.0, 0, taken[size.n]).p95_ms
    finally:
        for connection in connections.values():
            await connection.close()
    taken = {size.n: [] for size in sizes}
    for _ in range(4):
        for size in sizes:
            taken[size.n] += await ws_latency(size.url, size.headers, size.services, rounds=50)
    for size in sizes:
        size.figures["write→WebSocket p95 ms"] = Result(len(taken[size.n]), 0.0, 0, taken[size.n]).p95_ms
        size.figures["server RSS MB"] = rss_mb(size.pid)


def floor_database(db: str, backend: str, tmp: Path) -> str:
    """What floor.py connects to: the SQLite file, or an asyncpg DSN on the run's own schema."""
    if backend != "postgresql":
        return str(tmp / "gantry.db")
    from gantry_core.db.engine import async_url, asyncpg_dsn

    dsn, settings = asyncpg_dsn(async_url(db))
    schema = settings["search_path"].split(",")[0]
    return dsn + ("&" if "?" in dsn else "?") + f"options=-csearch_path%3D{schema}"


async def measure_backend(backend: str, sizes: list[int], postgres: str | None) -> dict[int, dict[str, Any]]:
    """Every size's server runs at once: each is loaded and its throughput measured in turn, then the
    latency figures are taken with the sizes interleaved (see `latencies`)."""
    from gantry_core.testing import throwaway_database

    if backend == "postgresql":
        os.environ["GANTRY_TEST_DATABASE_URL"] = postgres or ""
    async with AsyncExitStack() as stack:
        measured: list[Size] = []
        for n in sizes:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            db = await stack.enter_async_context(throwaway_database(tmp, backend))
            env = {"GANTRY_ADMIN_PASSWORD": PASSWORD}
            server = stack.enter_context(gantry_server(tmp / "data", db=db, env=env))
            size = Size(n, server.url, server.process.pid, floor_database(db, backend, tmp))
            print(f"loading {backend} with {n:,} entities …", file=sys.stderr, flush=True)
            await prepare(size)
            measured.append(size)
        await asyncio.sleep(UPKEEP_SECONDS)
        for size in measured:
            print(f"GET throughput on {backend} at {size.n:,} entities …", file=sys.stderr, flush=True)
            await throughput(size)
        print(f"latencies on {backend}, sizes interleaved …", file=sys.stderr, flush=True)
        await latencies(measured)
        return {size.n: size.figures for size in measured}


#: after the loads: the keeper's upkeep (search index merge, planner statistics) is done by then
UPKEEP_SECONDS = 5.0


def run(sizes: list[int], postgres: str | None) -> None:
    results: dict[str, dict[int, dict[str, Any]]] = {}
    backends = ["sqlite"] + (["postgresql"] if postgres else [])
    for backend in backends:
        results[backend] = asyncio.run(measure_backend(backend, sizes, postgres))
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
