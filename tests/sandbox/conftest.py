"""Fixtures for the sandbox Slack: a workspace on a fake clock, its Web API, a real client."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack_api import SlackApiServer
from sandbox.workspace import Workspace

ALICE = "U0ALICE"
BOB = "U0BOB"
GENERAL = "C0GENERAL"  # public, bot and both users are members
RANDOM = "C0RANDOM"  # public, bot is not a member
SECRET = "G0SECRET"  # private, bot is not a member
TEAM_ROOM = "G0TEAM"  # private, bot is a member
OLD = "C0OLD"  # archived, bot was a member


class FakeClock:
    """A clock tests move by hand, so expiry rules are tested without sleeping."""

    def __init__(self, start: float = 1_764_072_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def workspace(clock: FakeClock) -> Workspace:
    ws = Workspace(clock=clock)
    ws.add_user(ALICE, "alice", real_name="Alice Example")
    ws.add_user(BOB, "bob", tz="America/New_York")
    ws.add_channel(GENERAL, "general", members=(ALICE, BOB))
    ws.add_channel(RANDOM, "random", members=(ALICE,), bot_member=False)
    ws.add_channel(SECRET, "secret", is_private=True, members=(ALICE,), bot_member=False)
    ws.add_channel(TEAM_ROOM, "team-room", is_private=True, members=(ALICE,))
    ws.add_channel(OLD, "old", members=(ALICE,), is_archived=True)
    return ws


@pytest.fixture
def server(workspace: Workspace) -> Iterator[SlackApiServer]:
    api = SlackApiServer(workspace).start()
    yield api
    api.stop()


@pytest.fixture
def client(server: SlackApiServer, workspace: Workspace) -> WebClient:
    return WebClient(token=workspace.bot_token, base_url=server.url)


def refused(call: Callable[[], Any]) -> dict[str, Any]:
    """The body of the Slack error ``call`` must raise."""
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value.response.data


def section(text: str = "hello") -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
