"""The share flow's words read right: singular and plural, labels that say what a box
does, a placeholder that fits any setback."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core.actor import Actor
from bot.journal import erase
from bot.sharing import post as posting
from bot.sharing.draft import read_metadata
from tests.integration.harness import ADA, SAMPLE_STEPS, form, text
from tests.integration.test_share import (
    compose_values,
    dump,
    mrkdwn_texts,
    open_share,
    to_preview,
)

ONE_FLAG = "I should have run the check first."
TWO_FLAGS = "I should have run the check first. Human error."


def _check_line(view: dict) -> str:
    (line,) = [t for t in mrkdwn_texts(view) if t.startswith("*Blameless check:*")]
    return line


def test_the_blameless_check_counts_one_phrase_and_several_phrases_right(harness) -> None:
    h = harness
    steps = list(SAMPLE_STEPS)
    steps[5] = {**steps[5], **form(lesson=text(ONE_FLAG))}
    summary = h.finish_setback(ADA, tuple(steps))
    open_share(h, ADA, summary)
    preview = to_preview(h, ADA, compose_values("C0GENERAL", ("lesson",)))
    line = _check_line(preview)
    assert line.startswith("*Blameless check:* 1 phrase might read as blame. It has a reframe")
    assert "Each has" not in line

    h.slack.click(ADA, "setback_share_to_edit", view_id=preview["id"])
    h.wait_modal(ADA, "setback_share_edit")
    h.submit(ADA, form(title=text("Config push broke checkout"), text_lesson=text(TWO_FLAGS)))
    preview = h.wait_modal(ADA, "setback_share_preview")
    assert TWO_FLAGS in dump(preview["blocks"])
    line = _check_line(preview)
    assert line.startswith("*Blameless check:* 2 phrases might read as blame. Each has a reframe")


def test_the_anonymous_box_and_the_intro_read_right(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    compose = open_share(h, ADA, summary)
    by_id = {b.get("block_id"): b for b in compose["blocks"]}
    anonymous = by_id["anonymous"]
    # Slack shows an optional input's label with "(optional)": "Name (optional)" over a
    # box that hides the name read as a field for typing one.
    assert anonymous["optional"] is True and anonymous["label"]["text"] == "Anonymous"
    option = anonymous["element"]["options"][0]
    assert option["text"]["text"] == "Leave my name off the post"
    placeholder = by_id["intro"]["element"]["placeholder"]["text"]
    assert "last week" not in placeholder and "so we all can" not in placeholder
    assert placeholder == "Sharing what I learned, in case it helps someone else"


def test_housekeeping_counts_settled_shares_in_words(harness, caplog) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    open_share(h, ADA, summary)
    preview = to_preview(h, ADA, compose_values("C0GENERAL", ("lesson",)))
    actor, meta = Actor(h.ws.team_id, ADA), read_metadata(preview["private_metadata"])
    posting.submit_post(h.rt, actor, meta)  # Post answered; the process stops before posting
    h.slack.close_view(ADA, h.modal(ADA)["id"])
    h.clock.advance(timedelta(minutes=16))
    with caplog.at_level(logging.INFO, logger="bot.sharing.recovery"):
        erase.housekeeping(h.rt, h.clock.now())
    assert "settled 1 interrupted share" in caplog.text
    assert "(s)" not in caplog.text
