"""Tokens, unknown methods, rate limits, injected faults and the wire formats Slack accepts."""

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from sandbox.slack_api import call

from .conftest import ALICE, GENERAL, FakeClock


def slack_error(call_: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as raised:
        call_()
    return raised.value


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any], Any]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status, json.loads(reply.read()), reply.headers
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), exc.headers


def test_a_wrong_token_is_invalid_auth_with_http_200(server, workspace):
    error = slack_error(lambda: WebClient(token="xoxb-wrong", base_url=server.url).auth_test())

    assert error.response.status_code == 200
    assert error.response["error"] == "invalid_auth"
    assert workspace.rejections[-1]["error"] == "invalid_auth"


def test_no_token_is_not_authed(server):
    error = slack_error(lambda: WebClient(base_url=server.url).auth_test())

    assert error.response["error"] == "not_authed"


def test_an_unknown_method_is_unknown_method(client):
    error = slack_error(lambda: client.api_call("chat.scheduleEverything"))

    assert error.response["error"] == "unknown_method"


def test_form_fields_holding_json_strings_are_parsed(server, workspace):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "from a form"}}]
    metadata = {"event_type": "t", "event_payload": {"n": 1}}
    fields = {
        "token": workspace.bot_token,
        "channel": GENERAL,
        "text": "x",
        "blocks": json.dumps(blocks),
        "metadata": json.dumps(metadata),
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    status, body, _ = post(f"{server.url}chat.postMessage", urlencode(fields).encode(), headers)

    assert status == 200 and body["ok"] is True
    assert body["message"]["blocks"][0]["text"]["text"] == "from a form"
    assert workspace.get_message(GENERAL, body["ts"])["metadata"] == metadata


def test_rate_limit_answers_429_with_retry_after(client, workspace, clock: FakeClock):
    workspace.set_rate_limit("chat.postMessage", 1.0, per="channel")
    client.chat_postMessage(channel=GENERAL, text="first")

    error = slack_error(lambda: client.chat_postMessage(channel=GENERAL, text="second"))

    assert error.response.status_code == 429
    assert error.response["error"] == "ratelimited"
    assert int(error.response.headers["Retry-After"]) >= 1
    assert client.chat_postMessage(channel=ALICE, text="other channel")["ok"] is True
    clock.advance(1.0)
    assert client.chat_postMessage(channel=GENERAL, text="after waiting")["ok"] is True


def test_rate_limits_are_off_by_default(client):
    for n in range(5):
        assert client.chat_postMessage(channel=GENERAL, text=str(n))["ok"] is True


def test_rate_limit_per_method_counts_every_channel(client, workspace):
    workspace.set_rate_limit("chat.postMessage", 60.0, per="method", burst=2)
    client.chat_postMessage(channel=GENERAL, text="1")
    client.chat_postMessage(channel=ALICE, text="2")

    error = slack_error(lambda: client.chat_postMessage(channel=ALICE, text="3"))

    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "60"


def test_slack_sdk_retry_handler_waits_out_an_injected_429(client, workspace):
    workspace.fail_next("chat.postMessage", status=429)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))

    assert client.chat_postMessage(channel=GENERAL, text="eventually")["ok"] is True
    assert [c["ok"] for c in workspace.calls if c["method"] == "chat.postMessage"] == [False, True]


def test_fail_next_500_fails_exactly_the_next_call(client, workspace):
    workspace.fail_next("chat.postMessage", status=500)

    error = slack_error(lambda: client.chat_postMessage(channel=GENERAL, text="lost?"))

    assert error.response.status_code == 500
    assert workspace.messages[GENERAL] == []
    assert client.chat_postMessage(channel=GENERAL, text="again")["ok"] is True
    assert len(workspace.messages[GENERAL]) == 1


def test_fail_next_with_a_slack_error_and_times(client, workspace):
    workspace.fail_next("users.info", error="fatal_error", times=2)

    for _ in range(2):
        assert slack_error(lambda: client.users_info(user=ALICE)).response["error"] == "fatal_error"
    assert client.users_info(user=ALICE)["ok"] is True


def test_call_is_a_pure_dispatcher_over_the_workspace(workspace):
    status, body, headers = call(
        workspace, "chat.postMessage", {"channel": GENERAL, "text": "x"}, workspace.bot_token
    )
    bad_status, bad_body, _ = call(workspace, "auth.test", {}, "xoxb-nope")

    assert (status, body["ok"], headers) == (200, True, {})
    assert workspace.messages[GENERAL][0]["ts"] == body["ts"]
    assert (bad_status, bad_body["error"]) == (200, "invalid_auth")
    assert [c["method"] for c in workspace.calls] == ["chat.postMessage", "auth.test"]
    assert workspace.rejections[-1]["method"] == "auth.test"
