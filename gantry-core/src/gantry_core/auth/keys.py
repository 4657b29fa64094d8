"""API keys: ``gantry_`` + 64 hex from a CSPRNG, stored as SHA-256 only (F68)."""

from __future__ import annotations

import hashlib
import re
import secrets

KEY_PREFIX = "gantry_"
KEY_PATTERN = re.compile(r"^gantry_[0-9a-f]{64}$")


def generate() -> str:
    return KEY_PREFIX + secrets.token_hex(32)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii", "replace")).hexdigest()


def display_prefix(key: str) -> str:
    return key[: len(KEY_PREFIX) + 6]
