"""The guided reflection over HTTP: six screens, close and resume, the summary DM, rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import select

from bot.language.kindness import REFLECTIONS
from storage.db import session_scope
from storage.models import Checkin, Commitment, Reflection, SafetyFlag, Setback
from tests.integration.harness import (
    ADA,
    BEN,
    SAMPLE_STEPS,
    choice,
    form,
    text,
    wait_for,
)
from tests.integration.test_home import open_home


def _all(h, model):
    with session_scope(h.rt.engine, readonly=True) as s:
        return list(s.exec(select(model)))


def _texts(view) -> str:
    return json.dumps(view["blocks"])


def test_command_acks_and_opens_step_one(harness) -> None:
    resp = harness.command(ADA)
    assert resp.status == 200 and resp.error is None
    view = harness.wait_modal(ADA, "setback_step", 0)
    assert "Step 1 of 6" in _texts(view)
    assert view["notify_on_close"] is True
    assert view["title"]["text"] == "The facts"  # the title never repeats the heading
    assert not _all(harness, Setback)  # nothing stored until something is typed


def test_a_modal_slack_no_longer_opens_gets_a_kind_word_instead_of_silence(harness) -> None:
    harness.ws.fail_next("views.open", error="expired_trigger_id")  # 3 s went by
    resp = harness.command(ADA)
    assert resp.status == 200 and resp.error is None
    wait_for(
        lambda: any(
            "Type `/setback` again" in m["text"] for m in harness.ws.ephemeral_messages(ADA)
        ),
        what="an ephemeral note to try again",
    )
    assert harness.ws.top_view(ADA) is None
    harness.open_reflection(ADA)  # and typing it again works


def test_walk_close_resume_finish(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    for i in range(3):
        assert h.submit(ADA, SAMPLE_STEPS[i]).error is None
        view = h.wait_modal(ADA, "setback_step", i + 1)
        assert f"Step {i + 2} of 6" in _texts(view)
        assert view["submit"]["text"] == "Continue"

    # Close halfway through screen 4 with something typed: the draft keeps it.
    partial = form(expected=text("It would only touch staging."))
    h.slack.close_view(ADA, h.modal(ADA)["id"], partial)
    (setback,) = _all(h, Setback)
    assert setback.status == "draft" and setback.current_step == 3
    assert setback.title == "Config push broke checkout"

    # /setback offers Resume or Start over; Resume returns to screen 4, prefilled.
    h.command(ADA)
    chooser = h.wait_modal(ADA, "setback_resume_choice")
    assert "Config push broke checkout" in _texts(chooser)
    h.slack.click(ADA, "setback_resume", view_id=chooser["id"], value=str(setback.id))
    view = h.wait_modal(ADA, "setback_step", 3)
    assert "It would only touch staging." in _texts(view)

    for i in range(3, 6):
        assert h.submit(ADA, SAMPLE_STEPS[i]).error is None
        if i < 5:
            h.wait_modal(ADA, "setback_step", i + 1)
    assert h.modal(ADA) is None  # the last submit closes the modal

    summary = wait_for(lambda: h.dm(ADA), what="summary DM")[-1]
    assert "Config push broke checkout" not in summary["text"]  # notifications stay private
    assert summary["text"].startswith("Your reflection is saved")
    blocks = json.dumps(summary["blocks"])
    assert "Config push broke checkout" in blocks
    assert "Checks that rely on memory fail on busy days." in blocks
    assert "run the migration check first" in blocks

    (setback,) = _all(h, Setback)
    assert setback.status == "complete"
    assert wait_for(lambda: _all(h, Setback)[0].thread_ts) == summary["ts"]
    assert {r.step for r in _all(h, Reflection)} == set(range(6))

    commitments = sorted(_all(h, Commitment), key=lambda c: c.position)
    assert [c.kind for c in commitments] == ["amends", "growth", "growth"]
    assert commitments[1].text == (
        "If I'm about to merge a config change, then I will run the migration check first"
    )
    # The repair is due Friday 27 November; London is UTC in winter: 09:00 UTC.
    assert commitments[0].due_at == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    checkins = _all(h, Checkin)
    per = {c.id: [k for k in checkins if k.commitment_id == c.id] for c in commitments}
    assert [len(per[c.id]) for c in commitments] == [1, 4, 2]
    assert all(k.status == "scheduled" for k in checkins)
    first_plan = sorted(k.due_at for k in per[commitments[1].id])
    assert first_plan[0] == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # +1 day, in hours


def test_resume_subcommand_goes_straight_back(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    h.submit(ADA, SAMPLE_STEPS[0])
    h.wait_modal(ADA, "setback_step", 1)
    h.slack.close_view(ADA, h.modal(ADA)["id"])
    h.command(ADA, "resume")
    view = h.wait_modal(ADA, "setback_step", 1)
    assert "Step 2 of 6" in _texts(view)


def test_start_over_deletes_the_draft(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    h.submit(ADA, SAMPLE_STEPS[0])
    h.wait_modal(ADA, "setback_step", 1)
    h.slack.close_view(ADA, h.modal(ADA)["id"])
    (draft,) = _all(h, Setback)
    h.command(ADA)
    chooser = h.wait_modal(ADA, "setback_resume_choice")
    h.slack.click(ADA, "setback_start_over", view_id=chooser["id"], value=str(draft.id))
    h.wait_modal(ADA, "setback_step", 0)
    assert _all(h, Setback) == []
    assert _all(h, Reflection) == []


def test_back_keeps_typing_and_shows_previous_screen(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    h.submit(ADA, SAMPLE_STEPS[0])
    view = h.wait_modal(ADA, "setback_step", 1)
    typed = form(friend=text("Be gentle, you fixed it fast."))
    h.slack.click(ADA, "setback_back", view_id=view["id"], values=typed)
    back = h.wait_modal(ADA, "setback_step", 0)
    assert "Config push broke checkout" in _texts(back)  # prefilled from the saved step
    assert "Step 1 of 6" in _texts(back)
    (setback,) = _all(h, Setback)
    assert setback.current_step == 0
    saved = {r.step: r.answers for r in _all(h, Reflection)}
    assert saved[1]["friend"] == "Be gentle, you fixed it fast."


def test_field_errors_come_back_as_errors(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    for i in range(3):
        h.submit(ADA, SAMPLE_STEPS[i])
        h.wait_modal(ADA, "setback_step", i + 1)
    one_factor = {**SAMPLE_STEPS[3], **form(factors=text("Only one thing"))}
    resp = h.submit(ADA, one_factor)
    answer = resp.json()
    assert answer["response_action"] == "errors"
    assert "at least two" in answer["errors"]["factors"]
    assert h.modal(ADA)["private_metadata"].endswith('"step":3}')  # still on screen 4


def test_repair_needs_a_date(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    for i in range(2):
        h.submit(ADA, SAMPLE_STEPS[i])
        h.wait_modal(ADA, "setback_step", i + 1)
    no_date = {k: v for k, v in SAMPLE_STEPS[2].items() if k != "repair_by"}
    answer = h.submit(ADA, no_date).json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"repair_by"}


def test_harsh_self_judgement_is_met_kindly_on_the_next_screen(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    harsh = {**SAMPLE_STEPS[0], **form(facts=text("I pushed the config. I'm so stupid."))}
    h.submit(ADA, harsh)
    view = h.wait_modal(ADA, "setback_step", 1)
    blocks = _texts(view)
    assert any(r[:40] in blocks for r in REFLECTIONS)
    assert "stupid" not in blocks  # never repeated back


def test_no_kind_note_without_harsh_words(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    h.submit(ADA, SAMPLE_STEPS[0])
    blocks = _texts(h.wait_modal(ADA, "setback_step", 1))
    assert not any(r[:40] in blocks for r in REFLECTIONS)


def test_crisis_language_shows_care_screen_and_stores_only_a_flag(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    h.submit(ADA, SAMPLE_STEPS[0])
    h.wait_modal(ADA, "setback_step", 1)
    crisis = {**SAMPLE_STEPS[1], **form(friend=text("Honestly I want to end it all."))}
    resp = h.submit(ADA, crisis)
    assert resp.json()["response_action"] == "update"
    care = h.wait_modal(ADA, "setback_care")
    blocks = _texts(care)
    assert "https://findahelpline.com" in blocks  # the configured resources
    assert "not a crisis service" in blocks
    (flag,) = _all(h, SafetyFlag)
    assert (flag.team_id, flag.user_id) == (h.ws.team_id, ADA)
    assert {c.name for c in SafetyFlag.__table__.columns} == {
        "id",
        "team_id",
        "user_id",
        "flagged_at",
    }
    (setback,) = _all(h, Setback)
    assert setback.safety_hold is True
    # "Keep going" continues with the next screen.
    h.slack.click(ADA, "setback_care_continue", view_id=care["id"])
    assert "Step 3 of 6" in _texts(h.wait_modal(ADA, "setback_step", 2))


def test_crisis_language_on_the_first_screen_holds_the_new_draft(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    first = {**SAMPLE_STEPS[0], **form(facts=text("Honestly I want to end it all."))}
    assert h.submit(ADA, first).json()["response_action"] == "update"
    h.wait_modal(ADA, "setback_care")
    (setback,) = _all(h, Setback)
    assert setback.safety_hold is True, "never offered for sharing"
    assert len(_all(h, SafetyFlag)) == 1


def test_false_alarm_does_not_trigger_care(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    idiom = {**SAMPLE_STEPS[0], **form(facts=text("This bug is killing me, the deploy died."))}
    h.submit(ADA, idiom)
    h.wait_modal(ADA, "setback_step", 1)
    assert _all(h, SafetyFlag) == []


def test_crisis_setback_summary_offers_no_sharing(harness) -> None:
    h = harness
    steps = list(SAMPLE_STEPS)
    steps[1] = {**steps[1], **form(friend=text("I don't want to be here anymore."))}
    h.open_reflection(ADA)
    h.submit(ADA, steps[0])
    h.wait_modal(ADA, "setback_step", 1)
    h.submit(ADA, steps[1])
    care = h.wait_modal(ADA, "setback_care")
    h.slack.click(ADA, "setback_care_continue", view_id=care["id"])
    for i in range(2, 6):
        h.wait_modal(ADA, "setback_step", i)
        h.submit(ADA, steps[i])
    summary = wait_for(lambda: h.dm(ADA), what="summary")[-1]
    assert "setback_share_open" not in json.dumps(summary["blocks"])


def test_help_and_unknown_subcommands_answer_ephemerally(harness) -> None:
    h = harness
    for sub in ("help", "frobnicate"):
        before = len(h.ws.ephemeral_messages(ADA))
        resp = h.command(ADA, sub)
        assert resp.error is None
        answer = resp.json()
        assert answer["response_type"] == "ephemeral"
        body = json.dumps(answer)
        assert "/setback resume" in body and "Private by default" in body
        assert len(h.ws.ephemeral_messages(ADA)) == before + 1
    assert h.modal(ADA) is None  # help never opens the modal


def test_schedule_choice_sets_the_plan_length(harness) -> None:
    h = harness
    steps = list(SAMPLE_STEPS)
    steps[5] = form(
        lesson=text("Small plans stick."),
        if_1=text("a deploy is after 16:00"),
        then_1=text("wait for the morning"),
        schedule_1=choice("once_week"),
    )
    h.finish_setback(ADA, tuple(steps))
    growth = [c for c in _all(h, Commitment) if c.kind == "growth"]
    assert len(growth) == 1
    assert len([k for k in _all(h, Checkin) if k.commitment_id == growth[0].id]) == 1


def test_two_people_never_see_each_others_drafts(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    h.submit(ADA, SAMPLE_STEPS[0])
    h.wait_modal(ADA, "setback_step", 1)
    h.slack.close_view(ADA, h.modal(ADA)["id"])
    view = h.open_reflection(BEN)  # Ben gets a fresh first screen, not Ada's draft
    assert "Config push broke checkout" not in _texts(view)


def test_home_tab_follows_the_reflection(harness) -> None:
    h = harness

    def home_text() -> str:
        return json.dumps((h.ws.home_view(ADA) or {}).get("blocks", []))

    open_home(h, ADA)  # Ada has her Home open: her changes republish it
    h.open_reflection(ADA)
    h.submit(ADA, SAMPLE_STEPS[0])
    h.wait_modal(ADA, "setback_step", 1)
    h.slack.close_view(ADA, h.modal(ADA)["id"])  # the modal covered the Home until now
    wait_for(lambda: "Config push broke checkout" in home_text(), what="draft on Home")
    assert "setback_home_resume" in home_text() or "Resume" in home_text()
    assert "Config push broke checkout" not in json.dumps(
        (h.ws.home_view(BEN) or {}).get("blocks", [])
    )
