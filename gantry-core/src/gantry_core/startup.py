"""Start-up and shutdown of one app: data dir, engine, migrations, first-run admin, plugin lifespans."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from gantry_core.actions.runs import RunManager
from gantry_core.auth import passwords
from gantry_core.auth import service as auth_service
from gantry_core.auth.principal import Authenticator
from gantry_core.auth.tokens import load_or_create_secret
from gantry_core.catalog.demo import load_demo
from gantry_core.catalog.service import get_entity, to_document
from gantry_core.crypto import Cipher, DecryptionError, load_or_create_key
from gantry_core.db.engine import Database, asyncpg_dsn
from gantry_core.db.tables import sync_runs
from gantry_core.events.bus import Event, EventBus, PostgresEventBus
from gantry_core.plugins.runtime import PluginRuntime
from gantry_core.settings import check_data_dir
from gantry_core.state import AppState
from gantry_core.sync import leases
from gantry_core.sync.scheduler import Scheduler

log = logging.getLogger("gantry")


async def start(state: AppState, stack: AsyncExitStack) -> None:
    settings = state.settings
    check_data_dir(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    state.db = Database.open(settings.database_url, settings.db_pool_size)
    stack.push_async_callback(state.db.dispose)
    await state.db.upgrade()
    from gantry_core.catalog.statistics import StatisticsKeeper

    keeper = state.extras["statistics"] = StatisticsKeeper(state.db)
    stack.push_async_callback(keeper.close)
    await keeper.start()

    passwords.configure(settings.argon2_memory_kib, settings.argon2_time_cost)
    admin_password = settings.admin_password.get_secret_value()
    async with state.db.write() as conn:
        if await auth_service.ensure_admin(conn, admin_password):
            log.info("created the admin user (username: admin)")
        admin = await auth_service.user_by_username(conn, "admin")
    if admin is not None and not settings.dev:
        # Checking a password costs ~0.1 s of CPU: do it beside start-up, not in its way.
        task = asyncio.get_running_loop().run_in_executor(None, _warn_default_password, admin["password_hash"])
        stack.push_async_callback(asyncio.wait_for, task, None)

    if settings.demo:
        await load_demo(state)  # into an empty catalog only, before plugins start

    secret = load_or_create_secret(
        settings.jwt_secret.get_secret_value() if settings.jwt_secret else None, settings.data_dir
    )
    state.auth = Authenticator(state.db, secret, settings.rate_limit)
    stack.push_async_callback(state.auth.drain)

    try:
        key = settings.encryption_key.get_secret_value() if settings.encryption_key else None
        state.cipher = Cipher(load_or_create_key(key, settings.data_dir))
    except DecryptionError as exc:  # plugins needing secrets show status: error; the server still runs
        state.cipher_error = str(exc)
        log.error("encryption key unusable: %s", exc)

    state.bus = await _start_bus(state)
    stack.push_async_callback(state.bus.stop)

    state.scheduler = Scheduler(state)
    await _interrupted_sync_runs(state)
    runtime = PluginRuntime(state)
    state.plugin_states = runtime
    stack.push_async_callback(runtime.stop)
    await runtime.start()

    state.runs = RunManager(state)  # stopped before the plugins: runs in flight are cancelled and recorded
    stack.push_async_callback(state.runs.stop)
    await state.runs.start()


async def _interrupted_sync_runs(state: AppState) -> None:
    """Sync runs left `running` by a server that died, and whose lease has lapsed, are marked failed."""
    async with state.db.read() as conn:
        rows = (
            await conn.execute(
                select(sync_runs.c.id, sync_runs.c.plugin_id, sync_runs.c.job).where(sync_runs.c.status == "running")
            )
        ).all()
    for row in rows:
        if await leases.held_elsewhere(state.db, f"{row.plugin_id}:{row.job}", state.scheduler.holder):
            continue
        async with state.db.write() as conn:
            await conn.execute(
                update(sync_runs)
                .where(sync_runs.c.id == row.id, sync_runs.c.status == "running")
                .values(status="failed", finished_at=datetime.now(UTC), errors=["interrupted: the server stopped"])
            )


async def _start_bus(state: AppState) -> EventBus:
    """In-process on SQLite; LISTEN/NOTIFY on PostgreSQL so replicas see each other's writes."""
    if state.db.dialect != "postgresql":
        bus = EventBus()
    else:
        dsn, server_settings = asyncpg_dsn(state.settings.database_url)

        async def resolve(event: Event) -> dict[str, Any] | None:
            ref = event.payload
            if event.channel == "runs":
                from gantry_core.actions.service import run_payload

                return await run_payload(state, str(ref.get("id")))
            async with state.db.read() as conn:
                row = await get_entity(conn, str(ref.get("kind")), str(ref.get("namespace")), str(ref.get("name")))
            return to_document(row) if row is not None else None

        bus = PostgresEventBus(dsn, server_settings, resolve=resolve)
    await bus.start()
    return bus


def _warn_default_password(password_hash: str | None) -> None:
    if passwords.verify("changeme", password_hash)[0]:
        log.warning("the admin user still has the default password 'changeme'; change it (F144)")


async def stop(state: AppState) -> None:
    log.info("gantry stopping")
