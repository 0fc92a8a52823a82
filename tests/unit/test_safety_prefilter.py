"""The crisis screen's prefilter (`bot.language.safety`): a phrase's search is skipped
only when the text lacks a string every match of it holds, so skipping never costs a catch —
for every phrase, in every form its alternatives allow, in letters IGNORECASE folds,
and on every line of the real documents in the blameless corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language.safety import CRISIS_PATTERNS, _normalise, screen

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus" / "texts"

# (index of the phrase in CRISIS_PATTERNS, a text it catches): every phrase, and the
# forms of it whose words differ.
EXAMPLES = [
    (0, "I keep thinking about suicide."),
    (0, "\u017fuicidal thoughts again"),  # long s: IGNORECASE reads it as s
    (1, "some days I want to unalive"),
    (2, "I want to kill myself"),
    (2, "they talked about killing themselves"),
    (2, "I want to k\u0131ll myself"),  # dotless i
    (2, "I want to \u212aill myself"),  # Kelvin sign
    (3, "I'm thinking of taking my own life."),
    (3, "I could end my life"),
    (4, "Sometimes I want to end it all."),
    (4, "ending it all seems easier"),
    (5, "I want it all to end"),
    (5, "I wanted my life to end"),
    (6, "I just want to die."),
    (6, "I wanna die"),
    (7, "I wish I was dead."),
    (7, "she wished they were dead"),
    (8, "I wish I had never been born"),
    (8, "I wish I never existed"),
    (9, "I'd be better off dead."),
    (9, "I'd rather be dead"),
    (10, "Honestly I'd rather die."),
    (11, "Everyone would be better off without me."),
    (11, "the world is better off without me"),
    (12, "I don't want to live"),
    (12, "I didn't want to wake up"),
    (13, "I don't want to be here anymore."),
    (13, "I do not want to be around any longer"),
    (14, "I will not be here any more"),
    (14, "never being around any longer"),
    (15, "I hope I don't wake up."),
    (15, "I wish I never wake up"),
    (16, "I want to go to sleep and never wake up"),
    (17, "There's no reason to live if I lose this job."),
    (17, "there is no point in going on"),
    (18, "I have nothing left to live for."),
    (19, "Life isn't worth living."),
    (19, "living is no longer worth it"),
    (20, "it's not worth living"),
    (21, "I can't go on."),
    (21, "I cannot go on like this"),
    (22, "I'm so tired of living."),
    (22, "sick of life"),
    (23, "I'm done with life"),
    (24, "I'm giving up on life"),
    (24, "she gave up on living"),
    (25, "I keep thinking about hurting myself."),
    (25, "they cut themselves"),
    (25, "stop harming yourself"),
    (26, "I've started self-harming again."),
    (26, "selfharm"),
    (27, "I could hang myself"),
    (27, "I've been starving myself"),
    (28, "I thought about slitting my wrists"),
    (29, "I might take an overdose"),
    (30, "I overdosed on pills once"),
    (31, "I thought about jumping off a bridge"),
    (32, "I'm a burden to everyone."),
    (32, "I am burden on my family"),
]


def _unfiltered(text: str) -> bool:
    normalised = _normalise(text)
    return any(pattern.search(normalised) for pattern in CRISIS_PATTERNS)


def test_every_phrase_has_an_example() -> None:
    assert {i for i, _text in EXAMPLES} == set(range(len(CRISIS_PATTERNS)))


@pytest.mark.parametrize("index, text", EXAMPLES)
def test_each_phrase_in_each_of_its_forms_is_still_caught(index: int, text: str) -> None:
    assert CRISIS_PATTERNS[index].search(_normalise(text)), "the example must be this phrase"
    assert screen(text)
    assert screen(text.upper())


def test_on_real_documents_the_prefilter_never_changes_an_answer() -> None:
    lines = [line for path in sorted(CORPUS.iterdir()) for line in path.read_text().splitlines()]
    assert len(lines) > 10_000
    differing = [line for line in lines if screen(line) != _unfiltered(line)]
    assert differing == []
