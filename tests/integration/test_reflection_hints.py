"""A hint on a screen reads right whatever the person picked: Slack cannot change a
hint when another field changes, so "How strong is it right now?" must not say a feeling
was picked when none was — and it stays optional, required only with a feeling."""

from __future__ import annotations

from typing import Any

from tests.integration.harness import ADA, SAMPLE_STEPS, Harness, choice, choices, form, text


def _strength(modal: dict[str, Any]) -> dict[str, Any]:
    (block,) = [b for b in modal["blocks"] if b.get("block_id") == "intensity"]
    return block


def test_the_strength_hint_reads_right_with_no_feeling_picked(harness: Harness) -> None:
    h = harness
    h.open_reflection(ADA)
    assert h.submit(ADA, SAMPLE_STEPS[0]).error is None
    modal = h.wait_modal(ADA, "setback_step", 1)
    block = _strength(modal)
    initial = [b for b in modal["blocks"] if b.get("block_id") == "feelings"]
    assert initial and not initial[0]["element"].get("initial_options"), "no feeling yet"

    hint = block["hint"]["text"]
    assert "Asked only when you picked" not in hint, "it says a feeling was picked: none was"
    assert hint.lower().startswith("skip this if you didn"), hint
    assert block.get("optional") is True

    no_feeling = form(friend=text("You caught it fast."))
    assert h.submit(ADA, no_feeling).json().get("response_action") == "update"
    h.wait_modal(ADA, "setback_step", 2)
    h.slack.click(ADA, "setback_back", view_id=h.modal(ADA)["id"])
    h.wait_modal(ADA, "setback_step", 1)
    feeling = form(feelings=choices("anxious"), friend=text("You caught it fast."))
    assert set(h.submit(ADA, feeling).json()["errors"]) == {"intensity"}
    both = form(feelings=choices("anxious"), intensity=choice("2"), friend=text("Fine."))
    assert h.submit(ADA, both).json().get("response_action") == "update"
