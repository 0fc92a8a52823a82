"""An org-wide install on Enterprise Grid: one installation serves every workspace of
the org, each person's data stays in the workspace where they acted, and removing the
app from the org deletes its token and the data of the workspaces it served."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from sandbox.delivery import Response
from sandbox.workspace import Workspace
from storage.db import session_scope
from storage.models import Member
from storage.models import Workspace as WorkspaceRow
from tests.integration.harness import wait_for
from tests.integration.install_harness import ALPHA, BETA, CY, ORG, InstallHarness


@pytest.fixture
def h(tmp_path, db_url) -> Iterator[InstallHarness]:
    harness = InstallHarness(tmp_path, database_url=db_url, org=ORG).start()
    yield harness
    harness.stop()


def signed(h: InstallHarness, ws: Workspace, body: bytes, kind: str) -> Response:
    slack = h.delivery(ws)
    return slack.raw(body, {"Content-Type": kind, **slack.sign(body)})


def org_command(h: InstallHarness, ws: Workspace, user: str) -> Response:
    """`/setback` typed in `ws`, as Slack sends it for an org-wide install."""
    channel = ws.im_channel_for(user)
    fields = {
        "team_id": ws.team_id,
        "enterprise_id": ORG,
        "channel_id": channel,
        "user_id": user,
        "command": "/setback",
        "text": "",
        "api_app_id": ws.app_id,
        "is_enterprise_install": "true",
        "response_url": f"{ws.web_url}response/{ws.issue_response_url(user, channel)}",
        "trigger_id": ws.issue_trigger_id(user),
    }
    return signed(h, ws, urlencode(fields).encode(), "application/x-www-form-urlencoded")


def org_event(h: InstallHarness, ws: Workspace, event: dict[str, Any]) -> Response:
    """An event in `ws` for an org-wide install: the authorization names no team."""
    envelope = {
        "type": "event_callback",
        "team_id": ws.team_id,
        "enterprise_id": ORG,
        "api_app_id": ws.app_id,
        "event": event,
        "event_id": f"Ev{secrets.token_hex(6).upper()}",
        "event_time": 1_800_000_000,
        "authorizations": [
            {
                "enterprise_id": ORG,
                "team_id": None,
                "user_id": "U0BOTA",
                "is_bot": True,
                "is_enterprise_install": True,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return signed(h, ws, json.dumps(envelope).encode(), "application/json")


def members(h: InstallHarness) -> set[tuple[str, str]]:
    with session_scope(h.rt.engine, readonly=True) as s:
        return {(m.team_id, m.user_id) for m in s.execute(select(Member)).scalars()}


def test_one_org_install_serves_each_workspace_and_keeps_data_where_people_act(h) -> None:
    page = h.install(user=CY, org_wide=ORG)
    assert page.status == 200 and f"Setback is installed in Org {ORG}" in page.text
    assert "Choose workspaces" in page.text, "an org admin picks the workspaces next"
    assert h.rt.installs is not None
    store = h.rt.installs.store
    org_bot = store.find_bot(enterprise_id=ORG, team_id=BETA, is_enterprise_install=True)
    assert org_bot is not None and org_bot.is_enterprise_install and org_bot.team_id is None
    assert store.find_bot(enterprise_id=ORG, team_id=BETA) is None, "no workspace install"
    token = org_bot.bot_token

    assert org_command(h, h.beta, CY).error is None
    wait_for(lambda: h.beta.top_view(CY), what="the modal in Beta")
    assert ("views.open", BETA, token) in h.many.calls
    h.rt.drain()
    assert members(h) == {(BETA, CY)}, "the person's data is Beta's, not the org's"

    home = {"type": "app_home_opened", "user": "U0ADA", "tab": "home"}
    assert org_event(h, h.alpha, home).status == 200
    wait_for(lambda: h.alpha.home_view("U0ADA"), what="Ada's Home in Alpha")
    assert ("views.publish", ALPHA, token) in h.many.calls

    # Work outside a request finds the org's token from the team alone.
    with session_scope(h.rt.engine, readonly=True) as s:
        orgs = {w.team_id: w.enterprise_id for w in s.execute(select(WorkspaceRow)).scalars()}
    assert orgs == {ALPHA: ORG, BETA: ORG}
    assert h.rt.client_for(BETA).token == token


def test_removing_the_app_from_the_org_deletes_its_token_and_its_workspaces_data(h) -> None:
    h.install(user=CY, org_wide=ORG)
    org_command(h, h.beta, CY)
    wait_for(lambda: h.beta.top_view(CY), what="the modal in Beta")
    h.rt.drain()
    assert members(h) == {(BETA, CY)}
    assert h.rt.installs is not None

    assert org_event(h, h.beta, {"type": "app_uninstalled"}).status == 200
    store = h.rt.installs.store
    wait_for(
        lambda: store.find_bot(enterprise_id=ORG, team_id=None, is_enterprise_install=True) is None,
        what="the org's token to go",
    )
    wait_for(lambda: members(h) == set(), what="Beta's data to be erased")
    assert (
        store.find_installation(enterprise_id=ORG, team_id=None, is_enterprise_install=True) is None
    )
