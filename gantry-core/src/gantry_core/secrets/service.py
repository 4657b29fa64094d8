"""Admin-managed secrets (F156): named values stored AES-256-GCM encrypted (associated data
``secret:<NAME>``), used by ``${SECRET_NAME}`` placeholders in webhook actions (F74). Values are only ever
decrypted to fill a placeholder; no endpoint returns them and the audit trail never holds them."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from gantry_core.api.errors import GantryError, invalid_parameter
from gantry_core.audit.service import record
from gantry_core.catalog.service import _iso as iso
from gantry_core.crypto import Cipher, DecryptionError
from gantry_core.db.tables import secrets
from gantry_core.state import AppState

NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,62}$")
ENV_PREFIX = "GANTRY_SECRET_"
MAX_VALUE = 65_536


class SecretUnavailable(Exception):
    """A secret a run needs is not set, or cannot be decrypted; the message says which and why."""


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise invalid_parameter("name", f"must match {NAME.pattern} (upper-case letters, digits and _)")
    return name


def context(name: str) -> str:
    return f"secret:{name}"


def cipher_of(state: AppState) -> Cipher:
    if state.cipher is None:
        reason = state.cipher_error or "no encryption key is loaded"
        raise GantryError(503, "encryption_unavailable", f"secrets cannot be stored: {reason}")
    return state.cipher


def summary(row: Mapping[Any, Any]) -> dict[str, Any]:
    """What the API shows of a secret: never its value."""
    return {"name": row["name"], "createdAt": iso(row["created_at"]), "updatedAt": iso(row["updated_at"])}


async def get_row(conn: AsyncConnection, name: str) -> RowMapping | None:
    return (await conn.execute(select(secrets).where(secrets.c.name == name))).mappings().first()


async def put(
    conn: AsyncConnection, cipher: Cipher, name: str, value: str, *, actor: str, source: str, ip: str | None
) -> tuple[Literal["created", "updated"], dict[str, Any]]:
    """Create or replace the secret `name`; audited without the value."""
    now = datetime.now(UTC)
    blob = cipher.encrypt(value, context(name))
    existing = await get_row(conn, name)
    if existing is None:
        row = {"name": name, "value": blob, "updated_by": actor, "created_at": now, "updated_at": now}
        await conn.execute(insert(secrets).values(**row))
        outcome: Literal["created", "updated"] = "created"
    else:
        await conn.execute(
            update(secrets).where(secrets.c.name == name).values(value=blob, updated_by=actor, updated_at=now)
        )
        row = {**existing, "updated_at": now}
        outcome = "updated"
    after = summary(row)
    await record(
        conn,
        action="create" if outcome == "created" else "update",
        actor=actor,
        source=source,
        ip=ip,
        resource_type="Secret",
        resource_name=name,
        before=summary(existing) if existing is not None else None,
        after=after,
    )
    return outcome, after


async def remove(conn: AsyncConnection, name: str, *, actor: str, source: str, ip: str | None) -> None:
    existing = await get_row(conn, name)
    if existing is None:
        raise GantryError(404, "not_found", f"secret {name!r} not found")
    await conn.execute(delete(secrets).where(secrets.c.name == name))
    await record(
        conn,
        action="delete",
        actor=actor,
        source=source,
        ip=ip,
        resource_type="Secret",
        resource_name=name,
        before=summary(existing),
    )


async def reveal(state: AppState, name: str) -> str:
    """The value of secret `name`: the admin-managed one, else env ``GANTRY_SECRET_<NAME>``; raises
    SecretUnavailable when neither is set or the stored value cannot be decrypted."""
    if not NAME.match(name):
        raise SecretUnavailable(f"{name!r} is not a valid secret name")
    async with state.db.read() as conn:
        row = await get_row(conn, name)
    if row is not None:
        if state.cipher is None:
            raise SecretUnavailable(f"secret {name} cannot be decrypted: {state.cipher_error or 'no key'}")
        try:
            return state.cipher.decrypt(bytes(row["value"]), context(name))
        except DecryptionError as exc:
            raise SecretUnavailable(f"secret {name} cannot be decrypted: {exc}") from None
    from_env = os.environ.get(f"{ENV_PREFIX}{name}")
    if from_env is not None:
        return from_env
    raise SecretUnavailable(
        f"secret {name} is not set: an admin can add it (PUT /api/v1/secrets/{name}) or set {ENV_PREFIX}{name}"
    )
