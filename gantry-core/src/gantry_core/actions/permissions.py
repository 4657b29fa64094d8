"""Who may run an action and who may approve its runs (F77, F155).

Team membership comes from the Team entities of the action's namespace: a caller belongs to a Team when
its `spec.members` lists the caller's username as `name`, or the caller's e-mail address as `email`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from gantry_core.api.errors import GantryError
from gantry_core.auth import roles
from gantry_core.auth.principal import Principal
from gantry_core.db.tables import entities


def _is_member(spec: Mapping[str, Any], principal: Principal) -> bool:
    email = (principal.email or "").lower()
    for member in spec.get("members") or ():
        if not isinstance(member, Mapping):
            continue
        if member.get("name") == principal.username:
            return True
        if email and isinstance(member.get("email"), str) and member["email"].lower() == email:
            return True
    return False


async def teams_of(conn: AsyncConnection, namespace: str, names: Iterable[str], principal: Principal) -> set[str]:
    """Which of the Teams `names` (in `namespace`) have `principal` as a member."""
    wanted = sorted(set(names))
    if not wanted:
        return set()
    stmt = select(entities.c.name, entities.c.spec).where(
        entities.c.kind == "Team", entities.c.namespace == namespace, entities.c.name.in_(wanted)
    )
    return {row.name for row in (await conn.execute(stmt)).all() if _is_member(row.spec, principal)}


def _permissions(action: Mapping[str, Any]) -> Mapping[str, Any]:
    permissions = (action.get("spec") or {}).get("permissions") or {}
    return permissions if isinstance(permissions, Mapping) else {}


async def check_may_execute(conn: AsyncConnection, action: Mapping[str, Any], principal: Principal) -> None:
    """403 `action_forbidden` unless `allowedRoles` and `allowedTeams` let the caller run the action.

    Both empty: any developer may. Otherwise the caller passes with a listed role at or below their
    effective role, or as a member of a listed Team."""
    permissions = _permissions(action)
    allowed_roles = [str(r) for r in permissions.get("allowedRoles") or ()]
    allowed_teams = [str(t) for t in permissions.get("allowedTeams") or ()]
    if not allowed_roles and not allowed_teams:
        return
    if any(0 < roles.level(role) <= principal.level for role in allowed_roles):
        return
    namespace = action["metadata"]["namespace"]
    if allowed_teams and await teams_of(conn, namespace, allowed_teams, principal):
        return
    who = []
    if allowed_roles:
        who.append(f"the roles {', '.join(allowed_roles)} (or higher)")
    if allowed_teams:
        who.append(f"members of the teams {', '.join(allowed_teams)}")
    raise GantryError(
        403,
        "action_forbidden",
        f"you may not run {action['metadata']['name']!r}: it is for {' and '.join(who)}",
        [{"path": "/spec/permissions", "message": f"allows {' or '.join(who)}"}],
    )


async def is_approver(conn: AsyncConnection, action: Mapping[str, Any] | None, principal: Principal) -> bool:
    """Whether `principal` is one of the action's `approvers` (a username, or a member of a listed Team).

    An action that requires approval but lists no approvers is approved by admins."""
    approvers = [str(a) for a in _permissions(action).get("approvers") or ()] if action else []
    if not approvers:
        return principal.level >= roles.level("admin")
    if principal.username in approvers:
        return True
    namespace = action["metadata"]["namespace"] if action else "default"
    return bool(await teams_of(conn, namespace, approvers, principal))
