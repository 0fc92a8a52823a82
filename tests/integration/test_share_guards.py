"""What sharing refuses or survives: wrong channels, Slack errors, injection, long text,
crisis language, and payloads naming someone else's share."""

from __future__ import annotations

import html
import json
import re

from bot.sharing import channels
from storage.models import SafetyFlag, Setback, Share
from tests.integration.harness import ADA, BEN, SAMPLE_STEPS, form, text, wait_for
from tests.integration.test_home import open_home
from tests.integration.test_settings_modal import HomeGate
from tests.integration.test_share import (
    ALL,
    MARKERS,
    compose_values,
    confirmation,
    dump,
    mrkdwn_texts,
    open_share,
    owned_share,
    post,
    rows,
    share,
    to_preview,
    view_submission,
)

INVITE = "Invite @Setback to that channel first (/invite @Setback), then post."


def _field_error(h, user: str, values) -> dict[str, str]:
    resp = h.submit(user, values)
    assert resp.error is None, resp.error
    answer = resp.json()
    assert answer["response_action"] == "errors", answer
    return answer["errors"]


def _failure_dm(h, user: str, summary: str) -> dict:
    return wait_for(
        lambda: next(
            (m for m in h.thread(user, summary) if "wasn't posted" in (m.get("text") or "")),
            None,
        ),
        what="the failure DM",
    )


def _joins(h, channel: str) -> list:
    return [
        c
        for c in h.ws.calls
        if c["method"] == "conversations.join" and c["params"].get("channel") == channel
    ]


# --- who may post where --------------------------------------------------------------------


def test_private_channel_without_the_app_asks_for_an_invite_and_posts_nothing(harness) -> None:
    h = harness
    summary = h.finish_setback(BEN)  # BEN is in the private G0LEADS; the app is not
    open_share(h, BEN, summary)
    errors = _field_error(h, BEN, compose_values("G0LEADS", ("lesson",)))
    assert set(errors) == {"channel"}
    assert "invite @Setback to it first (/invite @Setback), then post" in errors["channel"]
    assert h.modal(BEN)["callback_id"] == "setback_share_compose"  # still open, to fix
    assert h.ws.history("G0LEADS") == [] and _joins(h, "G0LEADS") == []
    assert rows(h, Share) == []


def test_a_channel_the_author_is_not_in_is_refused(harness) -> None:
    h = harness
    h.ws.add_channel("C0DESIGN", "design", members=(BEN,))  # the app is in it, ADA is not
    h.ws.add_channel("G0OPS", "ops", is_private=True, members=(BEN,))
    summary = h.finish_setback(ADA)
    open_share(h, ADA, summary)
    for channel in ("C0DESIGN", "G0OPS"):
        errors = _field_error(h, ADA, compose_values(channel, ("lesson",)))
        assert errors == {
            "channel": "You're not a member of that channel. Please pick a channel you're in."
        }
        assert h.ws.history(channel) == []
    assert rows(h, Share) == []


