"""Modals and Home tabs are refused exactly where Slack would refuse them."""

from typing import Any

from slack_sdk import WebClient

from sandbox.workspace import Workspace

from .conftest import ALICE, BOB, FakeClock, refused, section


def modal(blocks: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    view = {
        "type": "modal",
        "callback_id": "reflect",
        "title": {"type": "plain_text", "text": "Setback"},
        "submit": {"type": "plain_text", "text": "Next"},
        "blocks": blocks if blocks is not None else [text_input("what", "facts")],
    }
    view.update(fields)
    return view


def text_input(block_id: str, action_id: str, **element: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": "What happened?"},
        "element": {"type": "plain_text_input", "action_id": action_id, **element},
    }


def open_modal(client: WebClient, workspace: Workspace, user: str = ALICE, **fields: Any) -> dict:
    trigger = workspace.issue_trigger_id(user)
    return client.views_open(trigger_id=trigger, view=modal(**fields))["view"]


def test_views_open_stores_the_view_with_the_fields_slack_adds(client, workspace):
    view = open_modal(client, workspace, private_metadata="draft-1")

    assert view["id"].startswith("V")
    assert view["root_view_id"] == view["id"]
    assert view["previous_view_id"] is None
    assert view["state"] == {"values": {}}
    assert view["private_metadata"] == "draft-1"
    assert view["team_id"] == workspace.team_id
    assert view["app_id"] == workspace.app_id and view["bot_id"] == workspace.bot_id
    assert view["hash"]
    assert workspace.top_view(ALICE)["id"] == view["id"]


def test_title_longer_than_24_characters_is_invalid_arguments(client, workspace):
    trigger = workspace.issue_trigger_id(ALICE)
    body = refused(lambda: client.views_open(trigger_id=trigger, view=modal(title="x" * 25)))

    assert body["error"] == "invalid_arguments"
    assert body["response_metadata"]["messages"][0].startswith("[ERROR] title")
    assert workspace.top_view(ALICE) is None
    assert workspace.rejections[-1]["error"] == "invalid_arguments"
    assert workspace.rejections[-1]["method"] == "views.open"


def test_title_of_exactly_24_characters_is_fine(client, workspace):
    view = open_modal(client, workspace, title="x" * 24)

    assert view["title"]["text"] == "x" * 24


def test_input_block_without_label_is_invalid(client, workspace):
    block = text_input("what", "facts")
    del block["label"]
    trigger = workspace.issue_trigger_id(ALICE)
    body = refused(lambda: client.views_open(trigger_id=trigger, view=modal([block])))

    assert body["error"] == "invalid_arguments"
    assert "label" in body["response_metadata"]["messages"][0]
    assert "/view/blocks/0/label" in body["response_metadata"]["messages"][0]


def test_101_blocks_are_too_many_and_100_are_not(client, workspace):
    trigger = workspace.issue_trigger_id(ALICE)
    body = refused(
        lambda: client.views_open(trigger_id=trigger, view=modal([section()] * 101, submit=None))
    )
    assert body["error"] == "invalid_arguments"

    view = client.views_open(
        trigger_id=workspace.issue_trigger_id(ALICE), view=modal([section()] * 100, submit=None)
    )["view"]
    assert len(view["blocks"]) == 100


def test_plain_text_input_max_length_over_3000_is_invalid(client, workspace):
    trigger = workspace.issue_trigger_id(ALICE)
    view = modal([text_input("what", "facts", max_length=3001)])
    body = refused(lambda: client.views_open(trigger_id=trigger, view=view))

    assert body["error"] == "invalid_arguments"
    assert "max_length" in body["response_metadata"]["messages"][0]


def test_private_metadata_over_3000_characters_is_invalid(client, workspace):
    trigger = workspace.issue_trigger_id(ALICE)
    view = modal(private_metadata="m" * 3001)
    body = refused(lambda: client.views_open(trigger_id=trigger, view=view))

    assert body["error"] == "invalid_arguments"


def test_modal_with_inputs_needs_a_submit_button(client, workspace):
    trigger = workspace.issue_trigger_id(ALICE)
    body = refused(lambda: client.views_open(trigger_id=trigger, view=modal(submit=None)))

    assert body["error"] == "invalid_arguments"
    assert "submit" in body["response_metadata"]["messages"][0]


def test_unknown_block_type_is_invalid(client, workspace):
    trigger = workspace.issue_trigger_id(ALICE)
    body = refused(lambda: client.views_open(trigger_id=trigger, view=modal([{"type": "nope"}])))

    assert body["error"] == "invalid_arguments"


def test_trigger_id_expires_after_3_seconds(client, workspace, clock: FakeClock):
    trigger = workspace.issue_trigger_id(ALICE)
    clock.advance(3.01)

    body = refused(lambda: client.views_open(trigger_id=trigger, view=modal()))

    assert body["error"] == "expired_trigger_id"
    assert workspace.top_view(ALICE) is None


def test_trigger_id_is_still_valid_just_before_3_seconds(client, workspace, clock: FakeClock):
    trigger = workspace.issue_trigger_id(ALICE)
    clock.advance(2.9)

    assert client.views_open(trigger_id=trigger, view=modal())["ok"] is True


def test_trigger_id_can_be_used_once(client, workspace):
    trigger = workspace.issue_trigger_id(ALICE)
    client.views_open(trigger_id=trigger, view=modal())

    body = refused(lambda: client.views_open(trigger_id=trigger, view=modal()))

    assert body["error"] == "exchanged_trigger_id"


def test_unknown_trigger_id_is_invalid(client):
    body = refused(lambda: client.views_open(trigger_id="1.2.3", view=modal()))

    assert body["error"] == "invalid_trigger_id"


def test_view_stack_is_at_most_three_deep(client, workspace):
    root = open_modal(client, workspace)
    second = client.views_push(trigger_id=workspace.issue_trigger_id(ALICE), view=modal())["view"]
    third = client.views_push(trigger_id=workspace.issue_trigger_id(ALICE), view=modal())["view"]

    trigger = workspace.issue_trigger_id(ALICE)
    body = refused(lambda: client.views_push(trigger_id=trigger, view=modal()))

    assert body["error"] == "push_limit_reached"
    assert second["root_view_id"] == root["id"] and second["previous_view_id"] == root["id"]
    assert third["previous_view_id"] == second["id"]
    assert [v["id"] for v in workspace.view_stack(ALICE)] == [root["id"], second["id"], third["id"]]


def test_views_update_with_a_stale_hash_is_a_hash_conflict(client, workspace):
    view = open_modal(client, workspace)
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=modal())["view"]

    body = refused(lambda: client.views_update(view_id=view["id"], hash=view["hash"], view=modal()))

    assert body["error"] == "hash_conflict"
    assert updated["id"] == view["id"]
    assert updated["hash"] != view["hash"]


