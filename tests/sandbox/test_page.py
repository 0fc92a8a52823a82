"""The sandbox page's server: who sees what, what the page's verbs send, and its guards."""

import http.client
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.clock import SandboxClock
from sandbox.delivery import SlackDelivery
from sandbox.page import PageActions
from sandbox.seed import ADA, BEN, GENERAL, LEADS, RETROS, seed
from sandbox.server import SandboxServer
from sandbox.timetravel import TimeMachine
from sandbox.view_model import page_state
from sandbox.workspace import Workspace
from tests.integration.harness import wait_for

from .test_delivery import SIGNING_SECRET, Receiver


@pytest.fixture
def ws() -> Workspace:
    workspace = Workspace(clock=SandboxClock())
    seed(workspace)
    return workspace


@pytest.fixture
def bot() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def page(ws: Workspace, bot: Receiver) -> Iterator[SandboxServer]:
    delivery = SlackDelivery(ws, bot.url, SIGNING_SECRET)
    server = SandboxServer(ws, PageActions(ws, delivery, TimeMachine(ws.clock, None)), port=0)
    server.start()
    ws.web_url = server.url
    yield server
    server.stop()


def call(
    page: SandboxServer, verb: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{page.url}sandbox/{verb}",
        data=json.dumps(body).encode(),
        headers=headers or {"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def get(page: SandboxServer, path: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(f"{page.url}{path.lstrip('/')}", timeout=10) as reply:
        return reply.status, reply.headers["Content-Type"], reply.read()


# ---------------------------------------------------------------- who sees what


def test_a_person_sees_their_channels_and_only_their_own_dm_with_the_app(ws: Workspace) -> None:
    ws.post_message(ws.im_channel_for(ADA), text="Your reflection: Config push")
    ws.post_ephemeral(GENERAL, ADA, text="Only Ada sees this")
    ws.use_trigger_id(ws.issue_trigger_id(ADA))
    ws.open_view(
        ADA, {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": []}
    )
    ws.publish_home(ADA, {"type": "home", "blocks": []})

    ada = page_state(ws, ADA, ephemerals_since="0")  # a page open since the start
    ben = page_state(ws, BEN, ephemerals_since="0")

    ada_dm = [c for c in ada["conversations"] if c["is_im"]]
    assert [m["text"] for m in ada_dm[0]["messages"]] == ["Your reflection: Config push"]
    assert ada["modal"] is not None and ada["home"] is not None
    assert any(m.get("ephemeral") for c in ada["conversations"] for m in c["messages"])

    ben_dm = [c for c in ben["conversations"] if c["is_im"]]
    assert len(ben_dm) == 1 and ben_dm[0]["id"] == ws.im_channel_for(BEN)
    assert ben_dm[0]["messages"] == []
    assert ben["modal"] is None and ben["home"] is None
    assert "Config push" not in json.dumps(ben["conversations"])
    assert "Only Ada sees this" not in json.dumps(ben)


def test_a_page_sees_only_the_ephemerals_posted_since_it_opened(ws: Workspace) -> None:
    """As in Slack's client: "Only visible to you" goes with the page that was open, and a
    reload (a page without ``ephemerals_since``) shows none of the earlier ones."""
    ws.post_ephemeral(GENERAL, ADA, text="Before the page opened")
    opened = page_state(ws, ADA)
    ws.post_ephemeral(GENERAL, ADA, text="While the page was open")

    def ephemerals(state: dict[str, Any]) -> list[str]:
        return [
            m["text"] for c in state["conversations"] for m in c["messages"] if m.get("ephemeral")
        ]

    assert ephemerals(opened) == []
    assert ephemerals(page_state(ws, ADA, ephemerals_since=opened["cursor"])) == [
        "While the page was open"
    ]
    assert ephemerals(page_state(ws, ADA)) == []  # reloaded
    assert ephemerals(page_state(ws, BEN, ephemerals_since="0")) == []


def test_selects_offer_public_channels_and_only_private_ones_you_are_in(ws: Workspace) -> None:
    ws.add_user("U0CAT", "cat", "Cat")
    ws.add_channel("G0SECRET", "secret", is_private=True, members=(BEN,))
    listed = {c["name"] for c in page_state(ws, ADA)["directory"]}
    assert listed == {"general", "team-retros", "leads"}
    assert "secret" in {c["name"] for c in page_state(ws, BEN)["directory"]}
    assert "leads" not in {c["name"] for c in page_state(ws, "U0CAT")["directory"]}
    assert all(not p["is_bot"] for p in page_state(ws, ADA)["people"])


def test_only_people_can_be_signed_in(ws: Workspace) -> None:
    with pytest.raises(LookupError):
        page_state(ws, ws.bot_user_id)
    with pytest.raises(LookupError):
        page_state(ws, "U0NOBODY")


# ---------------------------------------------------------------- the server


def test_the_page_and_its_files_are_served(page: SandboxServer) -> None:
    status, kind, body = get(page, "/")
    assert status == 200 and kind.startswith("text/html")
    assert b'src="/static/app.js"' in body
    for name in ("app.js", "blocks.js", "mrkdwn.js", "app.css", "favicon.svg"):
        assert get(page, f"/static/{name}")[0] == 200
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(page, "/static/../server.py")
    assert missing.value.code == 404


def test_state_is_per_person(page: SandboxServer) -> None:
    status, _, body = get(page, f"/sandbox/state?user={BEN}")
    assert status == 200 and json.loads(body)["me"]["real_name"] == "Ben Okafor"
    with pytest.raises(urllib.error.HTTPError) as unknown:
        get(page, "/sandbox/state?user=U0SETBACK")
    assert unknown.value.code == 404


def test_state_refuses_an_ephemerals_since_that_is_not_a_ts(page: SandboxServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        get(page, f"/sandbox/state?user={ADA}&ephemerals_since=yesterday")
    assert refused.value.code == 400
    status, _, body = get(page, f"/sandbox/state?user={ADA}&ephemerals_since=1764064800.000001")
    assert status == 200 and json.loads(body)["cursor"]


def test_the_web_api_shares_the_pages_port(page: SandboxServer, ws: Workspace) -> None:
    request = urllib.request.Request(
        f"{page.url}api/auth.test", data=b"", headers={"Authorization": f"Bearer {ws.bot_token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as reply:
        assert json.loads(reply.read())["user_id"] == ws.bot_user_id
    bad = urllib.request.Request(
        f"{page.url}api/auth.test", data=b"", headers={"Authorization": "Bearer xoxb-wrong"}
    )
    with urllib.request.urlopen(bad, timeout=5) as reply:
        assert json.loads(reply.read())["error"] == "invalid_auth"
    assert page_state(ws, ADA)["rejections"][-1]["error"] == "invalid_auth"


def test_posts_must_be_json_from_the_page_itself(page: SandboxServer) -> None:
    body = {"user": ADA, "channel": GENERAL, "text": "/setback"}
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert call(page, "command", body, form)[0] == 415
    elsewhere = {"Content-Type": "application/json", "Origin": "https://example.org"}
    assert call(page, "command", body, elsewhere)[0] == 403
    assert call(page, "command", {**body, "user": "U0SETBACK"})[0] == 400
    assert call(page, "nonsense", body)[0] == 404


def test_typing_setback_sends_a_signed_slash_command(page: SandboxServer, bot: Receiver) -> None:
    status, answer = call(
        page, "command", {"user": ADA, "channel": GENERAL, "text": "/setback resume"}
    )
    assert status == 200 and answer == {"ok": True}
    sent = bot.last
    assert sent["valid"] is True
    assert sent["payload"]["command"] == "/setback"
    assert sent["payload"]["text"] == "resume"
    assert sent["payload"]["user_id"] == ADA and sent["payload"]["channel_id"] == GENERAL


def test_a_bot_that_fails_is_reported_to_the_page(page: SandboxServer, bot: Receiver) -> None:
    bot.answer(status=500)
    _, answer = call(page, "command", {"user": ADA, "channel": GENERAL, "text": "/setback"})
    assert answer["ok"] is False and "http_500" in answer["error"]


def test_other_commands_are_explained_and_invite_adds_the_app(
    page: SandboxServer, ws: Workspace, bot: Receiver
) -> None:
    _, answer = call(page, "command", {"user": ADA, "channel": GENERAL, "text": "/giphy cats"})
    assert answer["ok"] is False and "/setback" in answer["error"]
    assert bot.requests == []
    _, answer = call(page, "command", {"user": ADA, "channel": LEADS, "text": "/invite @setback"})
    assert answer == {"ok": True, "notice": "Setback was added to #leads."}
    assert ws.bot_user_id in ws.channel(LEADS)["members"]


def test_a_message_to_the_app_is_an_event_and_in_a_channel_just_a_message(
    page: SandboxServer, ws: Workspace, bot: Receiver
) -> None:
    dm = ws.im_channel_for(ADA)
    call(page, "message", {"user": ADA, "channel": dm, "text": "a note"})
    assert bot.last["payload"]["event"]["type"] == "message"
    assert bot.last["payload"]["event"]["channel_type"] == "im"
    sent = len(bot.requests)
    call(page, "message", {"user": BEN, "channel": RETROS, "text": "morning all"})
    assert len(bot.requests) == sent  # Setback is not subscribed to channel messages
    assert ws.history(RETROS)[-1]["user"] == BEN
    _, answer = call(page, "message", {"user": BEN, "channel": ws.im_channel_for(ADA), "text": "x"})
    assert answer["ok"] is False  # nobody writes in someone else's DM


def test_a_person_deletes_only_their_own_messages(
    page: SandboxServer, ws: Workspace, bot: Receiver
) -> None:
    mine = ws.post_message(GENERAL, text="morning all", user=ADA)
    bens = ws.post_message(GENERAL, text="hi Ada", user=BEN)
    apps = ws.post_message(GENERAL, text="a retro")
    sent = len(bot.requests)

    _, answer = call(page, "delete", {"user": ADA, "channel": GENERAL, "ts": mine["ts"]})
    assert answer == {"ok": True}
    for ts in (bens["ts"], apps["ts"]):
        _, refused = call(page, "delete", {"user": ADA, "channel": GENERAL, "ts": ts})
        assert refused["ok"] is False and "cant_delete_message" in refused["error"]
    assert [m["text"] for m in ws.history(GENERAL)] == ["hi Ada", "a retro"]
    assert len(bot.requests) == sent  # a channel message's deletion is not the app's business


def test_deleting_a_reply_in_the_dm_tells_the_app_and_clears_a_deleted_thread(
    page: SandboxServer, ws: Workspace, bot: Receiver
) -> None:
    dm = ws.im_channel_for(ADA)
    summary = ws.post_message(dm, text="Your reflection")
    reply = ws.post_message(dm, text="I added the canary step", user=ADA, thread_ts=summary["ts"])
    ws.delete_message(dm, summary["ts"])
    assert ws.history(dm)[0]["subtype"] == "tombstone"  # a reply keeps it

    _, answer = call(page, "delete", {"user": ADA, "channel": dm, "ts": reply["ts"]})

    assert answer == {"ok": True}
    event = bot.last["payload"]["event"]
    assert (event["subtype"], event["deleted_ts"], event["channel_type"]) == (
        "message_deleted",
        reply["ts"],
        "im",
    )
    assert event["previous_message"]["text"] == "I added the canary step"
    assert ws.history(dm) == []  # its last reply gone, the deleted message goes too


def test_opening_home_sends_app_home_opened(page: SandboxServer, bot: Receiver) -> None:
    call(page, "home", {"user": BEN})
    event = bot.last["payload"]["event"]
    assert event["type"] == "app_home_opened" and event["user"] == BEN


def test_buttons_in_messages_reach_the_bot_as_block_actions(
    page: SandboxServer, ws: Workspace, bot: Receiver
) -> None:
    dm = ws.im_channel_for(ADA)
    button = {
        "type": "button",
        "action_id": "checkin_done",
        "text": {"type": "plain_text", "text": "Done"},
        "value": "7",
    }
    posted = ws.post_message(
        dm, text="check-in", blocks=[{"type": "actions", "elements": [button]}]
    )
    _, answer = call(
        page,
        "action",
        {"user": ADA, "channel": dm, "ts": posted["ts"], "action_id": "checkin_done"},
    )
    assert answer == {"ok": True}
    payload = bot.last["payload"]
    assert payload["type"] == "block_actions" and payload["actions"][0]["value"] == "7"
    _, answer = call(
        page,
        "action",
        {"user": BEN, "channel": dm, "ts": posted["ts"], "action_id": "checkin_done"},
    )
    assert answer["ok"] is False  # Ben cannot press buttons in Ada's DM


def test_submitting_a_modal_goes_through_the_clients_checks(
    page: SandboxServer, ws: Workspace, bot: Receiver
) -> None:
    ws.use_trigger_id(ws.issue_trigger_id(ADA))
    view = ws.open_view(
        ADA,
        {
            "type": "modal",
            "title": {"type": "plain_text", "text": "Step 1 of 6"},
            "submit": {"type": "plain_text", "text": "Next"},
            "blocks": [
                {
                    "type": "input",
                    "block_id": "title",
                    "label": {"type": "plain_text", "text": "Title"},
                    "element": {"type": "plain_text_input", "action_id": "title"},
                }
            ],
        },
    )
    _, answer = call(
        page,
        "submit",
        {"user": ADA, "view_id": view["id"], "values": {"title": {"title": {"value": None}}}},
    )
    assert answer["ok"] is False and "Slack would not submit" in answer["error"]
    bot.answer({"response_action": "errors", "errors": {"title": "A short title helps"}})
    _, answer = call(
        page,
        "submit",
        {"user": ADA, "view_id": view["id"], "values": {"title": {"title": {"value": "x"}}}},
    )
    assert answer == {"ok": True}
    assert page_state(ws, ADA)["modal"]["errors"] == {"title": "A short title helps"}


def test_rate_limits_can_be_switched_on_and_off(page: SandboxServer, ws: Workspace) -> None:
    assert call(page, "rate-limits", {"on": True})[1]["rate_limits"] is True
    assert "chat.postMessage" in ws.rate_limits()
    assert page_state(ws, ADA)["rate_limits"] is True
    call(page, "rate-limits", {"on": False})
    assert ws.rate_limits() == {}


def test_the_clock_without_a_bot_link_moves_the_workspace_only(
    page: SandboxServer, ws: Workspace
) -> None:
    before = ws.now()
    _, answer = call(page, "clock", {"seconds": 3600})
    assert answer["ok"] is True and answer["now"] >= before + 3600
    assert call(page, "clock", {"seconds": -5})[1]["ok"] is False


def test_changes_are_pushed_to_open_pages_as_events(page: SandboxServer, ws: Workspace) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", page.port, timeout=5)
    connection.request("GET", "/sandbox/events")
    reply = connection.getresponse()
    assert reply.getheader("Content-Type") == "text/event-stream"
    seen: list[str] = []

    def read() -> None:
        while not any("message_posted" in line for line in seen):
            seen.append(reply.fp.readline().decode())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    wait_for(lambda: any("hello" in line for line in seen), what="the stream to open")
    ws.post_message(GENERAL, text="hi", user=BEN)
    reader.join(timeout=5)
    assert any('"kind": "message_posted"' in line for line in seen)
    connection.close()


def test_the_page_answers_only_to_this_machines_names(page: SandboxServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", page.port, timeout=5)
    connection.request("GET", f"/sandbox/state?user={ADA}", headers={"Host": "evil.example:80"})
    assert connection.getresponse().status == 421
    connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", page.port, timeout=5)
    host = f"localhost:{page.port}"
    connection.request("GET", f"/sandbox/state?user={ADA}", headers={"Host": host})
    assert connection.getresponse().status == 200
    connection.close()


def test_a_permalink_opened_in_a_new_tab_leads_to_its_conversation(
    page: SandboxServer, ws: Workspace
) -> None:
    posted = ws.post_message(GENERAL, text="A retro")
    dm = ws.im_channel_for(ADA)
    for channel, where in ((GENERAL, f"/#/c/{GENERAL}"), (dm, "/#/dm")):
        connection = http.client.HTTPConnection("127.0.0.1", page.port, timeout=5)
        stamp = posted["ts"].replace(".", "")
        connection.request("GET", f"/archives/{channel}/p{stamp}")
        reply = connection.getresponse()
        assert (reply.status, reply.getheader("Location")) == (302, where)
        connection.close()
