"""Run a real `gantry serve` process on a free port, for end-to-end tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

SERVE = [sys.executable, "-c", "from gantry_core.cli import main; main()", "serve"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)


@contextmanager
def gantry_server(
    data_dir: Path,
    *,
    db: str | None = None,
    env: Mapping[str, str] | None = None,
    args: tuple[str, ...] = (),
    timeout: float = 30.0,
) -> Iterator[ServerProcess]:
    """Start `gantry serve` on 127.0.0.1 and a free port; yield once /readyz answers 200; stop it after."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = data_dir / f"server-{port}.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GANTRY_")}
    environment.update({"GANTRY_DATA_DIR": str(data_dir), "GANTRY_RATE_LIMIT": "0", "GANTRY_LOG_LEVEL": "warning"})
    if db:
        environment["GANTRY_DB"] = db
    environment.update(env or {})
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [*SERVE, "--port", str(port), "--host", "127.0.0.1", *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=data_dir,
        )
    scheme = "https" if "--tls-cert" in args else "http"  # a test certificate: not verified below
    server = ServerProcess(f"{scheme}://127.0.0.1:{port}", port, process, log_path)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gantry serve exited with {process.returncode}:\n{server.log()}")
            try:
                if httpx.get(f"{server.url}/readyz", timeout=1.0, verify=False).status_code == 200:  # noqa: S501
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gantry serve did not become ready in {timeout} s:\n{server.log()}")
            time.sleep(0.05)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
