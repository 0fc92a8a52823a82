"""Keeping the sandbox across restarts: ``./.setback/sandbox-state.json``.

The bot keeps its own data in its database under ``./.setback/``; the sandbox keeps what
Slack would hold (each workspace's messages, threads, open modals, Home tabs, channels;
the app's installs and live tokens) and how far the clock was moved, next to it. A file
of the one-workspace sandbox (format 1) is read into the first workspace. Changes are
written shortly after they happen (debounced, so a burst of messages is one write),
atomically (a temporary file renamed over the old one), and once more on shutdown. A
file that cannot be read is set aside rather than overwritten, and the sandbox starts
fresh with a message saying so.
"""

import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.clock import SandboxClock
from sandbox.org import Org
from sandbox.workspace import Workspace

log = logging.getLogger(__name__)

STATE_FILE = "sandbox-state.json"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
DEBOUNCE_SECONDS = 0.3


class StateStore:
    """Load the workspaces and clock from ``path`` and write them back when they change."""

    def __init__(self, path: Path, target: Workspace | Org, clock: SandboxClock) -> None:
        self.path = path
        self.org = Org.of(target)
        self.ws = self.org.first
        self.clock = clock
        self._dirty = threading.Event()
        self._stopping = threading.Event()
        self._write_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._unsubscribe: list[Callable[[], None]] = []

    def load(self) -> bool:
        """Restore the saved workspace; False (and nothing changed) when there is none.

        A damaged or foreign file is renamed to ``*.unreadable`` and reported, so the
        person's old state is not silently destroyed.
        """
        if not self.path.exists():
            return False
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            if saved.get("version") not in READABLE_VERSIONS:
                raise ValueError(f"format version {saved.get('version')!r}")
            self._restore(saved)
            self.clock.set_offset(float(saved["clock_offset"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            aside = self.path.with_suffix(".unreadable")
            self.path.replace(aside)
            log.warning(
                "Could not read %s (%s); starting fresh, kept it as %s", self.path, exc, aside
            )
            return False
        return True

    def _restore(self, saved: dict[str, Any]) -> None:
        self.ws.restore(saved["workspace"])
        if saved["version"] == 1:  # the one-workspace sandbox
            return
        snapshots = saved["other_workspaces"]
        for ws in self.org.workspaces[1:]:
            if ws.team_id in snapshots:
                ws.restore(snapshots[ws.team_id])
        if self.org.oauth is not None and saved.get("oauth"):
            self.org.oauth.restore(saved["oauth"])

    def save(self) -> None:
        """Write the current state now (atomically)."""
        data = {
            "version": FORMAT_VERSION,
            "clock_offset": self.clock.offset,
            "workspace": self.ws.snapshot(),  # the first, where format 1 kept its only one
            "other_workspaces": {ws.team_id: ws.snapshot() for ws in self.org.workspaces[1:]},
            "oauth": self.org.oauth.snapshot() if self.org.oauth is not None else None,
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
        self._unsubscribe = [ws.subscribe(self.mark_dirty) for ws in self.org.workspaces]
        if self.org.oauth is not None:
            self.org.oauth.listeners.append(self.mark_dirty)
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
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.save()
