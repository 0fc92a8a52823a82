"""Messages, threads and metadata behave as Slack's chat.* and conversations.* methods do."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_sdk import WebClient

from .conftest import ALICE, BOB, GENERAL, OLD, RANDOM, SECRET, TEAM_ROOM, refused, section


def test_post_message_answers_with_channel_ts_and_the_bot_message(client, workspace):
    answer = client.chat_postMessage(channel=GENERAL, text="hi", blocks=[section()])

    message = answer["message"]
    assert answer["channel"] == GENERAL
    assert answer["ts"] == message["ts"]
    assert message["user"] == workspace.bot_user_id
    assert message["bot_id"] == workspace.bot_id and message["app_id"] == workspace.app_id
    assert message["blocks"][0]["text"]["text"] == "hello"
    assert workspace.messages[GENERAL][-1]["ts"] == answer["ts"]


def test_ts_values_are_unique_and_increasing_even_on_a_frozen_clock(client):
    first = client.chat_postMessage(channel=GENERAL, text="1")["ts"]
    second = client.chat_postMessage(channel=GENERAL, text="2")["ts"]

    assert float(second) > float(first)
    assert first.startswith("1764072000.")


def test_post_to_a_user_id_lands_in_the_bots_dm_with_that_user(client, workspace):
    answer = client.chat_postMessage(channel=ALICE, text="How are you?")

    dm = workspace.im_channel_for(ALICE)
    assert answer["channel"] == dm
    assert dm.startswith("D")
    assert workspace.messages[dm][-1]["text"] == "How are you?"


def test_more_than_50_blocks_are_invalid_blocks(client, workspace):
    body = refused(
        lambda: client.chat_postMessage(channel=GENERAL, text="x", blocks=[section()] * 51)
    )

    assert body["error"] == "invalid_blocks"
    assert workspace.messages[GENERAL] == []
    assert client.chat_postMessage(channel=GENERAL, text="x", blocks=[section()] * 50)["ok"] is True


def test_a_malformed_block_is_invalid_blocks_with_a_pointer(client):
    too_long = section("x" * 3001)

    body = refused(
        lambda: client.chat_postMessage(channel=GENERAL, text="x", blocks=[section(), too_long])
    )

    assert body["error"] == "invalid_blocks"
    assert "/blocks/1" in body["errors"][0]


def test_a_block_posted_again_gets_ids_of_its_own_and_leaves_the_first_message_as_it_was(
    client, workspace
):
    button = {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "value": "1"}
    blocks = [section(), {"type": "actions", "elements": [button]}]

    first = client.chat_postMessage(channel=GENERAL, text="x", blocks=blocks)["message"]
    second = client.chat_postMessage(channel=GENERAL, text="x", blocks=blocks)["message"]

    ids = [(b["block_id"], b.get("elements", [{}])[0].get("action_id")) for b in second["blocks"]]
    assert ids != [
        (b["block_id"], b.get("elements", [{}])[0].get("action_id")) for b in first["blocks"]
    ]
    stored = workspace.messages[GENERAL]
    assert stored[0]["blocks"] == first["blocks"] and stored[1]["blocks"] == second["blocks"]


def test_a_block_found_valid_once_is_still_refused_when_changed_to_break_a_rule(client):
    client.chat_postMessage(channel=GENERAL, text="x", blocks=[section("fine")])

    body = refused(
        lambda: client.chat_postMessage(channel=GENERAL, text="x", blocks=[section("x" * 3001)])
    )

    assert body["error"] == "invalid_blocks"


def test_what_the_workspace_hands_out_is_a_copy_even_of_values_marshal_cannot_write(workspace):
    class Tagged(str):
        """A str subclass, as an enum member or a model's field may be."""

    answer = workspace.post_message(GENERAL, text="x", metadata={"event_type": Tagged("t")})
    answer["metadata"]["event_type"] = "changed"

    kept = workspace.messages[GENERAL][-1]["metadata"]
    assert kept["event_type"] == "t" and type(kept["event_type"]) is Tagged


