"""Sharing a blameless retro over HTTP: the modal, the preview, the post, the DM, delete."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlmodel import select

from sandbox.delivery import Response
from storage.db import session_scope
from storage.models import Reflection, Setback, Share
from tests.integration.harness import (
    ADA,
    BEN,
    SAMPLE_STEPS,
    Harness,
    Values,
    choices,
    form,
    text,
    wait_for,
)

ALL = ("happened", "factors", "limited", "lesson", "commitments")
LABELS = {
    "happened": "What happened",
    "factors": "Contributing factors",
    "limited": "What limited the damage",
    "lesson": "The lesson",
    "commitments": "Commitments",
}
# One phrase from each part of SAMPLE_STEPS that may be shared.
MARKERS = {
    "happened": "I pushed a config change at 16:40",
    "factors": "Staging and production flags share a name",
    "limited": "The alert fired within two minutes",
    "lesson": "Checks that rely on memory fail on busy days",
    "commitments": "run the migration check first",
}
# Phrases of SAMPLE_STEPS that must never leave the reflection.
PRIVATE = (
    "It makes sense you're shaken",  # step 1, self-talk
    "embarrassed",  # step 1, feelings
    "I caused the checkout outage",  # step 2, apology draft
    "The flag would only affect the staging tenant",  # step 3, not a shared part
    BEN,  # step 4, who could support them
    "Reach out to someone",
)
TITLE = "Config push broke checkout"


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- helpers shared with test_share_guards -------------------------------------------------


def rows(h: Harness, model: Any) -> list[Any]:
    with session_scope(h.rt.engine, readonly=True) as s:
        return list(s.exec(select(model)))


def compose_values(
    channel: str | None,
    sections: tuple[str, ...],
    *,
    title: str = TITLE,
    intro: str | None = None,
    anonymous: bool = False,
) -> Values:
    values: Values = {"sections": {"sections": choices(*sections)}, **form(title=text(title))}
    if channel:
        values["channel"] = {"channel": {"selected_conversation": channel}}
    if intro:
        values.update(form(intro=text(intro)))
    if anonymous:
        values["anonymous"] = {"anonymous": choices("anonymous")}
    return values


def open_share(h: Harness, user: str, summary_ts: str) -> dict[str, Any]:
    """Click "Share a blameless retro" on the summary DM."""
    resp = h.slack.click(
        user, "setback_share_open", message=(h.ws.im_channel_for(user), summary_ts)
    )
    assert resp.error is None
    return h.wait_modal(user, "setback_share_compose")


def to_preview(h: Harness, user: str, values: Values) -> dict[str, Any]:
    resp = h.submit(user, values)
    assert resp.error is None, resp.error
    assert resp.json()["response_action"] == "update", resp.text
    return h.wait_modal(user, "setback_share_preview")


def post(h: Harness, user: str, channel: str) -> dict[str, Any]:
    """Press Post on the preview and wait for the message in the channel."""
    before = len(h.ws.history(channel))
    resp = h.submit(user, {})
    assert resp.error is None
    assert resp.json()["view"]["title"]["text"] == "Posting"
    message = wait_for(
        lambda: len(h.ws.history(channel)) > before and h.ws.history(channel)[-1],
        what=f"the post in {channel}",
    )
    wait_for(  # recorded just after Slack answers the post
        lambda: any(r.message_ts == message["ts"] for r in rows(h, Share)),
        what="the share to be recorded",
    )
    return message


def share(
    h: Harness,
    user: str,
    summary_ts: str,
    channel: str,
    sections: tuple[str, ...] = ALL,
    **kwargs: Any,
) -> dict[str, Any]:
    open_share(h, user, summary_ts)
    to_preview(h, user, compose_values(channel, sections, **kwargs))
    message = post(h, user, channel)
    wait_for(  # the confirmation DM is the last thing the post does
        lambda: any(r.message_ts == message["ts"] and r.confirm_ts for r in rows(h, Share)),
        what="the confirmation to be recorded",
    )
    return message


def confirmation(h: Harness, user: str, summary_ts: str) -> dict[str, Any]:
    """The DM in the setback's thread that links the post and offers Delete."""
    return wait_for(
        lambda: next(
            (m for m in h.thread(user, summary_ts) if "is posted in" in (m.get("text") or "")),
            None,
        ),
        what="the share confirmation",
    )


def mrkdwn_texts(message: dict[str, Any]) -> list[str]:
    """Every mrkdwn text of a message's or view's blocks."""
    found = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("blocks") or [])
    return found


