"""The blameless check on slips, habits and doubts about a person: what batch AK (software
and operations threads) and the older dev misses held.

* attention denied with degree words between ("wasn't paying close enough attention");
* competence denied with a contraction ("he doesn't really know what he's doing") or as
  knowledge denied ("he doesn't know anything about ..."), and a person called bad at a
  task ("the previous developer was really bad at documenting things");
* the writer's fault with an intensifier ("my big fault");
* a person's habit of skipping the check on their own work ("Nex doesn't test their
  code"), and someone's act weighed as waste ("you completely wasted the period", "for
  wasting my time");
* a person's diligence doubted as a question ("Have you ever tested the code?", "How does
  he not know that?").

Each has a twin about a system, the team's own account, a negation or a plain question,
which must stay quiet. The sentences are our own, shaped after what the published
threads and posts held.
"""

from __future__ import annotations

import pytest

from bot.language.blameless import RULES, judges
from tests.unit.blameless_cases import assert_quiet, assert_warned

WARNED = [
    # attention and competence
    ("I wasn't paying close enough attention to the branch name.", "paying close enough"),
    ("The thing is, he doesn't really know what he's doing.", "know what he's doing"),
    ("He doesnt know anything about rebasing or remotes.", "know anything about"),
    ("The previous developer at the agency was really bad at documenting things.", "bad at"),
    ("Honestly, she's hopeless at reading the logs.", "hopeless at reading"),
    # the writer's own fault
    ("Oh my, it is my big fault.", "my big fault"),
    # habits and waste
    ("Nex doesn't test their code.", "doesn't test their code"),
    ("He never reviews his changes before merging.", "never reviews his changes"),
    ("You completely wasted the notice period we gave.", "wasted"),
    ("My manager scolded me for wasting my time on it.", "for wasting my time"),
    # doubts as questions
    ("Have you ever tested the code?", "ever tested the code?"),
    ("Did he even run it?", "even run it?"),
    ("There are six servers. How does he not know that?", "How does he not know"),
]

QUIET = [
    # a thing, a tool, the team, a negation
    "The dashboard got little attention during the migration.",
    "The script doesn't really know what it's doing with symlinks.",
    "The script doesn't know anything about the cache.",
    "I don't know anything about Kubernetes yet, so I asked.",
    "Postgres is really bad at handling many small connections.",
    "We were bad at documenting things, so we added a template.",
    "The driver is bad at handling retries.",
    # the team's fault and apology, an inconvenience, a team's misreading, a negation
    "This was our big fault as a team.",
    "We're sorry for the mistake and have added a check.",
    "Sorry for the inconvenience while the mirror syncs.",
    "We misread the graph at first.",
    "I never misread a comment on that board.",
    # the writer's own account of a step, and an apology: what Setback's "take
    # accountability" screen asks a person to write, never a verdict to reframe
    "Sorry for a mistake in the release notes.",
    "I'm so sorry for this mistake.",
    "I misread the last comment and went ahead with the deploy.",
    "It turned out I had mis-keyed one digit of the account.",
    "I misconfigured the load balancer, and traffic dropped for ten minutes.",
    # the team's gap, a tool's design, the team's pace
    "We don't test our code on Windows yet.",
    "The linter doesn't check their code style.",
    "It's not that he doesn't test his code.",
    "We wasted no time restoring the backup.",
    # plain questions, the team asking itself, a thing asked about
    "Have you ever tested the code on ARM?",
    "How did we not notice the disk filling up?",
    "How does the cache not know that?",
]


@pytest.mark.parametrize(("text", "phrase"), WARNED)
def test_a_slip_a_habit_or_a_doubt_about_a_person_is_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", QUIET)
def test_its_twin_about_a_tool_the_team_or_a_plain_question_is_left_alone(text: str) -> None:
    assert_quiet(text)


def test_the_normative_judge_reads_the_habit_frame_by_its_index() -> None:
    (normative,) = [rule for rule in RULES if rule.number == 7]
    habit = normative.patterns[judges._SKIPPED_CHECK]
    assert habit.search("Nex doesn't test their code")
    assert not habit.search("We don't test our code")
