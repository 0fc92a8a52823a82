"""Growth check-ins over HTTP: finish a setback, let a day pass, answer every way a
person can (buttons, the note modal, a reply in the thread), and reach the recap."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_bolt.lazy_listener import thread_runner
from sqlmodel import select

from bot.checkins.answers import CLOSED_LINE
from bot.core.runtime import Runtime
from bot.journal import views as home_views
from scheduler.dispatcher import run_once
from storage.db import session_scope
from storage.models import Checkin, Commitment, Setback
from tests.integration.harness import ADA, BEN, START, Harness, wait_for

DAY = timedelta(days=1)


class LazyListeners:
    """Counts Bolt's lazy listeners as they start and as they finish.

    A refusal or an ignored event changes nothing, so there is nothing to wait for but
    the listener itself. With process_before_response=True Bolt hands a lazy listener to
    its thread pool *before* it answers the request, so once a request has returned its
    listener is counted; `wait` then returns only after every one of them has run.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = 0
        self.finished = 0

    def counted(self, runnable: Callable[[], None]) -> Callable[[], None]:
        with self._lock:
            self.started += 1

        def run() -> None:
            try:
                runnable()
            finally:
                with self._lock:
                    self.finished += 1

        return run

    def mark(self) -> int:
        with self._lock:
            return self.started

    def wait(self, since: int, expected: int) -> None:
        """Wait until the listeners started since ``since`` have all finished, and check
        that there were exactly ``expected`` of them (so the wait cannot pass vacuously)."""

        def idle() -> bool:
            with self._lock:
                return self.finished == self.started

        wait_for(idle, what="lazy listeners to finish")
        assert self.mark() - since == expected


@pytest.fixture
def lazy(monkeypatch: pytest.MonkeyPatch) -> Iterator[LazyListeners]:
    """Observe (not change) how Bolt runs lazy listeners in this test."""
    tracker = LazyListeners()
    build = thread_runner.build_runnable_function

    def counted_build(func: Callable[..., None], logger: Any, request: Any) -> Callable[[], None]:
        return tracker.counted(build(func=func, logger=logger, request=request))

    monkeypatch.setattr(thread_runner, "build_runnable_function", counted_build)
    yield tracker


def checkins(rt: Runtime) -> list[Checkin]:
    with session_scope(rt.engine, readonly=True) as s:
        return list(s.exec(select(Checkin).order_by(Checkin.id)))


def commitments(rt: Runtime) -> dict[int, Commitment]:
    with session_scope(rt.engine, readonly=True) as s:
        return {c.id: c for c in s.exec(select(Commitment))}  # type: ignore[misc]  # why: rows read back from the database have ids


def finish(h: Harness) -> str:
    """Walk the reflection and wait until the summary's ts is recorded as the thread
    (the post shows up in Slack a moment before the bot has written it down)."""
    root = h.finish_setback(ADA)

    def recorded() -> bool:
        with session_scope(h.rt.engine, readonly=True) as s:
            return s.exec(select(Setback.thread_ts)).first() == root

    wait_for(recorded, what="thread recorded")
    return root


def replies(h: Harness, root: str) -> list[dict[str, Any]]:
    return h.thread(ADA, root)[1:]


def posted_checkins(h: Harness, root: str) -> list[dict[str, Any]]:
    return [
        m
        for m in replies(h, root)
        if (m.get("metadata") or {}).get("event_type") == "setback_checkin"
    ]


def checkin_id(message: dict[str, Any]) -> int:
    return int(message["metadata"]["event_payload"]["checkin_id"])


def shown(h: Harness, message: dict[str, Any]) -> dict[str, Any]:
    found = h.ws.get_message(h.ws.im_channel_for(ADA), message["ts"])
    assert found is not None
    return found


def has_buttons(message: dict[str, Any]) -> bool:
    """Whether the check-in still offers its answers (an answered one keeps only "Add a
    note", and "Undo" for a while)."""
    return any(
        e.get("action_id") == "setback_checkin_done"
        for b in message.get("blocks") or []
        if b["type"] == "actions"
        for e in b["elements"]
    )


