"""Uninstall over HTTP: `app_uninstalled` / `tokens_revoked` drop the workspace's token
and erase all of its data — at once by default, or by housekeeping after the grace
period — deduplicated by event id, logging counts and never content."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import func, select
from sqlmodel import SQLModel

from bot.journal import erase
from storage.db import session_scope
from storage.installations import SqlInstallationStore
from storage.models import Setback, Workspace
from tests.integration.harness import ADA, BEN, Harness, wait_for
from tests.integration.test_export import BEN_STEPS
from tests.integration.test_home import open_home

DAY = timedelta(days=1)


def team_rows(h) -> int:
    """Rows of this workspace in every table that carries a team id."""
    total = 0
    with h.rt.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if "team_id" in table.c:
                query = select(func.count()).select_from(table)
                total += conn.execute(query.where(table.c.team_id == h.ws.team_id)).scalar_one()
    return total


def workspace(h) -> Workspace | None:
    with session_scope(h.rt.engine, readonly=True) as s:
        return s.get(Workspace, h.ws.team_id)


def uninstall(h, event_id: str = "EvUNINSTALL1", retry: int | None = None):
    resp = h.slack.event({"type": "app_uninstalled"}, event_id=event_id, retry_num=retry)
    assert resp.status == 200 and resp.error is None
    return resp


def test_uninstall_erases_the_workspace_at_once(harness, caplog) -> None:
    h = harness
    h.finish_setback(ADA)
    h.finish_setback(BEN, BEN_STEPS)
    open_home(h, ADA)
    assert team_rows(h) > 10

    def erasures() -> int:
        return caplog.text.count("erased uninstalled workspace")

    with caplog.at_level(logging.INFO):
        uninstall(h)
        wait_for(lambda: erasures() == 1, what="the workspace's rows to be erased")
        assert team_rows(h) == 0
        uninstall(h, retry=1)  # Slack retries the same event: harmless
        wait_for(lambda: erasures() == 2, what="the retry to be handled")

    assert workspace(h) is None, "no mark, no token left behind"
    assert team_rows(h) == 0
    assert "erased uninstalled workspace" in caplog.text and "setback" in caplog.text
    assert "Config push" not in caplog.text and "ben-canary-3" not in caplog.text
    assert "xoxb-" not in caplog.text


def test_user_token_revocation_alone_changes_nothing(harness, caplog) -> None:
    h = harness
    h.finish_setback(ADA)
    before = team_rows(h)
    event = {"type": "tokens_revoked", "tokens": {"oauth": [ADA]}}
    with caplog.at_level(logging.INFO):
        assert h.slack.event(event).status == 200
        wait_for(lambda: "user tokens only" in caplog.text, what="the event to be handled")
    assert team_rows(h) == before
    assert workspace(h) is None


def test_bot_token_revocation_erases_too(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [h.ws.bot_user_id]}}
    assert h.slack.event(event).status == 200
    wait_for(lambda: team_rows(h) == 0, what="the workspace's rows to be erased")


def test_with_a_grace_period_housekeeping_erases_later(tmp_path) -> None:
    h = Harness(tmp_path, settings_overrides={"setback_uninstall_grace_days": 7}).start()
    try:
        h.finish_setback(ADA)
        with session_scope(h.rt.engine) as s:
            s.add(Workspace(team_id=h.ws.team_id))
        rows = team_rows(h)
        installs = SqlInstallationStore(h.rt.engine)
        installs.save(
            Installation(team_id=h.ws.team_id, bot_token="xoxb-installed-token", user_id=BEN)
        )

        uninstall(h)
        ws = wait_for(lambda: (w := workspace(h)) and w.uninstalled_at and w, what="the mark")
        assert installs.find_bot_for_workspace(h.ws.team_id) is None, "the token is dropped at once"
        assert ws.uninstalled_at == h.clock.now()
        assert team_rows(h) == rows + 1, "the data waits for the grace period (+1 event id)"

        assert erase.housekeeping(h.rt, h.clock.now() + 6 * DAY)["uninstalled"] == {}
        result = erase.housekeeping(h.rt, h.clock.now() + 7 * DAY)
        assert result["uninstalled"]["setback"] == 1
        assert team_rows(h) == 0
    finally:
        h.stop()


def test_a_reinstalled_workspace_keeps_its_data(tmp_path) -> None:
    h = Harness(tmp_path, settings_overrides={"setback_uninstall_grace_days": 7}).start()
    try:
        h.finish_setback(ADA)
        uninstall(h)
        wait_for(lambda: (w := workspace(h)) and w.uninstalled_at, what="the mark")

        # A late retry of an event from before the uninstall is not a reinstall.
        late = {"type": "app_home_opened", "user": ADA, "tab": "home"}
        assert h.slack.event(late, retry_num=1).status == 200
        assert workspace(h).uninstalled_at is not None

        h.command(ADA)  # someone uses the app in this workspace again: it was reinstalled
        assert workspace(h).uninstalled_at is None, "lifted before the command was answered"
        h.wait_modal(ADA, "setback_step", 0)

        assert erase.housekeeping(h.rt, h.clock.now() + 30 * DAY)["uninstalled"] == {}
        with session_scope(h.rt.engine, readonly=True) as s:
            assert len(s.execute(select(Setback)).all()) == 1
    finally:
        h.stop()
