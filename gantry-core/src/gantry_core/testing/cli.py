"""End-to-end tests of the `gantry` command: a real server process, the CLI run as a person runs it.

with cli_server(tmp_path) as server:
    gantry = GantryCli(tmp_path / "home", server=server.url, token=server.keys["developer"])
    result = gantry("apply", "-f", "catalog/")
    assert result.returncode == 0, result.stderr
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from gantry_core.testing import ADMIN_PASSWORD, throwaway_database
from gantry_core.testing.server import ServerProcess, gantry_server


def gantry_command() -> list[str]:
    """The installed `gantry` script next to this interpreter, else `python -m gantry_core.cli`."""
    script = shutil.which("gantry", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "gantry_core.cli"]


@dataclass
class GantryCli:
    """Runs `gantry` in a subprocess with its own HOME and config folder and no GANTRY_* variables but
    the ones given: `server` and `token` become GANTRY_SERVER and GANTRY_TOKEN when set."""

    home: Path
    server: str | None = None
    token: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def config_dir(self) -> Path:
        return self.home / ".config" / "gantry"

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GANTRY_")}
        env.update(HOME=str(self.home), XDG_CONFIG_HOME=str(self.home / ".config"), PYTHONIOENCODING="utf-8")
        if self.server:
            env["GANTRY_SERVER"] = self.server
        if self.token:
            env["GANTRY_TOKEN"] = self.token
        env.update(self.env)
        env.update(extra or {})
        return env

    def __call__(
        self,
        *args: str,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        self.home.mkdir(parents=True, exist_ok=True)
        return subprocess.run(  # noqa: S603 - our own command
            [*gantry_command(), *args],
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=self.environment(env),
            cwd=cwd or self.home,
            timeout=timeout,
            start_new_session=True,  # no controlling terminal: prompts read stdin, output is not a TTY
        )


def succeeded(result: subprocess.CompletedProcess[str]) -> str:
    """Assert exit code 0 and no traceback; return stdout."""
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


def failed(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """Assert exit code `code` (1 failure, 2 usage) and no traceback; return stderr."""
    assert result.returncode == code, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert "Traceback" not in result.stderr + result.stdout
    return result.stderr


@dataclass
class CliServer:
    """A running server with an admin session and API keys acting as each role."""

    process: ServerProcess
    url: str
    admin_token: str
    keys: dict[str, str]

    def api(self, token: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token or self.admin_token}"}, timeout=30
        )


@contextmanager
def server_database(folder: Path, backend: str) -> Iterator[str | None]:
    """A throw-away `GANTRY_DB` for a server process (None: its default SQLite file in the data dir); on
    PostgreSQL a fresh schema under GANTRY_TEST_DATABASE_URL, dropped afterwards."""
    if backend == "sqlite":
        yield None
        return
    manager = throwaway_database(folder, backend)
    url = asyncio.run(manager.__aenter__())
    try:
        yield url
    finally:
        asyncio.run(manager.__aexit__(None, None, None))


@contextmanager
def cli_server(folder: Path, backend: str = "sqlite", env: Mapping[str, str] | None = None) -> Iterator[CliServer]:
    """`gantry serve` on a fresh database, signed in as admin, with `viewer` and `developer` API keys."""
    with (
        server_database(folder, backend) as db,
        gantry_server(folder / "data", db=db, env=env, args=("--admin-password", ADMIN_PASSWORD)) as process,
    ):
        login = httpx.post(
            f"{process.url}/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}, timeout=30
        )
        login.raise_for_status()
        admin_token = login.json()["token"]
        keys: dict[str, str] = {}
        with httpx.Client(
            base_url=process.url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=30
        ) as client:
            for role in ("viewer", "developer", "admin"):
                created = client.post("/api/v1/auth/apikeys", json={"name": f"cli-{role}", "role": role})
                created.raise_for_status()
                keys[role] = created.json()["key"]
        yield CliServer(process=process, url=process.url, admin_token=admin_token, keys=keys)


__all__ = ["CliServer", "GantryCli", "cli_server", "failed", "gantry_command", "server_database", "succeeded"]
