"""The check-in dispatcher: claim → render → send → record (docs/ARCHITECTURE.md).

One pass (`run_once`) leases the due check-ins to this worker, looks at each again at
send time, and posts the ones that should go now into their setback's DM thread:

1. **claim** — one statement leases up to a batch of due rows (and rows whose lease ran
   out) to this worker and counts an attempt on each, committed before anything is
   posted; any number of workers may claim at once (storage.checkins);
2. **triage** — a row whose commitment closed is skipped; a row of an uninstalled
   workspace waits, untouched; a row outside the member's working hours (after
   downtime, a settings change, a pause) moves to the next working time; a row whose
   setback has no thread yet waits for housekeeping to post it;
3. **send** — the attempt was committed with the claim, *before* the post; right before
   the post the lease is renewed by a conditional update, so a row cancelled (plan
   closed, setback archived) or deleted (reflection or data erased) since the claim is
   not posted; the message ts is committed *after* it (several posts to a transaction).
   A row with an earlier attempt and no ts first looks for its post in the thread
   (message metadata carries the check-in id), so a crash between post and record never
   leads to a second post; a post whose row was deleted meanwhile is taken down again;
4. **record** — sent, or back to scheduled for a retry with backoff, or cancelled /
   failed with an error code (never user text) and a log line. When Slack refuses the
   bot's token itself, the workspace's rows go back untouched (no attempt counted) and
   the pass posts nothing more there; only codes about the recipient end a plan.

Posts into one channel are spaced (Slack allows about one message per second per
channel), channels are served in parallel, and a 429 is honoured with Retry-After by
slack_sdk's RateLimitErrorRetryHandler. Nothing loops forever: attempts are capped, a
missing thread gives up after the summary's own attempts, and a pass stops posting at
half its lease so no other worker can take a row this one is still sending.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.web import SlackResponse
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from bot.checkins import views
from bot.checkins.answers import facts_of, find_posted, promised_days, rerender
from bot.checkins.planning import WorkingHours, is_working_time, next_slot
from bot.core.runtime import Runtime
from bot.core.slack_client import error_code
from bot.core.slack_http import KeptAliveClient
from bot.members import zone as members
from bot.reflection.summary import MAX_SUMMARY_ATTEMPTS
from storage import checkins as store
from storage.db import autocommit_connection, session_scope
from storage.models import (
    Checkin,
    CheckinStatus,
    Commitment,
    CommitmentStatus,
    Member,
    Setback,
)
from storage.rows import row_id

log = logging.getLogger(__name__)

CHANNEL_GAP = 1.0  # seconds between posts into one channel (Slack: ~1 message/s/channel)
SEND_THREADS = 8  # channels served at once by one worker
CLAIM_CHUNK = 50  # rows per claim statement (a pass claims up to its batch in chunks)
POST_TIMEOUT = 10  # seconds per Web API request
RATE_LIMIT_RETRIES = 2  # 429s the client waits out itself before the row is rescheduled
RATE_LIMIT_WAIT_MAX = 10  # ... as long as Retry-After is no longer than this (seconds)
LATE_GRACE = timedelta(minutes=10)  # a row due inside the window may go this late
THREAD_WAIT = timedelta(minutes=5)  # no thread yet: look again after housekeeping's turn
RETRY_BASE = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)

WORKSPACE_WAIT = timedelta(minutes=15)  # token refused / app uninstalled: look again then

# The recipient cannot receive DMs from the app any more: that member's plan ends here.
PLAN_ENDING = frozenset({"user_not_found", "cannot_dm_bot", "user_disabled"})
# Slack refused the bot's own token: for a bot token, `account_inactive` means the
# token's own user or workspace is gone (Slack's docs), not the recipient. Nothing can be
# posted in that workspace, so its rows wait, untouched; no member's plan is ended.
WORKSPACE_STOP = frozenset(
    {"account_inactive", "invalid_auth", "not_authed", "token_revoked", "token_expired"}
)
# Answers that may succeed later (Slack also sends some of these with HTTP 200).
TRANSIENT = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)


def _worker_id() -> str:
    """hostname-pid-random: unique per process, readable in `setback checkins list`."""
    return f"{socket.gethostname()[:32]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


WORKER_ID = _worker_id()


# What became of one claimed row in a pass: each names a `DispatchReport` counter.
Outcome = Literal[
    "sent", "recovered", "skipped", "rescheduled", "retrying", "failed", "cancelled", "held", "lost"
]


@dataclass
class DispatchReport:
    """What one pass did, by outcome (every claimed row ends in exactly one of them)."""

    claimed: int = 0
    sent: int = 0  # posted now
    recovered: int = 0  # found already posted in its thread, recorded without posting
    skipped: int = 0  # its commitment was closed: cancelled, not sent
    rescheduled: int = 0  # moved to a later time (working hours, pause, no thread yet)
    retrying: int = 0  # Slack or the network failed: retried on a later pass
    failed: int = 0  # gave up: attempts exhausted or a permanent error
    cancelled: int = 0  # the member can no longer get DMs: their plan was cancelled
    held: int = 0  # the workspace is uninstalled or refused the token: back, untouched
    lost: int = 0  # no longer this worker's (taken over, cancelled or deleted): not sent

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def as_text(self) -> str:
        return " ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


@dataclass(frozen=True)
class Due:
    """A claimed check-in with what the send-time checks and the message need."""

    id: int
    team_id: str
    enterprise_id: str | None  # the org of an org-wide install (whose token serves it)
    user_id: str
    due_at: datetime
    attempts: int  # counting this one (the claim counted it)
    error: str | None
    facts: views.CheckinFacts
    commitment_status: CommitmentStatus
    channel: str | None
    thread_ts: str | None
    summary_attempts: int
    hours: WorkingHours
    uninstalled: bool  # the app was removed from the workspace (Workspace.uninstalled_at)

    @property
    def thread(self) -> tuple[str, str]:
        """(channel, ts) of the setback's thread, where the check-in is posted. Triage
        sends only rows that have one; raises ValueError for a row without."""
        if not self.channel or not self.thread_ts:
            raise ValueError(f"check-in {self.id} has no thread to post in")
        return self.channel, self.thread_ts

    @property
    def tried(self) -> int:
        """Attempts before this one: any of them may have posted."""
        return self.attempts - 1


def run_once(
    rt: Runtime,
    now: datetime | None = None,
    *,
    worker_id: str | None = None,
    limit: int | None = None,
    channel_gap: float = CHANNEL_GAP,
) -> DispatchReport:
    """One dispatcher pass as of ``now`` (default: the runtime's clock).

    Claims up to ``limit`` (default SETBACK_DISPATCH_BATCH) due check-ins for
    ``worker_id`` (default: this process), sends those that should go now and records
    every outcome. Safe to call from many processes and threads at once.
    """
    now = now or rt.clock.now()
    worker = worker_id or WORKER_ID
    lease = timedelta(seconds=rt.settings.setback_lease_seconds)
    started = time.monotonic()
    ids = _claim(rt, now, worker, now + lease, limit or rt.settings.setback_dispatch_batch)
    report = DispatchReport(claimed=len(ids))
    if not ids:
        return report
    dues = load_due(rt, ids, worker)
    report.lost += len(ids) - len(dues)
    pacer = _Pacer(channel_gap, started + lease.total_seconds() / 2)
    pass_ = _Pass(rt, now, worker, pacer, now + lease)
    sends = []
    for due in dues:
        outcome = pass_.triage(due)
        if outcome is None:
            sends.append(due)
        else:
            report.count(outcome)
    for outcome in pass_.send_all(sends):
        report.count(outcome)
    log.info("dispatch pass as of %s: %s", now.isoformat(), report.as_text())
    return report


def _claim(rt: Runtime, now: datetime, worker: str, until: datetime, limit: int) -> list[int]:
    """Claim up to ``limit`` rows, CLAIM_CHUNK to a statement: short transactions hold
    the claimed rows' locks only briefly, and every row of a pass is leased to it before
    anything is sent."""
    ids: list[int] = []
    while len(ids) < limit:
        want = min(CLAIM_CHUNK, limit - len(ids))
        with session_scope(rt.engine) as s:
            got = store.claim_due(s, now, worker, until, want)
        ids += got
        if len(got) < want:
            break
    return ids


def _due(
    checkin: Checkin,
    commitment: Commitment,
    setback: Setback,
    member: Member | None,
    uninstalled_at: datetime | None,
    promised: dict[int, date],
) -> Due:
    try:
        hours = members.working_hours(member)
    except ValueError:  # a stored preference that no longer parses: use the defaults
        log.warning("member settings of check-in %s are invalid; using defaults", checkin.id)
        hours = WorkingHours()
    if checkin.due_at is None:  # NOT NULL in the table: only a row never saved lacks it
        raise ValueError(f"check-in {checkin.id} has no due time")
    return Due(
        id=row_id(checkin),
        team_id=checkin.team_id,
        enterprise_id=setback.enterprise_id,
        user_id=checkin.user_id,
        due_at=checkin.due_at,
        attempts=checkin.attempts,
        error=checkin.error,
        facts=facts_of(checkin, commitment, tz=hours.tz, promised=promised.get(row_id(checkin))),
        commitment_status=commitment.status,
        channel=setback.dm_channel,
        thread_ts=setback.thread_ts,
        summary_attempts=setback.summary_attempts,
        hours=hours,
        uninstalled=uninstalled_at is not None,
    )


def sendable_now(due_at: datetime, hours: WorkingHours, now: datetime) -> bool:
    """Whether a due check-in may be sent at ``now``: inside working time, or just after
    a window it was planned inside closed (a tick that landed at 17:00:20)."""
    if is_working_time(now, hours):
        return True
    return is_working_time(due_at, hours) and now - due_at <= LATE_GRACE


def backoff(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: 1, 2, 4 … minutes, at most 1 h."""
    doubled: int = 2 ** max(0, attempts - 1)
    return min(RETRY_BASE * doubled, RETRY_MAX)


# --- pacing ----------------------------------------------------------------------------------


class _Pacer:
    """Spaces posts into each channel by ``gap`` seconds and stops at ``deadline``.

    A thread holds a channel while it waits and posts, so one channel never sees two
    posts at once; different channels go in parallel.
    """

    def __init__(self, gap: float, deadline: float) -> None:
        self._gap = gap
        self._deadline = deadline
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._next: dict[str, float] = {}

    @contextmanager
    def slot(self, channel: str) -> Iterator[bool]:
        """Wait for the channel's turn; yields False when it would come past the deadline."""
        with self._guard:
            lock = self._locks.setdefault(channel, threading.Lock())
        with lock:
            start = max(self._next.get(channel, 0.0), time.monotonic())
            if start > self._deadline:
                yield False
                return
            delay = start - time.monotonic()
            if delay > 0:  # no sleep(0): under load it costs a GIL hand-off per post
                time.sleep(delay)
            try:
                yield True
            finally:
                self._next[channel] = max(
                    self._next.get(channel, 0.0), time.monotonic() + self._gap
                )

    def hold(self, channel: str, seconds: float) -> None:
        """Slack asked this channel to wait (429 Retry-After)."""
        self._next[channel] = time.monotonic() + seconds


def _interleaved(dues: list[Due]) -> list[Due]:
    """First row of every channel, then the second of every channel, …: a worker thread
    is rarely left waiting on a channel while another channel could go."""
    rank: dict[str | None, int] = {}
    keyed = []
    for i, due in enumerate(dues):
        rank[due.channel] = rank.get(due.channel, -1) + 1
        keyed.append((rank[due.channel], i, due))
    return [due for _, _, due in sorted(keyed, key=lambda k: (k[0], k[1]))]


# --- the Web API client ---------------------------------------------------------------------


class _BoundedRateLimitRetry(RateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (sleeps Retry-After, then retries), but only for short
    waits: a long Retry-After reschedules the row instead of holding its lease."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        return response is not None and _retry_after(response.headers) <= RATE_LIMIT_WAIT_MAX


def _retry_after(headers: Mapping[str, Any] | None) -> float:
    for name, value in dict(headers or {}).items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            try:
                return max(1.0, float(raw))
            except (TypeError, ValueError):
                return 1.0
    return 1.0


def post_client(rt: Runtime, team_id: str = "", enterprise_id: str | None = None) -> WebClient:
    """A client for posting check-ins with the workspace's token (`Runtime.client_for`):
    429s retried (safe: nothing was posted), but no automatic retry of dropped
    connections — a dropped answer may hide a post, and the dispatcher's own attempt
    protocol handles that. A client without a token (no installation there) stays as
    it is: it answers every call without asking Slack."""
    base = rt.client_for(team_id, enterprise_id)
    if base.token is None:
        return base
    return KeptAliveClient(
        token=base.token,
        base_url=base.base_url,
        timeout=POST_TIMEOUT,
        retry_handlers=[_BoundedRateLimitRetry(max_retry_count=RATE_LIMIT_RETRIES)],
    )


def post_checkin(client: WebClient, due: Due) -> SlackResponse:
    """Post one check-in into its setback's thread, its id in the message metadata."""
    text, blocks = views.checkin_message(due.facts)
    channel, thread_ts = due.thread
    return client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=text,
        blocks=blocks,
        unfurl_links=False,
        unfurl_media=False,
        metadata=views.metadata(due.id),
    )


def load_due(rt: Runtime, ids: list[int], worker: str) -> list[Due]:
    """The claimed rows of ``worker`` among ``ids``, ready for triage and sending."""
    with session_scope(rt.engine, readonly=True) as s:
        rows = store.load_claimed(s, ids, worker)
        promised = promised_days(s, ((checkin, setback) for checkin, _, setback, _, _ in rows))
        return [_due(*row, promised) for row in rows]


# --- one pass --------------------------------------------------------------------------------


class _Pass:
    """The send-time decisions and records of one pass (shared by its threads)."""

    def __init__(
        self, rt: Runtime, now: datetime, worker: str, pacer: _Pacer, lease_until: datetime
    ) -> None:
        self.rt = rt
        self.now = now
        self.worker = worker
        self.pacer = pacer
        self.lease_until = lease_until
        self.max_attempts = rt.settings.setback_max_attempts
        self._clients: dict[str, WebClient] = {}  # team -> its post client, for this pass
        self._clients_guard = threading.Lock()
        self.recorder: _GroupCommit | None = None
        self._stopped: dict[str, str] = {}  # team -> the code Slack refused its token with
        self._stop_guard = threading.Lock()

    def client(self, due: Due) -> WebClient:
        """The post client of the row's workspace: its own token (refreshed first when
        about to expire), resolved once per pass and workspace."""
        with self._clients_guard:
            client = self._clients.get(due.team_id)
        if client is None:
            client = post_client(self.rt, due.team_id, due.enterprise_id)
            with self._clients_guard:
                client = self._clients.setdefault(due.team_id, client)
        return client

    # triage: decided without Slack

    def triage(self, due: Due) -> Outcome | None:
        """The outcome for a row that must not be sent now, or None to send it."""
        if due.commitment_status != CommitmentStatus.ACTIVE:
            self._finish(due, CheckinStatus.CANCELLED, "plan_closed", undo=True)
            return "skipped"
        if due.uninstalled:  # nothing can be posted there; reinstalling lifts the mark
            return self._hold(due, "uninstalled")
        if not due.channel or not due.thread_ts:
            if due.summary_attempts >= MAX_SUMMARY_ATTEMPTS:
                log.warning("check-in %s failed: its setback has no DM thread", due.id)
                self._finish(due, CheckinStatus.FAILED, "no_thread", undo=True)
                return "failed"
            self._release(due, self.now + THREAD_WAIT, due.error, undo=True)
            return "rescheduled"
        if not sendable_now(due.due_at, due.hours, self.now):
            self._release(due, next_slot(self.now, due.hours), due.error, undo=True)
            return "rescheduled"
        return None

    # sending: in parallel across channels

    def send_all(self, dues: list[Due]) -> list[Outcome]:
        if not dues:
            return []
        self.recorder = _GroupCommit(self.rt, self.worker, self.lease_until, self.now)
        try:
            with ThreadPoolExecutor(max_workers=min(SEND_THREADS, len(dues))) as pool:
                return list(pool.map(self._send_safely, _interleaved(dues)))
        finally:
            self.recorder.close()

    def _send_safely(self, due: Due) -> Outcome:
        try:
            return self._send(due)
        except Exception:  # noqa: BLE001 - one bad row must not stop the others
            log.exception("check-in %s: unexpected error while sending", due.id)
            self._release(due, self.now + backoff(due.attempts), "internal")
            return "retrying"

    def _send(self, due: Due) -> Outcome:
        assert due.channel and due.thread_ts  # triage sends only rows with a thread
        if (stop := self._stop_code(due.team_id)) is not None:
            return self._hold(due, stop)
        if due.tried:
            outcome = self._recover(due)
            if outcome is not None:
                return outcome
        with self.pacer.slot(due.channel) as ready:
            if not ready:  # out of time this pass; the next pass takes it at once
                self._release(due, due.due_at, due.error, undo=True)
                return "rescheduled"
            if (stop := self._stop_code(due.team_id)) is not None:
                return self._hold(due, stop)
            try:
                held = self._renew(due)
            except Exception as exc:  # noqa: BLE001 - the database, not Slack: nothing posted
                self._release(due, self.now + backoff(due.attempts), error_code(exc), undo=True)
                return "retrying"
            if not held:
                log.info("check-in %s is no longer this worker's to send; not posted", due.id)
                return "lost"
            try:
                resp = post_checkin(self.client(due), due)
            except SlackApiError as exc:
                return self._after_slack_error(due, exc)
            except Exception as exc:  # noqa: BLE001 - connection reset, timeout: maybe posted
                return self._retry(due, type(exc).__name__)
        kept = self._record_sent(due, str(resp["channel"]), str(resp["ts"]))
        return "sent" if kept else "lost"

    def _renew(self, due: Due) -> bool:
        """The last look before posting: still claimed by this worker? (group-committed
        with the other threads' renewals and records)"""
        assert self.recorder is not None
        return self.recorder.renew(due.id)

    def _recover(self, due: Due) -> Outcome | None:
        """An earlier attempt may have posted: look in the thread before posting again."""
        channel, thread_ts = due.thread
        try:
            ts = find_posted(
                self.client(due),
                channel,
                thread_ts,
                views.CHECKIN_EVENT,
                "checkin_id",
                due.id,
            )
        except Exception as exc:  # noqa: BLE001 - cannot tell; try again later, bounded
            code = error_code(exc)
            if code in WORKSPACE_STOP:
                return self._stop_team(due, code)
            if due.tried >= self.max_attempts:
                return self._give_up(due, code)
            self._release(due, self.now + backoff(due.attempts), code)
            return "retrying"
        if ts is not None:
            log.info("check-in %s was already posted; recorded it without posting", due.id)
            kept = self._record_sent(due, channel, ts)
            return "recovered" if kept else "lost"
        if due.tried >= self.max_attempts:
            return self._give_up(due, due.error or "attempts")
        return None

    def _after_slack_error(self, due: Due, exc: SlackApiError) -> Outcome:
        code = str(exc.response.get("error") or "unknown")
        status = exc.response.status_code
        if code in WORKSPACE_STOP:
            return self._stop_team(due, code)
        if code in PLAN_ENDING:
            with session_scope(self.rt.engine) as s:
                count = store.cancel_member_plan(s, due.team_id, due.user_id, code)
            log.info(
                "cancelled %d check-in(s) of member %s/%s: Slack says %s",
                count,
                due.team_id,
                due.user_id,
                code,
            )
            return "cancelled"
        if status == 429:  # nothing was posted; Slack said when to come back
            wait = _retry_after(exc.response.headers)
            self.pacer.hold(due.thread[0], wait)
            self._release(due, self.now + timedelta(seconds=wait), code, undo=True)
            return "retrying"
        if status >= 500 or code in TRANSIENT:
            return self._retry(due, code)
        log.warning("check-in %s failed: Slack refused it (%s)", due.id, code)
        self._finish(due, CheckinStatus.FAILED, code)
        return "failed"

    def _retry(self, due: Due, code: str) -> Outcome:
        """Maybe posted, maybe not: back off; the next pass looks in the thread first."""
        log.info("check-in %s: attempt %d failed (%s); will retry", due.id, due.attempts, code)
        self._release(due, self.now + backoff(due.attempts), code)
        return "retrying"

    def _give_up(self, due: Due, code: str) -> Outcome:
        log.warning("check-in %s failed after %d attempts (%s)", due.id, due.tried, code)
        self._finish(due, CheckinStatus.FAILED, code, undo=True)
        return "failed"

    # a workspace that cannot be reached

    def _stop_code(self, team_id: str) -> str | None:
        with self._stop_guard:
            return self._stopped.get(team_id)

    def _stop_team(self, due: Due, code: str) -> Outcome:
        """Slack refused the bot's token: post nothing more in this workspace this pass.
        Logged once per pass and workspace (a code and a team id, nothing else)."""
        with self._stop_guard:
            first = due.team_id not in self._stopped
            self._stopped.setdefault(due.team_id, code)
        if first:
            log.warning(
                "workspace %s: Slack refused the bot token (%s); its check-ins wait, "
                "no attempt counted",
                due.team_id,
                code,
            )
        return self._hold(due, code)

    def _hold(self, due: Due, code: str) -> Outcome:
        """Give the row back untouched (this attempt never reached Slack) for later."""
        self._release(due, self.now + WORKSPACE_WAIT, code, undo=True)
        return "held"

    # records

    def _record_sent(self, due: Due, channel: str, ts: str) -> bool:
        """Record a posted message; False when its row was deleted meanwhile (the post is
        taken down again, so no commitment text stays behind in the DM)."""
        assert self.recorder is not None
        status = self.recorder.sent(due.id, channel, ts)
        if status == store.GONE:
            self._take_down(due, channel, ts)
            return False
        if status is None:
            log.error("check-in %s had a message recorded already; ts %s is extra", due.id, ts)
        elif status == CheckinStatus.CANCELLED:  # closed or archived while posting: no live buttons
            rerender(self.rt, due.id)
        return True

    def _take_down(self, due: Due, channel: str, ts: str) -> None:
        try:
            self.rt.client_for(due.team_id, due.enterprise_id).chat_delete(channel=channel, ts=ts)
        except Exception as exc:  # noqa: BLE001 - nothing more to do than to say so
            log.warning(
                "check-in %s was deleted while posting; removing its message failed (%s)",
                due.id,
                error_code(exc),
            )
            return
        log.info("check-in %s was deleted while posting; its message was removed", due.id)

    def _release(
        self, due: Due, due_at: datetime, error: str | None, *, undo: bool = False
    ) -> None:
        with session_scope(self.rt.engine) as s:
            store.release(s, due.id, self.worker, due_at, error, undo_attempt=undo)

    def _finish(self, due: Due, status: CheckinStatus, error: str, *, undo: bool = False) -> None:
        with session_scope(self.rt.engine) as s:
            store.finish(s, due.id, self.worker, status, error, undo_attempt=undo)


@dataclass
class _Work:
    """One write waiting for the next group commit, and its answer: a lease renewal
    (``renew`` names the row) or a posted message to record (``sent``)."""

    renew: int | None = None
    sent: tuple[int, str, str] | None = None  # (check-in id, channel, ts)
    done: threading.Event = field(default_factory=threading.Event)
    held: bool = False  # the renewal's answer: still this worker's row
    recorded: store.Recorded = None  # the record's answer
    error: BaseException | None = None


class _GroupCommit:
    """Runs the sender threads' small writes — the lease renewal just before a post, the
    message ts just after it — several to a statement (group commit).

    Each sender thread waits until *its* write is committed, but the writes that arrive
    while one is in flight go together into the next: one statement renews every lease
    of a batch, one records every ts, instead of a transaction per write — what limits
    a worker on SQLite's single writer and on PostgreSQL's round trips and fsync per
    commit. On PostgreSQL each kind of write has its own autocommit connection, held for
    the pass: a renewal is one round trip and does not wait for the disk (losing one in
    a crash loses nothing: the lease it extends was committed with the claim); a record
    is one durable round trip.
    """

    def __init__(self, rt: Runtime, worker: str, lease_until: datetime, now: datetime) -> None:
        self._rt = rt
        self._worker = worker
        self._lease_until = lease_until
        self._now = now  # the pass's time, recorded as sent_at
        self._queue: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._connections: dict[bool, tuple[ExitStack, Connection]] = {}
        self._thread = threading.Thread(target=self._run, name="dispatch-records", daemon=True)
        self._thread.start()

    def renew(self, checkin_id: int) -> bool:
        """Whether this worker still holds the row (its lease renewed), once committed."""
        work = self._wait(_Work(renew=checkin_id))
        return work.held

    def sent(self, checkin_id: int, channel: str, ts: str) -> store.Recorded:
        """Record a posted message; returns `store.record_sent`'s answer once committed."""
        work = self._wait(_Work(sent=(checkin_id, channel, ts)))
        return work.recorded

    def _wait(self, work: _Work) -> _Work:
        """Queue the write and block until it is committed: the work, now answered."""
        self._queue.put(work)
        work.done.wait()
        if work.error is not None:
            raise work.error
        return work

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        try:
            while (first := self._queue.get()) is not None:
                batch: list[_Work] = [first]
                stop = False
                while not self._queue.empty():
                    more = self._queue.get()
                    if more is None:
                        stop = True
                        break
                    batch.append(more)
                self._commit(batch)
                if stop:
                    return
        finally:
            for durable in list(self._connections):
                self._drop(durable)

    def _commit(self, batch: list[_Work]) -> None:
        """Renewals first, so their senders can post at once; then the records."""
        renewals = [w for w in batch if w.renew is not None]
        if renewals:
            self._write(renewals, self._renew_all, durable=False)
        records = [w for w in batch if w.sent is not None]
        if records:
            self._write(records, self._record_all, durable=True)

    def _renew_all(self, db: Session | Connection, batch: list[_Work]) -> None:
        ids = [w.renew for w in batch if w.renew is not None]
        held = store.renew_leases(db, ids, self._worker, self._lease_until)
        for work in batch:
            work.held = work.renew in held

    def _record_all(self, db: Session | Connection, batch: list[_Work]) -> None:
        posts = [w.sent for w in batch if w.sent is not None]
        answers = store.record_sent_many(db, posts, self._now)
        for work in batch:
            if work.sent is not None:
                work.recorded = answers[work.sent[0]]

    def _write(
        self,
        batch: list[_Work],
        body: Callable[[Session | Connection, list[_Work]], None],
        *,
        durable: bool,
    ) -> None:
        try:
            if self._rt.engine.dialect.name == "postgresql":
                self._on_connection(batch, body, durable)
            else:
                with session_scope(self._rt.engine) as s:
                    body(s, batch)
        except Exception as exc:  # noqa: BLE001 - every waiting sender hears of it
            self._drop(durable)  # a broken connection is not used again
            for work in batch:
                work.error = exc
        for work in batch:
            work.done.set()

    def _on_connection(
        self,
        batch: list[_Work],
        body: Callable[[Session | Connection, list[_Work]], None],
        durable: bool,
    ) -> None:
        """Run on the held connection; when the server dropped it (a restart, a
        failover, an idle timeout), once more on a fresh one. Both writes are safe to
        repeat: a renewal sets the same lease again, and a record whose first try was
        committed answers with the row's status (its ts is already ours)."""
        try:
            body(self._connection(durable), batch)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            log.info("group-commit connection was dropped; retrying on a fresh one")
            self._drop(durable)
            body(self._connection(durable), batch)

    def _connection(self, durable: bool) -> Connection:
        if durable not in self._connections:
            stack = ExitStack()
            conn = stack.enter_context(autocommit_connection(self._rt.engine, durable=durable))
            self._connections[durable] = (stack, conn)
        return self._connections[durable][1]

    def _drop(self, durable: bool) -> None:
        held = self._connections.pop(durable, None)
        if held is not None:
            try:
                held[0].close()
            except Exception:  # noqa: BLE001 - it is being thrown away
                log.debug("closing a group-commit connection failed", exc_info=True)
