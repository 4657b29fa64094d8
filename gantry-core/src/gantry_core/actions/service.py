"""Actions: list them, execute them (permissions, inputs, executor), approve or reject runs, list runs.

Views open no transactions here: each operation below owns its transaction and publishes its run events
after commit. Runs that can start are handed to the run manager (`state.runs`)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from gantry_core.actions import permissions
from gantry_core.actions.inputs import validate_inputs
from gantry_core.actions.runs import RunJob, get_run_row, insert_run, publish, run_out, take_lease
from gantry_core.api.errors import GantryError, json_pointer
from gantry_core.api.pagination import PageParams, decode_cursor, encode_cursor, keyset_page
from gantry_core.audit.service import record
from gantry_core.auth.principal import Principal
from gantry_core.catalog import queries
from gantry_core.catalog.service import entity_not_found, get_entity, to_document
from gantry_core.db.tables import action_runs, entities
from gantry_core.plugins.host import Owned
from gantry_core.plugins.types import ActionType
from gantry_core.state import AppState

ACTION = "Action"


@dataclass(frozen=True)
class Caller:
    principal: Principal
    ip: str | None
    source: str


# -- actions -------------------------------------------------------------------------------------------


def action_summary(document: Mapping[str, Any]) -> dict[str, Any]:
    """An Action entity as the actions list shows it."""
    metadata = document["metadata"]
    spec = document.get("spec") or {}
    perms = spec.get("permissions") or {}
    return {
        "name": metadata["name"],
        "namespace": metadata["namespace"],
        "title": metadata.get("title"),
        "description": metadata.get("description"),
        "owner": metadata.get("owner"),
        "tags": metadata.get("tags") or [],
        "type": spec.get("type"),
        "category": spec.get("category"),
        "inputCount": len(spec.get("inputs") or ()),
        "inputs": spec.get("inputs") or [],
        "permissions": {
            "allowedRoles": perms.get("allowedRoles") or [],
            "allowedTeams": perms.get("allowedTeams") or [],
            "requireApproval": bool(perms.get("requireApproval")),
            "approvers": perms.get("approvers") or [],
        },
        "updatedAt": metadata.get("updatedAt"),
    }


async def list_actions(
    state: AppState, flt: queries.EntityFilter, category: str | None, page: PageParams
) -> tuple[list[dict[str, Any]], int, str | None]:
    flt = dataclasses.replace(flt, kind=ACTION)
    extra = [] if category is None else [entities.c.spec["category"].as_string() == category]
    rows, total, nxt = await state.db.read_sync(lambda conn: queries.list_page(conn, flt, page, "name", extra))
    return [action_summary(_document(r._mapping)) for r in rows], total, nxt


async def _action(conn: AsyncConnection, name: str, namespace: str) -> dict[str, Any]:
    row = await get_entity(conn, ACTION, namespace, name)
    if row is None:
        raise entity_not_found(ACTION, namespace, name)
    return _document(row)


def _document(row: Mapping[Any, Any]) -> dict[str, Any]:
    return to_document(cast(Mapping[str, Any], row))


def executor_for(state: AppState, action: Mapping[str, Any]) -> Owned[ActionType]:
    """The executor of the action's `spec.type`; 409 `executor_unavailable` if none is installed and enabled."""
    type_name = str((action.get("spec") or {}).get("type"))
    owned = state.host.action_types.get(type_name)
    if owned is None:
        raise GantryError(
            409,
            "executor_unavailable",
            f"no installed plugin runs actions of type {type_name!r}",
            [{"path": "/spec/type", "message": "no executor is installed for this type"}],
        )
    if not state.plugin_states.is_enabled(owned.plugin_id):
        raise GantryError(
            409,
            "executor_unavailable",
            f"actions of type {type_name!r} need the plugin {owned.plugin_id!r}, which is not enabled",
            [{"path": "/spec/type", "message": f"enable the plugin {owned.plugin_id!r}"}],
        )
    return owned


def executor_config(executor: Owned[ActionType], action: Mapping[str, Any]) -> Any:
    """`spec.config` validated against the executor's config model (422 `validation_failed` with paths)."""
    config = (action.get("spec") or {}).get("config") or {}
    model = executor.value.config_model
    if model is None:
        return dict(config)
    try:
        return model.model_validate(config)
    except ValidationError as exc:
        details = [
            {"path": json_pointer(["spec", "config", *err["loc"]]), "message": err["msg"]} for err in exc.errors()
        ]
        raise GantryError(
            422,
            "validation_failed",
            f"the action's config does not suit the {executor.value.name!r} executor; fix the Action entity",
            details,
        ) from None


