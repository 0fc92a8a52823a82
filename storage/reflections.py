"""Reflections: a setback, its answers, commitments and safety flags.

Every query that a person's action reaches is scoped by team and user in its WHERE
clause, so a payload naming someone else's setback finds nothing. The modal's screens
write through the prebuilt statements of `storage.drafts` instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, update
from sqlmodel import Session, col, select

from storage import checkins as checkin_store
from storage import drafts
from storage.models import (
    Checkin,
    CheckinStatus,
    Commitment,
    CommitmentStatus,
    Reflection,
    SafetyFlag,
    Setback,
    SetbackStatus,
)
from storage.rows import row_id


def get_owned_setback(
    s: Session, team_id: str, user_id: str, setback_id: int | None, *, lock: bool = False
) -> Setback | None:
    """The setback only if this team + user own it; None otherwise (no hint why).

    `lock` takes the row lock (FOR UPDATE on PostgreSQL; SQLite's writer lock already
    serialises), so two submissions of the same screen run one after the other and
    see each other's result instead of both finishing the reflection.
    """
    if setback_id is None:
        return None
    query = select(Setback).where(
        Setback.id == setback_id, Setback.team_id == team_id, Setback.user_id == user_id
    )
    return s.exec(query.with_for_update() if lock else query).first()


def list_setbacks(
    s: Session, team_id: str, user_id: str, statuses: Sequence[SetbackStatus], limit: int = 50
) -> list[Setback]:
    return list(
        s.exec(
            select(Setback)
            .where(
                Setback.team_id == team_id,
                Setback.user_id == user_id,
                col(Setback.status).in_(statuses),
            )
            .order_by(col(Setback.created_at).desc(), col(Setback.id).desc())
            .limit(limit)
        )
    )


def delete_setback(s: Session, setback: Setback) -> None:
    """Delete one setback and everything under it (children first, for every backend)."""
    for model in (Checkin, Commitment, Reflection):
        s.exec(delete(model).where(col(model.setback_id) == setback.id))
    s.delete(setback)
    s.flush()


def save_answers(
    s: Session, setback: Setback, step: int, answers: dict[str, Any], now: datetime
) -> None:
    """Insert or replace one step's answers (a re-submitted step overwrites itself)."""
    drafts.save(s.connection(), setback.team_id, row_id(setback), step, answers, now)


def load_answers(s: Session, setback: Setback) -> dict[int, dict[str, Any]]:
    """Every saved screen of a setback, by screen index, as stored."""
    return drafts.answers_of(s.connection(), setback.team_id, row_id(setback))


def answers_by_field(s: Session, setback: Setback) -> dict[str, Any]:
    """Every saved answer of a setback in one mapping by field name, the one shape its
    readers take, so none of them depends on which screen asked."""
    return by_field(load_answers(s, setback))


def by_field(steps: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    """Per-screen answers merged into one mapping by field name, in screen order.

    Field names are unique across screens, so nothing is lost; and because the merge is
    by name, a field moved to another screen reads the same for reflections saved
    before the move (were a name on two rows, the later screen's value wins).
    """
    merged: dict[str, Any] = {}
    for step in sorted(steps):
        merged.update(steps[step])
    return merged


def commitments_of(s: Session, setback: Setback) -> list[Commitment]:
    """A setback's commitments, in the order they were written."""
    setback_id = row_id(setback)
    return commitments_by_setback(s, setback.team_id, [setback_id]).get(setback_id, [])


def next_checkins(s: Session, setback: Setback) -> dict[int, datetime]:
    """Earliest scheduled check-in per commitment of a setback."""
    return next_checkins_by_commitment(s, setback.team_id, [row_id(setback)])


def commitments_by_setback(
    s: Session,
    team_id: str,
    setback_ids: Sequence[int],
    status: CommitmentStatus | None = None,
) -> dict[int, list[Commitment]]:
    """`commitments_of` for several setbacks of one workspace in one query (the Home
    lists a person's active setbacks together), optionally only those in ``status``."""
    if not setback_ids:
        return {}
    query = select(Commitment).where(
        Commitment.team_id == team_id,
        col(Commitment.setback_id).in_(list(setback_ids)),
    )
    if status is not None:
        query = query.where(Commitment.status == status)
    found: dict[int, list[Commitment]] = {}
    order = (col(Commitment.setback_id), col(Commitment.position), col(Commitment.id))
    for c in s.exec(query.order_by(*order)):
        found.setdefault(c.setback_id, []).append(c)
    return found


def next_checkins_by_commitment(
    s: Session, team_id: str, setback_ids: Sequence[int]
) -> dict[int, datetime]:
    """`next_checkins` for several setbacks of one workspace in one query: the earliest
    scheduled check-in per commitment."""
    if not setback_ids:
        return {}
    rows = s.exec(
        select(Checkin.commitment_id, func.min(col(Checkin.due_at)))
        .where(
            Checkin.team_id == team_id,
            col(Checkin.setback_id).in_(list(setback_ids)),
            Checkin.status == CheckinStatus.SCHEDULED,
        )
        .group_by(col(Checkin.commitment_id))
    )
    # The column is NOT NULL, so no group's minimum is None; the model types it optional.
    return {cid: due for cid, due in rows if due is not None}


def add_safety_flag(s: Session | Connection, team_id: str, user_id: str, now: datetime) -> None:
    """Only a flag and a time: the words that triggered it are never stored here."""
    values = {"team_id": team_id, "user_id": user_id, "flagged_at": now}
    s.execute(insert(SafetyFlag.__table__), values)


def set_setback_thread(s: Session, setback_id: int, channel: str, ts: str) -> None:
    s.exec(
        update(Setback)
        .where(col(Setback.id) == setback_id)
        .values(dm_channel=channel, thread_ts=ts)
    )


def archive_setback(s: Session, setback: Setback, now: datetime) -> list[Checkin]:
    """Archive: open commitments close as cancelled, and so does every check-in not yet
    answered — scheduled, claimed by a dispatcher (which re-checks its lease just before
    posting), or sent and still waiting. Returns the sent ones, so the caller can take
    the buttons off their messages once this is committed (`bot.checkins.answers.rerender`)."""
    setback.status = SetbackStatus.ARCHIVED
    setback.updated_at = now
    waiting = checkin_store.cancel_setback_plan(s, setback)
    s.exec(
        update(Commitment)
        .where(
            col(Commitment.setback_id) == setback.id,
            col(Commitment.team_id) == setback.team_id,
            col(Commitment.status) == CommitmentStatus.ACTIVE,
        )
        .values(status=CommitmentStatus.CANCELLED, closed_at=now)
    )
    s.flush()
    return waiting
