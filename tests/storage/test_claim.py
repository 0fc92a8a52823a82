"""The claim protocol and check-in records, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from storage import checkins as store
from storage import events as event_store
from storage import housekeeping as housekeeping_store
from storage import leases as lease_store
from storage import reflections as reflection_store
from storage.db import autocommit_connection, make_engine, session_scope
from storage.models import Checkin, Commitment, JobLease, Member, ProcessedEvent, Setback

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
LEASE = NOW + timedelta(minutes=2)


def plant(
    engine: Engine, due: list[datetime], user: str = "U1", status: str = "scheduled"
) -> list[int]:
    with session_scope(engine) as s:
        sb = Setback(team_id="T1", user_id=user, status="complete", created_at=NOW)
        s.add(sb)
        s.flush()
        c = Commitment(
            team_id="T1", user_id=user, setback_id=sb.id, kind="growth", text="x", created_at=NOW
        )
        s.add(c)
        s.flush()
        rows = [
            Checkin(
                team_id="T1",
                user_id=user,
                setback_id=sb.id,
                commitment_id=c.id,
                due_at=at,
                status=status,
            )
            for at in due
        ]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]


def claim(engine: Engine, worker: str, now: datetime = NOW, limit: int = 100) -> list[int]:
    with session_scope(engine) as s:
        return store.claim_due(s, now, worker, now + timedelta(minutes=2), limit)


def get(engine: Engine, cid: int) -> Checkin:
    with session_scope(engine, readonly=True) as s:
        return s.get(Checkin, cid)  # type: ignore[return-value]  # why: the planted row exists


def test_claims_only_due_scheduled_rows(engine: Engine) -> None:
    late, early, future = plant(
        engine, [NOW - timedelta(minutes=1), NOW - timedelta(hours=1), NOW + timedelta(seconds=1)]
    )
    plant(engine, [NOW - timedelta(days=1)], status="sent")
    plant(engine, [NOW - timedelta(days=1)], status="cancelled")
    assert sorted(claim(engine, "w1")) == sorted([early, late])
    row = get(engine, early)
    assert (row.status, row.lease_owner, row.lease_until) == ("claimed", "w1", LEASE)
    assert get(engine, future).status == "scheduled"


def test_claim_respects_the_limit_and_takes_the_oldest(engine: Engine) -> None:
    ids = plant(engine, [NOW - timedelta(minutes=m) for m in range(10)])
    got = claim(engine, "w1", limit=3)
    assert sorted(got) == sorted(ids[-3:])  # the three oldest
    assert len(claim(engine, "w2", limit=100)) == 7


def test_a_live_lease_is_not_claimed_again_an_expired_one_is(engine: Engine) -> None:
    [cid] = plant(engine, [NOW])
    assert claim(engine, "w1") == [cid]
    assert claim(engine, "w2", NOW + timedelta(minutes=1)) == []
    assert claim(engine, "w2", NOW + timedelta(minutes=2, seconds=1)) == [cid]
    assert get(engine, cid).lease_owner == "w2"


def test_a_claim_counts_an_attempt_and_a_stolen_row_is_out_of_reach(engine: Engine) -> None:
    [cid] = plant(engine, [NOW])
    claim(engine, "w1")
    assert (get(engine, cid).attempts, get(engine, cid).last_attempt_at) == (1, NOW)
    later = NOW + timedelta(minutes=3)
    claim(engine, "w2", later)  # w1 stalled past its lease; w2 took over
    assert get(engine, cid).attempts == 2
    with session_scope(engine) as s:
        assert store.release(s, cid, "w1", NOW) is False
        assert store.finish(s, cid, "w1", "failed", "x") is False
    row = get(engine, cid)
    assert (row.status, row.lease_owner) == ("claimed", "w2")


def test_a_posted_message_is_recorded_once_whoever_holds_the_row(engine: Engine) -> None:
    [cid] = plant(engine, [NOW])
    claim(engine, "w1")
    claim(engine, "w2", NOW + timedelta(minutes=3))
    with session_scope(engine) as s:  # w1's post landed after all: its ts still counts
        assert store.record_sent(s, cid, "D1", "1.000001", NOW) == "sent"
    with session_scope(engine) as s:
        assert store.record_sent(s, cid, "D1", "2.000002", NOW) is None
    row = get(engine, cid)
    assert (row.status, row.message_ts, row.lease_owner) == ("sent", "1.000001", None)
    with session_scope(engine) as s:  # w2's next step sees the row is no longer claimed
        assert store.release(s, cid, "w2", NOW) is False


def test_release_and_finish(engine: Engine) -> None:
    a, b, c = plant(engine, [NOW, NOW, NOW])
    claim(engine, "w1")
    later = NOW + timedelta(hours=3)
    with session_scope(engine) as s:
        assert store.release(s, a, "w1", later, "fatal_error")
        assert store.release(s, b, "w1", later, undo_attempt=True)
        assert store.finish(s, c, "w1", "failed", "channel_not_found")
    ra, rb, rc = get(engine, a), get(engine, b), get(engine, c)
    assert (ra.status, ra.due_at, ra.error, ra.attempts, ra.lease_owner) == (
        "scheduled",
        later,
        "fatal_error",
        1,
        None,
    )
    assert (rb.status, rb.attempts) == ("scheduled", 0)  # never tried: not counted
    assert (rc.status, rc.error, rc.attempts) == ("failed", "channel_not_found", 1)


def test_cancel_member_plan_touches_only_that_members_unsent_rows(engine: Engine) -> None:
    mine = plant(engine, [NOW, NOW + timedelta(days=1)], user="U1")
    sent = plant(engine, [NOW], user="U1", status="sent")
    theirs = plant(engine, [NOW], user="U2")
    claim(engine, "w1", limit=1)
    with session_scope(engine) as s:
        assert store.cancel_member_plan(s, "T1", "U1", "user_not_found") == 2
    assert {get(engine, c).status for c in mine} == {"cancelled"}
    assert get(engine, sent[0]).status == "sent"
    assert get(engine, theirs[0]).status in ("scheduled", "claimed")


def test_concurrent_claims_never_share_a_row(engine: Engine) -> None:
    ids = plant(engine, [NOW - timedelta(seconds=i) for i in range(300)])
    got: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        barrier.wait()
        mine: list[int] = []
        while batch := claim(engine, name, limit=7):
            mine += batch
        got[name] = mine

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    claimed = [cid for batch in got.values() for cid in batch]
    assert sorted(claimed) == sorted(ids)  # every row once, none twice


def test_owned_checkin_is_scoped_by_team_and_user(engine: Engine) -> None:
    [cid] = plant(engine, [NOW])
    with session_scope(engine, readonly=True) as s:
        assert store.get_owned_checkin(s, "T1", "U1", cid) is not None
        assert store.get_owned_checkin(s, "T1", "U2", cid) is None
        assert store.get_owned_checkin(s, "T2", "U1", cid) is None
        assert store.get_owned_checkin(s, "T1", "U1", None) is None


def test_answer_once(engine: Engine) -> None:
    [cid] = plant(engine, [NOW], status="sent")
    with session_scope(engine) as s:
        row = s.get(Checkin, cid)
        assert store.mark_answered(s, row, "working", NOW)
        assert not store.mark_answered(s, row, "done", NOW)
    assert (get(engine, cid).status, get(engine, cid).response) == ("answered", "working")


def test_close_plan_cancels_what_is_left(engine: Engine) -> None:
    first, rest = plant(engine, [NOW, NOW + timedelta(days=7)], status="sent")
    with session_scope(engine) as s:
        s.get(Checkin, rest).status = "scheduled"  # type: ignore[union-attr]  # why: the planted row exists
    with session_scope(engine) as s:
        row = s.get(Checkin, first)
        store.mark_answered(s, row, "done", NOW)  # type: ignore[arg-type]  # why: the planted row exists, and a plain string equals its StrEnum member
        commitment = s.get(Commitment, row.commitment_id)  # type: ignore[union-attr]  # why: the planted row exists
        waiting = store.close_plan(s, commitment, "done", NOW)  # type: ignore[arg-type]  # why: the planted row exists, and a plain string equals its StrEnum member
        assert waiting == []
    assert get(engine, rest).status == "cancelled"
    with session_scope(engine, readonly=True) as s:
        c = s.exec(select(Commitment)).one()
        assert (c.status, c.closed_at) == ("done", NOW)


def test_job_lease_is_held_by_one_owner_until_it_expires(engine: Engine) -> None:
    until = NOW + timedelta(minutes=10)
    with session_scope(engine) as s:
        assert lease_store.take_job_lease(s, "housekeeping", "a", NOW, until)
    with session_scope(engine) as s:
        assert not lease_store.take_job_lease(s, "housekeeping", "b", NOW, until)
        assert lease_store.take_job_lease(s, "other-job", "b", NOW, until)
    with session_scope(engine) as s:
        assert lease_store.take_job_lease(
            s, "housekeeping", "b", until + timedelta(seconds=1), until
        )
    with session_scope(engine) as s:
        lease_store.drop_job_lease(s, "housekeeping", "b")
    with session_scope(engine) as s:
        assert lease_store.take_job_lease(s, "housekeeping", "a", NOW, until)
    with session_scope(engine, readonly=True) as s:
        assert len(s.exec(select(JobLease)).all()) == 2


def test_old_event_ids_are_forgotten(engine: Engine) -> None:
    with session_scope(engine) as s:
        s.add(ProcessedEvent(event_id="Ev1", team_id="T1", received_at=NOW - timedelta(days=2)))
        s.add(ProcessedEvent(event_id="Ev2", team_id="T1", received_at=NOW))
    with session_scope(engine) as s:
        assert event_store.prune_processed_events(s, NOW - timedelta(days=1)) == 1
    with session_scope(engine, readonly=True) as s:
        assert [e.event_id for e in s.exec(select(ProcessedEvent))] == ["Ev2"]


def test_members_with_a_stale_zone_and_a_checkin_soon(engine: Engine) -> None:
    plant(engine, [NOW + timedelta(hours=5)], user="U1")
    plant(engine, [NOW + timedelta(days=9)], user="U2")
    plant(engine, [NOW + timedelta(hours=5)], user="U3")
    with session_scope(engine) as s:
        old = NOW - timedelta(days=3)
        s.add(Member(team_id="T1", user_id="U1", tz="UTC", tz_checked_at=old, created_at=NOW))
        s.add(Member(team_id="T1", user_id="U2", tz="UTC", tz_checked_at=old, created_at=NOW))
        s.add(Member(team_id="T1", user_id="U3", tz="UTC", tz_checked_at=NOW, created_at=NOW))
    with session_scope(engine, readonly=True) as s:
        found = housekeeping_store.members_with_stale_zone(
            s, NOW - timedelta(days=1), NOW + timedelta(days=2), 10
        )
    assert [m.user_id for m in found] == ["U1"]


def test_the_claim_uses_the_partial_index_of_open_rows(engine: Engine) -> None:
    plant(engine, [NOW + timedelta(minutes=m) for m in range(-500, 1500)])
    plant(engine, [NOW - timedelta(days=1)] * 500, status="answered")
    stmt = store.claim_statement(NOW, "w", NOW + timedelta(minutes=2), 50)
    sql = str(stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    with engine.connect() as c:
        if engine.dialect.name == "postgresql":
            c.exec_driver_sql("ANALYZE checkin")
            plan = "\n".join(r[0] for r in c.exec_driver_sql("EXPLAIN " + sql))
        else:
            plan = "\n".join(str(r[-1]) for r in c.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        c.rollback()
    assert "ix_checkin_open" in plan, plan


def test_a_lease_is_renewed_only_by_its_holder_while_claimed(engine: Engine) -> None:
    mine, closed, stolen = plant(engine, [NOW, NOW, NOW])
    claim(engine, "w1")
    later = NOW + timedelta(minutes=5)
    with session_scope(engine) as s:
        s.get(Checkin, closed).status = "cancelled"  # type: ignore[union-attr]  # why: the planted row exists
        s.get(Checkin, stolen).lease_owner = "w2"  # type: ignore[union-attr]  # why: the planted row exists
    with session_scope(engine) as s:
        assert store.renew_lease(s, mine, "w1", later)
        assert not store.renew_lease(s, closed, "w1", later)
        assert not store.renew_lease(s, stolen, "w1", later)
        assert not store.renew_lease(s, mine, "w2", later)
    assert (get(engine, mine).lease_until, get(engine, stolen).lease_until) == (later, LEASE)
    with session_scope(engine) as s:
        s.delete(s.get(Checkin, mine))
    with session_scope(engine) as s:
        assert not store.renew_lease(s, mine, "w1", later)


def test_recording_a_post_for_a_deleted_row_says_it_is_gone(engine: Engine) -> None:
    [cid] = plant(engine, [NOW])
    claim(engine, "w1")
    with session_scope(engine) as s:
        s.delete(s.get(Checkin, cid))
    with session_scope(engine) as s:
        assert store.record_sent(s, cid, "D1", "1.000001", NOW) == store.GONE


def test_archiving_cancels_claimed_rows_too_and_returns_the_sent_ones(engine: Engine) -> None:
    scheduled, claimed, sent, answered = plant(engine, [NOW + timedelta(days=1), NOW, NOW, NOW])
    with session_scope(engine) as s:
        for cid, status in ((sent, "sent"), (answered, "answered")):
            s.get(Checkin, cid).status = status  # type: ignore[union-attr]  # why: the planted row exists
    assert claim(engine, "w1") == [claimed]
    with session_scope(engine) as s:
        setback = s.exec(select(Setback)).one()
        waiting = reflection_store.archive_setback(s, setback, NOW)
        assert [c.id for c in waiting] == [sent]
    states = {cid: get(engine, cid) for cid in (scheduled, claimed, sent, answered)}
    assert [states[c].status for c in (scheduled, claimed, sent, answered)] == [
        "cancelled",
        "cancelled",
        "cancelled",
        "answered",
    ]
    assert (states[claimed].lease_owner, states[claimed].lease_until) == (None, None)
    with session_scope(engine, readonly=True) as s:
        assert s.exec(select(Commitment)).one().status == "cancelled"
        assert s.exec(select(Setback)).one().status == "archived"


def test_renewals_go_together_and_answer_for_each_row(engine: Engine) -> None:
    kept, cancelled = plant(engine, [NOW, NOW])
    claim(engine, "w1")
    with session_scope(engine) as s:
        s.get(Checkin, cancelled).status = "cancelled"  # type: ignore[union-attr]  # why: the planted row exists
    later = NOW + timedelta(minutes=5)
    with session_scope(engine) as s:
        assert store.renew_leases(s, [kept, cancelled, 10_000], "w1", later) == {kept}
        assert store.renew_leases(s, [], "w1", later) == set()


def test_records_go_together_and_answer_for_each_row(engine: Engine) -> None:
    fresh, recorded, deleted, cancelled = plant(engine, [NOW, NOW, NOW, NOW])
    claim(engine, "w1")
    with session_scope(engine) as s:
        store.record_sent(s, recorded, "D1", "1.000001", NOW)
        s.delete(s.get(Checkin, deleted))
        s.get(Checkin, cancelled).status = "cancelled"  # type: ignore[union-attr]  # why: the planted row exists
    posts = [(fresh, "D1", "2.000002"), (recorded, "D1", "3.000003")]
    posts += [(deleted, "D1", "4.000004"), (cancelled, "D2", "5.000005")]
    with session_scope(engine) as s:
        answers = store.record_sent_many(s, posts, NOW)
    assert answers == {fresh: "sent", recorded: None, deleted: store.GONE, cancelled: "cancelled"}
    rows = {cid: get(engine, cid) for cid in (fresh, recorded, cancelled)}
    assert [(r.channel, r.message_ts) for r in rows.values()] == [
        ("D1", "2.000002"),
        ("D1", "1.000001"),  # the first ts stays
        ("D2", "5.000005"),  # each row gets its own channel and ts
    ]
    assert rows[fresh].lease_owner is None and rows[fresh].sent_at == NOW


def test_many_records_at_once_each_keep_their_own_ts(engine: Engine) -> None:
    ids = plant(engine, [NOW] * 20)  # more than one statement's worth
    claim(engine, "w1")
    posts = [(cid, f"D{cid}", f"{cid}.000001") for cid in ids]
    with session_scope(engine) as s:
        assert store.record_sent_many(s, posts, NOW) == {cid: "sent" for cid in ids}
    rows = [get(engine, cid) for cid in ids]
    assert [(r.channel, r.message_ts) for r in rows] == [(ch, ts) for _, ch, ts in posts]


def test_an_autocommit_connection_commits_each_write_and_resets_on_return(
    engine: Engine,
) -> None:
    if engine.dialect.name != "postgresql":
        return  # SQLite writers go through session_scope and its writer lock
    [cid] = plant(engine, [NOW])
    claim(engine, "w1")
    single = make_engine(str(engine.url.render_as_string(hide_password=False)), pool_size=1)
    show = "SELECT pg_backend_pid(), current_setting('synchronous_commit')"
    with autocommit_connection(single, durable=False) as conn:
        during = tuple(conn.exec_driver_sql(show).one())
        assert store.renew_leases(conn, [cid], "w1", NOW + timedelta(hours=1)) == {cid}
    with single.connect() as conn:  # the same server connection, back from the pool
        after = tuple(conn.exec_driver_sql(show).one())
    single.dispose()
    assert get(engine, cid).lease_until == NOW + timedelta(hours=1)  # committed, no COMMIT
    assert (during[0], during[1], after[1]) == (after[0], "off", "on")
