"""The sandbox workspace's clock: the wall clock plus an offset the page can move forward.

Slack's time is the real time, but a person trying Setback wants to see tomorrow's
check-in today. The sandbox therefore keeps its own clock (``wall + offset``) and the
"+1 hour / +1 day / +1 week" buttons grow the offset. The bot's clock is moved by the
same amount through its development-only hook (see :mod:`sandbox.timetravel`), so both
sides agree on what "now" is. The offset is saved with the workspace, so a restart
keeps the time the person travelled to.
"""

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime


class SandboxClock:
    """A callable clock (``clock() -> epoch seconds``) that can move forward.

    ``wall`` is injected so tests can move the underlying time too.
    """

    def __init__(self, offset: float = 0.0, wall: Callable[[], float] = time.time) -> None:
        self._offset = float(offset)
        self._wall = wall
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._wall() + self._offset

    @property
    def offset(self) -> float:
        """Seconds the workspace is ahead of (or, with ``--start`` in the past, behind) the wall."""
        with self._lock:
            return self._offset

    def set_offset(self, offset: float) -> None:
        """Put the workspace ``offset`` seconds away from the wall clock."""
        with self._lock:
            self._offset = float(offset)

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (never backwards: a check-in once sent stays sent)."""
        if seconds <= 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += float(seconds)
            return self._offset

    def start_at(self, moment: datetime) -> None:
        """Make "now" equal ``moment`` (an aware datetime): used for a reproducible demo."""
        if moment.tzinfo is None:
            raise ValueError("the start time needs a time zone, e.g. 2026-11-25T10:00:00Z")
        with self._lock:
            self._offset = moment.timestamp() - self._wall()

    def now(self) -> datetime:
        """The workspace's current time as an aware UTC datetime."""
        return datetime.fromtimestamp(self(), UTC)
