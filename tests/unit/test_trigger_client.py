"""The command's Web API client: the workspace client's settings, and no `views.open`
once the trigger id's deadline has passed."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.core.lanes import Deadline
from handlers.commands import TriggerClient, TriggerExpired
from tests.virtual_time import VirtualClock


def _base() -> WebClient:
    client = WebClient(
        token="xoxb-test",
        base_url="http://127.0.0.1:9/api/",
        timeout=7,
        user_agent_prefix="setback-test",
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    client.default_params["team_id"] = "T1"
    return client


def test_the_guarded_client_speaks_as_the_workspace_client_does() -> None:
    base = _base()
    guarded = TriggerClient(base, Deadline.after(VirtualClock(), 2.5))
    assert (guarded.token, guarded.base_url, guarded.timeout) == ("xoxb-test", base.base_url, 7)
    assert guarded.headers["User-Agent"].startswith("setback-test")
    assert guarded.retry_handlers == base.retry_handlers
    assert guarded.default_params == {"team_id": "T1"}


def test_changing_the_guarded_client_leaves_the_workspace_client_alone() -> None:
    base = _base()
    guarded = TriggerClient(base, Deadline.after(VirtualClock(), 2.5))
    guarded.headers["X-Extra"] = "1"
    guarded.default_params["team_id"] = "T2"
    assert "X-Extra" not in base.headers and base.default_params == {"team_id": "T1"}
    assert not hasattr(base, "deadline")


def test_no_modal_is_attempted_once_the_trigger_deadline_has_passed() -> None:
    clock = VirtualClock()
    guarded = TriggerClient(_base(), Deadline.after(clock, 2.5))
    clock.advance(3.0)
    with pytest.raises(TriggerExpired):  # raised before any request: nothing listens on :9
        guarded.views_open(trigger_id="1.2.3", view={"type": "modal"})
