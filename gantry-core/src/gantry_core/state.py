"""What the lifespan builds and requests reach through `request.app.state.gantry`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gantry_core.actions.runs import RunManager
    from gantry_core.auth.principal import Authenticator
    from gantry_core.crypto import Cipher
    from gantry_core.db.engine import Database
    from gantry_core.events.bus import EventBus
    from gantry_core.observability.metrics import Metrics
    from gantry_core.plugins.host import PluginHost
    from gantry_core.plugins.runtime import PluginRuntime
    from gantry_core.settings import GantrySettings
    from gantry_core.sync.scheduler import Scheduler


@dataclass
class AppState:
    settings: GantrySettings
    host: PluginHost
    metrics: Metrics
    db: Database = field(init=False)
    auth: Authenticator = field(init=False)
    plugin_states: PluginRuntime = field(init=False)
    scheduler: Scheduler = field(init=False)
    runs: RunManager = field(init=False)
    bus: EventBus = field(init=False)
    cipher: Cipher | None = field(init=False, default=None)
    cipher_error: str | None = field(init=False, default=None)
    extras: dict[str, Any] = field(default_factory=dict)
