"""The summary DM's bookkeeping on its setback, as statements built once (as in
`storage.drafts`): counting an attempt to post it, and recording its thread once posted.

Every finished reflection runs both right after the modal closes, and on SQLite inside
the one writer lock the modal's screens queue on, so each is one prebuilt statement
instead of a unit of work of the ORM. Both name the team (and the first the user).
"""

from __future__ import annotations

import functools

from sqlalchemy import Connection, Update, bindparam, update

from storage.models import Setback, SetbackStatus

_SETBACK = Setback.__table__


def count_attempt(conn: Connection, team_id: str, user_id: str, setback_id: int) -> int | None:
    """Count one more attempt at posting the summary of this person's finished setback;
    the attempt's number, or None when they own no such setback still without a thread
    (a draft, deleted, or posted meanwhile)."""
    params = {"p_id": setback_id, "p_team_id": team_id, "p_user_id": user_id}
    found = conn.execute(_count_statement(), params).scalar()
    return int(found) if found is not None else None


def record_thread(conn: Connection, team_id: str, setback_id: int, channel: str, ts: str) -> bool:
    """The summary is posted: its message starts the setback's thread. False when the
    setback is gone (erased while the message was on its way)."""
    params = {"p_id": setback_id, "p_team_id": team_id, "p_channel": channel, "p_ts": ts}
    return conn.execute(_thread_statement(), params).rowcount == 1


@functools.cache
def _count_statement() -> Update:
    t = _SETBACK
    return (
        update(t)
        .where(
            t.c.id == bindparam("p_id"),
            t.c.team_id == bindparam("p_team_id"),
            t.c.user_id == bindparam("p_user_id"),
            t.c.status != SetbackStatus.DRAFT,
            t.c.thread_ts.is_(None),
        )
        .values(summary_attempts=t.c.summary_attempts + 1)
        .returning(t.c.summary_attempts)
    )


@functools.cache
def _thread_statement() -> Update:
    t = _SETBACK
    return (
        update(t)
        .where(t.c.id == bindparam("p_id"), t.c.team_id == bindparam("p_team_id"))
        .values(dm_channel=bindparam("p_channel"), thread_ts=bindparam("p_ts"))
    )
