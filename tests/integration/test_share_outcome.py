"""The "Posting…" screen follows the post: once it lands, the open modal shows the link;
when it fails, what went wrong and what to do; when Slack's answer is lost, that Setback
is still looking. A modal closed meanwhile is left alone, and the DM still says it."""

from __future__ import annotations

import logging
from typing import Any

from tests.integration.harness import ADA, Harness, wait_for
from tests.integration.test_share import (
    ALL,
    compose_values,
    confirmation,
    dump,
    open_share,
    owned_share,
    post,
    to_preview,
)


def _outcome_screen(h: Harness, view_id: str) -> dict[str, Any]:
    """The author's modal once it no longer says "Posting…" (still the same modal)."""
    return wait_for(
        lambda: (
            (view := h.ws.view(view_id))
            and h.ws.is_open(view_id)
            and view["title"]["text"] != "Posting"
            and view
        ),
        what="the Posting screen to change",
    )


def _updates(h: Harness, view_id: str) -> list[dict[str, Any]]:
    return [
        c for c in h.ws.calls if c["method"] == "views.update" and c["params"]["view_id"] == view_id
    ]


def _at_preview(h: Harness, channel: str) -> tuple[str, dict[str, Any]]:
    summary = h.finish_setback(ADA)
    open_share(h, ADA, summary)
    return summary, to_preview(h, ADA, compose_values(channel, ALL))


def test_the_posting_screen_turns_into_a_link_to_the_post(harness) -> None:
    h = harness
    summary, preview = _at_preview(h, "C0GENERAL")
    message = post(h, ADA, "C0GENERAL")

    screen = _outcome_screen(h, preview["id"])
    shown = dump(screen["blocks"])
    assert screen["id"] == preview["id"], "the open modal is updated in place"
    assert f"/archives/C0GENERAL/p{message['ts'].replace('.', '')}" in shown
    assert "posted in <#C0GENERAL>, under your name" in shown
    assert "Delete shared summary" in shown, "it says where taking it back lives"
    assert "Posting your blameless retro" not in shown
    assert confirmation(h, ADA, summary)  # the DM says it too


def test_a_failed_post_turns_the_posting_screen_into_what_went_wrong(harness) -> None:
    h = harness
    _, preview = _at_preview(h, "C0RETROS")
    h.ws.archive_channel("C0RETROS")  # archived while the preview was open
    resp = h.submit(ADA, {})
    assert resp.error is None and resp.json()["view"]["title"]["text"] == "Posting"

    screen = _outcome_screen(h, preview["id"])
    shown = dump(screen["blocks"])
    assert "wasn't posted in <#C0RETROS>" in shown
    assert "That channel is archived" in shown and "Please pick another one" in shown
    assert "Open the draft again" in shown, "what to do next: the kept draft"
    assert h.ws.history("C0RETROS") == []
    assert owned_share(h, ADA).status == "failed"


def test_a_lost_answer_says_setback_is_still_looking(harness) -> None:
    h = harness
    _, preview = _at_preview(h, "C0GENERAL")
    h.ws.fail_next("chat.postMessage", status=503)  # did it land? the bot cannot know
    h.submit(ADA, {})

    screen = _outcome_screen(h, preview["id"])
    shown = dump(screen["blocks"])
    assert "couldn't confirm" in shown and "DM" in shown
    assert "wasn't posted" not in shown, "no promise it can't keep"
    assert owned_share(h, ADA).status == "posting"


def test_a_modal_closed_before_the_post_lands_is_left_alone_quietly(harness, caplog) -> None:
    h = harness
    summary, preview = _at_preview(h, "C0GENERAL")

    def close_when_posted(kind: str, data: dict[str, Any]) -> None:
        if kind == "message_posted" and data["channel"] == "C0GENERAL":
            h.ws.close_view(preview["id"])  # the author closed "Posting…" meanwhile

    h.ws.subscribe(close_when_posted)
    with caplog.at_level(logging.DEBUG):
        h.submit(ADA, {})
        wait_for(lambda: owned_share(h, ADA).confirm_ts, what="the confirmation DM")
        wait_for(lambda: _updates(h, preview["id"]), what="the try to update the modal")
        h.settle()

    (update,) = _updates(h, preview["id"])
    assert (update["ok"], update["error"]) == (False, "not_found")  # Slack's answer
    assert owned_share(h, ADA).status == "posted"
    assert confirmation(h, ADA, summary), "the DM still says it"
    assert not h.ws.is_open(preview["id"]), "nothing reopened"
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert loud == [], [r.getMessage() for r in loud]