def test_duplicate_block_ids_are_invalid(client):
    block = {**section(), "block_id": "same"}

    body = refused(
        lambda: client.chat_postMessage(channel=GENERAL, text="x", blocks=[block, block])
    )

    assert body["error"] == "invalid_blocks"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_a_message_needs_text_or_blocks(client):
    assert refused(lambda: client.chat_postMessage(channel=GENERAL))["error"] == "no_text"


def test_bot_outside_a_public_channel_gets_not_in_channel(client, workspace):
    body = refused(lambda: client.chat_postMessage(channel=RANDOM, text="hi"))

    assert body["error"] == "not_in_channel"
    assert workspace.rejections[-1]["error"] == "not_in_channel"
    assert workspace.rejections[-1]["method"] == "chat.postMessage"


def test_private_channel_without_the_bot_does_not_exist_for_it(client):
    assert refused(lambda: client.chat_postMessage(channel=SECRET, text="hi"))["error"] == (
        "channel_not_found"
    )
    assert client.chat_postMessage(channel=TEAM_ROOM, text="hi")["ok"] is True


def test_archived_channel_is_refused(client):
    assert refused(lambda: client.chat_postMessage(channel=OLD, text="hi"))["error"] == (
        "is_archived"
    )


def test_unknown_channel_is_channel_not_found(client):
    body = refused(lambda: client.chat_postMessage(channel="C0NOPE", text="hi"))

    assert body["error"] == "channel_not_found"


def test_metadata_must_have_event_type_and_payload(client):
    body = refused(
        lambda: client.chat_postMessage(channel=GENERAL, text="x", metadata={"event_type": "a"})
    )

    assert body["error"] == "invalid_metadata_format"


def test_update_changes_the_bots_message_and_marks_it_edited(client, workspace):
    ts = client.chat_postMessage(channel=GENERAL, text="draft")["ts"]

    answer = client.chat_update(channel=GENERAL, ts=ts, text="final", blocks=[section("final")])

    stored = workspace.get_message(GENERAL, ts)
    assert answer["text"] == "final"
    assert stored["text"] == "final"
    assert stored["blocks"][0]["text"]["text"] == "final"
    assert stored["edited"]["user"] == workspace.bot_user_id


def test_the_bot_cannot_update_or_delete_a_users_message(client, workspace):
    ts = workspace.post_message(GENERAL, text="mine", user=ALICE)["ts"]

    assert refused(lambda: client.chat_update(channel=GENERAL, ts=ts, text="x"))["error"] == (
        "cant_update_message"
    )
    assert refused(lambda: client.chat_delete(channel=GENERAL, ts=ts))["error"] == (
        "cant_delete_message"
    )
    assert workspace.get_message(GENERAL, ts)["text"] == "mine"


def test_update_and_delete_of_an_unknown_ts_is_message_not_found(client):
    assert (
        refused(lambda: client.chat_update(channel=GENERAL, ts="1.000001", text="x"))["error"]
        == "message_not_found"
    )
    assert refused(lambda: client.chat_delete(channel=GENERAL, ts="1.000001"))["error"] == (
        "message_not_found"
    )


def test_delete_removes_the_message(client, workspace):
    ts = client.chat_postMessage(channel=GENERAL, text="oops")["ts"]

    client.chat_delete(channel=GENERAL, ts=ts)

    assert workspace.get_message(GENERAL, ts) is None


def test_permalink_points_at_the_sandbox(client, server):
    ts = client.chat_postMessage(channel=GENERAL, text="x")["ts"]

    link = client.chat_getPermalink(channel=GENERAL, message_ts=ts)["permalink"]

    assert link == f"{server.root_url}archives/{GENERAL}/p{ts.replace('.', '')}"


def test_ephemeral_goes_to_one_member_only(client, workspace):
    answer = client.chat_postEphemeral(channel=GENERAL, user=BOB, text="just for you")

    assert answer["message_ts"]
    assert [m["text"] for m in workspace.ephemeral_messages(BOB)] == ["just for you"]
    assert workspace.ephemeral_messages(ALICE) == []
    assert workspace.messages[GENERAL] == []
    assert (
        refused(lambda: client.chat_postEphemeral(channel=RANDOM, user=ALICE, text="x"))["error"]
        == "not_in_channel"
    )


