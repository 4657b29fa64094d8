"""Reading the audit trail: filters over `audit_log`, newest first, one keyset page at a time (F83, F154).

Every filter the API offers is served by an index: resource (kind, namespace, name) by
``ix_audit_log_resource`` (a name alone too, on SQLite once `catalog.statistics` has analysed the
trail: SQLite then skips through the few kinds and namespaces that lead the index), user by
``ix_audit_log_user``, action by ``ix_audit_log_action``, the time range by ``ix_audit_log_timestamp``;
pages walk the primary key backwards. The total under no filter, actions and/or a kind (`GET /audit`'s
and `GET /activity`'s usual views) sums the kept `audit_counts` instead of counting the trail, which
only grows; any other filter counts its matching entries through the same indexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.engine import Connection, Row, RowMapping

from gantry_core.api.pagination import PageParams, keyset_page
from gantry_core.db.tables import audit_counts, audit_log

#: Audit actions of the entity write path (catalog/service.py) and of action runs.
ENTITY_ACTIONS = ("create", "update", "delete")
ACTIVITY_ACTIONS = (*ENTITY_ACTIONS, "execute")

_ACTIVITY_TYPES = {
    "create": "entity.created",
    "update": "entity.updated",
    "delete": "entity.deleted",
    "execute": "action.executed",
}


@dataclass(frozen=True)
class AuditFilter:
    """What `GET /audit` and the activity feeds may filter on; empty fields do not filter."""

    kind: str | None = None
    namespace: str | None = None
    name: str | None = None
    user: str | None = None
    actions: tuple[str, ...] = ()
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        c = audit_log.c
        where: list[ColumnElement[bool]] = []
        if self.kind is not None:
            where.append(c.resource_type == self.kind)
        if self.namespace is not None:
            where.append(c.resource_namespace == self.namespace)
        if self.name is not None:
            where.append(c.resource_name == self.name)
        if self.user is not None:
            where.append(c.user_name == self.user)
        if len(self.actions) == 1:
            where.append(c.action == self.actions[0])
        elif self.actions:
            where.append(c.action.in_(self.actions))
        if self.source is not None:
            where.append(c.source == self.source)
        if self.since is not None:
            where.append(c.timestamp >= _utc(self.since))
        if self.until is not None:
            where.append(c.timestamp < _utc(self.until))
        return where

    def kept(self) -> bool:
        """Whether `audit_counts` hold the number of matching entries: under no filter but actions and a
        kind. (Entries with no resource type are counted under '', which no kind filter matches in the
        trail.)"""
        others = (self.namespace, self.name, self.user, self.source, self.since, self.until)
        return self.kind != "" and all(value is None for value in others)

    def kept_total(self) -> Select[Any] | None:
        """The number of matching entries from `audit_counts`, when they hold it (`kept`)."""
        if not self.kept():
            return None
        c = audit_counts.c
        stmt = select(func.coalesce(func.sum(c.n), 0))
        if self.kind is not None:
            stmt = stmt.where(c.resource_type == self.kind)
        if self.actions:
            stmt = stmt.where(c.action.in_(self.actions))
        return stmt


def _utc(value: datetime) -> datetime:
    """Stored times are UTC; SQLite keeps them without an offset, so compare in UTC."""
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def page(conn: Connection, flt: AuditFilter, params: PageParams) -> tuple[list[Row[Any]], int, str | None]:
    """One page of matching entries, newest first, with the total and the next cursor. Synchronous: see
    `off_loop`."""
    stmt = select(audit_log).where(*flt.clauses())
    return keyset_page(
        conn, stmt, [audit_log.c.id], params, descending=True, count=flt.kept_total(), cursor_types=[int]
    )


def off_loop(flt: AuditFilter) -> bool:
    """Whether a page under `flt` should be read off the event loop (`Database.read_sync`): its total then
    counts matching entries, as many as the trail holds for a user, a namespace or a time range (~35 ms at
    100k entries on SQLite). One resource's entries (a name) are few, and the kept counts cost nothing."""
    return flt.name is None and not flt.kept()


def activity_type(action: str, source: str) -> str:
    """The dashboard feed's event type (F86): plugin-sync writes are ``entity.synced``."""
    if action in ("create", "update") and source == "plugin":
        return "entity.synced"
    return _ACTIVITY_TYPES.get(action, action)


def entry(row: RowMapping, *, with_ip: bool) -> dict[str, Any]:
    """The API form of an audit row; `with_ip=False` for everyone but admins (F154)."""
    stamp: datetime = row["timestamp"]
    out: dict[str, Any] = {
        "id": row["id"],
        "timestamp": stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC),
        "userName": row["user_name"],
        "action": row["action"],
        "resourceType": row["resource_type"],
        "resourceNamespace": row["resource_namespace"],
        "resourceName": row["resource_name"],
        "source": row["source"],
        "before": row["before"],
        "after": row["after"],
        "details": row["details"],
    }
    if with_ip:
        out["ipAddress"] = row["ip_address"]
    else:
        out["type"] = activity_type(row["action"], row["source"])
    return out
