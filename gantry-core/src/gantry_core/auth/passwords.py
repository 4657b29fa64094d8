"""Password hashing with libpass: argon2id for new hashes, bcrypt accepted and upgraded on login."""

from __future__ import annotations

import logging
from functools import lru_cache

from passlib.context import CryptContext

MIN_LENGTH = 8
MAX_BYTES = 1024
_BCRYPT = ("$2a$", "$2b$", "$2y$")
_BCRYPT_MAX_BYTES = 72
log = logging.getLogger("gantry.auth")


#: argon2id cost of new hashes: memory in KiB and passes (GANTRY_ARGON2_MEMORY_KIB / GANTRY_ARGON2_TIME_COST).
_cost = {"memory_cost": 65_536, "rounds": 3}


def configure(memory_kib: int, time_cost: int) -> None:
    """Set the cost of new hashes (at start-up). Stored hashes keep their own cost and are re-hashed at
    the next sign-in when it differs, so lowering or raising it needs no migration."""
    if (memory_kib, time_cost) != (_cost["memory_cost"], _cost["rounds"]):
        _cost.update(memory_cost=memory_kib, rounds=time_cost)
        context.cache_clear()
        _dummy_hash.cache_clear()


@lru_cache(maxsize=1)
def context() -> CryptContext:
    return CryptContext(
        schemes=["argon2", "bcrypt"],
        deprecated=["bcrypt"],
        argon2__type="ID",
        argon2__memory_cost=_cost["memory_cost"],
        argon2__rounds=_cost["rounds"],
    )


def password_problem(password: str) -> str | None:
    """Why `password` is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    try:
        size = len(password.encode("utf-8"))
    except UnicodeEncodeError:
        return "must be valid Unicode text"
    if size > MAX_BYTES:
        return f"must be at most {MAX_BYTES} bytes"
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        return "must not contain control characters such as NUL"
    return None


def hash_password(password: str) -> str:
    return str(context().hash(password))


def verify(password: str, stored: str | None) -> tuple[bool, str | None]:
    """Check `password`; returns (ok, new hash when the stored one should be upgraded).

    Never raises for odd input: an unknown or damaged stored hash, a password that is not valid
    Unicode or too long are all a plain failure, at the cost of one real check (same timing).
    """
    try:
        secret = password.encode("utf-8")
    except UnicodeEncodeError:
        secret = b""
        stored = None
    if not stored or not secret or len(secret) > MAX_BYTES:
        # Spend the same time as a real check so a missing user cannot be told apart by timing.
        context().verify("x" * MIN_LENGTH, _dummy_hash())
        return False, None
    try:
        if stored.startswith(_BCRYPT) and len(secret) > _BCRYPT_MAX_BYTES:
            # bcrypt only ever read the first 72 bytes; the upgraded hash covers the whole password.
            ok = bool(context().verify(secret[:_BCRYPT_MAX_BYTES], stored))
            return ok, hash_password(password) if ok else None
        ok, new_hash = context().verify_and_update(secret, stored)
    except (ValueError, TypeError):  # a hash we cannot read (another scheme, damaged)
        log.warning("a stored password hash could not be read; the sign-in fails")
        return False, None
    return bool(ok), new_hash


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("gantry-timing-equaliser")
