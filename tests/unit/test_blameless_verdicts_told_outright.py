"""The blameless check on verdicts that whole write-ups (batches AM and AN) told outright
and it missed:

* a counterfactual with a word between "should" and "have" ("I should never have
  accepted", "he should really have asked");
* fault weighed ("my coworker was more at fault") and blame for the event laid on a
  person in the present tense ("developers are also responsible for this bug");
* a person called wrong for what they did ("you are really wrong for not asking");
* labels for a person ("they are psychos") and their standards ("his lax standards");
* a person let go, told as a remedy ("besides getting rid of the developer").

Each has a twin about a system, a design or a fit, which must stay quiet: "responsible
for" and "at fault" with a thing as the subject are how postmortems name a cause.
The sentences are our own, shaped after what the published questions held.
"""

from __future__ import annotations

import pytest

from bot.language.blameless import RULES, judges
from tests.unit.blameless_cases import assert_quiet, assert_warned

WARNED = [
    ("I should never have accepted to have my name on this paper.", "should never have"),
    ("He should really have asked before merging.", "should really have"),
    ("My coworker was more at fault for leaving it where it doesn't belong.", "at fault"),
    ("Developers are also responsible for this bug.", "responsible for this bug"),
    ("The new hire was responsible for the outage.", "responsible for the outage"),
    ("You are really wrong for not asking your coauthor in advance.", "really wrong"),
    ("People who are all over you are psychos.", "psychos"),
    ("I am tired of your co-worker's lax standards.", "lax"),
    ("Besides getting rid of the developer, how can I solve this?", "getting rid of"),
]

QUIET = [
    "We should never have a single point of failure in the payment path.",
    "The load balancer was more at fault than the database.",
    "The cache is responsible for this issue: its keys never expired.",
    "The cache was responsible for the outage.",
    "You are wrong for the job only if you stop asking questions.",
    "Security settings were lax on the old host.",
    "We got rid of the old server last year.",
    "Getting rid of the manual step fixed it.",
    "Their hire date was wrong in the payroll export.",
]


@pytest.mark.parametrize(("text", "phrase"), WARNED)
def test_a_verdict_told_outright_is_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", QUIET)
def test_its_twin_about_a_system_a_design_or_a_fit_is_left_alone(text: str) -> None:
    assert_quiet(text)


def test_the_named_person_judge_reads_responsibility_for_an_event_by_its_index() -> None:
    (named_person,) = [rule for rule in RULES if rule.rule == "named-person"]
    event = named_person.patterns[judges._RESPONSIBLE_FOR_EVENT]
    assert event.search("the intern was responsible for the outage")
    assert not event.search("the intern was responsible for breaking it")
