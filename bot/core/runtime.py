"""What every service needs at hand: settings, the database, the clock, the Web API.

Built once by the composition root (`bot.app` / `bot.cli`) and passed to handlers and
the scheduler, so nothing reaches for globals or the wall clock. The two registries the
app factory fills (after-change listeners, `/setback` subcommands) live here too, so a
second runtime (another test, another app) starts with neither.

Work after an ack runs on two bounded lanes (`bot.core.lanes`): `soon` for work racing
a trigger id, `later` for the rest. Deadlines are measured on `ticks`, a monotonic
clock of the runtime's own (tests put a virtual one in its place), never the wall.
Whether the database answers is known to `health` (`bot.core.health`).
"""

from __future__ import annotations

import functools
import gc
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.core.actor import Actor
from bot.core.clock import Clock, SystemClock
from bot.core.health import DatabaseHealth
from bot.core.installs import Installations
from bot.core.lanes import Deadline, Lane, LaneStats, Ticks
from bot.core.settings import Settings
from bot.core.slack_client import make_client
from storage import crypto, group_commit, migrate
from storage.db import DbTimeouts, is_sqlite_file, make_engine
from storage.writer_process import WriterProcess

log = logging.getLogger(__name__)

ChangeListener = Callable[["Runtime", Actor], None]
"""Told that a person's data changed (`bot.core.hooks`)."""

SubcommandRun = Callable[["Runtime", Actor, dict[str, Any], WebClient], None]
"""Runs `/setback <name>` after the ack: runtime, actor, the command payload, the client."""


@dataclass(frozen=True)
class Subcommand:
    """One `/setback <name>` another surface plugged in, with its line in the help text.
    `opens_modal`: it spends the command's trigger id (3 s), so it races a deadline."""

    description: str
    run: SubcommandRun
    opens_modal: bool = True


@dataclass(frozen=True)
class LaneShape:
    """How many threads serve a lane, how many tasks may wait, and from what depth the
    log warns. `soon`: a trigger id lives 3 s, so past a few dozen waiting opens the
    tail cannot make it anyway; `later`: DMs and Home refreshes, small tasks, and what
    the lane refuses is found again by housekeeping (summary DMs) or the next change."""

    threads: int
    limit: int
    warn_at: int


SOON = LaneShape(threads=2, limit=64, warn_at=16)
LATER = LaneShape(threads=2, limit=5000, warn_at=500)


