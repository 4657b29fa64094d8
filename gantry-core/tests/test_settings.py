"""Settings (SPEC F18-F25): flags > environment > gantry.yaml > defaults, and one clear line for a bad value.

The start-up failures run the real `gantry serve` in a subprocess inside an empty working directory and
check that it exits 2 with one line on stderr and leaves that directory exactly as it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from gantry_core.settings import SettingsError, check_data_dir, load_settings

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
HEX64 = "ab" * 32


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No GANTRY_* variables from the caller, and an empty working directory."""
    for key in list(os.environ):
        if key.startswith("GANTRY_"):
            monkeypatch.delenv(key)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def write_yaml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- precedence -----------------------------------------------------------------------------------------


def test_defaults_when_nothing_is_set() -> None:
    settings = load_settings()
    assert settings.port == 8080
    assert settings.host == "127.0.0.1"
    assert settings.db == ""
    assert settings.dev is False
    assert settings.admin_password.get_secret_value() == "changeme"
    assert settings.jwt_secret is None
    assert settings.encryption_key is None
    assert settings.data_dir == Path("data")
    assert settings.rate_limit == 600
    assert settings.db_pool_size == 16
    assert settings.plugins_on_error == "fail"
    assert settings.plugins_block == [] and settings.plugins_allow == []
    assert settings.sqlite_path == Path("data/gantry.db")
    assert settings.database_url == "sqlite+aiosqlite:///data/gantry.db"


def test_flags_beat_environment_beat_yaml_beat_defaults(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> None:
    write_yaml(clean_env / "gantry.yaml", "port: 7001\nrateLimit: 11\nlogLevel: warning\nhost: 0.0.0.0\n")
    from_yaml = load_settings()
    assert (from_yaml.port, from_yaml.rate_limit, from_yaml.log_level) == (7001, 11, "warning")
    assert from_yaml.dev is False  # not in any source: the default

    monkeypatch.setenv("GANTRY_PORT", "7002")
    monkeypatch.setenv("GANTRY_RATE_LIMIT", "12")
    from_env = load_settings()
    assert (from_env.port, from_env.rate_limit, from_env.log_level) == (7002, 12, "warning")

    from_flag = load_settings(port=7003, host=None)  # None means "flag not given"
    assert (from_flag.port, from_flag.rate_limit, from_flag.host) == (7003, 12, "0.0.0.0")


def test_yaml_keys_are_camel_case(clean_env: Path) -> None:
    write_yaml(
        clean_env / "gantry.yaml",
        f"adminPassword: s3cret-pass\njwtSecret: {HEX64}\nencryptionKey: {HEX64.upper()}\ndataDir: ./state\n"
        "pluginsBlock: [github, argocd]\npluginsAllow: kubernetes, github\npluginsOnError: skip\n"
        "tlsCert:\nrate_limit: 0\n",
    )
    settings = load_settings()
    assert settings.admin_password.get_secret_value() == "s3cret-pass"
    assert settings.jwt_secret is not None and settings.jwt_secret.get_secret_value() == HEX64
    assert settings.encryption_key is not None
    assert settings.data_dir == Path("state")
    assert settings.plugins_block == ["github", "argocd"]
    assert settings.plugins_allow == ["kubernetes", "github"]
    assert settings.plugins_on_error == "skip"
    assert settings.tls_cert is None  # an empty value means "not set"
    assert settings.rate_limit == 0  # snake_case keys are accepted too


def test_config_flag_reads_another_file_instead_of_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path, tmp_path: Path
) -> None:
    write_yaml(clean_env / "gantry.yaml", "port: 7001\n")
    other = write_yaml(tmp_path / "elsewhere.yaml", "port: 7005\ndev: true\n")
    settings = load_settings(config=other)
    assert (settings.port, settings.dev) == (7005, True)

    monkeypatch.setenv("GANTRY_CONFIG", str(other))
    assert load_settings().port == 7005
    assert load_settings(config=clean_env / "gantry.yaml").port == 7001  # the flag beats GANTRY_CONFIG


def test_environment_lists_are_comma_separated_and_empty_values_are_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GANTRY_PLUGINS_BLOCK", " github , argocd,,")
    monkeypatch.setenv("GANTRY_JWT_SECRET", "")
    monkeypatch.setenv("GANTRY_PORT", "")
    monkeypatch.setenv("GANTRY_DEV", "true")
    settings = load_settings()
    assert settings.plugins_block == ["github", "argocd"]
    assert settings.jwt_secret is None
    assert settings.port == 8080
    assert settings.dev is True


