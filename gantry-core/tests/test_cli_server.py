"""`gantry serve` and the other server-side commands (SPEC F21, F163), run as real processes."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import httpx
from gantry_core.testing.certs import self_signed
from gantry_core.testing.server import gantry_server

SERVER_MODULES = ("fastapi", "sqlalchemy", "uvicorn", "alembic", "pluggy", "gantry_core.app", "gantry_core.db")


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GANTRY_")}
    return subprocess.run(
        [sys.executable, "-c", "from gantry_core.cli import main; main()", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_prints_its_url_creates_the_data_dir_and_stops_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with gantry_server(data) as server:
        assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
        assert f"serving at http://localhost:{server.port}" in server.log()
        assert (data / "gantry.db").is_file()
        secret = data / "jwt.secret"
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
        assert len(secret.read_text().strip()) == 64
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal so supervisors see it.
    assert server.process.returncode in (0, -signal.SIGTERM)
    assert "Traceback" not in server.log()


def test_serve_speaks_https_with_tls_cert_and_key(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path / "tls")
    with gantry_server(tmp_path / "data", args=("--tls-cert", str(cert), "--tls-key", str(key))) as server:
        assert server.url.startswith("https://")
        assert httpx.get(f"{server.url}/healthz", verify=False).status_code == 200
        assert f"serving at https://localhost:{server.port}" in server.log()


def test_the_gantry_command_imports_no_server_module_until_a_server_command_runs(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from gantry_core.cli import main\n"
        "sys.argv = ['gantry', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"server = {SERVER_MODULES!r}\n"
        "print('LOADED', sorted(m for m in sys.modules if any(m == s or m.startswith(s + '.') for s in server)))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "serve" in result.stdout and "db" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "LOADED []"


def test_plugins_list_shows_the_builtin_catalog(tmp_path: Path) -> None:
    result = run("plugins", "list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    catalog = next(line for line in result.stdout.splitlines() if line.startswith("catalog "))
    assert "gantry-core" in catalog and catalog.endswith("builtin")
    assert list(tmp_path.iterdir()) == []  # listing writes nothing


def test_serve_help_lists_every_flag_of_f21(tmp_path: Path) -> None:
    result = run("serve", "--help", cwd=tmp_path)
    assert result.returncode == 0
    for flag in ("--port", "-p", "--db", "--dev", "--admin-password", "--config", "--tls-cert", "--tls-key", "--host"):
        assert flag in result.stdout


def test_the_server_process_freezes_its_start_up_objects_and_raises_the_gc_threshold() -> None:
    # In a child interpreter: the tuning is process-wide and must not leak into this test process.
    probe = (
        "import gc\n"
        "from gantry_core.cli.server import GC_THRESHOLDS, _tune_gc\n"
        "before = gc.get_threshold()\n"
        "_tune_gc()\n"
        "print(before, gc.get_threshold() == GC_THRESHOLDS, gc.get_freeze_count() > 1000)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["(700,", "10,", "10)", "True", "True"]
