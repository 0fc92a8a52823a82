"""Harsh self-judgement detection and the self-compassion reflection."""

from __future__ import annotations

import pytest

from bot.language.kindness import (
    REFLECTIONS,
    answers_have_harsh_self_judgement,
    find_harsh_self_judgement,
    harsh_sentences,
    self_compassion_reflection,
    without_harsh,
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


# --- leaving harsh sentences out of what Setback quotes back --------------------------------


def test_harsh_sentences_are_found_as_spans_of_the_text() -> None:
    text = "I deployed the wrong config. I'm such an idiot. Checkout was down 40 minutes."
    spans = harsh_sentences(text)
    assert [text[start:end] for start, end in spans] == ["I'm such an idiot."]


@pytest.mark.parametrize("sentence", HARSH)
def test_every_harsh_phrase_is_found_inside_a_longer_answer(sentence: str) -> None:
    text = f"The deploy went out at 16:40.\n{sentence}\nWe rolled back within the hour."
    (span,) = harsh_sentences(text)
    assert sentence.rstrip(".?") in text[span[0] : span[1]]


@pytest.mark.parametrize("sentence", [t for t in NOT_HARSH if t])
def test_judgements_of_things_are_kept(sentence: str) -> None:
    text = f"The deploy went out at 16:40. {sentence} We rolled back."
    assert harsh_sentences(text) == []
    assert without_harsh(text) == (text, 0)


@pytest.mark.parametrize(
    ("text", "kept", "removed"),
    [
        (
            "I deployed the wrong config. I'm such an idiot. Checkout was down 40 minutes.",
            "I deployed the wrong config. Checkout was down 40 minutes.",
            1,
        ),
        ("I'm such an idiot.", "", 1),
        ("Line one\nI am so stupid!\nLine three", "Line one\nLine three", 1),
        ("First.\n\nI hate myself.\n\nThird.", "First.\n\nThird.", 1),
        ("v1.2 broke. What is wrong with me?? I fixed it.", "v1.2 broke. I fixed it.", 1),
        ("I always mess up. I'm useless. The cache was stale.", "The cache was stale.", 2),
        ("Typo in the README, fixed in a minute.", "Typo in the README, fixed in a minute.", 0),
        ("", "", 0),
    ],
)
def test_without_harsh_leaves_the_rest_as_written(text: str, kept: str, removed: int) -> None:
    assert without_harsh(text) == (kept, removed)


def test_nothing_left_is_harsh_after_removal() -> None:
    text = "Checkout broke. I'm so stupid! I always mess up. What is wrong with me? Fixed now."
    kept, removed = without_harsh(text)
    assert removed == 3 and kept == "Checkout broke. Fixed now."
    assert find_harsh_self_judgement(kept) is False


def test_spans_are_ordered_and_never_overlap() -> None:
    text = "I'm useless. Fine. I hate myself. Done. I'm a failure"
    spans = harsh_sentences(text)
    assert len(spans) == 3
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


@pytest.mark.parametrize("variant", range(len(REFLECTIONS)))
def test_reflection_fits_a_typo_and_an_outage_alike(variant: int) -> None:
    # "Slip" minimises a 40-minute outage; the kind note uses words that fit both.
    assert "slip" not in self_compassion_reflection(variant).lower()
