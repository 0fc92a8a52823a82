"""Members: a person's row per workspace (time zone, working hours, pause).

Every query is scoped by team and user, so a listener can never reach another
workspace's or person's row by id.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, insert
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import (
    Member,
)


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
    t = Member.__table__
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
def _member_statement() -> Select[Any]:
    t = Member.__table__
    return core_select(t).where(
        t.c.team_id == bindparam("p_team_id"), t.c.user_id == bindparam("p_user_id")
    )


@functools.cache
def _zone_checked_statement() -> Select[tuple[Any]]:
    t = Member.__table__
    return core_select(t.c.tz_checked_at).where(
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
