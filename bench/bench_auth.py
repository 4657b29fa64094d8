"""Authentication cost (issue 3, point 10). Not a test: prints figures.

    python bench/bench_auth.py [--requests 4000] [--concurrency 16] [--rounds 5]

Starts a real `gantry serve` (uvicorn) on SQLite on a free loopback port with GANTRY_RATE_LIMIT=0, then
measures requests/s of `GET /api/v1/auth/me` with an API key and with a JWT, and of the unauthenticated
`GET /healthz`, in the same run: rounds interleave the three so a busy machine slows them alike. Each
figure is printed as a ratio to /healthz (target >= 0.6). Bounded in requests and seconds.

Beside wall-clock requests/s, the server's own CPU time per request (from /proc) gives "CPU req/s", the
rate one fully available core would serve: on a machine busy with other work it is the steadier figure.
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


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the server process has used so far; 0 where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(
    url: str, pid: int, token: str, key: str, args: argparse.Namespace
) -> tuple[dict[str, list[Result]], dict[str, list[float]]]:
    cases = {
        "GET /healthz (no auth)": ("/healthz", None),
        "GET /api/v1/auth/me, API key": ("/api/v1/auth/me", key),
        "GET /api/v1/auth/me, JWT": ("/api/v1/auth/me", token),
    }
    results: dict[str, list[Result]] = {name: [] for name in cases}
    cpu_rps: dict[str, list[float]] = {name: [] for name in cases}
    for path, credential in cases.values():  # warm-up: caches, code paths, connections
        headers = {"Authorization": f"Bearer {credential}"} if credential else None
        await hammer(url, [path], headers=headers, concurrency=args.concurrency, total=500, max_seconds=10)
    for _ in range(args.rounds):
        for name, (path, credential) in cases.items():
            headers = {"Authorization": f"Bearer {credential}"} if credential else None
            cpu_before = cpu_seconds(pid)
            result = await hammer(
                url, [path], headers=headers, concurrency=args.concurrency, total=args.requests, max_seconds=20
            )
            if result.errors:
                raise RuntimeError(f"{name}: {result.errors} error responses")
            results[name].append(result)
            used = cpu_seconds(pid) - cpu_before
            cpu_rps[name].append(result.requests / used if used > 0 else float("nan"))
    return results, cpu_rps


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
            results, cpu_rps = asyncio.run(measure(server.url, server.process.pid, token, key, args))

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"auth path on SQLite, uvicorn, {args.concurrency} connections, {args.rounds} rounds of {args.requests} "
        f"requests ({os.cpu_count()} CPUs, load average {load} at the end)"
    )
    medians = {name: statistics.median(r.rps for r in rs) for name, rs in results.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu_rps.items()}
    floor, cpu_floor = medians["GET /healthz (no auth)"], cpu_medians["GET /healthz (no auth)"]
    for name, rs in results.items():
        ratio = medians[name] / floor
        cpu_ratio = cpu_medians[name] / cpu_floor
        verdict = "" if name.startswith("GET /healthz") else ("  ok" if ratio >= TARGET else "  BELOW TARGET")
        p50 = statistics.median(r.p50_ms for r in rs)
        print(
            f"{name:<30} {medians[name]:6.0f} req/s"
            f" (min {min(r.rps for r in rs):.0f}, max {max(r.rps for r in rs):.0f})"
            f"  p50 {p50:5.2f} ms  ratio {ratio:4.2f}{verdict}"
            f"  |  CPU req/s {cpu_medians[name]:6.0f}  ratio {cpu_ratio:4.2f}"
        )


if __name__ == "__main__":
    main()
