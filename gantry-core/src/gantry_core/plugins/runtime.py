"""The plugin runtime: enabled state and config (encrypted secrets), lifespans entered and exited as
plugins are enabled and disabled — at once, on every replica — and the contexts plugins receive."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy import insert, select, update

from gantry_core.api.deps import client_ip
from gantry_core.api.errors import GantryError
from gantry_core.audit.service import record as audit_record
from gantry_core.crypto import DecryptionError
from gantry_core.db.tables import plugins as plugins_table
from gantry_core.events.bus import Event
from gantry_core.plugins import config as config_mod
from gantry_core.plugins.state import PluginStates
from gantry_core.plugins.types import PluginContext, SyncContext
from gantry_core.state import AppState

log = logging.getLogger("gantry.plugins")


class CoreServicesImpl:
    """The core services handed to plugins through their context."""

    def __init__(self, state: AppState) -> None:
        self.state = state

    async def get_entity(self, kind: str, name: str, namespace: str = "default") -> dict[str, Any] | None:
        from gantry_core.catalog.service import get_entity, to_document

        registered = self.state.host.kind(kind)
        if registered is None:
            return None
        async with self.state.db.read() as conn:
            row = await get_entity(conn, registered.name, namespace, name)
        return to_document(row) if row is not None else None

    async def get_entities(
        self, kind: str, names: Sequence[str], namespace: str = "default"
    ) -> dict[str, dict[str, Any]]:
        from gantry_core.catalog.service import load_existing, to_document

        registered = self.state.host.kind(kind)
        if registered is None or not names:
            return {}
        keys = [(registered.name, namespace, name) for name in names]
        async with self.state.db.read() as conn:
            rows = await load_existing(conn, keys, lock=False)
        return {key[2]: to_document(row) for key, row in rows.items()}

    async def audit(
        self, plugin_id: str, *, action: str, actor: str | None, ip: str | None = None, **fields: Any
    ) -> None:
        async with self.state.db.write() as conn:
            await audit_record(conn, action=f"{plugin_id}.{action}", actor=actor, source="plugin", ip=ip, **fields)


class PluginRuntime(PluginStates):
    def __init__(self, state: AppState) -> None:
        super().__init__(state.host)
        self.state = state
        self.core = CoreServicesImpl(state)
        self._configs: dict[str, BaseModel | None] = {}
        self._errors: dict[str, str] = {}
        self._stored: dict[str, Any] = {}
        self._plugin_state: dict[str, dict[str, Any]] = {}
        self._lifespans: dict[str, AsyncExitStack] = {}
        self._lock = asyncio.Lock()
        self._unsubscribe: Any = None
        self._background: set[asyncio.Task[None]] = set()

    # -- state ---------------------------------------------------------------------------------------

    def status(self, plugin_id: str) -> str:
        if self.host.plugins[plugin_id].error or plugin_id in self._errors:
            return "error"
        return super().status(plugin_id)

    def error(self, plugin_id: str) -> str | None:
        return self.host.plugins[plugin_id].error or self._errors.get(plugin_id)

    def is_enabled(self, plugin_id: str) -> bool:
        return super().is_enabled(plugin_id) and plugin_id not in self._errors

    def config_of(self, plugin_id: str) -> BaseModel | None:
        return self._configs.get(plugin_id)

    def stored_config(self, plugin_id: str) -> Any:
        return self._stored.get(plugin_id, {})

    def context(self, plugin_id: str) -> PluginContext:
        return PluginContext(
            plugin_id=plugin_id,
            log=logging.getLogger(f"gantry.plugin.{plugin_id}"),
            config=self._configs.get(plugin_id),
            core=self.core,
            state=self._plugin_state.setdefault(plugin_id, {}),
        )

    def sync_context(self, plugin_id: str, job: str) -> SyncContext:
        return SyncContext(
            plugin_id=plugin_id,
            log=logging.getLogger(f"gantry.plugin.{plugin_id}"),
            config=self._configs.get(plugin_id),
            core=self.core,
            state=self._plugin_state.setdefault(plugin_id, {}),
            job=job,
        )

    # -- lifecycle -----------------------------------------------------------------------------------

    async def start(self) -> None:
        self._unsubscribe = self.state.bus.subscribe(self._on_event)
        await self.reconcile(initial=True)

    async def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
        for task in list(self._background):
            task.cancel()
        await self.state.scheduler.stop()
        for plugin_id in reversed(list(self._lifespans)):
            await self._exit_lifespan(plugin_id)

    async def _reconcile_quietly(self) -> None:
        try:
            await self.reconcile()
        except Exception:
            log.exception("could not apply a plugin change made on another replica")

    def _on_event(self, event: Event) -> None:
        if event.channel == "plugins" and event.type == "plugin.updated":
            task = asyncio.get_running_loop().create_task(self._reconcile_quietly())  # made on other replicas
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def reconcile(self, *, initial: bool = False) -> set[str]:
        """Bring this replica in line with the `plugins` table: configs, lifespans, scheduled jobs."""
        async with self._lock:
            before = set(self._enabled) - set(self._errors)
            async with self.state.db.read() as conn:
                rows = {r.id: r for r in (await conn.execute(select(plugins_table))).all()}
                await self.refresh(conn)
            self._errors = {}
            for plugin_id, record in self.host.plugins.items():
                if record.error:
                    continue
                stored = rows[plugin_id].config if plugin_id in rows else {}
                self._stored[plugin_id] = stored
                model = record.manifest.config_model if record.manifest else None
                try:
                    self._configs[plugin_id] = config_mod.load(model, plugin_id, stored, self.state.cipher)
                except DecryptionError as exc:
                    self._configs[plugin_id] = None
                    if plugin_id in self._enabled or _has_secret(stored):
                        self._errors[plugin_id] = f"config cannot be decrypted: {exc}"
                except ValidationError as exc:
                    self._configs[plugin_id] = None
                    if plugin_id in self._enabled:
                        first = exc.errors()[0]
                        where = "/".join(str(p) for p in first["loc"])
                        self._errors[plugin_id] = f"config is incomplete or invalid ({where}: {first['msg']})"
            now = set(self._enabled) - set(self._errors)
            for plugin_id in [p for p in self.host.plugins if p in before - now]:
                await self.state.scheduler.stop_plugin(plugin_id)
                await self._exit_lifespan(plugin_id)
            started = [p for p in self.host.plugins if p in now - before or (initial and p in now)]
            for plugin_id in started:
                if plugin_id not in self._lifespans:
                    await self._enter_lifespan(plugin_id)
                self.state.scheduler.start_plugin(plugin_id)
            return set(started) - set(self._errors)

    async def _enter_lifespan(self, plugin_id: str) -> None:
        stack = AsyncExitStack()
        try:
            manager = self.host.manager.call("gantry_lifespan", plugin_id, ctx=self.context(plugin_id))
            if manager is not None:
                await stack.enter_async_context(manager)
        except Exception as exc:
            log.exception("plugin %s failed to start", plugin_id)
            self._errors[plugin_id] = f"failed to start: {type(exc).__name__}: {exc}"
            await stack.aclose()
            return
        self._lifespans[plugin_id] = stack

    async def _exit_lifespan(self, plugin_id: str) -> None:
        stack = self._lifespans.pop(plugin_id, None)
        if stack is not None:
            try:
                await stack.aclose()
            except Exception:
                log.exception("plugin %s failed to stop cleanly", plugin_id)

    # -- changes -------------------------------------------------------------------------------------

    async def _save(
        self,
        plugin_id: str,
        values: Mapping[str, Any],
        actor: str,
        ip: str | None,
        source: str,
        action: str,
        before: Any,
        after: Any,
    ) -> None:
        now = datetime.now(UTC)
        async with self.state.db.write() as conn:
            exists = (await conn.execute(select(plugins_table.c.id).where(plugins_table.c.id == plugin_id))).first()
            if exists:
                await conn.execute(
                    update(plugins_table)
                    .where(plugins_table.c.id == plugin_id)
                    .values(**values, updated_by=actor, updated_at=now)
                )
            else:
                row = {"enabled": False, "config": {}, **values}
                await conn.execute(insert(plugins_table).values(id=plugin_id, updated_by=actor, updated_at=now, **row))
            await audit_record(
                conn,
                action=action,
                actor=actor,
                source=source,
                ip=ip,
                resource_type="Plugin",
                resource_name=plugin_id,
                before=before,
                after=after,
            )
        await self.reconcile()
        await self.state.bus.publish("plugins", "plugin.updated", {"id": plugin_id, "status": self.status(plugin_id)})

    async def put_config(self, plugin_id: str, incoming: Any, *, actor: str, ip: str | None, source: str) -> Any:
        record = self.host.plugins[plugin_id]
        model = record.manifest.config_model if record.manifest else None
        if model is None:
            raise GantryError(422, "validation_failed", f"plugin {plugin_id!r} takes no configuration")
        stored = config_mod.validate(model, plugin_id, incoming, self._stored.get(plugin_id), self.state.cipher)
        before = config_mod.redact(self._stored.get(plugin_id) or {})
        await self._save(
            plugin_id,
            {"config": stored},
            actor,
            ip,
            source,
            "plugin.configure",
            {"config": before},
            {"config": config_mod.redact(stored)},
        )
        return config_mod.redact(stored)

    async def set_enabled(self, plugin_id: str, enabled: bool, *, actor: str, ip: str | None, source: str) -> None:
        record = self.host.plugins[plugin_id]
        if record.builtin and not enabled:
            raise GantryError(409, "conflict", f"built-in plugin {plugin_id!r} cannot be disabled")
        if record.error:
            raise GantryError(409, "conflict", f"plugin {plugin_id!r} failed to load: {record.error}")
        if enabled:
            model = record.manifest.config_model if record.manifest else None
            try:
                config_mod.load(model, plugin_id, self._stored.get(plugin_id), self.state.cipher)
            except ValidationError as exc:
                details = [
                    {"path": "/config/" + "/".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
                ]
                raise GantryError(
                    422, "validation_failed", "configure the plugin before enabling it", details
                ) from None
            except DecryptionError as exc:
                raise GantryError(409, "conflict", f"stored config cannot be decrypted: {exc}") from None
        was = self.is_enabled(plugin_id)
        await self._save(
            plugin_id,
            {"enabled": enabled},
            actor,
            ip,
            source,
            "plugin.enable" if enabled else "plugin.disable",
            {"enabled": was},
            {"enabled": enabled},
        )
        if enabled and not was and self.is_enabled(plugin_id):
            await self.state.scheduler.run_on_enable(plugin_id, actor)


def _has_secret(stored: Any) -> bool:
    return bool(config_mod.redact(stored) != stored)


async def plugin_context(request: Request) -> PluginContext:
    """The context of the plugin whose route is being served (use in plugin routes)."""
    plugin_id = request.scope.get("gantry.plugin_id")
    if plugin_id is None:
        raise RuntimeError("plugin_context is only available in plugin routes")
    runtime: PluginRuntime = request.app.state.gantry.plugin_states
    return dataclasses.replace(runtime.context(plugin_id), client_ip=client_ip(request))


Context = Annotated[PluginContext, Depends(plugin_context)]
