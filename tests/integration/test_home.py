"""The growth journal on the App Home, over HTTP with signed requests and the sandbox
Web API: a first-time user, drafts, active plans, shares, lessons, settings, paging
through 200 old setbacks inside the 100-block limit, resume, archive and delete."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.core import hooks
from bot.core.actor import Actor
from bot.core.mrkdwn import escape
from bot.core.timefmt import local
from bot.journal import home as home_service
from bot.journal import views
from storage.db import session_scope
from storage.models import Checkin, Commitment, Member, Reflection, Setback, Share
from tests.integration.harness import ADA, SAMPLE_STEPS, form, text, wait_for

DAY = timedelta(days=1)


def open_home(h, user: str) -> dict[str, Any]:
    """The user opens the Home tab; returns the Home the bot publishes in answer."""
    h.settle()  # earlier changes' refreshes are done, so the next publish answers this open
    before = (h.ws.home_view(user) or {}).get("hash")
    resp = h.slack.app_home_opened(user)
    assert resp.status == 200 and resp.error is None
    return wait_for(
        lambda: (v := h.ws.home_view(user)) and v["hash"] != before and v,
        what="a published Home",
    )


def wait_home(h, user: str, predicate) -> dict[str, Any]:
    """Wait until the user's published Home satisfies `predicate` (after a change)."""
    return wait_for(
        lambda: (v := h.ws.home_view(user)) and predicate(v) and v, what="the Home to refresh"
    )


