"""Server settings: flags > environment (GANTRY_*) > gantry.yaml > defaults (SPEC F18-F25)."""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


class SettingsError(Exception):
    """A setting is invalid; the message names the setting and the reason, in one line."""


def _snake(key: str) -> str:
    return _CAMEL.sub("_", key).lower()


class YamlFileSource(PydanticBaseSettingsSource):
    """Reads `gantry.yaml` (camelCase or snake_case keys) from the working directory or `--config`."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self.path = path
        self._data = self._load()

    def _load(self) -> dict[str, Any]:
        explicit = self.path is not None
        path = self.path if explicit else Path("gantry.yaml")
        assert path is not None
        if not path.exists():
            if explicit:
                raise SettingsError(f"config: {path} does not exist")
            return {}
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"config: cannot read {path} ({exc})") from exc
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise SettingsError(f"config: {path} is not valid YAML{where}") from exc
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise SettingsError(f"config: {path} must hold a mapping of settings, not {type(raw).__name__}")
        known = set(self.settings_cls.model_fields)
        data: dict[str, Any] = {}
        for key, value in raw.items():
            name = _snake(str(key))
            if name not in known:
                raise SettingsError(f"config: unknown setting {key!r} in {path}")
            data[name] = value
        return data

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


_config_path: ContextVar[Path | None] = ContextVar("gantry_config_path", default=None)


class GantrySettings(BaseSettings):
    """Everything the server reads at start-up. Build with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="GANTRY_", extra="forbid", validate_default=True, populate_by_name=True
    )

    host: str = Field("127.0.0.1", description="Interface to listen on")
    port: int = Field(8080, ge=1, le=65535, description="TCP port")
    db: str = Field("", description="SQLite path or postgres:// URL; default $GANTRY_DATA_DIR/gantry.db")
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
    log_level: Literal["debug", "info", "warning", "error"] = Field("info", description="Log level")
    demo: bool = Field(False, description="Load the demo catalog into an empty database")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_path = _config_path.get() or (Path(p) if (p := os.environ.get("GANTRY_CONFIG")) else None)
        return (init_settings, _CommaListEnv(settings_cls), YamlFileSource(settings_cls, config_path))

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

    @field_validator("db")
    @classmethod
    def _db_url(cls, value: str) -> str:
        if "://" in value and not value.startswith(("postgres://", "postgresql://", "sqlite://")):
            raise ValueError("must be a SQLite file path or a postgres:// / postgresql:// URL")
        return value

    @model_validator(mode="after")
    def _tls_pair(self) -> GantrySettings:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key must be given together")
        for path in (self.tls_cert, self.tls_key):
            if path is not None and not path.is_file():
                raise ValueError(f"{path} is not a readable file")
        return self

    @property
    def is_postgres(self) -> bool:
        return self.db.startswith(("postgres://", "postgresql://"))

    @property
    def database_url(self) -> str:
        """The SQLAlchemy async URL of the database."""
        from gantry_core.db.engine import async_url

        return async_url(self.db or str(self.data_dir / "gantry.db"))


class _CommaListEnv(PydanticBaseSettingsSource):
    """GANTRY_* environment variables, read as plain strings (lists are comma separated)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return os.environ.get(f"GANTRY_{field_name.upper()}"), field_name, False

    def __call__(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in self.settings_cls.model_fields:
            value = os.environ.get(f"GANTRY_{name.upper()}")
            if value is not None:
                data[name] = value
        return data


def load_settings(config: Path | None = None, **overrides: Any) -> GantrySettings:
    """Build settings with flags (``overrides``, ``None`` meaning unset) on top; raise SettingsError."""
    flags = {key: value for key, value in overrides.items() if value is not None}
    token = _config_path.set(config)
    try:
        return GantrySettings(**flags)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(part) for part in err["loc"]) or "settings"
        env = f"GANTRY_{loc.upper()}" if loc in GantrySettings.model_fields else loc
        message = str(err["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{env}: {message}") from None
    finally:
        _config_path.reset(token)


def check_data_dir(settings: GantrySettings) -> None:
    """The data dir must exist (or be creatable) and be writable when SQLite or generated keys need it."""
    path = settings.data_dir
    needs_dir = not settings.is_postgres or settings.jwt_secret is None or settings.encryption_key is None
    if not needs_dir:
        return
    if path.exists() and not path.is_dir():
        raise SettingsError(f"GANTRY_DATA_DIR: {path} is not a directory")
    probe = path if path.exists() else next((p for p in path.parents if p.exists()), Path("."))
    if not os.access(probe, os.W_OK | os.X_OK):
        raise SettingsError(f"GANTRY_DATA_DIR: {path} is not writable")
