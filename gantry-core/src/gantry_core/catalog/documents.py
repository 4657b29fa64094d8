"""Entity documents: normalise what a client sends, validate it against its kind, hash its content."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from gantry_core.api.errors import GantryError
from gantry_core.plugins.host import PluginHost
from gantry_core.plugins.kinds import API_VERSION, SERVER_MANAGED, RegisteredKind

DEFAULT_NAMESPACE = "default"
_SURROGATE = re.compile("[\ud800-\udfff]")
ORPHANED = "gantry.io/orphaned"


@dataclass(frozen=True)
class Document:
    """A validated entity document ready for the write path."""

    kind: RegisteredKind
    namespace: str
    name: str
    metadata: dict[str, Any]  # without server-managed fields, namespace included
    spec: dict[str, Any]
    content_hash: str
    resource_version: str | None  # as sent by the client, for the conflict check

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind.name, self.namespace, self.name)


class InvalidDocument(GantryError):
    """A document that failed validation: 422 with every failing path."""

    def __init__(self, details: list[dict[str, str]], message: str = "entity failed validation") -> None:
        super().__init__(422, "validation_failed", message, details)


def _text_problem(value: str) -> str | None:
    """Text no database can store faithfully: NUL, or a lone UTF-16 surrogate (not valid Unicode)."""
    if "\x00" in value:
        return "must not contain NUL characters"
    if _SURROGATE.search(value):
        return "must be valid Unicode (a lone surrogate was sent)"
    return None


def _control_chars(value: Any, path: str, found: list[dict[str, str]]) -> None:
    if isinstance(value, str):
        problem = _text_problem(value)
        if problem:
            found.append({"path": path, "message": problem})
    elif isinstance(value, Mapping):
        for key, item in value.items():
            problem = _text_problem(key) if isinstance(key, str) else None
            if problem:
                found.append(
                    {"path": f"{path}/{key.encode('utf-8', 'backslashreplace').decode()}", "message": f"keys {problem}"}
                )
                continue
            _control_chars(item, f"{path}/{key}", found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _control_chars(item, f"{path}/{i}", found)


def _needs_text_check(raw: Any) -> bool:
    """Cheap screen before the walk: orjson refuses lone surrogates and escapes NUL as \\u0000."""
    try:
        return b"\\u0000" in orjson.dumps(raw)
    except (orjson.JSONEncodeError, TypeError):
        return True


def content_hash(kind: str, metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> str:
    payload = orjson.dumps({"k": kind, "m": metadata, "s": spec}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(payload).hexdigest()


def resolve_kind(host: PluginHost, kind: Any) -> RegisteredKind:
    registered = host.kind(kind) if isinstance(kind, str) else None
    if registered is None:
        known = ", ".join(sorted(k.name for k in host.kinds.values()))
        raise InvalidDocument([{"path": "/kind", "message": f"unknown kind; one of: {known}"}], "unknown kind")
    return registered


def parse(
    host: PluginHost,
    raw: Any,
    *,
    kind_hint: RegisteredKind | None = None,
    known_hash: Callable[[tuple[str, str, str]], str | None] | None = None,
    text_checked: bool = False,
) -> Document:
    """Validate `raw` and return a Document; raises InvalidDocument listing every failing path.

    `known_hash` (used by sync jobs) gives the stored content hash of an entity: a document whose content
    hashes the same is what was validated when it was stored, so it is not validated again. With
    `text_checked` the caller vouches that no string in `raw` holds NUL or a lone surrogate (a request body
    screened by `api.json_body`), so the search for them is skipped."""
    if not isinstance(raw, Mapping):
        raise InvalidDocument([{"path": "", "message": "an entity must be a JSON object"}])
    if not text_checked and _needs_text_check(raw):
        nul: list[dict[str, str]] = []
        _control_chars(raw, "", nul)
        if nul:
            raise InvalidDocument(nul)
    registered = kind_hint if kind_hint is not None and "kind" not in raw else resolve_kind(host, raw.get("kind"))
    metadata_in = raw.get("metadata")
    resource_version = None
    if isinstance(metadata_in, Mapping):
        rv = metadata_in.get("resourceVersion")
        resource_version = str(rv) if rv is not None else None
        metadata = {k: v for k, v in metadata_in.items() if k not in SERVER_MANAGED}
        metadata.setdefault("namespace", DEFAULT_NAMESPACE)
    else:
        metadata = metadata_in  # type: ignore[assignment]
    document = {
        "apiVersion": raw.get("apiVersion", API_VERSION),
        "kind": registered.name,
        "metadata": metadata,
        "spec": raw.get("spec", {}),
        **{k: v for k, v in raw.items() if k not in ("apiVersion", "kind", "metadata", "spec")},
    }
    spec = document["spec"]
    digest = None
    if known_hash is not None and isinstance(metadata, Mapping) and isinstance(spec, Mapping):
        key = (registered.name, metadata.get("namespace"), metadata.get("name"))
        if isinstance(key[2], str):
            digest = content_hash(registered.name, metadata, spec)
            if known_hash(key) != digest:  # type: ignore[arg-type]
                digest = None
    if digest is None:
        errors = registered.errors(document)
        if errors:
            raise InvalidDocument(errors)
    spec = dict(spec)
    return Document(
        kind=registered,
        namespace=metadata["namespace"],
        name=metadata["name"],
        metadata=metadata,
        spec=spec,
        content_hash=digest or content_hash(registered.name, metadata, spec),
        resource_version=resource_version,
    )