def texts(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def elements(view: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    found = []
    for block in view["blocks"]:
        candidates = list(block.get("elements") or []) + [block.get("accessory") or {}]
        found += [e for e in candidates if e.get("action_id") == action_id]
    return found


def rows(h, model, **where: Any) -> list[Any]:
    with session_scope(h.rt.engine, readonly=True) as s:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return list(s.execute(query).scalars())


def make_draft(h, user: str) -> int:
    """Start a second reflection and close it on screen 2 with something typed."""
    h.open_reflection(user)
    assert (
        h.submit(user, form(title=text("Missed the standup"), facts=text("I overslept."))).error
        is None
    )
    h.wait_modal(user, "setback_step", 1)
    h.slack.close_view(user, h.modal(user)["id"], form(friend=text("It happens.")))
    (draft,) = wait_for(lambda: rows(h, Setback, status="draft"), what="the draft")
    return draft.id


def add_share(h, user: str, setback_id: int, channel: str = "C0GENERAL", replies: int = 0) -> int:
    """A posted share, as the sharing flow records it: a real message in the sandbox
    (and, for a long post, thread replies recorded in `extra_ts`)."""
    client = h.rt.web_client()
    posted = client.chat_postMessage(channel=channel, text="A blameless retro")
    extra = [
        client.chat_postMessage(channel=channel, text="…continued", thread_ts=posted["ts"])["ts"]
        for _ in range(replies)
    ]
    with session_scope(h.rt.engine) as s:
        share = Share(
            team_id=h.ws.team_id,
            user_id=user,
            setback_id=setback_id,
            channel=channel,
            message_ts=posted["ts"],
            status="posted",
            posted_at=h.clock.now(),
        )
        if extra:
            share.extra_ts = ",".join(extra)
        s.add(share)
        s.flush()
        return share.id  # type: ignore[return-value]  # why: flushed above, so the id is set


# --- what the Home shows -----------------------------------------------------------------


def test_home_for_a_first_time_user(harness) -> None:
    h = harness
    view = open_home(h, ADA)

    body = texts(view)
    assert view["type"] == "home"
    assert "/setback" in body and "Private by default" in body
    assert elements(view, views.ACTION_START)
    assert elements(view, views.ACTION_SETTINGS), "settings are reachable from the start"
    assert "Europe/London" in body, "the zone Slack knows, before anything is stored"
    assert not elements(view, views.ACTION_EXPORT), "nothing stored yet, nothing to export"
    assert rows(h, Member) == [] and rows(h, Setback) == [], "opening the Home stores nothing"


def test_home_with_a_draft_active_plans_a_share_and_settings(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    (done,) = rows(h, Setback, status="complete")
    draft_id = make_draft(h, ADA)
    share_id = add_share(h, ADA, done.id)

    view = open_home(h, ADA)
    body = texts(view)

    assert "In progress" in body and "Missed the standup" in body
    assert "Stopped at step 2 of 6" in body
    (resume,) = elements(view, views.ACTION_RESUME)
    assert resume["value"] == str(draft_id)

    assert "Your plans in progress" in body and "Config push broke checkout" in body
    commitments = rows(h, Commitment, setback_id=done.id)
    assert len(commitments) == 3
    for c in commitments:
        assert escape(c.text) in body
        due = min(x.due_at for x in rows(h, Checkin, commitment_id=c.id))
        assert f"next check-in {local(due, 'Europe/London')}" in body
    assert [e["value"] for e in elements(view, views.ACTION_ARCHIVE)] == [str(done.id)]

    assert "Recent lessons" in body and "Checks that rely on memory fail on busy days." in body

    (delete_share,) = elements(view, views.ACTION_SHARE_DELETE)
    assert delete_share["value"] == str(share_id) and delete_share["confirm"]
    assert "<#C0GENERAL>" in body

    assert "Europe/London" in body and "09:00–17:00" in body and "Monday to Friday" in body
    assert elements(view, views.ACTION_SETTINGS)[0]["text"]["text"] == "Change settings"
    assert elements(view, views.ACTION_EXPORT) and elements(view, views.ACTION_ERASE)
    assert "Private by default" not in body, "no welcome for someone with a journal"


def test_paused_check_ins_show_the_date_in_the_members_zone(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    until = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    with session_scope(h.rt.engine) as s:
        member = s.execute(select(Member).where(Member.user_id == ADA)).scalar_one()
        member.paused_until = until
    body = texts(open_home(h, ADA))
    assert f"paused until {local(until, 'Europe/London')}" in body


def test_user_text_is_escaped_on_the_home(harness) -> None:
    h = harness
    title = form(title=text("<!channel> & <@U0BEN>"))
    steps = ({**SAMPLE_STEPS[0], **title}, *SAMPLE_STEPS[1:])
    h.finish_setback(ADA, steps)
    body = texts(open_home(h, ADA))
    assert "&lt;!channel&gt; &amp; &lt;@U0BEN&gt;" in body
    assert "<!channel>" not in body and "<@U0BEN>" not in body


# --- paging -----------------------------------------------------------------------------------


def seed_old_setbacks(h, user: str, n: int) -> list[str]:
    """`n` finished setbacks from the past two years, newest first by title index."""
    now = h.clock.now()
    titles = []
    with session_scope(h.rt.engine) as s:
        for i in range(n):
            when = now - (i + 30) * DAY
            sb = Setback(
                team_id=h.ws.team_id,
                user_id=user,
                status="complete" if i % 4 else "archived",
                title=f"Old slip #{i:03d}",
                created_at=when,
                updated_at=when,
                completed_at=when,
            )
            s.add(sb)
            s.flush()
            s.add(
                Reflection(
                    team_id=h.ws.team_id,
                    setback_id=sb.id,
                    step=5,
                    answers={"lesson": f"lesson {i}"},
                    updated_at=when,
                )
            )
            titles.append(sb.title)
    return titles


def test_two_hundred_old_setbacks_page_inside_the_block_limit(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    make_draft(h, ADA)
    (done,) = rows(h, Setback, status="complete")
    add_share(h, ADA, done.id)
    titles = seed_old_setbacks(h, ADA, 200)

    view = open_home(h, ADA)
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        assert len(view["blocks"]) <= views.MAX_BLOCKS
        past = [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("past_")]
        assert len(past) <= home_service.PAGE_SIZE
        seen += [b["text"]["text"].split("*")[1] for b in past]
        older = elements(view, views.ACTION_OLDER)
        if not older:
            break
        before = view["hash"]
        h.slack.click(ADA, views.ACTION_OLDER, view_id=view["id"])
        view = wait_home(h, ADA, lambda v, b=before: v["hash"] != b)

    assert pages == 20
    assert sorted(seen) == sorted(titles), "every old setback appears exactly once"
    assert seen[:3] == ["Old slip #000", "Old slip #001", "Old slip #002"], "newest first"

    (newer,) = elements(view, views.ACTION_NEWER)
    before = view["hash"]
    h.slack.click(ADA, views.ACTION_NEWER, view_id=view["id"])
    view = wait_home(h, ADA, lambda v: v["hash"] != before)
    assert "Old slip #189" in texts(view) and "Old slip #199" not in texts(view)


def test_the_fullest_home_stays_under_one_hundred_blocks() -> None:
    """Every list at its cap, long texts everywhere: slack_sdk's own check must pass."""
    long = "x" * 3000
    journal = home_service.Journal(
        drafts=tuple(
            home_service.Draft(i, long, 3, None) for i in range(home_service.DRAFTS_SHOWN)
        ),
        more_drafts=4,
        active=tuple(
            home_service.ActiveSetback(
                i,
                long,
                None,
                tuple(home_service.OpenCommitment("growth", long, None) for _ in range(5)),
            )
            for i in range(home_service.ACTIVE_SHOWN)
        ),
        more_active=True,
        lessons=tuple(home_service.Lesson(long, long) for _ in range(home_service.LESSONS_SHOWN)),
        shares=tuple(
            home_service.SharedSummary(i, long, "C0GENERAL", None, True)
            for i in range(home_service.SHARES_SHOWN)
        ),
        history=tuple(
            home_service.PastSetback(100 + i, long, "complete", None)
            for i in range(home_service.PAGE_SIZE)
        ),
        offset=10,
        has_older=True,
        settings=home_service.MemberSettings("Europe/London", 540, 1020, (0, 1, 2), None),
        has_member=True,
        setbacks_total=500,
        now=datetime(2026, 11, 25, tzinfo=UTC),
    )
    blocks = views.home_view(journal).to_dict()["blocks"]
    assert 60 < len(blocks) <= views.MAX_BLOCKS


# --- the Home's buttons ------------------------------------------------------------------------


def test_resume_from_home_opens_the_draft_at_its_step(harness) -> None:
    h = harness
    draft_id = make_draft(h, ADA)
    view = open_home(h, ADA)

    h.slack.click(ADA, views.ACTION_RESUME, view_id=view["id"])

    modal = h.wait_modal(ADA, "setback_step", 1)
    assert f'"sid":{draft_id}' in modal["private_metadata"]
    assert "It happens." in texts(modal), "what was typed before closing is prefilled"


def test_start_from_home_opens_the_first_screen(harness) -> None:
    h = harness
    view = open_home(h, ADA)
    h.slack.click(ADA, views.ACTION_START, view_id=view["id"])
    h.wait_modal(ADA, "setback_step", 0)


def test_archive_stops_check_ins_and_moves_it_to_the_history(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    (done,) = rows(h, Setback, status="complete")
    view = open_home(h, ADA)

    h.slack.click(ADA, views.ACTION_ARCHIVE, view_id=view["id"], value=str(done.id))

    view = wait_home(h, ADA, lambda v: "Archived" in texts(v))
    assert "Your plans in progress" not in texts(view)
    (archived,) = rows(h, Setback, id=done.id)
    assert archived.status == "archived"
    statuses = {c.status for c in rows(h, Checkin, setback_id=done.id)}
    assert statuses == {"cancelled"}
    assert {c.status for c in rows(h, Commitment, setback_id=done.id)} == {"cancelled"}


def test_delete_one_setback_removes_it_and_its_messages(harness) -> None:
    h = harness
    summary_ts = h.finish_setback(ADA)
    (done,) = rows(h, Setback, status="complete")
    draft_id = make_draft(h, ADA)
    add_share(h, ADA, done.id)
    view = open_home(h, ADA)
    (delete,) = [e for e in elements(view, views.ACTION_DELETE) if e["value"] == str(done.id)]
    assert "can't be undone" in delete["confirm"]["text"]["text"]

    h.slack.click(ADA, views.ACTION_DELETE, view_id=view["id"], value=str(done.id))

    wait_home(h, ADA, lambda v: "Config push broke checkout" not in texts(v))
    assert rows(h, Setback, id=done.id) == []
    for model in (Reflection, Commitment, Checkin, Share):
        assert rows(h, model, setback_id=done.id) == [], model.__name__
    assert [s.id for s in rows(h, Setback)] == [draft_id], "the other reflection stays"
    dm = h.ws.im_channel_for(ADA)
    assert all(m["ts"] != summary_ts for m in h.ws.history(dm)), "summary DM removed"
    assert all(m.get("text") != "A blameless retro" for m in h.ws.history("C0GENERAL"))


def test_every_change_republishes_the_home(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    view = open_home(h, ADA)
    with session_scope(h.rt.engine) as s:
        s.execute(update(Setback).values(title="Renamed by a change"))

    hooks.changed(h.rt, Actor(h.ws.team_id, ADA))

    view = wait_home(h, ADA, lambda v, before=view["hash"]: v["hash"] != before)
    assert "Renamed by a change" in texts(view)


def test_settings_button_opens_the_settings_modal(harness) -> None:
    h = harness
    view = open_home(h, ADA)
    h.slack.click(ADA, views.ACTION_SETTINGS, view_id=view["id"])
    h.wait_modal(ADA, "setback_settings")  # the same modal as `/setback settings`


def test_deleting_a_share_from_home_republishes_it(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    (done,) = rows(h, Setback, status="complete")
    share_id = add_share(h, ADA, done.id)
    view = open_home(h, ADA)
    assert "Shared summaries" in texts(view)

    h.slack.click(ADA, views.ACTION_SHARE_DELETE, view_id=view["id"], value=str(share_id))

    wait_home(h, ADA, lambda v: "Shared summaries" not in texts(v))
    assert all(m.get("text") != "A blameless retro" for m in h.ws.history("C0GENERAL"))
