"""A monotonic clock that moves only when a test moves it.

Handed to both the sandbox Slack (`Workspace.clock`: the age of trigger ids and
response URLs) and the bot (`Runtime.ticks`: its deadlines), it lets a test make a
trigger id expire without sleeping, and assert on what happened rather than on time.
"""

from __future__ import annotations

import threading
import time


class VirtualClock:
    """Seconds, as `time.time()` would give them, standing still until `advance`."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
            return self._now
