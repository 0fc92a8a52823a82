"""The blameless check on blame aimed at roles and on conduct judged, each caught by a
general shape rather than a document's phrase:

* blame laid on a role or a group: the fault owned by a role, including the words a
  label leaves out because they also modify things ("the tech's fault", "the team's
  fault"), and blame put on a role ("he blamed the developers", "the outage was blamed
  on the contractor");
* conduct or craft judged, which only people have: a word for how a person treats
  others before "behavior" or "attitude" ("that bit of toxic behavior", "his ill
  behavior", "I find this behavior extremely disrespectful"), and poor work before a
  person's craft ("poor quality workmanship", "a poor work ethic");
* someone else's slips counted or weighed ("she had made a few crucial mistakes", "my
  coworker (hired a year ago) has made numerous mistakes"); the writer's and the team's
  own count is their account, a system's errors its output;
* "cock-up", "balls-up", "foul-up" and "screw-up" as nouns for a slip owned by oneself
  ("my balls-up", a verdict like "I screwed up") or by a person or role ("his cock-up",
  "the contractor's balls-up"), and "a screw-up" as a label for a person.

Each class has twins a guide would leave alone, which must stay quiet: negated, a
system as the target, quoted or reported, the blameless reframe itself. The sentences
are our own, shaped after what the published write-ups held.
"""

from __future__ import annotations

import pytest

from tests.unit.blameless_cases import assert_quiet, assert_warned

ROLE_BLAME = [
    ("A second attempt to get the injection in (the tech's fault).", "the tech's fault"),
    ("In the end it was the on-call's fault, not the pager's.", "the on-call's fault"),
    ("Honestly, it was the whole team's fault.", "team's fault"),
    ("The tech's mistakes cost us an hour at the bench.", "The tech's mistakes"),
    ("He did what any good leader would do and blamed the developers.", "blamed the developers"),
    ("The outage was blamed on the contractor.", "blamed on the contractor"),
    ("My manager blamed it all on the new intern.", "blamed it all on the new intern"),
    ("The sub commander couldn't be bothered to wait for the divers.", "couldn't be bothered"),
]

ROLE_BLAME_QUIET = [
    # negated, and the blameless reframe itself
    "It wasn't the team's fault; the alert went to an old channel.",
    "This is not the tech's fault, the label on the vial was wrong.",
    "Nobody blamed the developers, and the review found a gap in the checklist.",
    "Instead of blaming the operator, we looked at what the console showed.",
    # a system blamed, or a role's word naming a thing
    "At first we blamed the network, then the load balancer.",
    "The report blamed the admin console for the slow page.",
    "We spent the team's error budget in one afternoon.",
    # reported, supposed, or a relative clause saying which person
    "She said he blamed the developers, but he had not.",
    "If the boss blames the team, people stop reporting near misses.",
    "The same manager who blamed the developers approved the fix.",
    # quoted
    'The ticket was titled "the tech\'s fault" and held nothing else.',
]


@pytest.mark.parametrize(("text", "phrase"), ROLE_BLAME)
def test_blame_laid_on_a_role_or_a_group_is_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", ROLE_BLAME_QUIET)
def test_blame_negated_laid_on_a_system_reported_or_quoted_is_left_alone(text: str) -> None:
    assert_quiet(text)


CONDUCT_JUDGED = [
    ("That one bit of toxic behavior is close to unfixable.", "toxic behavior"),
    ("He never showed he grasped the seriousness of his ill behavior.", "ill behavior"),
    ("It is a reflection of poor quality workmanship.", "poor quality workmanship"),
    ("I find this behavior extremely disrespectful.", "this behavior extremely disrespectful"),
    ("Her attitude was appalling from the first day.", "Her attitude was appalling"),
    ("The plumber had a poor work ethic and it showed.", "poor work ethic"),
]

CONDUCT_JUDGED_QUIET = [
    # a system's behaviour, however bad
    "The cache showed strange behavior under load.",
    "We saw bad behavior from the retry loop after the upgrade.",
    "The crawler's abusive behavior filled the queue.",
    "The default behavior is lazy loading of the relations.",
    "The aircraft attitude was poor during the test flight.",
    # negated, reported, and the blameless reframe itself
    "His behavior was not disrespectful at all; he asked twice.",
    "She said his behavior was rude, and we talked it through.",
    "There was no toxic behavior in the channel; people asked questions.",
    # quoted
    'The thread was titled "toxic behavior" and was locked.',
]


@pytest.mark.parametrize(("text", "phrase"), CONDUCT_JUDGED)
def test_conduct_or_craft_judged_is_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", CONDUCT_JUDGED_QUIET)
def test_a_systems_behaviour_or_conduct_negated_reported_or_quoted_is_left_alone(
    text: str,
) -> None:
    assert_quiet(text)


SLIPS_COUNTED = [
    ("However, she had made a few crucial mistakes in our bookkeeping.", "made a few crucial"),
    ("My coworker has made numerous mistakes in his work.", "made numerous mistakes"),
    ("My coworker (hired a year ago) has made numerous mistakes.", "made numerous mistakes"),
    ("The contractor made several costly mistakes on the wiring.", "made several costly"),
]

SLIPS_COUNTED_QUIET = [
    # the writer's and the team's own account
    "I made several mistakes during the rollout, and the list is below.",
    "We made a few mistakes in the migration plan.",
    # a system's output, however many errors
    "The parser made several mistakes on nested lists.",
    "The model makes numerous errors on long inputs.",
    "The parser (version 2) has made several mistakes on nested lists.",
    # negated, reported, supposed, and the blameless reframe itself
    "He (the new hire) never made any serious mistakes in the handover.",
    "She said he made numerous mistakes, but the logs disagree.",
    "If the intern makes a few mistakes, the review catches them.",
    "You will make some mistakes, and that is how the checks get better.",
    "Everyone makes a few mistakes; the checklist should catch them.",
]


@pytest.mark.parametrize(("text", "phrase"), SLIPS_COUNTED)
def test_someone_elses_slips_counted_or_weighed_are_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", SLIPS_COUNTED_QUIET)
def test_ones_own_slips_a_systems_or_slips_negated_reported_or_supposed_are_left_alone(
    text: str,
) -> None:
    assert_quiet(text)


SLIP_NOUNS = [
    ("It was my balls-up, plain and simple.", "my balls-up"),
    ("That was my foul-up, and I fixed it the same night.", "my foul-up"),
    ("His cock-up took the site down for an hour.", "His cock-up"),
    ("The contractor's balls-up cost us a day.", "The contractor's balls-up"),
    ("The new guy was a complete screw-up.", "was a complete screw-up"),
]

SLIP_NOUNS_QUIET = [
    # a slip with no one owning it, or a system's
    "There was a foul-up in the DNS config after the move.",
    "The release was a cock-up from start to finish; the checklist is below.",
    "The deploy was a screw-up by the scheduler, which ran both jobs.",
    # negated, reported, quoted
    "It was not my balls-up; the script ran twice.",
    "She said it was his cock-up, and we went through the timeline together.",
    'The commit was titled "my foul-up" and reverted the change.',
]


@pytest.mark.parametrize(("text", "phrase"), SLIP_NOUNS)
def test_a_slip_noun_owned_by_oneself_or_a_person_is_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", SLIP_NOUNS_QUIET)
def test_a_slip_noun_unowned_of_a_system_negated_reported_or_quoted_is_left_alone(
    text: str,
) -> None:
    assert_quiet(text)