def test_postgres_urls_and_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GANTRY_DB", "postgres://gantry@db.internal/gantry?sslmode=require&schema=portal")
    settings = load_settings()
    assert settings.is_postgres
    assert settings.sqlite_path is None
    assert settings.database_url.startswith("postgresql+asyncpg://gantry@db.internal/gantry?")
    assert "ssl=require" in settings.database_url


# -- one clear line naming the setting --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "flags", "expected"),
    [
        ({"GANTRY_PORT": "abc"}, {}, "GANTRY_PORT: input should be a valid integer"),
        ({"GANTRY_PORT": "abc"}, {"port": "9000"}, None),  # the flag wins, the bad variable is never read
        ({}, {"port": "70000"}, "--port: input should be less than or equal to 65535"),
        ({"GANTRY_JWT_SECRET": "short"}, {}, "GANTRY_JWT_SECRET: must be 64 hexadecimal characters"),
        ({"GANTRY_ENCRYPTION_KEY": "zz" * 32}, {}, "GANTRY_ENCRYPTION_KEY: must be 64 hexadecimal characters"),
        ({"GANTRY_DB": "mysql://x"}, {}, "GANTRY_DB: must be a SQLite file path or a postgres://"),
        ({"GANTRY_DB": "postgresql://h/db?schema=Bad-Name"}, {}, "GANTRY_DB: ?schema=Bad-Name must be a plain"),
        ({"GANTRY_PLUGINS_ON_ERROR": "ignore"}, {}, "GANTRY_PLUGINS_ON_ERROR: input should be 'fail' or 'skip'"),
        ({"GANTRY_DEV": "perhaps"}, {}, "GANTRY_DEV: input should be a valid boolean"),
        ({"GANTRY_RATE_LIMIT": "-1"}, {}, "GANTRY_RATE_LIMIT: input should be greater than or equal to 0"),
        ({"GANTRY_DB_POOL_SIZE": "0"}, {}, "GANTRY_DB_POOL_SIZE: input should be greater than or equal to 1"),
    ],
)
def test_bad_values_name_the_setting_as_it_was_given(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], flags: dict[str, Any], expected: str | None
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if expected is None:
        load_settings(**flags)
        return
    with pytest.raises(SettingsError) as caught:
        load_settings(**flags)
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_secrets_are_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GANTRY_JWT_SECRET", "not-the-secret-you-want-printed")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "not-the-secret" not in str(caught.value)
    monkeypatch.delenv("GANTRY_JWT_SECRET")
    monkeypatch.setenv("GANTRY_DB", "mysql://root:hunter2@db/x")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "hunter2" not in str(caught.value)


def test_yaml_errors_name_the_key_and_the_file(clean_env: Path) -> None:
    write_yaml(clean_env / "gantry.yaml", "rateLimit: lots\n")
    with pytest.raises(SettingsError, match=r"^rateLimit in gantry.yaml: input should be a valid integer"):
        load_settings()
    write_yaml(clean_env / "gantry.yaml", "prot: 8080\n")
    with pytest.raises(SettingsError, match=r"^prot in gantry.yaml: unknown setting \(did you mean 'port'\?\)$"):
        load_settings()
    write_yaml(clean_env / "gantry.yaml", "port: [8080\n")
    with pytest.raises(SettingsError, match=r"^gantry.yaml: not valid YAML at line 2, column 1"):
        load_settings()
    write_yaml(clean_env / "gantry.yaml", "- port\n")
    with pytest.raises(SettingsError, match=r"^gantry.yaml: must be a mapping of settings"):
        load_settings()
    with pytest.raises(SettingsError, match=r"^--config: missing.yaml does not exist$"):
        load_settings(config=Path("missing.yaml"))


