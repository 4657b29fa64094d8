"""Roles viewer < developer < platform-engineer < admin (F65)."""

from __future__ import annotations

from typing import cast

from gantry_core.plugins.types import ROLE_LEVELS, Role

ROLES: tuple[Role, ...] = ("viewer", "developer", "platform-engineer", "admin")


def level(role: str) -> int:
    return ROLE_LEVELS.get(role, 0)


def _known(roles: tuple[str, ...]) -> list[Role]:
    return [cast(Role, r) for r in roles if r in ROLE_LEVELS]


def highest(*roles: str) -> Role:
    return max(_known(roles), key=level, default="viewer")


def lowest(*roles: str) -> Role:
    return min(_known(roles), key=level, default="viewer")


def permissions(role: str) -> dict[str, bool]:
    lvl = level(role)
    return {
        "read": lvl >= 1,
        "write": lvl >= 2,
        "execute": lvl >= 2,
        "delete": lvl >= 2,
        "configure": lvl >= 3,
        "admin": lvl >= 4,
    }
