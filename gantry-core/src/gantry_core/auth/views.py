"""Identity endpoints: login/logout/me/password, API keys, users and groups (F60-F68)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.engine import RowMapping

from gantry_core.api.deps import (
    SESSION_COOKIE,
    Admin,
    Public,
    State,
    Viewer,
    client_ip,
    request_source,
)
from gantry_core.api.errors import GantryError, invalid_parameter, not_found
from gantry_core.api.pagination import Page, PageParams, keyset_page, page_params
from gantry_core.api.types import GroupName, Username
from gantry_core.audit.service import record as audit
from gantry_core.auth import passwords, roles, service, tokens
from gantry_core.auth.schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    GroupIn,
    GroupOut,
    GroupUpdateIn,
    LoginIn,
    LoginOut,
    LogoutIn,
    MeOut,
    PasswordChangeIn,
    RegisterIn,
    RoleIn,
    UserOut,
)
from gantry_core.db.tables import api_keys, groups, users
from gantry_core.state import AppState

router = APIRouter(prefix="/auth", tags=["auth"])
users_router = APIRouter(prefix="/auth/users", tags=["users"])
groups_router = APIRouter(prefix="/groups", tags=["groups"])

Pagination = Annotated[PageParams, Depends(page_params)]
INVALID_CREDENTIALS = "invalid username or password"
MAX_KEY_LIFETIME = timedelta(days=100 * 365)
#: Row ids in paths and cursors: positive 64-bit integers (anything else cannot exist, and would
#: overflow the database driver).
RowId = Annotated[int, Path(ge=1, le=tokens.MAX_ID)]
_usernames: TypeAdapter[str] = TypeAdapter(Username)
_group_names: TypeAdapter[str] = TypeAdapter(GroupName)


def _row_id(value: Any) -> int:
    """A cursor value that must be a row id (keyset_page turns the ValueError into 400 invalid_cursor)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= tokens.MAX_ID:
        raise ValueError("not a row id")
    return value


def _valid(adapter: TypeAdapter[str], value: Any) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def _group_name(value: Any) -> str:
    """A cursor value that must be a group name."""
    if not _valid(_group_names, value):
        raise ValueError("not a group name")
    return str(value)


def user_out(row: RowMapping) -> UserOut:
    return UserOut(
        id=row["id"],
        username=row["username"],
        displayName=row["display_name"],
        email=row["email"],
        role=row["role"],
        createdAt=service.as_utc(row["created_at"]),
        lastLoginAt=service.as_utc(row["last_login_at"]),
    )


def _user_snapshot(row: RowMapping) -> dict[str, Any]:
    return {"username": row["username"], "displayName": row["display_name"], "email": row["email"], "role": row["role"]}


