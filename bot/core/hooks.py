"""A tiny after-change hook: surfaces that mirror a person's data (the Home tab) register
here, and services that change that data call `changed`. It keeps the flow, check-ins
and sharing free of imports of the Home tab while the Home tab stays fresh.

The listeners live on the `Runtime` (`Runtime.change_listeners`), filled by the app
factory: a runtime without an app (a CLI command, a test of one service) tells no one,
and a second runtime never hears the first one's listeners.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.actor import Actor
    from bot.core.runtime import ChangeListener, Runtime

log = logging.getLogger(__name__)


def on_change(rt: Runtime, listener: ChangeListener) -> None:
    """Register a listener on this runtime (idempotent, so building a second app on the
    same runtime does not tell each listener twice)."""
    if listener not in rt.change_listeners:
        rt.change_listeners.append(listener)


def changed(rt: Runtime, actor: Actor) -> None:
    """Tell every listener of this runtime that this person's data changed. A failing
    listener is logged and never breaks the change that triggered it."""
    for listener in list(rt.change_listeners):
        try:
            listener(rt, actor)
        except Exception:  # noqa: BLE001 - a stale Home tab must not undo a saved answer
            log.exception("after-change listener %s failed", getattr(listener, "__name__", "?"))
