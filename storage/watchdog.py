"""A client-side deadline for PostgreSQL calls: a server that stops answering cannot
hold a thread for ever.

PostgreSQL's own `statement_timeout` is enforced by the server, so it stops a slow
statement but not a server that answers nothing at all (frozen, partitioned away, its
disk hung): the kernel still acknowledges every packet, so neither TCP keepalives nor
`tcp_user_timeout` notice, and the client waits on its socket indefinitely.

The protocol: before a call is sent, `watch` records its connection with a deadline
(the server's statement timeout plus a grace period, or a short one for a liveness
ping); when the call returns, `release` forgets it. One daemon thread, shared by every
engine of the process and asleep while nothing is watched, looks a few times a second
for calls past their deadline. A connection past its deadline whose libpq status says
a command is still in flight (`ACTIVE`) has its socket shut down: the waiting call
fails at once with the driver's "server closed the connection" error, which SQLAlchemy
treats as a disconnect (the connection is invalidated, never reused). A connection
that is idle by then is only forgotten, so a stale entry can never cut a healthy call.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import suppress
from typing import Any

log = logging.getLogger(__name__)

ACTIVE = 1  # libpq's PQTRANS_ACTIVE: a command is in progress on the connection
CHECK_EVERY = 0.1  # seconds between looks while something is watched


class Watchdog:
    """Cuts the connections of calls that outlive their deadline (module docstring)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Condition()
        self._watched: dict[int, tuple[weakref.ref[Any], float]] = {}
        self._thread: threading.Thread | None = None
        self.cut_count = 0

    def watch(self, connection: Any, seconds: float) -> None:
        """A call on `connection` (a psycopg connection) starts now and must be done
        within `seconds`."""
        with self._lock:
            self._watched[id(connection)] = (weakref.ref(connection), self._clock() + seconds)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="setback-db-watchdog", daemon=True
                )
                self._thread.start()
            self._lock.notify()

    def release(self, connection: Any) -> None:
        """The call on `connection` returned (or failed): nothing to watch any more."""
        with self._lock:
            self._watched.pop(id(connection), None)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._watched:
                    self._lock.wait()
                overdue = self._overdue()
            for connection in overdue:
                self._cut(connection)
            time.sleep(CHECK_EVERY)

    def _overdue(self) -> list[Any]:
        """Connections past their deadline, taken off the list (called under the lock)."""
        now, found = self._clock(), []
        for key, (ref, deadline) in list(self._watched.items()):
            connection = ref()
            if connection is None:
                del self._watched[key]
            elif deadline <= now:
                del self._watched[key]
                found.append(connection)
        return found

    def _cut(self, connection: Any) -> None:
        """Shut down the socket of a call still in flight; leave an idle one alone."""
        try:
            if connection.closed or connection.info.transaction_status != ACTIVE:
                return
            fd = connection.fileno()
        except Exception:  # noqa: BLE001 - a connection closed meanwhile needs nothing
            return
        with suppress(OSError):
            # shutdown acts on the socket itself, so a duplicate of its descriptor will do
            # (the driver keeps, and later closes, its own).
            with socket.socket(fileno=os.dup(fd)) as sock:
                sock.shutdown(socket.SHUT_RDWR)
            self.cut_count += 1
            log.warning("The database did not answer in time; its connection was closed")


WATCHDOG = Watchdog()
"""The process's one watchdog (`storage.db` registers every PostgreSQL engine's calls)."""