@dataclass
class Runtime:
    """The process's shared parts; cheap to pass around, safe to share across threads."""

    settings: Settings
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    client: WebClient | None = None
    installs: Installations | None = None  # OAuth installs (bot.core.installs); None: one token
    writer: WriterProcess | None = None  # SQLite writes in a process of their own (start_writer)
    ticks: Ticks = time.monotonic
    change_listeners: list[ChangeListener] = field(default_factory=list, repr=False)
    subcommands: dict[str, Subcommand] = field(default_factory=dict, repr=False)
    lane_shapes: dict[str, LaneShape] = field(
        default_factory=lambda: {"soon": SOON, "later": LATER}, repr=False
    )
    _lanes: dict[str, Lane] = field(default_factory=dict, repr=False)
    _lanes_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _pending: set[Future[Any]] = field(default_factory=set, repr=False)
    _pending_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _health: DatabaseHealth | None = field(default=None, repr=False)
    _lazy: Executor | None = field(default=None, repr=False)

    def web_client(self) -> WebClient:
        """The app's own Web API client (created lazily so tools without a token still
        run): with SLACK_BOT_TOKEN, the one every call uses; with OAuth installs, one
        without a token, for Bolt and `oauth.v2.access` — a call about a workspace goes
        through `client_for`."""
        if self.client is None:
            self.client = make_client(self.settings.slack_bot_token, self.settings.slack_api_url)
        return self.client

    def client_for(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        """The client for calls about one workspace made outside Bolt's request (the
        dispatcher, housekeeping, follow-ups after an ack): that workspace's token, or
        its org's for an org-wide install, refreshed first when about to expire. With
        one token, that token's client; a workspace with no installation gets a client
        whose every call answers `not_authed`, as Slack would (`bot.core.installs`)."""
        if self.installs is None:
            return self.web_client()
        return self.installs.client_for(team_id, enterprise_id)

    @property
    def health(self) -> DatabaseHealth:
        """Whether the database answers (`/healthz`, and requests that need it)."""
        with self._lanes_lock:
            if self._health is None:
                self._health = DatabaseHealth(lambda: self.engine, self.ticks)
            return self._health

    def later(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any] | None:
        """Run slow follow-up work (a Web API call after an ack) off the request thread.

        Unlike a Bolt lazy listener, which copies the whole request for every event, this
        is only paid when there is follow-up work. Failures are logged, never raised.
        Two threads: enough for DMs and Home refreshes, few enough that a backlog of
        them does not starve the request threads of the interpreter. None when the lane
        is full (`LATER`): the work is dropped, and the log says so.
        """
        return self._submit("later", functools.partial(fn, *args, **kwargs))

    def soon(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any] | None:
        """`later` for work racing one of Slack's deadlines. It has threads of its own,
        so a backlog of summary DMs and Home refreshes queued with `later` can never make
        a modal miss its trigger. None when the lane is full (`SOON`)."""
        return self._submit("soon", functools.partial(fn, *args, **kwargs))

    def race(
        self, deadline: Deadline, fn: Callable[[], Any], on_late: Callable[[], Any]
    ) -> Future[Any] | None:
        """Run `fn` on the `soon` lane if a thread takes it before `deadline`; otherwise
        never run it and run `on_late` (a note to the person) on the `later` lane.
        `fn` checks the deadline itself before its time-critical call. None when the
        lane is full even after shedding late work: the caller tells the person now."""
        return self._submit("soon", fn, deadline, on_late)

    def deadline(self, seconds: float) -> Deadline:
        """The instant `seconds` from now on the runtime's monotonic clock."""
        return Deadline.after(self.ticks, seconds)

    def lane_stats(self) -> dict[str, LaneStats]:
        """What each lane has done, and how many tasks wait now."""
        with self._lanes_lock:
            lanes = dict(self._lanes)
        return {name: lane.stats() for name, lane in lanes.items()}

    def _submit(
        self,
        lane: str,
        fn: Callable[[], Any],
        deadline: Deadline | None = None,
        on_late: Callable[[], Any] | None = None,
    ) -> Future[Any] | None:
        return self._lane(lane).submit(fn, deadline, on_late)

    def _lane(self, name: str) -> Lane:
        with self._lanes_lock:
            if name not in self._lanes:
                shape = self.lane_shapes[name]
                fallback = None
                if name != "later":
                    later = self.lane_shapes["later"]
                    fallback = self._lanes.get("later") or Lane(
                        "later", later.threads, later.limit, later.warn_at, accepted=self._track
                    )
                    self._lanes["later"] = fallback
                self._lanes[name] = Lane(
                    name,
                    shape.threads,
                    shape.limit,
                    shape.warn_at,
                    fallback=fallback,
                    accepted=self._track,
                )
            return self._lanes[name]

    def lazy_executor(self) -> Executor:
        """The executor Bolt runs lazy listeners on (`listener_executor`): Bolt's own kind
        of pool, whose every future `drain` waits for as it does the lanes'. A click
        acknowledged to Slack has work still to do; shutdown, the sandbox's clock and the
        tests must not take "nothing left" while it runs."""
        with self._lanes_lock:
            if self._lazy is None:
                self._lazy = TrackedExecutor(self._track, LAZY_WORKERS)
            return self._lazy

    def _track(self, future: Future[Any]) -> None:
        """Every future a lane takes (a late task's note too) is waited for by `drain`."""
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

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


# Bolt's default pool for lazy listeners has ten threads; so does ours.
LAZY_WORKERS = 10


class TrackedExecutor(Executor):
    """A thread pool that hands each future it makes to ``track`` before returning it
    (`Runtime.lazy_executor`)."""

    def __init__(self, track: Callable[[Future[Any]], None], workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="setback-lazy")
        self._track = track

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = self._pool.submit(fn, *args, **kwargs)
        self._track(future)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def configure_keys(settings: Settings) -> None:
    """Install the encryption keys: configured ones, or the embedded default key file."""
    crypto.configure(encryption_keys(settings))


def encryption_keys(settings: Settings) -> list[bytes]:
    """The encryption keys the settings give: configured ones, or the embedded default
    key file (created on first use)."""
    if settings.setback_encryption_keys:
        return crypto.parse_keys(settings.setback_encryption_keys)
    return [crypto.load_or_create_key_file(settings.setback_data_dir)]


# The modules whose functions the request path sends to the writer process.
WRITER_JOBS = ("bot.reflection.flow", "bot.reflection.summary")


def start_writer(rt: Runtime) -> None:
    """Start the writer process for an SQLite file (`storage.writer_process`) and send
    the request path's writes to it (`rt.writer`). Not when the settings keep them in
    this process, the database is not a file, or the process cannot start (logged: the
    server writes itself, as it would without it)."""
    settings = rt.settings
    if settings.setback_sqlite_writer != "process" or not is_sqlite_file(
        str(settings.database_url)
    ):
        return
    try:
        writer = WriterProcess(
            str(settings.database_url),
            encryption_keys(settings),
            db_timeouts(settings),
            preload=WRITER_JOBS,
            log_level=settings.log_level,
        )
        writer.start()
    except (RuntimeError, OSError) as error:  # no temporary folder, no Unix sockets, ...
        log.warning(
            "The database writer process did not start (%s); the server saves the screens itself",
            type(error).__name__,
        )
        return
    group_commit.attach(rt.engine, writer)
    rt.writer = writer
    log.info(
        "A reflection's screens are saved by a writer process of their own (pid %s)", writer.pid
    )


def settle_heap() -> None:
    """Put what startup built out of the garbage collector's way, just before serving.

    Modules, the Bolt app, SQLAlchemy's mappers and statement cache, the language rules:
    about 120,000 objects that live as long as the process. A full collection walks
    every one of them with all threads stopped — 50–80 ms on a small machine, about once
    a minute under load, and the slowest acks and steps were the ones it caught.
    Frozen (`gc.freeze`), they are never walked again; what requests build still is."""
    gc.collect()
    gc.freeze()


def stop_writer(rt: Runtime) -> None:
    """Write in this process again, and stop the writer process (`start_writer`)."""
    writer, rt.writer = rt.writer, None
    if writer is not None:
        group_commit.detach(rt.engine)
        writer.stop()


def db_timeouts(settings: Settings) -> DbTimeouts:
    """The database's timeouts as the settings give them (`storage.db.DbTimeouts`)."""
    return DbTimeouts(
        connect=settings.setback_db_connect_timeout,
        pool=settings.setback_db_pool_timeout,
        statement=settings.setback_db_statement_timeout,
        lock=settings.setback_db_lock_timeout,
        busy=settings.setback_db_busy_timeout,
    )


def build_runtime(
    settings: Settings, *, clock: Clock | None = None, upgrade: bool = True
) -> Runtime:
    """Keys, engine and (by default) migrations: everything a command needs to start.

    Migrations run on an engine of their own without statement and lock timeouts (one
    may rewrite a big table); everything else runs under them."""
    configure_keys(settings)
    url, timeouts = str(settings.database_url), db_timeouts(settings)
    engine = make_engine(url, timeouts=timeouts)
    if upgrade and settings.is_sqlite:  # no statement timeouts there (and maybe :memory:)
        migrate.upgrade(engine)
    elif upgrade:
        migrating = make_engine(url, timeouts=timeouts.unlimited())
        try:
            migrate.upgrade(migrating)
        finally:
            migrating.dispose()
    rt = Runtime(settings=settings, engine=engine, clock=clock or SystemClock())
    if settings.oauth_installs:
        rt.installs = Installations(settings, engine, rt.clock)
    return rt
