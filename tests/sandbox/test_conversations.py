"""conversations.*, users.info and auth.test answer with Slack's shapes and errors."""

from sandbox.seed import ADA, BEN, seed
from sandbox.workspace import Workspace

from .conftest import ALICE, BOB, GENERAL, OLD, RANDOM, SECRET, TEAM_ROOM, refused


def test_auth_test_names_the_bot_and_team(client, workspace, server):
    answer = client.auth_test()

    assert answer["user_id"] == workspace.bot_user_id
    assert answer["bot_id"] == workspace.bot_id
    assert answer["team_id"] == workspace.team_id
    assert answer["is_enterprise_install"] is False
    assert answer["url"] == server.root_url


def test_members_are_paginated_with_an_opaque_cursor(client, workspace):
    users = [f"U0M{i:03d}" for i in range(5)]
    for user in users:
        workspace.add_user(user, user.lower())
    workspace.add_channel("C0BIG", "big", members=users)

    pages, cursor = [], None
    while True:
        answer = client.conversations_members(channel="C0BIG", limit=2, cursor=cursor)
        pages.append(answer["members"])
        cursor = answer["response_metadata"]["next_cursor"]
        if not cursor:
            break

    assert [len(p) for p in pages] == [2, 2, 2]
    assert sum(pages, []) == [*users, workspace.bot_user_id]


def test_members_of_a_private_channel_without_the_bot_are_hidden(client):
    assert refused(lambda: client.conversations_members(channel=SECRET))["error"] == (
        "channel_not_found"
    )


def test_a_bad_cursor_is_invalid_cursor(client):
    body = refused(lambda: client.conversations_members(channel=GENERAL, cursor="%%%"))

    assert body["error"] == "invalid_cursor"


def test_info_describes_membership_privacy_and_archival(client, workspace):
    public = client.conversations_info(channel=RANDOM)["channel"]
    private = client.conversations_info(channel=TEAM_ROOM)["channel"]
    archived = client.conversations_info(channel=OLD)["channel"]
    dm = client.conversations_info(channel=workspace.im_channel_for(ALICE))["channel"]

    assert (public["name"], public["is_private"], public["is_member"]) == ("random", False, False)
    assert (private["is_private"], private["is_member"]) == (True, True)
    assert archived["is_archived"] is True
    assert (dm["is_im"], dm["user"]) == (True, ALICE)


def test_join_works_for_public_channels_only(client, workspace):
    joined = client.conversations_join(channel=RANDOM)["channel"]

    assert joined["is_member"] is True
    assert client.chat_postMessage(channel=RANDOM, text="hello")["ok"] is True
    assert client.conversations_join(channel=RANDOM)["warning"] == "already_in_channel"
    assert refused(lambda: client.conversations_join(channel=TEAM_ROOM))["error"] == (
        "method_not_supported_for_channel_type"
    )
    assert refused(lambda: client.conversations_join(channel=OLD))["error"] == "is_archived"


def test_open_returns_the_same_dm_each_time(client, workspace):
    first = client.conversations_open(users=BOB)
    second = client.conversations_open(users=BOB)

    assert first["channel"]["id"] == second["channel"]["id"] == workspace.im_channel_for(BOB)
    assert "already_open" not in first.data
    assert second["already_open"] is True


def test_open_with_an_unknown_user_is_user_not_found(client):
    assert refused(lambda: client.conversations_open(users="U0NOBODY"))["error"] == (
        "user_not_found"
    )


def test_users_info_gives_time_zone_and_offset(client, clock):
    bob = client.users_info(user=BOB)["user"]
    alice = client.users_info(user=ALICE)["user"]

    assert bob["tz"] == "America/New_York"
    assert bob["tz_offset"] == -5 * 3600  # the fixture clock is in November
    assert bob["tz_label"] == "Eastern Standard Time"
    assert alice["real_name"] == "Alice Example"
    assert alice["profile"]["display_name"] == "alice"
    assert alice["is_bot"] is False and alice["deleted"] is False


def test_users_info_follows_daylight_saving(client, clock):
    clock.now = 1_751_328_000.0  # 1 July 2025

    assert client.users_info(user=BOB)["user"]["tz_offset"] == -4 * 3600


def test_users_info_of_an_unknown_user_is_user_not_found(client):
    assert refused(lambda: client.users_info(user="U0NOBODY"))["error"] == "user_not_found"


def test_the_seeded_people_are_called_what_the_page_calls_them() -> None:
    """users.info's display name (what an app shows) is the name on the sandbox page."""
    ws = Workspace()
    seed(ws)
    for person, name in ((ADA, "Ada Lovelace"), (BEN, "Ben Okafor")):
        profile = ws.user(person)["profile"]
        assert (profile["display_name"], profile["real_name"]) == (name, name)
