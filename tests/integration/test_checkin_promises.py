"""What check-ins promise, held on the real journey over HTTP: a reply lands on the plan
it is about, Done and Let it go can be taken back, every answered check-in still takes a
note and says when the next one comes, a late repair check-in names the real day, the
summary DM follows the answers, and the recap offers to share a blameless retro."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from bot.core.timefmt import local
from scheduler.dispatcher import run_once
from storage.db import session_scope
from storage.models import Checkin, SentMessage, Setback
from tests.integration.harness import ADA, START, Harness, wait_for
from tests.integration.test_checkins import (
    DAY,
    checkin_id,
    checkins,
    click,
    commitments,
    context_text,
    finish,
    has_buttons,
    posted_checkins,
    replies,
    shown,
)

FRIDAY = datetime(2026, 11, 27, 9, 0, 30, tzinfo=UTC)  # the repair's day, London


def of_type(h: Harness, root: str, event_type: str) -> list[dict[str, Any]]:
    return [
        m for m in replies(h, root) if (m.get("metadata") or {}).get("event_type") == event_type
    ]


def texts(message: dict[str, Any]) -> str:
    """Every text a message shows: sections, fields, context, headers."""
    found = []
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            found.append(block["text"].get("text", ""))
        found += [e.get("text", "") for e in block.get("elements") or [] if "text" in e]
    return "\n".join(str(t) for t in found)


def action_ids(message: dict[str, Any]) -> list[str]:
    ids = []
    for block in message.get("blocks") or []:
        ids += [e["action_id"] for e in block.get("elements") or [] if "action_id" in e]
        if (block.get("accessory") or {}).get("action_id"):
            ids.append(block["accessory"]["action_id"])
    return ids


def row(h: Harness, cid: int) -> Checkin:
    return next(c for c in checkins(h.rt) if c.id == cid)


def summary(h: Harness, root: str) -> dict[str, Any]:
    found = h.ws.get_message(h.ws.im_channel_for(ADA), root)
    assert found is not None
    return found


def journal_url(message: dict[str, Any]) -> str | None:
    for block in message["blocks"]:
        for e in block.get("elements") or []:
            if e.get("action_id") == "setback_open_journal":
                return str(e["url"])
    return None


def first_two(h: Harness) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A finished setback and, a day later, both if-then plans' first check-ins."""
    root = finish(h)
    h.clock.set(START + DAY)
    assert run_once(h.rt).sent == 2
    first, second = posted_checkins(h, root)
    return root, first, second


# --- a reply in the thread: never guess the plan --------------------------------------------


def test_a_reply_with_two_plans_waiting_asks_which_plan_and_keeps_it_there(
    harness: Harness,
) -> None:
    h = harness
    root, first, second = first_two(h)
    reply = h.slack.message_im(ADA, "Ran the migration check twice, felt easy", thread_ts=root)
    assert reply.error is None

    [question] = wait_for(lambda: of_type(h, root, "setback_note_question"), what="question")
    assert "Which plan is your reply about?" in texts(question)
    assert "migration check" in texts(question) and "second reviewer" in texts(question)
    assert action_ids(question).count("setback_note_for") == 2
    h.settle()
    assert all(c.note is None for c in checkins(h.rt)), "nothing is kept before the pick"

    def recorded() -> bool:  # so erasing takes the question down too
        with session_scope(h.rt.engine, readonly=True) as s:
            return question["ts"] in s.exec(select(SentMessage.ts)).all()

    wait_for(recorded, what="the question recorded as sent")

    plan_one = next(
        b["block_id"]
        for b in question["blocks"]
        if "migration check" in (b.get("text") or {}).get("text", "")
    )
    click(h, question, "setback_note_for", block_id=plan_one)

    wait_for(lambda: "Note saved" in context_text(shown(h, first)), what="note on plan 1")
    assert row(h, checkin_id(first)).note == "Ran the migration check twice, felt easy"
    assert row(h, checkin_id(second)).note is None
    settled = wait_for(
        lambda: (
            (m := h.ws.get_message(h.ws.im_channel_for(ADA), question["ts"]))
            and "Kept as a note on" in texts(m)
            and m
        ),
        what="question settled",
    )
    assert action_ids(settled) == []
    assert "migration check" in texts(settled)


