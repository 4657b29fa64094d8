"""Server settings: flags > environment (GANTRY_*) > gantry.yaml > defaults (SPEC F18-F25).

Build them with :func:`load_settings`; a bad value raises :class:`SettingsError` whose message is one line
naming the setting as the user wrote it (``--port``, ``GANTRY_PORT`` or ``port in gantry.yaml``) and the
reason. Nothing here touches the disk except reading the settings file and, in :func:`check_data_dir`,
probing (without leaving anything behind) that the data dir can be written.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import yaml
from pydantic import Field, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
SECRET_FIELDS = frozenset({"admin_password", "jwt_secret", "encryption_key"})
_NOT_ECHOED = SECRET_FIELDS | {"db"}  # a database URL may carry a password
CONFIG_FILE = Path("gantry.yaml")
CONFIG_ENV = "GANTRY_CONFIG"


class SettingsError(Exception):
    """A setting is invalid; the message names the setting and the reason, in one line."""


def _snake(key: str) -> str:
    return _CAMEL.sub("_", key).lower()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def env_name(field_name: str) -> str:
    """The environment variable of a setting: ``port`` → ``GANTRY_PORT``."""
    return f"GANTRY_{field_name.upper()}"


@dataclass(frozen=True)
class ConfigFile:
    """What a settings file holds: values by field name and each key as written in the file."""

    path: Path
    values: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)


def read_config_file(path: Path | None = None) -> ConfigFile | None:
    """Read `path` (or $GANTRY_CONFIG, or ./gantry.yaml when present); keys are camelCase or snake_case."""
    if path is None and (from_env := os.environ.get(CONFIG_ENV)):
        path = Path(from_env)
    explicit = path is not None
    path = path if path is not None else CONFIG_FILE
    if not path.exists():
        if explicit:
            raise SettingsError(f"--config: {path} does not exist")
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"--config: cannot read {path} ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        raise SettingsError(f"{path}: not valid YAML{where}{f' ({problem})' if problem else ''}") from None
    if raw is None:
        return ConfigFile(path)
    if not isinstance(raw, dict):
        raise SettingsError(f"{path}: must be a mapping of settings (key: value), not a {type(raw).__name__}")
    known = GantrySettings.model_fields
    config = ConfigFile(path)
    for key, value in raw.items():
        name = _snake(str(key))
        if name not in known:
            camel = [_camel(n) for n in known]
            close = difflib.get_close_matches(str(key), camel, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; known settings: {', '.join(sorted(camel))}"
            raise SettingsError(f"{key} in {path}: unknown setting{hint}")
        if value is None:  # `key:` with nothing after it means "not set"
            continue
        config.values[name] = value
        config.keys[name] = str(key)
    return config


_config_file: ContextVar[ConfigFile | None] = ContextVar("gantry_config_file", default=None)


class GantrySettings(BaseSettings):
    """Everything the server reads at start-up. Build with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="GANTRY_", extra="forbid", validate_default=True, populate_by_name=True
    )

    host: str = Field("127.0.0.1", description="Interface to listen on")
    port: int = Field(8080, ge=1, le=65535, description="TCP port")
    db: str = Field("", description="SQLite path or postgres:// URL; default $GANTRY_DATA_DIR/gantry.db")
    db_pool_size: int = Field(
        16,
        ge=1,
        le=1000,
        description="PostgreSQL: connections each process keeps for transactions, and as many again for lookups",
    )
    dev: bool = Field(False, description="Development mode: verbose logs, CORS for all origins")
    admin_password: SecretStr = Field(SecretStr("changeme"), description="First-run admin password")
    jwt_secret: SecretStr | None = Field(None, description="HMAC-SHA256 JWT secret (64 hex)")
    data_dir: Path = Field(Path("./data"), description="Folder for gantry.db, jwt.secret, encryption.key")
    encryption_key: SecretStr | None = Field(None, description="AES-256-GCM key for plugin secrets (64 hex)")
    rate_limit: int = Field(600, ge=0, description="Requests per minute per principal; 0 turns it off")
    tls_cert: Path | None = Field(None, description="TLS certificate (PEM) to serve HTTPS")
    tls_key: Path | None = Field(None, description="TLS private key (PEM)")
    plugins_block: list[str] = Field(default_factory=list, description="Plugin ids never loaded (comma list)")
    plugins_allow: list[str] = Field(
        default_factory=list, description="If set, only these plugin ids are loaded (comma list)"
    )
    plugins_on_error: Literal["fail", "skip"] = Field(
        "fail", description="A plugin that fails to load stops start-up (fail) or is shown as error (skip)"
    )
    argon2_memory_kib: int = Field(
        65_536, ge=1024, le=4_194_304, description="argon2id memory cost of new password hashes (KiB)"
    )
    argon2_time_cost: int = Field(3, ge=1, le=20, description="argon2id passes of new password hashes")
    log_level: Literal["debug", "info", "warning", "error"] = Field("info", description="Log level")
    demo: bool = Field(False, description="Load the demo catalog into an empty database")
    healthcheck_allow_private: bool = Field(
        False, description="Let the health-check proxy reach loopback and private addresses (never link-local)"
    )
    webhook_allow_private: bool = Field(
        False, description="Let webhook actions reach loopback and private addresses (never link-local)"
    )

    _labels: dict[str, str] = PrivateAttr(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config = _config_file.get() or read_config_file()
        return (init_settings, _GantryEnv(settings_cls), _ConfigFileSource(settings_cls, config))

    @field_validator("jwt_secret", "encryption_key")
    @classmethod
    def _hex64(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or value.get_secret_value() == "":
            return None
        if not re.fullmatch(r"[0-9a-fA-F]{64}", value.get_secret_value()):
            raise ValueError("must be 64 hexadecimal characters (32 bytes), e.g. from `openssl rand -hex 32`")
        return value

    @field_validator("plugins_block", "plugins_allow", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("log_level", "plugins_on_error", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("data_dir", "tls_cert", "tls_key")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @field_validator("db")
    @classmethod
    def _db_url(cls, value: str) -> str:
        if value.startswith(("postgres://", "postgresql://")):
            parts = urlsplit(value)
            if not parts.hostname and not parts.path.strip("/"):
                raise ValueError("a PostgreSQL URL needs a host or a database, e.g. postgresql://user@host/gantry")
            for key, item in parse_qsl(parts.query, keep_blank_values=True):
                if key == "schema" and not _SCHEMA_NAME.match(item):
                    raise ValueError(f"?schema={item} must be a plain lowercase identifier")
            return value
        if "://" in value and not value.startswith("sqlite://"):
            raise ValueError("must be a SQLite file path or a postgres:// / postgresql:// URL")
        return value

    @property
    def is_postgres(self) -> bool:
        return self.db.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file, or None on PostgreSQL (or an in-memory SQLite URL)."""
        if self.is_postgres:
            return None
        if not self.db:
            return self.data_dir / "gantry.db"
        if self.db.startswith("sqlite://"):
            path = self.db.removeprefix("sqlite://").removeprefix("/")
            return Path(path).expanduser() if path and ":memory:" not in path else None
        return Path(self.db).expanduser()

    @property
    def database_url(self) -> str:
        """The SQLAlchemy async URL of the database."""
        from gantry_core.db.engine import async_url

        return async_url(self.db or str(self.data_dir / "gantry.db"))

    def label(self, field_name: str) -> str:
        """How the user set `field_name`: ``--port``, ``GANTRY_PORT`` or ``port in gantry.yaml``."""
        return self._labels.get(field_name, env_name(field_name))


class _GantryEnv(PydanticBaseSettingsSource):
    """GANTRY_* environment variables, read as plain strings; lists are comma separated, empty is unset."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return os.environ.get(env_name(field_name)) or None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return {name: value for name in self.settings_cls.model_fields if (value := os.environ.get(env_name(name)))}


class _ConfigFileSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], config: ConfigFile | None) -> None:
        super().__init__(settings_cls)
        self.values = dict(config.values) if config else {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.values)


def _labels(flags: dict[str, Any], config: ConfigFile | None) -> dict[str, str]:
    labels: dict[str, str] = {}
    for name in GantrySettings.model_fields:
        if name in flags:
            labels[name] = f"--{name.replace('_', '-')}"
        elif os.environ.get(env_name(name)):
            labels[name] = env_name(name)
        elif config is not None and name in config.keys:
            labels[name] = f"{config.keys[name]} in {config.path}"
    return labels


def _reason(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def load_settings(config: Path | None = None, **overrides: Any) -> GantrySettings:
    """Build settings with flags (``overrides``, ``None`` meaning unset) on top; raise SettingsError."""
    flags = {key: value for key, value in overrides.items() if value is not None}
    config_file = read_config_file(config)
    labels = _labels(flags, config_file)
    token = _config_file.set(config_file or ConfigFile(CONFIG_FILE))
    try:
        settings = GantrySettings(**flags)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "settings"
        label = labels.get(name, env_name(name) if name in GantrySettings.model_fields else name)
        shown = "" if name in _NOT_ECHOED or error["type"] == "extra_forbidden" else f" (got {error['input']!r})"
        raise SettingsError(f"{label}: {_reason(error)}{shown}") from None
    finally:
        _config_file.reset(token)
    settings._labels = labels
    _check_tls(settings)
    return settings


def _check_tls(settings: GantrySettings) -> None:
    if (settings.tls_cert is None) != (settings.tls_key is None):
        given, missing = ("tls_cert", "tls_key") if settings.tls_key is None else ("tls_key", "tls_cert")
        flag, env = f"--{missing.replace('_', '-')}", env_name(missing)
        raise SettingsError(f"{settings.label(given)}: HTTPS needs {flag} / {env} as well")
    for name in ("tls_cert", "tls_key"):
        path: Path | None = getattr(settings, name)
        if path is not None and not (path.is_file() and os.access(path, os.R_OK)):
            raise SettingsError(f"{settings.label(name)}: {path} is not a readable file")


def check_data_dir(settings: GantrySettings) -> None:
    """The data dir (and the SQLite file's folder) must be, or become, a folder Gantry can write.

    Probes by creating and removing a temporary file or folder, so a read-only mount or a path that
    cannot be created is refused before anything is written.
    """
    needs_dir = not settings.is_postgres or settings.jwt_secret is None or settings.encryption_key is None
    if needs_dir:
        _check_writable_dir(settings.data_dir, settings.label("data_dir"))
    sqlite = settings.sqlite_path
    if sqlite is not None and settings.db:
        if sqlite.exists() and not sqlite.is_file():
            raise SettingsError(f"{settings.label('db')}: {sqlite} is not a file")
        if sqlite.parent.resolve() != settings.data_dir.resolve():
            _check_writable_dir(sqlite.parent, settings.label("db"))


def _check_writable_dir(path: Path, label: str) -> None:
    if path.exists():
        if not path.is_dir():
            raise SettingsError(f"{label}: {path} is not a directory")
        if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
            raise SettingsError(f"{label}: {path} is not readable and writable")
        try:
            handle, probe = tempfile.mkstemp(prefix=".gantry-probe-", dir=path)
        except OSError as exc:
            raise SettingsError(f"{label}: {path} is not writable ({exc.strerror})") from None
        os.close(handle)
        os.unlink(probe)
        return
    parent = next((p for p in path.absolute().parents if p.exists()), None)
    if parent is None or not parent.is_dir():
        raise SettingsError(f"{label}: {path} cannot be created: {parent} is not a directory")
    try:
        Path(tempfile.mkdtemp(prefix=".gantry-probe-", dir=parent)).rmdir()
    except OSError as exc:
        raise SettingsError(f"{label}: {path} cannot be created in {parent} ({exc.strerror})") from None
