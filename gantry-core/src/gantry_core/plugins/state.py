"""Which plugins are enabled: the `plugins` table, mirrored in memory for the per-request check."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from gantry_core.db.tables import plugins
from gantry_core.plugins.host import PluginHost


class PluginStates:
    def __init__(self, host: PluginHost) -> None:
        self.host = host
        self._enabled: set[str] = {pid for pid, rec in host.plugins.items() if rec.builtin}

    def is_enabled(self, plugin_id: str) -> bool:
        return plugin_id in self._enabled

    def status(self, plugin_id: str) -> str:
        record = self.host.plugins[plugin_id]
        if record.error:
            return "error"
        return "enabled" if plugin_id in self._enabled else "available"

    async def refresh(self, conn: AsyncConnection) -> None:
        rows = (await conn.execute(select(plugins.c.id, plugins.c.enabled))).all()
        enabled = {pid for pid, rec in self.host.plugins.items() if rec.builtin}
        enabled |= {r.id for r in rows if r.enabled and r.id in self.host.plugins and not self.host.plugins[r.id].error}
        self._enabled = enabled
