"""Check-in queries: the claim protocol, recording attempts and posts, answers.

The database, not the scheduler, is the source of truth (docs/ARCHITECTURE.md). A dispatcher
*claims* due rows by giving them a lease (``lease_owner``, ``lease_until``) in one
statement: PostgreSQL locks the rows it picks with ``FOR UPDATE SKIP LOCKED`` so any
number of replicas can claim at once without waiting on each other or taking the same
row; SQLite runs the same ``UPDATE … RETURNING`` inside ``BEGIN IMMEDIATE`` (one writer
at a time). The claim also counts an attempt, so an attempt is committed before any post
(a row that goes unposted gives it back). Every later write by the dispatcher re-checks
that it still holds the lease, the renewal just before each post included (a row
cancelled or deleted since the claim is not posted), except the one that records a
posted message: once Slack has a message, its ts is written whoever holds the row, so
nobody posts it again.

Statuses: scheduled → claimed → sent → answered; or skipped back to scheduled (a new due
time), cancelled (the plan ended) or failed (attempts exhausted or a permanent error).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    String,
    Update,
    and_,
    bindparam,
    case,
    func,
    or_,
    update,
)
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.models import (
    CLOSED_COMMITMENTS,
    OPEN_CHECKINS,
    Checkin,
    CheckinResponse,
    CheckinStatus,
    Commitment,
    CommitmentStatus,
    Member,
    Setback,
    Workspace,
)

GONE: Final = "gone"  # what `record_sent` answers when the row was deleted while it was posted
Recorded = CheckinStatus | Literal["gone"] | None  # `record_sent`'s answer

# --- the claim ---------------------------------------------------------------------------


def claim_due(
    s: Session, now: datetime, worker_id: str, lease_until: datetime, limit: int
) -> list[int]:
    """Lease up to ``limit`` check-ins to ``worker_id`` and return their ids.

    Claimable are scheduled rows that are due and claimed rows whose lease ran out (their
    worker died or stalled), oldest due first, in one ordered range scan of
    ``ix_checkin_open`` (a partial index of the rows not yet sent) with a LIMIT: the cost
    follows the batch size, not the table size. Rows another worker is claiming right
    now are skipped, not waited for. Each claimed row's ``attempts`` goes up by one: from
    here on it may be posted.
    """
    params = {"now": now, "worker": worker_id, "until": lease_until, "limit": limit}
    return [int(row[0]) for row in s.execute(_claim_template(), params)]


def claim_statement(now: datetime, worker_id: str, lease_until: datetime, limit: int) -> Update:
    """The claim as one statement with its values in place (see `claim_due`; the
    benchmark and a test EXPLAIN it)."""
    return _build_claim(now, worker_id, lease_until, limit)


@functools.cache
def _claim_template() -> Update:
    """The claim, built once with bound parameters (as the dispatcher's other per-row
    statements below)."""
    t = Checkin.__table__
    return _build_claim(
        bindparam("now", type_=t.c.due_at.type),
        bindparam("worker", type_=t.c.lease_owner.type),
        bindparam("until", type_=t.c.lease_until.type),
        bindparam("limit", type_=Integer),
    )


def _build_claim(now: Any, worker_id: Any, lease_until: Any, limit: Any) -> Update:
    """Plain Core on the table: the ORM has no objects to keep in step here."""
    t = Checkin.__table__
    picked = (
        select(t.c.id)
        .where(
            t.c.status.in_(OPEN_CHECKINS),  # the partial index's own condition, so it is used
            t.c.due_at <= now,
            or_(t.c.status == CheckinStatus.SCHEDULED, t.c.lease_until < now),
        )
        .order_by(t.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (
        update(t)
        .where(t.c.id.in_(picked.scalar_subquery()))
        .values(
            status=CheckinStatus.CLAIMED,
            lease_owner=worker_id,
            lease_until=lease_until,
            attempts=t.c.attempts + 1,
            last_attempt_at=now,
        )
        .returning(t.c.id)
    )


def load_claimed(
    s: Session, ids: Sequence[int], worker_id: str
) -> list[tuple[Checkin, Commitment, Setback, Member | None, datetime | None]]:
    """The claimed rows with what rendering and the send-time checks need, in one query:
    the check-in, its commitment and setback, the member (their working hours) and when
    their workspace was uninstalled (None while the app is installed)."""
    if not ids:
        return []
    member_match = and_(
        col(Member.team_id) == Checkin.team_id, col(Member.user_id) == Checkin.user_id
    )
    # SQLAlchemy's own select: SQLModel's is typed for up to four columns.
    query = (
        core_select(Checkin, Commitment, Setback, Member, col(Workspace.uninstalled_at))
        .join(Commitment, col(Commitment.id) == Checkin.commitment_id)
        .join(Setback, col(Setback.id) == Checkin.setback_id)
        .outerjoin(Member, member_match)
        .outerjoin(Workspace, col(Workspace.team_id) == Checkin.team_id)
        .where(
            col(Checkin.id).in_(list(ids)),
            col(Checkin.status) == CheckinStatus.CLAIMED,
            col(Checkin.lease_owner) == worker_id,
        )
        .order_by(col(Checkin.due_at), col(Checkin.id))
    )
    return list(s.execute(query).tuples())


# --- what the dispatcher records -----------------------------------------------------------


def _held(checkin_id: int, worker_id: str) -> tuple[ColumnElement[bool], ...]:
    return (
        col(Checkin.id) == checkin_id,
        col(Checkin.status) == CheckinStatus.CLAIMED,
        col(Checkin.lease_owner) == worker_id,
    )


def renew_lease(s: Session, checkin_id: int, worker_id: str, lease_until: datetime) -> bool:
    """Re-check, just before posting, that this worker still holds the row, and hold it
    until ``lease_until``. False when the row was cancelled (a plan closed, a setback
    archived), deleted (a reflection or a person's data erased) or taken over since the
    claim: then it must not be posted."""
    return checkin_id in renew_leases(s, [checkin_id], worker_id, lease_until)


def renew_leases(
    s: Session | Connection, checkin_ids: Sequence[int], worker_id: str, lease_until: datetime
) -> set[int]:
    """`renew_lease` for several rows in one statement (the dispatcher's threads renew
    together): the ids of those still claimed by ``worker_id``. A conditional
    ``UPDATE … RETURNING``, so the answer and the renewal are one step, and on
    PostgreSQL it waits for a transaction that is cancelling the row right now."""
    if not checkin_ids:
        return set()
    params = {"ids": list(checkin_ids), "worker": worker_id, "until": lease_until}
    return {int(row[0]) for row in s.execute(_renew_statement(), params)}


# The dispatcher runs these two for every check-in it posts. Built once, with bound
# parameters: building a statement costs more CPU than running it (SQLAlchemy derives a
# cache key from the whole expression each time).


@functools.cache
def _renew_statement() -> Update:
    t = Checkin.__table__
    return (
        update(t)
        .where(
            t.c.id.in_(bindparam("ids", expanding=True)),
            t.c.status == CheckinStatus.CLAIMED,
            t.c.lease_owner == bindparam("worker"),
        )
        .values(lease_until=bindparam("until"))
        .returning(t.c.id)
    )


@functools.cache
def _record_statement(rows: int) -> Update:
    """Record ``rows`` posts: each row's own channel and ts, picked by its id."""
    t = Checkin.__table__
    ids = [bindparam(f"id{k}", type_=Integer) for k in range(rows)]

    def per_row(name: str) -> Any:
        whens = [(t.c.id == ids[k], bindparam(f"{name}{k}", type_=String)) for k in range(rows)]
        return case(*whens)

    return (
        update(t)
        .where(t.c.id.in_(ids), t.c.message_ts.is_(None))
        .values(
            status=case((t.c.status.in_(OPEN_CHECKINS), CheckinStatus.SENT), else_=t.c.status),
            channel=per_row("channel"),
            message_ts=per_row("ts"),
            sent_at=bindparam("now"),
            lease_owner=None,
            lease_until=None,
            error=None,
        )
        .returning(t.c.id, t.c.status)
    )


_RECORD_CHUNK = 16  # posts to one statement; the dispatcher's batches are smaller


def record_sent(s: Session, checkin_id: int, channel: str, ts: str, now: datetime) -> Recorded:
    """Record the posted message. Written whoever holds the lease (a message exists now,
    so it must never be posted again); returns the row's status after, None if another
    ts was recorded first, and `GONE` if the row no longer exists (deleted while it was
    being posted: the caller takes the message down again)."""
    return record_sent_many(s, [(checkin_id, channel, ts)], now)[checkin_id]


def record_sent_many(
    s: Session | Connection, posts: Sequence[tuple[int, str, str]], now: datetime
) -> dict[int, Recorded]:
    """`record_sent` for several posted messages — ``(check-in id, channel, ts)`` — in
    one statement (the dispatcher's sender threads record together): each id's answer.

    One ``UPDATE … RETURNING`` writes every row that has no ts yet; it is a single
    statement, so it is atomic on its own (the dispatcher runs it in autocommit on
    PostgreSQL). Only the ids it did not write are looked up again, to tell "recorded
    already with another ts" (None) from "deleted" (`GONE`); a row that already holds
    this very ts (a retried write whose first answer was lost) answers its status.
    """
    if not posts:
        return {}
    answers: dict[int, Recorded] = {}
    for start in range(0, len(posts), _RECORD_CHUNK):
        chunk = posts[start : start + _RECORD_CHUNK]
        params: dict[str, Any] = {"now": now}
        for k, (cid, channel, ts) in enumerate(chunk):
            params.update({f"id{k}": cid, f"channel{k}": channel, f"ts{k}": ts})
        written = s.execute(_record_statement(len(chunk)), params)
        answers.update({int(cid): CheckinStatus(status) for cid, status in written})
    t = Checkin.__table__
    ours = {cid: ts for cid, _, ts in posts}
    missing = [cid for cid in ours if cid not in answers]
    if missing:
        found = s.execute(select(t.c.id, t.c.message_ts, t.c.status).where(t.c.id.in_(missing)))
        now_stored = {int(cid): (ts, status) for cid, ts, status in found}
        for cid in missing:
            if cid not in now_stored:
                answers[cid] = GONE
            else:  # recorded by an earlier try of this very write, or another ts first
                ts, status = now_stored[cid]
                answers[cid] = CheckinStatus(status) if ts == ours[cid] else None
    return answers


def release(
    s: Session,
    checkin_id: int,
    worker_id: str,
    due_at: datetime,
    error: str | None = None,
    *,
    undo_attempt: bool = False,
) -> bool:
    """Give a claimed row back as scheduled, due at ``due_at`` (a later slot or a retry).

    ``undo_attempt`` when it was certainly not posted this time (not tried at all), so
    the count the claim added is given back.
    """
    return _let_go_of(
        s,
        checkin_id,
        worker_id,
        undo_attempt,
        status=CheckinStatus.SCHEDULED,
        due_at=due_at,
        error=error,
    )


def finish(
    s: Session,
    checkin_id: int,
    worker_id: str,
    status: CheckinStatus,
    error: str | None,
    *,
    undo_attempt: bool = False,
) -> bool:
    """End a claimed row as cancelled or failed (``error`` is a code, never user text)."""
    return _let_go_of(s, checkin_id, worker_id, undo_attempt, status=status, error=error)


def _let_go_of(
    s: Session, checkin_id: int, worker_id: str, undo_attempt: bool, **values: object
) -> bool:
    """End this worker's lease on a row with ``values``; False if it no longer held it."""
    values.update(lease_owner=None, lease_until=None)
    if undo_attempt:
        values["attempts"] = col(Checkin.attempts) - 1
    result = s.exec(
        update(Checkin)
        .where(*_held(checkin_id, worker_id))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


def cancel_member_plan(s: Session, team_id: str, user_id: str, error: str) -> int:
    """Cancel every not-yet-sent check-in of one member (they left, or cannot get DMs)."""
    result = s.exec(
        update(Checkin)
        .where(
            col(Checkin.team_id) == team_id,
            col(Checkin.user_id) == user_id,
            col(Checkin.status).in_(OPEN_CHECKINS),
        )
        .values(status=CheckinStatus.CANCELLED, error=error, lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)


# --- answering -----------------------------------------------------------------------------


def get_owned_checkin(
    s: Session, team_id: str, user_id: str, checkin_id: int | None
) -> Checkin | None:
    """The check-in only if this team + user own it; None otherwise (no hint why)."""
    if checkin_id is None:
        return None
    return s.exec(
        select(Checkin).where(
            Checkin.id == checkin_id, Checkin.team_id == team_id, Checkin.user_id == user_id
        )
    ).first()


def mark_answered(s: Session, checkin: Checkin, response: CheckinResponse, now: datetime) -> bool:
    """Answer a sent check-in once: False when it was already answered (a double click)."""
    result = s.exec(
        update(Checkin)
        .where(
            col(Checkin.id) == checkin.id,
            col(Checkin.team_id) == checkin.team_id,
            col(Checkin.user_id) == checkin.user_id,
            col(Checkin.status) == CheckinStatus.SENT,
        )
        .values(status=CheckinStatus.ANSWERED, response=response, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


def close_plan(
    s: Session, commitment: Commitment, status: CommitmentStatus, now: datetime
) -> list[Checkin]:
    """Close a commitment (done / let go) and cancel what is left of its plan.

    Unsent rows are cancelled (a claimed one too: its dispatcher renews its lease just
    before posting, finds it cancelled and leaves it). Sent but unanswered check-ins are
    returned after being cancelled, so the caller can take the buttons off their messages.
    """
    commitment.status = status
    commitment.closed_at = now
    s.add(commitment)
    scope = (
        col(Checkin.commitment_id) == commitment.id,
        col(Checkin.team_id) == commitment.team_id,
    )
    return _cancel_rest(s, scope)


def cancel_setback_plan(s: Session, setback: Setback) -> list[Checkin]:
    """Cancel every check-in of a setback that is not answered yet (it was archived).

    As in `close_plan`: rows still to be sent are cancelled, claimed ones included, and
    the sent but unanswered ones are cancelled and returned, so the caller can re-render
    their messages without buttons once the change is committed.
    """
    scope = (col(Checkin.setback_id) == setback.id, col(Checkin.team_id) == setback.team_id)
    return _cancel_rest(s, scope)


def _cancel_rest(s: Session, scope: tuple[ColumnElement[bool], ...]) -> list[Checkin]:
    s.exec(
        update(Checkin)
        .where(*scope, col(Checkin.status).in_(OPEN_CHECKINS))
        .values(status=CheckinStatus.CANCELLED, lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    waiting = list(s.exec(select(Checkin).where(*scope, Checkin.status == CheckinStatus.SENT)))
    for row in waiting:
        row.status = CheckinStatus.CANCELLED
        s.add(row)
    s.flush()
    return waiting


def _in_thread(team_id: str, user_id: str, channel: str, thread_ts: str) -> SelectOfScalar[Checkin]:
    """This person's posted check-ins in one of their setback threads (their DM)."""
    return (
        select(Checkin)
        .join(Setback, col(Setback.id) == Checkin.setback_id)
        .where(
            Setback.team_id == team_id,
            Setback.user_id == user_id,
            Setback.dm_channel == channel,
            Setback.thread_ts == thread_ts,
            Checkin.team_id == team_id,
            Checkin.user_id == user_id,
            col(Checkin.message_ts).is_not(None),
        )
    )


def latest_sent_in_thread(
    s: Session, team_id: str, user_id: str, channel: str, thread_ts: str
) -> Checkin | None:
    """The most recent check-in posted in this person's setback thread (for a reply)."""
    query = _in_thread(team_id, user_id, channel, thread_ts)
    return s.exec(query.order_by(col(Checkin.sent_at).desc(), col(Checkin.id).desc())).first()


def waiting_in_thread(
    s: Session, team_id: str, user_id: str, channel: str, thread_ts: str
) -> list[Checkin]:
    """The check-ins of this person's setback thread still waiting for an answer (sent,
    not answered), oldest first: a reply there is a note on one of them."""
    query = _in_thread(team_id, user_id, channel, thread_ts).where(
        Checkin.status == CheckinStatus.SENT
    )
    return list(s.exec(query.order_by(col(Checkin.sent_at), col(Checkin.id))))


def next_open_of(s: Session, checkin: Checkin, *, same_seq: bool = False) -> Checkin | None:
    """The next check-in still to be sent in this check-in's plan, soonest first (with
    ``same_seq``: only the one a snooze planned again)."""
    query = select(Checkin).where(
        Checkin.commitment_id == checkin.commitment_id,
        Checkin.team_id == checkin.team_id,
        Checkin.id != checkin.id,
        col(Checkin.status).in_(OPEN_CHECKINS),
    )
    if same_seq:
        query = query.where(Checkin.seq == checkin.seq)
    return s.exec(query.order_by(col(Checkin.due_at), col(Checkin.id))).first()


def reopen_plan(
    s: Session, checkin: Checkin, commitment: Commitment
) -> tuple[list[Checkin], list[Checkin]] | None:
    """Undo the answer (Done or Let it go) that closed a plan: the check-in waits for an
    answer again, the commitment is active again and what `close_plan` cancelled comes
    back — unsent rows as scheduled, posted ones as waiting.

    Guarded by one conditional update of the answer itself, so a second Undo (a double
    click) changes nothing and answers None. Rows cancelled another way carry an error
    code (the dispatcher's, `cancel_member_plan`'s) and stay cancelled. Returns (the
    rows scheduled again, the posted rows waiting again); the caller moves the due
    times of the first into the member's working time.
    """
    result = s.exec(
        update(Checkin)
        .where(
            col(Checkin.id) == checkin.id,
            col(Checkin.team_id) == checkin.team_id,
            col(Checkin.user_id) == checkin.user_id,
            col(Checkin.status) == CheckinStatus.ANSWERED,
            col(Checkin.response) == checkin.response,
        )
        .values(status=CheckinStatus.SENT, response=None, answered_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    commitment.status = CommitmentStatus.ACTIVE
    commitment.closed_at = None
    s.add(commitment)
    cancelled = s.exec(
        select(Checkin).where(
            Checkin.commitment_id == commitment.id,
            Checkin.team_id == commitment.team_id,
            Checkin.id != checkin.id,
            Checkin.status == CheckinStatus.CANCELLED,
            col(Checkin.error).is_(None),
        )
    )
    scheduled: list[Checkin] = []
    waiting: list[Checkin] = []
    for row in cancelled:
        row.status = CheckinStatus.SENT if row.message_ts else CheckinStatus.SCHEDULED
        (waiting if row.message_ts else scheduled).append(row)
        s.add(row)
    s.flush()
    return scheduled, waiting


def open_commitments(s: Session, setback: Setback) -> int:
    """How many commitments of a setback are neither done nor let go."""
    return int(
        s.exec(
            select(func.count())
            .select_from(Commitment)
            .where(
                Commitment.setback_id == setback.id,
                Commitment.team_id == setback.team_id,
                col(Commitment.status).not_in(CLOSED_COMMITMENTS),
            )
        ).one()
    )


def claim_recap(s: Session, setback_id: int, now: datetime) -> bool:
    """Reserve the recap of a setback (at most one is ever posted)."""
    result = s.exec(
        update(Setback)
        .where(col(Setback.id) == setback_id, col(Setback.recap_posted_at).is_(None))
        .values(recap_posted_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


def unclaim_recap(s: Session, setback_id: int) -> None:
    """The recap post failed: let housekeeping try again."""
    s.exec(
        update(Setback)
        .where(col(Setback.id) == setback_id)
        .values(recap_posted_at=None)
        .execution_options(synchronize_session=False)
    )


# --- settings and replanning ---------------------------------------------------------------


def scheduled_of_member(s: Session, team_id: str, user_id: str) -> list[Checkin]:
    """A member's check-ins that are still to be sent and not in a dispatcher's hands."""
    return list(
        s.exec(
            select(Checkin)
            .where(
                Checkin.team_id == team_id,
                Checkin.user_id == user_id,
                Checkin.status == CheckinStatus.SCHEDULED,
            )
            .order_by(col(Checkin.commitment_id), col(Checkin.due_at), col(Checkin.id))
        )
    )


def next_due_of_member(s: Session, team_id: str, user_id: str) -> datetime | None:
    return s.exec(
        select(func.min(Checkin.due_at)).where(
            Checkin.team_id == team_id,
            Checkin.user_id == user_id,
            col(Checkin.status).in_(OPEN_CHECKINS),
        )
    ).one()


# --- housekeeping ----------------------------------------------------------------------------


# --- operators -------------------------------------------------------------------------------


def list_checkins(
    s: Session, now: datetime, *, due_only: bool = False, limit: int = 200
) -> list[Checkin]:
    """Check-ins for `setback checkins list`: not yet answered, soonest first."""
    query = select(Checkin)
    if due_only:
        query = query.where(
            or_(
                and_(col(Checkin.status) == CheckinStatus.SCHEDULED, col(Checkin.due_at) <= now),
                and_(col(Checkin.status) == CheckinStatus.CLAIMED, col(Checkin.lease_until) < now),
            )
        )
    else:
        listed = (*OPEN_CHECKINS, CheckinStatus.SENT, CheckinStatus.FAILED)
        query = query.where(col(Checkin.status).in_(listed))
    return list(s.exec(query.order_by(col(Checkin.due_at), col(Checkin.id)).limit(limit)))
