"""The dispatcher against the sandbox Web API, on SQLite and PostgreSQL: what is sent,
when, exactly once, and what happens when Slack or the process fails."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.core.runtime import Runtime
from sandbox.slack_api import SlackApiServer
from sandbox.workspace import Workspace
from scheduler import dispatcher
from scheduler.dispatcher import backoff, load_due, post_checkin, run_once, sendable_now
from storage import checkins as store
from storage.db import session_scope
from storage.models import Checkin, Commitment, Member, Setback
from tests.scheduler.conftest import NOW, posts_per_checkin, rows, runtime, seed

LEASE = timedelta(seconds=120)


def thread_replies(ws: Workspace, channel: str, ts: str) -> list[dict]:
    return ws.thread(channel, ts)[1:]


# --- sending -------------------------------------------------------------------------------


def test_a_due_checkin_is_posted_once_in_its_thread(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws)
    report = run_once(rt)
    assert (report.claimed, report.sent) == (1, 1)
    replies = thread_replies(ws, seeded.channel, seeded.thread_ts)
    assert len(replies) == 1
    message = replies[0]
    assert message["metadata"] == {
        "event_type": "setback_checkin",
        "event_payload": {"checkin_id": seeded.checkin_ids[0]},
    }
    assert "ask for a second reviewer" in message["blocks"][0]["text"]["text"]
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "setback_checkin_done",
        "setback_checkin_working",
        "setback_checkin_snooze",
        "setback_checkin_let_go",
        "setback_checkin_note",
    ]
    row = rows(rt)[seeded.checkin_ids[0]]
    assert (row.status, row.message_ts, row.channel) == ("sent", message["ts"], seeded.channel)
    assert row.attempts == 1 and row.lease_owner is None
    again = run_once(rt, NOW + timedelta(hours=1))
    assert again.claimed == 0
    assert posts_per_checkin(ws) == {seeded.checkin_ids[0]: 1}


def test_commitment_text_is_escaped_and_left_out_of_the_notification(
    rt: Runtime, ws: Workspace
) -> None:
    seeded = seed(rt, ws, text="If <!channel> pings, then I will <@U0BOSS> & breathe")
    run_once(rt)
    message = thread_replies(ws, seeded.channel, seeded.thread_ts)[0]
    shown = message["blocks"][0]["text"]
    assert "&lt;!channel&gt;" in shown["text"] and "&lt;@U0BOSS&gt; &amp; breathe" in shown["text"]
    assert "<!channel>" not in shown["text"] and shown.get("verbatim") is True
    assert message["text"] == "Checking in on your plan"


def test_future_checkins_wait(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws, due=[NOW + timedelta(hours=1)])
    assert run_once(rt).claimed == 0
    assert run_once(rt, NOW + timedelta(hours=1)).sent == 1
    assert posts_per_checkin(ws) == {seeded.checkin_ids[0]: 1}


def test_a_closed_commitment_is_skipped(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws)
    with session_scope(rt.engine) as s:
        s.get(Commitment, seeded.commitment_id).status = "let_go"  # type: ignore[union-attr]  # why: the seeded row exists
    report = run_once(rt)
    assert (report.skipped, report.sent) == (1, 0)
    assert rows(rt)[seeded.checkin_ids[0]].status == "cancelled"
    assert posts_per_checkin(ws) == {}


# --- working hours, downtime, pause ---------------------------------------------------------


def test_after_a_day_of_downtime_a_missed_checkin_waits_for_working_hours(
    rt: Runtime, ws: Workspace
) -> None:
    # Due Wednesday 10:00 London; the bot comes back Thursday 20:00 London.
    seeded = seed(rt, ws, due=[NOW])
    back = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
    report = run_once(rt, back)
    assert (report.rescheduled, report.sent) == (1, 0)
    row = rows(rt)[seeded.checkin_ids[0]]
    assert row.status == "scheduled"
    assert row.due_at == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Friday 09:00 London
    assert row.attempts == 0
    assert run_once(rt, back + timedelta(hours=1)).claimed == 0  # still night
    assert run_once(rt, datetime(2026, 11, 27, 9, 0, 30, tzinfo=UTC)).sent == 1
    assert posts_per_checkin(ws) == {seeded.checkin_ids[0]: 1}


def test_a_tick_just_after_the_window_closes_still_sends(rt: Runtime, ws: Workspace) -> None:
    due = datetime(2026, 11, 25, 16, 59, 50, tzinfo=UTC)  # inside 09:00–17:00 London
    seed(rt, ws, due=[due])
    assert run_once(rt, due + timedelta(seconds=40)).sent == 1


def test_downtime_restart_sends_each_missed_checkin_once(tmp_path, db_url, ws: Workspace) -> None:
    api = SlackApiServer(ws).start()
    first = runtime(tmp_path, db_url, api.url)
    seeded = [seed(first, ws, f"U0P{i}", due=[NOW - timedelta(hours=i + 1)]) for i in range(5)]
    first.engine.dispose()  # "stop the bot"
    later = runtime(tmp_path, db_url, api.url)  # a day later, in working hours
    try:
        report = run_once(later, NOW + timedelta(days=1))
        assert report.sent == 5
        assert run_once(later, NOW + timedelta(days=1, minutes=1)).claimed == 0
        assert posts_per_checkin(ws) == {s.checkin_ids[0]: 1 for s in seeded}
    finally:
        later.engine.dispose()
        api.stop()


def test_a_paused_member_gets_nothing_until_the_pause_ends(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws)
    until = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    with session_scope(rt.engine) as s:
        member = s.exec(select(Member).where(Member.user_id == seeded.user_id)).one()
        member.paused_until = until
    assert run_once(rt).rescheduled == 1
    row = rows(rt)[seeded.checkin_ids[0]]
    assert row.due_at == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Monday after the pause
    assert posts_per_checkin(ws) == {}


def test_hours_changed_since_planning_reslot_at_send_time(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws, due=[NOW])
    with session_scope(rt.engine) as s:
        member = s.exec(select(Member).where(Member.user_id == seeded.user_id)).one()
        member.work_start_min, member.work_end_min = 13 * 60, 17 * 60
    assert run_once(rt).rescheduled == 1
    assert rows(rt)[seeded.checkin_ids[0]].due_at == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


def test_sendable_now_rules() -> None:
    from bot.checkins.planning import WorkingHours

    hours = WorkingHours(tz="Europe/London")
    wed_10 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    closes = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    assert sendable_now(wed_10, hours, wed_10)
    assert sendable_now(closes - timedelta(minutes=1), hours, closes + timedelta(minutes=5))
    assert not sendable_now(closes - timedelta(minutes=1), hours, closes + timedelta(minutes=30))
    assert not sendable_now(wed_10, hours, datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # Sat
    paused = WorkingHours(tz="Europe/London", paused_until=wed_10 + timedelta(days=1))
    assert not sendable_now(wed_10, paused, wed_10)


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(20) == timedelta(hours=1)


# --- no thread yet ---------------------------------------------------------------------------


def test_no_thread_yet_waits_without_spending_an_attempt(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws, with_thread=False)
    report = run_once(rt)
    assert report.rescheduled == 1
    row = rows(rt)[seeded.checkin_ids[0]]
    assert (row.status, row.attempts) == ("scheduled", 0)
    assert row.due_at == NOW + dispatcher.THREAD_WAIT


def test_no_thread_after_every_summary_attempt_fails_the_checkin(
    rt: Runtime, ws: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    seeded = seed(rt, ws, with_thread=False, summary_attempts=5)
    with caplog.at_level(logging.WARNING, logger="scheduler.dispatcher"):
        assert run_once(rt).failed == 1
    row = rows(rt)[seeded.checkin_ids[0]]
    assert (row.status, row.error) == ("failed", "no_thread")
    assert f"check-in {seeded.checkin_ids[0]} failed" in caplog.text


# --- exactly once across crashes --------------------------------------------------------------


def test_a_crash_between_post_and_record_is_recovered_without_a_second_post(
    rt: Runtime, ws: Workspace
) -> None:
    seeded = seed(rt, ws)
    cid = seeded.checkin_ids[0]
    # What a worker that died right after Slack answered leaves behind: a claimed row
    # with one attempt, its message in the thread, no ts recorded.
    with session_scope(rt.engine) as s:
        assert store.claim_due(s, NOW, "dead-worker", NOW + LEASE, 10) == [cid]
    [due] = load_due(rt, [cid], "dead-worker")
    posted = post_checkin(dispatcher.post_client(rt), due)
    # Before the lease runs out nobody touches it.
    assert run_once(rt, NOW + timedelta(seconds=60)).claimed == 0
    report = run_once(rt, NOW + LEASE + timedelta(seconds=1))
    assert (report.claimed, report.recovered, report.sent) == (1, 1, 0)
    assert posts_per_checkin(ws) == {cid: 1}
    row = rows(rt)[cid]
    assert (row.status, row.message_ts) == ("sent", posted["ts"])


def test_a_claim_that_died_before_posting_is_posted_after_the_lease(
    rt: Runtime, ws: Workspace
) -> None:
    seeded = seed(rt, ws)
    cid = seeded.checkin_ids[0]
    with session_scope(rt.engine) as s:
        store.claim_due(s, NOW, "dead-worker", NOW + LEASE, 10)
    report = run_once(rt, NOW + LEASE + timedelta(seconds=1))
    assert (report.recovered, report.sent) == (0, 1)
    assert posts_per_checkin(ws) == {cid: 1}
    assert rows(rt)[cid].attempts == 2


def test_sqlite_two_dispatcher_threads_send_each_checkin_once(
    tmp_path, sqlite_url: str, ws: Workspace, api: SlackApiServer
) -> None:
    rt = runtime(tmp_path, sqlite_url, api.url)
    try:
        ids = [
            cid
            for i in range(40)
            for cid in seed(
                rt, ws, f"U0T{i:02d}", due=[NOW - timedelta(minutes=m) for m in (1, 2, 3, 4, 5)]
            ).checkin_ids
        ]
        reports: dict[str, list] = {"t0": [], "t1": []}

        def work(worker: str) -> None:
            while True:
                report = run_once(rt, worker_id=worker, limit=25, channel_gap=0.02)
                reports[worker].append(report)
                if report.claimed == 0:
                    return

        threads = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert posts_per_checkin(ws) == {cid: 1 for cid in ids}
        every = [r for worker in reports.values() for r in worker]
        assert sum(r.sent for r in every) == len(ids) == 200
        assert sum(r.claimed for r in every) == 200  # no row was claimed twice
        assert all(sum(r.claimed for r in worker) > 0 for worker in reports.values())
        assert {r.status for r in rows(rt).values()} == {"sent"}
    finally:
        rt.engine.dispose()


# --- Slack failures ---------------------------------------------------------------------------


def test_a_5xx_is_retried_later_and_posts_once(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws)
    cid = seeded.checkin_ids[0]
    ws.fail_next("chat.postMessage", status=500)
    report = run_once(rt)
    assert report.retrying == 1
    row = rows(rt)[cid]
    assert (row.status, row.attempts, row.error) == ("scheduled", 1, "fatal_error")
    assert row.due_at == NOW + timedelta(minutes=1)
    assert run_once(rt, NOW + timedelta(seconds=30)).claimed == 0  # backing off
    report = run_once(rt, NOW + timedelta(minutes=1))
    assert report.sent == 1
    assert posts_per_checkin(ws) == {cid: 1}


def test_connection_errors_are_retried_on_later_passes(
    tmp_path, db_url, ws: Workspace, api: SlackApiServer
) -> None:
    port = api.port
    rt = runtime(tmp_path, db_url, api.url)
    try:
        seeded = seed(rt, ws)
        api.stop()  # Slack unreachable
        assert run_once(rt).retrying == 1
        assert rows(rt)[seeded.checkin_ids[0]].attempts == 1
        back = SlackApiServer(ws, port=port).start()
        try:
            assert run_once(rt, NOW + timedelta(minutes=5)).sent == 1
        finally:
            back.stop()
        assert posts_per_checkin(ws) == {seeded.checkin_ids[0]: 1}
    finally:
        rt.engine.dispose()


def test_attempts_are_capped_then_the_checkin_fails(
    rt: Runtime, ws: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    seeded = seed(rt, ws)
    cid = seeded.checkin_ids[0]
    cap = rt.settings.setback_max_attempts
    ws.fail_next("chat.postMessage", status=503, times=cap + 5)
    at = NOW
    with caplog.at_level(logging.WARNING, logger="scheduler.dispatcher"):
        for _ in range(cap + 3):
            at += timedelta(hours=1, minutes=1)
            run_once(rt, at)
    row = rows(rt)[cid]
    assert (row.status, row.attempts) == ("failed", cap)
    assert f"check-in {cid} failed after {cap} attempts" in caplog.text
    assert run_once(rt, at + timedelta(days=1)).claimed == 0  # nothing loops
    assert posts_per_checkin(ws) == {}


# Codes about the recipient only: `account_inactive` is about the bot's own token
# (tests/scheduler/test_workspace_stop.py).
@pytest.mark.parametrize("error", ["user_not_found", "cannot_dm_bot", "user_disabled"])
def test_a_member_who_cannot_get_dms_has_their_plan_cancelled(
    rt: Runtime, ws: Workspace, caplog: pytest.LogCaptureFixture, error: str
) -> None:
    seeded = seed(rt, ws, due=[NOW - timedelta(minutes=1), NOW + timedelta(days=7)])
    other = seed(rt, ws, "U0OTHER", due=[NOW + timedelta(days=1)])
    ws.fail_next("chat.postMessage", error=error)
    with caplog.at_level(logging.INFO, logger="scheduler.dispatcher"):
        assert run_once(rt).cancelled == 1
    states = rows(rt)
    assert [states[c].status for c in seeded.checkin_ids] == ["cancelled", "cancelled"]
    assert states[seeded.checkin_ids[1]].error == error
    assert states[other.checkin_ids[0]].status == "scheduled"
    assert f"Slack says {error}" in caplog.text


def test_a_permanent_refusal_fails_at_once(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws)
    ws.fail_next("chat.postMessage", error="channel_not_found")
    assert run_once(rt).failed == 1
    row = rows(rt)[seeded.checkin_ids[0]]
    assert (row.status, row.error) == ("failed", "channel_not_found")


def test_a_short_429_is_waited_out_by_the_client(rt: Runtime, ws: Workspace) -> None:
    # Two check-ins for one person; Slack allows one post per 2 s in that channel, the
    # pacer spaces by 1 s, so the second post meets a 429 with Retry-After and is retried.
    seeded = seed(rt, ws, due=[NOW - timedelta(minutes=2), NOW - timedelta(minutes=1)])
    ws.set_rate_limit("chat.postMessage", per_seconds=2.0, per="channel")
    report = run_once(rt, channel_gap=1.0)
    assert report.sent == 2
    assert any(r["error"] == "ratelimited" for r in ws.recent("rejections"))
    assert posts_per_checkin(ws) == {cid: 1 for cid in seeded.checkin_ids}


def test_a_long_retry_after_reschedules_instead_of_waiting(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws, due=[NOW - timedelta(minutes=2), NOW - timedelta(minutes=1)])
    ws.set_rate_limit("chat.postMessage", per_seconds=60.0, per="channel")
    report = run_once(rt, channel_gap=0.0)
    assert (report.sent, report.retrying) == (1, 1)
    late = rows(rt)[seeded.checkin_ids[1]]
    assert late.status == "scheduled"
    assert NOW + timedelta(seconds=50) <= late.due_at <= NOW + timedelta(seconds=61)
    assert (late.attempts, late.error) == (0, "ratelimited")  # refused, so nothing was spent
    ws.clear_rate_limit("chat.postMessage")
    assert run_once(rt, NOW + timedelta(minutes=2)).sent == 1
    assert posts_per_checkin(ws) == {cid: 1 for cid in seeded.checkin_ids}


def test_rate_limits_alone_never_use_up_the_attempts(rt: Runtime, ws: Workspace) -> None:
    # Slack allows one post per 10 minutes in this DM: the second check-in meets a 429
    # with a long Retry-After on more passes than the attempt cap, waits each time, and
    # goes out once Slack lets it.
    first, late = seed(
        rt, ws, due=[NOW - timedelta(minutes=2), NOW - timedelta(minutes=1)]
    ).checkin_ids
    ws.set_rate_limit("chat.postMessage", per_seconds=600.0, per="channel")
    assert run_once(rt, channel_gap=0.0).sent == 1
    cap = rt.settings.setback_max_attempts
    at = NOW
    for _ in range(cap + 2):
        at += timedelta(minutes=11)
        report = run_once(rt, at, channel_gap=0.0)
        assert (report.claimed, report.retrying) == (1, 1)
    row = rows(rt)[late]
    assert (row.status, row.attempts, row.error) == ("scheduled", 0, "ratelimited")
    ws.clear_rate_limit("chat.postMessage")
    assert run_once(rt, at + timedelta(minutes=11)).sent == 1
    assert posts_per_checkin(ws) == {first: 1, late: 1}


def test_a_checkin_answered_away_while_posting_is_not_left_with_buttons(
    rt: Runtime, ws: Workspace
) -> None:
    seeded = seed(rt, ws)
    cid = seeded.checkin_ids[0]
    with session_scope(rt.engine) as s:
        store.claim_due(s, NOW, "w1", NOW + LEASE, 10)
    [due] = load_due(rt, [cid], "w1")
    with session_scope(rt.engine) as s:  # the person closes the plan from another message
        commitment = s.get(Commitment, seeded.commitment_id)
        store.close_plan(s, commitment, "done", NOW)  # type: ignore[arg-type]  # why: the seeded row exists, and a plain string equals its StrEnum member
    # The pass that held the row posts (it was claimed before the close) and then finds
    # the plan closed: the message is re-rendered without buttons.
    posted = post_checkin(dispatcher.post_client(rt), due)
    pass_ = dispatcher._Pass(rt, NOW, "w1", dispatcher._Pacer(0.0, float("inf")), NOW + LEASE)
    pass_.recorder = dispatcher._GroupCommit(rt, "w1", NOW + LEASE, NOW)
    try:
        pass_._record_sent(due, seeded.channel, posted["ts"])
    finally:
        pass_.recorder.close()
    message = ws.get_message(seeded.channel, posted["ts"])
    assert message is not None
    assert all(b["type"] != "actions" for b in message["blocks"])
    assert "Marked done" in message["blocks"][-1]["elements"][0]["text"]
    assert rows(rt)[cid].message_ts == posted["ts"]


def test_every_outcome_is_counted(rt: Runtime, ws: Workspace) -> None:
    seed(rt, ws, "U0A")
    skipped = seed(rt, ws, "U0B")
    seed(rt, ws, "U0C", with_thread=False)
    with session_scope(rt.engine) as s:
        s.get(Commitment, skipped.commitment_id).status = "done"  # type: ignore[union-attr]  # why: the seeded row exists
    report = run_once(rt)
    assert report.claimed == 3
    assert (report.sent, report.skipped, report.rescheduled) == (1, 1, 1)
    assert "claimed=3 sent=1" in report.as_text()


def test_rows_of_other_workers_are_not_loaded(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws)
    with session_scope(rt.engine) as s:
        store.claim_due(s, NOW, "w1", NOW + LEASE, 10)
    assert load_due(rt, seeded.checkin_ids, "w2") == []
    assert [d.id for d in load_due(rt, seeded.checkin_ids, "w1")] == seeded.checkin_ids


def test_setback_and_member_rows_feed_the_send_checks(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws, tz="America/New_York")
    with session_scope(rt.engine) as s:
        store.claim_due(s, NOW + timedelta(hours=5), "w1", NOW + LEASE, 10)
    [due] = load_due(rt, seeded.checkin_ids, "w1")
    assert due.hours.tz == "America/New_York"
    assert (due.channel, due.thread_ts) == (seeded.channel, seeded.thread_ts)
    with session_scope(rt.engine, readonly=True) as s:
        assert s.get(Setback, seeded.setback_id) is not None
        assert s.get(Checkin, seeded.checkin_ids[0]).status == "claimed"  # type: ignore[union-attr]  # why: the seeded row exists


def test_a_dropped_database_connection_costs_a_pass_nothing(rt: Runtime, ws: Workspace) -> None:
    """The server drops the pass's held connections (a restart, a failover): the next
    renewal and record run on fresh connections instead of failing their senders."""
    seeded = seed(rt, ws, due=[NOW - timedelta(minutes=2), NOW - timedelta(minutes=1)])
    first, second = seeded.checkin_ids
    with session_scope(rt.engine) as s:
        store.claim_due(s, NOW, "w1", NOW + LEASE, 10)
    recorder = dispatcher._GroupCommit(rt, "w1", NOW + LEASE, NOW)
    try:
        assert recorder.renew(first) and recorder.sent(first, seeded.channel, "1.000001") == "sent"
        if rt.engine.dialect.name == "postgresql":
            with rt.engine.connect() as admin:
                dropped = admin.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).all()
            assert len(dropped) >= 2, "the recorder's two connections were dropped"
        assert recorder.renew(second)
        assert recorder.sent(second, seeded.channel, "2.000002") == "sent"
        # Written once already: the same ts again (a retry whose answer was lost) is
        # answered as recorded, another ts is not.
        assert recorder.sent(second, seeded.channel, "2.000002") == "sent"
        assert recorder.sent(second, seeded.channel, "3.000003") is None
    finally:
        recorder.close()
    assert rows(rt)[second].message_ts == "2.000002"
