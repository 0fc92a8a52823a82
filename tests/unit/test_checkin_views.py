"""Check-in message rendering: the live buttons are filled in per check-in."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from bot.checkins.views import CheckinFacts, checkin_message


def facts(checkin_id: int) -> CheckinFacts:
    return CheckinFacts(checkin_id=checkin_id, kind="followup", commitment="x", seq=1, total=4)


def buttons(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    [actions] = [b for b in blocks if b["type"] == "actions"]
    return actions


def values(actions: dict[str, Any]) -> list[str]:
    found = [e["value"] for e in actions["elements"] if "value" in e]
    found += [o["value"] for e in actions["elements"] for o in e.get("options", [])]
    return found


def test_each_check_in_gets_its_own_id_in_every_button_and_option() -> None:
    first = buttons(checkin_message(facts(7))[1])
    second = buttons(checkin_message(facts(1234))[1])
    assert first["block_id"] == "checkin_7" and second["block_id"] == "checkin_1234"
    assert values(first) == ["7"] * 4 + ["7:1d", "7:3d", "7:1w"]
    assert values(second) == ["1234"] * 4 + ["1234:1d", "1234:3d", "1234:1w"]


def test_a_rendered_message_shares_nothing_with_the_next_one() -> None:
    first = buttons(checkin_message(facts(7))[1])
    first["elements"][0]["value"] = "tampered"
    first["elements"][2]["options"].clear()
    again = buttons(checkin_message(facts(7))[1])
    assert values(again) == ["7"] * 4 + ["7:1d", "7:3d", "7:1w"]


def test_the_buttons_are_valid_block_kit() -> None:
    actions = buttons(checkin_message(facts(99))[1])
    parsed = Block.parse(actions)
    assert parsed is not None
    parsed.validate_json()  # raises when Slack would refuse the block
    assert parsed.to_dict() == actions
