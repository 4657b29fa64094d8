"""Request and response models of the identity endpoints (F60-F68)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from gantry_core.api.types import Email, GroupName, Line, Username
from gantry_core.plugins.types import Role

Password = Annotated[str, Field(min_length=1, max_length=4096)]
_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def text_problem(value: str, *, bidi: bool = True) -> str | None:
    """Why `value` cannot be stored or shown safely, or None: NUL (PostgreSQL refuses it in text), lone
    surrogates (not encodable as UTF-8), and, unless `bidi` is False, bidirectional overrides (spoofing)."""
    if "\x00" in value:
        return "must not contain NUL characters"
    if _SURROGATE.search(value):
        return "must be valid Unicode (no lone surrogates)"
    if bidi and _BIDI_CONTROL.search(value):
        return "must not contain bidirectional control characters"
    return None


class Strict(BaseModel):
    """A request body: unknown fields are refused, and so is text that cannot be stored as sent."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any, info: ValidationInfo) -> Any:
        secret = "password" in (info.field_name or "").lower()
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, str) and (problem := text_problem(item, bidi=not secret)):
                raise PydanticCustomError("invalid_text", problem)
        return value


class LoginIn(Strict):
    username: Annotated[str, Field(min_length=1, max_length=150)]
    password: Password


class UserOut(BaseModel):
    id: int
    username: str
    displayName: str | None
    email: str | None
    role: str
    createdAt: datetime | None = None
    lastLoginAt: datetime | None = None


class LoginOut(BaseModel):
    token: str
    expiresAt: datetime
    user: UserOut


class LogoutIn(Strict):
    everywhere: bool = False


class Permissions(BaseModel):
    read: bool
    write: bool
    execute: bool
    delete: bool
    configure: bool
    admin: bool


class MeOut(BaseModel):
    userId: int
    username: str
    displayName: str | None
    email: str | None
    role: str
    effectiveRole: str
    groups: list[str]
    permissions: Permissions
    authMethod: str


class PasswordChangeIn(Strict):
    currentPassword: Password
    newPassword: Password


class ApiKeyIn(Strict):
    name: Annotated[Line, Field(min_length=1, max_length=100)]
    role: Role | None = None
    expiresAt: datetime | None = Field(None, description="When the key stops working (RFC 3339)")


class ApiKeyOut(BaseModel):
    id: int
    name: str
    prefix: str
    role: str
    user: str
    createdAt: datetime
    expiresAt: datetime | None
    lastUsedAt: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself; shown once, never again")


class RegisterIn(Strict):
    username: Username
    password: Password
    displayName: Annotated[Line, Field(max_length=255)] | None = None
    email: Email | None = None


class RoleIn(Strict):
    role: Role


class GroupIn(Strict):
    name: GroupName
    role: Role = "viewer"
    members: Annotated[list[Username], Field(max_length=10_000)] = []


class GroupUpdateIn(Strict):
    role: Role
    members: Annotated[list[Username], Field(max_length=10_000)] = []


class GroupOut(BaseModel):
    id: int
    name: str
    role: str
    members: list[str]
    createdAt: datetime
    updatedAt: datetime
