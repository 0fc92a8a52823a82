"""The blameless check on what whole write-ups (batches AO-AV) showed it reading wrong:

* certainty about now is not hindsight: "obviously", "clearly" and "is obvious" flag only
  a clause that tells of the past ("Obviously the graph was red"), never one about the
  present ("This clearly isn't working", "clearly, English is my second language"), and an
  opening "Obviously," set off by a comma comments on the telling, unless what follows
  judges someone's step;
* the writer's own "I could have made it more interesting" is the lesson the reflection
  asks for, a better way told; "I could've been calmer" and anyone else's "could have"
  still flag;
* a rated word after a modal or "to" is a verb, not a label ("things that would pique
  students' interest"), and "Why would you want to use these tools?" asks what they are
  for;
* verdicts it missed: the writer as the root cause in the present ("I know I am the root
  cause"), responsibility taken for a mistake ("I am personally responsible for a huge
  mistake"), a verdict on oneself as a whole ("Needless to say I failed", "I failed as a
  teacher", "my failings were many"), anger at oneself, "snarky", "the offending
  developer", "he had no business being mean" and "he was in the wrong" (never "we had
  no business ...", the team owning a choice, nor "in the wrong place");
* what was done to the writer, told in the passive with no one named, is an account of
  what happened ("I was yelled at", "I was told I was a liar", "this was deemed
  unprofessional"), as a penalty told is; "I was yelled at by my manager" names who did
  it, and "they did their work" is their own work, not someone else's done for them;
* a surprise ("I didn't even think that ...") and a practice's purpose ("practice to stay
  alert") are left alone; "I was naive", "My error here was missing ..." and "the worst
  shell script I've ever seen" are verdicts;
* "have" with its object before it is to possess ("what skills people ought to have"), and
  "fool you" is the verb.

The sentences are our own, shaped after what the published write-ups held.
"""

from __future__ import annotations

import pytest

from bot.language.blameless import RULES, Severity, check, evaluation, judges
from tests.unit.blameless_cases import assert_quiet, assert_warned

WARNED = [
    ("Obviously the graph was red.", "Obviously"),
    ("He continued the checklist, but clearly was disorganized.", "clearly"),
    ("Bob should have checked the config. Obviously.", "should have"),
    ("I know I am the root cause of the incidents.", "root cause"),
    ("I'm the root cause of the outage.", "root cause"),
    ("I am personally responsible for a huge mistake.", "responsible for a huge mistake"),
    ("Needless to say I failed.", "I failed"),
    ("I failed as a teacher.", "I failed"),
    ("In retrospect my failings were many.", "my failings"),
    ("I was furious with myself for forgetting what I had done.", "furious with myself"),
    ("He was snarky about it.", "snarky"),
    ("I could've been calmer.", "could've"),
    ("I could have been more careful.", "could have"),
    ("I do hate lazy developers.", "lazy developers"),
    ("He should have, but he didn't.", "should have"),
    ("He is a fool.", "fool"),
    ("He could have made it more interesting.", "could have"),
    ("Obviously, he should have known better.", "Obviously"),
    ("Why would you push on a Friday?", "Why would you"),
    ("He had no business being mean to another person.", "no business"),
    ("He was obviously in the wrong.", "in the wrong"),
    ("The offending developer never apologised.", "offending developer"),
    ("I was yelled at by my manager.", "yelled at"),
    ("He yelled at me in front of the team.", "yelled at"),
    ("I told them I was an idiot.", "idiot"),
    ("I've had to do his work for months.", "do his work"),
    ("He failed to restart the workers.", "failed to"),
    ("We forgot to renew the certificate.", "forgot to"),
    ("He didn't even think about the consequences.", "didn't even think"),
    ("I was naive.", "naive"),
    ("My error here was missing that he had no time.", "My error here was missing"),
    ("It was the worst shell script I've ever seen.", "worst shell script"),
]

QUIET = [
    "This clearly isn't working.",
    "I moved here when I was six and, clearly, English is my second language.",
    "Obviously it makes sense that my first job was as a stand-in teacher.",
    "The new node is up, but clearly not stable.",
    "Maybe it is obvious to her what is meant.",
    "We don't know the root cause yet.",
    "He was going to say I failed.",
    "I failed over the database to the replica.",
    "The failings of the old process were many.",
    "Don't be angry with yourself.",
    "After the session I felt I could have made it more interesting.",
    "I could have gone more quickly through the basics.",
    "Pick examples that would pique students' interest.",
    "Obviously, they were going to find out at some point, so I told someone.",
    "Why would you want to use these tools?",
    "We had no business running that migration on a Friday.",
    "Students who had no business being there filled the hall.",
    "He was in the wrong place at the wrong time.",
    "The offending commit was reverted.",
    "I was told I was a liar and a fraud.",
    "At some point, I was pulled into a room and yelled at.",
    "This was the only time in my career I was literally yelled at.",
    "I was humiliated.",
    "This was deemed unprofessional.",
    "My managers considered it unprofessional to release an incomplete app.",
    "They did their work until now assuming it would be like any other site.",
    "I didn't even think that comments could be this confusing.",
    "We would train and practice to stay alert.",
    "The naive implementation scanned the whole table.",
    "My error was a typo in the config.",
    "We are still working out what skills people ought to have, let alone how to test them.",
    "Survivor bias will easily fool you into thinking your teaching worked.",
]


@pytest.mark.parametrize(("text", "phrase"), WARNED)
def test_hindsight_and_a_verdict_on_oneself_or_others_is_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", QUIET)
def test_certainty_about_now_and_a_lesson_of_ones_own_are_left_alone(text: str) -> None:
    assert_quiet(text)


def test_a_vague_promise_to_stay_alert_is_still_a_note() -> None:
    flags = check("We need to stay alert.")
    assert [(flag.rule, flag.severity) for flag in flags] == [("vague-action", Severity.NOTE)]


def test_the_normative_judge_reads_its_last_frames_by_index() -> None:
    (normative,) = [rule for rule in RULES if rule.rule == "normative"]
    assert normative.patterns[judges._NO_BUSINESS].search("he had no business being rude")
    assert normative.patterns[judges._OTHERS_WORK].search("I had to do his work")


@pytest.mark.parametrize(
    "text", ["I know I was the root cause of the outage.", "I'm the root cause of the outage."]
)
def test_the_writer_as_the_root_cause_is_told_as_their_own(text: str) -> None:
    (flag,) = check(text)
    assert (flag.rule, flag.title) == ("root-cause", "Yourself as the root cause")
    assert flag.reframe.startswith("Tell the step you took")


def test_a_claim_of_one_cause_keeps_its_title() -> None:
    (flag,) = check("The root cause was a stale DNS entry, the only cause.")
    assert (flag.title, flag.severity) == ("Single root cause", Severity.NOTE)


def test_a_subject_phrase_is_read_back_over_its_determiners_its_included() -> None:
    # "one of its engineers": the head chain steps over "its" to "of", then "one"
    assert evaluation._head_chain(["one", "of", "its", "engineers", "royally"], 3) == [3, 0]
