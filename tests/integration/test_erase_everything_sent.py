"""Delete everything, with the confirmation's defaults, removes from Slack every message
and file Setback sent the person: the summary, check-ins (answered or not), the recap,
notices, the export files (deleted, so their links stop answering) and the retros they
shared. Thread replies go before their root, so no "This message was deleted" is left
above a reply; what Slack refuses for a while is retried by housekeeping."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.journal import views
from scheduler import jobs
from scheduler.dispatcher import run_once
from storage import sent
from storage.db import session_scope
from storage.models import Checkin, MessageKind, MessageRemoval, SentMessage, Setback
from tests.integration.harness import ADA, START, Harness, wait_for
from tests.integration.test_erase import ADA_CANARY, ADA_STEPS, scan
from tests.integration.test_export import export_files, file_messages
from tests.integration.test_home import add_share, open_home, texts, wait_home

DAY = timedelta(days=1)
LESSON = "Checks that rely on memory fail on busy days."


def checkin_messages(h: Harness, root: str) -> list[dict[str, Any]]:
    return [
        m
        for m in h.thread(ADA, root)[1:]
        if (m.get("metadata") or {}).get("event_type") == "setback_checkin"
    ]


def click(h: Harness, message: dict[str, Any], action: str) -> None:
    resp = h.slack.click(ADA, action, message=(h.ws.im_channel_for(ADA), message["ts"]))
    assert resp.error is None, resp.error


def answered(h: Harness, message: dict[str, Any]) -> bool:
    checkin_id = message["metadata"]["event_payload"]["checkin_id"]
    with session_scope(h.rt.engine, readonly=True) as s:
        return s.get(Checkin, int(checkin_id)).status == "answered"


def finish_with_checkins(h: Harness) -> str:
    """Ada finishes a reflection; a day later both plans' first check-ins are posted."""
    root = h.finish_setback(ADA, ADA_STEPS)
    wait_for(lambda: thread_recorded(h, root), what="the thread recorded")
    h.clock.set(START + DAY)
    assert run_once(h.rt).sent == 2
    return root


def thread_recorded(h: Harness, root: str) -> bool:
    with session_scope(h.rt.engine, readonly=True) as s:
        return root in s.execute(select(Setback.thread_ts)).scalars().all()


def reach_the_recap(h: Harness) -> str:
    """Let both plans go, mark the repair done: the recap arrives in the thread."""
    root = finish_with_checkins(h)
    for message in checkin_messages(h, root):
        click(h, message, "setback_checkin_let_go")
        wait_for(lambda m=message: answered(h, m), what="let go")
    h.clock.set(datetime(2026, 11, 27, 9, 0, 30, tzinfo=START.tzinfo))
    assert run_once(h.rt).sent == 1
    click(h, checkin_messages(h, root)[-1], "setback_checkin_done")
    wait_for(lambda: recap(h, root), what="the recap")
    # Its ts is recorded once Slack has answered the post, a moment after it shows, and
    # erasing takes down only what is recorded.
    wait_for(
        lambda: any(r.kind == MessageKind.RECAP for r in rows(h, SentMessage)),
        what="the recap's ts recorded",
    )
    return root


def recap(h: Harness, root: str) -> list[dict[str, Any]]:
    return [
        m
        for m in h.thread(ADA, root)
        if (m.get("metadata") or {}).get("event_type") == "setback_recap"
    ]


def erase_with_the_defaults(h: Harness) -> dict[str, Any]:
    """Delete everything from the Home, submitting the confirmation as it opens (what
    Slack sends for boxes nobody touched: their initial options)."""
    home = open_home(h, ADA)
    h.slack.click(ADA, views.ACTION_ERASE, view_id=home["id"])
    modal = h.wait_modal(ADA, views.CALLBACK_ERASE)
    (box,) = [b for b in modal["blocks"] if b.get("block_id") == views.ERASE_OPTIONS]
    initial = box["element"].get("initial_options") or []
    chosen = {"selected_options": [{"value": o["value"]} for o in initial]}
    assert h.submit(ADA, {views.ERASE_OPTIONS: {views.ERASE_OPTIONS: chosen}}).error is None
    return wait_for(
        lambda: next((m for m in h.dm(ADA) if "Everything you kept" in m["text"]), None),
        what="the confirmation DM",
    )


