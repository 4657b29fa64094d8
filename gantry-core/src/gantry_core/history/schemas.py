"""Request and response models of the history endpoints (F54)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from gantry_core.plugins.kinds import NAME_PATTERN

EntityName = Annotated[str, Field(min_length=1, max_length=63, pattern=NAME_PATTERN)]


class ViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Annotated[str, Field(min_length=1, max_length=63, description="Entity kind (any case)")]
    name: EntityName
    namespace: EntityName = "default"


class ViewOut(BaseModel):
    kind: str
    namespace: str
    name: str
    title: str | None = Field(description="The entity's title, if it has one")
    viewedAt: datetime = Field(description="When the user last opened it (RFC 3339)")
    exists: bool = Field(description="False once the entity has been deleted")
