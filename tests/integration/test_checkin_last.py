""" "Still working" on a plan's last planned check-in never leaves the plan stranded:
one more check-in comes a week later, inside working hours, the answer says when, and
that check-in can close the plan (Done, Let it go), so the recap can still come."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler.dispatcher import run_once
from storage.models import CommitmentStatus
from tests.integration.harness import ADA, START, Harness, wait_for
from tests.integration.test_checkin_promises import FRIDAY, action_ids, of_type, row
from tests.integration.test_checkins import (
    DAY,
    checkin_id,
    checkins,
    click,
    commitments,
    context_text,
    finish,
    has_buttons,
    posted_checkins,
    shown,
)

NEXT_FRIDAY = datetime(2026, 12, 4, 9, 0, 30, tzinfo=UTC)  # a week after the repair's day


def test_still_working_on_the_last_checkin_plans_one_more_that_can_close_the_plan(
    harness: Harness,
) -> None:
    h = harness
    root = finish(h)
    h.clock.set(START + DAY)
    assert run_once(h.rt).sent == 2
    for plan in posted_checkins(h, root):
        click(h, plan, "setback_checkin_let_go")
        wait_for(lambda p=plan: not has_buttons(shown(h, p)), what="let go")
    h.clock.set(FRIDAY)
    assert run_once(h.rt).sent == 1
    repair = posted_checkins(h, root)[-1]
    assert row(h, checkin_id(repair)).total == 1, "the repair's only planned check-in"

    click(h, repair, "setback_checkin_working")

    said = wait_for(
        lambda: (t := context_text(shown(h, repair))) and "Still working" in t and t,
        what="still working",
    )
    assert "Next check-in: Fri 4 Dec, 09:00." in said, said
    assert "last check-in planned" not in said
    assert action_ids(shown(h, repair)) == ["setback_checkin_note"]
    plan_id = row(h, checkin_id(repair)).commitment_id
    assert commitments(h.rt)[plan_id].status == CommitmentStatus.ACTIVE
    assert of_type(h, root, "setback_recap") == [], "the plan is still open"

    h.clock.set(NEXT_FRIDAY)
    assert run_once(h.rt).sent == 1
    again = posted_checkins(h, root)[-1]
    assert again["ts"] != repair["ts"] and has_buttons(again)
    assert row(h, checkin_id(again)).commitment_id == plan_id
    assert {"setback_checkin_done", "setback_checkin_let_go"} <= set(action_ids(again))
    click(h, repair, "setback_checkin_note")  # the earlier answer, shown again
    h.wait_modal(ADA, "setback_checkin_note")
    assert h.submit(ADA, {"note": {"note": {"value": "Half of it done."}}}).error is None
    said = wait_for(
        lambda: (t := context_text(shown(h, repair))) and "Note saved" in t and t,
        what="the note shown",
    )
    assert "Still working on it" in said
    assert "last check-in planned" not in said, "a later check-in is right below it"

    click(h, again, "setback_checkin_done")

    wait_for(lambda: of_type(h, root, "setback_recap"), what="the recap")
    assert commitments(h.rt)[plan_id].status == CommitmentStatus.DONE
    assert [c for c in checkins(h.rt) if c.status in ("scheduled", "claimed")] == []