def _job(
    action: dict[str, Any], run: Mapping[Any, Any], executor: Owned[ActionType], config: Any, ip: str | None
) -> RunJob:
    return RunJob(
        run_id=run["id"],
        action=action,
        inputs=dict(run["inputs"]),
        executor=executor,
        config=config,
        triggered_by=run["triggered_by"],
        ip=ip,
    )


async def execute(
    state: AppState, name: str, namespace: str, given: Mapping[str, Any], caller: Caller
) -> dict[str, Any]:
    """Start a run of the action (or leave it `pending` for approval); the new run's API shape.

    Checks, in order: the action exists (404), the caller may run it (403), its executor is installed and
    enabled (409), its config suits the executor and the inputs suit `spec.inputs` (422)."""
    async with state.db.write() as conn:
        action = await _action(conn, name, namespace)
        await permissions.check_may_execute(conn, action, caller.principal)
        executor = executor_for(state, action)
        config = executor_config(executor, action)
        inputs = validate_inputs((action.get("spec") or {}).get("inputs") or [], given)
        pending = bool(((action["spec"].get("permissions")) or {}).get("requireApproval"))
        now = datetime.now(UTC)
        values = {
            "id": str(uuid.uuid4()),
            "action_name": name,
            "action_namespace": namespace,
            "action_type": action["spec"]["type"],
            "status": "pending" if pending else "running",
            "inputs": inputs,
            "triggered_by": caller.principal.username,
            "approved_by": None,
            "reason": None,
            "output": None,
            "logs": [],
            "error": None,
            "created_at": now,
            "started_at": None if pending else now,
            "finished_at": None,
        }
        await insert_run(conn, values, None if pending else state.runs.holder)
        await record(
            conn,
            action="execute",
            actor=caller.principal.username,
            source=caller.source,
            ip=caller.ip,
            resource_type=ACTION,
            resource_namespace=namespace,
            resource_name=name,
            details={"runId": values["id"], "inputs": inputs, "status": values["status"]},
        )
        row = await get_run_row(conn, values["id"])
    assert row is not None
    await publish(state, "run.created", row)
    if not pending:
        state.runs.launch(_job(action, row, executor, config, caller.ip))
    return run_out(row)


# -- approvals -----------------------------------------------------------------------------------------


def _forbidden(message: str) -> GantryError:
    return GantryError(403, "action_forbidden", message, [{"path": "/spec/permissions/approvers", "message": message}])


