"""Check-in words and shapes that keep a promise: the real day of a late repair, when
the next check-in comes, Undo and "Add a note" after an answer, letting go named only
when it happened, and the question about a reply that never quotes it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.checkins.views import (
    CheckinFacts,
    NoteChoice,
    RecapFacts,
    checkin_message,
    note_question,
    recap_message,
)
from bot.checkins.wording import answered_text, checkin_text, promised_day
from storage.models import CommitmentKind, CommitmentStatus
from tests.unit.test_checkin_copy import COMMITMENT, SCOLDING, SEEDS

FACTS = CheckinFacts(checkin_id=7, kind="followup", commitment="x", seq=1, total=4)


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    ids = []
    for block in blocks:
        ids += [e["action_id"] for e in block.get("elements") or [] if "action_id" in e]
        if (block.get("accessory") or {}).get("action_id"):
            ids.append(block["accessory"]["action_id"])
    return ids


def valid(blocks: list[dict[str, Any]]) -> None:
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()


@pytest.mark.parametrize(
    ("delivered", "said"),
    [
        (date(2026, 12, 7), None),
        (date(2026, 12, 8), "Monday 7 December (yesterday)"),
        (date(2026, 12, 9), "Monday 7 December (two days ago)"),
        (date(2026, 12, 21), "Monday 7 December (14 days ago)"),
        (date(2026, 12, 6), "Monday 7 December (tomorrow)"),
        (date(2026, 12, 4), "Monday 7 December (in three days)"),
    ],
)
def test_the_promised_day_is_named_from_the_delivery_day(delivered: date, said: str) -> None:
    assert promised_day(date(2026, 12, 7), delivered) == said


def test_a_late_repair_checkin_never_says_today_and_names_the_day() -> None:
    day = "Monday 7 December (two days ago)"
    texts = {checkin_text("amends", COMMITMENT, 0, 1, seed, promised=day) for seed in SEEDS}
    assert len(texts) == 3
    assert all("today" not in t.lower() and COMMITMENT in t for t in texts)
    assert sum(day in t for t in texts) == 2  # the third wording names no day at all
    assert not [t for t in texts if SCOLDING.search(t)]
    # On the day itself (no day given) the wording is as it always was.
    assert "today" in checkin_text("amends", COMMITMENT, 0, 1, 1).lower()
    # Only a repair's first check-in names a day.
    assert checkin_text("followup", COMMITMENT, 0, 4, 1, promised=day) == checkin_text(
        "followup", COMMITMENT, 0, 4, 1
    )


def test_still_working_says_when_the_next_checkin_comes() -> None:
    assert answered_text("working", "Thu 3 Dec, 09:00") == (
        "Still working on it — that counts. Next check-in: Thu 3 Dec, 09:00."
    )
    assert "last check-in planned" in answered_text("working", last=True)
    assert not SCOLDING.search(answered_text("working", last=True))


def test_an_answered_checkin_keeps_add_a_note_and_undo_while_it_may() -> None:
    _, done = checkin_message(FACTS, answer="done", undo_until="Fri 27 Nov, 10:00")
    assert action_ids(done) == ["setback_checkin_undo", "setback_checkin_note"]
    assert "until Fri 27 Nov, 10:00" in done[-1]["elements"][0]["text"]
    valid(done)
    _, working = checkin_message(FACTS, answer="working", until="Thu 3 Dec, 09:00")
    assert action_ids(working) == ["setback_checkin_note"]
    _, closed_elsewhere = checkin_message(FACTS, answer="done", answered_here=False)
    assert action_ids(closed_elsewhere) == []


@pytest.mark.parametrize(
    ("statuses", "named"),
    [
        ((CommitmentStatus.DONE, CommitmentStatus.DONE), False),
        ((CommitmentStatus.DONE, CommitmentStatus.LET_GO), True),
    ],
)
def test_letting_go_is_named_only_when_something_was_let_go(
    statuses: tuple[CommitmentStatus, ...], named: bool
) -> None:
    facts = RecapFacts(
        title="t",
        days=3,
        what_happened=None,
        lesson=None,
        outcomes=[("Plan", "x", status) for status in statuses],
        share_setback_id=4,
    )
    _, blocks = recap_message(facts)
    closing = blocks[-1]["elements"][0]["text"]
    assert ("Letting something go" in closing) is named
    assert action_ids(blocks) == ["setback_share_open"]
    valid(blocks)


def test_the_recap_of_a_reflection_on_hold_offers_no_share() -> None:
    facts = RecapFacts("t", 3, None, None, [("Plan", "x", CommitmentStatus.DONE)])
    assert action_ids(recap_message(facts)[1]) == []


def test_the_question_about_a_reply_quotes_the_plans_never_the_reply() -> None:
    choices = [
        NoteChoice(11, CommitmentKind.GROWTH, "If <!channel> pings, then I will breathe"),
        NoteChoice(12, CommitmentKind.AMENDS, "Walk support through it"),
    ]
    fallback, blocks = note_question("1795700000.000100", choices)
    assert fallback == "Which plan is your reply about?"
    assert action_ids(blocks) == ["setback_note_for", "setback_note_for", "setback_note_skip"]
    values = [b["accessory"]["value"] for b in blocks if "accessory" in b]
    assert values == ["11:1795700000.000100", "12:1795700000.000100"]
    shown = " ".join(str(b) for b in blocks)
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    valid(blocks)
