"""SlackDelivery sends signed requests shaped like Slack's, and applies the answers like Slack."""

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk.signature import SignatureVerifier

from sandbox import delivery as delivery_module
from sandbox.delivery import SlackDelivery, SubmissionBlocked
from sandbox.workspace import Workspace

from .conftest import ALICE, BOB, GENERAL, FakeClock

SIGNING_SECRET = "sandbox-signing-secret"


class Receiver:
    """A stand-in bot: verifies each request's signature, keeps it, answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status, self.body, self.delay = 200, b"", 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                headers = dict(self.headers.items())
                valid = SignatureVerifier(SIGNING_SECRET).is_valid_request(raw, headers)
                receiver.requests.append(
                    {"headers": headers, "raw": raw, "valid": valid, "payload": parse(raw)}
                )
                time.sleep(receiver.delay)
                status, body = (receiver.status, receiver.body) if valid else (401, b"")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"

    def answer(self, body: dict[str, Any] | None = None, status: int = 200) -> None:
        self.status, self.body = status, json.dumps(body).encode() if body is not None else b""

    @property
    def last(self) -> dict[str, Any]:
        return self.requests[-1]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def parse(raw: bytes) -> Any:
    if raw.startswith(b"{"):
        return json.loads(raw)
    fields = {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
    return json.loads(fields["payload"]) if "payload" in fields else fields


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    bot = Receiver()
    yield bot
    bot.close()


@pytest.fixture
def slack(workspace: Workspace, receiver: Receiver, server) -> SlackDelivery:
    return SlackDelivery(workspace, receiver.url, SIGNING_SECRET, server)


def input_block(block_id: str, action_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": "Label"},
        "element": {"type": "plain_text_input", "action_id": action_id},
        **extra,
    }


def modal(blocks: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "step",
        "private_metadata": "setback:1",
        "title": {"type": "plain_text", "text": "Step 1 of 6"},
        "submit": {"type": "plain_text", "text": "Next"},
        "blocks": blocks or [input_block("what", "facts"), input_block("note", "n", optional=True)],
        **fields,
    }


def open_modal(workspace: Workspace, user: str = ALICE, **fields: Any) -> dict[str, Any]:
    workspace.use_trigger_id(workspace.issue_trigger_id(user))
    return workspace.open_view(user, modal(**fields))


FACTS = {"what": {"facts": {"value": "I shipped a bug"}}}


def post(url: str, payload: dict[str, Any]) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status
    except urllib.error.HTTPError as exc:
        return exc.code


# ---------------------------------------------------------------- slash commands


def test_command_is_a_signed_form_with_slacks_fields(slack, receiver, workspace, server):
    response = slack.command(ALICE, "new")

    sent = receiver.last
    fields = sent["payload"]
    assert sent["valid"] is True
    assert sent["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert response.status == 200 and response.error is None
    assert (fields["command"], fields["text"], fields["user_id"]) == ("/setback", "new", ALICE)
    assert (fields["user_name"], fields["team_id"]) == ("alice", workspace.team_id)
    assert fields["channel_id"] == workspace.im_channel_for(ALICE)
    assert fields["channel_name"] == "directmessage"
    assert fields["api_app_id"] == workspace.app_id
    assert fields["is_enterprise_install"] == "false"
    assert fields["response_url"].startswith(f"{server.root_url}response/")
    assert workspace.use_trigger_id(fields["trigger_id"]) == ALICE


def test_command_ack_text_is_shown_to_the_user_only(slack, receiver, workspace):
    receiver.answer({"text": "Starting your reflection"})

    slack.command(ALICE, channel_id=GENERAL)

    assert [m["text"] for m in workspace.ephemeral_messages(ALICE)] == ["Starting your reflection"]
    assert workspace.messages[GENERAL] == []


def test_response_url_posts_ephemerally_and_in_channel(slack, receiver, workspace):
    slack.command(ALICE, channel_id=GENERAL)
    url = receiver.last["payload"]["response_url"]

    assert post(url, {"text": "only you"}) == 200
    assert post(url, {"text": "everyone", "response_type": "in_channel"}) == 200

    assert [m["text"] for m in workspace.ephemeral_messages(ALICE)] == ["only you"]
    assert [m["text"] for m in workspace.messages[GENERAL]] == ["everyone"]


def test_response_url_refuses_bad_blocks_and_more_than_five_uses(slack, receiver, workspace):
    slack.command(ALICE)
    url = receiver.last["payload"]["response_url"]

    assert post(url, {"text": "x", "blocks": [{"type": "nope"}]}) == 400  # not a use
    for _ in range(5):
        assert post(url, {"text": "ok"}) == 200
    assert post(url, {"text": "sixth"}) == 404
    assert workspace.rejections[-1]["error"] == "used_url"


def test_response_url_expires_after_30_minutes(slack, receiver, clock: FakeClock):
    slack.command(ALICE)
    clock.advance(30 * 60 + 1)

    assert post(receiver.last["payload"]["response_url"], {"text": "late"}) == 404


# ---------------------------------------------------------------- signing


def test_a_stale_signature_is_refused_by_the_bot_and_reported(slack, receiver, workspace):
    body = b"command=%2Fsetback&user_id=U0ALICE"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    headers.update(slack.sign(body, timestamp=int(time.time()) - 6 * 60))

    response = slack.raw(body, headers)

    assert receiver.last["valid"] is False
    assert response.status == 401
    assert response.error == "http_401"
    assert workspace.rejections[-1]["error"] == "http_401"


def test_an_answer_slower_than_the_deadline_is_operation_timeout(
    slack, receiver, workspace, monkeypatch
):
    monkeypatch.setattr(delivery_module, "ACK_DEADLINE_SECONDS", 0.05)
    receiver.delay = 0.2

    response = slack.command(ALICE)

    assert response.status == 200
    assert response.error == "operation_timeout"
    assert workspace.rejections[-1]["method"] == "slash_command"


# ---------------------------------------------------------------- modals


def test_view_submission_payload_carries_the_stored_view_and_its_state(slack, receiver, workspace):
    view = open_modal(workspace)

    slack.submit_view(ALICE, view["id"], FACTS)

    payload = receiver.last["payload"]
    sent_view = payload["view"]
    assert payload["type"] == "view_submission"
    assert payload["user"] == {
        "id": ALICE,
        "username": "alice",
        "name": "alice",
        "team_id": workspace.team_id,
    }
    assert payload["team"]["id"] == workspace.team_id
    assert payload["api_app_id"] == workspace.app_id
    assert payload["trigger_id"]
    assert (sent_view["id"], sent_view["hash"]) == (view["id"], view["hash"])
    assert sent_view["private_metadata"] == "setback:1"
    assert sent_view["callback_id"] == "step"
    assert sent_view["state"]["values"] == {
        "what": {"facts": {"type": "plain_text_input", "value": "I shipped a bug"}}
    }


def test_an_empty_ack_closes_the_submitted_view(slack, workspace):
    view = open_modal(workspace)

    slack.submit_view(ALICE, view["id"], FACTS)

    assert workspace.top_view(ALICE) is None


def test_response_action_update_replaces_the_view_in_place(slack, receiver, workspace):
    view = open_modal(workspace)
    receiver.answer({"response_action": "update", "view": modal(title="Step 2 of 6")})

    response = slack.submit_view(ALICE, view["id"], FACTS)

    shown = workspace.top_view(ALICE)
    assert response.error is None
    assert shown["id"] == view["id"]
    assert shown["hash"] != view["hash"]
    assert shown["title"]["text"] == "Step 2 of 6"


def test_response_action_update_with_an_invalid_view_is_reported(slack, receiver, workspace):
    view = open_modal(workspace)
    receiver.answer({"response_action": "update", "view": modal(title="x" * 25)})

    response = slack.submit_view(ALICE, view["id"], FACTS)

    assert response.error.startswith("invalid_arguments")
    assert workspace.rejections[-1]["method"] == "view_submission"
    assert workspace.top_view(ALICE)["title"]["text"] == "Step 1 of 6"


def test_response_action_errors_are_kept_on_the_open_view(slack, receiver, workspace):
    view = open_modal(workspace)
    receiver.answer({"response_action": "errors", "errors": {"what": "Tell me a bit more"}})

    slack.submit_view(ALICE, view["id"], FACTS)

    assert workspace.top_view(ALICE)["id"] == view["id"]
    assert workspace.view_errors[view["id"]] == {"what": "Tell me a bit more"}


def test_response_action_errors_must_name_input_blocks(slack, receiver, workspace):
    view = open_modal(workspace)
    receiver.answer({"response_action": "errors", "errors": {"nope": "x"}})

    response = slack.submit_view(ALICE, view["id"], FACTS)

    assert response.error.startswith("invalid_arguments")
    assert view["id"] not in workspace.view_errors


def test_response_action_push_and_clear(slack, receiver, workspace):
    view = open_modal(workspace)
    receiver.answer({"response_action": "push", "view": modal()})
    slack.submit_view(ALICE, view["id"], FACTS)
    pushed = workspace.top_view(ALICE)
    receiver.answer({"response_action": "clear"})

    slack.submit_view(ALICE, pushed["id"], FACTS)

    assert pushed["previous_view_id"] == view["id"]
    assert workspace.view_stack(ALICE) == []


def test_the_client_does_not_submit_without_required_inputs(slack, receiver, workspace):
    view = open_modal(workspace)

    with pytest.raises(SubmissionBlocked, match="what/facts"):
        slack.submit_view(ALICE, view["id"], {"note": {"n": {"value": "only optional"}}})
    with pytest.raises(SubmissionBlocked, match="no input"):
        slack.submit_view(ALICE, view["id"], {**FACTS, "ghost": {"g": {"value": "x"}}})
    assert receiver.requests == []


def test_only_the_view_on_top_can_be_submitted(slack, workspace):
    view = open_modal(workspace)
    workspace.push_view(ALICE, modal())

    with pytest.raises(LookupError):
        slack.submit_view(ALICE, view["id"], FACTS)


def test_closing_notifies_only_when_asked(slack, receiver, workspace):
    quiet = open_modal(workspace)
    assert slack.close_view(ALICE, quiet["id"]) is None
    assert receiver.requests == []

    loud = open_modal(workspace, notify_on_close=True)
    response = slack.close_view(ALICE, loud["id"])

    payload = receiver.last["payload"]
    assert response is not None and response.status == 200
    assert (payload["type"], payload["is_cleared"]) == ("view_closed", False)
    assert payload["view"]["id"] == loud["id"]
    assert workspace.top_view(ALICE) is None


# ---------------------------------------------------------------- block actions

BUTTONS = [
    {
        "type": "actions",
        "block_id": "checkin",
        "elements": [
            {
                "type": "button",
                "action_id": "done",
                "text": {"type": "plain_text", "text": "Done"},
                "value": "checkin:9",
            }
        ],
    }
]


def test_click_in_a_message_has_message_container_and_response_url(slack, receiver, workspace):
    dm = workspace.im_channel_for(ALICE)
    parent = workspace.post_message(dm, text="summary")
    posted = workspace.post_message(dm, text="check-in", blocks=BUTTONS, thread_ts=parent["ts"])

    slack.click(ALICE, "done", message=(dm, posted["ts"]))

    payload = receiver.last["payload"]
    action = payload["actions"][0]
    assert payload["type"] == "block_actions"
    assert payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": dm,
        "is_ephemeral": False,
        "thread_ts": parent["ts"],
    }
    assert payload["channel"] == {"id": dm, "name": "directmessage"}
    assert payload["message"]["ts"] == posted["ts"]
    assert payload["response_url"] and payload["trigger_id"]
    assert (action["type"], action["action_id"], action["block_id"]) == (
        "button",
        "done",
        "checkin",
    )
    assert action["value"] == "checkin:9"
    assert action["action_ts"]


def test_response_url_of_a_click_can_replace_the_original(slack, receiver, workspace):
    dm = workspace.im_channel_for(ALICE)
    posted = workspace.post_message(dm, text="check-in", blocks=BUTTONS)
    slack.click(ALICE, "done", message=(dm, posted["ts"]))

    post(receiver.last["payload"]["response_url"], {"replace_original": True, "text": "Done ✓"})

    updated = workspace.get_message(dm, posted["ts"])
    assert updated["text"] == "Done ✓"
    assert updated["blocks"] == []


def test_clicking_something_not_shown_is_a_lookup_error(slack, receiver, workspace):
    dm = workspace.im_channel_for(ALICE)
    posted = workspace.post_message(dm, text="check-in", blocks=BUTTONS)

    with pytest.raises(LookupError):
        slack.click(ALICE, "snooze", message=(dm, posted["ts"]))
    with pytest.raises(LookupError):
        slack.click(BOB, "done", message=(dm, posted["ts"]))
    assert receiver.requests == []


SELECT_STEP = [
    {
        "type": "section",
        "block_id": "feel",
        "text": {"type": "mrkdwn", "text": "How do you feel?"},
        "accessory": {
            "type": "static_select",
            "action_id": "feeling",
            "placeholder": {"type": "plain_text", "text": "Pick one"},
            "options": [
                {"text": {"type": "plain_text", "text": "Embarrassed"}, "value": "embarrassed"},
                {"text": {"type": "plain_text", "text": "Worried"}, "value": "worried"},
            ],
        },
    },
    input_block("what", "facts"),
]


def test_select_in_a_modal_sends_the_view_and_records_state(slack, receiver, workspace):
    view = open_modal(workspace, blocks=SELECT_STEP)

    slack.click(ALICE, "feeling", view_id=view["id"], selected_option="worried", values=FACTS)

    payload = receiver.last["payload"]
    action = payload["actions"][0]
    state = payload["view"]["state"]["values"]
    assert payload["container"] == {"type": "view", "view_id": view["id"]}
    assert "response_url" not in payload
    assert action["type"] == "static_select"
    assert action["selected_option"]["value"] == "worried"
    assert state["feel"]["feeling"]["selected_option"]["value"] == "worried"
    assert state["what"]["facts"]["value"] == "I shipped a bug"


def test_an_option_that_is_not_offered_cannot_be_picked(slack, workspace):
    view = open_modal(workspace, blocks=SELECT_STEP)

    with pytest.raises(LookupError):
        slack.click(ALICE, "feeling", view_id=view["id"], selected_option="furious")


def test_click_on_the_home_tab(slack, receiver, workspace):
    home = workspace.publish_home(ALICE, {"type": "home", "blocks": BUTTONS})

    slack.click(ALICE, "done", view_id=home["id"])

    payload = receiver.last["payload"]
    assert payload["view"]["type"] == "home"
    assert payload["container"] == {"type": "view", "view_id": home["id"]}


# ---------------------------------------------------------------- events


def test_event_envelope_has_authorizations_and_retry_headers(slack, receiver, workspace):
    event = {"type": "app_mention", "user": ALICE, "text": "hi", "ts": "1.000001"}

    slack.event(event, event_id="Ev0001", retry_num=1)

    sent = receiver.last
    envelope = sent["payload"]
    assert sent["valid"] is True
    assert sent["headers"]["Content-Type"] == "application/json"
    assert sent["headers"]["X-Slack-Retry-Num"] == "1"
    assert sent["headers"]["X-Slack-Retry-Reason"] == "http_timeout"
    assert (envelope["type"], envelope["event_id"], envelope["event"]) == (
        "event_callback",
        "Ev0001",
        event,
    )
    assert envelope["authorizations"][0]["user_id"] == workspace.bot_user_id
    assert envelope["authorizations"][0]["is_bot"] is True
    assert envelope["team_id"] == workspace.team_id


def test_first_delivery_has_no_retry_headers(slack, receiver):
    slack.event({"type": "app_mention"})

    assert "X-Slack-Retry-Num" not in receiver.last["headers"]


def test_message_im_stores_the_users_message_and_delivers_it(slack, receiver, workspace):
    dm = workspace.im_channel_for(ALICE)
    parent = workspace.post_message(dm, text="summary")

    slack.message_im(ALICE, "I finished it", thread_ts=parent["ts"])

    event = receiver.last["payload"]["event"]
    stored = workspace.messages[dm][-1]
    assert (event["type"], event["channel_type"], event["channel"]) == ("message", "im", dm)
    assert (event["user"], event["text"], event["ts"]) == (ALICE, "I finished it", stored["ts"])
    assert event["thread_ts"] == parent["ts"]
    assert stored["user"] == ALICE and "bot_id" not in stored


def test_app_home_opened_carries_the_published_view(slack, receiver, workspace):
    slack.app_home_opened(BOB)
    first = receiver.last["payload"]["event"]
    home = workspace.publish_home(BOB, {"type": "home", "blocks": BUTTONS})

    slack.app_home_opened(BOB)

    assert (first["type"], first["tab"], first["user"]) == ("app_home_opened", "home", BOB)
    assert "view" not in first
    assert receiver.last["payload"]["event"]["view"]["id"] == home["id"]


def test_the_client_enforces_max_length_before_submitting(slack, receiver, workspace):
    block = input_block("what", "facts")
    block["element"]["max_length"] = 5
    view = open_modal(workspace, blocks=[block])

    with pytest.raises(SubmissionBlocked, match="longer than 5"):
        slack.submit_view(ALICE, view["id"], FACTS)
    assert receiver.requests == []
    assert workspace.rejections[-1]["error"] == "blocked_by_client"