def workspace_text(h: Harness) -> str:
    """Everything anyone could still see in the sandbox Slack: every message of every
    channel and DM (thread replies included) and every stored file."""
    parts = [json.dumps(h.ws.channel_messages(c)) for c in h.ws.channel_ids()]
    parts += [h.ws.file_content(f).decode(errors="replace") for f in list(h.ws.files)]
    return "\n".join(parts)


def h_ids(h: Harness) -> list[int]:
    with session_scope(h.rt.engine, readonly=True) as s:
        return [
            int(i) for i in s.execute(select(Setback.id).where(Setback.user_id == ADA)).scalars()
        ]


def rows(h: Harness, model: Any) -> list[Any]:
    with session_scope(h.rt.engine, readonly=True) as s:
        return list(s.execute(select(model)).scalars())


def link_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return False


# --- item 1 --------------------------------------------------------------------------------


def test_delete_everything_by_default_removes_every_message_and_file_setback_sent(
    harness,
) -> None:
    h = harness
    root = reach_the_recap(h)
    (sid,) = h_ids(h)
    share_id = add_share(h, ADA, sid, replies=1)
    h.ws.fail_next("chat.delete", error="is_archived")  # deleting the share fails: a notice
    open_home(h, ADA)
    home = wait_home(h, ADA, lambda v: f"share_{share_id}" in texts(v))
    h.slack.click(ADA, views.ACTION_SHARE_DELETE, view_id=home["id"], value=str(share_id))
    (notice,) = wait_for(
        lambda: [r for r in rows(h, SentMessage) if r.kind == MessageKind.NOTICE],
        what="the notice saying so, recorded",
    )
    assert notice.thread_ts == root and h.ws.get_message(notice.channel, notice.ts)
    for n in (1, 2):  # "both export files", twice
        h.command(ADA, "export")
        export_files(h, ADA, count=n)
    files = [f for m in file_messages(h, ADA) for f in m["files"]]
    assert len(files) == 4 and all(link_answers(f["url_private"]) for f in files)
    assert ADA_CANARY in workspace_text(h) and LESSON in workspace_text(h)

    confirmation = erase_with_the_defaults(h)

    dm = h.ws.im_channel_for(ADA)
    left = h.ws.channel_messages(dm)
    assert [m["ts"] for m in left] == [confirmation["ts"]], "only the confirmation stays"
    assert not [f for f in files if h.ws.file_info(f["id"]) is not None], "files deleted"
    assert not [f for f in files if link_answers(f["url_private"])], "their links are dead"
    assert not any(m.get("text") == "A blameless retro" for m in h.ws.messages["C0GENERAL"])
    seen = workspace_text(h)
    assert ADA_CANARY not in seen and LESSON not in seen and "Config push" not in seen
    assert "This message was deleted" not in seen and "tombstone" not in seen
    assert scan(h, ADA) == [] and scan(h, ADA_CANARY) == []
    words = confirmation["text"]
    assert "(s)" not in words, "plural words, not message(s)"
    assert re.search(r"\b\d+ messages and 4 files were removed from Slack\.", words), words


