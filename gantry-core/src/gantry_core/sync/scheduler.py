"""The in-process scheduler: each enabled plugin's jobs on their interval and on demand, one replica at
a time per job (a lease in the database), cancelled when the plugin is disabled or the server stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from gantry_core.api.errors import GantryError
from gantry_core.db.tables import sync_runs
from gantry_core.plugins.types import SyncJob
from gantry_core.state import AppState
from gantry_core.sync import leases
from gantry_core.sync.runner import create_run, run_job

log = logging.getLogger("gantry.sync")
LEASE_TTL = timedelta(seconds=60)
_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(value: Any) -> timedelta | None:
    """`30s`, `5m`, `1h`, `1d` → timedelta; empty → None (manual only). Raises ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    match = _INTERVAL.match(str(value))
    if not match or int(match.group(1)) == 0:
        raise ValueError("must look like 30s, 5m, 1h or 1d")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


class Scheduler:
    def __init__(self, state: AppState) -> None:
        self.state = state
        self.holder = uuid.uuid4().hex
        self._loops: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._runs: dict[tuple[str, str], asyncio.Task[Any]] = {}
        self._starting: dict[tuple[str, str], asyncio.Lock] = {}

    def jobs(self, plugin_id: str) -> list[SyncJob]:
        return [o.value for o in self.state.host.jobs.values() if o.plugin_id == plugin_id]

    def interval(self, plugin_id: str, job: SyncJob) -> timedelta | None:
        config = self.state.plugin_states.config_of(plugin_id)
        if config is not None and hasattr(config, "syncInterval"):
            try:
                return parse_interval(config.syncInterval)
            except ValueError:
                return job.interval
        return job.interval

    # -- lifecycle -----------------------------------------------------------------------------------

    def start_plugin(self, plugin_id: str) -> None:
        """Schedule the plugin's jobs on their intervals (idempotent)."""
        for job in self.jobs(plugin_id):
            key = (plugin_id, job.name)
            if key not in self._loops or self._loops[key].done():
                self._loops[key] = asyncio.create_task(self._loop(plugin_id, job))

    async def run_on_enable(self, plugin_id: str, triggered_by: str | None) -> None:
        """Start the jobs that run when the plugin is enabled (on the replica that enabled it)."""
        for job in self.jobs(plugin_id):
            if job.run_on_enable:
                await self._start(plugin_id, job, triggered_by)

    async def stop_plugin(self, plugin_id: str) -> None:
        tasks = [t for (pid, _), t in [*self._loops.items(), *self._runs.items()] if pid == plugin_id]
        for key in [k for k in self._loops if k[0] == plugin_id]:
            del self._loops[key]
        await _cancel(tasks)

    async def stop(self) -> None:
        tasks = [*self._loops.values(), *self._runs.values()]
        self._loops.clear()
        await _cancel(tasks)

    # -- running -------------------------------------------------------------------------------------

    async def trigger(self, plugin_id: str, job_name: str | None, triggered_by: str | None) -> list[str]:
        """Start the plugin's jobs (or one) now; returns the sync-run ids. 409 while one is running."""
        jobs = [j for j in self.jobs(plugin_id) if job_name in (None, j.name)]
        if not jobs:
            raise GantryError(404, "not_found", f"plugin {plugin_id!r} has no sync job {job_name or ''}".strip())
        ids = []
        for job in jobs:
            run_id = await self._start(plugin_id, job, triggered_by)
            if run_id is None:
                raise GantryError(409, "sync_in_progress", f"sync job {job.name!r} is already running")
            ids.append(run_id)
        return ids

    async def _start(
        self, plugin_id: str, job: SyncJob, triggered_by: str | None, *, due_every: timedelta | None = None
    ) -> str | None:
        """Start a run under the job's lease; with `due_every`, only if no replica started one that recently
        (checked after taking the lease, so two replicas waking together run the job once)."""
        key = (plugin_id, job.name)
        async with self._starting.setdefault(key, asyncio.Lock()):  # one starter at a time on this replica
            running = self._runs.get(key)
            if running is not None and not running.done():
                return None
            lease = f"{plugin_id}:{job.name}"
            if not await leases.acquire(self.state.db, lease, self.holder, LEASE_TTL):
                return None
            if due_every is not None:
                last = await self._last_start(plugin_id, job.name)
                if last is not None and datetime.now(UTC) - last < due_every:
                    await leases.release(self.state.db, lease, self.holder)
                    return None
            run_id = await create_run(self.state, plugin_id, job.name, triggered_by)
            self._runs[key] = asyncio.create_task(self._run(plugin_id, job, run_id, lease))
            return run_id

    async def _run(self, plugin_id: str, job: SyncJob, run_id: str, lease: str) -> None:
        heartbeat = asyncio.create_task(self._heartbeat(lease))
        try:
            ctx = self.state.plugin_states.sync_context(plugin_id, job.name)
            await run_job(self.state, plugin_id, job, run_id, ctx)
        except Exception:
            log.exception("sync job %s/%s could not run", plugin_id, job.name)
            async with self.state.db.write() as conn:
                await conn.execute(
                    update(sync_runs)
                    .where(sync_runs.c.id == run_id)
                    .values(status="failed", finished_at=datetime.now(UTC), errors=["could not start the job"])
                )
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            await asyncio.shield(leases.release(self.state.db, lease, self.holder))

    async def _heartbeat(self, lease: str) -> None:
        while True:
            await asyncio.sleep(LEASE_TTL.total_seconds() / 3)
            await leases.acquire(self.state.db, lease, self.holder, LEASE_TTL)

    async def _last_start(self, plugin_id: str, job: str) -> datetime | None:
        async with self.state.db.read() as conn:
            value = (
                await conn.execute(
                    select(sync_runs.c.started_at)
                    .where(sync_runs.c.plugin_id == plugin_id, sync_runs.c.job == job)
                    .order_by(sync_runs.c.started_at.desc())
                    .limit(1)
                )
            ).scalar()
        if not isinstance(value, datetime):
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    async def _loop(self, plugin_id: str, job: SyncJob) -> None:
        """Run the job whenever its interval has passed since the last run on any replica."""
        while True:
            interval = self.interval(plugin_id, job)
            last = await self._last_start(plugin_id, job.name)
            if interval is not None and (last is None or datetime.now(UTC) - last >= interval):
                try:
                    await self._start(plugin_id, job, "scheduler", due_every=interval)
                except Exception:
                    log.exception("could not start sync job %s/%s", plugin_id, job.name)
            wait = 60.0
            if interval is not None:
                last = await self._last_start(plugin_id, job.name) or datetime.now(UTC)
                wait = max(1.0, min(3600.0, (last + interval - datetime.now(UTC)).total_seconds()))
            await asyncio.sleep(wait)

    async def wait_idle(self, plugin_id: str | None = None) -> None:
        """Wait for the runs under way (tests and shutdown)."""
        tasks = [t for (pid, _), t in self._runs.items() if plugin_id in (None, pid)]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


async def _cancel(tasks: list[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
