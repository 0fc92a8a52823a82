"""A reflection draft's per-screen writes and reads, as statements built once.

Every Next of the modal runs these inside Slack's 3-second window and, on SQLite, inside
the one-writer lock, so they skip the ORM: building a statement (and the unit of work's
bookkeeping) costs several times more CPU than running it. Each statement is built once
with bound parameters, so SQLAlchemy's compiled cache finds it without deriving a key.

Ownership is part of every statement: `advance` names the team, the user and the draft
status in its WHERE, so a payload naming someone else's setback changes nothing and
answers "gone", and on PostgreSQL the UPDATE's row lock makes two submissions of the
same screen run one after the other.

Encryption stays out of the write transaction: the answers and titles bound here are
sealed in Python before the statement runs (a caller on the request path seals them
before it takes the writer lock, `storage.types.Sealed`), and the request path reads a
screen's answers back as the sealed token (`claim_screen`, `peek`) to open them after the
lock is released. The tokens are the ones the column types write and read, so every other
reader, and key rotation, sees the same ciphertext.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Insert,
    Select,
    Text,
    TextClause,
    Update,
    bindparam,
    insert,
    select,
    text,
    type_coerce,
    update,
)

from storage.models import Checkin, Commitment, Reflection, Setback, SetbackStatus
from storage.types import Sealed, open_json, seal_json, seal_text

_SETBACK = Setback.__table__
_REFLECTION = Reflection.__table__


def create(
    conn: Connection,
    team_id: str,
    user_id: str,
    enterprise_id: str | None,
    current_step: int,
    title: str | Sealed | None,
    now: datetime,
    *,
    hold: bool = False,
) -> int:
    """A new draft owned by this team + user (on safety hold when crisis language was
    met on its first screen); its id."""
    params = {
        "p_team_id": team_id,
        "p_user_id": user_id,
        "p_enterprise_id": enterprise_id,
        "p_current_step": current_step,
        "p_title": _title_token(title),
        "p_hold": hold,
        "p_now": now,
    }
    return int(conn.execute(_create_statement(), params).scalar_one())


def advance(
    conn: Connection,
    team_id: str,
    user_id: str,
    setback_id: int,
    current_step: int,
    now: datetime,
    *,
    title: str | Sealed | None = None,
    hold: bool = False,
) -> bool:
    """Move this person's draft to `current_step` (and retitle it, or put it on safety
    hold); False when no draft of theirs has that id, which the caller answers "gone"."""
    params: dict[str, Any] = {
        "p_id": setback_id,
        "p_team_id": team_id,
        "p_user_id": user_id,
        "p_current_step": current_step,
        "p_now": now,
    }
    if title is not None:
        params["p_title"] = _title_token(title)
    found = conn.execute(_advance_statement(title is not None, hold, False), params).first()
    return found is not None


def claim_screen(
    conn: Connection,
    team_id: str,
    user_id: str,
    setback_id: int,
    step: int,
    now: datetime,
    *,
    title: str | Sealed | None = None,
    hold: bool = False,
) -> tuple[bool, Sealed | None]:
    """`advance` to `step` and read that screen's saved answers in the same statement
    (the UPDATE's RETURNING holds a subquery of the screen): one round trip instead of two
    inside the write transaction, for the Next of every screen. The answers come back
    sealed, for the caller to open (`opened`) once the writer lock is released; None when
    the screen was never saved or the draft is not theirs."""
    params: dict[str, Any] = {
        "p_id": setback_id,
        "p_team_id": team_id,
        "p_user_id": user_id,
        "p_current_step": step,
        "p_now": now,
        "p_setback_id": setback_id,
        "p_step": step,
    }
    if title is not None:
        params["p_title"] = _title_token(title)
    row = conn.execute(_advance_statement(title is not None, hold, True), params).first()
    if row is None:
        return False, None
    return True, Sealed(row[1]) if row[1] is not None else None


def opened(sealed: Sealed | None) -> dict[str, Any] | None:
    """A screen's answers read sealed (`claim_screen`, `peek`), decrypted."""
    return None if sealed is None else dict(open_json(sealed.token))


def save(
    conn: Connection,
    team_id: str,
    setback_id: int,
    step: int,
    answers: Any,
    now: datetime,
) -> None:
    """Insert or replace one screen's answers (a re-submitted screen overwrites itself).
    `answers` sealed beforehand (`storage.types.seal_json`) are bound as they are; any
    other value is sealed here."""
    sealed = answers if isinstance(answers, Sealed) else seal_json(answers)
    params = {
        "p_team_id": team_id,
        "p_setback_id": setback_id,
        "p_step": step,
        "p_answers": sealed.token,
        "p_now": now,
    }
    conn.execute(_save_statement(), params)


def peek(conn: Connection, team_id: str, setback_id: int, step: int) -> Sealed | None:
    """One screen's saved answers, sealed (`load` opens them at once)."""
    params = {"p_team_id": team_id, "p_setback_id": setback_id, "p_step": step}
    token = conn.execute(_peek_statement(), params).scalar()
    return None if token is None else Sealed(token)


def load(conn: Connection, team_id: str, setback_id: int, step: int) -> dict[str, Any] | None:
    """One screen's saved answers (None when that screen was never saved)."""
    params = {"p_team_id": team_id, "p_setback_id": setback_id, "p_step": step}
    answers = conn.execute(_load_statement(), params).scalar()
    return dict(answers) if answers is not None else None


def answers_of(conn: Connection, team_id: str, setback_id: int) -> dict[int, dict[str, Any]]:
    """Every saved screen of a draft, by screen index (what finishing plans from)."""
    params = {"p_team_id": team_id, "p_setback_id": setback_id}
    return {int(step): dict(a or {}) for step, a in conn.execute(_answers_statement(), params)}


def add_commitment(conn: Connection, values: dict[str, Any], checkins: list[dict[str, Any]]) -> int:
    """Insert one commitment (column values) and its check-ins (each without the
    commitment id, which is filled in here); the commitment's id."""
    cid = int(conn.execute(_commitment_insert(), values).scalar_one())
    if checkins:
        conn.execute(_checkin_insert(), [{**c, "commitment_id": cid} for c in checkins])
    return cid


def complete(conn: Connection, setback_id: int, now: datetime) -> tuple[str | None, bool, int]:
    """Mark a draft finished (the caller claimed it with `advance` in this transaction);
    its title and whether it is on safety hold, which its summary DM shows, and the
    number of the summary DM's attempt counted here.

    The summary DM is posted right after the modal closes, so its first attempt is
    counted by the same statement that finishes the reflection (`storage.summary_posts`
    counts the later ones): one write fewer per reflection, and a crash before the post
    still leaves the count that makes housekeeping look for the message before it posts.
    """
    row = conn.execute(_complete_statement(), {"p_id": setback_id, "p_now": now}).one()
    return row[0], bool(row[1]), int(row[2])


def latest(conn: Connection, team_id: str, user_id: str) -> tuple[int, str | None, int] | None:
    """This person's most recently touched draft as (id, title, screen), or None: what
    `/setback` offers to resume."""
    params = {"p_team_id": team_id, "p_user_id": user_id}
    row = conn.execute(_latest_statement(), params).first()
    return (int(row[0]), row[1], int(row[2])) if row is not None else None


def _title_token(title: str | Sealed | None) -> str | None:
    """A title as its stored token (sealed here unless the caller sealed it)."""
    if title is None or isinstance(title, Sealed):
        return None if title is None else title.token
    return seal_text(title).token


@functools.cache
def _create_statement() -> Insert:
    t = _SETBACK
    return (
        insert(t)
        .values(
            team_id=bindparam("p_team_id"),
            enterprise_id=bindparam("p_enterprise_id"),
            user_id=bindparam("p_user_id"),
            status=SetbackStatus.DRAFT,
            current_step=bindparam("p_current_step"),
            title=bindparam("p_title", type_=Text()),  # sealed beforehand
            summary_attempts=0,
            safety_hold=bindparam("p_hold", type_=t.c.safety_hold.type),
            created_at=bindparam("p_now", type_=t.c.created_at.type),
            updated_at=bindparam("p_now", type_=t.c.updated_at.type),
        )
        .returning(t.c.id)
    )


@functools.cache
def _advance_statement(retitle: bool, hold: bool, peek: bool) -> Update:
    t = _SETBACK
    values: dict[str, Any] = {
        "current_step": bindparam("p_current_step"),
        "updated_at": bindparam("p_now", type_=t.c.updated_at.type),
    }
    if retitle:
        values["title"] = bindparam("p_title", type_=Text())  # sealed beforehand
    if hold:
        values["safety_hold"] = True
    return (
        update(t)
        .where(
            t.c.id == bindparam("p_id"),
            t.c.team_id == bindparam("p_team_id"),
            t.c.user_id == bindparam("p_user_id"),
            t.c.status == SetbackStatus.DRAFT,
        )
        .values(**values)
        .returning(t.c.id, *([_peek_statement().scalar_subquery()] if peek else []))
    )


@functools.cache
def _save_statement() -> TextClause:
    # Written out because SQLAlchemy's dialect upserts are never cached (each run would
    # compile again); this text reads the same on SQLite and PostgreSQL. The answers are
    # bound already sealed (`save`); the typed time parameter keeps it in UTC.
    t = _REFLECTION
    return text(
        "INSERT INTO reflection (team_id, setback_id, step, answers, updated_at) "
        "VALUES (:p_team_id, :p_setback_id, :p_step, :p_answers, :p_now) "
        "ON CONFLICT (setback_id, step) "
        "DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at"
    ).bindparams(
        bindparam("p_answers", type_=Text()),
        bindparam("p_now", type_=t.c.updated_at.type),
    )


@functools.cache
def _load_statement() -> Select[tuple[Any]]:
    t = _REFLECTION
    return select(t.c.answers).where(
        t.c.setback_id == bindparam("p_setback_id"),
        t.c.team_id == bindparam("p_team_id"),
        t.c.step == bindparam("p_step"),
    )


@functools.cache
def _peek_statement() -> Select[tuple[Any]]:
    # The answers selected as the plain text they are stored as: opened by the caller.
    t = _REFLECTION
    return select(type_coerce(t.c.answers, Text())).where(
        t.c.setback_id == bindparam("p_setback_id"),
        t.c.team_id == bindparam("p_team_id"),
        t.c.step == bindparam("p_step"),
    )


@functools.cache
def _latest_statement() -> Select[tuple[Any, Any, Any]]:
    t = _SETBACK
    return (
        select(t.c.id, t.c.title, t.c.current_step)
        .where(
            t.c.team_id == bindparam("p_team_id"),
            t.c.user_id == bindparam("p_user_id"),
            t.c.status == SetbackStatus.DRAFT,
        )
        .order_by(t.c.updated_at.desc(), t.c.id.desc())
        .limit(1)
    )


@functools.cache
def _answers_statement() -> Select[tuple[Any, Any]]:
    t = _REFLECTION
    return select(t.c.step, t.c.answers).where(
        t.c.setback_id == bindparam("p_setback_id"), t.c.team_id == bindparam("p_team_id")
    )


@functools.cache
def _commitment_insert() -> Insert:
    t = Commitment.__table__
    return insert(t).returning(t.c.id)


@functools.cache
def _checkin_insert() -> Insert:
    return insert(Checkin.__table__)


@functools.cache
def _complete_statement() -> Update:
    t = _SETBACK
    now = bindparam("p_now", type_=t.c.updated_at.type)
    return (
        update(t)
        .where(t.c.id == bindparam("p_id"), t.c.status == SetbackStatus.DRAFT)
        .values(
            status=SetbackStatus.COMPLETE,
            completed_at=now,
            updated_at=now,
            summary_attempts=t.c.summary_attempts + 1,
        )
        .returning(t.c.title, t.c.safety_hold, t.c.summary_attempts)
    )