def signed_payload(h: Harness, payload: dict[str, Any]) -> Response:
    """A payload as Slack would relay it (signed), but with fields a client tampered with."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **h.slack.sign(body)}
    return h.slack.raw(body, headers)


def view_submission(h: Harness, user: str, view: dict[str, Any]) -> Response:
    name = h.ws.user(user)["name"]  # type: ignore[index]  # why: the harness seeds every user it names
    return signed_payload(
        h,
        {
            "type": "view_submission",
            "team": {"id": h.ws.team_id, "domain": h.ws.team_domain},
            "user": {"id": user, "username": name, "name": name, "team_id": h.ws.team_id},
            "api_app_id": h.ws.app_id,
            "token": h.slack.verification_token,
            "trigger_id": h.ws.issue_trigger_id(user),
            "view": view,
            "response_urls": [],
            "enterprise": None,
            "is_enterprise_install": False,
        },
    )


def owned_share(h: Harness, user: str) -> Share:
    (found,) = [r for r in rows(h, Share) if r.user_id == user]
    return found


@pytest.fixture
def db_harness(tmp_path, db_url) -> Iterator[Harness]:
    """The harness on SQLite and on PostgreSQL (the share rows' claims and updates)."""
    h = Harness(tmp_path, database_url=db_url).start()
    yield h
    h.stop()


# --- the flows ---------------------------------------------------------------------------


def test_share_from_the_summary_dm_posts_joins_records_and_confirms(db_harness) -> None:
    h = db_harness
    summary = h.finish_setback(ADA)
    compose = open_share(h, ADA, summary)
    picker = next(b for b in compose["blocks"] if b["block_id"] == "channel")["element"]
    assert picker["type"] == "conversations_select"
    assert picker["filter"] == {"include": ["public", "private"], "exclude_bot_users": True}
    assert "initial_conversation" not in picker  # opened from the DM: no channel preselected
    offered = next(b for b in compose["blocks"] if b["block_id"] == "sections")["element"]
    assert [o["value"] for o in offered["options"]] == list(ALL)
    assert not any(p in dump(compose) for p in PRIVATE)

    to_preview(h, ADA, compose_values("C0RETROS", ALL, intro="What I learned last week."))
    message = post(h, ADA, "C0RETROS")

    blocks = message["blocks"]
    assert blocks[0] == {**blocks[0], "type": "header"}
    assert blocks[0]["text"]["text"] == TITLE
    assert blocks[-1]["type"] == "context"
    assert blocks[-1]["elements"][0]["text"] == f"Shared by <@{ADA}> with /setback"
    body = dump(blocks)
    assert "What I learned last week." in body
    for key in ALL:
        assert LABELS[key] in body and MARKERS[key] in body
    assert not any(p in dump(message) for p in PRIVATE)
    assert message["text"] == f"Blameless retro: {TITLE}"
    assert all(t["verbatim"] is True for b in blocks[1:-1] for t in [b["text"]])

    (call,) = [
        c
        for c in h.ws.calls
        if c["method"] == "chat.postMessage" and c["params"]["channel"] == "C0RETROS"
    ]
    assert call["params"]["unfurl_links"] is False and call["params"]["unfurl_media"] is False
    assert "username" not in call["params"]
    assert h.ws.bot_user_id in h.ws.channel("C0RETROS")["members"]  # it joined the channel

    (row,) = rows(h, Share)
    assert (row.user_id, row.channel, row.status) == (ADA, "C0RETROS", "posted")
    assert call["params"]["metadata"] == {
        "event_type": "setback_share",
        "event_payload": {"share_id": row.id},
    }
    assert row.message_ts == message["ts"] and row.anonymous is False
    assert row.posted_at == h.clock.now() and row.deleted_at is None
    assert row.draft is None  # the text lives in Slack now, not twice

    done = confirmation(h, ADA, summary)
    assert f"/archives/C0RETROS/p{message['ts'].replace('.', '')}" in dump(done["blocks"])
    button = done["blocks"][1]["elements"][0]
    assert (button["action_id"], button["value"]) == ("setback_share_delete", str(row.id))
    assert button["confirm"]["confirm"]["text"] == "Delete it"
    wait_for(lambda: owned_share(h, ADA).confirm_ts == done["ts"], what="the confirmation ts")
    assert owned_share(h, ADA).confirm_channel == h.ws.im_channel_for(ADA)


def _check_post(
    h: Harness, message: dict[str, Any], sections: tuple[str, ...], anonymous: bool
) -> None:
    body = dump(message["blocks"])
    for key in ALL:
        assert (LABELS[key] in body) is (key in sections), (sections, key)
        assert (MARKERS[key] in body) is (key in sections), (sections, key)
    everything = dump(message)
    assert not any(p in everything for p in PRIVATE)
    credit = message["blocks"][-1]["elements"][0]["text"]
    if anonymous:
        assert credit == "Shared anonymously with /setback"
        assert ADA not in everything
        assert not re.search(r"\bada\b|lovelace", everything, re.IGNORECASE)
    else:
        assert credit == f"Shared by <@{ADA}> with /setback"


def test_every_combination_of_sections_named_and_anonymous(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    combos = [c for n in range(1, len(ALL) + 1) for c in itertools.combinations(ALL, n)]
    assert len(combos) == 31
    for i, sections in enumerate(combos):
        anonymous = i % 2 == 1
        message = share(h, ADA, summary, "C0GENERAL", sections, anonymous=anonymous)
        _check_post(h, message, sections, anonymous)
        h.slack.close_view(ADA, h.modal(ADA)["id"])  # the "Posting…" screen
    posted = rows(h, Share)
    assert len(posted) == 31 and all(r.status == "posted" for r in posted)
    assert [r.anonymous for r in sorted(posted, key=lambda r: r.id)] == [
        i % 2 == 1 for i in range(31)
    ]
    anonymous_calls = [
        c["params"]
        for c in h.ws.calls
        if c["method"] == "chat.postMessage"
        and c["params"]["channel"] == "C0GENERAL"
        and "anonymously" in dump(c["params"])
    ]
    assert len(anonymous_calls) == 15
    anonymous_ids = {r.id for r in posted if r.anonymous}
    for params in anonymous_calls:  # what the bot sent: no user id, name or username
        assert ADA not in dump(params) and "username" not in params
        # Its metadata holds the share's id and nothing else, so the post can be found
        # again if recording it is interrupted, and it still names no one.
        meta = params["metadata"]
        assert meta["event_type"] == "setback_share"
        assert list(meta["event_payload"]) == ["share_id"]
        assert meta["event_payload"]["share_id"] in anonymous_ids
    assert len({p["metadata"]["event_payload"]["share_id"] for p in anonymous_calls}) == 15


def test_command_in_a_channel_preselects_it(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    h.command(ADA, "share", channel="C0GENERAL")
    compose = h.wait_modal(ADA, "setback_share_compose")
    picker = next(b for b in compose["blocks"] if b["block_id"] == "channel")["element"]
    assert picker["initial_conversation"] == "C0GENERAL"
    assert picker["default_to_current_conversation"] is True

    to_preview(h, ADA, compose_values("C0GENERAL", ("lesson",)))
    message = post(h, ADA, "C0GENERAL")
    assert MARKERS["lesson"] in dump(message["blocks"])


def test_command_in_the_dm_preselects_nothing_and_asks_which_of_several(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    second = list(SAMPLE_STEPS)
    second[0] = {**second[0], **form(title=text("Missed the release note"))}
    h.finish_setback(ADA, tuple(second))

    h.command(ADA, "share")
    pick = h.wait_modal(ADA, "setback_share_pick")
    options = pick["blocks"][1]["element"]["options"]
    assert [o["text"]["text"] for o in options] == [
        "Missed the release note · Wed 25 Nov 2026",
        f"{TITLE} · Wed 25 Nov 2026",
    ]
    h.submit(ADA, {"setback": {"setback": {"selected_option": {"value": options[0]["value"]}}}})
    compose = h.wait_modal(ADA, "setback_share_compose")
    assert "Missed the release note" in dump(compose["blocks"])
    picker = next(b for b in compose["blocks"] if b["block_id"] == "channel")["element"]
    assert "initial_conversation" not in picker and "default_to_current_conversation" not in picker


def test_preview_flags_blame_and_an_edit_changes_the_post_not_the_reflection(harness) -> None:
    h = harness
    steps = list(SAMPLE_STEPS)
    steps[5] = {**steps[5], **form(lesson=text("I should have run the check. Human error."))}
    summary = h.finish_setback(ADA, tuple(steps))
    open_share(h, ADA, summary)
    preview = to_preview(h, ADA, compose_values("C0GENERAL", ("happened", "lesson")))

    shown = dump(preview["blocks"])
    assert "I should have run the check. Human error." in shown  # the post, as it will look
    assert "“should have” in _The lesson_" in shown  # the flag, where it is
    assert "Human error” in _The lesson_" in shown
    assert "Tell what you actually did" in shown  # its reframe idea, addressed to the writer

    h.slack.click(ADA, "setback_share_to_edit", view_id=preview["id"])
    edit = h.wait_modal(ADA, "setback_share_edit")
    inputs = {b["block_id"]: b["element"].get("initial_value") for b in edit["blocks"][1:]}
    assert set(inputs) == {"title", "text_happened", "text_lesson"}
    assert inputs["text_lesson"] == "I should have run the check. Human error."
    edited = "Checks that live in memory slip on busy days, so the check moves into CI."
    resp = h.submit(
        ADA,
        form(
            title=text("What a busy Friday taught me"),
            text_happened=text(MARKERS["happened"] + "."),
            text_lesson=text(edited),
        ),
    )
    assert resp.error is None
    preview = h.wait_modal(ADA, "setback_share_preview")
    assert edited in dump(preview["blocks"])
    assert "should have" not in dump(preview["blocks"])

    message = post(h, ADA, "C0GENERAL")
    assert edited in dump(message["blocks"])
    assert message["blocks"][0]["text"]["text"] == "What a busy Friday taught me"
    (lesson,) = [r for r in rows(h, Reflection) if r.step == 5]
    assert lesson.answers["lesson"] == "I should have run the check. Human error."
    (setback,) = rows(h, Setback)
    assert setback.title == TITLE


def test_back_keeps_every_choice_and_closing_forgets_the_draft(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    open_share(h, ADA, summary)
    values = compose_values("C0RETROS", ("factors", "lesson"), intro="Hello team", anonymous=True)
    preview = to_preview(h, ADA, values)
    assert len(rows(h, Share)) == 1 and rows(h, Share)[0].status == "draft"

    h.slack.click(ADA, "setback_share_to_compose", view_id=preview["id"])
    compose = h.wait_modal(ADA, "setback_share_compose")
    by_id = {b.get("block_id"): b for b in compose["blocks"]}
    assert by_id["channel"]["element"]["initial_conversation"] == "C0RETROS"
    chosen = [o["value"] for o in by_id["sections"]["element"]["initial_options"]]
    assert chosen == ["factors", "lesson"]
    assert by_id["intro"]["element"]["initial_value"] == "Hello team"
    assert by_id["anonymous"]["element"]["initial_options"][0]["value"] == "anonymous"

    h.slack.close_view(ADA, compose["id"])
    wait_for(lambda: rows(h, Share) == [], what="the draft to be forgotten")
    assert h.ws.history("C0RETROS") == []


def test_delete_removes_the_post_marks_the_row_and_retires_the_button(db_harness) -> None:
    h = db_harness
    summary = h.finish_setback(ADA)
    message = share(h, ADA, summary, "C0GENERAL")
    done = confirmation(h, ADA, summary)

    resp = h.slack.click(
        ADA, "setback_share_delete", message=(h.ws.im_channel_for(ADA), done["ts"])
    )
    assert resp.error is None
    wait_for(lambda: owned_share(h, ADA).status == "deleted", what="the share to be deleted")
    assert h.ws.get_message("C0GENERAL", message["ts"]) is None
    row = owned_share(h, ADA)
    assert row.deleted_at == h.clock.now()
    updated = wait_for(
        lambda: (
            (m := h.ws.get_message(h.ws.im_channel_for(ADA), done["ts"]))
            and "You deleted" in m["text"]
            and m
        ),
        what="the confirmation to be updated",
    )
    assert "setback_share_delete" not in dump(updated["blocks"])


def test_a_named_colleague_as_the_cause_is_the_first_thing_the_preview_flags(harness) -> None:
    from bot.language.blameless import RULES

    h = harness
    steps = list(SAMPLE_STEPS)
    lesson = "I should have waited for the canary. Bob should have checked the config."
    steps[5] = {**steps[5], **form(lesson=text(lesson))}
    summary = h.finish_setback(ADA, tuple(steps))
    open_share(h, ADA, summary)
    preview = to_preview(h, ADA, compose_values("C0GENERAL", ("lesson",)))

    shown = dump(preview["blocks"])
    named = next(rule for rule in RULES if rule.rule == "named-person")
    first_flag = shown.index("“Bob should have”")
    assert first_flag < shown.index("“should have”"), "the person named as the cause comes first"
    assert named.reframe in shown[first_flag:], "with its reframe idea"
    assert shown.count("“Bob should have”") == 1, "one flag, not also a bare counterfactual"
