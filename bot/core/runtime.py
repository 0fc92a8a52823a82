"""What every service needs at hand: settings, the database, the clock, the Web API.

Built once by the composition root (`bot.app` / `bot.cli`) and passed to handlers and
the scheduler, so nothing reaches for globals or the wall clock. The two registries the
app factory fills (after-change listeners, `/setback` subcommands) live here too, so a
second runtime (another test, another app) starts with neither.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.core.actor import Actor
from bot.core.clock import Clock, SystemClock
from bot.core.settings import Settings
from bot.core.slack_client import make_client
from storage import crypto, migrate
from storage.db import make_engine

log = logging.getLogger(__name__)

ChangeListener = Callable[["Runtime", Actor], None]
"""Told that a person's data changed (`bot.core.hooks`)."""

SubcommandRun = Callable[["Runtime", Actor, dict[str, Any], WebClient], None]
"""Runs `/setback <name>` after the ack: runtime, actor, the command payload, the client."""


@dataclass(frozen=True)
class Subcommand:
    """One `/setback <name>` another surface plugged in, with its line in the help text."""

    description: str
    run: SubcommandRun


@dataclass
class Runtime:
    """The process's shared parts; cheap to pass around, safe to share across threads."""

    settings: Settings
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    client: WebClient | None = None
    change_listeners: list[ChangeListener] = field(default_factory=list, repr=False)
    subcommands: dict[str, Subcommand] = field(default_factory=dict, repr=False)
    _lanes: dict[str, ThreadPoolExecutor] = field(default_factory=dict, repr=False)
    _lanes_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _pending: set[Future[Any]] = field(default_factory=set, repr=False)
    _pending_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def web_client(self) -> WebClient:
        """The bot's Web API client (created lazily so tools without a token still run)."""
        if self.client is None:
            self.client = make_client(self.settings.slack_bot_token, self.settings.slack_api_url)
        return self.client

    def later(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        """Run slow follow-up work (a Web API call after an ack) off the request thread.

        Unlike a Bolt lazy listener, which copies the whole request for every event, this
        is only paid when there is follow-up work. Failures are logged, never raised.
        Two threads: enough for DMs and Home refreshes, few enough that a backlog of
        them does not starve the request threads of the interpreter.
        """
        return self._submit("later", fn, args, kwargs)

    def soon(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        """`later` for work racing one of Slack's deadlines: opening a modal while its
        trigger id lives (3 s). It has threads of its own, so a backlog of summary DMs
        and Home refreshes queued with `later` can never make a modal miss its trigger.
        """
        return self._submit("soon", fn, args, kwargs)

    def _submit(
        self, lane: str, fn: Callable[..., Any], args: Any, kwargs: dict[str, Any]
    ) -> Future[Any]:
        def guarded() -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception:  # noqa: BLE001 - background work must not die silently
                log.exception("background task %s failed", getattr(fn, "__name__", "?"))
                return None

        future = self._lane(lane).submit(guarded)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _lane(self, name: str) -> ThreadPoolExecutor:
        with self._lanes_lock:
            if name not in self._lanes:
                self._lanes[name] = ThreadPoolExecutor(
                    max_workers=2, thread_name_prefix=f"setback-{name}"
                )
            return self._lanes[name]

    def _forget(self, future: Future[Any]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until follow-up work queued with `later` or `soon` is done (shutdown, tests).
        True when nothing is left running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._pending_lock:
                pending = list(self._pending)
            if not pending:
                return True
            wait(pending, timeout=max(0.0, deadline - time.monotonic()))
        return False


def configure_keys(settings: Settings) -> None:
    """Install the encryption keys: configured ones, or the embedded default key file."""
    if settings.setback_encryption_keys:
        keys = crypto.parse_keys(settings.setback_encryption_keys)
    else:
        keys = [crypto.load_or_create_key_file(settings.setback_data_dir)]
    crypto.configure(keys)


def build_runtime(
    settings: Settings, *, clock: Clock | None = None, upgrade: bool = True
) -> Runtime:
    """Keys, engine and (by default) migrations: everything a command needs to start."""
    configure_keys(settings)
    engine = make_engine(str(settings.database_url))
    if upgrade:
        migrate.upgrade(engine)
    return Runtime(settings=settings, engine=engine, clock=clock or SystemClock())
