"""Export: `/setback export` and the Home button DM the person a JSON and a Markdown file
holding exactly what they entered, decrypted, and nothing of anyone else's."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.journal import views
from storage.db import session_scope
from storage.models import Checkin, Commitment
from tests.integration.harness import ADA, BEN, SAMPLE_STEPS, choices, form, text, wait_for
from tests.integration.test_home import open_home

BEN_STEPS = (
    {
        **SAMPLE_STEPS[0],
        **form(title=text("Ben's slip ben-canary-3"), facts=text("Ben's facts ben-canary-3")),
    },
    *SAMPLE_STEPS[1:4],
    form(support_kinds=choices("mentor")),
    SAMPLE_STEPS[5],
)


def entered(state: dict[str, Any]) -> Any:
    """The value a person entered, as the sandbox's state value holds it."""
    if "value" in state:
        return state["value"]
    if "selected_date" in state:
        return state["selected_date"]
    if "selected_option" in state:
        return state["selected_option"]["value"]
    if "selected_options" in state:
        return [o["value"] for o in state["selected_options"]]
    return state["selected_users"]


def file_messages(h, user: str) -> list[dict[str, Any]]:
    return [m for m in h.dm(user) if m.get("files")]


def export_files(h, user: str, count: int = 1) -> dict[str, bytes]:
    """Wait for the `count`-th export message; its files by extension."""
    msgs = wait_for(lambda: len(file_messages(h, user)) >= count and file_messages(h, user))
    return {f["name"].rsplit(".", 1)[1]: h.ws.file_content(f["id"]) for f in msgs[-1]["files"]}


def test_export_holds_exactly_what_was_entered(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    h.finish_setback(BEN, BEN_STEPS)

    resp = h.command(ADA, "export")
    assert resp.status == 200 and resp.error is None

    files = export_files(h, ADA)
    assert set(files) == {"json", "md"}
    data = json.loads(files["json"])
    assert data["user_id"] == ADA and data["team_id"] == h.ws.team_id
    (setback,) = data["setbacks"]
    assert setback["title"] == "Config push broke checkout" and setback["status"] == "complete"
    for step, values in enumerate(SAMPLE_STEPS):
        expected = {
            name: entered(state) for field in values.values() for name, state in field.items()
        }
        assert setback["answers"][str(step)] == expected, f"step {step}"

    with session_scope(h.rt.engine, readonly=True) as s:
        commitments = s.execute(select(Commitment).where(Commitment.user_id == ADA)).scalars()
        texts = sorted(c.text for c in commitments)
        n_checkins = len(list(s.execute(select(Checkin).where(Checkin.user_id == ADA)).scalars()))
    assert sorted(c["text"] for c in setback["commitments"]) == texts
    assert (
        "If I'm about to merge a config change, then I will run the migration check first" in texts
    )
    assert len(setback["checkins"]) == n_checkins > 0
    assert all(c["status"] == "scheduled" for c in setback["checkins"])
    assert data["settings"]["tz"] == "Europe/London"

    md = files["md"].decode()
    assert "# Your Setback journal" in md and "## Config push broke checkout" in md
    assert "**What happened, step by step**" in md
    assert "I pushed a config change at 16:40. Checkout failed for 20 minutes." in md
    assert "Embarrassed, Anxious" in md, "choices are shown with their labels"
    assert "run the migration check first" in md

    for blob in files.values():
        assert b"ben-canary-3" not in blob, "nothing of anyone else's"
        assert b"gAAAA" not in blob, "decrypted, not tokens"


def test_export_from_the_home_button(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    view = open_home(h, ADA)

    h.slack.click(ADA, views.ACTION_EXPORT, view_id=view["id"])

    data = json.loads(export_files(h, ADA)["json"])
    assert len(data["setbacks"]) == 1
    (msg,) = file_messages(h, ADA)
    assert "Only you can see this conversation" in msg["text"]


def test_exporting_with_nothing_stored_sends_an_empty_journal(harness) -> None:
    h = harness
    h.command(BEN, "export")
    data = json.loads(export_files(h, BEN)["json"])
    assert data["setbacks"] == [] and data["settings"] is None
