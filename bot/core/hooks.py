"""A tiny after-change hook: surfaces that mirror a person's data (the Home tab) register
here, and services that change that data call `changed`. It keeps the flow, check-ins
and sharing free of imports of the Home tab while the Home tab stays fresh."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.actor import Actor
    from bot.core.runtime import Runtime

log = logging.getLogger(__name__)

Listener = Callable[["Runtime", "Actor"], None]
_listeners: list[Listener] = []


def on_change(listener: Listener) -> None:
    """Register a listener (idempotent, so re-creating an app in tests is harmless)."""
    if listener not in _listeners:
        _listeners.append(listener)


def changed(rt: Runtime, actor: Actor) -> None:
    """Tell every listener that this person's data changed. A failing listener is logged
    and never breaks the change that triggered it."""
    for listener in list(_listeners):
        try:
            listener(rt, actor)
        except Exception:  # noqa: BLE001 - a stale Home tab must not undo a saved answer
            log.exception("after-change listener %s failed", getattr(listener, "__name__", "?"))
