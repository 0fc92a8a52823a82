"""Per-key locks for work that must not interleave for one person or one record.

A render that reads what is stored and then sends it to Slack can race another render
of the same thing: the one that read older state may land last and put it back on
screen. Holding the key's lock from the read to the send makes the last render to take
the lock the one that read last, so the screen always ends on what is stored.

A key's lock lives only while someone holds or waits on it (the caller keeps it alive),
so the map never outgrows the work under way, however many keys there are. The locks
are in-process: a deployment of several processes still converges on the next change.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Hashable


class KeyedLocks:
    """One `threading.Lock` per key, made on demand and dropped when unused."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: weakref.WeakValueDictionary[Hashable, threading.Lock] = (
            weakref.WeakValueDictionary()
        )

    def of(self, key: Hashable) -> threading.Lock:
        """The key's lock: the one held or waited on now, else a new one."""
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock

    def __len__(self) -> int:
        """How many keys have a lock now (held or waited on): tests look for leaks."""
        with self._guard:
            return len(self._locks)
