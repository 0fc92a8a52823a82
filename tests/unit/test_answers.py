"""Answers as a record keyed by field name: every name read is a screen's field, and
moving a field to another screen changes nothing downstream. Pure: no Slack, no database."""

from __future__ import annotations

import dataclasses
import pickle
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.checkins.answers import recap_facts
from bot.core.actor import Actor
from bot.members.zone import working_hours
from bot.reflection import flow, screens
from bot.reflection.answers import Answers, Plan, UnknownField, field_index
from bot.reflection.screens import MAX_COMMITMENTS, SCREENS, Screen
from bot.reflection.summary import Summary
from bot.reflection.summary_view import CommitmentLine, summary_message
from bot.sharing import offer
from storage.models import Commitment, CommitmentKind, CommitmentStatus, Setback

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

# One finished reflection, stored as today's screens store it: a row per screen.
STORED: dict[int, dict[str, Any]] = {
    0: {"title": "Config push", "facts": "I pushed a config change.", "when": "2026-11-24"},
    1: {"feelings": ["guilty"], "intensity": "3", "friend": "Be kind to yourself."},
    2: {"my_part": "I skipped the check.", "repair": "Walk support through it.",
        "repair_by": "2026-11-27", "apology": "yes"},
    3: {"expected": "E", "made_sense": "M", "factors": "Shared names\nManual check",
        "limited": "The alert fired."},
    4: {"people": ["U2"], "support_kinds": ["peer"], "reach_out_by": "2026-11-26"},
    5: {"lesson": "Checks that rely on memory fail.", "if_1": "I merge a config change",
        "then_1": "run the check first", "schedule_1": "default", "if_2": "a review is late",
        "then_2": "ask for a second reviewer", "schedule_2": "short"},
}  # fmt: skip

# Accessors that read one field by a literal name: `answers.text("facts")`.
_READ_BY_NAME = re.compile(r"\.(?:text|day|values|value)\(\s*\"([A-Za-z0-9_]+)\"\s*\)")


def _moved(field_name: str, to_step: int) -> tuple[Screen, ...]:
    """The real screens with one field moved to the end of another screen."""
    source = next(s for s in SCREENS if any(f.name == field_name for f in s.fields))
    moving = next(f for f in source.fields if f.name == field_name)
    out = []
    for s in SCREENS:
        fields = tuple(f for f in s.fields if f.name != field_name)
        if s.step == to_step:
            fields += (moving,)
        out.append(dataclasses.replace(s, fields=fields))
    return tuple(out)


def _stored_as(layout: tuple[Screen, ...]) -> dict[int, dict[str, Any]]:
    """STORED re-saved the way `layout`'s screens would save it: each answer on the
    row of the screen that asks for it."""
    values = {name: v for saved in STORED.values() for name, v in saved.items()}
    return {s.step: {f.name: values[f.name] for f in s.fields if f.name in values} for s in layout}


def _downstream(answers: Answers) -> dict[str, Any]:
    """Everything other modules derive from the answers of a finished reflection."""
    setback = Setback(team_id="T1", user_id="U1", title="Config push", completed_at=NOW)
    commitments = [
        Commitment(
            team_id="T1",
            user_id="U1",
            setback_id=1,
            kind=CommitmentKind.GROWTH,
            text="If x",
            status=CommitmentStatus.DONE,
        )
    ]
    untitled = Setback(team_id="T1", user_id="U1")  # the share's title then comes from the answers
    return {
        "summary": summary_message(1, "Config push", answers, [], {}, "UTC"),
        "share": offer.offered_sections(answers, commitments),
        "share_title": offer._default_title(untitled, answers),
        "recap": recap_facts(setback, answers, commitments, NOW),
        "commitments": flow._commitments(Actor("T1", "U1"), 1, answers, working_hours(None), NOW),
        "lesson": answers.lesson,
    }


# --- every name read is a field of some screen ------------------------------------------


def test_field_names_are_unique_across_screens() -> None:
    names = [f.name for s in SCREENS for f in s.fields]
    assert len(names) == len(set(names)) == len(field_index())


