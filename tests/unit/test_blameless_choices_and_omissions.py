"""The blameless check on choices judged, acts done without a check, and people named by
their trade or left out of the sentence: what batch AJ and the older dev misses held.

* people named by their trade (a roofer, a bank teller, a referee), and a superlative that
  ranks one at the bottom of it ("the worst bank teller");
* a gerund whose doer is left out ("payback for being a smartass", "called out for
  committing broken code"), read as the person the clause penalises;
* an act done without the check or the word to others ("somebody merged without running
  the tests"), an effort weighed as too little ("he didn't bother to"), broken work pushed;
* a person's choice judged ("made the wrong call", "his bad calls", "gave terrible
  advice"), fitness denied ("should never be allowed to"), the writer's expectation held
  up to a person ("I do not expect my plumber to ...");
* why-questions told without inversion ("why this woman couldn't have called me"), slips
  told as a habit ("kept messing up orders"), the story of what someone did to others
  ("started the blame game", "blew me off", "exploded in my face"), the writer's own slip
  weighed ("my most magnificent fuck up", "my mediocre career") and someone still counted
  among those to blame ("isn't the only one to blame").

Each has a twin about a system, the team's own account, a rule for everyone, or a
negation, which must stay quiet. The sentences are our own, shaped after what the
published write-ups held.
"""

from __future__ import annotations

import pytest

from bot.language.blameless import RULES, check, judges
from tests.unit.blameless_cases import assert_quiet, assert_warned

WARNED = [
    # trades and superlatives
    ("Why did the roofer not put a tarp over the shed?", "Why did the roofer"),
    ("I might have been the worst bank teller in the branch's history.", "worst bank teller"),
    # a doer left out of a gerund
    ("He got a month of night shifts as payback for being a smartass.", "being a smartass"),
    ("He got called out for committing broken untested code.", "committing broken untested code"),
    # acts done without a check, efforts weighed, broken work
    ("Somebody merged without running the test suite first.", "merged without running"),
    ("The new developer had pushed files without letting anyone know.", "without letting"),
    ("Then she pushed buggy changes on a Friday night.", "pushed buggy changes"),
    # choices judged, fitness denied, expectations held up
    ("The officials made the wrong call twice in overtime.", "made the wrong call"),
    ("Chip McDonald made the wrong call at the blue line.", "made the wrong call"),
    ("That penalty was one more of his bad calls.", "his bad calls"),
    ("My tax preparer gave terrible advice about the deduction.", "gave terrible advice"),
    ("Frankly, I should not be allowed to run the exam room.", "should not be allowed to"),
    ("I do not expect my plumber to leave offcuts on the floor.", "I do not expect my plumber"),
    ("I expect him to clean up after himself.", "I expect him to"),
    # questions, habits, stories of what was done to others
    ("Why this woman couldn't have just called me, I'll never know.", "Why this woman couldn't"),
    ("One of the cashiers kept messing up orders all lunch.", "kept messing up"),
    ("When the tables were lost, he started with the blame game.", "started with the blame game"),
    ("When I brought up the ground wire, the dude kind of blew me off.", "blew me off"),
    ("He called me over and just exploded in my face.", "exploded in my face"),
    # the writer's own slip weighed, blame widened
    ("The chef stayed calm, and it was my most magnificent fuck up.", "magnificent fuck up"),
    ("Twenty years into my mediocre career, I still mix up the forms.", "my mediocre career"),
    ("Dana, who isn't the only one to blame, skipped the second count.", "the only one to blame"),
]

QUIET = [
    # a thing, an event
    "Why did the roof not hold the tarp in the storm?",
    "It was the worst outage in the branch's history.",
    "The old router is known for being slow.",
    "She never once made me feel bad for making a mistake.",
    # the team's account, a system's act
    "We merged without running the full suite, as the runbook allows for docs.",
    # the writer's own account of the step: what the accountability screen asks for
    "I merged the change without running the migration check.",
    "I deployed without checking the dashboard first.",
    "I pushed untested code to the branch before the demo.",
    "The job ran without checking the exit code.",
    "The bot pushed broken commits to a scratch branch.",
    # the team's choice, a system's output, a rule for everyone, a contract
    "We made the wrong call on the rollback, and the review says why.",
    "The classifier made bad calls on short messages.",
    "Developers should not be allowed to push to main without review.",
    "We expect clients to retry after a 503.",
    "I expected Kubernetes to restart the pod.",
    # an explanation, a machine's habit, stories of things
    "This explains why the job didn't retry.",
    "The new scanner kept messing up orders all lunch.",
    "We agreed to keep the blame game out of the review.",
    "The wind blew them off the roof overnight.",
    "The battery exploded in my face.",
    # software named like a trade: Chef, a data mover, a painter that draws
    "Chef failed to apply the cookbook on two nodes.",
    "The data mover should have retried the copy.",
    "The painter forgot to flush the canvas cache.",
    # nothing weighed, a thing not counted among people
    "Twenty years into my old career, I still mix up the forms.",
    "The config is not the only one to blame.",
]


@pytest.mark.parametrize(("text", "phrase"), WARNED)
def test_a_choice_judged_or_an_act_done_without_a_check_is_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", QUIET)
def test_its_twin_about_a_system_the_team_or_a_rule_is_left_alone(text: str) -> None:
    assert_quiet(text)


def test_a_person_who_did_not_bother_is_named_as_the_doer_and_a_program_gets_the_omission() -> None:
    by_a_person = check("He didn't bother to pick up the offcuts.")
    by_a_program = check("The installer didn't bother to ask for a path.")
    assert [flag.rule for flag in by_a_person] == ["named-person"]
    assert [flag.rule for flag in by_a_program] == ["omission"]


def test_the_judges_read_the_frames_they_were_written_for_by_their_index() -> None:
    (normative,) = [rule for rule in RULES if rule.number == 7]
    (why_you,) = [rule for rule in RULES if rule.number == 12]
    choices = [normative.patterns[index] for index in sorted(judges._CHOICE_JUDGED)]
    assert choices[0].search("the officials made the wrong call")
    assert choices[1].search("one more of his bad calls")
    assert normative.patterns[judges._NOT_ALLOWED].search("he should never be allowed to")
    assert why_you.patterns[judges._UNINVERTED_WHY].search("Why this woman couldn't call")
