"""The injected clock: services ask it for the time, never the wall.

The scheduler, the sandbox's time travel and the tests all move time by swapping the
clock, so every "now" in a service comes from here.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything with `now()` returning an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """Real time, optionally shifted (the sandbox moves its workspace forward)."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move this clock forward (development hook only) and return the new now."""
        with self._lock:
            self._offset += delta
        return self.now()

    def set_offset(self, offset: timedelta) -> None:
        with self._lock:
            self._offset = offset


class FixedClock:
    """A clock that stays where it is put: for tests and `checkins run --as-of`."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        self._at += delta
        return self._at
