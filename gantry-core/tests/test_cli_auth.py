"""The `gantry` CLI, part 1: where to talk (login, logout, contexts, precedence), errors a person can act on,
version, completion, start-up imports (SPEC F26, F128, F131, F163; issue: the `gantry` CLI).

Every test runs the real command in a subprocess against a real `gantry serve` process.
"""

from __future__ import annotations

import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from gantry_core import __version__
from gantry_core.testing import ADMIN_PASSWORD
from gantry_core.testing import test_database_url as postgres_url
from gantry_core.testing.cli import CliServer, GantryCli, cli_server
from gantry_core.testing.cli import failed as fails
from gantry_core.testing.cli import succeeded as ok
from gantry_core.testing.server import free_port

BACKENDS = ["sqlite", "postgresql"] if postgres_url() else ["sqlite"]
TEAM = "apiVersion: gantry.io/v1\nkind: Team\nmetadata:\n  name: {name}\nspec: {{}}\n"


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliServer]:
    with cli_server(tmp_path_factory.mktemp(f"cli-auth-{request.param}"), request.param) as running:
        yield running


@pytest.fixture
def gantry(tmp_path: Path) -> GantryCli:
    """The CLI with an empty config folder and no GANTRY_* variables."""
    return GantryCli(tmp_path / "home")


