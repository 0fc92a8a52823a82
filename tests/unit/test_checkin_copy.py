"""Check-in wording: varied, tapering, never scolding, the commitment verbatim."""

from __future__ import annotations

import re

import pytest

from bot.checkins.wording import KINDS, RESPONSES, answered_text, checkin_text, recap_intro

COMMITMENT = "If a deploy touches billing, then I will ask for a second reviewer."
SEEDS = range(60)  # far more seeds than variants, so every variant is enumerated
PLAN_LENGTHS = range(1, 7)

# Words that scold or keep score. Matched as whole words, case-insensitively.
SCOLDING = re.compile(
    r"\b(missed|miss|forgot|forget|forgotten|overdue|fail|failed|failure|late|lately|"
    r"behind|should have|shouldn't have|why didn't|still haven't|again\?|disappoint\w*|"
    r"lazy|excuse\w*|finally)\b",
    re.IGNORECASE,
)


def all_checkin_texts(commitment: str = COMMITMENT) -> list[str]:
    return [
        checkin_text(kind, commitment, seq, total, seed)
        for kind in KINDS
        for total in PLAN_LENGTHS
        for seq in range(total + 1)  # one past the end too
        for seed in SEEDS
    ]


def all_other_texts() -> list[str]:
    answered = [answered_text(r) for r in RESPONSES]
    return [*answered, answered_text("snoozed", "Tue 9 Jun, 09:00"), *map(recap_intro, range(40))]


def test_kinds_and_responses() -> None:
    assert KINDS == ("followup", "amends", "support")
    assert set(RESPONSES) == {"done", "working", "snoozed", "let_go", "note"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("seq", "total"), [(0, 4), (1, 4), (2, 4), (3, 4), (0, 1)])
def test_at_least_three_distinct_variants(kind: str, seq: int, total: int) -> None:
    texts = {checkin_text(kind, COMMITMENT, seq, total, seed) for seed in SEEDS}
    assert len(texts) >= 3


@pytest.mark.parametrize("kind", KINDS)
def test_neighbouring_seeds_read_differently(kind: str) -> None:
    texts = [checkin_text(kind, COMMITMENT, 1, 4, seed) for seed in (41, 42, 43)]
    assert len(set(texts)) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_same_words(kind: str) -> None:
    for seed in SEEDS:
        first = checkin_text(kind, COMMITMENT, 0, 4, seed)
        assert checkin_text(kind, COMMITMENT, 0, 4, seed) == first


def test_kinds_have_their_own_wording() -> None:
    by_kind = {kind: {checkin_text(kind, COMMITMENT, 0, 4, s) for s in SEEDS} for kind in KINDS}
    assert not by_kind["followup"] & by_kind["amends"]
    assert not by_kind["followup"] & by_kind["support"]
    assert not by_kind["amends"] & by_kind["support"]


def test_each_kind_asks_its_own_question() -> None:
    for seed in range(3):
        assert "repair" in checkin_text("amends", COMMITMENT, 0, 1, seed)
        assert "talk" in checkin_text("support", COMMITMENT, 0, 1, seed)
        assert "plan" in checkin_text("followup", COMMITMENT, 0, 4, seed)


def test_no_scolding_anywhere() -> None:
    texts = all_checkin_texts() + all_other_texts()
    offenders = [t for t in texts if SCOLDING.search(t)]
    assert offenders == []


def test_scolding_pattern_catches_what_it_should() -> None:
    # Guards the guard: the test above would pass vacuously with a broken pattern.
    for phrase in ("You missed this", "you forgot", "Overdue!", "it failed", "running late"):
        assert SCOLDING.search(phrase)
    assert not SCOLDING.search("Marked done — nice work.")


@pytest.mark.parametrize("kind", KINDS)
def test_later_checkins_taper(kind: str) -> None:
    for total in range(2, 7):
        for seed in SEEDS:
            lengths = [len(checkin_text(kind, COMMITMENT, s, total, seed)) for s in range(total)]
            assert lengths[-1] < lengths[0], (kind, total, seed)
            assert lengths == sorted(lengths, reverse=True), (kind, total, seed)


