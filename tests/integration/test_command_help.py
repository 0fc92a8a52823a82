"""`/setback` as a person types it: unknown words, a resume with nothing to resume, the
help's description of the reflection, and modal titles that do not repeat the heading."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from bot.reflection.screens import TOTAL_STEPS
from storage.db import session_scope
from storage.models import Setback
from tests.integration.harness import ADA, SAMPLE_STEPS


def _answer(h, user: str, words: str) -> dict[str, Any]:
    """The ephemeral answer to `/setback <words>`, as the person sees it."""
    before = len(h.ws.ephemeral_messages(user))
    resp = h.command(user, words)
    assert resp.error is None
    answer = resp.json()
    assert answer["response_type"] == "ephemeral"
    assert len(h.ws.ephemeral_messages(user)) == before + 1
    return answer


def _first_text(answer: dict[str, Any]) -> str:
    return answer["blocks"][0]["text"]["text"]


def _setbacks(h) -> list[Setback]:
    with session_scope(h.rt.engine, readonly=True) as s:
        return list(s.exec(select(Setback)))


def test_an_unknown_subcommand_is_named_before_the_help(harness) -> None:
    h = harness
    answer = _answer(h, ADA, "frobnicate")
    assert _first_text(answer).startswith("I don't know `/setback frobnicate`.")
    body = json.dumps(answer)
    assert "/setback resume" in body and "Private by default" in body  # then the help
    assert h.modal(ADA) is None


def test_help_itself_does_not_say_it_is_unknown(harness) -> None:
    answer = _answer(harness, ADA, "help")
    assert "I don't know" not in json.dumps(answer)


def test_a_typo_is_pointed_to_the_subcommand_meant(harness) -> None:
    answer = _answer(harness, ADA, "exprot")
    assert "I don't know `/setback exprot`. Did you mean `/setback export`?" in _first_text(answer)


def test_the_unknown_word_is_shown_inert(harness) -> None:
    answer = _answer(harness, ADA, "<!channel>`*bold*`")
    line = _first_text(answer)
    assert "<!channel>" not in json.dumps(answer)
    assert line.startswith("I don't know `/setback &lt;!channel&gt;*bold*`.")


def test_resume_with_no_draft_says_so_and_offers_to_start_one(harness) -> None:
    h = harness
    resp = h.command(ADA, "resume")
    assert resp.status == 200 and resp.error is None
    view = h.wait_modal(ADA, "setback_nothing_to_resume")
    assert "no reflection in progress" in json.dumps(view["blocks"])
    assert view["submit"]["text"] == "Start a reflection"
    assert _setbacks(h) == []  # nothing started behind the person's back

    assert h.submit(ADA, {}).error is None
    step_one = h.wait_modal(ADA, "setback_step", 0)
    assert "Step 1 of 6" in json.dumps(step_one["blocks"])


def test_resume_with_a_draft_still_goes_straight_back(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    h.submit(ADA, SAMPLE_STEPS[0])
    h.wait_modal(ADA, "setback_step", 1)
    h.slack.close_view(ADA, h.modal(ADA)["id"])
    h.command(ADA, "resume")
    h.wait_modal(ADA, "setback_step", 1)


def test_help_lists_as_many_screens_as_it_counts(harness) -> None:
    answer = _answer(harness, ADA, "help")
    about = next(b["text"]["text"] for b in answer["blocks"] if "short screens" in str(b))
    listed = about.split(" — ")[1]
    topics = [t for part in listed.split(", ") for t in part.split(" and ")]
    assert len(topics) == TOTAL_STEPS, topics
    assert "six short screens" in about
    assert topics[0] == "what happened"


def test_no_modal_title_repeats_its_heading(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    for step, values in enumerate(SAMPLE_STEPS):
        view = h.wait_modal(ADA, "setback_step", step)
        title = view["title"]["text"]
        heading = next(b["text"]["text"] for b in view["blocks"] if b["type"] == "header")
        assert title != heading, f"step {step + 1}: {title!r}"
        assert len(title) <= 24
        h.submit(ADA, values)
