"""Crisis language screen: clear phrases are caught, work idioms are not."""

from __future__ import annotations

import pytest

from bot.language.safety import CRISIS_PATTERNS, iter_strings, screen, screen_answers

CRISIS = [
    "I want to kill myself.",
    "Honestly I've been thinking about suicide lately.",
    "I feel suicidal after today.",
    "I just want to die.",
    "I don't want to be here anymore.",
    "Sometimes I want to end it all.",
    "There's no reason to live if I lose this job.",
    "I can't go on like this.",
    "I can't go on.",
    "I keep thinking about hurting myself.",
    "I might hurt myself tonight.",
    "Everyone would be better off without me.",
    "I wish I was dead.",
    "Life isn't worth living.",
    "I'm thinking of taking my own life.",
    "I've started self-harming again.",
    "I can\u2019t go on anymore.",
    "I have nothing left to live for.",
    "I'm so tired of living.",
    "I don't want to wake up tomorrow.",
    "I hope I don't wake up.",
    "I'd be better off dead.",
    "I'm a burden to everyone.",
    "I want to KILL MYSELF",
    "my friend on the team said he wants to kill himself",
]

FALSE_ALARMS = [
    "This bug is killing me.",
    "The deploy killed the server.",
    "I could kill for a coffee.",
    "Kill the process and restart it.",
    "Remove the dead code before merging.",
    "The deadline is Friday.",
    "I'm dying to see the results.",
    "That meeting was murder.",
    "We killed the feature flag.",
    "The build died at step 3.",
    "It was a suicide squeeze play in the ninth inning.",
    "Pushing to prod on a Friday would be career suicide.",
    "I can't go on the call tomorrow.",
    "I can't go on leave until the release ships.",
    "I killed the job and restarted it.",
    "The tests are dead slow.",
    "Our pager went dead for an hour.",
    "The OOM killer took out the worker.",
    "I'd rather die than write more YAML.",
    "I hurt my back moving the rack.",
    "I'm burning myself out on this release.",
    "",
]


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_language_is_caught(text: str) -> None:
    assert screen(text) is True


@pytest.mark.parametrize("text", FALSE_ALARMS)
def test_work_idioms_are_not_crisis_language(text: str) -> None:
    assert screen(text) is False


def test_hate_myself_alone_is_left_to_the_kindness_check() -> None:
    # Harsh, not a crisis phrase on its own; with one, the screen fires.
    assert screen("I hate myself for this.") is False
    assert screen("I hate myself and I want to die.") is True


def test_line_breaks_and_extra_spaces_do_not_hide_a_phrase() -> None:
    assert screen("I want to\n   kill\tmyself") is True


def test_patterns_are_compiled_regexes() -> None:
    assert len(CRISIS_PATTERNS) >= 20
    assert all(hasattr(pattern, "search") for pattern in CRISIS_PATTERNS)


def test_screen_answers_finds_text_in_any_field() -> None:
    answers = {
        "feelings": ["anxious", "ashamed"],
        "intensity": 4,
        "friend": "I'd tell them it happens.",
        "notes": None,
    }
    assert screen_answers(answers) is False
    answers["friend"] = "Honestly I don't want to be here any more."
    assert screen_answers(answers) is True


def test_screen_answers_looks_inside_lists_and_nested_dicts() -> None:
    assert screen_answers({"feelings": ["tired", "I want to die"]}) is True
    assert screen_answers({"commitments": [{"if_then": "if tired, I'll end it all"}]}) is True
    assert screen_answers({"commitments": [{"if_then": "if the build dies, page me"}]}) is False


def test_screen_answers_handles_empty_and_non_text_values() -> None:
    assert screen_answers({}) is False
    assert screen_answers({"n": 3, "flag": True, "none": None}) is False


def test_iter_strings_yields_every_string_once() -> None:
    value = {"a": "one", "b": ["two", ("three",)], "c": {"d": "four"}, "e": 5}
    assert sorted(iter_strings(value)) == ["four", "one", "three", "two"]