@pytest.mark.parametrize("kind", KINDS)
def test_the_last_checkin_has_its_own_lightest_wording(kind: str) -> None:
    for total in range(3, 7):
        for seed in SEEDS:
            middle = checkin_text(kind, COMMITMENT, 1, total, seed)
            last = checkin_text(kind, COMMITMENT, total - 1, total, seed)
            assert last != middle
            assert len(last) <= len(middle)


@pytest.mark.parametrize("kind", KINDS)
def test_single_checkin_plan_gets_the_full_wording(kind: str) -> None:
    for seed in range(6):
        assert checkin_text(kind, COMMITMENT, 0, 1, seed) == checkin_text(
            kind, COMMITMENT, 0, 4, seed
        )


@pytest.mark.parametrize("kind", KINDS)
def test_seq_past_the_end_reads_as_the_last(kind: str) -> None:
    for seed in range(6):
        assert checkin_text(kind, COMMITMENT, 9, 4, seed) == checkin_text(
            kind, COMMITMENT, 3, 4, seed
        )


@pytest.mark.parametrize(
    "commitment",
    [
        COMMITMENT,
        "Ping <@U123> & <!channel> *before* the _release_ > 5pm",
        "Use {braces} and {c} and %s and {0}",
        "Two\nlines, trailing space ",
        "Ask Zoë 🙂 about the runbook",
        "",
    ],
)
def test_commitment_is_included_verbatim(commitment: str) -> None:
    for kind in KINDS:
        for seq, total in ((0, 1), (0, 4), (2, 4), (3, 4)):
            for seed in range(6):
                text = checkin_text(kind, commitment, seq, total, seed)
                assert f"“{commitment}”" in text


def test_commitment_is_not_escaped() -> None:
    text = checkin_text("followup", "a < b & c > d", 0, 1, 0)
    assert "a < b & c > d" in text
    assert "&amp;" not in text and "&lt;" not in text


def test_negative_seed_is_fine() -> None:
    assert checkin_text("support", COMMITMENT, 0, 1, -1) == checkin_text(
        "support", COMMITMENT, 0, 1, 2
    )


@pytest.mark.parametrize(
    ("kind", "seq", "total", "message"),
    [
        ("nudge", 0, 1, "unknown check-in kind"),
        ("followup", -1, 4, "negative"),
        ("followup", 0, 0, "at least 1"),
    ],
)
def test_checkin_text_rejects_bad_arguments(kind: str, seq: int, total: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        checkin_text(kind, COMMITMENT, seq, total, 0)


def test_answered_lines() -> None:
    assert answered_text("done") == "Marked done — nice work."
    assert answered_text("working") == "Still working on it — that counts."
    assert answered_text("let_go") == "Let go — that's a fine choice too."
    assert answered_text("note").startswith("Note saved")
    assert answered_text("snoozed", "Tue 9 Jun, 09:00") == (
        "Snoozed until Tue 9 Jun, 09:00. I'll check back then."
    )
    assert answered_text("snoozed").startswith("Snoozed")
    assert "until" not in answered_text("snoozed")


def test_answered_lines_are_short_and_distinct() -> None:
    lines = [answered_text(r) for r in RESPONSES]
    assert len(set(lines)) == len(RESPONSES)
    assert all(len(line) <= 60 for line in lines)


def test_answered_text_rejects_unknown_response() -> None:
    with pytest.raises(ValueError, match="unknown response"):
        answered_text("skipped")


def test_recap_intro() -> None:
    assert "1 day since" in recap_intro(1)
    assert "1 days" not in recap_intro(1)
    assert "90 days since" in recap_intro(90)
    assert "done or let go" in recap_intro(90)
    assert "day" not in recap_intro(0)
    assert "done or let go" in recap_intro(0)


def test_recap_intro_rejects_negative_days() -> None:
    with pytest.raises(ValueError, match="negative"):
        recap_intro(-1)
