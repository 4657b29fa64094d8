"""Who is calling: resolve a JWT (header or cookie) or an API key to a Principal, with short caches.

User and key state are cached for a few seconds per replica (CACHE_TTL); every local change
invalidates the cache at once, so only other replicas can see a change up to CACHE_TTL late.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from gantry_core.auth import keys as keymod
from gantry_core.auth import passwords, roles, service, tokens
from gantry_core.auth.ratelimit import RateLimiter
from gantry_core.db.engine import Database

CACHE_TTL = 5.0
KEY_TOUCH_INTERVAL = 60.0
_MAX_ENTRIES = 10_000
log = logging.getLogger("gantry.auth")


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    user_id: int
    username: str
    display_name: str | None
    email: str | None
    role: str
    effective_role: str
    groups: tuple[str, ...]
    via: Literal["session", "bearer", "apikey"]
    key_id: int | None = None

    @property
    def level(self) -> int:
        return roles.level(self.effective_role)


@dataclass(frozen=True)
class _Resolved:
    """A credential already resolved: reused until the state behind it is due for a re-read (`until`,
    monotonic) or the credential itself expires (`expires`, epoch seconds)."""

    until: float
    expires: float
    principal: Principal


class Authenticator:
    """Resolves credentials; owns the JWT secret, the state caches and the rate limiters.

    A request with a credential seen in the last few seconds costs two dict lookups: the resolved
    principal is cached by credential (by its SHA-256 for API keys) for as long as the user and key
    state it was built from (CACHE_TTL), and local changes drop the affected entries at once.
    """

    def __init__(self, db: Database, jwt_secret: str, rate_limit: int) -> None:
        self.db = db
        self.jwt_secret = jwt_secret
        #: Seconds on a monotonic clock; caches and the lastUsedAt throttle read it (tests move it on).
        self.clock: Callable[[], float] = time.monotonic
        self._users: dict[int, tuple[float, service.UserState | None]] = {}
        self._keys: dict[str, tuple[float, service.KeyState | None]] = {}
        self._resolved: dict[tuple[str, str], _Resolved] = {}
        self._key_touched: dict[int, float] = {}
        # Bumped by every forget_*: a resolution that read the database before a local change does not
        # store what it read (it would bring the old state back for CACHE_TTL).
        self._generation = 0
        self._background: set[asyncio.Task[None]] = set()
        self.login_by_ip = RateLimiter(10)
        self.login_by_user = RateLimiter(10)
        self.requests = RateLimiter(rate_limit)
        # argon2id costs ~0.1 s of CPU and 64 MiB per check: off the event loop, a few at a time.
        self._hashing = asyncio.Semaphore(max(1, min(4, os.cpu_count() or 1)))

    # -- passwords -----------------------------------------------------------------------------------

    async def check_password(self, password: str, stored: str | None) -> tuple[bool, str | None]:
        """`passwords.verify` in a worker thread, so other requests go on meanwhile."""
        async with self._hashing:
            return await asyncio.to_thread(passwords.verify, password, stored)

    async def hash_password(self, password: str) -> str:
        async with self._hashing:
            return await asyncio.to_thread(passwords.hash_password, password)

    # -- cache control -------------------------------------------------------------------------------

    def forget_user(self, user_id: int) -> None:
        """The user's role, groups, password or existence changed here: re-read them on next use."""
        self._generation += 1
        self._users.pop(user_id, None)
        self._resolved = {k: v for k, v in self._resolved.items() if v.principal.user_id != user_id}

    def forget_keys(self) -> None:
        """An API key was revoked or deleted here: re-read every key on next use."""
        self._generation += 1
        self._keys.clear()
        self._resolved = {k: v for k, v in self._resolved.items() if v.principal.key_id is None}

    def _cached(self, cache_key: tuple[str, str]) -> Principal | None:
        entry = self._resolved.get(cache_key)
        if entry is None or entry.until <= self.clock() or entry.expires <= time.time():
            return None
        return entry.principal

    def _remember(
        self, generation: int, cache_key: tuple[str, str], until: float, expires: float, principal: Principal
    ) -> None:
        if generation != self._generation:
            return
        if len(self._resolved) >= _MAX_ENTRIES:
            self._resolved.clear()
        self._resolved[cache_key] = _Resolved(until, expires, principal)

    # -- resolution ----------------------------------------------------------------------------------

    async def from_token(self, token: str, via: Literal["session", "bearer"]) -> Principal | None:
        cache_key = (via, token)
        principal = self._cached(cache_key)
        if principal is not None:
            return principal
        generation = self._generation
        claims = tokens.decode(self.jwt_secret, token)
        if claims is None:
            return None
        user, until = await self._user(claims.user_id)
        if user is None or user.token_version != claims.version:
            return None
        principal = Principal(
            user.id, user.username, user.display_name, user.email, user.role, user.effective_role, user.groups, via
        )
        self._remember(generation, cache_key, until, claims.expires_at.timestamp(), principal)
        return principal

    async def from_api_key(self, key: str) -> Principal | None:
        if not keymod.KEY_PATTERN.match(key):
            return None
        digest = keymod.digest(key)
        cache_key = ("apikey", digest)
        principal = self._cached(cache_key)
        if principal is None:
            principal = await self._resolve_key(cache_key, digest)
            if principal is None:
                return None
        assert principal.key_id is not None
        self._touch(principal.key_id, self.clock())
        return principal

    async def _resolve_key(self, cache_key: tuple[str, str], digest: str) -> Principal | None:
        generation = self._generation
        now = self.clock()
        cached = self._keys.get(digest)
        if cached and cached[0] > now:
            key_until, state = cached
        else:
            async with self.db.read() as conn:
                state = await service.key_state(conn, digest)
            key_until = now + CACHE_TTL
            if generation == self._generation:
                if len(self._keys) >= _MAX_ENTRIES:
                    self._keys.clear()
                self._keys[digest] = (key_until, state)
        if state is None or state.revoked:
            return None
        expires = state.expires_at.timestamp() if state.expires_at is not None else math.inf
        if expires <= time.time():
            return None
        user, user_until = await self._user(state.user_id)
        if user is None:
            return None
        # The key acts with the lower of its own role and its owner's current effective role.
        role = roles.lowest(state.role, user.effective_role)
        principal = Principal(
            user.id, user.username, user.display_name, user.email, user.role, role, user.groups, "apikey", state.id
        )
        self._remember(generation, cache_key, min(key_until, user_until), expires, principal)
        return principal

    async def _user(self, user_id: int) -> tuple[service.UserState | None, float]:
        """The user's state and until when (monotonic) it may be used without a re-read."""
        generation = self._generation
        now = self.clock()
        cached = self._users.get(user_id)
        if cached and cached[0] > now:
            return cached[1], cached[0]
        async with self.db.read() as conn:
            state = await service.user_state(conn, user_id)
        until = now + CACHE_TTL
        if generation == self._generation:
            if len(self._users) >= _MAX_ENTRIES:
                self._users.clear()
            self._users[user_id] = (until, state)
        return state, until

    def _touch(self, key_id: int, now: float) -> None:
        """Keep `lastUsedAt` without a write per request: at most once a minute per key."""
        last = self._key_touched.get(key_id)
        if last is not None and now - last < KEY_TOUCH_INTERVAL:
            return
        self._key_touched[key_id] = now
        task = asyncio.get_running_loop().create_task(self._write_touch(key_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _write_touch(self, key_id: int) -> None:
        try:
            async with self.db.write() as conn:
                await service.touch_key(conn, key_id, datetime.now(UTC))
        except Exception:  # a missed lastUsedAt is not worth failing anything for
            log.warning("could not record last use of API key %s", key_id, exc_info=True)

    async def drain(self) -> None:
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
