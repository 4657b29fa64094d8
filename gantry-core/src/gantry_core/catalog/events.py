"""After commit: publish entity events on the bus and hand them to plugins' gantry_on_entity_event."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable

from gantry_core.plugins.types import EntityEvent
from gantry_core.state import AppState

log = logging.getLogger("gantry.catalog")


def _payload(event: EntityEvent) -> dict[str, object]:
    if event.entity is not None:
        return dict(event.entity)
    return {"kind": event.kind, "namespace": event.namespace, "name": event.name}


async def publish(state: AppState, events: Iterable[EntityEvent | None]) -> None:
    """Call only after the transaction that made the changes committed."""
    manager = state.host.manager
    hooks = manager.impls("gantry_on_entity_event")
    pending = [event for event in events if event is not None]
    cache = state.extras.get("facet_cache")
    if pending and cache is not None:
        cache.clear()
    keeper = state.extras.get("statistics")
    if pending and keeper is not None:
        keeper.entities_created(sum(1 for event in pending if event.type == "entity.created"))
    try:
        await state.bus.publish_many("entities", [(event.type, _payload(event)) for event in pending])
    except Exception:
        log.exception("could not publish %d entity events", len(pending))
    for event in pending:
        for plugin_id in hooks:
            if not state.plugin_states.is_enabled(plugin_id):
                continue
            try:
                ctx = state.plugin_states.context(plugin_id)
                result = manager.call("gantry_on_entity_event", plugin_id, event=event, ctx=ctx)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("plugin %s failed handling %s", plugin_id, event.type)
