"""Repository functions: every query is scoped by team (and by user where a person owns
the row), so a listener can never reach another workspace's or person's data by id."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, delete, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage import checkins as checkin_store
from storage import drafts
from storage.models import (
    Checkin,
    Commitment,
    Member,
    ProcessedEvent,
    Reflection,
    SafetyFlag,
    Setback,
    Share,
)

# --- members -------------------------------------------------------------------------


def get_member(s: Session, team_id: str, user_id: str) -> Member | None:
    return s.exec(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    ).first()


def zone_checked_at(conn: Connection, team_id: str, user_id: str) -> datetime | None:
    """When the member's time zone was last read from Slack; None when never, or when
    there is no member yet (both mean: read it now). A Core read on a plain connection,
    as every `/setback` asks it."""
    params = {"p_team_id": team_id, "p_user_id": user_id}
    return conn.execute(_zone_checked_statement(), params).scalar()


def member_for_planning(conn: Connection, team_id: str, user_id: str, now: datetime) -> Member:
    """`ensure_member` for a Core transaction (finishing a reflection): the member's row,
    created with the defaults on first use, as a detached `Member` to read hours from."""
    t = Member.__table__  # type: ignore[attr-defined]
    params = {"p_team_id": team_id, "p_user_id": user_id}
    row = conn.execute(_member_statement(), params).first()
    if row is None:
        try:
            with conn.begin_nested():  # a concurrent first request may insert it first
                conn.execute(
                    insert(t),
                    {"team_id": team_id, "user_id": user_id, "created_at": now, "updated_at": now},
                )
        except IntegrityError:
            pass
        row = conn.execute(_member_statement(), params).one()
    return Member(**row._mapping)


@functools.cache
def _member_statement() -> Select:  # type: ignore[type-arg]
    t = Member.__table__  # type: ignore[attr-defined]
    return select(t).where(
        t.c.team_id == bindparam("p_team_id"), t.c.user_id == bindparam("p_user_id")
    )


@functools.cache
def _zone_checked_statement() -> Select:  # type: ignore[type-arg]
    t = Member.__table__  # type: ignore[attr-defined]
    return select(t.c.tz_checked_at).where(
        t.c.team_id == bindparam("p_team_id"), t.c.user_id == bindparam("p_user_id")
    )


def ensure_member(s: Session, team_id: str, user_id: str, now: datetime) -> Member:
    """The member row, created with defaults (09:00–17:00, Monday–Friday) on first use."""
    member = get_member(s, team_id, user_id)
    if member is not None:
        return member
    try:
        with s.begin_nested():  # two first requests at once: the loser reads the winner's row
            member = Member(team_id=team_id, user_id=user_id, created_at=now, updated_at=now)
            s.add(member)
    except IntegrityError:
        member = get_member(s, team_id, user_id)
        assert member is not None
    return member


# --- setbacks --------------------------------------------------------------------------


def create_setback(
    s: Session, team_id: str, user_id: str, now: datetime, enterprise_id: str | None = None
) -> Setback:
    setback = Setback(
        team_id=team_id,
        enterprise_id=enterprise_id,
        user_id=user_id,
        status="draft",
        current_step=0,
        created_at=now,
        updated_at=now,
    )
    s.add(setback)
    s.flush()
    return setback


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
    s: Session, team_id: str, user_id: str, statuses: Sequence[str], limit: int = 50
) -> list[Setback]:
    return list(
        s.exec(
            select(Setback)
            .where(
                Setback.team_id == team_id,
                Setback.user_id == user_id,
                Setback.status.in_(statuses),  # type: ignore[attr-defined]
            )
            .order_by(Setback.created_at.desc(), Setback.id.desc())  # type: ignore[union-attr]
            .limit(limit)
        )
    )


def delete_setback(s: Session, setback: Setback) -> None:
    """Delete one setback and everything under it (children first, for every backend)."""
    for model in (Checkin, Commitment, Reflection):
        s.exec(delete(model).where(model.setback_id == setback.id))  # type: ignore[call-overload]
    s.delete(setback)
    s.flush()


# --- reflections -----------------------------------------------------------------------


def save_answers(
    s: Session, setback: Setback, step: int, answers: dict[str, Any], now: datetime
) -> None:
    """Insert or replace one step's answers (a re-submitted step overwrites itself)."""
    drafts.save(s.connection(), setback.team_id, setback.id, step, answers, now)  # type: ignore[arg-type]


def load_step(s: Session, setback: Setback, step: int) -> dict[str, Any] | None:
    """One step's saved answers (None when that screen was never saved)."""
    return drafts.load(s.connection(), setback.team_id, setback.id, step)  # type: ignore[arg-type]


def load_answers(s: Session, setback: Setback) -> dict[int, dict[str, Any]]:
    """Every saved screen of a setback, by screen index."""
    return drafts.answers_of(s.connection(), setback.team_id, setback.id)  # type: ignore[arg-type]


