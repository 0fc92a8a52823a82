"""When the bot cannot post in a workspace at all — Slack refuses its token, or the app
was uninstalled — the dispatcher stops there for the pass and gives the rows back
untouched: no attempt counted, no member's plan ended, one log line."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.core.runtime import Runtime
from sandbox.workspace import Workspace
from scheduler import dispatcher
from scheduler.dispatcher import run_once
from storage.db import session_scope
from storage.models import Workspace as InstalledWorkspace
from tests.scheduler.conftest import NOW, TEAM, posts_per_checkin, rows, seed

WAIT = dispatcher.WORKSPACE_WAIT


def posts_tried(ws: Workspace) -> int:
    return sum(1 for c in ws.recent("calls") if c["method"] == "chat.postMessage")


def stop_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("workspace ")]


def test_a_revoked_bot_token_keeps_every_plan(
    rt: Runtime, ws: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    people = [
        seed(rt, ws, f"U0P{i}", due=[NOW - timedelta(minutes=1), NOW + WAIT * 9]) for i in range(3)
    ]
    due_now = [p.checkin_ids[0] for p in people]
    later = [p.checkin_ids[1] for p in people]
    ws.bot_token = "xoxb-a-new-token"  # the one the bot holds no longer works: invalid_auth
    with caplog.at_level(logging.INFO, logger="scheduler.dispatcher"):
        report = run_once(rt)
    assert (report.claimed, report.held, report.cancelled, report.failed) == (3, 3, 0, 0)
    states = rows(rt)
    for cid in due_now:
        row = states[cid]
        assert (row.status, row.attempts, row.error) == ("scheduled", 0, "invalid_auth")
        assert (row.due_at, row.lease_owner) == (NOW + WAIT, None)
    assert {states[cid].status for cid in later} == {"scheduled"}
    assert stop_lines(caplog) == [
        "workspace T0SANDBOX: Slack refused the bot token (invalid_auth); its check-ins wait, "
        "no attempt counted"
    ]
    assert "second reviewer" not in caplog.text
    assert posts_per_checkin(ws) == {}
    ws.bot_token = "xoxb-sandbox"  # the token works again
    assert run_once(rt, NOW + WAIT).sent == 3
    assert posts_per_checkin(ws) == {cid: 1 for cid in due_now}


@pytest.mark.parametrize(
    "error", ["account_inactive", "invalid_auth", "not_authed", "token_revoked", "token_expired"]
)
def test_a_refused_token_ends_the_pass_for_that_workspace(
    rt: Runtime, ws: Workspace, caplog: pytest.LogCaptureFixture, error: str
) -> None:
    # One person, three due check-ins in one DM: the first post is refused; the other two
    # are given back without asking Slack again.
    seeded = seed(rt, ws, due=[NOW - timedelta(minutes=m) for m in (3, 2, 1)])
    ws.fail_next("chat.postMessage", error=error)
    with caplog.at_level(logging.INFO, logger="scheduler.dispatcher"):
        report = run_once(rt, channel_gap=0.0)
    assert (report.held, report.cancelled, report.failed, report.sent) == (3, 0, 0, 0)
    assert posts_tried(ws) == 1
    states = rows(rt)
    assert {(states[c].status, states[c].attempts) for c in seeded.checkin_ids} == {
        ("scheduled", 0)
    }
    assert len(stop_lines(caplog)) == 1 and f"({error})" in stop_lines(caplog)[0]
    assert run_once(rt, NOW + WAIT, channel_gap=0.0).sent == 3


def test_rows_of_an_uninstalled_workspace_wait_untouched(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws)
    with session_scope(rt.engine) as s:
        s.add(InstalledWorkspace(team_id=TEAM, installed_at=NOW, uninstalled_at=NOW))
    report = run_once(rt)
    assert (report.claimed, report.held, report.sent) == (1, 1, 0)
    assert posts_tried(ws) == 0
    row = rows(rt)[seeded.checkin_ids[0]]
    assert (row.status, row.attempts, row.error, row.due_at) == (
        "scheduled",
        0,
        "uninstalled",
        NOW + WAIT,
    )
    with session_scope(rt.engine) as s:  # installed again (erase.note_active lifts the mark)
        installed = s.get(InstalledWorkspace, TEAM)
        assert installed is not None
        installed.uninstalled_at = None
    assert run_once(rt, NOW + WAIT).sent == 1


def test_an_installed_workspace_row_does_not_hold_anything_back(rt: Runtime, ws: Workspace) -> None:
    seed(rt, ws)
    with session_scope(rt.engine) as s:
        s.add(InstalledWorkspace(team_id=TEAM, installed_at=NOW))
    assert run_once(rt).sent == 1
