"""APScheduler wiring: the dispatcher tick and housekeeping.

APScheduler only decides *when* to look; the database decides *what* is due
(docs/ARCHITECTURE.md, Check-ins).
Its job store stays in memory and holds two jobs per process and no check-in, so any
number of processes may run it (APScheduler's own FAQ: never share a job store between
schedulers). Job times are APScheduler's own wall clock; the work they start reads the
runtime's injected clock.

- **dispatch** — every SETBACK_DISPATCH_INTERVAL seconds (and at start, so check-ins
  missed while the bot was down go out on the first tick): `run_once`, repeated while
  passes come back full, for at most one interval.
- **housekeeping** — every few minutes, by one process at a time (a lease row in
  ``job_lease``): retry summary DMs and recaps that did not arrive, refresh time zones
  about to matter, forget old event ids and expired install states, and run data
  retention (`bot.journal.erase`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.checkins.answers import post_recap
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.journal import erase
from bot.members.settings import refresh_zone
from bot.members.zone import TZ_REFRESH
from bot.reflection.summary import MAX_SUMMARY_ATTEMPTS, post_summary
from scheduler.dispatcher import WORKER_ID, run_once
from storage import events as event_store
from storage import housekeeping as housekeeping_store
from storage import leases as lease_store
from storage.db import session_scope
from storage.rows import row_id

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY = timedelta(minutes=5)
HOUSEKEEPING_LEASE = timedelta(minutes=10)
SUMMARY_GRACE = timedelta(minutes=2)  # the listener posts the summary right after finishing
RECAP_WINDOW = timedelta(hours=6)  # how long a failed recap keeps being retried
ZONE_HORIZON = timedelta(days=2)  # refresh zones of members with a check-in this soon
EVENT_MEMORY = timedelta(days=1)  # Slack retries an event within minutes
PER_RUN = 20  # Slack calls per housekeeping task and run (users.info is Tier 4)

Task = Callable[[Runtime, datetime], object]


def start(rt: Runtime, *, dispatch: bool = True, housekeeping: bool = True) -> BackgroundScheduler:
    """Start the background scheduler with the chosen jobs; `shutdown()` it on exit."""
    scheduler = BackgroundScheduler(
        timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1}
    )
    now = datetime.now(UTC)  # APScheduler's own clock: when to tick, not what is due
    if dispatch:
        scheduler.add_job(
            tick,
            "interval",
            args=[rt],
            id="dispatch",
            seconds=rt.settings.setback_dispatch_interval,
            next_run_time=now,
        )
    if housekeeping:
        scheduler.add_job(
            housekeep,
            "interval",
            args=[rt],
            id="housekeeping",
            seconds=HOUSEKEEPING_EVERY.total_seconds(),
            next_run_time=now + timedelta(seconds=5),
        )
    scheduler.start()
    log.info(
        "scheduler started (worker %s): dispatch=%s housekeeping=%s",
        WORKER_ID,
        dispatch,
        housekeeping,
    )
    return scheduler


def tick(rt: Runtime) -> None:
    """The dispatcher tick: passes until one comes back short, within one interval."""
    interval = rt.settings.setback_dispatch_interval
    batch = rt.settings.setback_dispatch_batch
    started = time.monotonic()
    try:
        while run_once(rt).claimed >= batch and time.monotonic() - started < interval:
            pass
    except Exception:  # noqa: BLE001 - the next tick tries again; leases cover the rest
        log.exception("dispatcher tick failed")


# --- housekeeping --------------------------------------------------------------------------


def housekeep(rt: Runtime, now: datetime | None = None) -> dict[str, object]:
    """Run every housekeeping task once, if no other process is doing it right now."""
    now = now or rt.clock.now()
    with session_scope(rt.engine) as s:
        if not lease_store.take_job_lease(
            s, "housekeeping", WORKER_ID, now, now + HOUSEKEEPING_LEASE
        ):
            return {}
    results: dict[str, object] = {}
    try:
        for name, task in TASKS:
            try:
                results[name] = task(rt, now)
            except Exception:  # noqa: BLE001 - one task failing must not stop the others
                log.exception("housekeeping task %s failed", name)
    finally:
        with session_scope(rt.engine) as s:
            lease_store.drop_job_lease(s, "housekeeping", WORKER_ID)
    return results


def retry_summaries(rt: Runtime, now: datetime) -> int:
    """Post summary DMs that did not arrive (bounded by the setback's summary attempts),
    so check-ins waiting for a thread can go."""
    with session_scope(rt.engine, readonly=True) as s:
        setbacks = housekeeping_store.setbacks_without_thread(
            s, now - SUMMARY_GRACE, MAX_SUMMARY_ATTEMPTS, PER_RUN
        )
    posted = 0
    for sb in setbacks:
        actor = Actor(sb.team_id, sb.user_id, sb.enterprise_id)
        posted += post_summary(rt, actor, row_id(sb)) is not None
    return posted


def retry_recaps(rt: Runtime, now: datetime) -> int:
    """Post growth recaps whose post failed, looking in the thread first."""
    with session_scope(rt.engine, readonly=True) as s:
        setbacks = housekeeping_store.setbacks_awaiting_recap(s, now - RECAP_WINDOW, PER_RUN)
    return sum(post_recap(rt, row_id(sb), look_first=True) for sb in setbacks)


def refresh_zones(rt: Runtime, now: datetime) -> int:
    """Refresh the cached Slack time zone of members with a check-in coming up, and
    replan their check-ins when it changed (a move, a trip)."""
    with session_scope(rt.engine, readonly=True) as s:
        due = housekeeping_store.members_with_stale_zone(
            s, now - TZ_REFRESH, now + ZONE_HORIZON, PER_RUN
        )
    return sum(refresh_zone(rt, Actor(m.team_id, m.user_id, m.enterprise_id)) for m in due)


def forget_events(rt: Runtime, now: datetime) -> int:
    """Drop event ids older than Slack's retry window, and "Add to Slack" states that
    expired unused (OAuth installs). Returns the event ids dropped."""
    if rt.installs is not None:
        rt.installs.prune_states()
    with session_scope(rt.engine) as s:
        return event_store.prune_processed_events(s, now - EVENT_MEMORY)


def retention(rt: Runtime, now: datetime) -> object:
    """Data lifecycle: uninstalled workspaces past their grace period, old setbacks."""
    return erase.housekeeping(rt, now)


TASKS: tuple[tuple[str, Task], ...] = (
    ("summaries", retry_summaries),
    ("recaps", retry_recaps),
    ("zones", refresh_zones),
    ("events", forget_events),
    ("retention", retention),
)
