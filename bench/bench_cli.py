"""CLI benchmarks (issue: the `gantry` CLI, point 9). Not a test: prints figures.

    python bench/bench_cli.py [--entities 10000] [--runs 5] [--postgres URL]

- `gantry apply -f DIR` with one YAML file per entity (10,000 by default), end to end: the command's
  wall time from start to exit, against a local server on SQLite (rate limit off). Target ≥ 3,000
  entities/s. Measured on the empty catalog (all created) and again (all unchanged).
- `gantry --help` wall time. Target ≤ 0.3 s.
- `gantry get services` wall time against that server: a page of 50 services (target ≤ 0.5 s), and every
  service of the 10k catalog (about 6,000, twelve pages).

Beside each wall time the CPU seconds of the command (and of the server, for apply) are printed with the
load average: on a busy machine wall time measures the queue for a CPU more than the code.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from gantry_core.testing.cli import GantryCli, gantry_command, server_database
from gantry_core.testing.server import gantry_server
from generate import catalog

PASSWORD = "bench-admin-password"
TARGETS = {"apply": 3000.0, "help": 0.3, "get": 0.5}


def write_files(folder: Path, n: int) -> int:
    folder.mkdir(parents=True)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    count = 0
    for doc in catalog(n):
        kind, name = doc["kind"], doc["metadata"]["name"]
        (folder / f"{kind.lower()}-{name}.yaml").write_text(yaml.dump(doc, Dumper=dumper, sort_keys=False))
        count += 1
    return count


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used; 0 where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(gantry: GantryCli, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = gantry(*args)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"gantry {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed, result


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def median_time(gantry: GantryCli, runs: int, *args: str) -> float:
    return statistics.median(timed(gantry, *args)[0] for _ in range(runs))


def verdict(value: float, target: float, higher_is_better: bool) -> str:
    good = value >= target if higher_is_better else value <= target
    return "ok" if good else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5, help="runs per wall-time figure (median)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("GANTRY_BENCH_POSTGRES"),
        help="also run on this PostgreSQL server (in a fresh schema, dropped afterwards)",
    )
    args = parser.parse_args()

    print(f"command: {' '.join(gantry_command())}")
    with tempfile.TemporaryDirectory(prefix="gantry-bench-cli-") as tmp:
        root = Path(tmp)
        # As installed by pip: compiled bytecode is reused (kept here, out of the environment's folders).
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        GantryCli(root / "home-warm")("--help")
        files = root / "catalog"
        n = write_files(files, args.entities)
        small = root / "small"
        small.mkdir()
        small_services = [
            {"kind": "Service", "metadata": {"name": f"svc-{i}", "namespace": "small"}, "spec": {"type": "backend"}}
            for i in range(50)
        ]
        (small / "services.yaml").write_text(yaml.safe_dump_all(small_services))
        print(f"{n} entity files in {files}")

        help_cli = GantryCli(root / "home-help")
        before = children_cpu()
        help_time = median_time(help_cli, args.runs, "--help")
        help_cpu = (children_cpu() - before) / args.runs
        help_verdict = verdict(help_time, TARGETS["help"], False)
        print(f"gantry --help: {help_time:.3f} s (target ≤ {TARGETS['help']} s: {help_verdict})")
        print(f"    CPU seconds per run: {help_cpu:.3f}; {load()}")

        if args.postgres:
            os.environ["GANTRY_TEST_DATABASE_URL"] = args.postgres
        for backend in ["sqlite"] + (["postgresql"] if args.postgres else []):
            with (
                server_database(root, backend) as db,
                gantry_server(root / f"data-{backend}", db=db, args=("--admin-password", PASSWORD)) as server,
            ):
                login = httpx.post(
                    f"{server.url}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD}, timeout=30
                )
                login.raise_for_status()
                gantry = GantryCli(root / f"home-{backend}", server=server.url, token=login.json()["token"])
                print(f"\n[{backend}] server {server.url}")
                for label in ("created", "unchanged"):
                    client_before, server_before = children_cpu(), process_cpu(server.process.pid)
                    elapsed, result = timed(gantry, "apply", "-f", str(files))
                    client, server_cpu = children_cpu() - client_before, process_cpu(server.process.pid) - server_before
                    summary = result.stdout.strip().splitlines()[-1]
                    rate = n / elapsed
                    print(
                        f"apply -f DIR ({label}): {n} entities in {elapsed:.2f} s = {rate:,.0f} entities/s "
                        f"(target ≥ {TARGETS['apply']:,.0f}: {verdict(rate, TARGETS['apply'], True)}) [{summary}]\n"
                        f"    CPU seconds: client {client:.2f}, server {server_cpu:.2f}; {load()}"
                    )
                timed(gantry, "apply", "-f", str(small))
                timed(gantry, "get", "services", "-n", "small")  # warms the kind cache like any second call
                before = children_cpu()
                get_small = median_time(gantry, args.runs, "get", "services", "-n", "small")
                get_cpu = (children_cpu() - before) / args.runs
                print(
                    f"get services (50): {get_small:.3f} s "
                    f"(target ≤ {TARGETS['get']} s: {verdict(get_small, TARGETS['get'], False)})\n"
                    f"    CPU seconds per run: {get_cpu:.3f}; {load()}"
                )
                get_all = median_time(gantry, max(1, args.runs // 2), "get", "services")
                count = len(gantry("get", "services", "-o", "name").stdout.splitlines())
                print(f"get services ({count}, {-(-count // 500)} pages): {get_all:.3f} s")


if __name__ == "__main__":
    main()
