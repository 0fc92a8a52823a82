"""The reflection's promises on the real journey, over HTTP (issue #12).

Harsh self-judgement said once is never repeated outside the modal (the export keeps
it); the screens read as they should (no word said twice, no "slip", no example that
its own check rejects, nothing asked that does not apply); the support plan names the
people chosen; helplines wait for the crisis path, where the calm choice comes first.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from bot.language.kindness import REFLECTIONS
from bot.reflection.screens import screen
from scheduler.dispatcher import run_once
from storage.db import session_scope
from storage.models import Commitment, Setback
from tests.integration.harness import (
    ADA,
    BEN,
    SAMPLE_STEPS,
    Harness,
    choice,
    choices,
    day,
    form,
    text,
    users,
    wait_for,
)
from tests.integration.test_export import export_files
from tests.integration.test_home import open_home

HARSH_FACTS = (
    "I pushed a config change at 16:40. I'm such an idiot. Checkout failed for 20 minutes."
)
HARSH_LESSON = "I always mess up. Checks that rely on memory fail on busy days."
HARSH_REPAIR = "Walk support through what happened. I'm useless at this."
HARSH_WORDS = ("idiot", "always mess up", "useless")


def _blocks(thing: dict[str, Any] | None) -> str:
    return json.dumps((thing or {}).get("blocks", []))


def _commitments(h: Harness) -> list[Commitment]:
    with session_scope(h.rt.engine, readonly=True) as s:
        return sorted(s.exec(select(Commitment)), key=lambda c: c.position)


def _walk_to(h: Harness, step: int, steps: tuple[dict[str, Any], ...] = SAMPLE_STEPS) -> None:
    h.open_reflection(ADA)
    for i in range(step):
        assert h.submit(ADA, steps[i]).error is None
        h.wait_modal(ADA, "setback_step", i + 1)


def _harsh_steps() -> tuple[dict[str, Any], ...]:
    steps = list(SAMPLE_STEPS)
    steps[0] = {**steps[0], **form(facts=text(HARSH_FACTS))}
    steps[2] = {**steps[2], **form(repair=text(HARSH_REPAIR))}
    steps[5] = form(
        lesson=text(HARSH_LESSON),
        if_1=text("I'm about to merge a config change"),
        then_1=text("run the migration check first"),
        schedule_1=choice("once_week"),
    )
    return tuple(steps)


# --- item 4: harsh self-judgement is never repeated outside the modal ---------------------


def test_harsh_sentences_stay_out_of_the_summary_and_home_but_not_the_export(
    harness: Harness,
) -> None:
    h = harness
    open_home(h, ADA)  # Ada has her Home open: finishing republishes it
    h.finish_setback(ADA, _harsh_steps())
    summary = h.dm(ADA)[-1]
    blocks = _blocks(summary)
    assert "I pushed a config change at 16:40. Checkout failed for 20 minutes." in blocks
    assert "Checks that rely on memory fail on busy days." in blocks  # the rest of the lesson
    assert "Walk support through what happened." in blocks  # the rest of the repair
    for harsh in HARSH_WORDS:
        assert harsh not in blocks, harsh

    home = wait_for(lambda: "Recent lessons" in _blocks(h.ws.home_view(ADA)), what="Home")
    assert home
    shown = _blocks(h.ws.home_view(ADA))
    assert "Checks that rely on memory fail on busy days." in shown
    for harsh in HARSH_WORDS:
        assert harsh not in shown, harsh

    # The export is the person's own copy: every word stays.
    h.command(ADA, "export")
    files = export_files(h, ADA)
    for harsh in ("I'm such an idiot.", "I always mess up.", "I'm useless at this."):
        assert harsh in files["md"].decode(), harsh


def test_harsh_sentences_stay_out_of_checkins_and_the_recap(harness: Harness) -> None:
    h = harness
    root = h.finish_setback(ADA, _harsh_steps())
    # Well after both due dates: the repair's and the one weekly check-in go out.
    h.clock.set(datetime(2026, 12, 10, 10, 0, tzinfo=UTC))
    assert run_once(h.rt).sent == 2
    posted = [m for m in h.thread(ADA, root)[1:] if m.get("metadata")]
    assert len(posted) == 2
    repair = next(m for m in posted if "repair" in m["text"].lower())
    assert "Walk support through what happened." in _blocks(repair)
    assert "useless" not in _blocks(repair)

    # The note modal quotes the commitment too.
    channel = h.ws.im_channel_for(ADA)
    h.slack.click(ADA, "setback_checkin_note", message=(channel, repair["ts"]))
    note = h.wait_modal(ADA, "setback_checkin_note")
    assert "Walk support through what happened." in _blocks(note)
    assert "useless" not in _blocks(note)
    h.slack.close_view(ADA, note["id"])

    for message in posted:
        h.slack.click(ADA, "setback_checkin_done", message=(channel, message["ts"]))
    recap = wait_for(
        lambda: [
            m
            for m in h.thread(ADA, root)
            if (m.get("metadata") or {}).get("event_type") == "setback_recap"
        ],
        what="recap",
    )[0]
    blocks = _blocks(recap)
    assert "Checkout failed for 20 minutes." in blocks
    assert "Checks that rely on memory fail on busy days." in blocks
    for harsh in HARSH_WORDS:
        assert harsh not in blocks, harsh


# --- item 9: screen 4's example is in the format its check accepts ------------------------


def test_the_factors_example_passes_the_factors_check(harness: Harness) -> None:
    h = harness
    _walk_to(h, 3)
    view = h.modal(ADA)
    assert view is not None
    (factors,) = [b for b in view["blocks"] if b.get("block_id") == "factors"]
    example = factors["element"]["placeholder"]["text"]
    answer = h.submit(ADA, {**SAMPLE_STEPS[3], **form(factors=text(example))})
    assert answer.json().get("response_action") == "update", answer.json().get("errors")
    h.wait_modal(ADA, "setback_step", 4)


def test_two_factors_on_one_line_count_as_two(harness: Harness) -> None:
    # However a Slack client lays the example out, the way it reads is accepted.
    h = harness
    _walk_to(h, 3)
    one_line = form(factors=text("Staging data didn't match production; the review came late"))
    answer = h.submit(ADA, {**SAMPLE_STEPS[3], **one_line}).json()
    assert answer.get("response_action") == "update", answer.get("errors")
    h.wait_modal(ADA, "setback_step", 4)


# --- item 15: screen 2 says it once, and leaves room for the first question ---------------

FIRST_VIEW_CHARS = 320  # words above the first question; a phone shows about this much


def _words_above_first_input(view: dict[str, Any]) -> str:
    words = []
    for block in view["blocks"]:
        if block["type"] == "input":
            break
        if block["type"] in ("header", "section"):
            words.append(block["text"]["text"])
        elif block["type"] == "context":
            words += [e.get("text", "") for e in block["elements"]]
    return "\n".join(words)


def test_the_kind_note_takes_the_place_of_screen_twos_intro(harness: Harness) -> None:
    h = harness
    h.open_reflection(ADA)
    h.submit(ADA, {**SAMPLE_STEPS[0], **form(facts=text(HARSH_FACTS))})
    view = h.wait_modal(ADA, "setback_step", 1)
    above = _words_above_first_input(view)
    assert any(r in above for r in REFLECTIONS), "the kind note is shown"
    assert screen(1).intro not in _blocks(view), "and the intro is not said a second time"
    assert len(above) <= FIRST_VIEW_CHARS, len(above)


def test_screen_two_shows_its_intro_without_a_kind_note(harness: Harness) -> None:
    h = harness
    _walk_to(h, 1)
    view = h.modal(ADA)
    assert view is not None
    above = _words_above_first_input(view)
    assert screen(1).intro in above
    assert len(above) <= FIRST_VIEW_CHARS, len(above)


# --- item 16: no "slip" anywhere a person reads ---------------------------------------------


def test_no_slip_on_the_screens_summary_home_or_help(harness: Harness) -> None:
    h = harness
    seen: list[str] = []
    open_home(h, ADA)  # Ada has her Home open: finishing republishes it
    h.open_reflection(ADA)
    for i, values in enumerate(SAMPLE_STEPS):
        seen.append(_blocks(h.modal(ADA)))
        assert h.submit(ADA, values).error is None
        if i < len(SAMPLE_STEPS) - 1:
            h.wait_modal(ADA, "setback_step", i + 1)
    summary = wait_for(lambda: h.dm(ADA), what="summary")[-1]
    seen.append(_blocks(summary))
    wait_for(lambda: h.ws.home_view(ADA), what="Home")
    h.settle()
    seen.append(_blocks(h.ws.home_view(ADA)))
    seen.append(json.dumps(h.command(ADA, "help").json()))
    for where, words in enumerate(seen):
        assert "slip" not in words.lower(), where
    assert "says nothing about your worth" in seen[-3]  # the summary's closing line


# --- item 18: how strong a feeling is, only when a feeling was picked ----------------------


def test_intensity_is_asked_only_with_a_feeling(harness: Harness) -> None:
    h = harness
    _walk_to(h, 1)
    no_feeling = form(friend=text("You caught it fast; that matters."))
    answer = h.submit(ADA, no_feeling).json()
    assert answer.get("response_action") == "update", answer.get("errors")
    h.wait_modal(ADA, "setback_step", 2)

    h.slack.click(ADA, "setback_back", view_id=h.modal(ADA)["id"])
    h.wait_modal(ADA, "setback_step", 1)
    feeling_only = form(feelings=choices("anxious"), friend=text("You caught it fast."))
    answer = h.submit(ADA, feeling_only).json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"intensity"}


# --- item 19: the support plan names who was chosen; the author is not one of them --------


def test_the_support_plan_names_the_people_chosen(harness: Harness) -> None:
    h = harness
    steps = list(SAMPLE_STEPS)
    steps[4] = form(
        people=users(BEN, "<!channel>"),  # a crafted id never becomes markup
        support_kinds=choices("peer"),
        reach_out_by=day("2026-11-26"),
    )
    root = h.finish_setback(ADA, tuple(steps))
    (support,) = [c for c in _commitments(h) if c.kind == "support"]
    assert support.text == f"Reach out to <@{BEN}> for support"
    summary = _blocks(h.dm(ADA)[-1])
    assert f"<@{BEN}>" in summary and "&lt;@" not in summary

    h.clock.set(datetime(2026, 11, 26, 9, 0, 30, tzinfo=UTC))
    run_once(h.rt)
    (checkin,) = [m for m in h.thread(ADA, root)[1:] if "support" in m["text"].lower()]
    shown = _blocks(checkin)
    assert f"<@{BEN}>" in shown, "quoted back as a mention"
    assert "someone for support" not in shown and "&lt;@" not in shown


def test_a_support_plan_without_people_names_the_kind_of_support(harness: Harness) -> None:
    h = harness
    steps = list(SAMPLE_STEPS)
    steps[4] = form(support_kinds=choices("manager", "mentor"), reach_out_by=day("2026-11-26"))
    h.finish_setback(ADA, tuple(steps))
    (support,) = [c for c in _commitments(h) if c.kind == "support"]
    assert support.text == "Reach out to your manager or a mentor for support"


def test_the_author_cannot_pick_themselves_to_talk_to(harness: Harness) -> None:
    h = harness
    _walk_to(h, 4)
    answer = h.submit(ADA, form(people=users(ADA, BEN))).json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"people"}
    assert h.modal(ADA)["private_metadata"].endswith('"step":4}')


def test_text_shaped_like_a_mention_in_an_answer_stays_text(
    harness: Harness,
) -> None:
    h = harness
    steps = list(SAMPLE_STEPS)
    steps[2] = {**steps[2], **form(repair=text("Tell <!channel> and <@U0ADA> what changed."))}
    h.finish_setback(ADA, tuple(steps))
    summary = _blocks(h.dm(ADA)[-1])
    assert "&lt;!channel&gt;" in summary and "&lt;@U0ADA&gt;" in summary
    assert "<!channel>" not in summary and "<@U0ADA>" not in summary


# --- item 20: helplines for the crisis path only; the calm choice is the primary one -------


def test_the_support_screen_shows_no_helplines(harness: Harness) -> None:
    h = harness
    _walk_to(h, 4)
    blocks = _blocks(h.modal(ADA))
    assert "findahelpline.com" not in blocks and "iasp.info" not in blocks
    assert "Places that can help" not in blocks


def test_the_care_screens_primary_button_is_the_calm_one(harness: Harness) -> None:
    h = harness
    _walk_to(h, 1)
    crisis = {**SAMPLE_STEPS[1], **form(friend=text("Honestly I want to end it all."))}
    h.submit(ADA, crisis)
    care = h.wait_modal(ADA, "setback_care")
    assert "https://findahelpline.com" in _blocks(care)  # the resources stay here
    assert care["submit"]["text"] == "Take a break"
    (keep_going,) = [
        e
        for b in care["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "setback_care_continue"
    ]
    assert "Keep going" in keep_going["text"]["text"]
    assert "style" not in keep_going, "a plain button, not a primary one"

    # Taking a break closes the modal and keeps the draft, ready at the next screen.
    assert h.submit(ADA, {}).json()["response_action"] == "clear"
    assert h.modal(ADA) is None
    with session_scope(h.rt.engine, readonly=True) as s:
        (setback,) = s.exec(select(Setback)).all()
    assert (setback.status, setback.current_step) == ("draft", 2)
    h.command(ADA, "resume")
    h.wait_modal(ADA, "setback_step", 2)


def test_keep_going_on_the_last_screen_finishes_the_reflection(harness: Harness) -> None:
    h = harness
    _walk_to(h, 5)
    last = {**SAMPLE_STEPS[5], **form(lesson=text("Honestly I want to end it all."))}
    h.submit(ADA, last)
    care = h.wait_modal(ADA, "setback_care")
    h.slack.click(ADA, "setback_care_continue", view_id=care["id"])
    wait_for(lambda: h.dm(ADA), what="summary DM")
    saved = h.wait_modal(ADA, "setback_gone")
    assert "Your reflection is saved" in _blocks(saved)
    with session_scope(h.rt.engine, readonly=True) as s:
        assert s.exec(select(Setback)).one().status == "complete"
