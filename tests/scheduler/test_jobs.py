"""The APScheduler wiring and housekeeping, against the sandbox Web API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from bot.checkins.views import RECAP_EVENT
from bot.core.runtime import Runtime
from sandbox.slack_api import SlackApiServer
from sandbox.workspace import Workspace
from scheduler import jobs
from storage import checkins as store
from storage import leases as lease_store
from storage.db import session_scope
from storage.models import Commitment, Member, ProcessedEvent, Setback
from tests.integration.harness import wait_for
from tests.scheduler.conftest import NOW, posts_per_checkin, rows, runtime, seed


def setback(rt: Runtime, setback_id: int) -> Setback:
    with session_scope(rt.engine, readonly=True) as s:
        return s.get(Setback, setback_id)  # type: ignore[return-value]  # why: the seeded row exists


def recaps(ws: Workspace, channel: str, thread_ts: str) -> list[dict]:
    return [
        m
        for m in ws.thread(channel, thread_ts)
        if (m.get("metadata") or {}).get("event_type") == RECAP_EVENT
    ]


def test_housekeeping_runs_in_one_process_at_a_time(rt: Runtime) -> None:
    with session_scope(rt.engine) as s:
        assert lease_store.take_job_lease(
            s, "housekeeping", "another-process", NOW, NOW + timedelta(minutes=10)
        )
    assert jobs.housekeep(rt, NOW) == {}
    later = NOW + timedelta(minutes=11)  # the other process died holding it
    done = jobs.housekeep(rt, later)
    assert set(done) == {"summaries", "recaps", "zones", "events", "retention"}


def test_a_summary_that_never_arrived_is_posted_then_its_checkins_go(
    rt: Runtime, ws: Workspace
) -> None:
    seeded = seed(rt, ws, with_thread=False)
    assert jobs.run_once(rt).rescheduled == 1  # waits for a thread
    assert jobs.housekeep(rt, NOW)["summaries"] == 1
    sb = setback(rt, seeded.setback_id)
    assert sb.thread_ts and sb.dm_channel == seeded.channel
    assert [m["ts"] for m in ws.history(seeded.channel)] == [sb.thread_ts]
    assert jobs.run_once(rt, NOW + timedelta(minutes=5)).sent == 1
    assert len(ws.thread(seeded.channel, sb.thread_ts)) == 2
    assert jobs.housekeep(rt, NOW + timedelta(minutes=6))["summaries"] == 0


def test_a_recap_whose_post_failed_is_posted_once_later(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws)
    with session_scope(rt.engine) as s:
        c = s.get(Commitment, seeded.commitment_id)
        store.close_plan(s, c, "done", NOW)  # type: ignore[arg-type]  # why: the seeded row exists, and a plain string equals its StrEnum member
    ws.fail_next("chat.postMessage", status=503)
    assert not jobs.post_recap(rt, seeded.setback_id)
    assert setback(rt, seeded.setback_id).recap_posted_at is None
    assert jobs.housekeep(rt, NOW + timedelta(minutes=5))["recaps"] == 1
    assert len(recaps(ws, seeded.channel, seeded.thread_ts)) == 1
    assert jobs.housekeep(rt, NOW + timedelta(minutes=10))["recaps"] == 0
    assert len(recaps(ws, seeded.channel, seeded.thread_ts)) == 1


def test_a_recap_that_did_arrive_is_not_posted_again(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws)
    with session_scope(rt.engine) as s:
        store.close_plan(s, s.get(Commitment, seeded.commitment_id), "let_go", NOW)  # type: ignore[arg-type]  # why: the seeded row exists, and a plain string equals its StrEnum member
    # The post landed, but its answer was lost: the reservation was given back.
    ws.post_message(
        seeded.channel,
        text="recap",
        thread_ts=seeded.thread_ts,
        metadata={"event_type": RECAP_EVENT, "event_payload": {"setback_id": seeded.setback_id}},
    )
    assert jobs.housekeep(rt, NOW + timedelta(minutes=5))["recaps"] == 1
    assert len(recaps(ws, seeded.channel, seeded.thread_ts)) == 1
    assert setback(rt, seeded.setback_id).recap_posted_at is not None


def test_a_moved_member_gets_their_zone_refreshed_and_checkins_replanned(
    rt: Runtime, ws: Workspace
) -> None:
    tomorrow_9_london = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    seeded = seed(rt, ws, due=[tomorrow_9_london])
    with session_scope(rt.engine) as s:
        m = s.exec(select(Member).where(Member.user_id == seeded.user_id)).one()
        m.tz_checked_at = NOW - timedelta(days=2)
    ws.add_user(seeded.user_id, "ada", tz="America/New_York")  # she moved
    assert jobs.housekeep(rt, NOW)["zones"] == 1
    with session_scope(rt.engine, readonly=True) as s:
        m = s.exec(select(Member).where(Member.user_id == seeded.user_id)).one()
        assert (m.tz, m.tz_checked_at) == ("America/New_York", NOW)
    assert rows(rt)[seeded.checkin_ids[0]].due_at == datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    assert jobs.housekeep(rt, NOW + timedelta(minutes=5))["zones"] == 0  # fresh now


def test_old_event_ids_are_forgotten_by_housekeeping(rt: Runtime) -> None:
    with session_scope(rt.engine) as s:
        s.add(ProcessedEvent(event_id="EvOLD", team_id="T", received_at=NOW - timedelta(days=3)))
    assert jobs.housekeep(rt, NOW)["events"] == 1


def test_the_scheduler_ticks_and_sends(tmp_path: Path, sqlite_url: str, ws: Workspace) -> None:
    api = SlackApiServer(ws).start()
    rt = runtime(
        tmp_path, sqlite_url, api.url, setback_dispatch_interval=0.2, setback_dispatch_batch=2
    )
    seeded = [seed(rt, ws, f"U0S{i}") for i in range(5)]
    scheduler = jobs.start(rt, housekeeping=False)
    try:
        wait_for(lambda: len(posts_per_checkin(ws)) == 5, what="five check-ins")
    finally:
        scheduler.shutdown()
        rt.engine.dispose()
        api.stop()
    assert posts_per_checkin(ws) == {s.checkin_ids[0]: 1 for s in seeded}


def test_one_tick_keeps_going_while_passes_come_back_full(rt: Runtime, ws: Workspace) -> None:
    rt.settings.setback_dispatch_batch = 2
    seeded = [seed(rt, ws, f"U0F{i}") for i in range(5)]
    jobs.tick(rt)
    assert posts_per_checkin(ws) == {s.checkin_ids[0]: 1 for s in seeded}
