"""Password hashing with libpass: argon2id for new hashes, bcrypt accepted and upgraded on login."""

from __future__ import annotations

from functools import lru_cache

from passlib.context import CryptContext

MIN_LENGTH = 8
MAX_BYTES = 1024


@lru_cache(maxsize=1)
def context() -> CryptContext:
    return CryptContext(schemes=["argon2", "bcrypt"], deprecated=["bcrypt"], argon2__type="ID")


def password_problem(password: str) -> str | None:
    """Why `password` is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password.encode("utf-8")) > MAX_BYTES:
        return f"must be at most {MAX_BYTES} bytes"
    if "\x00" in password:
        return "must not contain NUL characters"
    return None


def hash_password(password: str) -> str:
    return str(context().hash(password))


def verify(password: str, stored: str | None) -> tuple[bool, str | None]:
    """Check `password`; returns (ok, new hash when the stored one should be upgraded)."""
    if not stored:
        # Spend the same time as a real check so a missing user cannot be told apart by timing.
        context().verify(password, _dummy_hash())
        return False, None
    if len(password.encode("utf-8")) > MAX_BYTES:
        context().verify("x" * MIN_LENGTH, _dummy_hash())
        return False, None
    ok, new_hash = context().verify_and_update(password, stored)
    return bool(ok), new_hash


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("gantry-timing-equaliser")
