"""Response models of the audit and activity endpoints (F83, F154)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class _Entry(BaseModel):
    id: int
    timestamp: datetime = Field(description="When it happened (RFC 3339, UTC)")
    userName: str | None = Field(description="Who did it (`system` for start-up work)")
    action: str = Field(description="create, update, delete, execute, login, user.create, …")
    resourceType: str | None = Field(description="Entity kind, or User, Group, ApiKey, …")
    resourceNamespace: str | None
    resourceName: str | None
    source: str = Field(description="api, cli, plugin, system or mcp")
    before: dict[str, Any] | None = Field(description="State before the change")
    after: dict[str, Any] | None = Field(description="State after the change")
    details: dict[str, Any] | None


class AuditEntry(_Entry):
    """An audit entry as admins see it, with the client's IP address."""

    ipAddress: str | None


class ActivityEntry(_Entry):
    """An audit entry as every signed-in user sees it: no IP address (F154)."""

    type: str = Field(description="entity.created, entity.updated, entity.synced, entity.deleted, action.executed")
