"""Replanning stored check-ins after a settings change, on SQLite and PostgreSQL: only
this member's rows still to be scheduled move, each plan keeps its order, and the new
times are working time in the member's own zone across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.checkins.planning import is_working_time
from bot.core.runtime import Runtime
from bot.members.settings import replan_member
from bot.members.zone import working_hours
from sandbox.workspace import Workspace
from storage import checkins as store
from storage.db import session_scope
from storage.models import Checkin, Member
from tests.scheduler.conftest import NOW, rows, seed

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY).astimezone(UTC)


def change(rt: Runtime, user: str, now: datetime, **values: object) -> int:
    with session_scope(rt.engine) as s:
        member = s.exec(select(Member).where(Member.user_id == user)).one()
        for name, value in values.items():
            setattr(member, name, value)
        return replan_member(s, member, now)


def test_new_hours_move_a_plan_across_the_dst_change_and_keep_its_order(
    rt: Runtime, ws: Workspace
) -> None:
    # Planned 16:00 New York, either side of the end of DST (1 Nov 2026).
    start = datetime(2026, 10, 28, 12, 0, tzinfo=UTC)
    due = [ny(2026, 10, 29, 16, 0), ny(2026, 11, 2, 16, 0), ny(2026, 11, 30, 16, 0)]
    seeded = seed(rt, ws, tz="America/New_York", due=due)
    moved = change(rt, seeded.user_id, start, work_start_min=10 * 60, work_end_min=12 * 60)
    assert moved == 3
    after = [rows(rt)[c].due_at for c in seeded.checkin_ids]
    # 16:00 is past the new window: the next morning at 10:00 local, EDT then EST.
    assert after == [ny(2026, 10, 30, 10, 0), ny(2026, 11, 3, 10, 0), ny(2026, 12, 1, 10, 0)]
    assert after[0].hour == 14 and after[1].hour == 15  # UTC hour shifts with DST
    assert after == sorted(after)
    with session_scope(rt.engine, readonly=True) as s:
        member = s.exec(select(Member).where(Member.user_id == seeded.user_id)).one()
        hours = working_hours(member)
    assert all(is_working_time(t, hours) for t in after)


def test_times_already_inside_the_new_window_stay(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws, due=[NOW + timedelta(days=1), NOW + timedelta(days=7)])
    assert change(rt, seeded.user_id, NOW, work_start_min=8 * 60) == 0
    assert [rows(rt)[c].due_at for c in seeded.checkin_ids] == [
        NOW + timedelta(days=1),
        NOW + timedelta(days=7),
    ]


def test_a_due_time_in_the_past_moves_to_the_next_working_time(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws, due=[NOW - timedelta(days=2)])
    evening = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    change(rt, seeded.user_id, evening, work_end_min=18 * 60 + 30)
    assert rows(rt)[seeded.checkin_ids[0]].due_at == evening  # London 18:00 < 18:30


def test_a_pause_spreads_a_plan_instead_of_releasing_a_burst(rt: Runtime, ws: Workspace) -> None:
    due = [NOW + timedelta(days=d) for d in (1, 7, 30)]
    seeded = seed(rt, ws, due=due)
    until = datetime(2027, 1, 11, 0, 0, tzinfo=UTC)  # a Monday, after all three
    change(rt, seeded.user_id, NOW, paused_until=until)
    after = [rows(rt)[c].due_at for c in seeded.checkin_ids]
    assert after == [
        datetime(2027, 1, 11, 9, 0, tzinfo=UTC),
        datetime(2027, 1, 12, 9, 0, tzinfo=UTC),
        datetime(2027, 1, 13, 9, 0, tzinfo=UTC),
    ]


def test_only_this_members_scheduled_rows_move(rt: Runtime, ws: Workspace) -> None:
    mine = seed(rt, ws, "U0ME", due=[NOW + timedelta(days=1, hours=5)] * 3)
    theirs = seed(rt, ws, "U0YOU", due=[NOW + timedelta(days=1, hours=5)])
    sent, first, second = mine.checkin_ids
    with session_scope(rt.engine) as s:
        s.get(Checkin, sent).status = "sent"  # type: ignore[union-attr]  # why: the seeded row exists
        s.get(Checkin, theirs.checkin_ids[0]).due_at = NOW + timedelta(days=3)  # type: ignore[union-attr]  # why: the seeded row exists
    with session_scope(rt.engine) as s:  # a dispatcher holds one of the two open rows
        [held] = store.claim_due(s, NOW + timedelta(days=2), "w1", NOW + timedelta(days=3), 1)
    waiting = second if held == first else first
    before = rows(rt)
    change(rt, "U0ME", NOW, work_start_min=16 * 60, work_end_min=17 * 60)
    after = rows(rt)
    for cid in (sent, held, theirs.checkin_ids[0]):
        assert after[cid].due_at == before[cid].due_at
    assert after[waiting].due_at == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