def test_a_reply_can_be_left_unkept_and_with_one_plan_waiting_it_is_kept_at_once(
    harness: Harness,
) -> None:
    h = harness
    root, first, second = first_two(h)
    channel = h.ws.im_channel_for(ADA)

    h.slack.message_im(ADA, "Just thinking out loud", thread_ts=root)
    [question] = wait_for(lambda: of_type(h, root, "setback_note_question"), what="question")
    click(h, question, "setback_note_skip")
    wait_for(
        lambda: "was not kept" in texts(h.ws.get_message(channel, question["ts"]) or {}),
        what="skipped",
    )
    assert action_ids(h.ws.get_message(channel, question["ts"]) or {}) == []
    h.settle()
    assert all(c.note is None for c in checkins(h.rt))

    # Once only plan 2's check-in waits, a reply is its note, as before: no question.
    click(h, first, "setback_checkin_working")
    wait_for(lambda: not has_buttons(shown(h, first)), what="answered")
    h.slack.message_im(ADA, "The second reviewer caught a typo", thread_ts=root)
    wait_for(lambda: "Note saved" in context_text(shown(h, second)), what="note on plan 2")
    h.settle()
    assert row(h, checkin_id(second)).note == "The second reviewer caught a typo"
    assert row(h, checkin_id(first)).note is None
    assert len(of_type(h, root, "setback_note_question")) == 1


# --- Done and Let it go can be taken back; answered check-ins still take notes ----------


def test_done_offers_undo_which_reopens_the_plan_and_its_checkins(harness: Harness) -> None:
    h = harness
    root, first, _ = first_two(h)
    cid = checkin_id(first)
    plan = row(h, cid).commitment_id
    planned = {c.id: c.due_at for c in checkins(h.rt) if c.commitment_id == plan}

    click(h, first, "setback_checkin_done")
    wait_for(lambda: not has_buttons(shown(h, first)), what="done")
    done = shown(h, first)
    assert action_ids(done) == ["setback_checkin_undo", "setback_checkin_note"]
    assert "Undo brings this plan back, until Fri 27 Nov, 10:00" in context_text(done)
    assert commitments(h.rt)[plan].status == "done"

    h.clock.set(START + DAY + timedelta(hours=3))
    click(h, done, "setback_checkin_undo")

    wait_for(lambda: has_buttons(shown(h, first)), what="the check-in live again")
    assert commitments(h.rt)[plan].status == "active"
    after = {c.id: (c.status, c.due_at) for c in checkins(h.rt) if c.commitment_id == plan}
    assert after[cid][0] == "sent" and row(h, cid).response is None
    assert {k: v for k, v in after.items() if k != cid} == {
        k: ("scheduled", due) for k, due in planned.items() if k != cid
    }
    # The plan goes on: its one-week check-in arrives as planned.
    week = min((k for k in planned if k != cid), key=lambda k: planned[k] or START)
    assert planned[week] == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    run_once(h.rt, datetime(2026, 12, 2, 10, 0, 30, tzinfo=UTC))
    assert week in {checkin_id(m) for m in posted_checkins(h, root)}
    assert row(h, week).status == "sent"


def test_undo_is_refused_once_its_time_has_passed(harness: Harness) -> None:
    h = harness
    _, _, second = first_two(h)
    click(h, second, "setback_checkin_let_go")
    wait_for(lambda: not has_buttons(shown(h, second)), what="let go")
    stale = shown(h, second)
    assert "setback_checkin_undo" in action_ids(stale)

    h.clock.set(START + 2 * DAY + timedelta(minutes=1))  # 24 hours and a minute later
    click(h, stale, "setback_checkin_undo")

    wait_for(lambda: "setback_checkin_undo" not in action_ids(shown(h, second)), what="undo gone")
    assert commitments(h.rt)[row(h, checkin_id(second)).commitment_id].status == "let_go"
    assert action_ids(shown(h, second)) == ["setback_checkin_note"]
    # An answered check-in still takes a note.
    click(h, shown(h, second), "setback_checkin_note")
    h.wait_modal(ADA, "setback_checkin_note")
    assert h.submit(ADA, {"note": {"note": {"value": "Glad I dropped it."}}}).error is None
    wait_for(lambda: "Note saved" in context_text(shown(h, second)), what="note after answer")
    assert row(h, checkin_id(second)).note == "Glad I dropped it."


def test_undoing_the_last_close_takes_the_recap_back_until_it_closes_again(
    harness: Harness,
) -> None:
    h = harness
    root, first, second = first_two(h)
    for message in (first, second):
        click(h, message, "setback_checkin_done")
        wait_for(lambda m=message: not has_buttons(shown(h, m)), what="done")
    h.clock.set(FRIDAY)
    assert run_once(h.rt).sent == 1
    repair = posted_checkins(h, root)[-1]
    click(h, repair, "setback_checkin_done")
    wait_for(lambda: of_type(h, root, "setback_recap"), what="recap")

    click(h, shown(h, repair), "setback_checkin_undo")

    wait_for(lambda: not of_type(h, root, "setback_recap"), what="recap taken back")
    with session_scope(h.rt.engine, readonly=True) as s:
        assert s.exec(select(Setback)).one().recap_posted_at is None
    # The recap's removal and the check-in's own update are two Web API calls after the
    # ack: under load the second can land a moment after the first.
    wait_for(lambda: has_buttons(shown(h, repair)), what="buttons back")
    assert has_buttons(shown(h, repair))
    click(h, shown(h, repair), "setback_checkin_done")
    wait_for(lambda: of_type(h, root, "setback_recap"), what="recap again")
    h.settle()
    assert len(of_type(h, root, "setback_recap")) == 1