def test_an_archived_channel_is_refused_and_a_later_archive_fails_cleanly(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    h.ws.archive_channel("C0RETROS")
    open_share(h, ADA, summary)
    errors = _field_error(h, ADA, compose_values("C0RETROS", ("lesson",)))
    assert "archived" in errors["channel"]

    h.ws.archive_channel("C0RETROS", archived=False)
    to_preview(h, ADA, compose_values("C0RETROS", ("lesson",)))
    h.ws.archive_channel("C0RETROS")  # archived while the preview was open
    assert h.submit(ADA, {}).error is None
    failed = _failure_dm(h, ADA, summary)
    assert "That channel is archived" in dump(failed["blocks"])
    assert h.ws.history("C0RETROS") == []
    wait_for(lambda: owned_share(h, ADA).status == "failed", what="the row marked failed")
    assert owned_share(h, ADA).message_ts is None and owned_share(h, ADA).error == "is_archived"

    # The kept draft reopens from the DM; once the channel is back, it posts.
    h.ws.archive_channel("C0RETROS", archived=False)
    h.slack.click(ADA, "setback_share_resume", message=(h.ws.im_channel_for(ADA), failed["ts"]))
    preview = h.wait_modal(ADA, "setback_share_preview")
    assert "Last time it wasn't posted" in dump(preview["blocks"])
    message = post(h, ADA, "C0RETROS")
    assert MARKERS["lesson"] in dump(message["blocks"])
    assert owned_share(h, ADA).status == "posted"


def test_leaving_the_channel_before_post_is_caught_at_post_time(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    open_share(h, ADA, summary)
    to_preview(h, ADA, compose_values("C0RETROS", ("lesson",)))
    h.ws.add_channel("C0RETROS", "team-retros", members=(BEN,), bot_member=False)  # ADA left
    assert h.submit(ADA, {}).error is None
    failed = _failure_dm(h, ADA, summary)
    assert "You're not a member of that channel" in dump(failed["blocks"])
    assert h.ws.history("C0RETROS") == [] and _joins(h, "C0RETROS") == []  # nor joined
    wait_for(lambda: owned_share(h, ADA).status == "failed", what="the row marked failed")


def test_rate_limited_post_leaves_nothing_and_says_what_to_do(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    open_share(h, ADA, summary)
    to_preview(h, ADA, compose_values("C0GENERAL", ALL))
    h.ws.fail_next("chat.postMessage", status=429, times=4)  # the first try and 3 retries
    assert h.submit(ADA, {}).error is None
    failed = _failure_dm(h, ADA, summary)
    assert "Slack asked Setback to slow down" in dump(failed["blocks"])
    assert h.ws.history("C0GENERAL") == []
    wait_for(lambda: owned_share(h, ADA).error == "ratelimited", what="the row marked failed")


def test_restricted_join_posts_nothing(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    open_share(h, ADA, summary)
    to_preview(h, ADA, compose_values("C0RETROS", ("lesson",)))
    h.ws.fail_next("conversations.join", error="restricted_action")
    h.submit(ADA, {})
    failed = _failure_dm(h, ADA, summary)
    assert "don't let Setback post in that channel" in dump(failed["blocks"])
    assert h.ws.history("C0RETROS") == []


# --- injection and size --------------------------------------------------------------------

INJECTION = (
    "Heads up <!channel> <!here> <!everyone> @here @channel <@U0BEN> <#C0GENERAL> "
    "<https://evil.example|click me> https://evil.example/x & <b>bold</b> "
)


def _long(seed: str, length: int = 3000) -> str:
    filler = "a<b&c>d " * 400
    return (seed + filler)[:length].rstrip()


def test_injection_attempts_arrive_inert_and_long_answers_are_split(harness) -> None:
    h = harness
    steps = list(SAMPLE_STEPS)
    long_facts, long_limited, long_lesson = (_long(INJECTION + p) for p in ("F ", "L ", "S "))
    factors = "\n".join(["<!channel> factor one", "<@U0BEN> factor two"] + ["x<y " * 20] * 60)
    steps[0] = {
        **steps[0],
        **form(title=text("<!channel> outage <@U0BEN>"), facts=text(long_facts)),
    }
    steps[3] = {
        **steps[3],
        **form(factors=text(factors[:3000]), limited=text(long_limited)),
    }
    steps[5] = {**steps[5], **form(lesson=text(long_lesson))}
    summary = h.finish_setback(ADA, tuple(steps))
    open_share(h, ADA, summary)
    values = compose_values(
        "C0GENERAL",
        ALL,
        title="<!channel> outage <@U0BEN>",
        intro="<!here> read me",
        anonymous=True,
    )
    preview = to_preview(h, ADA, values)
    assert len(preview["blocks"]) <= 100
    message = post(h, ADA, "C0GENERAL")

    blocks = message["blocks"]
    assert len(blocks) <= 50
    texts = mrkdwn_texts(message)
    assert all(len(t) <= 3000 for t in texts)
    assert not any("<" in t or ">" in t for t in texts)  # nothing Slack would parse as a link
    sections = [b for b in blocks if b["type"] == "section"]
    assert all(b["text"]["verbatim"] is True for b in sections)  # no auto-linked @here or URL
    assert len(sections) > 6  # each long part needed more than one section
    assert blocks[0]["text"] == {**blocks[0]["text"], "type": "plain_text"}
    assert blocks[0]["text"]["text"] == "<!channel> outage <@U0BEN>"  # plain text: shown, inert
    assert "<!" not in message["text"] and "&lt;!channel&gt;" in message["text"]

    # Every word arrives: unescaped, the sections hold each long answer whole.
    shown = " ".join(html.unescape(t) for t in texts)
    flat = " ".join(shown.split())
    for original in (long_facts, long_limited, long_lesson):
        assert " ".join(original.split()) in flat
    assert h.ws.rejections == []


# --- crisis language ----------------------------------------------------------------------


def _finish_with_crisis(h, user: str) -> None:
    steps = list(SAMPLE_STEPS)
    steps[1] = {**steps[1], **form(friend=text("I don't want to be here anymore."))}
    h.open_reflection(user)
    h.submit(user, steps[0])
    h.wait_modal(user, "setback_step", 1)
    h.submit(user, steps[1])
    care = h.wait_modal(user, "setback_care")
    h.slack.click(user, "setback_care_continue", view_id=care["id"])
    for i in range(2, 6):
        h.wait_modal(user, "setback_step", i)
        h.submit(user, steps[i])
    wait_for(lambda: not h.modal(user), what="the modal to close")


def test_a_setback_on_safety_hold_is_never_offered(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    _finish_with_crisis(h, ADA)
    held = next(sb for sb in rows(h, Setback) if sb.safety_hold)

    # A button naming it (a tampered value) gets the kind refusal, no compose screen.
    h.slack.click(
        ADA,
        "setback_share_open",
        message=(h.ws.im_channel_for(ADA), summary),
        value=str(held.id),
    )
    refusal = h.wait_modal(ADA, "setback_share_info")
    assert "This reflection stays private" in dump(refusal["blocks"])

    # `/setback share` offers only the other one, straight to compose.
    h.command(ADA, "share")
    compose = h.wait_modal(ADA, "setback_share_compose")
    assert f'"sid":{held.id}' not in compose["private_metadata"]


def test_only_held_setbacks_means_nothing_to_share(harness) -> None:
    h = harness
    _finish_with_crisis(h, ADA)
    h.command(ADA, "share")
    view = h.wait_modal(ADA, "setback_share_info")
    assert "stays private" in dump(view["blocks"])


def test_crisis_language_in_the_edit_holds_the_setback_and_posts_nothing(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    open_share(h, ADA, summary)
    preview = to_preview(h, ADA, compose_values("C0GENERAL", ("lesson",)))
    h.slack.click(ADA, "setback_share_to_edit", view_id=preview["id"])
    h.wait_modal(ADA, "setback_share_edit")
    resp = h.submit(
        ADA, form(title=text("A lesson"), text_lesson=text("Honestly I want to end it all."))
    )
    assert resp.error is None
    care = h.wait_modal(ADA, "setback_share_info")
    assert "not a crisis service" in dump(care["blocks"])
    (setback,) = rows(h, Setback)
    assert setback.safety_hold is True
    assert rows(h, Share) == [] and len(rows(h, SafetyFlag)) == 1
    assert h.ws.history("C0GENERAL") == []


def test_crisis_language_at_compose_answers_slack_before_the_home_is_refreshed(
    harness,
) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    open_home(h, ADA)  # her Home is open: the answer is followed by its refresh
    open_share(h, ADA, summary)
    with HomeGate(h, ADA) as gate:
        resp = h.submit(ADA, compose_values("C0GENERAL", ("lesson",), title="I want to end it all"))
        assert not gate.timed_out, "the answer waited for views.publish"
        assert resp.error is None, resp.error
        assert "not a crisis service" in dump(resp.json()["view"])
        gate.open()
        h.settle()
    assert gate.held >= 1 and not gate.timed_out, "the Home was refreshed after the answer"
    (setback,) = rows(h, Setback)
    assert setback.safety_hold is True and rows(h, Share) == []
    assert h.ws.history("C0GENERAL") == []


# --- payloads naming someone else's share ------------------------------------------------------


def test_another_users_payloads_are_refused_and_change_nothing(harness) -> None:
    h = harness
    ada_summary = h.finish_setback(ADA)
    ada_message = share(h, ADA, ada_summary, "C0GENERAL")
    ada_share = owned_share(h, ADA)
    ben_summary = h.finish_setback(BEN)
    ben_message = share(h, BEN, ben_summary, "C0GENERAL")
    ben_done = confirmation(h, BEN, ben_summary)

    # BEN's own Delete button, its value swapped for ADA's share id.
    h.slack.click(
        BEN,
        "setback_share_delete",
        message=(h.ws.im_channel_for(BEN), ben_done["ts"]),
        value=str(ada_share.id),
    )
    h.slack.close_view(BEN, h.modal(BEN)["id"])  # the "Posting…" screen
    # BEN's own Share button, its value swapped for ADA's setback id.
    h.slack.click(
        BEN,
        "setback_share_open",
        message=(h.ws.im_channel_for(BEN), ben_summary),
        value=str(ada_share.setback_id),
    )
    gone = h.wait_modal(BEN, "setback_share_info")
    assert "isn't available" in dump(gone["blocks"])
    assert "Config push" not in dump(gone)

    # ADA starts a new draft; BEN submits a preview whose metadata names it.
    open_share(h, ADA, ada_summary)
    to_preview(h, ADA, compose_values("C0RETROS", ("lesson",)))
    draft = next(r for r in rows(h, Share) if r.status == "draft")
    crafted = {
        "id": "V0CRAFTED",
        "type": "modal",
        "callback_id": "setback_share_preview",
        "private_metadata": json.dumps({"sid": draft.setback_id, "sh": draft.id, "ch": None}),
        "state": {"values": {}},
        "hash": "x",
    }
    pick = {"setback": {"setback": {"selected_option": {"value": str(draft.setback_id)}}}}
    for callback, values in (
        ("setback_share_preview", {}),
        ("setback_share_edit", form(title=text("Mine now"), text_lesson=text("Overwritten"))),
        ("setback_share_compose", {}),
        ("setback_share_pick", pick),
    ):
        resp = view_submission(
            h, BEN, {**crafted, "callback_id": callback, "state": {"values": values}}
        )
        assert resp.status == 200 and "isn't available" in resp.text, callback

    h.slack.close_view(BEN, gone["id"])
    assert h.ws.get_message("C0GENERAL", ada_message["ts"]) is not None
    assert h.ws.get_message("C0GENERAL", ben_message["ts"]) is not None
    assert owned_share(h, BEN).status == "posted"
    after = {r.id: (r.status, r.message_ts) for r in rows(h, Share)}
    assert after[ada_share.id] == ("posted", ada_message["ts"])
    assert after[draft.id] == ("draft", None)
    assert next(r for r in rows(h, Share) if r.id == draft.id).draft == draft.draft
    assert h.ws.history("C0RETROS") == []


def test_a_replayed_post_submission_posts_once(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    open_share(h, ADA, summary)
    preview = to_preview(h, ADA, compose_values("C0GENERAL", ("lesson",)))
    first = view_submission(h, ADA, preview)
    second = view_submission(h, ADA, preview)
    answers = sorted(
        [
            json.loads(first.body)["view"]["title"]["text"],
            json.loads(second.body)["view"]["title"]["text"],
        ]
    )
    assert answers == ["Posting", "Share a retro"]
    wait_for(lambda: owned_share(h, ADA).status == "posted", what="the post")
    confirmation(h, ADA, summary)
    assert len(h.ws.history("C0GENERAL")) == 1
    assert len([m for m in h.thread(ADA, summary) if "is posted in" in m.get("text", "")]) == 1
    assert re.fullmatch(r"\d+\.\d+", owned_share(h, ADA).message_ts or "")


def test_a_busy_slack_at_compose_does_not_block_and_the_post_checks_again(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    open_share(h, ADA, summary)
    h.ws.fail_next("conversations.info", status=429)  # the quick check gives up at once
    to_preview(h, ADA, compose_values("C0RETROS", ("lesson",)))
    info_calls = [c for c in h.ws.calls if c["method"] == "conversations.info"]
    assert [c["ok"] for c in info_calls] == [False]  # no 429 wait inside the 3-second ack
    message = post(h, ADA, "C0RETROS")
    assert MARKERS["lesson"] in dump(message["blocks"])
    assert [c["ok"] for c in h.ws.calls if c["method"] == "conversations.info"] == [False, True]


def test_the_quick_check_gives_no_call_more_time_than_its_budget_has_left(harness) -> None:
    h = harness
    budget = 0.5
    client = channels._BudgetClient(h.rt.web_client(), budget)
    timeouts = []
    for _ in range(2):
        client.conversations_info(channel="C0GENERAL")
        timeouts.append(client.timeout)
    # Each call may wait at most what is left of the budget (less a margin), so the
    # checks made before a modal answers can never run past Slack's deadline.
    assert all(0 < t < budget for t in timeouts), timeouts
    assert timeouts[1] < timeouts[0], "the second call gets only what the first left"


def test_a_delete_slack_refuses_keeps_the_record_and_the_button(harness) -> None:
    h = harness
    summary = h.finish_setback(ADA)
    message = share(h, ADA, summary, "C0GENERAL")
    done = confirmation(h, ADA, summary)
    h.ws.fail_next("chat.delete", error="cant_delete_message")
    h.slack.click(ADA, "setback_share_delete", message=(h.ws.im_channel_for(ADA), done["ts"]))
    note = wait_for(
        lambda: next(
            (m for m in h.thread(ADA, summary) if "couldn't delete" in m.get("text", "")), None
        ),
        what="the note that deleting failed",
    )
    assert "try again" in note["text"]
    assert h.ws.get_message("C0GENERAL", message["ts"]) is not None
    assert owned_share(h, ADA).status == "posted"
    kept = h.ws.get_message(h.ws.im_channel_for(ADA), done["ts"])
    assert "setback_share_delete" in dump(kept["blocks"])  # so it can be tried again

    h.slack.click(ADA, "setback_share_delete", message=(h.ws.im_channel_for(ADA), done["ts"]))
    wait_for(lambda: owned_share(h, ADA).status == "deleted", what="the second try")
    assert h.ws.get_message("C0GENERAL", message["ts"]) is None
