"""Entity kinds as the core uses them: the JSON Schema (draft 2020-12) and one compiled validator each."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import jsonschema_rs

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError as SchemaError

from gantry_core.plugins.types import KIND_NAME, EntityKind

API_VERSION = "gantry.io/v1"
NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
LABEL_KEY_PATTERN = r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
SERVER_MANAGED = ("createdAt", "updatedAt", "createdBy", "resourceVersion", "managedBy")


def _str(description: str, max_length: int, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, "description": description, **extra}


METADATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Identity and descriptive data common to every kind",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": _str("Unique name within kind and namespace: lowercase kebab-case", 63, pattern=NAME_PATTERN),
        "namespace": _str("Logical group, `default` when absent", 63, pattern=NAME_PATTERN),
        "title": _str("Human-friendly display name", 255),
        "description": _str("What this is, in a sentence or two", 10_000),
        "owner": _str("Name of the owning Team", 63, pattern=NAME_PATTERN),
        "tags": {
            "type": "array",
            "description": "Free-form lowercase tags",
            "maxItems": 64,
            "uniqueItems": True,
            "items": _str("A tag", 63, pattern=r"^[a-z0-9][a-z0-9+#._-]*$"),
        },
        "labels": {
            "type": "object",
            "description": "Key/value pairs to select by (`label=key=value`)",
            "maxProperties": 64,
            "propertyNames": {"maxLength": 253, "pattern": LABEL_KEY_PATTERN},
            "additionalProperties": _str("Label value", 253),
        },
        "annotations": {
            "type": "object",
            "description": "Key/value data for tools and plugins (e.g. `github.com/repo`)",
            "maxProperties": 256,
            "propertyNames": {"maxLength": 253, "pattern": LABEL_KEY_PATTERN},
            "additionalProperties": _str("Annotation value", 65_536),
        },
        "createdAt": _str("Set by the server (RFC 3339)", 64),
        "updatedAt": _str("Set by the server (RFC 3339)", 64),
        "createdBy": _str("Set by the server: who created it", 150),
        "resourceVersion": _str("Set by the server; send it back to detect concurrent edits", 32),
        "managedBy": _str("Set by the server: the plugin whose sync wrote it", 63),
    },
}


def _simplify(node: Any) -> Any:
    """Collapse pydantic's ``anyOf: [X, {type: null}]`` for optional fields into X (absent = unset)."""
    if isinstance(node, list):
        return [_simplify(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _simplify(value) for key, value in node.items()}
    any_of = node.get("anyOf")
    if isinstance(any_of, list):
        rest = [item for item in any_of if item != {"type": "null"}]
        if len(rest) == 1 and len(rest) < len(any_of):
            merged = {**rest[0], **{k: v for k, v in node.items() if k != "anyOf"}}
            if merged.get("default", 0) is None:
                merged.pop("default")
            return merged
    if node.get("default", 0) is None:
        node.pop("default")
    return node


_ACRONYMS = {"url": "URL", "urls": "URLs", "api": "API", "apis": "APIs", "id": "ID", "ids": "IDs"}


def _label(field_name: str) -> str:
    """A form label from a camelCase field name: ``healthCheckUrl`` → ``Health check URL``."""
    words = [w.lower() for w in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", field_name)] or [field_name]
    words = [_ACRONYMS.get(w, w) for w in words]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


def _label_fields(node: Any) -> None:
    """Replace pydantic's generated titles (``Repourl``) with readable labels; explicit titles stay."""
    if isinstance(node, list):
        for item in node:
            _label_fields(item)
    if not isinstance(node, dict):
        return
    props = node.get("properties")
    if isinstance(props, dict):
        for name, sub in props.items():
            generated = name.replace("_", " ").title()
            if isinstance(sub, dict) and sub.get("title", generated) == generated:
                sub["title"] = _label(name)
    for value in node.values():
        _label_fields(value)


def _missing_descriptions(node: Any, path: str = "") -> list[str]:
    missing: list[str] = []
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for name, sub in props.items():
                if isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                    missing.append(f"{path}/{name}")
        for key, value in node.items():
            missing.extend(_missing_descriptions(value, f"{path}/{key}" if key != "properties" else path))
    elif isinstance(node, list):
        for item in node:
            missing.extend(_missing_descriptions(item, path))
    return missing


def spec_schema(kind: EntityKind) -> dict[str, Any]:
    schema: dict[str, Any] = _simplify(kind.spec_model.model_json_schema(mode="validation"))
    schema.pop("title", None)
    _label_fields(schema)
    if schema.get("additionalProperties") is not False:
        raise ValueError("the spec model must forbid extra fields (model_config extra='forbid')")
    missing = _missing_descriptions(schema)
    if missing:
        raise ValueError(f"every spec field needs a description; missing at {', '.join(sorted(missing))}")
    schema.setdefault("description", kind.description)
    return schema


def entity_schema(kind: EntityKind) -> dict[str, Any]:
    """The JSON Schema of a whole entity document of `kind`."""
    spec = spec_schema(kind)
    defs = spec.pop("$defs", {})
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": kind.name,
        "description": kind.description,
        "type": "object",
        "additionalProperties": False,
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": API_VERSION, "description": f"Always `{API_VERSION}`"},
            "kind": {"const": kind.name, "description": "The kind of entity"},
            "metadata": copy.deepcopy(METADATA_SCHEMA),
            "spec": spec,
        },
    }
    if defs:
        schema["$defs"] = defs
    return schema