def test_every_field_the_code_reads_by_name_is_asked_by_some_screen() -> None:
    read: dict[str, list[str]] = {}
    for package in ("bot", "handlers", "scheduler"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in _READ_BY_NAME.findall(path.read_text(encoding="utf-8")):
                read.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert {"facts", "my_part", "factors", "limited", "lesson", "repair_by"} <= set(read)
    unknown = {name: where for name, where in read.items() if name not in field_index()}
    assert unknown == {}


def test_every_property_of_the_record_reads_fields_some_screen_asks() -> None:
    properties = [n for n, v in vars(Answers).items() if isinstance(v, property)]
    assert len(properties) >= 10
    for name in properties:
        getattr(Answers(), name)  # raises UnknownField for a name no screen asks


def test_the_plans_read_every_if_then_pair_the_growth_screen_asks() -> None:
    for i in range(1, MAX_COMMITMENTS + 1):
        assert {f"if_{i}", f"then_{i}", f"schedule_{i}"} <= set(field_index())
    assert Answers.from_steps(STORED).plans == (
        Plan("I merge a config change", "run the check first", "default"),
        Plan("a review is late", "ask for a second reviewer", "short"),
    )


# --- unknown names and wrong shapes raise -----------------------------------------------


@pytest.mark.parametrize("read", ["text", "day", "values", "value"])
def test_reading_a_name_no_screen_asks_raises(read: str) -> None:
    answers = Answers.from_steps(STORED)
    with pytest.raises(UnknownField):
        getattr(answers, read)("factor")
    with pytest.raises(KeyError):
        getattr(answers, read)("lessons")


def test_reading_a_field_as_the_wrong_shape_raises() -> None:
    answers = Answers.from_steps(STORED)
    with pytest.raises(TypeError):
        answers.text("repair_by")
    with pytest.raises(TypeError):
        answers.text("feelings")
    with pytest.raises(TypeError):
        answers.values("facts")
    assert answers.day("repair_by") == date(2026, 11, 27)
    assert answers.values("feelings") == ("guilty",)


def test_a_field_name_on_two_screens_is_refused() -> None:
    factors = field_index()["factors"][1]
    also_on_1 = dataclasses.replace(SCREENS[1], fields=(*SCREENS[1].fields, factors))
    twice = (SCREENS[0], also_on_1, *SCREENS[2:])
    with pytest.raises(ValueError, match="factors"):
        field_index(twice)


# --- moving a field to another screen changes nothing downstream ------------------------


@pytest.mark.parametrize(
    ("field_name", "to_step"),
    [("factors", 1), ("facts", 5), ("lesson", 0), ("repair_by", 4), ("then_2", 3)],
)
def test_moving_a_field_to_another_screen_changes_nothing_downstream(
    field_name: str, to_step: int
) -> None:
    moved = _moved(field_name, to_step)
    stored = _stored_as(moved)
    assert field_name in stored[to_step]

    before = _downstream(Answers.from_steps(STORED))
    assert set(before["share"]) == {"happened", "factors", "limited", "lesson", "commitments"}
    assert before["share_title"] == "Config push" and len(before["commitments"]) == 4
    assert _downstream(Answers.from_steps(stored, moved)) == before
    # A reflection saved before the move reads the same after it, and the other way round.
    assert _downstream(Answers.from_steps(STORED, moved)) == before
    assert _downstream(Answers.from_steps(stored)) == before


def test_a_moved_field_keeps_its_rules_on_its_new_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(screens, "SCREENS", _moved("factors", 1))
    one_factor = {"intensity": "3", "friend": "Be kind.", "factors": "Only one"}
    assert set(flow.validate(1, one_factor)) == {"factors"}
    assert flow.validate(3, {"expected": "E", "made_sense": "M"}) == {}
    assert flow.read_values(1, {"factors": {"factors": {"value": "A\nB"}}}) == {"factors": "A\nB"}


def test_answers_cross_a_pickle_without_the_screens_they_are_checked_against() -> None:
    answers = Answers.from_steps(STORED)
    data = pickle.dumps(answers)
    back = pickle.loads(data)
    assert back.saved == answers.saved
    assert back.screens is SCREENS  # the other side's own screens, not a copy of them
    assert SCREENS[0].intro.encode() not in data


def test_answers_checked_against_other_screens_cross_a_pickle_with_them() -> None:
    moved = tuple(dataclasses.replace(s, title=f"{s.title} (moved)") for s in SCREENS)
    back = pickle.loads(pickle.dumps(Answers({"title": "t"}, moved)))
    assert back.screens == moved
    assert back.title == "t"


def test_a_finished_reflections_summary_crosses_a_pickle_as_plain_values() -> None:
    """The writer process hands the summary back pickled: no ORM state may ride along."""
    plan = CommitmentLine(3, CommitmentKind.GROWTH, "run the check first")
    summary = Summary(1, "Config push", Answers.from_steps(STORED), [plan], {3: NOW}, "UTC", True)
    data = pickle.dumps(summary)
    assert b"sqlalchemy" not in data
    back = pickle.loads(data)
    assert back.commitments == [plan]
    assert back.message(None) == summary.message(None)
