"""Harsh self-judgement detection and the self-compassion reflection."""

from __future__ import annotations

import pytest

from bot.language.kindness import (
    REFLECTIONS,
    answers_have_harsh_self_judgement,
    find_harsh_self_judgement,
    self_compassion_reflection,
)

HARSH = [
    "I'm so stupid.",
    "I always mess up.",
    "I always mess things up when it matters.",
    "I'm useless.",
    "I'm an idiot.",
    "I'm a failure.",
    "I ruin everything.",
    "I never get anything right.",
    "What is wrong with me?",
    "whats wrong with me",
    "I'm hopeless at this.",
    "I'm terrible at my job.",
    "I hate myself.",
    "I'm such an idiot.",
    "I can't do anything right.",
    "I'm worthless.",
    "I am a complete failure.",
    "I feel like such an idiot.",
    "I feel so stupid right now.",
    "Im so dumb",
    "I\u2019m useless at this",
    "Everyone must think I'm an idiot.",
    "I keep messing up the same thing.",
    "I'm not good enough for this team.",
    "I'm not cut out for this.",
    "I don't deserve this job.",
    "How could I be so careless?",
    "I'm the worst engineer here.",
    "I'M SO STUPID",
]

NOT_HARSH = [
    "The script is stupid.",
    "A useless error message slowed us down.",
    "I always run the tests first.",
    "I never deploy on Fridays.",
    "I'm not stupid about this anymore.",
    "I'm not a failure, I made a mistake.",
    "The stupid cache got stale.",
    "We always mess up the release notes format.",
    "That was a stupid mistake.",
    "I'm using a useless config flag.",
    "I'm stupidly relieved it's fixed.",
    "I'm a fraud detection engineer.",
    "I was tired and the runbook was out of date.",
    "I'd tell a friend that it happens to everyone.",
    "",
]


@pytest.mark.parametrize("text", HARSH)
def test_harsh_self_judgement_is_noticed(text: str) -> None:
    assert find_harsh_self_judgement(text) is True


@pytest.mark.parametrize("text", NOT_HARSH)
def test_judgements_of_things_processes_and_habits_are_not(text: str) -> None:
    assert find_harsh_self_judgement(text) is False


def test_answers_are_searched_in_every_string_and_list() -> None:
    answers: dict[str, object] = {
        "feelings": ["embarrassed"],
        "intensity": 3,
        "friend": "It happens; fix it and move on.",
    }
    assert answers_have_harsh_self_judgement(answers) is False
    answers["feelings"] = ["embarrassed", "honestly I'm such an idiot"]
    assert answers_have_harsh_self_judgement(answers) is True


def test_answers_with_only_non_text_values_are_clean() -> None:
    assert answers_have_harsh_self_judgement({}) is False
    assert answers_have_harsh_self_judgement({"intensity": 5, "skip": None}) is False


def test_there_are_at_least_three_distinct_short_reflections() -> None:
    assert len(REFLECTIONS) >= 3
    assert len(set(REFLECTIONS)) == len(REFLECTIONS)
    for text in REFLECTIONS:
        assert 0 < len(text) <= 400, text


def test_variants_cycle_and_default_to_the_first() -> None:
    count = len(REFLECTIONS)
    assert self_compassion_reflection() == REFLECTIONS[0]
    assert [self_compassion_reflection(i) for i in range(count)] == list(REFLECTIONS)
    assert self_compassion_reflection(count) == REFLECTIONS[0]
    assert self_compassion_reflection(-1) == REFLECTIONS[-1]


@pytest.mark.parametrize("variant", range(len(REFLECTIONS)))
def test_reflection_is_kind_plain_text(variant: int) -> None:
    text = self_compassion_reflection(variant)
    # Never a verdict itself, and nothing Slack would render as markup or a mention.
    assert find_harsh_self_judgement(text) is False
    for marker in ("<", ">", "&", "*", "_", "`", "@"):
        assert marker not in text
    lowered = text.lower()
    for harsh in ("stupid", "idiot", "useless", "failure", "should have"):
        assert harsh not in lowered


@pytest.mark.parametrize("variant", range(len(REFLECTIONS)))
def test_reflection_touches_on_common_humanity(variant: int) -> None:
    # Neff's "common humanity": each variant says slips are shared, in some wording.
    lowered = self_compassion_reflection(variant).lower()
    shared = ("everyone", "every team", "capable people", "not alone", "far from alone")
    assert any(word in lowered for word in shared)


@pytest.mark.parametrize("variant", range(len(REFLECTIONS)))
def test_reflection_invites_naming_the_feeling(variant: int) -> None:
    # Neff's "mindfulness": notice or name the feeling without becoming it.
    lowered = self_compassion_reflection(variant).lower()
    assert "feel" in lowered or "notice" in lowered or "name it" in lowered