@dataclass(frozen=True)
class RegisteredKind:
    """A kind with its owning plugin, JSON Schema and compiled validator."""

    kind: EntityKind
    plugin_id: str
    schema: dict[str, Any]
    fast: Any  # jsonschema_rs validator of the same schema

    @cached_property
    def validator(self) -> Draft202012Validator:
        """The pure-Python validator that explains failures; built (and imported) the first time one occurs."""
        from jsonschema import Draft202012Validator

        return Draft202012Validator(self.schema)

    @property
    def name(self) -> str:
        return self.kind.name

    def errors(self, document: Any) -> list[dict[str, str]]:
        """Every failing JSON path of `document`, as ``[{path, message}]`` sorted by path.

        The compiled Rust validator (jsonschema-rs, ~50x faster) answers "valid?" first; only an invalid
        document is walked by `jsonschema`, whose errors name every failing path with clear messages.
        """
        if self.fast.is_valid(document):
            return []
        details = [d for err in self.validator.iter_errors(document) for d in _details(err)]
        # jsonschema reports each missing required field on its own; _details lists them all every time.
        unique = {(d["path"], d["message"]): d for d in details}
        return sorted(unique.values(), key=lambda d: d["path"])


def _pointer(parts: Any) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts)


def _details(err: SchemaError) -> list[dict[str, str]]:
    path = _pointer(err.absolute_path)
    if err.validator == "required" and isinstance(err.instance, dict):
        missing = [name for name in err.validator_value if name not in err.instance]
        return [{"path": f"{path}{_pointer([name])}", "message": "is required"} for name in missing]
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        extra = [name for name in err.instance if name not in allowed]
        return [{"path": f"{path}{_pointer([name])}", "message": "is not an allowed field"} for name in extra]
    if err.validator == "enum":
        allowed_values = ", ".join(str(v) for v in err.validator_value)
        return [{"path": path, "message": f"must be one of: {allowed_values}"}]
    if err.validator == "const":
        return [{"path": path, "message": f"must be {err.validator_value!r}"}]
    if err.validator == "pattern":
        return [{"path": path, "message": f"does not match {err.validator_value}"}]
    return [{"path": path, "message": err.message}]


def register_kind(kind: EntityKind, plugin_id: str) -> RegisteredKind:
    if not KIND_NAME.match(kind.name):
        raise ValueError(f"kind name must match {KIND_NAME.pattern}")
    schema = entity_schema(kind)
    try:  # against the draft 2020-12 meta-schema; jsonschema's check_schema costs ~80 ms a kind at every start
        jsonschema_rs.meta.validate(schema)
    except jsonschema_rs.ValidationError as exc:
        raise ValueError(f"invalid JSON Schema at {_pointer(exc.instance_path) or '/'}: {exc.message}") from None
    fast = jsonschema_rs.Draft202012Validator(schema)
    return RegisteredKind(kind, plugin_id, schema, fast)
