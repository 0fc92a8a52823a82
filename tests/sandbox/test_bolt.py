"""A real Bolt app against the sandbox: proves the payload shapes are what Bolt expects."""

import threading
import time
from collections.abc import Callable, Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from sandbox.delivery import SlackDelivery
from sandbox.workspace import Workspace

from .conftest import ALICE

SIGNING_SECRET = "bolt-signing-secret"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def step_view(step: int, metadata: str, note: str = "") -> dict[str, Any]:
    blocks: list[Any] = [
        SectionBlock(text=f"Step {step} of 6. {note}".strip()),
        InputBlock(
            block_id="what",
            label="What happened?",
            element=PlainTextInputElement(action_id="facts", max_length=3000),
        ),
        ActionsBlock(block_id="nav", elements=[ButtonElement(text="Back", action_id="back")]),
    ]
    view = View(
        type="modal",
        callback_id=f"step_{step}",
        title=f"Setback · step {step}",
        submit="Next",
        close="Later",
        private_metadata=metadata,
        blocks=blocks,
    )
    return view.to_dict()


def build_app(server_url: str, workspace: Workspace, seen: dict[str, Any]) -> App:
    client = WebClient(token=workspace.bot_token, base_url=server_url)
    app = App(token=workspace.bot_token, signing_secret=SIGNING_SECRET, client=client)

    @app.command("/setback")
    def start(ack: Callable, body: dict, client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=step_view(1, "setback:42"))

    @app.view("step_1")
    def next_step(ack: Callable, view: dict, body: dict, context: Any) -> None:
        seen["facts"] = view["state"]["values"]["what"]["facts"]["value"]
        seen["user"] = (context.team_id, context.user_id)
        ack(response_action="update", view=step_view(2, view["private_metadata"], "Be kind."))

    @app.action("back")
    def back(ack: Callable, body: dict, client: WebClient) -> None:
        ack()
        view = body["view"]
        client.views_update(
            view_id=view["id"], hash=view["hash"], view=step_view(1, view["private_metadata"])
        )

    @app.event("message")
    def on_dm(event: dict, say: Callable) -> None:
        seen["dm"] = (event["channel_type"], event["text"])
        say(text="Thanks for telling me.", thread_ts=event["ts"])

    return app


@pytest.fixture
def bolt(server, workspace: Workspace) -> Iterator[tuple[SlackDelivery, dict[str, Any]]]:
    seen: dict[str, Any] = {}
    app = build_app(server.url, workspace, seen)
    http = make_server(
        "127.0.0.1",
        0,
        SlackRequestHandler(app),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=http.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{http.server_address[1]}/slack/events"
    yield SlackDelivery(workspace, url, SIGNING_SECRET, server), seen
    http.shutdown()
    http.server_close()


def wait_for(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Bolt runs listeners after acking, so their Web API calls land a moment later."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError("the bot did not do it in time")


def test_command_opens_a_modal_and_submission_updates_it_in_place(bolt, workspace):
    slack, seen = bolt

    response = slack.command(ALICE, "new")
    assert response.status == 200 and response.error is None
    opened = wait_for(lambda: workspace.top_view(ALICE))

    typed = {"what": {"facts": {"value": "I deleted the staging database"}}}
    submitted = slack.submit_view(ALICE, opened["id"], typed)

    shown = workspace.top_view(ALICE)
    assert opened["callback_id"] == "step_1"
    assert submitted.status == 200 and submitted.error is None
    assert submitted.json()["response_action"] == "update"
    assert seen["facts"] == "I deleted the staging database"
    assert seen["user"] == (workspace.team_id, ALICE)
    assert shown["id"] == opened["id"]
    assert shown["callback_id"] == "step_2"
    assert shown["hash"] != opened["hash"]
    assert shown["private_metadata"] == "setback:42"
    assert shown["state"]["values"]["what"]["facts"]["value"] == "I deleted the staging database"
    assert len(workspace.view_stack(ALICE)) == 1


def test_back_button_updates_the_modal_through_views_update_with_its_hash(bolt, workspace):
    slack, _ = bolt
    slack.command(ALICE)
    opened = wait_for(lambda: workspace.top_view(ALICE))
    slack.submit_view(ALICE, opened["id"], {"what": {"facts": {"value": "x"}}})
    step_two_hash = workspace.top_view(ALICE)["hash"]

    response = slack.click(ALICE, "back", view_id=opened["id"])

    back = wait_for(lambda: (v := workspace.top_view(ALICE)) and v["hash"] != step_two_hash and v)
    assert response.error is None
    assert back["callback_id"] == "step_1"
    assert [c["ok"] for c in workspace.calls if c["method"] == "views.update"] == [True]


def test_a_dm_reaches_the_message_listener_and_the_reply_lands_in_the_thread(bolt, workspace):
    slack, seen = bolt

    slack.message_im(ALICE, "It went better than I feared")

    dm = workspace.im_channel_for(ALICE)
    reply = wait_for(lambda: [m for m in workspace.messages[dm] if m.get("bot_id")])
    assert seen["dm"] == ("im", "It went better than I feared")
    assert reply[0]["thread_ts"] == workspace.messages[dm][0]["ts"]
    assert reply[0]["text"] == "Thanks for telling me."
