"""Harsh self-judgement written while it stung ("I'm such an idiot.") stays out of a shared
retro by default: the composer leaves those sentences out, says how many (never which),
and lets the author put them back on purpose."""

from __future__ import annotations

import logging
from typing import Any

from tests.integration.harness import ADA, SAMPLE_STEPS, Harness, Values, form, text
from tests.integration.test_share import (
    compose_values,
    dump,
    open_share,
    post,
    to_preview,
)

HAPPENED = "I pushed a config change at 16:40. I'm such an idiot. Checkout failed for 20 minutes."
LESSON = "Checks that rely on memory fail on busy days. I always mess everything up."
HARSH = ("such an idiot", "mess everything up")
KEEP = {"keep_harsh": {"keep_harsh": {"selected_options": [{"value": "keep"}]}}}


def _steps(happened: str = HAPPENED, lesson: str = LESSON) -> tuple[Values, ...]:
    steps = list(SAMPLE_STEPS)
    steps[0] = {**steps[0], **form(facts=text(happened))}
    steps[5] = {**steps[5], **form(lesson=text(lesson))}
    return tuple(steps)


def _by_id(view: dict[str, Any]) -> dict[str, Any]:
    return {b.get("block_id"): b for b in view["blocks"]}


def _harsh_in(value: Any) -> list[str]:
    shown = dump(value)
    return [p for p in HARSH if p in shown]


def test_a_shared_retro_leaves_harsh_self_judgement_out_by_default(harness, caplog) -> None:
    h = harness
    summary = h.finish_setback(ADA, _steps())
    with caplog.at_level(logging.DEBUG):
        compose = open_share(h, ADA, summary)
        offered = _by_id(compose)["sections"]["element"]["options"]
        assert _harsh_in(offered) == [], "the parts' descriptions show what will be posted"
        box = _by_id(compose)["keep_harsh"]["element"]
        assert box["options"][0]["text"]["text"] == "Include the sentences Setback left out"
        assert "2 sentences here are harsh on you" in dump(box["options"][0])
        assert "initial_options" not in box, "left out unless the author ticks it"

        preview = to_preview(h, ADA, compose_values("C0GENERAL", ("happened", "lesson")))
        shown = dump(preview["blocks"])
        assert _harsh_in(shown) == []
        assert "Setback left out 2 sentences that are harsh on you" in shown
        assert "I pushed a config change at 16:40. Checkout failed for 20 minutes." in shown
        assert "Character" not in shown, "nothing left to flag as a verdict on a person"

        message = post(h, ADA, "C0GENERAL")
        h.settle()
    assert _harsh_in(message) == []
    assert "Checks that rely on memory fail on busy days." in dump(message["blocks"])
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert _harsh_in(logged) == [], "never quoted in a log"


def test_the_author_can_put_the_sentences_back_and_take_them_out_again(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA, _steps())
    open_share(h, ADA, summary)
    values = {**compose_values("C0GENERAL", ("happened", "lesson")), **KEEP}
    preview = to_preview(h, ADA, values)
    shown = dump(preview["blocks"])
    assert _harsh_in(shown) == list(HARSH), "put back on purpose"
    assert "Setback left out" not in shown

    h.slack.click(ADA, "setback_share_to_compose", view_id=preview["id"])
    compose = h.wait_modal(ADA, "setback_share_compose")
    kept = _by_id(compose)["keep_harsh"]["element"]["initial_options"]
    assert [o["value"] for o in kept] == ["keep"], "Back keeps the choice"

    preview = to_preview(h, ADA, compose_values("C0GENERAL", ("happened", "lesson")))
    assert _harsh_in(preview["blocks"]) == [], "unticked: left out again"
    assert "Setback left out 2 sentences" in dump(preview["blocks"])


def test_a_part_edited_by_hand_keeps_the_authors_words(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA, _steps())
    open_share(h, ADA, summary)
    preview = to_preview(h, ADA, compose_values("C0GENERAL", ("happened", "lesson")))
    h.slack.click(ADA, "setback_share_to_edit", view_id=preview["id"])
    h.wait_modal(ADA, "setback_share_edit")
    mine = "A config change took checkout down for 20 minutes."
    h.submit(
        ADA,
        form(
            title=text("Config push broke checkout"),
            text_happened=text(mine),
            text_lesson=text("Checks that rely on memory fail on busy days."),
        ),
    )
    preview = h.wait_modal(ADA, "setback_share_preview")
    h.slack.click(ADA, "setback_share_to_compose", view_id=preview["id"])
    h.wait_modal(ADA, "setback_share_compose")

    values = {**compose_values("C0GENERAL", ("happened", "lesson")), **KEEP}
    shown = dump(to_preview(h, ADA, values)["blocks"])
    assert mine in shown and "such an idiot" not in shown, "the edit stands"
    assert "mess everything up" in shown, "an untouched part takes the sentence back"


def test_a_part_that_is_only_harsh_words_is_not_posted_empty(harness) -> None:
    h: Harness = harness
    summary = h.finish_setback(ADA, _steps(happened="I'm such an idiot."))
    compose = open_share(h, ADA, summary)
    happened = next(
        o for o in _by_id(compose)["sections"]["element"]["options"] if o["value"] == "happened"
    )
    assert "such an idiot" not in dump(happened)
    resp = h.submit(ADA, compose_values("C0GENERAL", ("happened",)))
    answer = resp.json()
    assert answer["response_action"] == "errors"
    assert "Setback left them out" in answer["errors"]["sections"]
    assert h.ws.history("C0GENERAL") == []
