"""Action runs: their rows and API shape, the context an executor gets, and the run manager that executes
runs in the background of the process that started them (F78, F79).

A run is `pending` (waiting for approval), `running`, then `success` or `failed`; or `rejected`. While a run
executes, its replica holds a lease row ``action-run:<id>`` in `job_leases`, renewed by a heartbeat, so a
run whose server died is recognisable: at start-up (on SQLite, a single process, every `running` run is
interrupted) and on every heartbeat, `running` runs without a live lease are marked `failed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import logging
import os
import socket
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy import delete, exists, insert, literal, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from gantry_core.api.errors import GantryError
from gantry_core.catalog.service import _iso as iso
from gantry_core.db.tables import action_runs, job_leases
from gantry_core.plugins.host import Owned
from gantry_core.plugins.types import ActionType, PluginContext
from gantry_core.state import AppState

log = logging.getLogger("gantry.actions")

STATUSES = ("pending", "running", "success", "failed", "rejected")
LEASE_PREFIX = "action-run:"
LEASE_TTL = timedelta(seconds=60)
HEARTBEAT_SECONDS = 20.0
STOP_GRACE_SECONDS = 10.0
MAX_LOG_LINES = 1000
MAX_LOG_LINE = 4000
MAX_OUTPUT_BYTES = 256_000
REDACTED = "********"
INTERRUPTED = "interrupted: the server running it stopped before it finished"


def lease_name(run_id: str) -> str:
    return f"{LEASE_PREFIX}{run_id}"


def run_out(row: Mapping[Any, Any]) -> dict[str, Any]:
    """The API (and event) representation of a run row."""
    status = row["status"]
    return {
        "id": row["id"],
        "actionName": row["action_name"],
        "namespace": row["action_namespace"],
        "type": row["action_type"],
        "status": status,
        "inputs": row["inputs"],
        "triggeredBy": row["triggered_by"],
        "approvedBy": row["approved_by"] if status != "rejected" else None,
        "rejectedBy": row["approved_by"] if status == "rejected" else None,
        "reason": row["reason"],
        "createdAt": iso(row["created_at"]),
        "startedAt": iso(row["started_at"]),
        "finishedAt": iso(row["finished_at"]),
        "output": row["output"],
        "logs": row["logs"] or [],
        "error": row["error"],
    }


async def get_run_row(conn: AsyncConnection, run_id: str, *, lock: bool = False) -> RowMapping | None:
    stmt = select(action_runs).where(action_runs.c.id == run_id)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return (await conn.execute(stmt)).mappings().first()


async def insert_run(conn: AsyncConnection, values: Mapping[str, Any], holder: str | None) -> None:
    """Insert a run; a `running` one gets its lease in the same transaction."""
    await conn.execute(insert(action_runs).values(**values))
    if holder is not None:
        await take_lease(conn, str(values["id"]), holder)


async def take_lease(conn: AsyncConnection, run_id: str, holder: str) -> None:
    await conn.execute(
        insert(job_leases).values(name=lease_name(run_id), holder=holder, expires_at=datetime.now(UTC) + LEASE_TTL)
    )


async def publish(state: AppState, type_: str, row: Mapping[Any, Any]) -> None:
    """Publish a run event on the `runs` channel; call after the change committed."""
    try:
        await state.bus.publish("runs", type_, run_out(row))
    except Exception:
        log.exception("could not publish %s for run %s", type_, row["id"])


# -- what an executor gets ----------------------------------------------------------------------------


class RunServices:
    """Per-run helpers behind RunContext: log lines, secrets (remembered for redaction), catalog writes."""

    def __init__(self, state: AppState, job: RunJob) -> None:
        self.state = state
        self.job = job
        self.logs: list[dict[str, Any]] = []
        self.revealed: set[str] = set()

    def log(self, message: str, level: str = "info") -> None:
        if len(self.logs) >= MAX_LOG_LINES:
            return
        text = str(message)
        if len(text) > MAX_LOG_LINE:
            text = text[:MAX_LOG_LINE] + "…"
        self.logs.append({"timestamp": iso(datetime.now(UTC)), "level": level, "message": text})
        if len(self.logs) == MAX_LOG_LINES:
            self.logs.append({"timestamp": iso(datetime.now(UTC)), "level": "warning", "message": "log truncated"})

    async def secret(self, name: str) -> str:
        from gantry_core.secrets.service import reveal

        value = await reveal(self.state, name)
        self.revealed.add(value)
        return value

    async def apply_entity(self, document: Mapping[str, Any]) -> dict[str, Any]:
        from gantry_core.catalog import events as catalog_events
        from gantry_core.catalog.documents import parse
        from gantry_core.catalog.service import Actor, WriteError, write_many
        from gantry_core.catalog.views import canonical_kind

        doc = parse(self.state.host, document)
        actor = Actor(name=self.job.triggered_by, source="api", ip=self.job.ip)
        async with self.state.db.write() as conn:
            result = (await write_many(conn, [doc], actor, canonical_kind=canonical_kind(self.state)))[0]
        if isinstance(result, WriteError):
            raise result.error
        await catalog_events.publish(self.state, [result.event])
        return {"outcome": result.outcome, "entity": result.entity}


@dataclass(frozen=True)
class RunContext(PluginContext):
    """What `ActionType.execute(ctx, action, inputs)` receives: the plugin context plus the run.

    ``ctx.log_line(text)`` adds a line to the run's log; ``await ctx.secret("NAME")`` reads an
    admin-managed secret (or ``GANTRY_SECRET_NAME``) and keeps its value out of the run's record;
    ``await ctx.apply_entity(document)`` upserts an entity through the catalog write path as the user
    who triggered the run. Raise to fail the run: the message becomes its `error`, and an ``output``
    attribute on the exception, if any, its `output`."""

    run_id: str = ""
    action_name: str = ""
    namespace: str = "default"
    triggered_by: str = ""
    action_config: Any = None
    allow_private_network: bool = False
    services: RunServices | None = field(default=None, repr=False, compare=False)

    def _services(self) -> RunServices:
        if self.services is None:
            raise RuntimeError("this context belongs to no run")
        return self.services

    def log_line(self, message: str, level: str = "info") -> None:
        self._services().log(message, level)

    async def secret(self, name: str) -> str:
        return await self._services().secret(name)

    async def apply_entity(self, document: Mapping[str, Any]) -> dict[str, Any]:
        return await self._services().apply_entity(document)


@dataclass(frozen=True)
class RunJob:
    """Everything needed to execute a run that is already `running` in the database."""

    run_id: str
    action: dict[str, Any]
    inputs: dict[str, Any]
    executor: Owned[ActionType]
    config: Any
    triggered_by: str
    ip: str | None


def _plugin_context(state: AppState, plugin_id: str) -> dict[str, Any]:
    base = state.plugin_states.context(plugin_id)
    return {f.name: getattr(base, f.name) for f in dataclasses.fields(PluginContext)}


# -- recording what happened ---------------------------------------------------------------------------


def _redact(value: Any, secrets: Iterable[str]) -> Any:
    hidden = sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True)
    if not hidden:
        return value

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            for secret in hidden:
                item = item.replace(secret, REDACTED)
            return item
        if isinstance(item, Mapping):
            return {walk(k) if isinstance(k, str) else k: walk(v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [walk(v) for v in item]
        return item

    return walk(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return str(value)


def _jsonable(value: Any) -> Any:
    """`value` as JSON data; output too large for a run record is cut to an excerpt."""
    if value is None:
        return None
    dumped = orjson.dumps(value, default=_json_default, option=orjson.OPT_NON_STR_KEYS)
    if len(dumped) > MAX_OUTPUT_BYTES:
        return {"truncated": True, "excerpt": dumped[:MAX_OUTPUT_BYTES].decode("utf-8", "replace")}
    return orjson.loads(dumped)


def error_text(exc: BaseException) -> str:
    if isinstance(exc, GantryError):
        parts = [exc.message, *(f"{d.get('path')}: {d.get('message')}" for d in exc.details)]
        return "; ".join(parts)
    text = str(exc).strip()
    return text or type(exc).__name__


# -- the run manager -------------------------------------------------------------------------------


class RunManager:
    """Executes runs as asyncio tasks, renews their leases, and fails runs whose server went away."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.holder = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._heartbeat: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        # SQLite serves one process (F143): whatever is still `running` was interrupted.
        await self.reap(every_running=self.state.db.dialect == "sqlite")
        self._heartbeat = asyncio.create_task(self._beat(), name="gantry-action-runs-heartbeat")

    async def stop(self) -> None:
        """Cancel the heartbeat and every run in flight; cancelled runs are recorded as failed."""
        self._stopping = True
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)

    def launch(self, job: RunJob) -> None:
        if self._stopping:  # its lease lapses and the next heartbeat or start-up records it as interrupted
            log.warning("not starting run %s: the server is stopping", job.run_id)
            return
        task = asyncio.create_task(self._run(job), name=f"action-run:{job.run_id}")
        self._tasks[job.run_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job.run_id, None))

    async def wait(self, run_id: str) -> None:
        """Wait until the run executing here (if any) has finished and been recorded."""
        task = self._tasks.get(run_id)
        if task is not None:
            await asyncio.wait([task])

    @property
    def in_flight(self) -> list[str]:
        return list(self._tasks)

    async def _run(self, job: RunJob) -> None:
        services = RunServices(self.state, job)
        spec = job.action.get("spec") or {}
        ctx = RunContext(
            **_plugin_context(self.state, job.executor.plugin_id),
            run_id=job.run_id,
            action_name=job.action["metadata"]["name"],
            namespace=job.action["metadata"]["namespace"],
            triggered_by=job.triggered_by,
            action_config=job.config,
            allow_private_network=self.state.settings.webhook_allow_private,
            services=services,
        )
        log.info("run %s of %s (%s) started", job.run_id, ctx.action_name, spec.get("type"))
        try:
            result = job.executor.value.execute(ctx, job.action, job.inputs)
            if inspect.isawaitable(result):
                result = await result
        except asyncio.CancelledError:
            await self._finish(job.run_id, "failed", None, services, INTERRUPTED)
            raise
        except Exception as exc:
            log.info("run %s failed: %s", job.run_id, error_text(exc))
            await self._finish(job.run_id, "failed", getattr(exc, "output", None), services, error_text(exc))
            return
        await self._finish(job.run_id, "success", result, services, None)

    async def _finish(self, run_id: str, status: str, output: Any, services: RunServices, error: str | None) -> None:
        try:
            recorded_output = _redact(_jsonable(output), services.revealed)
        except (TypeError, orjson.JSONEncodeError) as exc:
            recorded_output, status = None, "failed"
            error = error or f"the executor returned output that is not JSON: {exc}"
        values = {
            "status": status,
            "finished_at": datetime.now(UTC),
            "output": recorded_output,
            "logs": _redact(services.logs, services.revealed),
            "error": _redact(error, services.revealed),
        }
        try:
            async with self.state.db.write() as conn:
                await conn.execute(
                    update(action_runs)
                    .where(action_runs.c.id == run_id, action_runs.c.status == "running")
                    .values(**values)
                )
                await conn.execute(delete(job_leases).where(job_leases.c.name == lease_name(run_id)))
                row = await get_run_row(conn, run_id)
        except Exception:
            log.exception("could not record the end of run %s", run_id)
            return
        if row is not None:
            await publish(self.state, "run.updated", row)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self.renew()
                await self.reap()
            except Exception:
                log.exception("action-run heartbeat failed")

    async def renew(self) -> None:
        running = self.in_flight
        if not running:
            return
        async with self.state.db.write() as conn:
            await conn.execute(
                update(job_leases)
                .where(job_leases.c.name.in_([lease_name(r) for r in running]), job_leases.c.holder == self.holder)
                .values(expires_at=datetime.now(UTC) + LEASE_TTL)
            )

    async def reap(self, *, every_running: bool = False) -> list[str]:
        """Mark failed the `running` runs no live server executes: those without a live lease, or with
        `every_running` all of them (except this process's own). Returns their ids."""
        now = datetime.now(UTC)
        async with self.state.db.write() as conn:
            stmt = select(action_runs.c.id).where(action_runs.c.status == "running")
            if not every_running:
                live = exists().where(
                    job_leases.c.name == literal(LEASE_PREFIX) + action_runs.c.id, job_leases.c.expires_at > now
                )
                stmt = stmt.where(~live)
            ids = [r.id for r in (await conn.execute(stmt)).all() if r.id not in self._tasks]
            if not ids:
                return []
            await conn.execute(
                update(action_runs)
                .where(action_runs.c.id.in_(ids), action_runs.c.status == "running")
                .values(status="failed", finished_at=now, error=INTERRUPTED)
            )
            await conn.execute(delete(job_leases).where(job_leases.c.name.in_([lease_name(i) for i in ids])))
            rows = (await conn.execute(select(action_runs).where(action_runs.c.id.in_(ids)))).mappings().all()
        log.warning("marked %d interrupted action run(s) as failed", len(ids))
        for row in rows:
            await publish(self.state, "run.updated", row)
        return ids
