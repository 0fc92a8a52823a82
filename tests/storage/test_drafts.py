"""The draft's prebuilt statements on SQLite and PostgreSQL: ownership in every write,
answers replaced in place and encrypted, the latest draft, the member's zone check."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlmodel import select

from storage import drafts
from storage import members as member_store
from storage.db import read_connection, session_scope
from storage.models import Member, Reflection, Setback

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SECRET = "the release notes said zebra-canary-77"


def _new(engine, team: str = "T1", user: str = "U1", at: datetime = NOW) -> int:
    with engine.begin() as conn:
        return drafts.create(conn, team, user, None, 1, SECRET, at)


def test_create_then_advance_moves_only_the_owners_draft(engine) -> None:
    sid = _new(engine)
    with engine.begin() as conn:
        assert not drafts.advance(conn, "T1", "U2", sid, 4, NOW)  # another person
        assert not drafts.advance(conn, "T2", "U1", sid, 4, NOW)  # another workspace
        assert not drafts.advance(conn, "T1", "U1", sid + 1, 4, NOW)  # no such draft
    with session_scope(engine, readonly=True) as s:
        sb = s.get(Setback, sid)
        assert (sb.status, sb.current_step, sb.title, sb.safety_hold) == (
            "draft",
            1,
            SECRET,
            False,
        )
    later = NOW + timedelta(minutes=5)
    with engine.begin() as conn:
        assert drafts.advance(conn, "T1", "U1", sid, 3, later, title="New title", hold=True)
    with session_scope(engine, readonly=True) as s:
        sb = s.get(Setback, sid)
        assert (sb.current_step, sb.title, sb.safety_hold, sb.updated_at) == (
            3,
            "New title",
            True,
            later,
        )


def test_create_can_start_a_draft_on_safety_hold(engine) -> None:
    with engine.begin() as conn:
        held = drafts.create(conn, "T1", "U1", None, 0, None, NOW, hold=True)
        plain = drafts.create(conn, "T1", "U1", None, 1, None, NOW)
    with session_scope(engine, readonly=True) as s:
        assert s.get(Setback, held).safety_hold is True
        assert s.get(Setback, plain).safety_hold is False


def test_advance_refuses_a_finished_setback(engine) -> None:
    sid = _new(engine)
    with session_scope(engine) as s:
        s.get(Setback, sid).status = "complete"
    with engine.begin() as conn:
        assert not drafts.advance(conn, "T1", "U1", sid, 2, NOW)


def _claim_and_open(conn, team: str, user: str, sid: int, step: int, at: datetime, **kw):
    """What the flow does on Next: claim the screen, then open its sealed answers."""
    found, sealed = drafts.claim_screen(conn, team, user, sid, step, at, **kw)
    return found, drafts.opened(sealed)


def test_claiming_a_screen_moves_the_owners_draft_and_reads_that_screen_at_once(engine) -> None:
    sid = _new(engine)
    with engine.begin() as conn:
        drafts.save(conn, "T1", sid, 2, {"my_part": SECRET}, NOW)
    later = NOW + timedelta(minutes=1)
    with engine.begin() as conn:
        assert _claim_and_open(conn, "T1", "U2", sid, 2, later) == (False, None)
        assert _claim_and_open(conn, "T2", "U1", sid, 2, later) == (False, None)
        assert _claim_and_open(conn, "T1", "U1", sid, 3, later) == (True, None)
        found = _claim_and_open(conn, "T1", "U1", sid, 2, later, title="Retitled")
        assert found == (True, {"my_part": SECRET})
    with session_scope(engine, readonly=True) as s:
        sb = s.get(Setback, sid)
        assert (sb.current_step, sb.title, sb.updated_at) == (2, "Retitled", later)


def test_save_replaces_a_screen_and_keeps_it_encrypted(engine) -> None:
    sid = _new(engine)
    with engine.begin() as conn:
        drafts.save(conn, "T1", sid, 0, {"facts": SECRET}, NOW)
        drafts.save(conn, "T1", sid, 0, {"facts": "second try"}, NOW + timedelta(seconds=1))
        drafts.save(conn, "T1", sid, 1, {"friend": "be kind"}, NOW)
    with read_connection(engine) as conn:
        assert drafts.load(conn, "T1", sid, 0) == {"facts": "second try"}
        assert drafts.load(conn, "T1", sid, 1) == {"friend": "be kind"}
        assert drafts.load(conn, "T1", sid, 2) is None
        assert drafts.load(conn, "T2", sid, 0) is None  # another workspace reads nothing
        raw = conn.execute(text("SELECT answers FROM reflection")).scalars().all()
        title = conn.execute(text("SELECT title FROM setback")).scalar_one()
    assert len(raw) == 2
    assert all("second try" not in r and "kind" not in r for r in raw)
    assert SECRET not in title
    with session_scope(engine, readonly=True) as s:
        rows = s.exec(select(Reflection).where(Reflection.setback_id == sid)).all()
        assert sorted((r.step, r.updated_at) for r in rows) == [
            (0, NOW + timedelta(seconds=1)),
            (1, NOW),
        ]


def test_latest_is_the_most_recently_touched_draft_of_that_person(engine) -> None:
    first = _new(engine, at=NOW)
    second = _new(engine, at=NOW + timedelta(minutes=1))
    _new(engine, user="U2", at=NOW + timedelta(minutes=2))
    with read_connection(engine) as conn:
        assert drafts.latest(conn, "T1", "U1") == (second, SECRET, 1)
    with engine.begin() as conn:
        drafts.advance(conn, "T1", "U1", first, 2, NOW + timedelta(minutes=3))
    with read_connection(engine) as conn:
        assert drafts.latest(conn, "T1", "U1") == (first, SECRET, 2)
        assert drafts.latest(conn, "T1", "U3") is None


def test_zone_checked_at_reads_the_member_row_only(engine) -> None:
    with read_connection(engine) as conn:
        assert member_store.zone_checked_at(conn, "T1", "U1") is None  # no member yet
    with session_scope(engine) as s:
        s.add(Member(team_id="T1", user_id="U1", created_at=NOW, tz_checked_at=NOW))
        s.add(Member(team_id="T1", user_id="U2", created_at=NOW))
    with read_connection(engine) as conn:
        assert member_store.zone_checked_at(conn, "T1", "U1") == NOW
        assert member_store.zone_checked_at(conn, "T1", "U2") is None
        assert member_store.zone_checked_at(conn, "T2", "U1") is None


def test_member_for_planning_creates_the_defaults_once_and_keeps_settings(engine) -> None:
    with engine.begin() as conn:
        fresh = member_store.member_for_planning(conn, "T1", "U1", NOW)
        again = member_store.member_for_planning(conn, "T1", "U1", NOW + timedelta(hours=1))
    assert (fresh.work_start_min, fresh.work_end_min, fresh.workdays) == (540, 1020, "0,1,2,3,4")
    assert again.id == fresh.id and again.created_at == NOW
    with session_scope(engine) as s:
        s.add(
            Member(team_id="T1", user_id="U2", created_at=NOW, work_start_min=600, tz="Asia/Tokyo")
        )
    with engine.begin() as conn:
        kept = member_store.member_for_planning(conn, "T1", "U2", NOW)
    assert (kept.work_start_min, kept.tz) == (600, "Asia/Tokyo")
    with session_scope(engine, readonly=True) as s:
        assert len(s.exec(select(Member)).all()) == 2


def test_two_first_plans_at_once_share_one_member_row(engine) -> None:
    """A second transaction creating the same member waits for the first, then reads
    its row (on PostgreSQL through the savepoint's unique-key conflict)."""
    first_inserted, first_may_commit = threading.Event(), threading.Event()
    ids: dict[str, int] = {}

    def first() -> None:
        with engine.begin() as conn:
            ids["first"] = member_store.member_for_planning(conn, "T1", "U1", NOW).id
            first_inserted.set()
            first_may_commit.wait(10)

    def second() -> None:
        with engine.begin() as conn:
            ids["second"] = member_store.member_for_planning(conn, "T1", "U1", NOW).id

    a = threading.Thread(target=first)
    a.start()
    assert first_inserted.wait(10)
    b = threading.Thread(target=second)
    b.start()
    b.join(0.3)
    assert b.is_alive(), "the second waits while the first holds its new row"
    first_may_commit.set()
    a.join(10)
    b.join(10)
    assert ids["first"] == ids["second"]
    with session_scope(engine, readonly=True) as s:
        assert len(s.exec(select(Member)).all()) == 1
