"""The blameless check on who the subject is, the writer's own voice, and questions that
judge: what a fresh batch of write-ups (batch AI) and the older dev misses held.

* a subject that is a relative clause about a person ("whoever built those shelves could
  have ...", "the engineer who approved it should have ...") or a person named by a trade
  ("a smarter reporter would have ...");
* a thought the writer has about themself ("I think I should have known"), while "I think
  we should have ..." stays a hedge;
* a wish with a person named by a role ("had the trainer been paying attention", "if my
  manager had called"), a fault "of the manager", people "let down", damage weighed by its
  verb ("I wrecked the build"), a person called "plain wrong", "no excuses", a penalty
  dealt to oneself ("I kicked myself"), competence denied ("no idea what he was doing"), a
  person grown "complacent", "nobody ever actually told me", a role such as "the dude";
* questions that judge a person: "WHAT DID YOU DO", "who does she think she is", "is it
  so hard to ...?".

Each has a twin a guide would leave alone (a system, a passive, the team's own hedge, a
question the text goes on to answer), which must stay quiet. The sentences are our own,
shaped after what the published write-ups held.
"""

from __future__ import annotations

import pytest

from bot.language.blameless import check
from tests.unit.blameless_cases import assert_quiet, assert_warned

WARNED = [
    # who the subject is
    ("Whoever signed off on that schema could have stopped it.", "could have"),
    ("The engineer who approved the change should have tested it.", "should have"),
    ("A careful bookkeeper would have caught the typo.", "would have"),
    # the writer's own thought about themself
    ("Looking back, I think I should have known that.", "should have known"),
    # a wish with a person named by a role
    ("Had the nurse been checking the chart, the dose would have stood out.", "Had the nurse"),
    ("None of it needed to happen if my manager had phoned the night shift.", "if my manager"),
    # fault, people let down, damage weighed, a person called wrong
    ("In the end it was the fault of the night-shift operator.", "fault of the night-shift"),
    ("I let our readers down with that headline.", "I let our readers down"),
    ("That was the night I wrecked the whole build farm.", "I wrecked the"),
    ("Frankly, she was just wrong, and the logs show it.", "she was just wrong"),
    # verdicts and penalties
    ("There are no excuses for losing a patient's chart.", "no excuses"),
    ("I beat myself up for a week over that typo.", "beat myself"),
    ("The new hire had no idea what he was doing.", "no idea what he was doing"),
    ("After a year on nights, I got complacent.", "I got complacent"),
    ("Nobody ever actually told me the rota had changed.", "Nobody ever actually told me"),
    ("Then the dude made a typo in the hostname.", "the dude made a typo"),
    # questions that judge a person
    ("MARCO WHAT DID YOU DO", "WHAT DID YOU DO"),
    ("Honestly, who does Priya think she is?", "who does Priya think she is"),
    ("Is it really so hard to label a backup tape?", "Is it really so hard to"),
]

QUIET = [
    # a new clause after the relative one, a thing, the team's hedge, a passive
    "The team who owns the service said that the job should have retried.",
    "A careful design would have caught the typo.",
    "I think we should have seen these errors sooner.",
    "If the engineer had been paged earlier, the outage would have been shorter.",
    # a thing's fault, a load let down, a planned teardown, a belief corrected
    "In the end it was the fault of the firmware.",
    "The crane let the load down slowly onto the truck.",
    "We destroyed the old cluster and rebuilt it from the template.",
    "She was wrong about the cause at first, and said so in the review.",
    # no penalty, a system's state, nobody noticing, a scanner
    "I kicked off the job myself after the freeze ended.",
    "We had no idea what it was doing until we read the logs.",
    "The alerts became noisy, so we raised the thresholds.",
    "Nobody ever actually noticed the slower page.",
    "The bartender's scanner flagged the fake ID.",
    # questions that ask for the story, or that the text answers
    "What did you do next to recover the database?",
    "How hard is it to scale a database? We found out.",
    "Who does the on-call page when the primary fails?",
]


@pytest.mark.parametrize(("text", "phrase"), WARNED)
def test_a_person_as_the_subject_or_a_judging_question_is_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", QUIET)
def test_its_twin_about_a_system_the_team_or_the_story_is_left_alone(text: str) -> None:
    assert_quiet(text)


def test_the_writers_thought_about_themself_gets_the_reframe_addressed_to_them() -> None:
    flags = check("I think I should have waited for the canary.")
    assert [flag.rule for flag in flags] == ["counterfactual"]
    assert flags[0].reframe.startswith("Tell what you actually did")


def test_a_relative_clause_names_its_person_even_after_a_thing() -> None:
    about_a_person = check("Whoever wrote the runbook should have tested the restore.")
    about_the_runbook = check("The runbook that we wrote should have covered the restore.")
    assert [flag.rule for flag in about_a_person] == ["counterfactual"]
    assert about_the_runbook == []