def _set_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(tokens.TOKEN_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def _audit_kwargs(request: Request, actor: str | None) -> dict[str, Any]:
    return {"actor": actor, "source": request_source(request), "ip": client_ip(request)}


# -- sessions ----------------------------------------------------------------------------------------


@router.post("/login", dependencies=[Public], summary="Sign in with username and password")
async def login(body: LoginIn, request: Request, response: Response, state: State) -> LoginOut:
    ip = client_ip(request) or "unknown"
    wait = max(
        state.auth.login_by_ip.hit(f"ip:{ip}") or 0,
        state.auth.login_by_user.hit(f"user:{body.username.lower()}") or 0,
    )
    if wait:
        raise GantryError(
            429, "rate_limited", f"too many sign-in attempts; retry in {wait} s", headers={"Retry-After": str(wait)}
        )
    async with state.db.read() as conn:
        found = await service.user_by_username(conn, body.username)
    stored = found["password_hash"] if found is not None else None
    ok, new_hash = await state.auth.check_password(body.password, stored)  # same cost for unknown users
    user = row = None
    async with state.db.write() as conn:
        if found is not None and ok:
            user = await service.user_state(conn, found["id"])  # None if deleted meanwhile
        if user is None:
            await audit(
                conn,
                action="login_failed",
                resource_type="User",
                resource_name=body.username[:150],
                details={"reason": "unknown user" if found is None else "wrong password"},
                **_audit_kwargs(request, body.username[:150]),
            )
        else:
            if new_hash and stored:
                await service.upgrade_hash(conn, user.id, stored, new_hash)
            await service.record_login(conn, user.id)
            await audit(
                conn,
                action="login",
                resource_type="User",
                resource_name=user.username,
                **_audit_kwargs(request, user.username),
            )
            row = await service.user_by_id(conn, user.id)
    if user is None or row is None:
        raise GantryError(401, "invalid_credentials", INVALID_CREDENTIALS)
    token, expires = tokens.issue(
        state.auth.jwt_secret, user_id=user.id, username=user.username, role=user.role, version=user.token_version
    )
    _set_session(request, response, token)
    return LoginOut(token=token, expiresAt=expires, user=user_out(row))


@router.post("/logout", status_code=204, summary="Sign out; `everywhere` ends every session of yours")
async def logout(
    request: Request, state: State, user: Viewer, body: Annotated[LogoutIn | None, Body()] = None
) -> Response:
    if body is not None and body.everywhere:
        async with state.db.write() as conn:
            await service.bump_token_version(conn, user.user_id)
            await audit(
                conn,
                action="logout_everywhere",
                resource_type="User",
                resource_name=user.username,
                **_audit_kwargs(request, user.username),
            )
        state.auth.forget_user(user.user_id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/me", summary="Who am I: role, effective role, groups, permissions", response_model=MeOut)
async def me(user: Viewer) -> Response:
    body = {
        "userId": user.user_id,
        "username": user.username,
        "displayName": user.display_name,
        "email": user.email,
        "role": user.role,
        "effectiveRole": user.effective_role,
        "groups": list(user.groups),
        "permissions": roles.permissions(user.effective_role),
        "authMethod": user.via,
    }
    return Response(orjson.dumps(body), media_type="application/json")


@router.put("/me/password", status_code=204, summary="Change your own password")
async def change_password(body: PasswordChangeIn, request: Request, state: State, user: Viewer) -> Response:
    problem = passwords.password_problem(body.newPassword)
    if problem:
        raise GantryError(
            422, "validation_failed", f"newPassword {problem}", [{"path": "/newPassword", "message": problem}]
        )
    async with state.db.read() as conn:
        row = await service.user_by_id(conn, user.user_id)
    ok, _ = await state.auth.check_password(body.currentPassword, row["password_hash"])
    if not ok:
        raise GantryError(
            422,
            "validation_failed",
            "currentPassword is not correct",
            [{"path": "/currentPassword", "message": "is not correct"}],
        )
    new_hash = await state.auth.hash_password(body.newPassword)
    async with state.db.write() as conn:
        await service.set_password(conn, user.user_id, new_hash, bump=True)
        await audit(
            conn,
            action="user.password",
            resource_type="User",
            resource_name=user.username,
            **_audit_kwargs(request, user.username),
        )
        fresh = await service.user_state(conn, user.user_id)
    state.auth.forget_user(user.user_id)
    response = Response(status_code=204)
    if user.via == "session" and fresh is not None:
        token, _ = tokens.issue(
            state.auth.jwt_secret,
            user_id=fresh.id,
            username=fresh.username,
            role=fresh.role,
            version=fresh.token_version,
        )
        _set_session(request, response, token)
    return response


# -- API keys ----------------------------------------------------------------------------------------


def key_out(row: RowMapping, username: str) -> ApiKeyOut:
    return ApiKeyOut(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        role=row["role"],
        user=username,
        createdAt=service.as_utc(row["created_at"]),
        expiresAt=service.as_utc(row["expires_at"]),
        lastUsedAt=service.as_utc(row["last_used_at"]),
    )


def _key_expiry(value: datetime | None) -> datetime | None:
    """`expiresAt` in UTC (no zone = UTC): in the future, and at most MAX_KEY_LIFETIME ahead."""
    if value is None:
        return None
    now = datetime.now(UTC)
    try:
        expires = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-23:59
        expires = None
    if expires is not None and expires <= now:
        problem = "must be in the future"
    elif expires is None or expires > now + MAX_KEY_LIFETIME:
        problem = f"must be at most {MAX_KEY_LIFETIME.days // 365} years ahead (leave it out for no expiry)"
    else:
        return expires
    raise GantryError(422, "validation_failed", f"expiresAt {problem}", [{"path": "/expiresAt", "message": problem}])


@router.post("/apikeys", status_code=201, summary="Create an API key (shown once)")
async def create_api_key(body: ApiKeyIn, request: Request, state: State, user: Viewer) -> ApiKeyCreated:
    role = body.role or user.effective_role
    if roles.level(role) > user.level:
        raise GantryError(
            403,
            "forbidden",
            f"a key cannot have a higher role than yours ({user.effective_role})",
            [{"path": "/role", "message": "higher than your role"}],
        )
    expires = _key_expiry(body.expiresAt)
    async with state.db.write() as conn:
        key, row = await service.create_key(conn, user_id=user.user_id, name=body.name, role=role, expires_at=expires)
        await audit(
            conn,
            action="apikey.create",
            resource_type="ApiKey",
            resource_name=row["prefix"],
            after={"name": body.name, "role": role, "prefix": row["prefix"]},
            **_audit_kwargs(request, user.username),
        )
    return ApiKeyCreated(**key_out(row, user.username).model_dump(), key=key)


@router.get("/apikeys", summary="Your API keys (admins: `?user=` for anyone's)")
async def list_api_keys(
    state: State,
    user: Viewer,
    page: Pagination,
    owner: Annotated[str | None, Query(alias="user", max_length=150, description="Username (admins)")] = None,
) -> Page[ApiKeyOut]:
    async with state.db.read() as conn:
        target_id, target_name = user.user_id, user.username
        if owner is not None and not _valid(_usernames, owner):
            raise invalid_parameter("user", "is not a valid username")
        if owner is not None and owner != user.username:
            if user.level < roles.level("admin"):
                raise GantryError(403, "forbidden", "only admins can list other users' keys")
            row = await service.user_by_username(conn, owner)
            if row is None:
                raise not_found(f"user {owner!r}")
            target_id, target_name = row["id"], row["username"]
        stmt = select(api_keys).where(api_keys.c.user_id == target_id, api_keys.c.revoked_at.is_(None))
        rows, total, nxt = await conn.run_sync(keyset_page, stmt, [api_keys.c.id], page, cursor_types=[_row_id])
    return Page(items=[key_out(r._mapping, target_name) for r in rows], total=total, next=nxt)


@router.delete("/apikeys/{key_id}", status_code=204, summary="Revoke an API key")
async def revoke_api_key(key_id: RowId, request: Request, state: State, user: Viewer) -> Response:
    async with state.db.write() as conn:
        row = (await conn.execute(select(api_keys).where(api_keys.c.id == key_id))).mappings().first()
        if row is None or row["revoked_at"] is not None:
            raise not_found(f"API key {key_id}")
        if row["user_id"] != user.user_id and user.level < roles.level("admin"):
            raise not_found(f"API key {key_id}")
        await service.revoke_key(conn, key_id)
        await audit(
            conn,
            action="apikey.revoke",
            resource_type="ApiKey",
            resource_name=row["prefix"],
            before={"name": row["name"], "role": row["role"], "prefix": row["prefix"]},
            **_audit_kwargs(request, user.username),
        )
    state.auth.forget_keys()
    return Response(status_code=204)


# -- users (admin) -----------------------------------------------------------------------------------


@router.post("/register", status_code=201, summary="Create a user (always a viewer)")
async def register(body: RegisterIn, request: Request, state: State, user: Admin) -> UserOut:
    problem = passwords.password_problem(body.password)
    if problem:
        raise GantryError(422, "validation_failed", f"password {problem}", [{"path": "/password", "message": problem}])
    password_hash = await state.auth.hash_password(body.password)
    async with state.db.write() as conn:
        row = await service.create_user(
            conn,
            username=body.username,
            password=None,
            password_hash=password_hash,
            role="viewer",
            display_name=body.displayName,
            email=body.email,
        )
        await audit(
            conn,
            action="user.create",
            resource_type="User",
            resource_name=row["username"],
            after=_user_snapshot(row),
            **_audit_kwargs(request, user.username),
        )
    return user_out(row)


@users_router.get("", summary="All users")
async def list_users(state: State, user: Admin, page: Pagination) -> Page[UserOut]:
    async with state.db.read() as conn:
        rows, total, nxt = await conn.run_sync(keyset_page, select(users), [users.c.id], page, cursor_types=[_row_id])
    return Page(items=[user_out(r._mapping) for r in rows], total=total, next=nxt)


@users_router.put("/{user_id}", summary="Change a user's role")
async def set_user_role(user_id: RowId, body: RoleIn, request: Request, state: State, user: Admin) -> UserOut:
    async with state.db.write() as conn:
        before = await service.user_by_id(conn, user_id)
        if before["role"] == body.role:  # nothing changes: no write, no audit, sessions stay
            return user_out(before)
        row = await service.set_role(conn, user_id, body.role)
        await audit(
            conn,
            action="user.update",
            resource_type="User",
            resource_name=row["username"],
            before=_user_snapshot(before),
            after=_user_snapshot(row),
            **_audit_kwargs(request, user.username),
        )
    state.auth.forget_user(user_id)
    return user_out(row)


@users_router.delete("/{user_id}", status_code=204, summary="Delete a user")
async def delete_user(user_id: RowId, request: Request, state: State, user: Admin) -> Response:
    async with state.db.write() as conn:
        row = await service.delete_user(conn, user_id)
        await audit(
            conn,
            action="user.delete",
            resource_type="User",
            resource_name=row["username"],
            before=_user_snapshot(row),
            **_audit_kwargs(request, user.username),
        )
    state.auth.forget_user(user_id)
    state.auth.forget_keys()
    return Response(status_code=204)


# -- groups (admin) ----------------------------------------------------------------------------------


def _group_path(name: str) -> str:
    """A group name from the URL; one that no group can have is simply not found."""
    if not _valid(_group_names, name):
        raise not_found(f"group {name[:150]!r}")
    return name


async def _group_out(state: AppState, name: str) -> GroupOut:
    async with state.db.read() as conn:
        row = await service.group_by_name(conn, name)
        if row is None:
            raise not_found(f"group {name!r}")
        members = await service.group_members_of(conn, [row["id"]])
    return _group_row_out(row, members[row["id"]])


def _group_row_out(row: RowMapping, members: list[str]) -> GroupOut:
    return GroupOut(
        id=row["id"],
        name=row["name"],
        role=row["role"],
        members=members,
        createdAt=service.as_utc(row["created_at"]),
        updatedAt=service.as_utc(row["updated_at"]),
    )


@groups_router.get("", summary="All groups with their members")
async def list_groups(state: State, user: Admin, page: Pagination) -> Page[GroupOut]:
    async with state.db.read() as conn:
        rows, total, nxt = await conn.run_sync(
            keyset_page, select(groups), [groups.c.name], page, cursor_types=[_group_name]
        )
        members = await service.group_members_of(conn, [r.id for r in rows])
    return Page(items=[_group_row_out(r._mapping, members[r.id]) for r in rows], total=total, next=nxt)


@groups_router.post("", status_code=201, summary="Create a group")
async def create_group(body: GroupIn, request: Request, state: State, user: Admin) -> GroupOut:
    async with state.db.write() as conn:
        gid = await service.create_group(conn, body.name, body.role, body.members)
        await audit(
            conn,
            action="group.create",
            resource_type="Group",
            resource_name=body.name,
            after={"role": body.role, "members": body.members},
            **_audit_kwargs(request, user.username),
        )
        affected = await service.affected_by_group(conn, gid)
    for uid in affected:
        state.auth.forget_user(uid)
    return await _group_out(state, body.name)


@groups_router.get("/{name}", summary="One group")
async def get_group(name: str, state: State, user: Admin) -> GroupOut:
    name = _group_path(name)
    return await _group_out(state, name)


@groups_router.put("/{name}", summary="Replace a group's role and members")
async def update_group(name: str, body: GroupUpdateIn, request: Request, state: State, user: Admin) -> GroupOut:
    name = _group_path(name)
    async with state.db.write() as conn:
        row = await service.group_by_name(conn, name)
        if row is None:
            raise not_found(f"group {name!r}")
        before_members = (await service.group_members_of(conn, [row["id"]]))[row["id"]]
        affected = set(await service.affected_by_group(conn, row["id"]))
        await service.replace_group(conn, row["id"], body.role, body.members)
        affected |= set(await service.affected_by_group(conn, row["id"]))
        await audit(
            conn,
            action="group.update",
            resource_type="Group",
            resource_name=name,
            before={"role": row["role"], "members": before_members},
            after={"role": body.role, "members": body.members},
            **_audit_kwargs(request, user.username),
        )
    for uid in affected:
        state.auth.forget_user(uid)
    return await _group_out(state, name)


@groups_router.delete("/{name}", status_code=204, summary="Delete a group")
async def delete_group(name: str, request: Request, state: State, user: Admin) -> Response:
    name = _group_path(name)
    async with state.db.write() as conn:
        row = await service.group_by_name(conn, name)
        if row is None:
            raise not_found(f"group {name!r}")
        members = (await service.group_members_of(conn, [row["id"]]))[row["id"]]
        affected = await service.affected_by_group(conn, row["id"])
        await service.delete_group(conn, row["id"])
        await audit(
            conn,
            action="group.delete",
            resource_type="Group",
            resource_name=name,
            before={"role": row["role"], "members": members},
            **_audit_kwargs(request, user.username),
        )
    for uid in affected:
        state.auth.forget_user(uid)
    return Response(status_code=204)