def context_text(message: dict[str, Any]) -> str:
    return " ".join(
        e.get("text", "")
        for b in message["blocks"]
        if b["type"] == "context"
        for e in b["elements"]
    )


def click(h: Harness, message: dict[str, Any], action: str, **kw: Any) -> None:
    resp = h.slack.click(ADA, action, message=(h.ws.im_channel_for(ADA), message["ts"]), **kw)
    assert resp.error is None, resp.error


def test_the_whole_checkin_journey(harness: Harness) -> None:
    h = harness
    root = finish(h)
    plan = checkins(h.rt)
    assert {c.kind for c in plan} == {"amends", "followup"}
    assert posted_checkins(h, root) == []

    # A day later (Thu 26 Nov, 10:00 London): both if-then plans get their first check-in.
    h.clock.set(START + DAY)
    report = run_once(h.rt)
    assert report.sent == 2
    first, second = posted_checkins(h, root)
    assert has_buttons(first) and has_buttons(second)
    assert "migration check" in first["blocks"][0]["text"]["text"]
    assert "second reviewer" in second["blocks"][0]["text"]["text"]
    assert run_once(h.rt, START + DAY + timedelta(minutes=1)).claimed == 0  # nothing twice

    # Still working on it: recorded, the message loses its buttons, the plan goes on.
    click(h, first, "setback_checkin_working")
    wait_for(lambda: not has_buttons(shown(h, first)), what="answered check-in")
    assert "Still working on it" in context_text(shown(h, first))
    row = next(c for c in checkins(h.rt) if c.id == checkin_id(first))
    assert (row.status, row.response) == ("answered", "working")
    rest = [
        c
        for c in checkins(h.rt)
        if c.commitment_id == row.commitment_id and c.status == "scheduled"
    ]
    assert len(rest) == 3

    # Snooze the second plan's check-in until next week: a new check-in is planned.
    click(h, second, "setback_checkin_snooze", selected_option=f"{checkin_id(second)}:1w")
    wait_for(lambda: not has_buttons(shown(h, second)), what="snoozed check-in")
    assert "Snoozed until Mon 30 Nov, 09:00" in context_text(shown(h, second))
    snoozed = next(c for c in checkins(h.rt) if c.id == checkin_id(second))
    again = [
        c
        for c in checkins(h.rt)
        if c.commitment_id == snoozed.commitment_id and c.seq == snoozed.seq and c.id != snoozed.id
    ]
    assert [c.due_at for c in again] == [datetime(2026, 11, 30, 9, 0, tzinfo=UTC)]

    # A reply in the thread is kept as a note on the latest check-in, once per event.
    resp = h.slack.message_im(ADA, "Ran it twice today, felt easy", thread_ts=root)
    assert resp.error is None
    wait_for(lambda: "Note saved" in context_text(shown(h, second)), what="note on message")
    noted = next(c for c in checkins(h.rt) if c.id == checkin_id(second))
    assert noted.note == "Ran it twice today, felt easy"

    # Friday 27 Nov 09:00: the repair's due date, "did the repair happen?".
    h.clock.set(datetime(2026, 11, 27, 9, 0, 30, tzinfo=UTC))
    assert run_once(h.rt).sent == 1
    repair = posted_checkins(h, root)[-1]
    assert "repair" in repair["blocks"][0]["text"]["text"].lower()
    assert repair["text"] == "Checking in on your repair"

    # Add a note through the modal, then mark the repair done.
    click(h, repair, "setback_checkin_note")
    modal = h.wait_modal(ADA, "setback_checkin_note")
    assert h.submit(ADA, {"note": {"note": {"value": "Talked support through it."}}}).error is None
    wait_for(lambda: "Note saved" in context_text(shown(h, repair)), what="modal note")
    assert has_buttons(shown(h, repair))  # a note is not an answer
    assert modal["private_metadata"] == f'{{"checkin_id": {checkin_id(repair)}}}'
    click(h, repair, "setback_checkin_done")
    wait_for(lambda: not has_buttons(shown(h, repair)), what="done")
    assert "Marked done" in context_text(shown(h, repair))

    # The snoozed check-in comes back on Monday; let that plan go: the rest is cancelled.
    h.clock.set(datetime(2026, 11, 30, 9, 0, 30, tzinfo=UTC))
    assert run_once(h.rt).sent == 1
    snooze_back = posted_checkins(h, root)[-1]
    assert checkin_id(snooze_back) == again[0].id
    click(h, snooze_back, "setback_checkin_let_go")
    wait_for(lambda: not has_buttons(shown(h, snooze_back)), what="let go")
    assert "Let go" in context_text(shown(h, snooze_back))
    states = commitments(h.rt)
    let_go = states[snoozed.commitment_id]
    assert let_go.status == "let_go"
    assert {c.status for c in checkins(h.rt) if c.commitment_id == let_go.id} == {
        "answered",
        "cancelled",
    }

    # Done on the first plan's next check-in closes the last open commitment: the recap.
    h.clock.set(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    assert run_once(h.rt).sent == 1
    week = posted_checkins(h, root)[-1]
    click(h, week, "setback_checkin_done")
    recap = wait_for(
        lambda: [
            m
            for m in replies(h, root)
            if (m.get("metadata") or {}).get("event_type") == "setback_recap"
        ],
        what="recap",
    )
    assert len(recap) == 1
    text = " ".join(
        b.get("text", {}).get("text", "") for b in recap[0]["blocks"] if b["type"] != "context"
    )
    assert "Looking back: Config push broke checkout" in text
    assert "It's been 7 days since this setback" in text
    assert "Checks that rely on memory fail on busy days." in text  # the lesson
    assert "*Done* (repair)" in text and "*Let go* (plan)" in text
    with session_scope(h.rt.engine, readonly=True) as s:
        assert s.exec(select(Setback)).one().recap_posted_at is not None
    assert {c.status for c in commitments(h.rt).values()} == {"done", "let_go"}
    assert all(c.status != "scheduled" for c in checkins(h.rt))
    assert run_once(h.rt, datetime(2027, 3, 1, 10, 0, tzinfo=UTC)).claimed == 0


def test_someone_else_cannot_answer_or_annotate_a_checkin(
    harness: Harness, lazy: LazyListeners
) -> None:
    h = harness
    root = finish(h)
    h.clock.set(START + DAY)
    run_once(h.rt)
    message = posted_checkins(h, root)[0]
    cid = checkin_id(message)
    # BEN crafts the same action with ADA's check-in id (he cannot see ADA's DM, so the
    # payload is built by hand), and a note for it through his own modal submission.
    h.ws.add_channel("C0SHARED", "shared", members=(ADA, BEN))
    posted = h.ws.post_message("C0SHARED", text="x", blocks=message["blocks"])
    since = lazy.mark()
    for action in ("setback_checkin_done", "setback_checkin_let_go", "setback_checkin_working"):
        resp = h.slack.click(BEN, action, message=("C0SHARED", posted["ts"]))
        assert resp.error is None
    h.slack.click(
        BEN,
        "setback_checkin_snooze",
        message=("C0SHARED", posted["ts"]),
        selected_option=f"{cid}:1d",
    )
    h.slack.click(BEN, "setback_checkin_note", message=("C0SHARED", posted["ts"]))
    h.slack.message_im(BEN, "sneaky", thread_ts=root)
    # Three answers, a snooze and the reply: each lazy listener has refused; the note
    # button's follow-up runs on the runtime's lane (`handlers.clicks`) and refused too.
    lazy.wait(since, 5)
    assert h.rt.drain()
    row = next(c for c in checkins(h.rt) if c.id == cid)
    assert (row.status, row.response, row.note) == ("sent", None, None)
    assert h.modal(BEN) is None
    assert has_buttons(shown(h, message))
    assert {c.status for c in commitments(h.rt).values()} == {"active"}
    # ... and the check-in is still Ada's to answer.
    click(h, message, "setback_checkin_working")
    wait_for(lambda: not has_buttons(shown(h, message)), what="Ada's answer")
    assert next(c for c in checkins(h.rt) if c.id == cid).response == "working"


def test_a_redelivered_reply_adds_the_note_once(harness: Harness, lazy: LazyListeners) -> None:
    h = harness
    root = finish(h)
    h.clock.set(START + DAY)
    run_once(h.rt)
    answered, latest = posted_checkins(h, root)
    click(h, answered, "setback_checkin_working")  # one check-in waits: the reply is its note
    wait_for(lambda: not has_buttons(shown(h, answered)), what="answered check-in")
    channel = h.ws.im_channel_for(ADA)
    event = {
        "type": "message",
        "user": ADA,
        "text": "It helped",
        "ts": "1795700000.000100",
        "thread_ts": root,
        "channel": channel,
        "channel_type": "im",
        "event_ts": "1795700000.000100",
    }
    since = lazy.mark()
    assert h.slack.event(event, event_id="Ev0REPLY1").error is None
    assert h.slack.event(event, event_id="Ev0REPLY1", retry_num=1).error is None
    lazy.wait(since, 2)  # both deliveries' listeners have run: one saved, one dropped
    assert "Note saved" in context_text(shown(h, latest))
    row = next(c for c in checkins(h.rt) if c.id == checkin_id(latest))
    assert row.note == "It helped"


def test_other_dm_messages_are_left_alone(harness: Harness, lazy: LazyListeners) -> None:
    h = harness
    root = finish(h)
    h.clock.set(START + DAY)
    run_once(h.rt)
    since = lazy.mark()
    assert h.slack.message_im(ADA, "hello there").error is None  # top level, not a reply
    bot_event = {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "B0SETBACK",
        "text": "x",
        "ts": "1795700001.000100",
        "thread_ts": root,
        "channel": h.ws.im_channel_for(ADA),
        "channel_type": "im",
    }
    assert h.slack.event(bot_event).error is None
    # The top-level message's listener has run and left it; the bot's own post never
    # reached a listener (Bolt drops the app's own events before any listener runs).
    lazy.wait(since, 1)
    assert all(c.note is None for c in checkins(h.rt))


def test_double_click_records_one_answer(harness: Harness, lazy: LazyListeners) -> None:
    h = harness
    root = finish(h)
    h.clock.set(START + DAY)
    run_once(h.rt)
    message = posted_checkins(h, root)[0]
    since = lazy.mark()
    click(h, message, "setback_checkin_done")
    try:
        click(h, message, "setback_checkin_working")
        clicks = 2
    except LookupError:  # the first click's answer already took the buttons off
        clicks = 1
    lazy.wait(since, clicks)  # every click's listener has run
    assert not has_buttons(shown(h, message))
    row = next(c for c in checkins(h.rt) if c.id == checkin_id(message))
    assert (row.status, row.response) == ("answered", "done")
    assert commitments(h.rt)[row.commitment_id].status == "done"


def test_archiving_from_home_takes_the_buttons_off_waiting_checkins(harness: Harness) -> None:
    h = harness
    root = finish(h)
    h.clock.set(START + DAY)
    assert run_once(h.rt).sent == 2
    answered, waiting = posted_checkins(h, root)
    click(h, answered, "setback_checkin_working")
    wait_for(lambda: not has_buttons(shown(h, answered)), what="answered check-in")
    h.settle()
    before = (h.ws.home_view(ADA) or {}).get("hash")
    assert h.slack.app_home_opened(ADA).error is None
    home = wait_for(
        lambda: (v := h.ws.home_view(ADA)) and v["hash"] != before and v, what="the Home"
    )
    with session_scope(h.rt.engine, readonly=True) as s:
        setback_id = s.exec(select(Setback.id)).one()

    h.slack.click(ADA, home_views.ACTION_ARCHIVE, view_id=home["id"], value=str(setback_id))

    wait_for(lambda: not has_buttons(shown(h, waiting)), what="the waiting check-in closed")
    assert CLOSED_LINE in context_text(shown(h, waiting))
    assert "second reviewer" in shown(h, waiting)["blocks"][0]["text"]["text"]
    assert "Still working on it" in context_text(shown(h, answered))  # an answer stays
    assert {c.status for c in checkins(h.rt)} == {"answered", "cancelled"}
    assert run_once(h.rt, START + 120 * DAY).claimed == 0
