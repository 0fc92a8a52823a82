"""files_upload_v2 works end to end against the sandbox, as it does against Slack."""

import urllib.error
import urllib.request

import pytest
from slack_sdk.errors import SlackApiError

from .conftest import ALICE, GENERAL, RANDOM


def test_files_upload_v2_round_trip(client, workspace):
    answer = client.files_upload_v2(
        channel=GENERAL,
        content="lessons learned\n",
        filename="journal.md",
        title="My journal",
        initial_comment="Here is your export",
    )

    file = answer["file"]
    message = workspace.messages[GENERAL][-1]
    assert workspace.file_content(file["id"]) == b"lessons learned\n"
    assert file["title"] == "My journal" and file["name"] == "journal.md"
    assert file["channels"] == [GENERAL]
    assert message["text"] == "Here is your export"
    assert [f["id"] for f in message["files"]] == [file["id"]]
    with urllib.request.urlopen(file["url_private"], timeout=5) as download:
        assert download.read() == b"lessons learned\n"


def test_upload_into_a_dm_thread(client, workspace):
    parent = client.chat_postMessage(channel="U0ALICE", text="summary")

    client.files_upload_v2(
        channel=parent["channel"], content=b"\x00\x01", filename="a.bin", thread_ts=parent["ts"]
    )

    thread = workspace.thread(parent["channel"], parent["ts"])
    assert len(thread) == 2
    assert thread[1]["files"][0]["size"] == 2


def test_upload_url_also_accepts_a_multipart_form(client, workspace):
    reserved = client.files_getUploadURLExternal(filename="notes.txt", length=5)
    boundary = "sandbox-boundary"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="filename"; filename="notes.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
        "hello\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(
        reserved["upload_url"],
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        method="POST",
    )

    with urllib.request.urlopen(request, timeout=5) as reply:
        assert reply.status == 200

    assert workspace.file_content(reserved["file_id"]) == b"hello"


def test_sharing_a_file_where_the_bot_is_not_a_member_is_refused(client, workspace):
    with pytest.raises(SlackApiError) as raised:
        client.files_upload_v2(channel=RANDOM, content="x", filename="x.txt")

    assert raised.value.response["error"] == "not_in_channel"
    assert workspace.messages[RANDOM] == []


def test_completing_an_upload_that_never_arrived_is_refused(client):
    reserved = client.files_getUploadURLExternal(filename="ghost.txt", length=5)

    with pytest.raises(SlackApiError) as raised:
        client.files_completeUploadExternal(files=[{"id": reserved["file_id"]}], channel_id=GENERAL)

    assert raised.value.response["error"] == "file_not_found"


def test_files_delete_leaves_a_tombstone_in_the_message_and_the_link_stops_answering(
    client, workspace
):
    answer = client.files_upload_v2(
        channel=GENERAL,
        content="my words\n",
        filename="journal.md",
        initial_comment="Here is your export",
    )
    file = answer["file"]

    assert client.files_delete(file=file["id"])["ok"]

    message = workspace.messages[GENERAL][-1]
    assert message["text"] == "Here is your export", "the message stays, as in Slack"
    assert message["files"] == [{"id": file["id"], "mode": "tombstone"}]
    assert workspace.file_info(file["id"]) is None
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(file["url_private"], timeout=5)
    assert gone.value.code == 404
    with pytest.raises(SlackApiError) as again:
        client.files_delete(file=file["id"])
    assert again.value.response["error"] == "file_not_found"


def test_only_the_bots_own_files_can_be_deleted(client, workspace):
    file_id = workspace.reserve_file("theirs.txt", 3, user_id=ALICE)

    with pytest.raises(SlackApiError) as refused:
        client.files_delete(file=file_id)

    assert refused.value.response["error"] == "cant_delete_file"
    assert workspace.file_info(file_id) is not None
