"""The dashboard configuration document (F85)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from gantry_core.api.types import Line, Text
from gantry_core.auth.schemas import Strict

WidgetId = Literal["entity_stats", "recent_activity", "recently_browsed", "service_status"]
WIDGET_IDS: tuple[WidgetId, ...] = ("entity_stats", "recent_activity", "recently_browsed", "service_status")
MAX_ANNOUNCEMENTS = 20


class Widget(Strict):
    id: WidgetId = Field(description="Which widget")
    enabled: bool = Field(True, description="Shown on the dashboard")


class Announcement(Strict):
    title: Annotated[Line, Field(min_length=1, max_length=200, description="Headline")]
    message: Annotated[Text, Field(min_length=1, max_length=2000, description="Body text")]
    severity: Literal["info", "warning", "critical"] = Field("info", description="How it is highlighted")


class DashboardConfig(Strict):
    """Widgets in display order (widgets left out are shown, after the others) and announcements."""

    widgets: Annotated[list[Widget], Field(max_length=len(WIDGET_IDS))] = Field(
        default_factory=lambda: [Widget(id=w) for w in WIDGET_IDS]
    )
    announcements: Annotated[list[Announcement], Field(max_length=MAX_ANNOUNCEMENTS)] = Field(default_factory=list)

    @field_validator("widgets")
    @classmethod
    def _unique(cls, widgets: list[Widget]) -> list[Widget]:
        seen: set[str] = set()
        for widget in widgets:
            if widget.id in seen:
                raise ValueError(f"widget {widget.id!r} is listed twice")
            seen.add(widget.id)
        return widgets


class EntityStats(BaseModel):
    total: int = Field(description="Entities in the catalog")
    byKind: dict[str, int] = Field(description="Entities per kind; every registered kind is present")
