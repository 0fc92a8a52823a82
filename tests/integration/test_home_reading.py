"""The Home after Delete everything, and reading a past reflection again, over HTTP.

After Delete everything a person's Home is the one a newcomer gets: nothing on it reads
as if Setback still kept something (no "Check-ins: on"). A finished reflection opens,
read-only, with every answer as it was saved — escaped, verbatim, the person's own harsh
words included (only they see it) — and nobody else's id opens anything."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.journal import views
from storage.db import session_scope
from storage.models import Setback
from tests.integration.harness import ADA, BEN, SAMPLE_STEPS, form, text, wait_for
from tests.integration.test_erase import erase_from_home
from tests.integration.test_home import elements, open_home, texts, wait_home
from tests.integration.test_home_security import crafted_click

CY = "U0CY"  # someone who never used Setback, in Ada's time zone
HARSH = "I pushed the config at 16:40. I'm such an idiot. Checkout failed for 20 minutes."
TITLE = "<!channel> & <@U0BEN> broke checkout"
ADA_STEPS = (
    {**SAMPLE_STEPS[0], **form(title=text(TITLE), facts=text(HARSH))},
    *SAMPLE_STEPS[1:],
)


def ada_setback_id(h) -> int:
    with session_scope(h.rt.engine, readonly=True) as s:
        (sid,) = s.execute(select(Setback.id).where(Setback.user_id == ADA)).scalars()
    return int(sid)


def archived_reflection(h) -> tuple[int, dict[str, Any]]:
    """Ada finishes a reflection and archives it: it is under Past reflections."""
    h.finish_setback(ADA, ADA_STEPS)
    sid = ada_setback_id(h)
    view = open_home(h, ADA)
    h.slack.click(ADA, views.ACTION_ARCHIVE, view_id=view["id"], value=str(sid))
    return sid, wait_home(h, ADA, lambda v: f"past_{sid}" in texts(v))


def shown(view: dict[str, Any]) -> list[dict[str, Any]]:
    """A view's blocks as a person sees them (the ids Slack makes up left out)."""
    return [{k: v for k, v in b.items() if k != "block_id"} for b in view["blocks"]]


def mrkdwn_texts(view: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in view["blocks"]:
        for obj in [block.get("text") or {}, *(block.get("elements") or [])]:
            if obj.get("type") == "mrkdwn":
                found.append(obj)
    return found


# --- item 14: the Home after Delete everything ----------------------------------------------


def test_after_delete_everything_the_home_is_a_newcomers_home(harness) -> None:
    h = harness
    h.ws.add_user(CY, "cy", "Cy Newcomer", tz="Europe/London")
    h.finish_setback(ADA)
    assert "Check-ins:* on" in texts(open_home(h, ADA)), "settings shown while kept"

    erase_from_home(h, ADA, [views.OPTION_DIRECT, views.OPTION_SHARED])
    wait_for(
        lambda: any("Everything you kept" in m["text"] for m in h.dm(ADA)),
        what="the confirmation DM",
    )
    after = open_home(h, ADA)

    body = texts(after)
    assert "Private by default" in body, "the welcome is back"
    assert "Check-ins:" not in body and "Check-in settings" not in body, (
        "nothing reads as if settings were still kept"
    )
    assert not elements(after, views.ACTION_EXPORT) and not elements(after, views.ACTION_ERASE)
    assert elements(after, views.ACTION_SETTINGS), "settings stay reachable"
    assert shown(after) == shown(open_home(h, CY)), "exactly a newcomer's Home"


# --- item 14: opening a past reflection ------------------------------------------------------


def test_a_past_reflection_opens_read_only_with_every_answer(harness) -> None:
    h = harness
    sid, home = archived_reflection(h)
    (button,) = [e for e in elements(home, views.ACTION_OPEN) if e["value"] == str(sid)]

    h.slack.click(ADA, views.ACTION_OPEN, view_id=home["id"], block_id=f"reflection_{sid}_actions")

    modal = h.wait_modal(ADA, views.CALLBACK_READ)
    body = texts(modal)
    assert button["text"]["text"] == "Open"
    assert "submit" not in modal or not modal["submit"], "read-only: nothing to submit"
    assert not [b for b in modal["blocks"] if b["type"] in ("input", "actions")]
    assert "&lt;!channel&gt; &amp; &lt;@U0BEN&gt; broke checkout" in body
    assert "<!channel>" not in body, "the title is escaped"
    assert "I'm such an idiot." in body, "the person's own words, in full, in their modal"
    assert "The lesson you take from this" in body
    assert "Checks that rely on memory fail on busy days." in body
    assert "Embarrassed, Anxious" in body, "choices read as their labels"
    assert "<@U0BEN>" in body.replace("&lt;@U0BEN&gt;", ""), "the person picked, as a mention"
    assert "How your plans went" in body and "closed when archived" in body
    assert all(t.get("verbatim") for t in mrkdwn_texts(modal) if "idiot" in t["text"])


def test_reflections_with_plans_in_progress_open_too(harness) -> None:
    h = harness
    h.finish_setback(ADA, ADA_STEPS)
    sid = ada_setback_id(h)
    home = open_home(h, ADA)

    h.slack.click(ADA, views.ACTION_OPEN, view_id=home["id"], block_id=f"active_{sid}_actions")

    body = texts(h.wait_modal(ADA, views.CALLBACK_READ))
    assert "I'm such an idiot." in body and "still open" in body


def test_ben_cannot_open_adas_reflection(harness) -> None:
    h = harness
    sid, _ = archived_reflection(h)

    crafted_click(h, BEN, views.ACTION_OPEN, str(sid))

    modal = wait_for(lambda: h.modal(BEN), what="Ben's modal")
    assert modal["callback_id"] == "setback_gone"
    assert "idiot" not in texts(modal) and "broke checkout" not in texts(modal)


def test_another_workspace_cannot_open_it_and_a_draft_is_not_read(harness) -> None:
    h = harness
    sid, _ = archived_reflection(h)

    crafted_click(h, ADA, views.ACTION_OPEN, str(sid), team="T0OTHER")
    modal = wait_for(lambda: h.modal(ADA), what="the other workspace's Ada's modal")
    assert modal["callback_id"] == "setback_gone" and "idiot" not in texts(modal)

    h.slack.close_view(ADA, modal["id"])
    h.open_reflection(BEN)
    h.submit(BEN, form(title=text("Ben's draft"), facts=text("ben-draft-canary")))
    h.wait_modal(BEN, "setback_step", 1)
    with session_scope(h.rt.engine, readonly=True) as s:
        (draft,) = s.execute(select(Setback.id).where(Setback.user_id == BEN)).scalars()
    crafted_click(h, BEN, views.ACTION_OPEN, str(draft))
    wait_for(lambda: (h.modal(BEN) or {}).get("callback_id") == "setback_gone", what="gone")