async def decide(state: AppState, run_id: str, *, approve: bool, reason: str | None, caller: Caller) -> dict[str, Any]:
    """Approve (the run starts) or reject a `pending` run, as one of the action's approvers (F155)."""
    principal = caller.principal
    job: RunJob | None = None
    async with state.db.write() as conn:
        run = await get_run_row(conn, run_id, lock=True)
        if run is None:
            raise GantryError(404, "not_found", f"run {run_id!r} not found")
        if run["status"] != "pending":
            raise GantryError(409, "not_pending", f"run {run_id} is {run['status']}, not waiting for approval")
        row = await get_entity(conn, ACTION, run["action_namespace"], run["action_name"])
        action = _document(row) if row is not None else None
        if run["triggered_by"] == principal.username:
            raise _forbidden("nobody approves or rejects their own run; ask another approver")
        if not await permissions.is_approver(conn, action, principal):
            raise _forbidden(f"you are not an approver of {run['action_name']!r}")
        now = datetime.now(UTC)
        if approve:
            if action is None or row is None:
                raise GantryError(404, "not_found", f"Action {run['action_name']!r} no longer exists; reject the run")
            if row["updated_at"] is not None and _aware(row["updated_at"]) > _aware(run["created_at"]):
                raise GantryError(
                    409,
                    "conflict",
                    f"the action {run['action_name']!r} changed after this run was requested; "
                    "reject it and request again",
                )
            executor = executor_for(state, action)
            config = executor_config(executor, action)
            values: dict[str, Any] = {"status": "running", "approved_by": principal.username, "started_at": now}
        else:
            values = {"status": "rejected", "approved_by": principal.username, "finished_at": now}
        values["reason"] = reason
        await conn.execute(update(action_runs).where(action_runs.c.id == run_id).values(**values))
        if approve:
            await take_lease(conn, run_id, state.runs.holder)
        await record(
            conn,
            action="approve" if approve else "reject",
            actor=principal.username,
            source=caller.source,
            ip=caller.ip,
            resource_type=ACTION,
            resource_namespace=run["action_namespace"],
            resource_name=run["action_name"],
            details={"runId": run_id, "requestedBy": run["triggered_by"], "reason": reason},
        )
        updated = await get_run_row(conn, run_id)
        assert updated is not None
        if approve:
            assert action is not None
            job = _job(action, updated, executor, config, caller.ip)
    await publish(state, "run.updated", updated)
    if job is not None:
        state.runs.launch(job)
    return run_out(updated)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def approvals(
    state: AppState, principal: Principal, page: PageParams
) -> tuple[list[dict[str, Any]], int, str | None]:
    """Pending runs the caller may approve (not their own), newest first."""
    after: tuple[datetime, str] | None = None
    if page.cursor:
        stamp, last_id = decode_cursor(page.cursor, 2)
        try:
            after = (_aware(datetime.fromisoformat(str(stamp))), str(last_id))
        except ValueError:
            raise GantryError(400, "invalid_cursor", "cursor is not one this server issued") from None
    async with state.db.read() as conn:
        stmt = (
            select(action_runs)
            .where(action_runs.c.status == "pending", action_runs.c.triggered_by != principal.username)
            .order_by(action_runs.c.created_at.desc(), action_runs.c.id.desc())
        )
        pending = (await conn.execute(stmt)).mappings().all()
        verdicts: dict[tuple[str, str], bool] = {}
        mine: list[RowMapping] = []
        for run in pending:
            key = (run["action_namespace"], run["action_name"])
            if key not in verdicts:
                row = await get_entity(conn, ACTION, *key)
                action = _document(row) if row is not None else None
                verdicts[key] = await permissions.is_approver(conn, action, principal)
            if verdicts[key]:
                mine.append(run)
    total = len(mine)
    if after is not None:
        mine = [r for r in mine if (_aware(r["created_at"]), r["id"]) < after]
    page_rows = mine[: page.limit]
    nxt = None
    if len(mine) > page.limit:
        last = page_rows[-1]
        nxt = encode_cursor([_aware(last["created_at"]).isoformat(), last["id"]])
    return [run_out(r) for r in page_rows], total, nxt


# -- runs ----------------------------------------------------------------------------------------------


async def list_runs(
    state: AppState,
    page: PageParams,
    *,
    action: str | None = None,
    namespace: str | None = None,
    status: str | None = None,
) -> tuple[list[dict[str, Any]], int, str | None]:
    where: list[ColumnElement[bool]] = []
    if action is not None:
        where.append(action_runs.c.action_name == action)
    if namespace is not None:
        where.append(action_runs.c.action_namespace == namespace)
    if status is not None:
        where.append(action_runs.c.status == status)
    condition = and_(*where) if where else None
    stmt = select(action_runs)
    count = select(func.count()).select_from(action_runs)
    if condition is not None:
        stmt, count = stmt.where(condition), count.where(condition)
    async with state.db.read() as conn:
        rows, total, nxt = await conn.run_sync(
            keyset_page,
            stmt,
            [action_runs.c.created_at, action_runs.c.id],
            page,
            descending=True,
            count=count,
            cursor_types=[datetime.fromisoformat, str],
        )
    return [run_out(r._mapping) for r in rows], total, nxt


async def runs_of_action(
    state: AppState, name: str, namespace: str, page: PageParams, status: str | None
) -> tuple[list[dict[str, Any]], int, str | None]:
    async with state.db.read() as conn:
        await _action(conn, name, namespace)
    return await list_runs(state, page, action=name, namespace=namespace, status=status)


async def get_run(
    state: AppState, run_id: str, *, action: str | None = None, namespace: str | None = None
) -> dict[str, Any]:
    async with state.db.read() as conn:
        row = await get_run_row(conn, run_id)
    if row is None or (action is not None and (row["action_name"], row["action_namespace"]) != (action, namespace)):
        where = f" of {action!r}" if action else ""
        raise GantryError(404, "not_found", f"run {run_id!r}{where} not found")
    return run_out(row)


async def run_payload(state: AppState, run_id: str) -> dict[str, Any] | None:
    """A run's event payload, re-read by replicas for events too large for NOTIFY."""
    async with state.db.read() as conn:
        row = await get_run_row(conn, run_id)
    return run_out(row) if row is not None else None
