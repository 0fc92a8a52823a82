"""The blameless check on what a fresh batch of write-ups (AD) held and the check missed:
a person who "hadn't done his job", leaders "shifting the blame onto the workers", the
writer "written up" for a slip or who "didn't listen"; and what it flagged wrongly: a
cause denied ("This wasn't user error"), and (from postmortems, AC) the writing team's
"any one of our team could have upgraded our account". Then two more batches: the
writer's own words told as speech and verdicts on the self (AF), verdicts on the writer's
own slip and a person's attitude judged (AG). Each has a twin that must stay quiet.

The sentences are our own, shaped after what the published write-ups held.
"""

from __future__ import annotations

import pytest

from tests.unit.blameless_cases import assert_quiet, assert_warned

WARNED = [
    ("The copy editor hadn't done his job that night.", "hadn't done his job"),
    ("People who don't do their job and then whine wear me out.", "don't do their job"),
    ("The new leads keep shifting the blame onto the workers.", "shifting the blame onto"),
    ("Rightfully, I was written up for the missed dose.", "I was written up"),
    ("He didn't check the warnings and pushed anyway.", "didn't check"),
    ("Ideally he would have told us before the upgrade.", "would have"),
    # AF
    ("I apologized to the class and told them I had goofed.", "I had goofed"),
    ("Boy do I suck at this job.", "I suck"),
    ("It was my complete idiocy, nothing else.", "idiocy"),
    ("I've pretty much been thrown under the bus by my lead.", "been thrown under the bus"),
    # AG
    ("Deleting every account was my worst production blunder.", "my worst production blunder"),
    ("Big mistake on my part, and I said so.", "mistake on my part"),
    ("I was wrong, and the team paid for it.", "I was wrong"),
    ("What I did wrong was skip the tests.", "I did wrong"),
    ("After a year I got too confident and shipped without tests.", "I got too confident"),
    ("The instructor noticed his poor attitude at once.", "his poor attitude"),
]

QUIET = [
    # the writer's own account of a step not taken: what Setback's "take accountability"
    # screen asks a person to write, never a verdict to reframe
    "I didn't listen to the warnings and pushed anyway.",
    "This wasn't user error. It was a legit bug I could not reproduce.",
    "They do their job well, and the pager rota shows it.",
    "The night shift moved the blame-free review to Tuesday.",
    "I didn't listen to the recording yet, so I cannot say what the caller asked.",
    "The report was written up by the on-call engineer the next morning.",
    # a postmortem (AC): the writing team reasoning about its set-up
    "Ideally any one of our team could have upgraded our account, but only the owner can.",
    # AF: someone else's words, a hedge, an idiom
    "She told me I had goofed, and we laughed about it.",
    "I think we should have seen these alerts, but I am not sure?",
    "I sucked it up and finished the shift.",
    "The old pump would suck in air when the tank ran low.",
    # AG: a thing, a fear, a belief corrected
    "I was wrong about the cache size: it held a day, not an hour.",
    "The model got too confident on noisy data, so we recalibrated it.",
    "My worst fear was losing the data; the backups held.",
    "The config was wrong for staging, and the deploy checked it.",
]


@pytest.mark.parametrize(("text", "phrase"), WARNED)
def test_a_duty_judged_blame_passed_on_or_a_verdict_on_the_self_is_flagged(
    text: str, phrase: str
) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", QUIET)
def test_a_cause_denied_a_plain_account_or_someone_elses_words_are_left_alone(text: str) -> None:
    assert_quiet(text)
