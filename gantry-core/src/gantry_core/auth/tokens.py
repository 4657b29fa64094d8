"""JWT sessions (HS256, 24 h) and the secret that signs them (F22)."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt

TOKEN_TTL = timedelta(hours=24)
ALGORITHM = "HS256"
MAX_ID = 2**63 - 1
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    username: str
    role: str
    version: int
    expires_at: datetime


def load_or_create_secret(configured: str | None, data_dir: Path) -> str:
    """The configured secret, else the one kept at ``$GANTRY_DATA_DIR/jwt.secret`` (created once, 0600).

    Two processes starting together on one data dir agree: the file is created exclusively and the
    loser of the race reads the winner's secret. A damaged file (not 64 hex) is replaced.
    """
    if configured:
        return configured
    path = data_dir / "jwt.secret"
    for _ in range(3):
        existing = _read_secret(path)
        if existing is not None:
            return existing
        value = secrets.token_hex(32)
        if path.exists():  # damaged: replace it in one step, keeping the mode
            tmp = path.with_name(f".jwt.secret.{secrets.token_hex(4)}")
            _write_new(tmp, value)
            os.replace(tmp, path)
            return value
        try:
            _write_new(path, value)
        except FileExistsError:  # another process won the race: use its secret
            continue
        return value
    raise RuntimeError(f"cannot create {path}")


def _read_secret(path: Path) -> str | None:
    try:
        value = path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    if _HEX64.fullmatch(value) is None:
        return None
    if path.stat().st_mode & 0o077:
        with contextlib.suppress(OSError):  # not ours to fix (another owner); still usable
            os.chmod(path, 0o600)
    return value


def _write_new(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")


def issue(secret: str, *, user_id: int, username: str, role: str, version: int) -> tuple[str, datetime]:
    now = datetime.now(UTC).replace(microsecond=0)
    expires = now + TOKEN_TTL
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "username": username,
        "role": role,
        "ver": version,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM), expires


def decode(secret: str, token: str) -> TokenClaims | None:
    """The claims of a valid token, or None for any bad token (alg none, wrong signature, expired...)."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp", "iat", "jti", "ver"]},
        )
        user_id = int(claims["sub"])
        if not 0 < user_id <= MAX_ID:
            return None
        return TokenClaims(
            user_id=user_id,
            username=str(claims.get("username", "")),
            role=str(claims.get("role", "")),
            version=int(claims["ver"]),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return None
