"""Start-up figures (issue 2, point 9). Not a test: prints figures.

    python bench/bench_startup.py [--runs 5]

- `gantry serve` → first 200 from /readyz on SQLite: on an empty data dir (first run: migrations, admin
  user, generated secret) and again on that data dir (a restart). Target ≤ 1.5 s.
- `gantry --help` wall time (the import cost of the command). Target ≤ 0.3 s.

Measured with Python's bytecode cache in place, as after `pip install` (which compiles it): the child
processes write it under a private PYTHONPYCACHEPREFIX, warmed by one untimed run, so the tree is left
alone even where PYTHONDONTWRITEBYTECODE is set. Loopback only; every wait is bounded.
"""

from __future__ import annotations

import argparse
import http.client
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GANTRY = str(Path(sys.executable).with_name("gantry"))
READY_DEADLINE = 30.0
CHILD_ENV = {k: v for k, v in os.environ.items() if not k.startswith("GANTRY_") and k != "PYTHONDONTWRITEBYTECODE"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def ready(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1.0)
    try:
        conn.request("GET", "/readyz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process has used so far; 0 where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_to_ready(data_dir: Path) -> tuple[float, float]:
    """Seconds from spawning `gantry serve` to its first 200 from /readyz, and the CPU seconds it used.

    On a busy machine the wall time grows with the load; the CPU time hardly does."""
    port = free_port()
    env = dict(CHILD_ENV)
    env.update(
        GANTRY_DATA_DIR=str(data_dir),
        GANTRY_LOG_LEVEL="warning",
        GANTRY_ADMIN_PASSWORD="bench-password",
        GANTRY_PLUGINS_ON_ERROR="skip",  # measure start-up even while an installed plugin is broken
    )
    log_path = data_dir.parent / "serve.log"
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [GANTRY, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=data_dir.parent,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        while not ready(port):
            if process.poll() is not None:
                raise RuntimeError(f"gantry serve exited with {process.returncode}: {log_path.read_text()}")
            if time.perf_counter() - started > READY_DEADLINE:
                raise RuntimeError(f"not ready within {READY_DEADLINE} s")
            time.sleep(0.005)
        return time.perf_counter() - started, cpu_seconds(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def time_help() -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([GANTRY, "--help"], check=True, stdout=subprocess.DEVNULL, timeout=30, env=CHILD_ENV)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def show(label: str, samples: list[tuple[float, float]], target: float) -> None:
    wall = [w for w, _ in samples]
    cpu = [c for _, c in samples]
    median = statistics.median(wall)
    verdict = "ok" if median <= target else "OVER TARGET"
    print(
        f"{label:<36} wall median {median:6.3f} s (min {min(wall):.3f}, max {max(wall):.3f})"
        f"   cpu median {statistics.median(cpu):6.3f} s   target ≤ {target} s wall: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gantry-bench-") as tmp:
        CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        time_help()  # warm the bytecode cache and the file cache
        warm = Path(tmp) / "warm" / "data"
        warm.parent.mkdir()
        time_to_ready(warm)
        help_times = [time_help() for _ in range(args.runs * 2)]
        first, restart = [], []
        for run in range(args.runs):
            data_dir = Path(tmp) / f"run-{run}" / "data"
            data_dir.parent.mkdir(parents=True)
            first.append(time_to_ready(data_dir))
            restart.append(time_to_ready(data_dir))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"gantry start-up on SQLite, {args.runs} runs ({os.cpu_count()} CPUs, load average {load} at the end)")
    show("serve → /readyz 200, empty data dir", first, 1.5)
    show("serve → /readyz 200, restart", restart, 1.5)
    show("gantry --help", help_times, 0.3)


if __name__ == "__main__":
    main()
