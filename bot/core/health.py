"""Whether the database answers, asked without ever holding a caller longer than it chose.

The protocol:

- `check(wait)` starts a probe (`storage.db.ping` on a thread of its own) unless one is
  running already — one probe at a time, however many callers ask — and waits for its
  answer at most `wait` seconds; no answer in time counts as down. The probe itself ends
  within the database's timeouts (a pooled connection's ping is cut off by the watchdog,
  a new connection gives up after the connect timeout), so a hung database holds one
  probe thread for a few seconds, and never an HTTP thread longer than `wait`.
- `known_down()` answers at once from what is known: the last probe said no less than
  `REMEMBER` seconds ago, or the running one has been at it longer than `SLOW`. When the
  last answer is getting old it starts a new probe without waiting for it, so the state
  recovers by itself once the database answers again.
- `failed()` records that a unit of work met the database down (`unavailable`), so the
  next requests that need it are answered kindly at once instead of waiting in turn.

Times are on the runtime's monotonic clock (`Runtime.ticks`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import Engine

from bot.core.lanes import Ticks
from storage.db import answer_within as _answer_within
from storage.db import ping
from storage.db import unavailable as _unavailable

HEALTHZ_WAIT = 1.5  # seconds `/healthz` waits for an answer before saying 503
SLOW = 1.5  # a probe running longer than this means the database is not answering
REMEMBER = 10.0  # seconds a "down" answer is trusted before asking again
REFRESH = 2.0  # while down, a new probe at most this often


@dataclass
class _Probe:
    started: float
    done: threading.Event
    up: bool = False


class DatabaseHealth:
    """What is known about the database's health (module docstring)."""

    def __init__(self, engine: Callable[[], Engine], ticks: Ticks) -> None:
        self._engine, self._ticks = engine, ticks  # the engine as the runtime holds it now
        self._lock = threading.Lock()
        self._probe: _Probe | None = None  # the running one, if any
        self._down_at: float | None = None  # when it was last found down

    def check(self, wait: float = HEALTHZ_WAIT) -> bool:
        """True when the database answered within `wait` seconds."""
        probe = self._start()
        probe.done.wait(wait)
        return probe.done.is_set() and probe.up

    def known_down(self) -> bool:
        """Whether the database is known not to answer right now (never waits)."""
        now = self._ticks()
        with self._lock:
            running, down_at = self._probe, self._down_at
        if running is not None and now - running.started > SLOW:
            return True
        if down_at is None or now - down_at > REMEMBER:
            return False
        if running is None and now - down_at > REFRESH:
            self._start()
        return True

    def failed(self) -> None:
        """A unit of work found the database down."""
        with self._lock:
            self._down_at = self._ticks()

    def _start(self) -> _Probe:
        with self._lock:
            if self._probe is None:
                self._probe = _Probe(self._ticks(), threading.Event())
                threading.Thread(
                    target=self._run, args=(self._probe,), name="setback-db-probe", daemon=True
                ).start()
            return self._probe

    def _run(self, probe: _Probe) -> None:
        probe.up = ping(self._engine())
        with self._lock:
            self._probe = None
            self._down_at = None if probe.up else self._ticks()
        probe.done.set()


def unavailable(error: BaseException) -> bool:
    """Whether `error` says the database is down or did not answer in time (rather than
    a bug): the person is told to try again shortly (`storage.db.unavailable`)."""
    return _unavailable(error)


def answer_within(seconds: float | None) -> AbstractContextManager[None]:
    """Bound this thread's database waits to `seconds` from now, for work that must
    answer by a deadline of its own, such as an ack (`storage.db.answer_within`)."""
    return _answer_within(seconds)