def config_of(gantry: GantryCli) -> dict[str, object]:
    loaded = yaml.safe_load((gantry.config_dir / "config.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


# -- login, logout, contexts -------------------------------------------------------------------------


def test_login_prompts_and_saves_a_private_context_that_later_commands_use(
    server: CliServer, gantry: GantryCli
) -> None:
    out = ok(gantry("login", server.url, input=f"admin\n{ADMIN_PASSWORD}\n"))
    assert "Username:" in out and "Password:" in out
    assert ADMIN_PASSWORD not in out
    assert f"Logged in to {server.url} as admin (admin)" in out
    path = gantry.config_dir / "config.yaml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = config_of(gantry)
    [context] = config["contexts"]  # type: ignore[misc]
    assert config["current-context"] == context["name"] == f"127.0.0.1-{server.process.port}"
    assert context["server"] == server.url and context["user"] == "admin" and context["token"]
    # No flags, no environment: the config file says where to go and with what token.
    ok(gantry("apply", "-f", "-", input=TEAM.format(name="from-file")))
    assert "Team/from-file" in ok(gantry("get", "teams", "-o", "name"))


def test_login_reads_the_password_from_stdin_and_refuses_wrong_ones(server: CliServer, gantry: GantryCli) -> None:
    wrong = fails(gantry("login", server.url, "-u", "admin", "--password-stdin", input="not-the-password\n"))
    assert f"{server.url} did not accept that username and password" in wrong
    assert not (gantry.config_dir / "config.yaml").exists()
    out = ok(gantry("login", server.url, "-u", "admin", "--password-stdin", input=f"{ADMIN_PASSWORD}\n"))
    assert "Password:" not in out and "as admin" in out


def test_login_with_an_api_key_by_flag_or_stdin(server: CliServer, gantry: GantryCli) -> None:
    out = ok(gantry("login", server.url, "--token", server.keys["viewer"], "--context", "ci"))
    assert "as admin (viewer)" in out  # the key acts as the lesser of its role and its owner's
    assert config_of(gantry)["current-context"] == "ci"
    ok(gantry("login", server.url, "--with-token", "--context", "ci", input=server.keys["developer"] + "\n"))
    ok(gantry("login", server.url, "--token", "-", "--context", "ci2", input=server.keys["developer"] + "\n"))
    contexts = {c["name"]: c for c in config_of(gantry)["contexts"]}  # type: ignore[attr-defined]
    assert contexts["ci"]["token"] == contexts["ci2"]["token"] == server.keys["developer"]
    bad = fails(gantry("login", server.url, "--token", "gantry_" + "0" * 64, "--context", "bad"))
    assert "did not accept your token" in bad and "gantry login" in bad
    assert "bad" not in {c["name"] for c in config_of(gantry)["contexts"]}  # type: ignore[attr-defined]


def test_contexts_switch_servers_and_credentials(server: CliServer, gantry: GantryCli) -> None:
    ok(gantry("login", server.url, "--token", server.keys["viewer"], "--context", "read-only"))
    ok(gantry("login", server.url, "--token", server.keys["developer"], "--context", "dev"))
    listed = ok(gantry("config", "get-contexts")).splitlines()
    assert listed[0].split() == ["CURRENT", "NAME", "SERVER", "USER", "TOKEN"]
    assert any(line.split()[:2] == ["*", "dev"] for line in listed)
    assert any(line.split()[0] == "read-only" for line in listed)
    assert ok(gantry("config", "current-context")).strip() == "dev"
    ok(gantry("apply", "-f", "-", input=TEAM.format(name="by-dev")))

    assert "Switched to context 'read-only'" in ok(gantry("config", "use-context", "read-only"))
    denied = fails(gantry("apply", "-f", "-", input=TEAM.format(name="by-viewer")))
    assert "permission denied: this requires the developer role or higher; you are viewer" in denied
    # --context picks another context for one command.
    ok(gantry("apply", "--context", "dev", "-f", "-", input=TEAM.format(name="by-dev-again")))
    assert "no context named 'nope'" in fails(gantry("config", "use-context", "nope"))
    assert "no context named 'nope'" in fails(gantry("get", "--context", "nope"), code=2)

    ok(gantry("config", "delete-context", "read-only"))
    assert "read-only" not in ok(gantry("config", "get-contexts"))
    assert "no current context" in fails(gantry("config", "current-context"))


def test_logout_forgets_the_token_and_commands_then_say_how_to_log_in(server: CliServer, gantry: GantryCli) -> None:
    ok(gantry("login", server.url, "-u", "admin", "--password-stdin", input=f"{ADMIN_PASSWORD}\n"))
    assert "Logged out of" in ok(gantry("logout"))
    [context] = config_of(gantry)["contexts"]  # type: ignore[misc]
    assert "token" not in context and context["server"] == server.url
    error = fails(gantry("get", "services"))
    assert f"not logged in to {server.url}: run `gantry login {server.url}`" in error
    assert "Not logged in." in ok(gantry("logout")) + gantry("logout").stderr


def test_flags_beat_environment_beats_config_file(server: CliServer, gantry: GantryCli, tmp_path: Path) -> None:
    ok(gantry("login", server.url, "--token", server.keys["viewer"]))
    team = TEAM.format(name="precedence")
    # The file alone: a viewer.
    assert "you are viewer" in fails(gantry("apply", "-f", "-", input=team))
    # GANTRY_TOKEN beats the file.
    ok(gantry("apply", "-f", "-", input=team, env={"GANTRY_TOKEN": server.keys["developer"]}))
    # --token beats GANTRY_TOKEN.
    developer_env = {"GANTRY_TOKEN": server.keys["developer"]}
    flag = fails(gantry("get", "teams", "--token", "gantry_" + "1" * 64, env=developer_env))
    assert "did not accept your token (token from --token)" in flag
    # GANTRY_SERVER beats the file, and --server beats GANTRY_SERVER.
    dead = f"http://127.0.0.1:{free_port()}"
    unreachable = fails(gantry("get", "teams", env={"GANTRY_SERVER": dead}))
    assert f"cannot reach Gantry at {dead} (connection refused)" in unreachable
    ok(gantry("get", "teams", "--server", server.url, env={"GANTRY_SERVER": dead}))
    # A stored token is only sent to the server it came from.
    other = server.url.replace("127.0.0.1", "localhost")
    assert f"not logged in to {other}" in fails(gantry("get", "teams", "--server", other))


def test_cli_writes_are_audited_with_source_cli(server: CliServer, gantry: GantryCli) -> None:
    gantry.server, gantry.token = server.url, server.keys["developer"]
    ok(gantry("apply", "-f", "-", input=TEAM.format(name="audited")))
    with server.api() as api:
        entries = api.get("/api/v1/audit", params={"kind": "team", "name": "audited"}).json()["items"]
    assert [(e["action"], e["source"]) for e in entries] == [("create", "cli")]


# -- errors, version, completion, start-up -----------------------------------------------------------


def test_usage_errors_exit_2_without_traceback(server: CliServer, gantry: GantryCli) -> None:
    gantry.server, gantry.token = server.url, server.keys["viewer"]
    assert "No such option" in fails(gantry("get", "--no-such-flag"), code=2)
    assert "use either -n NAMESPACE or -A" in fails(gantry("get", "-n", "x", "-A"), code=2)
    assert "expected key=value" in fails(gantry("get", "services", "-l", "oops"), code=2)
    assert "'http://' is not a server URL" in fails(gantry("get", "--server", "http://"), code=2)
    assert "give KIND NAME or -f FILE" in fails(gantry("delete"), code=2)
    assert "Missing argument" in fails(gantry("describe"), code=2)
    assert "0 is not in the range 1<=x<=500." in fails(gantry("search", "abc", "--limit", "0"), code=2)
    assert "'many' is not a valid integer." in fails(gantry("graph", "svc", "x", "--depth", "many"), code=2)


def test_version_prints_client_and_server(server: CliServer, gantry: GantryCli) -> None:
    out = ok(gantry("version", "--server", server.url))
    assert out.splitlines() == [f"Client: {__version__}", f"Server: {__version__} ({server.url})"]
    assert ok(gantry("version", "--client")).strip() == f"Client: {__version__}"
    dead = f"http://127.0.0.1:{free_port()}"
    result = gantry("version", "--server", dead)
    assert f"cannot reach Gantry at {dead}" in fails(result)
    assert result.stdout.strip() == f"Client: {__version__}"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(gantry: GantryCli, shell: str) -> None:
    script = ok(gantry("completion", shell))
    assert "_GANTRY_COMPLETE=complete_" + shell in script
    assert "gantry" in script


def test_completion_answers_commands_kinds_and_contexts(server: CliServer, gantry: GantryCli) -> None:
    def complete(words: str) -> list[str]:
        env = {"_GANTRY_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
        return ok(gantry(env=env)).split()

    assert "get" in complete("gantry g") and "graph" in complete("gantry g")
    assert complete("gantry get se") == ["services"]
    ok(gantry("login", server.url, "--token", server.keys["viewer"], "--context", "prod"))
    assert complete("gantry config use-context pr") == ["prod"]
    assert "not one of" in fails(gantry("completion", "tcsh"), code=2)


def test_help_starts_without_the_http_and_table_libraries(tmp_path: Path) -> None:
    """`gantry --help` stays fast: httpx, rich, yaml and orjson load only inside the commands using them."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "gantry_core.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    for command in ("login", "get", "describe", "apply", "delete", "export", "run", "version", "completion"):
        assert f"  {command} " in result.stdout
    lines = result.stderr.splitlines()
    imported = {line.rsplit("|", 1)[-1].strip() for line in lines if line.startswith("import time:")}
    assert "gantry_core.cli.catalog" in imported  # the probe sees the CLI's own modules…
    assert not imported & {"httpx", "rich", "yaml", "orjson", "pygments"}  # …and none of the heavy ones


def test_rate_limiting_is_explained_not_waited_out_for_a_minute(tmp_path: Path) -> None:
    # The three API keys made at set-up are the admin's whole budget: the CLI's first request is over it.
    with cli_server(tmp_path / "limited", env={"GANTRY_RATE_LIMIT": "3"}) as limited:
        gantry = GantryCli(tmp_path / "home", server=limited.url, token=limited.keys["viewer"])
        error = fails(gantry("get", "services"))
    assert f"error: {limited.url} is rate limiting you: too many requests; retry in " in error