def test_tls_needs_both_readable_files(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("cert")
    with pytest.raises(SettingsError, match=r"^--tls-cert: HTTPS needs --tls-key / GANTRY_TLS_KEY as well$"):
        load_settings(tls_cert=cert)
    with pytest.raises(SettingsError, match=r"^--tls-key: .*missing.pem is not a readable file$"):
        load_settings(tls_cert=cert, tls_key=tmp_path / "missing.pem")
    assert load_settings(tls_cert=cert, tls_key=cert).tls_key == cert


def test_data_dir_checks_leave_nothing_behind(tmp_path: Path, clean_env: Path) -> None:
    check_data_dir(load_settings())  # ./data does not exist yet but can be created
    assert list(clean_env.iterdir()) == []
    existing = tmp_path / "existing"
    existing.mkdir()
    check_data_dir(load_settings(data_dir=existing))
    assert list(existing.iterdir()) == []

    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(SettingsError, match=r"^--data-dir: .*a-file is not a directory$"):
        check_data_dir(load_settings(data_dir=a_file))
    with pytest.raises(SettingsError, match=r"^--data-dir: .*a-file/data cannot be created: .*a-file is not a dir"):
        check_data_dir(load_settings(data_dir=a_file / "data"))
    with pytest.raises(SettingsError, match=r"^--db: .*/a-file is not a directory$"):
        check_data_dir(load_settings(db=str(a_file / "gantry.db")))


def test_postgres_with_both_keys_needs_no_data_dir(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    settings = load_settings(
        db="postgresql://gantry@db/gantry", data_dir=a_file, jwt_secret=HEX64, encryption_key=HEX64
    )
    check_data_dir(settings)  # nothing to keep on disk: a broken data dir does not matter


# -- `gantry serve` refuses to start -----------------------------------------------------------------------


def unwritable_dir(tmp_path: Path) -> Path:
    """A folder this process cannot write: read-only for a normal user; under /proc for root."""
    if IS_ROOT:
        if not Path("/proc/self").exists():
            pytest.skip("running as root without /proc: no folder is unwritable")
        return Path("/proc/gantry-data")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def unreadable_dir(tmp_path: Path) -> Path:
    if IS_ROOT:
        return Path("/proc/self/gantry-data")
    folder = tmp_path / "no-access"
    folder.mkdir()
    folder.chmod(0o000)
    return folder


def gantry(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `gantry` command (the console script's own entry point) in `cwd` with only `env` set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GANTRY_")}
    return subprocess.run(
        [sys.executable, "-c", "from gantry_core.cli import main; main()", *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def snapshot(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("case", "args", "env", "yaml", "expected"),
    [
        ("port-env", [], {"GANTRY_PORT": "abc"}, None, "GANTRY_PORT: input should be a valid integer"),
        ("port-flag", ["--port", "abc"], {}, None, "--port: input should be a valid integer"),
        ("jwt", [], {"GANTRY_JWT_SECRET": "short"}, None, "GANTRY_JWT_SECRET: must be 64 hexadecimal"),
        ("db", [], {"GANTRY_DB": "mysql://x"}, None, "GANTRY_DB: must be a SQLite file path"),
        ("yaml-syntax", [], {}, "port: [1\n", "gantry.yaml: not valid YAML at line 2"),
        ("yaml-unknown", [], {}, "adminPasword: x\n", "adminPasword in gantry.yaml: unknown setting"),
        ("yaml-value", [], {}, "dev: maybe\n", "dev in gantry.yaml: input should be a valid boolean"),
        ("config-missing", ["--config", "nope.yaml"], {}, None, "--config: nope.yaml does not exist"),
        ("data-dir-file", [], {"GANTRY_DATA_DIR": "gantry.yaml"}, "port: 8080\n", "GANTRY_DATA_DIR: gantry.yaml is"),
        ("data-dir-unwritable", [], {}, None, "GANTRY_DATA_DIR: "),
        ("data-dir-unreadable", [], {}, None, "GANTRY_DATA_DIR: "),
        ("tls", ["--tls-key", "gantry.yaml"], {}, "port: 8080\n", "--tls-key: HTTPS needs --tls-cert"),
    ],
)
def test_serve_stops_with_one_line_and_writes_nothing(
    tmp_path: Path,
    clean_env: Path,
    case: str,
    args: list[str],
    env: dict[str, str],
    yaml: str | None,
    expected: str,
) -> None:
    if case == "data-dir-unwritable":
        env = {"GANTRY_DATA_DIR": str(unwritable_dir(tmp_path) / "data")}
    if case == "data-dir-unreadable":
        env = {"GANTRY_DATA_DIR": str(unreadable_dir(tmp_path))}
    if yaml is not None:
        write_yaml(clean_env / "gantry.yaml", yaml)
    before = snapshot(clean_env)
    try:
        result = gantry("serve", *args, cwd=clean_env, env=env)
    finally:
        for folder in tmp_path.iterdir():
            if folder.is_dir():
                folder.chmod(0o755)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"gantry: {expected}"), lines[0]
    assert result.stdout == ""
    assert snapshot(clean_env) == before
