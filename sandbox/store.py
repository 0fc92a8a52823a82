"""Keeping the sandbox across restarts: ``./.setback/sandbox-state.json``.

The bot keeps its own data in its database under ``./.setback/``; the sandbox keeps what
Slack would hold (messages, threads, open modals, Home tabs, channels) and how far the
clock was moved, next to it. Changes are written shortly after they happen (debounced,
so a burst of messages is one write), atomically (a temporary file renamed over the old
one), and once more on shutdown. A file that cannot be read is set aside rather than
overwritten, and the sandbox starts fresh with a message saying so.
"""

import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.clock import SandboxClock
from sandbox.workspace import Workspace

log = logging.getLogger(__name__)

STATE_FILE = "sandbox-state.json"
FORMAT_VERSION = 1
DEBOUNCE_SECONDS = 0.3


class StateStore:
    """Load the workspace and clock from ``path`` and write them back when they change."""

    def __init__(self, path: Path, ws: Workspace, clock: SandboxClock) -> None:
        self.path = path
        self.ws = ws
        self.clock = clock
        self._dirty = threading.Event()
        self._stopping = threading.Event()
        self._write_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None

    def load(self) -> bool:
        """Restore the saved workspace; False (and nothing changed) when there is none.

        A damaged or foreign file is renamed to ``*.unreadable`` and reported, so the
        person's old state is not silently destroyed.
        """
        if not self.path.exists():
            return False
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            if saved.get("version") != FORMAT_VERSION:
                raise ValueError(f"format version {saved.get('version')!r}")
            self.ws.restore(saved["workspace"])
            self.clock.set_offset(float(saved["clock_offset"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            aside = self.path.with_suffix(".unreadable")
            self.path.replace(aside)
            log.warning(
                "Could not read %s (%s); starting fresh, kept it as %s", self.path, exc, aside
            )
            return False
        return True

    def save(self) -> None:
        """Write the current state now (atomically)."""
        data = {
            "version": FORMAT_VERSION,
            "clock_offset": self.clock.offset,
            "workspace": self.ws.snapshot(),
        }
        with self._write_lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".tmp")
            partial.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
            os.replace(partial, self.path)
        self._dirty.clear()

    def mark_dirty(self, *_: Any) -> None:
        """Ask for a write soon (also the workspace listener)."""
        self._dirty.set()

    def start(self) -> "StateStore":
        """Save on every workspace change from now on (in a background thread)."""
        self._unsubscribe = self.ws.subscribe(self.mark_dirty)
        self._thread = threading.Thread(target=self._run, name="sandbox-state", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stopping.is_set():
            if not self._dirty.wait(timeout=0.5):
                continue
            self._stopping.wait(DEBOUNCE_SECONDS)
            try:
                self.save()
            except OSError as exc:  # a full disk must not take the page down
                log.warning("Could not save the sandbox to %s: %s", self.path, exc)

    def stop(self) -> None:
        """Stop watching and write a last time."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.save()