def test_views_update_keeps_input_values_whose_ids_still_match(client, workspace):
    view = open_modal(
        client, workspace, blocks=[text_input("what", "facts"), text_input("feel", "feelings")]
    )
    typed = {"type": "plain_text_input", "value": "I missed the deadline"}
    workspace.set_view_state(view["id"], {"what": {"facts": typed}, "feel": {"feelings": typed}})

    client.views_update(view_id=view["id"], view=modal([text_input("what", "facts"), section()]))

    assert workspace.view(view["id"])["state"]["values"] == {"what": {"facts": typed}}


def test_views_update_of_a_closed_view_is_not_found(client, workspace):
    view = open_modal(client, workspace)
    workspace.close_view(view["id"])

    body = refused(lambda: client.views_update(view_id=view["id"], view=modal()))

    assert body["error"] == "not_found"


def test_views_update_by_external_id(client, workspace):
    view = open_modal(client, workspace, external_id="draft-42")

    updated = client.views_update(external_id="draft-42", view=modal(title="Step 2 of 6"))

    assert updated["view"]["id"] == view["id"]
    assert workspace.view(view["id"])["title"]["text"] == "Step 2 of 6"


def test_views_publish_stores_the_home_tab_and_keeps_its_id(client, workspace):
    first = client.views_publish(user_id=BOB, view={"type": "home", "blocks": [section("1")]})
    second = client.views_publish(user_id=BOB, view={"type": "home", "blocks": [section("2")]})

    assert first["view"]["id"] == second["view"]["id"]
    assert workspace.home_view(BOB)["blocks"][0]["text"]["text"] == "2"


def test_views_publish_refuses_a_modal_and_a_home_with_submit(client):
    body = refused(lambda: client.views_publish(user_id=BOB, view=modal()))
    assert body["error"] == "invalid_arguments"

    home = {"type": "home", "blocks": [section()], "submit": {"type": "plain_text", "text": "x"}}
    body = refused(lambda: client.views_publish(user_id=BOB, view=home))
    assert body["error"] == "invalid_arguments"


def test_views_publish_with_101_blocks_is_invalid(client):
    home = {"type": "home", "blocks": [section()] * 101}

    body = refused(lambda: client.views_publish(user_id=BOB, view=home))

    assert body["error"] == "invalid_arguments"


def test_listeners_hear_about_opened_views(client, workspace):
    heard: list[tuple[str, dict]] = []
    workspace.subscribe(lambda kind, data: heard.append((kind, data)))

    view = open_modal(client, workspace)

    assert ("view_opened", {"user": ALICE, "view": workspace.view(view["id"])}) in heard
