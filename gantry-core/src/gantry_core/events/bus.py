"""The event bus. In-process on SQLite; on PostgreSQL every event goes through NOTIFY so each replica
(this one included) hears it from its LISTEN connection. Events are not persisted."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

log = logging.getLogger("gantry.events")
CHANNELS = ("entities", "runs", "plugins")
PG_CHANNEL = "gantry_events"
_NOTIFY_LIMIT = 7_500  # PostgreSQL caps a NOTIFY payload at 8000 bytes


@dataclass(frozen=True)
class Event:
    channel: str
    type: str
    payload: dict[str, Any]

    def message(self) -> bytes:
        return orjson.dumps({"type": self.type, "payload": self.payload})


Listener = Callable[[Event], None]


class EventBus:
    """Fan-out to listeners registered in this process. Listeners must not block (queue and return)."""

    def __init__(self) -> None:
        self._listeners: set[Listener] = set()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.add(listener)
        return lambda: self._listeners.discard(listener)

    def dispatch(self, event: Event) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("event listener failed")

    async def publish(self, channel: str, type_: str, payload: dict[str, Any]) -> None:
        self.dispatch(Event(channel, type_, payload))

    async def publish_many(self, channel: str, events: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Publish (type, payload) pairs on `channel`, in order (a batch apply's events)."""
        for type_, payload in events:
            await self.publish(channel, type_, payload)

    async def start(self) -> None:
        """Start receiving (nothing to do in-process)."""

    async def stop(self) -> None:
        """Stop receiving."""


class PostgresEventBus(EventBus):
    """LISTEN/NOTIFY on a dedicated asyncpg connection. Payloads too large for NOTIFY are sent as a
    reference and re-read by each receiver through `resolve` (e.g. the entity by kind/namespace/name)."""

    def __init__(
        self, dsn: str, server_settings: dict[str, str] | None = None, resolve: Callable[[Event], Any] | None = None
    ) -> None:
        super().__init__()
        self.dsn = dsn
        self.server_settings = server_settings or {}
        self.resolve = resolve
        self._listen: Any = None
        self._notify: Any = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self.pg_channel = pg_channel(self.server_settings)

    async def start(self) -> None:
        import asyncpg

        self._listen = await asyncpg.connect(self.dsn, server_settings=self.server_settings)
        self._notify = await asyncpg.connect(self.dsn, server_settings=self.server_settings)
        await self._listen.add_listener(self.pg_channel, self._on_notify)

    async def stop(self) -> None:
        for conn in (self._listen, self._notify):
            if conn is not None:
                try:
                    await conn.close(timeout=2)
                except Exception:
                    conn.terminate()
        self._listen = self._notify = None
        for task in list(self._tasks):
            task.cancel()

    async def publish(self, channel: str, type_: str, payload: dict[str, Any]) -> None:
        await self.publish_many(channel, [(type_, payload)])

    async def publish_many(self, channel: str, events: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """All of `events` in one round trip: one statement sends them, in order (a statement is one
        transaction, and PostgreSQL delivers a transaction's notifications in the order they were sent;
        it would fold identical ones, but every event of a batch names another entity)."""
        if not events:
            return
        bodies = []
        for type_, payload in events:
            body = orjson.dumps({"c": channel, "t": type_, "p": payload}).decode()
            if len(body.encode()) > _NOTIFY_LIMIT:
                body = orjson.dumps({"c": channel, "t": type_, "ref": _reference(payload)}).decode()
            bodies.append(body)
        async with self._lock:
            await self._notify.execute(
                "SELECT pg_notify($1, body) FROM unnest($2::text[]) WITH ORDINALITY AS b(body, n) ORDER BY n",
                self.pg_channel,
                bodies,
            )

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, body: str) -> None:
        try:
            data = orjson.loads(body)
            if "ref" in data:
                task = asyncio.get_running_loop().create_task(self._resolve_and_dispatch(data))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                return
            self.dispatch(Event(data["c"], data["t"], data["p"]))
        except Exception:
            log.exception("bad event notification")

    async def _resolve_and_dispatch(self, data: dict[str, Any]) -> None:
        event = Event(data["c"], data["t"], data["ref"])
        if self.resolve is not None:
            resolved = await self.resolve(event)
            if resolved is None:
                return
            event = Event(event.channel, event.type, resolved)
        self.dispatch(event)


def pg_channel(server_settings: dict[str, str]) -> str:
    """The NOTIFY channel of one installation. Channels are shared by the whole database, so an
    installation in its own schema (`?schema=`) gets a channel of its own: `gantry_events_<schema>`."""
    schema = server_settings.get("search_path", "").split(",")[0].strip()
    return f"{PG_CHANNEL}_{schema}"[:63] if schema else PG_CHANNEL  # 63: PostgreSQL's identifier length


def _reference(payload: dict[str, Any]) -> dict[str, Any]:
    found = payload.get("metadata")
    metadata: dict[str, Any] = found if isinstance(found, dict) else {}
    return {
        "kind": payload.get("kind"),
        "namespace": metadata.get("namespace", payload.get("namespace")),
        "name": metadata.get("name", payload.get("name")),
        "id": payload.get("id"),
    }