def test_still_working_says_when_the_next_checkin_comes_in_the_persons_zone(
    harness: Harness,
) -> None:
    h = harness
    h.ws.add_user(ADA, "ada", "Ada Lovelace", tz="Asia/Tokyo")
    root = finish(h)
    h.clock.set(datetime(2026, 11, 27, 0, 0, 30, tzinfo=UTC))  # Friday 09:00 in Tokyo
    run_once(h.rt)
    plan = next(m for m in posted_checkins(h, root) if "migration check" in texts(m))
    click(h, plan, "setback_checkin_working")
    wait_for(lambda: not has_buttons(shown(h, plan)), what="still working")
    following = min(
        (c for c in checkins(h.rt) if c.commitment_id == row(h, checkin_id(plan)).commitment_id),
        key=lambda c: (c.status != "scheduled", c.due_at),
    )
    assert following.due_at is not None
    assert local(following.due_at, "Asia/Tokyo") == "Thu 3 Dec, 09:00"
    assert "Still working on it — that counts. Next check-in: Thu 3 Dec, 09:00." in (
        context_text(shown(h, plan))
    )
    assert action_ids(shown(h, plan)) == ["setback_checkin_note"]


# --- a repair check-in delivered late names the real day --------------------------------


def test_a_repair_checkin_delivered_days_late_names_the_promised_day(harness: Harness) -> None:
    h = harness
    root = finish(h)
    # The bot was down from Wednesday until Monday 30 November: the repair promised for
    # Friday 27 November is asked about three days after that day.
    h.clock.set(datetime(2026, 11, 30, 9, 0, 30, tzinfo=UTC))
    assert run_once(h.rt).sent == 3
    repair = next(m for m in posted_checkins(h, root) if m["text"] == "Checking in on your repair")
    asked = repair["blocks"][0]["text"]["text"]
    assert "today" not in asked.lower()
    assert "by Friday 27 November (three days ago)" in asked
    click(h, repair, "setback_checkin_working")  # a re-render says the same
    wait_for(lambda: not has_buttons(shown(h, repair)), what="answered")
    assert shown(h, repair)["blocks"][0]["text"]["text"] == asked


# --- the summary DM follows the answers ----------------------------------------------------


def test_the_summary_shows_the_real_next_checkins_as_they_are_answered(
    harness: Harness,
) -> None:
    h = harness
    root, first, second = first_two(h)
    before = summary(h, root)
    assert "next check-in Fri 27 Nov, 09:00" in texts(before)  # the repair
    assert "next check-in Thu 26 Nov, 10:00" in texts(before)  # both plans, sent today
    link = journal_url(before)
    assert link is not None

    click(h, first, "setback_checkin_working")
    click(h, second, "setback_checkin_snooze", selected_option=f"{checkin_id(second)}:1w")
    wait_for(
        lambda: (
            "Mon 30 Nov, 09:00" in texts(summary(h, root))
            and "Thu 26 Nov" not in texts(summary(h, root))
        ),
        what="the summary after two answers",
    )
    assert "next check-in Wed 2 Dec, 10:00" in texts(summary(h, root))  # plan 1's next

    h.clock.set(FRIDAY)
    assert run_once(h.rt).sent == 1
    repair = posted_checkins(h, root)[-1]
    click(h, repair, "setback_checkin_done")
    wait_for(lambda: "Fri 27 Nov" not in texts(summary(h, root)), what="repair done")
    h.settle()
    assert journal_url(summary(h, root)) == link
    assert summary(h, root)["text"] == before["text"]


# --- the recap ---------------------------------------------------------------------------


def every_plan_done(h: Harness) -> dict[str, Any]:
    """Done on both plans' first check-ins, then on the repair on Friday: the recap."""
    root, first, second = first_two(h)
    for message in (first, second):
        click(h, message, "setback_checkin_done")
        wait_for(lambda m=message: not has_buttons(shown(h, m)), what="done")
    h.clock.set(FRIDAY)
    assert run_once(h.rt).sent == 1
    click(h, posted_checkins(h, root)[-1], "setback_checkin_done")
    [recap] = wait_for(lambda: of_type(h, root, "setback_recap"), what="recap")
    return recap


def test_the_recap_offers_to_share_a_blameless_retro(harness: Harness) -> None:
    h = harness
    recap = every_plan_done(h)
    assert "setback_share_open" in action_ids(recap)
    click(h, recap, "setback_share_open")
    h.wait_modal(ADA, "setback_share_compose")


def test_the_recap_names_letting_go_only_when_something_was_let_go(harness: Harness) -> None:
    recap = every_plan_done(harness)
    assert "Letting something go" not in texts(recap)  # nothing was let go
    assert "What you learned stays with you." in texts(recap)