# --- commitments and check-ins ---------------------------------------------------------


def add_commitment(s: Session, commitment: Commitment, checkins: Iterable[Checkin]) -> Commitment:
    s.add(commitment)
    s.flush()
    for c in checkins:
        c.commitment_id = commitment.id  # type: ignore[assignment]
        s.add(c)
    s.flush()
    return commitment


def commitments_of(s: Session, setback: Setback) -> list[Commitment]:
    """A setback's commitments, in the order they were written."""
    return commitments_by_setback(s, setback.team_id, [setback.id]).get(setback.id, [])  # type: ignore[list-item, arg-type]


def next_checkins(s: Session, setback: Setback) -> dict[int, datetime]:
    """Earliest scheduled check-in per commitment of a setback."""
    return next_checkins_by_commitment(s, setback.team_id, [setback.id])  # type: ignore[list-item]


def commitments_by_setback(
    s: Session, team_id: str, setback_ids: Sequence[int], status: str | None = None
) -> dict[int, list[Commitment]]:
    """`commitments_of` for several setbacks of one workspace in one query (the Home
    lists a person's active setbacks together), optionally only those in ``status``."""
    if not setback_ids:
        return {}
    query = select(Commitment).where(
        Commitment.team_id == team_id,
        Commitment.setback_id.in_(list(setback_ids)),  # type: ignore[attr-defined]
    )
    if status is not None:
        query = query.where(Commitment.status == status)
    found: dict[int, list[Commitment]] = {}
    for c in s.exec(query.order_by(Commitment.setback_id, Commitment.position, Commitment.id)):
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
        select(Checkin.commitment_id, func.min(Checkin.due_at))
        .where(
            Checkin.team_id == team_id,
            Checkin.setback_id.in_(list(setback_ids)),  # type: ignore[attr-defined]
            Checkin.status == "scheduled",
        )
        .group_by(Checkin.commitment_id)
    )
    return {cid: due for cid, due in rows}


# --- safety and events -----------------------------------------------------------------


def add_safety_flag(s: Session | Connection, team_id: str, user_id: str, now: datetime) -> None:
    """Only a flag and a time: the words that triggered it are never stored here."""
    values = {"team_id": team_id, "user_id": user_id, "flagged_at": now}
    s.execute(insert(SafetyFlag.__table__), values)  # type: ignore[attr-defined]


def mark_event_processed(s: Session, event_id: str, team_id: str, now: datetime) -> bool:
    """Record an event id; False when it was already there (a retried delivery)."""
    if s.get(ProcessedEvent, event_id) is not None:
        return False
    s.add(ProcessedEvent(event_id=event_id, team_id=team_id, received_at=now))
    s.flush()
    return True


def set_setback_thread(s: Session, setback_id: int, channel: str, ts: str) -> None:
    s.exec(
        update(Setback)  # type: ignore[call-overload]
        .where(Setback.id == setback_id)
        .values(dm_channel=channel, thread_ts=ts)
    )


# --- shares (blameless retro posts) ----------------------------------------------------


def get_owned_share(s: Session, team_id: str, user_id: str, share_id: int | None) -> Share | None:
    """The share only if this team + user own it; None otherwise (no hint why)."""
    if share_id is None:
        return None
    return s.exec(
        select(Share).where(
            Share.id == share_id, Share.team_id == team_id, Share.user_id == user_id
        )
    ).first()


def claim_share(
    s: Session,
    team_id: str,
    user_id: str,
    share_id: int,
    from_statuses: Sequence[str],
    to_status: str,
    now: datetime,
) -> bool:
    """Move an owned share between statuses in one UPDATE; False when another request
    got there first (a double-clicked Post) or the row is not this person's."""
    result = s.exec(
        update(Share)  # type: ignore[call-overload]
        .where(
            Share.id == share_id,
            Share.team_id == team_id,
            Share.user_id == user_id,
            Share.status.in_(list(from_statuses)),  # type: ignore[attr-defined]
        )
        .values(status=to_status, updated_at=now)
    )
    return bool(result.rowcount == 1)


def shares_of_setback(s: Session, setback: Setback, statuses: Sequence[str]) -> list[Share]:
    return list(
        s.exec(
            select(Share)
            .where(
                Share.setback_id == setback.id,
                Share.team_id == setback.team_id,
                Share.user_id == setback.user_id,
                Share.status.in_(list(statuses)),  # type: ignore[attr-defined]
            )
            .order_by(Share.id)
        )
    )


# --- journal: what the Home tab and the export read ------------------------------------


def _owned(model: Any, team_id: str, user_id: str) -> Any:
    return select(model).where(model.team_id == team_id, model.user_id == user_id)


