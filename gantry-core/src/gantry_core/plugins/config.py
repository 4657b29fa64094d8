"""Plugin configuration: validated against the plugin's model; `SecretStr` values stored encrypted.

Stored form (the `plugins.config` JSON): the model's JSON dump with each secret replaced by
``{"$secret": "<AES-256-GCM ciphertext>"}``. Read form: secrets shown as ``__GANTRY_SECRET_REDACTED__``.
A PUT that sends the placeholder keeps the stored secret at that path (F94).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, SecretBytes, SecretStr, ValidationError

from gantry_core.api.errors import GantryError, json_pointer
from gantry_core.crypto import Cipher, DecryptionError

REDACTED = "__GANTRY_SECRET_REDACTED__"
_SECRET_KEY = "$secret"


def _context(plugin_id: str, path: str) -> str:
    return f"plugin:{plugin_id}:{path}"


def _is_stored_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {_SECRET_KEY}


def redact(stored: Any) -> Any:
    """The stored config with every secret replaced by the placeholder."""
    if _is_stored_secret(stored):
        return REDACTED
    if isinstance(stored, Mapping):
        return {k: redact(v) for k, v in stored.items()}
    if isinstance(stored, list):
        return [redact(v) for v in stored]
    return stored


def decrypt(stored: Any, cipher: Cipher | None, plugin_id: str, path: str = "") -> Any:
    """The stored config with secrets decrypted (raises DecryptionError)."""
    if _is_stored_secret(stored):
        if cipher is None:
            raise DecryptionError("no usable encryption key")
        return cipher.decrypt_text(stored[_SECRET_KEY], _context(plugin_id, path))
    if isinstance(stored, Mapping):
        return {k: decrypt(v, cipher, plugin_id, f"{path}/{k}") for k, v in stored.items()}
    if isinstance(stored, list):
        return [decrypt(v, cipher, plugin_id, f"{path}/{i}") for i, v in enumerate(stored)]
    return stored


def _keep_placeholders(incoming: Any, stored: Any, path: str, missing: list[str]) -> Any:
    """Replace placeholders in `incoming` by the stored (still encrypted) secret at the same path."""
    if incoming == REDACTED:
        if _is_stored_secret(stored):
            return stored
        missing.append(path or "/")
        return incoming
    if isinstance(incoming, Mapping):
        old = stored if isinstance(stored, Mapping) else {}
        return {k: _keep_placeholders(v, old.get(k), f"{path}/{k}", missing) for k, v in incoming.items()}
    if isinstance(incoming, list):
        old_list = stored if isinstance(stored, list) else []
        return [
            _keep_placeholders(v, old_list[i] if i < len(old_list) else None, f"{path}/{i}", missing)
            for i, v in enumerate(incoming)
        ]
    return incoming


def _encrypt_secrets(value: Any, cipher: Cipher, plugin_id: str, path: str) -> Any:
    if isinstance(value, SecretStr | SecretBytes):
        raw = value.get_secret_value()
        text = raw.decode() if isinstance(raw, bytes) else raw
        return {_SECRET_KEY: cipher.encrypt_text(text, _context(plugin_id, path))}
    if isinstance(value, BaseModel):
        return {
            name: _encrypt_secrets(getattr(value, name), cipher, plugin_id, f"{path}/{name}")
            for name in type(value).model_fields
        }
    if isinstance(value, Mapping):
        return {k: _encrypt_secrets(v, cipher, plugin_id, f"{path}/{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encrypt_secrets(v, cipher, plugin_id, f"{path}/{i}") for i, v in enumerate(value)]
    return _plain(value)


def _plain(value: Any) -> Any:
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(value)


def validate(model: type[BaseModel], plugin_id: str, incoming: Any, stored: Any, cipher: Cipher | None) -> Any:
    """Validate a config sent by a client; returns the form to store. 422 with every failing path."""
    if not isinstance(incoming, Mapping):
        raise GantryError(
            422, "validation_failed", "config must be a JSON object", [{"path": "", "message": "must be an object"}]
        )
    missing: list[str] = []
    merged = _keep_placeholders(incoming, stored or {}, "", missing)
    if missing:
        raise GantryError(
            422,
            "validation_failed",
            "a secret placeholder was sent where no secret is stored",
            [{"path": p, "message": "no stored secret to keep; send the value"} for p in missing],
        )
    try:
        plain = decrypt(merged, cipher, plugin_id)
    except DecryptionError as exc:
        raise GantryError(409, "conflict", f"stored secrets cannot be decrypted: {exc}") from None
    try:
        parsed = model.model_validate(plain)
    except ValidationError as exc:
        details = [{"path": json_pointer(err["loc"]), "message": err["msg"]} for err in exc.errors()]
        raise GantryError(422, "validation_failed", "plugin config failed validation", details) from None
    if cipher is None and _has_secrets(parsed):
        raise GantryError(409, "conflict", "secrets cannot be stored: no usable encryption key")
    assert cipher is not None or not _has_secrets(parsed)
    return _encrypt_secrets(parsed, cipher, plugin_id, "") if cipher else _plain(parsed.model_dump(mode="json"))


def _has_secrets(value: Any) -> bool:
    if isinstance(value, SecretStr | SecretBytes):
        return True
    if isinstance(value, BaseModel):
        return any(_has_secrets(getattr(value, n)) for n in type(value).model_fields)
    if isinstance(value, Mapping):
        return any(_has_secrets(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_secrets(v) for v in value)
    return False


def load(model: type[BaseModel] | None, plugin_id: str, stored: Any, cipher: Cipher | None) -> BaseModel | None:
    """The plugin's config as its model (secrets decrypted); None when the plugin has no model.
    Raises DecryptionError or pydantic.ValidationError when the stored config is unusable."""
    if model is None:
        return None
    return model.model_validate(decrypt(stored or {}, cipher, plugin_id))
