"""The WebSocket endpoint `/api/v1/ws` (F89): subscribe to channels, ping/pong, slow clients dropped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from gantry_core.api.deps import authenticate, check_same_origin
from gantry_core.api.errors import GantryError
from gantry_core.events.bus import CHANNELS, Event
from gantry_core.state import AppState

log = logging.getLogger("gantry.ws")
router = APIRouter(tags=["events"])
QUEUE_LIMIT = 1000


async def _authenticate(ws: WebSocket) -> Any:
    """Cookie or Bearer header only; a token in the query string is refused. A cookie-authenticated
    handshake must come from this origin (browsers send cookies on cross-site WebSocket handshakes)."""
    if "token" in ws.query_params or "access_token" in ws.query_params:
        return None
    try:
        principal = await authenticate(ws)
        if principal is not None and principal.via == "session":
            check_same_origin(ws)
        return principal
    except GantryError:
        return None


@router.websocket("/ws")
async def websocket(ws: WebSocket) -> None:
    """Live events. Client: {"action": "subscribe"|"unsubscribe", "channel": ...} or {"action": "ping"}."""
    state: AppState = ws.app.state.gantry
    principal = await _authenticate(ws)
    if principal is None:
        await ws.close(code=4401, reason="unauthorized")
        return
    await ws.accept()
    queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=QUEUE_LIMIT)
    channels: set[str] = set()
    dropped = asyncio.Event()

    def listener(event: Event) -> None:
        if event.channel not in channels:
            return
        try:
            queue.put_nowait(event.message())
        except asyncio.QueueFull:
            dropped.set()

    unsubscribe = state.bus.subscribe(listener)
    sender = asyncio.create_task(_send_loop(ws, queue, dropped))
    try:
        while True:
            raw = await ws.receive_text()
            reply = _handle(raw, channels)
            if reply is not None:
                queue.put_nowait(orjson.dumps(reply)) if not queue.full() else dropped.set()
    except WebSocketDisconnect:
        pass
    finally:
        unsubscribe()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender
        if ws.application_state != WebSocketState.DISCONNECTED:
            with contextlib.suppress(Exception):
                await ws.close()


def _handle(raw: str, channels: set[str]) -> dict[str, Any] | None:
    try:
        message = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {"type": "error", "payload": {"message": "messages must be JSON objects"}}
    if not isinstance(message, dict):
        return {"type": "error", "payload": {"message": "messages must be JSON objects"}}
    action = message.get("action", message.get("type"))
    if action == "ping":
        return {"type": "pong"}
    if action in ("subscribe", "unsubscribe"):
        channel = message.get("channel")
        if channel not in CHANNELS:
            return {"type": "error", "payload": {"message": f"unknown channel {channel!r}; one of {list(CHANNELS)}"}}
        if action == "subscribe":
            channels.add(channel)
        else:
            channels.discard(channel)
        return {"type": f"{action}d", "payload": {"channel": channel}}
    return {"type": "error", "payload": {"message": f"unknown action {action!r}"}}


async def _send_loop(ws: WebSocket, queue: asyncio.Queue[bytes], dropped: asyncio.Event) -> None:
    """Send queued messages; a client that lets QUEUE_LIMIT messages pile up is disconnected."""
    while True:
        getter = asyncio.ensure_future(queue.get())
        waiter = asyncio.ensure_future(dropped.wait())
        done, _ = await asyncio.wait({getter, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if waiter in done:
            getter.cancel()
            log.info("dropping a slow WebSocket client")
            await ws.close(code=4408, reason="too slow: events were dropped")
            return
        waiter.cancel()
        await ws.send_text(getter.result().decode())
