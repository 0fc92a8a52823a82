"""Crafted Home payloads: another person's (or another workspace's) ids in button values
change nothing and reveal nothing; odd offsets are harmless."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from bot.journal import views
from storage.db import session_scope
from storage.models import Checkin, Commitment, Reflection, Setback
from tests.integration.harness import ADA, BEN, wait_for
from tests.integration.test_erase import ADA_CANARY, ADA_STEPS
from tests.integration.test_export import BEN_STEPS, export_files
from tests.integration.test_home import make_draft, open_home, texts, wait_home


def crafted_click(h, user: str, action_id: str, value: str, team: str | None = None) -> None:
    """A signed block_actions payload as an attacker would build it (not from what Slack
    showed them): any action id, any value, optionally another team."""
    team = team or h.ws.team_id
    payload = {
        "type": "block_actions",
        "team": {"id": team, "domain": "sandbox"},
        "user": {"id": user, "team_id": team, "name": "mallory"},
        "api_app_id": h.ws.app_id,
        "trigger_id": h.ws.issue_trigger_id(user),
        "container": {"type": "view", "view_id": "VHOME"},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "crafted",
                "value": value,
                "action_ts": "1.0",
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = {**h.slack.sign(body), "Content-Type": "application/x-www-form-urlencoded"}
    assert h.slack.raw(body, headers).status == 200


def snapshot(h) -> list[tuple[Any, ...]]:
    """Ada's rows, as they are stored: any change by a crafted payload shows up here."""
    out: list[tuple[Any, ...]] = []
    with session_scope(h.rt.engine, readonly=True) as s:
        for model in (Setback, Reflection, Commitment, Checkin):
            for row in s.execute(select(model).order_by(model.id)).scalars():
                if getattr(row, "user_id", ADA) == ADA:
                    out.append((model.__name__, *sorted(row.model_dump().items())))
    return out


def ada_and_ben(h) -> tuple[int, int]:
    h.finish_setback(ADA, ADA_STEPS)
    with session_scope(h.rt.engine, readonly=True) as s:
        (done,) = s.execute(select(Setback.id).where(Setback.user_id == ADA)).scalars()
    draft = make_draft(h, ADA)
    h.finish_setback(BEN, BEN_STEPS)
    return done, draft


def test_another_users_ids_change_and_reveal_nothing(harness) -> None:
    h = harness
    done, draft = ada_and_ben(h)
    before = snapshot(h)
    ben_home = open_home(h, BEN)

    for action, target in (
        (views.ACTION_ARCHIVE, done),
        (views.ACTION_DELETE, done),
        (views.ACTION_DELETE, draft),
    ):
        previous = ben_home["hash"]
        crafted_click(h, BEN, action, str(target))
        # A refused change republishes Ben's own Home: that is when it has been handled.
        ben_home = wait_home(h, BEN, lambda v, p=previous: v["hash"] != p)
        assert snapshot(h) == before, action
        assert "Config push" not in texts(ben_home) and "Missed the standup" not in texts(ben_home)

    crafted_click(h, BEN, views.ACTION_RESUME, str(draft))
    modal = wait_for(lambda: h.modal(BEN), what="Ben's modal")
    assert modal["callback_id"] == "setback_gone"
    assert "Missed the standup" not in texts(modal)
    assert snapshot(h) == before


def publishes(h, user: str) -> int:
    """How many times the bot has published this user's Home so far."""
    return sum(
        1
        for c in h.ws.recent("calls", limit=10_000)
        if c["method"] == "views.publish" and c["params"].get("user_id") == user
    )


def test_another_workspace_cannot_touch_the_setback(harness) -> None:
    h = harness
    done, draft = ada_and_ben(h)
    before = snapshot(h)
    ada_home = open_home(h, ADA)
    h.settle()

    # One crafted click at a time, each waited for: a refused change republishes Ada's
    # Home (for T0OTHER's view of her: empty), and so would an accepted one, after its
    # change is committed. So once the count moves, the click's work is done.
    for action, target in ((views.ACTION_ARCHIVE, done), (views.ACTION_DELETE, draft)):
        n0 = publishes(h, ADA)
        crafted_click(h, ADA, action, str(target), team="T0OTHER")
        wait_for(lambda n0=n0: publishes(h, ADA) > n0, what=f"{action} to be handled")
        h.settle()
        assert snapshot(h) == before, action

    crafted_click(h, ADA, views.ACTION_RESUME, str(draft), team="T0OTHER")
    wait_for(lambda: (h.modal(ADA) or {}).get("callback_id") == "setback_gone", what="gone")
    assert snapshot(h) == before
    assert (h.ws.home_view(ADA) or {}).get("hash") != ada_home["hash"]
    assert "Config push" not in texts(h.ws.home_view(ADA)), "T0OTHER's Ada sees nothing"


def test_odd_offsets_are_harmless(harness) -> None:
    h = harness
    ada_and_ben(h)
    view = open_home(h, BEN)
    for value in ("-5", "abc", "99999999999999999999", ""):
        previous = view["hash"]
        crafted_click(h, BEN, views.ACTION_OLDER, value)
        view = wait_home(h, BEN, lambda v, p=previous: v["hash"] != p)
        assert "Config push" not in texts(view)
    assert h.ws.rejections == [] or all(r["method"] != "views.publish" for r in h.ws.rejections), (
        "every page published was valid"
    )


def test_an_export_holds_only_the_person_asking(harness) -> None:
    h = harness
    ada_and_ben(h)
    crafted_click(h, BEN, views.ACTION_EXPORT, "U0ADA")
    files = export_files(h, BEN)
    data = json.loads(files["json"])
    assert data["user_id"] == BEN
    for blob in files.values():
        assert ADA_CANARY.encode() not in blob and b"Missed the standup" not in blob
    assert b"ben-canary-3" in files["json"]
