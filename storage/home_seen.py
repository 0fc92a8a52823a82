"""When each person last opened their App Home (`storage.models.HomeSeen`).

Two statements, each built once: the upsert run when a Home is opened, and the read run
before a change republishes it. Both name the team and the user; the row holds a time
and nothing else, and goes with the person when they are erased (`storage.erase`).
"""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Connection, Select, TextClause, bindparam, select, text

from storage.models import HomeSeen

_HOME_SEEN = HomeSeen.__table__


def mark_seen(conn: Connection, team_id: str, user_id: str, now: datetime) -> None:
    """Record that this person has their Home open now."""
    conn.execute(_mark_statement(), {"p_team_id": team_id, "p_user_id": user_id, "p_now": now})


def seen_at(conn: Connection, team_id: str, user_id: str) -> datetime | None:
    """When this person last opened their Home (None: never, or not since being erased)."""
    found = conn.execute(_seen_statement(), {"p_team_id": team_id, "p_user_id": user_id})
    value: datetime | None = found.scalar()
    return value


@functools.cache
def _mark_statement() -> TextClause:
    # Written out as in `storage.drafts`: the same text on SQLite and PostgreSQL, cached.
    return text(
        "INSERT INTO home_seen (team_id, user_id, seen_at) VALUES (:p_team_id, :p_user_id, :p_now) "
        "ON CONFLICT (team_id, user_id) DO UPDATE SET seen_at = excluded.seen_at"
    ).bindparams(bindparam("p_now", type_=_HOME_SEEN.c.seen_at.type))


@functools.cache
def _seen_statement() -> Select[tuple[datetime | None]]:
    t = _HOME_SEEN
    return select(t.c.seen_at).where(
        t.c.team_id == bindparam("p_team_id"), t.c.user_id == bindparam("p_user_id")
    )
