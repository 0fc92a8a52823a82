"""A button that opens a modal ends in a message within seconds, whatever happens to its
trigger id (issue: Home buttons, the summary's "Share a blameless retro" and a check-in's
"Add a note" said nothing when Slack refused the expired trigger id, or when the work
waited past it).

The real app over HTTP with the sandbox Slack (the integration harness). Slack refusing
the trigger is Slack's own answer (`fail_next`); a trigger that runs out while the work
waits is virtual time, shared by the sandbox (which refuses trigger ids older than 3 s)
and the bot's deadlines, as in `test_no_silence`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.journal import views
from handlers.clicks import CLICK_AGAIN
from scheduler.dispatcher import run_once
from tests.hostile.test_followup_burst import HeldViews
from tests.integration.harness import ADA, BEN, START, Harness, wait_for
from tests.integration.test_checkins import DAY, finish, posted_checkins
from tests.integration.test_home import make_draft, open_home
from tests.virtual_time import VirtualClock

HOME_BUTTONS = (
    views.ACTION_START,
    views.ACTION_RESUME,
    views.ACTION_OPEN,
    views.ACTION_SETTINGS,
    views.ACTION_ERASE,
)


@pytest.fixture
def h(tmp_path) -> Iterator[Harness]:
    harness = Harness(tmp_path).start()
    yield harness
    harness.stop()


def dm_texts(h: Harness, user: str) -> list[str]:
    return [m.get("text") or "" for m in h.dm(user)]


def ephemerals(h: Harness, user: str, text: str) -> list[dict[str, Any]]:
    return [m for m in h.ws.ephemeral_messages(user) if m.get("text") == text]


def first_block(home: dict[str, Any], action_id: str) -> str:
    """The block holding the first element with `action_id` on the Home."""
    for block in home["blocks"]:
        elements = block.get("elements") or [block.get("accessory") or {}]
        if any(e.get("action_id") == action_id for e in elements):
            return str(block["block_id"])
    raise LookupError(action_id)


def test_every_home_button_whose_trigger_slack_refuses_says_to_click_again(h: Harness) -> None:
    h.finish_setback(ADA)
    make_draft(h, ADA)
    home = open_home(h, ADA)
    for action in HOME_BUTTONS:
        before = dm_texts(h, ADA).count(CLICK_AGAIN)
        h.ws.fail_next("views.open", error="expired_trigger_id")  # the 3 s went by
        resp = h.slack.click(ADA, action, view_id=home["id"], block_id=first_block(home, action))
        assert resp.error is None
        wait_for(
            lambda: dm_texts(h, ADA).count(CLICK_AGAIN) == before + 1,  # noqa: B023
            what=f"the note to click {action} again",
        )
        h.settle()
        assert h.modal(ADA) is None, action


def test_a_home_button_queued_past_its_trigger_is_never_opened_and_says_so(h: Harness) -> None:
    """Both modal threads are stuck in a slow Slack; the click waits behind them, its
    trigger id runs out, and the modal is not attempted: a DM says to click again."""
    home = open_home(h, ADA)
    clock = VirtualClock()
    h.ws.clock = clock
    h.rt.ticks = clock
    held = HeldViews(h)
    try:
        h.command(BEN)
        h.command(BEN, "settings")
        wait_for(lambda: held.held == 2, what="both modal threads held")
        assert h.slack.click(ADA, views.ACTION_START, view_id=home["id"]).error is None
        clock.advance(5.0)
        wait_for(lambda: CLICK_AGAIN in dm_texts(h, ADA), what="the note to click again")
    finally:
        held.close()
    assert h.rt.drain()
    opened = [c for c in h.ws.calls if c["method"] == "views.open"]
    assert len(opened) == 2, "the Home button's modal was never attempted"
    assert h.ws.rejections == []


def test_share_on_the_summary_whose_trigger_slack_refuses_says_to_click_again(
    h: Harness,
) -> None:
    summary = h.finish_setback(ADA)
    h.ws.fail_next("views.open", error="expired_trigger_id")
    resp = h.slack.click(ADA, "setback_share_open", message=(h.ws.im_channel_for(ADA), summary))
    assert resp.error is None
    (note,) = wait_for(lambda: ephemerals(h, ADA, CLICK_AGAIN), what="the note, where she clicked")
    assert note["channel"] == h.ws.im_channel_for(ADA)
    assert h.modal(ADA) is None


def test_add_a_note_whose_trigger_slack_refuses_says_to_click_again(h: Harness) -> None:
    root = finish(h)
    h.clock.set(START + DAY)
    run_once(h.rt)
    checkin = posted_checkins(h, root)[0]
    h.ws.fail_next("views.open", error="expired_trigger_id")
    resp = h.slack.click(
        ADA, "setback_checkin_note", message=(h.ws.im_channel_for(ADA), checkin["ts"])
    )
    assert resp.error is None
    (note,) = wait_for(lambda: ephemerals(h, ADA, CLICK_AGAIN), what="the note, where she clicked")
    assert note["channel"] == h.ws.im_channel_for(ADA)
    assert h.modal(ADA) is None
