"""Where the CLI talks to: named contexts in a config file, and the flag > env > file precedence (F26, F128).

The file lives in the user's config directory (``$XDG_CONFIG_HOME/gantry/config.yaml``, usually
``~/.config/gantry/config.yaml``; the platform's app-data folder on macOS and Windows) and is written with
mode 0600 because it holds tokens. It is YAML; `gantry` writes it in JSON form (which YAML includes) so
that reading it is cheap, and reads it back whichever way a person edited it::

    {"current-context": "localhost-8080",
     "contexts": [{"name": "localhost-8080", "server": "http://localhost:8080", "user": "admin", "token": "eyJ..."}]}
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gantry_core.cli.errors import CliError

DEFAULT_SERVER = "http://localhost:8080"
SERVER_ENV = "GANTRY_SERVER"
TOKEN_ENV = "GANTRY_TOKEN"


def config_dir() -> Path:
    """The user's Gantry config folder (follows XDG_CONFIG_HOME on Linux)."""
    import typer

    return Path(typer.get_app_dir("gantry"))


def config_path() -> Path:
    return config_dir() / "config.yaml"


def normalise_server(value: str) -> str:
    """``localhost:8080`` → ``http://localhost:8080``; no trailing slash. Bad URLs are usage errors."""
    server = value.strip()
    if "://" not in server:
        server = "http://" + server
    try:
        parts = urlsplit(server)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 1) > 0
    except ValueError:  # a port that is not a number
        valid = False
    if not valid:
        raise CliError(f"{value!r} is not a server URL (expected e.g. http://localhost:8080)", exit_code=2)
    return server.rstrip("/")


def context_name_for(server: str) -> str:
    """A context name derived from the server: ``https://gantry.example.com`` → ``gantry.example.com``."""
    parts = urlsplit(server)
    name = parts.hostname or "gantry"
    if parts.port:
        name += f"-{parts.port}"
    return name


@dataclass
class Context:
    name: str
    server: str
    user: str | None = None
    token: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "server": self.server}
        if self.user:
            out["user"] = self.user
        if self.token:
            out["token"] = self.token
        return out


@dataclass
class Config:
    current: str | None = None
    contexts: dict[str, Context] = field(default_factory=dict)
    path: Path = field(default_factory=config_path)

    @classmethod
    def load(cls) -> Config:
        path = config_path()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path=path)
        except OSError as exc:
            raise CliError(f"cannot read {path}: {exc.strerror}") from None
        try:  # written as JSON (which is YAML) so that reading it needs no YAML parser
            raw = json.loads(text)
        except ValueError:
            import yaml

            try:
                raw = yaml.safe_load(text) or {}
            except yaml.YAMLError as exc:
                raise CliError(f"{path} is not valid YAML ({exc}); fix or delete it") from None
        if not isinstance(raw, dict):
            raise CliError(f"{path} should hold a mapping; fix or delete it")
        contexts = {}
        for item in raw.get("contexts") or []:
            if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("server"), str):
                contexts[item["name"]] = Context(
                    name=item["name"],
                    server=item["server"],
                    user=item.get("user") if isinstance(item.get("user"), str) else None,
                    token=item.get("token") if isinstance(item.get("token"), str) else None,
                )
        current = raw.get("current-context")
        return cls(current=current if isinstance(current, str) else None, contexts=contexts, path=path)

    def save(self) -> None:
        """Write the file atomically with mode 0600 (its folder 0700 when we create it)."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        body = {"current-context": self.current, "contexts": [c.as_dict() for c in self.contexts.values()]}
        text = json.dumps(body, indent=2) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".yaml", dir=self.path.parent)
        try:
            os.chmod(tmp, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def current_context(self) -> Context | None:
        return self.contexts.get(self.current) if self.current else None

    def for_server(self, server: str) -> Context | None:
        """The context holding credentials for `server`: the current one if it matches, else the first."""
        current = self.current_context()
        if current is not None and current.server == server:
            return current
        return next((c for c in self.contexts.values() if c.server == server), None)


@dataclass(frozen=True)
class Target:
    """The server to call and the token to send, with where each came from (for error messages)."""

    server: str
    token: str | None
    server_source: str
    token_source: str | None
    context: str | None


def resolve(server_flag: str | None = None, token_flag: str | None = None, context: str | None = None) -> Target:
    """Apply the precedence --server/--token/--context > GANTRY_SERVER/GANTRY_TOKEN > config file > default.

    A token from the config file is only sent to the server it was issued for: with `--server` or
    GANTRY_SERVER naming another server, the context for that server (if any) supplies the token.
    """
    config = Config.load()
    if context is not None:
        chosen = config.contexts.get(context)
        if chosen is None:
            known = ", ".join(sorted(config.contexts)) or "none; run `gantry login`"
            raise CliError(f"no context named {context!r} (contexts: {known})", exit_code=2)
    else:
        chosen = None
    env_server = os.environ.get(SERVER_ENV) or None
    env_token = os.environ.get(TOKEN_ENV) or None
    if server_flag:
        server, server_source = normalise_server(server_flag), "--server"
    elif chosen is not None:
        server, server_source = chosen.server, f"--context {chosen.name}"
    elif env_server:
        server, server_source = normalise_server(env_server), SERVER_ENV
    elif (current := config.current_context()) is not None:
        server, server_source = current.server, f"context {current.name!r}"
    else:
        server, server_source = DEFAULT_SERVER, "default"
    stored = chosen if chosen is not None and chosen.server == server else config.for_server(server)
    if token_flag:
        token, token_source = token_flag, "--token"
    elif chosen is not None and chosen is stored and stored.token:
        token, token_source = stored.token, f"--context {stored.name}"
    elif env_token:
        token, token_source = env_token, TOKEN_ENV
    elif stored is not None and stored.token:
        token, token_source = stored.token, f"context {stored.name!r}"
    else:
        token, token_source = None, None
    return Target(server, token, server_source, token_source, stored.name if stored else None)
