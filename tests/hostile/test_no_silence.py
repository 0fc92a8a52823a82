"""Every wait ends in a message within seconds (issue: `/setback share` and `/setback
settings` with an expired trigger said nothing; a share post answered 500 with nothing
posted left the author waiting 15 minutes for housekeeping).

The real app over HTTP with the sandbox Slack (the integration harness).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.reflection.summary_view import TRIGGER_EXPIRED
from handlers.commands import too_late
from tests.hostile.test_followup_burst import HeldViews
from tests.integration.harness import ADA, BEN, Harness, wait_for
from tests.integration.test_share import (
    ALL,
    compose_values,
    dump,
    open_share,
    owned_share,
    to_preview,
)
from tests.virtual_time import VirtualClock


@pytest.fixture
def h(tmp_path) -> Iterator[Harness]:
    harness = Harness(tmp_path).start()
    yield harness
    harness.stop()


def told(h: Harness, user: str, text: str) -> bool:
    return any(r["user"] == user and r["payload"].get("text") == text for r in h.ws.responses)


@pytest.mark.parametrize("sub", ["share", "settings", ""])
def test_a_trigger_slack_refuses_as_expired_is_followed_by_a_note(h: Harness, sub: str) -> None:
    h.ws.fail_next("views.open", error="expired_trigger_id")  # the 3 s went by
    ack = h.command(ADA, sub)
    assert ack.error is None
    wait_for(lambda: told(h, ADA, too_late(sub)), what="the note to type it again")
    assert f"`/setback {sub}`".replace(" `", "`") in too_late(sub)
    assert h.modal(ADA) is None


@pytest.mark.parametrize("sub", ["share", "settings"])
def test_a_subcommand_queued_past_its_trigger_is_never_opened(h: Harness, sub: str) -> None:
    """Both modal threads are stuck in a slow Slack; the subcommand waits behind them,
    its trigger id runs out, and it is not attempted: a note says to type it again."""
    clock = VirtualClock()
    h.ws.clock = clock
    h.rt.ticks = clock
    held = HeldViews(h)
    try:
        h.command(BEN)
        h.command(ADA)
        wait_for(lambda: held.held == 2, what="both modal threads held")
        ack = h.command(ADA, sub)
        assert ack.error is None and ack.text == ""
        clock.advance(5.0)
        wait_for(lambda: told(h, ADA, too_late(sub)), what="the note to type it again")
    finally:
        held.close()
    assert h.rt.drain()
    opened = [c for c in h.ws.calls if c["method"] == "views.open"]
    assert len(opened) == 2, "the subcommand's modal was never attempted"
    assert h.ws.rejections == []
    assert too_late(sub) != TRIGGER_EXPIRED and f"/setback {sub}" in too_late(sub)


def test_a_share_post_slack_refuses_with_500_is_reported_at_once(h: Harness) -> None:
    summary = h.finish_setback(ADA)
    open_share(h, ADA, summary)
    preview = to_preview(h, ADA, compose_values("C0GENERAL", ALL))
    h.ws.fail_next("chat.postMessage", status=500)  # Slack answered: an error, no post
    h.submit(ADA, {})

    def failure_dm() -> list[dict]:
        return [m for m in h.thread(ADA, summary) if "wasn't posted" in (m.get("text") or "")]

    (dm,) = wait_for(failure_dm, what="the DM saying it wasn't posted")  # not 15 min later
    assert "Open the draft again" in dump(dm["blocks"]), "and the kept draft to reopen"
    assert h.ws.history("C0GENERAL") == []
    share = owned_share(h, ADA)
    assert (share.status, share.error) == ("failed", "slack_error")
    screen = wait_for(
        lambda: (v := h.ws.view(preview["id"])) and v["title"]["text"] != "Posting" and v,
        what="the Posting screen to change",
    )
    assert "wasn't posted" in dump(screen["blocks"])
