"""Authentication cost (issue 3, point 10). Not a test: prints figures.

    python bench/bench_auth.py [--requests 4000] [--concurrency 16] [--rounds 5]

Starts a real `gantry serve` (uvicorn) on SQLite on a free loopback port with GANTRY_RATE_LIMIT=0, then
measures requests/s of `GET /api/v1/auth/me` with an API key and with a JWT, and of the unauthenticated
`GET /healthz`, in the same run: rounds interleave the three so a busy machine slows them alike. Each
figure is printed as a ratio to /healthz (target >= 0.6). Bounded in requests and seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from gantry_core.testing.server import gantry_server
from loadgen import Result, hammer

PASSWORD = "bench-admin-password"
TARGET = 0.6


def credentials(url: str) -> tuple[str, str]:
    """A JWT (from a real login) and an API key of the admin."""
    with httpx.Client(base_url=url, timeout=30) as client:
        login = client.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
        login.raise_for_status()
        token = str(login.json()["token"])
        key = client.post("/api/v1/auth/apikeys", json={"name": "bench"}, headers={"Authorization": f"Bearer {token}"})
        key.raise_for_status()
        return token, str(key.json()["key"])


async def measure(url: str, token: str, key: str, args: argparse.Namespace) -> dict[str, list[Result]]:
    cases = {
        "GET /healthz (no auth)": ("/healthz", None),
        "GET /api/v1/auth/me, API key": ("/api/v1/auth/me", key),
        "GET /api/v1/auth/me, JWT": ("/api/v1/auth/me", token),
    }
    results: dict[str, list[Result]] = {name: [] for name in cases}
    for name, (path, credential) in cases.items():  # warm-up: caches, code paths, connections
        headers = {"Authorization": f"Bearer {credential}"} if credential else None
        await hammer(url, [path], headers=headers, concurrency=args.concurrency, total=500, max_seconds=10)
    for _ in range(args.rounds):
        for name, (path, credential) in cases.items():
            headers = {"Authorization": f"Bearer {credential}"} if credential else None
            result = await hammer(
                url, [path], headers=headers, concurrency=args.concurrency, total=args.requests, max_seconds=20
            )
            if result.errors:
                raise RuntimeError(f"{name}: {result.errors} error responses")
            results[name].append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=4000, help="requests per measurement")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the three measurements")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gantry-bench-auth-") as tmp:
        data_dir = Path(tmp) / "data"
        with gantry_server(data_dir, env={"GANTRY_ADMIN_PASSWORD": PASSWORD}) as server:
            token, key = credentials(server.url)
            results = asyncio.run(measure(server.url, token, key, args))

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"auth path on SQLite, uvicorn, {args.concurrency} connections, {args.rounds} rounds of {args.requests} "
        f"requests ({os.cpu_count()} CPUs, load average {load} at the end)"
    )
    medians = {name: statistics.median(r.rps for r in rs) for name, rs in results.items()}
    floor = medians["GET /healthz (no auth)"]
    for name, rs in results.items():
        ratio = medians[name] / floor
        verdict = "" if name.startswith("GET /healthz") else ("  ok" if ratio >= TARGET else "  BELOW TARGET")
        p50 = statistics.median(r.p50_ms for r in rs)
        print(
            f"{name:<32} {medians[name]:8.0f} req/s (min {min(r.rps for r in rs):.0f}, max "
            f"{max(r.rps for r in rs):.0f})  p50 {p50:5.2f} ms  ratio to /healthz {ratio:4.2f}{verdict}"
        )


if __name__ == "__main__":
    main()
