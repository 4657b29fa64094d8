"""JWT sessions (HS256, 24 h) and the secret that signs them (F22)."""

from __future__ import annotations

import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt

TOKEN_TTL = timedelta(hours=24)
ALGORITHM = "HS256"


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    username: str
    role: str
    version: int
    expires_at: datetime


def load_or_create_secret(configured: str | None, data_dir: Path) -> str:
    """The configured secret, else the one kept at ``$GANTRY_DATA_DIR/jwt.secret`` (created once, 0600)."""
    if configured:
        return configured
    path = data_dir / "jwt.secret"
    try:
        value = path.read_text(encoding="ascii").strip()
        if len(value) == 64:
            return value
    except FileNotFoundError:
        pass
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    return value


def issue(secret: str, *, user_id: int, username: str, role: str, version: int) -> tuple[str, datetime]:
    now = datetime.now(UTC)
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
            options={"require": ["sub", "exp", "iat", "jti"]},
        )
        return TokenClaims(
            user_id=int(claims["sub"]),
            username=str(claims.get("username", "")),
            role=str(claims.get("role", "")),
            version=int(claims.get("ver", -1)),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return None
