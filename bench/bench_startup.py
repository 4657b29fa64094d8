"""Start-up figures (issue 2, point 9). Not a test: prints figures.

    python bench/bench_startup.py [--runs 5]

- `gantry serve` → first 200 from /readyz on SQLite: on an empty data dir (first run: migrations, admin
  user, generated secret) and again on that data dir (a restart). Target ≤ 1.5 s.
- `gantry --help` wall time (the import cost of the command). Target ≤ 0.3 s.

Loopback only; every wait is bounded.
"""

from __future__ import annotations

import argparse
import http.client
import os
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


def time_to_ready(data_dir: Path) -> float:
    """Seconds from spawning `gantry serve` to its first 200 from /readyz."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GANTRY_")}
    env.update(GANTRY_DATA_DIR=str(data_dir), GANTRY_LOG_LEVEL="warning", GANTRY_ADMIN_PASSWORD="bench-password")
    started = time.perf_counter()
    process = subprocess.Popen(
        [GANTRY, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=data_dir.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not ready(port):
            if process.poll() is not None:
                raise RuntimeError(f"gantry serve exited with {process.returncode}")
            if time.perf_counter() - started > READY_DEADLINE:
                raise RuntimeError(f"not ready within {READY_DEADLINE} s")
            time.sleep(0.005)
        return time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def time_help() -> float:
    started = time.perf_counter()
    subprocess.run([GANTRY, "--help"], check=True, stdout=subprocess.DEVNULL, timeout=30)
    return time.perf_counter() - started


def show(label: str, samples: list[float], target: float) -> None:
    median = statistics.median(samples)
    verdict = "ok" if median <= target else "OVER TARGET"
    print(
        f"{label:<38} median {median:6.3f} s   min {min(samples):6.3f} s   max {max(samples):6.3f} s"
        f"   target ≤ {target} s   {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    time_help()  # warm the file cache and the bytecode
    help_times = [time_help() for _ in range(args.runs * 2)]
    first, restart = [], []
    with tempfile.TemporaryDirectory(prefix="gantry-bench-") as tmp:
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