def post_thread(client) -> tuple[str, str, str]:
    metadata = {"event_type": "setback_summary", "event_payload": {"setback_id": 7}}
    parent = client.chat_postMessage(channel=ALICE, text="summary", metadata=metadata)
    channel, parent_ts = parent["channel"], parent["ts"]
    reply_ts = client.chat_postMessage(
        channel=channel, text="check-in", thread_ts=parent_ts, metadata=metadata
    )["ts"]
    return channel, parent_ts, reply_ts


def test_replies_list_parent_then_replies_without_metadata_by_default(client, workspace):
    channel, parent_ts, reply_ts = post_thread(client)
    later = workspace.post_message(channel, text="done!", user=ALICE, thread_ts=parent_ts)["ts"]

    messages = client.conversations_replies(channel=channel, ts=parent_ts)["messages"]

    assert [m["ts"] for m in messages] == [parent_ts, reply_ts, later]
    assert messages[0]["reply_count"] == 2
    assert messages[0]["reply_users"] == [workspace.bot_user_id, ALICE]
    assert messages[0]["latest_reply"] == later
    assert all("metadata" not in m for m in messages)


def test_replies_include_metadata_when_asked(client):
    channel, parent_ts, _ = post_thread(client)

    messages = client.conversations_replies(
        channel=channel, ts=parent_ts, include_all_metadata=True
    )["messages"]

    assert messages[0]["metadata"]["event_payload"] == {"setback_id": 7}
    assert messages[1]["metadata"]["event_type"] == "setback_summary"


def test_replies_of_an_unknown_ts_is_thread_not_found(client):
    channel, _, _ = post_thread(client)

    body = refused(lambda: client.conversations_replies(channel=channel, ts="1.000001"))

    assert body["error"] == "thread_not_found"


def test_history_is_newest_first_and_leaves_out_thread_replies(client):
    channel, parent_ts, _ = post_thread(client)
    newest = client.chat_postMessage(channel=channel, text="later")["ts"]

    messages = client.conversations_history(channel=channel)["messages"]

    assert [m["ts"] for m in messages] == [newest, parent_ts]


def test_history_of_a_channel_the_bot_is_not_in_is_refused(client):
    assert refused(lambda: client.conversations_history(channel=RANDOM))["error"] == (
        "not_in_channel"
    )


def test_deleting_a_parent_with_replies_leaves_a_tombstone(client, workspace):
    channel, parent_ts, reply_ts = post_thread(client)

    client.chat_delete(channel=channel, ts=parent_ts)

    thread = workspace.thread(channel, parent_ts)
    assert thread[0]["subtype"] == "tombstone"
    assert [m["ts"] for m in thread] == [parent_ts, reply_ts]


def test_concurrent_posts_get_distinct_ts_and_none_are_lost(server, workspace):
    def post_ten(n: int) -> list[str]:
        client = WebClient(token=workspace.bot_token, base_url=server.url)
        return [client.chat_postMessage(channel=GENERAL, text=f"{n}-{i}")["ts"] for i in range(10)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        stamps = sum(pool.map(post_ten, range(8)), [])

    stored = [m["ts"] for m in workspace.messages[GENERAL]]
    assert len(set(stamps)) == 80
    assert sorted(stored) == sorted(stamps)
    assert stored == sorted(stored, key=float)


def test_a_failing_listener_does_not_break_the_api(client, workspace):
    heard: list[str] = []

    def broken(kind: str, data: dict) -> None:
        raise RuntimeError("page crashed")

    workspace.subscribe(broken)
    unsubscribe = workspace.subscribe(lambda kind, data: heard.append(kind))

    assert client.chat_postMessage(channel=GENERAL, text="still fine")["ok"] is True
    unsubscribe()
    client.chat_postMessage(channel=GENERAL, text="not heard")
    assert heard == ["message_posted"]
