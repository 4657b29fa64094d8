"""Users, groups and API keys in the database. Never commits: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from gantry_core.api.errors import GantryError, not_found
from gantry_core.auth import keys as keymod
from gantry_core.auth import passwords, roles
from gantry_core.db.tables import api_keys, group_members, groups, users


@dataclass(frozen=True)
class UserState:
    """What authorisation needs to know of a user, cached for a few seconds per replica."""

    id: int
    username: str
    display_name: str | None
    email: str | None
    role: str
    token_version: int
    groups: tuple[str, ...]
    effective_role: str


@dataclass(frozen=True)
class KeyState:
    id: int
    user_id: int
    role: str
    expires_at: datetime | None
    revoked: bool


def _now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


async def user_state(conn: AsyncConnection, user_id: int) -> UserState | None:
    row = (await conn.execute(select(users).where(users.c.id == user_id))).mappings().first()
    if row is None:
        return None
    group_rows = (
        await conn.execute(
            select(groups.c.name, groups.c.role)
            .join(group_members, group_members.c.group_id == groups.c.id)
            .where(group_members.c.user_id == user_id)
            .order_by(groups.c.name)
        )
    ).all()
    return UserState(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        email=row["email"],
        role=row["role"],
        token_version=row["token_version"],
        groups=tuple(g.name for g in group_rows),
        effective_role=roles.highest(row["role"], *(g.role for g in group_rows)),
    )


async def key_state(conn: AsyncConnection, key_hash: str) -> KeyState | None:
    row = (await conn.execute(select(api_keys).where(api_keys.c.key_hash == key_hash))).mappings().first()
    if row is None:
        return None
    return KeyState(
        id=row["id"],
        user_id=row["user_id"],
        role=row["role"],
        expires_at=as_utc(row["expires_at"]),
        revoked=row["revoked_at"] is not None,
    )


async def user_by_username(conn: AsyncConnection, username: str) -> RowMapping | None:
    return (await conn.execute(select(users).where(users.c.username == username))).mappings().first()


async def user_by_id(conn: AsyncConnection, user_id: int) -> RowMapping:
    row = (await conn.execute(select(users).where(users.c.id == user_id))).mappings().first()
    if row is None:
        raise not_found(f"user {user_id}")
    return row


async def create_user(
    conn: AsyncConnection,
    *,
    username: str,
    password: str | None,
    role: str,
    display_name: str | None = None,
    email: str | None = None,
    password_hash: str | None = None,
) -> RowMapping:
    """Insert a user; `password` is hashed here unless its hash is handed in (hashed off the event loop)."""
    if await user_by_username(conn, username) is not None:
        raise _user_exists(username)
    now = _now()
    insert_user = (
        insert(users)
        .values(
            username=username,
            display_name=display_name,
            email=email,
            role=role,
            password_hash=password_hash or (passwords.hash_password(password) if password else None),
            token_version=0,
            created_at=now,
            updated_at=now,
        )
        .returning(users.c.id)
    )
    try:
        user_id = (await conn.execute(insert_user)).scalar_one()
    except IntegrityError:  # created by a concurrent request since the check above
        raise _user_exists(username) from None
    return await user_by_id(conn, user_id)


def _user_exists(username: str) -> GantryError:
    return GantryError(
        409, "already_exists", f"user {username!r} already exists", [{"path": "/username", "message": "is taken"}]
    )


async def ensure_admin(conn: AsyncConnection, password: str) -> bool:
    """Create the `admin` user on an empty database (F17); True when it was created."""
    if (await conn.execute(select(func.count()).select_from(users))).scalar_one():
        return False
    await create_user(conn, username="admin", password=password, role="admin", display_name="Administrator")
    return True


async def set_password(conn: AsyncConnection, user_id: int, password_hash: str, *, bump: bool) -> None:
    values: dict[str, Any] = {"password_hash": password_hash, "updated_at": _now()}
    if bump:
        values["token_version"] = users.c.token_version + 1
    await conn.execute(update(users).where(users.c.id == user_id).values(**values))


async def upgrade_hash(conn: AsyncConnection, user_id: int, old_hash: str, new_hash: str) -> None:
    """Store a rehash of the same password, unless the password changed meanwhile."""
    await conn.execute(
        update(users).where(users.c.id == user_id, users.c.password_hash == old_hash).values(password_hash=new_hash)
    )


async def bump_token_version(conn: AsyncConnection, user_id: int) -> None:
    await conn.execute(
        update(users).where(users.c.id == user_id).values(token_version=users.c.token_version + 1, updated_at=_now())
    )


async def record_login(conn: AsyncConnection, user_id: int) -> None:
    await conn.execute(update(users).where(users.c.id == user_id).values(last_login_at=_now()))


async def count_admins(conn: AsyncConnection) -> int:
    """How many admins there are; locks their rows (PostgreSQL) so that two concurrent demotions or
    deletions cannot both see "another admin is left"."""
    rows = await conn.execute(select(users.c.id).where(users.c.role == "admin").with_for_update())
    return len(rows.all())


async def set_role(conn: AsyncConnection, user_id: int, role: str) -> RowMapping:
    row = await user_by_id(conn, user_id)
    if row["role"] == role:
        return row
    if row["role"] == "admin" and await count_admins(conn) <= 1:
        raise GantryError(409, "last_admin", "the last admin cannot be demoted; make another user admin first")
    await conn.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(role=role, token_version=users.c.token_version + 1, updated_at=_now())
    )
    return await user_by_id(conn, user_id)


async def delete_user(conn: AsyncConnection, user_id: int) -> RowMapping:
    row = await user_by_id(conn, user_id)
    if row["role"] == "admin" and await count_admins(conn) <= 1:
        raise GantryError(409, "last_admin", "the last admin cannot be deleted; make another user admin first")
    await conn.execute(delete(users).where(users.c.id == user_id))
    return row


# -- groups ------------------------------------------------------------------------------------------


async def group_by_name(conn: AsyncConnection, name: str) -> RowMapping | None:
    return (await conn.execute(select(groups).where(groups.c.name == name))).mappings().first()


async def group_members_of(conn: AsyncConnection, group_ids: Sequence[int]) -> dict[int, list[str]]:
    members: dict[int, list[str]] = {gid: [] for gid in group_ids}
    if not group_ids:
        return members
    rows = await conn.execute(
        select(group_members.c.group_id, users.c.username)
        .join(users, users.c.id == group_members.c.user_id)
        .where(group_members.c.group_id.in_(group_ids))
        .order_by(users.c.username)
    )
    for gid, username in rows.all():
        members[gid].append(username)
    return members


async def _user_ids(conn: AsyncConnection, usernames: Sequence[str]) -> list[int]:
    wanted = list(dict.fromkeys(usernames))
    if not wanted:
        return []
    rows = (await conn.execute(select(users.c.id, users.c.username).where(users.c.username.in_(wanted)))).all()
    found = {r.username: r.id for r in rows}
    missing = [u for u in wanted if u not in found]
    if missing:
        raise GantryError(
            422,
            "validation_failed",
            f"unknown users: {', '.join(missing)}",
            [{"path": f"/members/{wanted.index(u)}", "message": f"no user named {u!r}"} for u in missing],
        )
    return [found[u] for u in wanted]


async def affected_by_group(conn: AsyncConnection, group_id: int) -> list[int]:
    rows = await conn.execute(select(group_members.c.user_id).where(group_members.c.group_id == group_id))
    return [r.user_id for r in rows.all()]


async def create_group(conn: AsyncConnection, name: str, role: str, members: Sequence[str]) -> int:
    if await group_by_name(conn, name) is not None:
        raise GantryError(409, "already_exists", f"group {name!r} already exists")
    user_ids = await _user_ids(conn, members)
    now = _now()
    try:
        gid = (
            await conn.execute(
                insert(groups).values(name=name, role=role, created_at=now, updated_at=now).returning(groups.c.id)
            )
        ).scalar_one()
    except IntegrityError:  # created by a concurrent request since the check above
        raise GantryError(409, "already_exists", f"group {name!r} already exists") from None
    if user_ids:
        await conn.execute(insert(group_members), [{"group_id": gid, "user_id": uid} for uid in user_ids])
    return int(gid)


async def replace_group(conn: AsyncConnection, group_id: int, role: str, members: Sequence[str]) -> None:
    user_ids = await _user_ids(conn, members)
    await conn.execute(update(groups).where(groups.c.id == group_id).values(role=role, updated_at=_now()))
    await conn.execute(delete(group_members).where(group_members.c.group_id == group_id))
    if user_ids:
        await conn.execute(insert(group_members), [{"group_id": group_id, "user_id": uid} for uid in user_ids])


async def delete_group(conn: AsyncConnection, group_id: int) -> None:
    await conn.execute(delete(groups).where(groups.c.id == group_id))


# -- API keys ----------------------------------------------------------------------------------------


async def create_key(
    conn: AsyncConnection, *, user_id: int, name: str, role: str, expires_at: datetime | None
) -> tuple[str, RowMapping]:
    key = keymod.generate()
    result = await conn.execute(
        insert(api_keys)
        .values(
            user_id=user_id,
            name=name,
            prefix=keymod.display_prefix(key),
            key_hash=keymod.digest(key),
            role=role,
            created_at=_now(),
            expires_at=expires_at,
        )
        .returning(api_keys.c.id)
    )
    key_id = result.scalar_one()
    row = (await conn.execute(select(api_keys).where(api_keys.c.id == key_id))).mappings().one()
    return key, row


async def revoke_key(conn: AsyncConnection, key_id: int) -> None:
    await conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=_now()))


async def touch_key(conn: AsyncConnection, key_id: int, when: datetime) -> None:
    await conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=when))
