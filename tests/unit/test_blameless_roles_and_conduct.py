"""The blameless check on blame aimed at roles and on conduct judged, each caught by a
general shape rather than a document's phrase:

* blame laid on a role or a group: the fault owned by a role, including the words a
  label leaves out because they also modify things ("the tech's fault", "the team's
  fault"), and blame put on a role ("he blamed the developers", "the outage was blamed
  on the contractor");
* conduct or craft judged, which only people have: a word for how a person treats
  others before "behavior" or "attitude" ("that bit of toxic behavior", "his ill
  behavior", "I find this behavior extremely disrespectful"), and poor work before a
  person's craft ("poor quality workmanship", "a poor work ethic").

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