def test_the_confirmation_ticks_both_boxes(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    home = open_home(h, ADA)
    h.slack.click(ADA, views.ACTION_ERASE, view_id=home["id"])
    modal = h.wait_modal(ADA, views.CALLBACK_ERASE)
    (box,) = [b for b in modal["blocks"] if b.get("block_id") == views.ERASE_OPTIONS]
    ticked = {o["value"] for o in box["element"].get("initial_options") or []}
    assert ticked == {views.OPTION_DIRECT, views.OPTION_SHARED}
    assert "export files" in texts(modal) and "Untick" in texts(modal)


def test_replies_go_before_their_root_even_when_slack_refuses_one_for_a_while(harness) -> None:
    h = harness
    root = finish_with_checkins(h)
    dm = h.ws.im_channel_for(ADA)
    replies = [m["ts"] for m in checkin_messages(h, root)]
    assert len(replies) == 2
    h.ws.fail_next("chat.delete", error="fatal_error")  # the first reply, for now

    confirmation = erase_with_the_defaults(h)

    assert "Setback keeps trying" in confirmation["text"]
    root_now = h.ws.get_message(dm, root)
    assert root_now is not None and root_now.get("subtype") != "tombstone", (
        "the root waits while a reply of ours is still there"
    )
    assert len([m for m in h.ws.channel_messages(dm) if m["ts"] in replies]) == 1
    queued = {(r.kind, r.thread_ts) for r in rows(h, MessageRemoval)}
    assert queued == {(MessageKind.CHECKIN, root), (MessageKind.SUMMARY, None)}

    jobs.housekeep(h.rt, h.clock.now() + timedelta(minutes=30))

    assert [m["ts"] for m in h.ws.channel_messages(dm)] == [confirmation["ts"]]
    assert rows(h, MessageRemoval) == []


def test_an_export_file_slack_cannot_delete_now_is_deleted_later(harness) -> None:
    h = harness
    h.finish_setback(ADA, ADA_STEPS)
    h.command(ADA, "export")
    files = export_files(h, ADA)
    assert set(files) == {"json", "md"}
    h.ws.fail_next("files.delete", error="internal_error")

    confirmation = erase_with_the_defaults(h)

    assert "1 file could not be removed yet" in confirmation["text"]
    assert len(h.ws.files) == 1, "one file is still there"
    [queued] = rows(h, MessageRemoval)
    assert queued.file_id in h.ws.files and queued.ts is None and queued.attempts == 1
    assert ADA_CANARY not in json.dumps(queued.model_dump(), default=str), (
        "the queue names, never quotes"
    )

    jobs.housekeep(h.rt, h.clock.now() + timedelta(minutes=30))

    assert h.ws.files == {} and rows(h, MessageRemoval) == []
    dm = h.ws.im_channel_for(ADA)
    assert not [m for m in h.ws.channel_messages(dm) if m.get("files")]


def test_deleting_one_reflection_takes_its_recap_down_too(harness) -> None:
    h = harness
    root = reach_the_recap(h)
    (sid,) = h_ids(h)
    (posted,) = recap(h, root)

    def kinds() -> list[MessageKind]:
        with session_scope(h.rt.engine, readonly=True) as s:
            return [r.kind for r in s.execute(select(SentMessage)).scalars()]

    # The ts is recorded once Slack has answered the post, so a moment after it shows.
    wait_for(lambda: kinds() == [MessageKind.RECAP], what="the recap's ts recorded")
    assert kinds() == [MessageKind.RECAP], "the recap's ts is recorded, and only it"

    home = open_home(h, ADA)
    h.slack.click(ADA, views.ACTION_DELETE, view_id=home["id"], value=str(sid))

    dm = h.ws.im_channel_for(ADA)
    wait_for(lambda: h.ws.get_message(dm, root) is None, what="the thread to go")
    assert h.ws.get_message(dm, posted["ts"]) is None
    assert LESSON not in workspace_text(h)


def test_a_recap_posted_as_its_reflection_is_deleted_is_taken_down(harness) -> None:
    h = harness
    root = h.finish_setback(ADA, ADA_STEPS)
    wait_for(lambda: thread_recorded(h, root), what="the thread recorded")
    (sid,) = h_ids(h)
    dm = h.ws.im_channel_for(ADA)
    # The recap lands in Slack, then the reflection is deleted before it is recorded.
    ts = h.rt.web_client().chat_postMessage(channel=dm, thread_ts=root, text=LESSON)["ts"]
    with session_scope(h.rt.engine) as s:
        s.execute(Setback.__table__.delete().where(Setback.__table__.c.id == sid))

    recorded = sent.record_message(
        h.rt.engine,
        h.ws.team_id,
        ADA,
        MessageKind.RECAP,
        dm,
        ts,
        h.clock.now(),
        thread_ts=root,
        setback_id=sid,
    )

    assert not recorded, "its reflection is gone: queued for removal instead"
    jobs.housekeep(h.rt, h.clock.now())

    assert h.ws.get_message(dm, ts) is None, "housekeeping took it down at once"
    assert rows(h, MessageRemoval) == [] and rows(h, SentMessage) == []
