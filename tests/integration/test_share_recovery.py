"""Shares whose post was interrupted: the process stopped after answering Slack, or
between `chat.postMessage` and recording it, or Slack's answer to the post was lost.
Housekeeping finds the post in the channel by its metadata and settles the share —
posted with the usual confirmation, or failed with a kind word and the draft kept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.core.actor import Actor
from bot.journal import erase
from bot.sharing import post as posting
from bot.sharing import recovery, views
from bot.sharing.draft import ShareMeta, read_metadata
from storage.models import Share
from tests.integration.harness import ADA, Harness, wait_for
from tests.integration.test_home import open_home, texts
from tests.integration.test_share import (
    ALL,
    MARKERS,
    compose_values,
    dump,
    open_share,
    owned_share,
    post,
    rows,
    to_preview,
)

STALE = timedelta(minutes=16)  # past bot.sharing.recovery.STALE_AFTER


@pytest.fixture
def db_harness(tmp_path, db_url) -> Iterator[Harness]:
    """The harness on SQLite and on PostgreSQL (the conditional status changes)."""
    h = Harness(tmp_path, database_url=db_url).start()
    yield h
    h.stop()


def _prepared(h: Harness, channel: str = "C0GENERAL") -> tuple[str, Actor, ShareMeta]:
    """A finished setback and a share draft at the preview, ready for Post."""
    summary = h.finish_setback(ADA)
    open_share(h, ADA, summary)
    preview = to_preview(h, ADA, compose_values(channel, ALL))
    return summary, Actor(h.ws.team_id, ADA), read_metadata(preview["private_metadata"])


def _queued(h: Harness, actor: Actor, meta: ShareMeta) -> None:
    """Post pressed and answered; the process stops before the post starts."""
    out = posting.submit_post(h.rt, actor, meta)
    assert out.view is not None and out.view.title.text == "Posting"  # type: ignore[union-attr]  # why: the Posting view always has a title
    assert owned_share(h, ADA).status == "queued"
    h.slack.close_view(ADA, h.modal(ADA)["id"])  # the author closes the modal
    assert owned_share(h, ADA).status == "queued", "closing forgets only unposted drafts"


def _housekeeping(h: Harness, after: timedelta) -> dict[str, Any]:
    h.clock.advance(after)
    return erase.housekeeping(h.rt, h.clock.now())


def _thread_texts(h: Harness, summary: str) -> list[str]:
    return [m.get("text") or "" for m in h.thread(ADA, summary)]


def test_a_post_that_landed_but_was_not_recorded_is_found_and_confirmed(db_harness) -> None:
    h = db_harness
    summary, actor, meta = _prepared(h)
    open_home(h, ADA)  # Ada has her Home open: it follows the share
    _queued(h, actor, meta)
    # The post runs, and the process stops right after `chat.postMessage`.
    job = posting._claim_for_posting(h.rt, actor, meta.share_id)
    assert job is not None
    content = views.post_content(job.draft, ADA)
    parts = posting._post_parts(h.rt.web_client(), "C0GENERAL", content, job.share_id)
    assert owned_share(h, ADA).status == "posting"

    assert _housekeeping(h, timedelta(minutes=5))["stale_shares"] == {}, "too soon to tell"
    assert owned_share(h, ADA).status == "posting"

    assert _housekeeping(h, STALE)["stale_shares"] == {"share": 1}
    row = owned_share(h, ADA)
    assert (row.status, row.message_ts, row.extra_ts) == ("posted", parts[0], None)
    assert row.posted_at == h.clock.now() and row.draft is None and row.error is None
    (message,) = h.ws.history("C0GENERAL")  # found, not posted a second time
    assert message["ts"] == parts[0] and MARKERS["lesson"] in dump(message["blocks"])
    history_calls = [c for c in h.ws.calls if c["method"] == "conversations.history"]
    assert history_calls and all(c["params"]["include_all_metadata"] for c in history_calls)

    done = next(m for m in h.thread(ADA, summary) if "is posted in" in (m.get("text") or ""))
    assert row.confirm_ts == done["ts"]
    assert "Config push broke checkout" in texts(h.ws.home_view(ADA)), "the Home lists it"
    assert _housekeeping(h, STALE)["stale_shares"] == {}, "settled once"
    assert sum("is posted in" in t for t in _thread_texts(h, summary)) == 1

    # Its Delete button works like any other.
    h.slack.click(ADA, "setback_share_delete", message=(h.ws.im_channel_for(ADA), done["ts"]))
    wait_for(lambda: owned_share(h, ADA).status == "deleted", what="the share to be deleted")
    assert h.ws.history("C0GENERAL") == []


def test_a_share_queued_when_the_process_stopped_fails_kindly_and_can_be_shared_again(
    harness,
) -> None:
    h = harness
    summary, actor, meta = _prepared(h)
    _queued(h, actor, meta)

    assert _housekeeping(h, STALE)["stale_shares"] == {"share": 1}
    row = owned_share(h, ADA)
    assert (row.status, row.error, row.message_ts) == ("failed", "interrupted", None)
    assert row.draft is not None, "the draft is kept"
    assert h.ws.history("C0GENERAL") == []
    failed = next(m for m in h.thread(ADA, summary) if "wasn't posted" in (m.get("text") or ""))
    assert "nothing went out" in dump(failed["blocks"])
    assert "open it again whenever you'd like" in dump(failed["blocks"])
    assert _housekeeping(h, STALE)["stale_shares"] == {}

    h.slack.click(ADA, "setback_share_resume", message=(h.ws.im_channel_for(ADA), failed["ts"]))
    preview = h.wait_modal(ADA, "setback_share_preview")
    assert "Last time it wasn't posted" in dump(preview["blocks"])
    message = post(h, ADA, "C0GENERAL")
    assert MARKERS["lesson"] in dump(message["blocks"])
    assert owned_share(h, ADA).status == "posted"


def test_a_lost_answer_to_the_post_is_left_for_housekeeping_not_reposted(harness) -> None:
    h = harness
    summary, _, _ = _prepared(h)
    h.ws.fail_next("chat.postMessage", status=503)  # did it land? the bot cannot know
    resp = h.submit(ADA, {})
    assert resp.error is None and resp.json()["view"]["title"]["text"] == "Posting"
    # The bot looks in the channel at once (the last thing it does), finds nothing yet,
    # and neither posts again nor calls it failed: a late message could still land.
    wait_for(
        lambda: any(
            c["method"] == "conversations.history" and c["params"].get("channel") == "C0GENERAL"
            for c in h.ws.calls
        ),
        what="the search for the post",
    )
    h.settle()
    posts = [
        c
        for c in h.ws.calls
        if c["method"] == "chat.postMessage" and c["params"]["channel"] == "C0GENERAL"
    ]
    assert len(posts) == 1 and h.ws.history("C0GENERAL") == []
    assert owned_share(h, ADA).status == "posting"
    assert not any("wasn't posted" in t for t in _thread_texts(h, summary))

    assert _housekeeping(h, STALE)["stale_shares"] == {"share": 1}
    assert (owned_share(h, ADA).status, owned_share(h, ADA).error) == ("failed", "interrupted")
    assert sum("wasn't posted" in t for t in _thread_texts(h, summary)) == 1


def test_parts_that_are_not_the_whole_post_are_taken_down(harness) -> None:
    h = harness
    summary, actor, meta = _prepared(h)
    _queued(h, actor, meta)
    job = posting._claim_for_posting(h.rt, actor, meta.share_id)
    assert job is not None
    # Not the post this draft makes (that is one message): a root and thread replies.
    content = views.post_content(job.draft, ADA, block_limit=3)
    assert len(content.messages) > 2
    parts = posting._post_parts(h.rt.web_client(), "C0GENERAL", content, job.share_id)
    assert len(h.ws.channel_messages("C0GENERAL")) == len(parts)

    assert _housekeeping(h, STALE)["stale_shares"] == {"share": 1}
    assert h.ws.channel_messages("C0GENERAL") == [], "root and replies removed"
    deletes = [c["params"]["ts"] for c in h.ws.calls if c["method"] == "chat.delete"]
    assert deletes == list(reversed(parts)), "replies first, so no tombstone is left"
    assert (owned_share(h, ADA).status, owned_share(h, ADA).error) == ("failed", "interrupted")
    assert any("wasn't posted" in t for t in _thread_texts(h, summary))


def test_a_channel_that_cannot_be_searched_is_retried_then_given_up_kindly(harness) -> None:
    h = harness
    summary, actor, meta = _prepared(h)
    _queued(h, actor, meta)
    assert posting._claim_for_posting(h.rt, actor, meta.share_id) is not None  # then stops

    h.ws.fail_next("conversations.history", error="internal_error")
    assert _housekeeping(h, STALE)["stale_shares"] == {}, "inconclusive: look again later"
    assert owned_share(h, ADA).status == "posting"

    h.ws.fail_next("conversations.history", error="internal_error")
    assert _housekeeping(h, timedelta(days=1))["stale_shares"] == {"share": 1}
    assert (owned_share(h, ADA).status, owned_share(h, ADA).error) == ("failed", "unconfirmed")
    unsure = next(m for m in h.thread(ADA, summary) if "couldn't confirm" in (m.get("text") or ""))
    assert "have a look in the channel" in dump(unsure["blocks"])
    assert "Nothing was posted" not in dump(unsure["blocks"]), "no promise it can't keep"
    assert "setback_share_resume" in dump(unsure["blocks"])
    assert rows(h, Share)[0].draft is not None


def test_another_apps_message_with_the_same_metadata_does_not_count(harness) -> None:
    h = harness
    summary, actor, meta = _prepared(h)
    _queued(h, actor, meta)
    assert posting._claim_for_posting(h.rt, actor, meta.share_id) is not None  # then stops
    # Someone else's message carrying look-alike metadata (a human here; any non-Setback
    # author is the same to the bot).
    h.ws.post_message(
        "C0GENERAL",
        text="copycat",
        user=ADA,
        metadata=recovery.share_metadata(meta.share_id),  # type: ignore[arg-type]  # why: the draft was saved, so its share_id is set
    )
    assert _housekeeping(h, STALE)["stale_shares"] == {"share": 1}
    assert owned_share(h, ADA).status == "failed"
    assert [m["text"] for m in h.ws.history("C0GENERAL")] == ["copycat"], "left alone"
    assert any("wasn't posted" in t for t in _thread_texts(h, summary))
