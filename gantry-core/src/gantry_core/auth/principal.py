"""Who is calling: resolve a JWT (header or cookie) or an API key to a Principal, with short caches.

User and key state are cached for a few seconds per replica (CACHE_TTL); every local change
invalidates the cache at once, so only other replicas can see a change up to CACHE_TTL late.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from gantry_core.auth import keys as keymod
from gantry_core.auth import roles, service, tokens
from gantry_core.auth.ratelimit import RateLimiter
from gantry_core.db.engine import Database

CACHE_TTL = 5.0
KEY_TOUCH_INTERVAL = 60.0
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


class Authenticator:
    """Resolves credentials; owns the JWT secret, the state caches and the rate limiters."""

    def __init__(self, db: Database, jwt_secret: str, rate_limit: int) -> None:
        self.db = db
        self.jwt_secret = jwt_secret
        #: Seconds on a monotonic clock; caches and the lastUsedAt throttle read it (tests move it on).
        self.clock: Callable[[], float] = time.monotonic
        self._users: dict[int, tuple[float, service.UserState | None]] = {}
        self._keys: dict[str, tuple[float, service.KeyState | None]] = {}
        self._tokens: dict[str, tuple[float, tokens.TokenClaims]] = {}
        self._key_touched: dict[int, float] = {}
        self._background: set[asyncio.Task[None]] = set()
        self.login_by_ip = RateLimiter(10)
        self.login_by_user = RateLimiter(10)
        self.requests = RateLimiter(rate_limit)

    # -- cache control -------------------------------------------------------------------------------

    def forget_user(self, user_id: int) -> None:
        self._users.pop(user_id, None)

    def forget_keys(self) -> None:
        self._keys.clear()

    # -- resolution ----------------------------------------------------------------------------------

    async def from_token(self, token: str, via: Literal["session", "bearer"]) -> Principal | None:
        now = self.clock()
        cached = self._tokens.get(token)
        if cached and cached[0] > now:
            claims = cached[1]
        else:
            decoded = tokens.decode(self.jwt_secret, token)
            if decoded is None:
                return None
            claims = decoded
            if len(self._tokens) > 10_000:
                self._tokens.clear()
            self._tokens[token] = (now + CACHE_TTL, claims)
        if claims.expires_at <= datetime.now(UTC):
            return None
        user = await self._user(claims.user_id)
        if user is None or user.token_version != claims.version:
            return None
        return Principal(
            user.id,
            user.username,
            user.display_name,
            user.email,
            user.role,
            user.effective_role,
            user.groups,
            via,
        )

    async def from_api_key(self, key: str) -> Principal | None:
        if not keymod.KEY_PATTERN.match(key):
            return None
        digest = keymod.digest(key)
        now = self.clock()
        cached = self._keys.get(digest)
        if cached and cached[0] > now:
            state = cached[1]
        else:
            async with self.db.read() as conn:
                state = await service.key_state(conn, digest)
            if len(self._keys) > 10_000:
                self._keys.clear()
            self._keys[digest] = (now + CACHE_TTL, state)
        if state is None or state.revoked:
            return None
        if state.expires_at is not None and state.expires_at <= datetime.now(UTC):
            return None
        user = await self._user(state.user_id)
        if user is None:
            return None
        self._touch(state.id, now)
        return Principal(
            user.id,
            user.username,
            user.display_name,
            user.email,
            user.role,
            roles.lowest(state.role, user.effective_role),
            user.groups,
            "apikey",
            state.id,
        )

    async def _user(self, user_id: int) -> service.UserState | None:
        now = self.clock()
        cached = self._users.get(user_id)
        if cached and cached[0] > now:
            return cached[1]
        async with self.db.read() as conn:
            state = await service.user_state(conn, user_id)
        if len(self._users) > 10_000:
            self._users.clear()
        self._users[user_id] = (now + CACHE_TTL, state)
        return state

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