def setback_counts(s: Session, team_id: str, user_id: str) -> dict[str, int]:
    """How many setbacks this person has in each status, in one query (the Home shows
    several of these counts on every refresh)."""
    rows = s.exec(
        select(Setback.status, func.count())
        .where(Setback.team_id == team_id, Setback.user_id == user_id)
        .group_by(Setback.status)
    )
    return {str(status): int(n) for status, n in rows}


def setback_titles(
    s: Session, team_id: str, user_id: str, setback_ids: Sequence[int]
) -> dict[int, str | None]:
    """Titles of this person's setbacks among `setback_ids`, in one query; ids that are
    not theirs are simply absent."""
    if not setback_ids:
        return {}
    rows = s.exec(
        select(Setback.id, Setback.title).where(
            Setback.team_id == team_id,
            Setback.user_id == user_id,
            Setback.id.in_(list(setback_ids)),  # type: ignore[union-attr]
        )
    )
    return {int(sid): title for sid, title in rows}


def active_setbacks(s: Session, team_id: str, user_id: str, limit: int) -> list[Setback]:
    """Finished setbacks that still have an open commitment, newest first."""
    open_ids = select(Commitment.setback_id).where(
        Commitment.team_id == team_id,
        Commitment.user_id == user_id,
        Commitment.status == "active",
    )
    return list(
        s.exec(
            _owned(Setback, team_id, user_id)
            .where(Setback.status == "complete", Setback.id.in_(open_ids))  # type: ignore[union-attr]
            .order_by(Setback.completed_at.desc(), Setback.id.desc())  # type: ignore[union-attr]
            .limit(limit)
        )
    )


def past_setbacks(
    s: Session, team_id: str, user_id: str, exclude: Sequence[int], offset: int, limit: int
) -> list[Setback]:
    """Finished and archived setbacks, newest first, one page (`exclude`: shown elsewhere)."""
    query = _owned(Setback, team_id, user_id).where(
        Setback.status.in_(("complete", "archived"))  # type: ignore[attr-defined]
    )
    if exclude:
        query = query.where(Setback.id.not_in(list(exclude)))  # type: ignore[union-attr]
    query = query.order_by(Setback.created_at.desc(), Setback.id.desc())  # type: ignore[union-attr]
    return list(s.exec(query.offset(offset).limit(limit)))


def lessons_of(
    s: Session, team_id: str, user_id: str, limit: int
) -> list[tuple[Setback, dict[str, Any]]]:
    """The growth screen's answers of the latest finished setbacks (for their lessons)."""
    setbacks = list(
        s.exec(
            _owned(Setback, team_id, user_id)
            .where(Setback.status.in_(("complete", "archived")))  # type: ignore[attr-defined]
            .order_by(Setback.created_at.desc(), Setback.id.desc())  # type: ignore[union-attr]
            .limit(limit)
        )
    )
    by_id = {sb.id: sb for sb in setbacks}
    rows = s.exec(
        select(Reflection).where(
            Reflection.team_id == team_id,
            Reflection.setback_id.in_(list(by_id)),  # type: ignore[attr-defined]
            Reflection.step == 5,
        )
    )
    answers = {r.setback_id: dict(r.answers or {}) for r in rows}
    return [(sb, answers.get(sb.id, {})) for sb in setbacks]  # type: ignore[arg-type]


def posted_shares(s: Session, team_id: str, user_id: str, limit: int) -> list[Share]:
    """Shared summaries still in their channel, newest first."""
    return list(
        s.exec(
            _owned(Share, team_id, user_id)
            .where(Share.status == "posted")
            .order_by(Share.posted_at.desc(), Share.id.desc())  # type: ignore[union-attr]
            .limit(limit)
        )
    )


def archive_setback(s: Session, setback: Setback, now: datetime) -> list[Checkin]:
    """Archive: open commitments close as cancelled, and so does every check-in not yet
    answered — scheduled, claimed by a dispatcher (which re-checks its lease just before
    posting), or sent and still waiting. Returns the sent ones, so the caller can take
    the buttons off their messages once this is committed (`bot.checkins.rerender`)."""
    setback.status = "archived"
    setback.updated_at = now
    waiting = checkin_store.cancel_setback_plan(s, setback)
    s.exec(
        update(Commitment)  # type: ignore[call-overload]
        .where(
            Commitment.setback_id == setback.id,
            Commitment.team_id == setback.team_id,
            Commitment.status == "active",
        )
        .values(status="cancelled", closed_at=now)
    )
    s.flush()
    return waiting


def rows_of_person(s: Session, model: Any, team_id: str, user_id: str) -> list[Any]:
    """Every row of a user-scoped table for one person, oldest first (for the export)."""
    return list(s.exec(_owned(model, team_id, user_id).order_by(model.id)))


def rows_of_setback(s: Session, model: Any, setback: Setback) -> list[Any]:
    """Every row of a child table for one setback, in id order (for the export)."""
    return list(
        s.exec(
            select(model)
            .where(model.setback_id == setback.id, model.team_id == setback.team_id)
            .order_by(model.id)
        )
    )
