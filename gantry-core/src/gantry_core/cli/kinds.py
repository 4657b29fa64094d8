"""kubectl-style kind names: the singular, plural or a short alias, in any case (``svc``, ``Services``).

The names come from ``GET /api/v1/schemas`` (plugins add kinds) and are cached for a few minutes per server
in the config folder, so `gantry get` costs one request.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gantry_core.cli.config import config_dir
from gantry_core.cli.errors import CliError

if TYPE_CHECKING:
    from gantry_core.cli.client import Client

CACHE_SECONDS = 300
# F123: the order `apply` writes kinds in; kinds from plugins come after these, by name.
APPLY_ORDER = ("Team", "Environment", "Infrastructure", "Service", "API", "Documentation", "Action")
BUILTIN_PLURALS = ("actions", "apis", "documentation", "environments", "infrastructure", "services", "teams")


@dataclass(frozen=True)
class KindInfo:
    name: str
    plural: str
    short_names: tuple[str, ...] = ()
    list_columns: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {self.name.lower(), self.plural.lower(), *(s.lower() for s in self.short_names)}


class Kinds:
    """The kinds a server knows, looked up by any of their names."""

    def __init__(self, kinds: list[KindInfo]) -> None:
        self.all = kinds
        self._by_name = {n: k for k in kinds for n in k.names()}

    def find(self, text: str) -> KindInfo | None:
        return self._by_name.get(text.strip().lower())

    def describe(self) -> str:
        parts = []
        for k in self.all:
            aliases = [k.plural, *k.short_names]
            parts.append(f"{k.name} ({', '.join(aliases)})")
        return "; ".join(parts)


def apply_rank(kind: str) -> tuple[int, str]:
    """Sort key putting kinds in the F123 order; unknown and plugin kinds last, alphabetically."""
    try:
        return (APPLY_ORDER.index(kind), "")
    except ValueError:
        return (len(APPLY_ORDER), kind.lower())


def _cache_file(server: str) -> Path:
    digest = hashlib.sha256(server.encode()).hexdigest()[:16]
    return config_dir() / "cache" / f"kinds-{digest}.json"


def _parse(items: list[dict[str, Any]]) -> list[KindInfo]:
    return [
        KindInfo(
            name=str(i["kind"]),
            plural=str(i.get("plural") or i["kind"]),
            short_names=tuple(i.get("shortNames") or ()),
            list_columns=tuple(i.get("listColumns") or ()),
        )
        for i in items
        if isinstance(i, dict) and i.get("kind")
    ]


def _read_cache(server: str, max_age: float | None = CACHE_SECONDS) -> list[dict[str, Any]] | None:
    try:
        cached = json.loads(_cache_file(server).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(cached, dict):
        return None
    if max_age is not None and time.time() - float(cached.get("fetchedAt", 0)) > max_age:
        return None
    items = cached.get("kinds")
    return items if isinstance(items, list) else None


def _write_cache(server: str, items: list[dict[str, Any]]) -> None:
    path = _cache_file(server)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.write_text(json.dumps({"server": server, "fetchedAt": time.time(), "kinds": items}), encoding="utf-8")
    except OSError:  # a read-only home folder only costs speed
        pass


def load(client: Client, *, refresh: bool = False) -> Kinds:
    items = None if refresh else _read_cache(client.server)
    if items is None:
        fetched = client.get("/api/v1/schemas")
        keep = ("kind", "plural", "shortNames", "listColumns")
        items = [{k: i.get(k) for k in keep} for i in fetched.get("items", []) if isinstance(i, dict)]
        _write_cache(client.server, items)
    return Kinds(_parse(items))


def resolve(client: Client, text: str) -> KindInfo:
    """The kind `text` names, asking the server again once before calling it unknown."""
    found = load(client).find(text)
    if found is None:
        kinds = load(client, refresh=True)
        found = kinds.find(text)
        if found is None:
            raise CliError(f"unknown kind {text!r}; known kinds: {kinds.describe()}")
    return found


def forget(server: str) -> None:
    _cache_file(server).unlink(missing_ok=True)


def complete(incomplete: str) -> list[str]:
    """Shell completion for KIND: the cached names of the current server (no request), else the built-ins."""
    from gantry_core.cli.config import resolve as resolve_target

    try:
        items = _read_cache(resolve_target().server, max_age=None)
    except CliError:
        items = None
    names = sorted({k.plural.lower() for k in _parse(items)}) if items else list(BUILTIN_PLURALS)
    return [n for n in names if n.startswith(incomplete.lower())]
