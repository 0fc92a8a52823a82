"""The blameless check on classes of blame the dev corpus held and the check missed,
each caught by a general shape rather than a document's phrase:

* idioms of self-blame, a verdict on the one who acted rather than the step ("I jumped
  the gun", "I fell for it", "the traps I fell into", "in over my head", "mea culpa",
  "I f-ed up");
* words that judge a person's character and that the rated lexicon lacks or sets aside
  by their ending, after a copula with a person as subject ("he seemed oblivious", "I
  was downright brash", "he was irritating to everyone");
* the "even" of someone else's act beyond the checks already read ("he didn't even wear
  gloves", "she didn't even have the decency to tell me", "you didn't even wait for the build").

Each class has twins a guide would leave alone, which must stay quiet: the idiom
negated, said of a system, quoted or reported, and the blameless reframe itself. The
sentences are our own, shaped after what the published write-ups held.
"""

from __future__ import annotations

import pytest

from tests.unit.blameless_cases import assert_quiet, assert_warned

SELF_BLAME_IDIOMS = [
    ("Yeah, I jumped the gun on the 1.0 tag.", "I jumped the gun"),
    ("He had jumped the gun and merged before the review.", "jumped the gun"),
    ("The shop was busy, I was tired, and I fell for it.", "I fell for it"),
    ("I fell into the trap of fixing the first thing I saw.", "fell into the trap"),
    ("It surprised me how many classic traps I fell into.", "traps I fell into"),
    ("I was straight out of school and in over my head.", "in over my head"),
    ("Undoing an accidental change to the migration. Mea culpa.", "Mea culpa"),
    ("D'oh! Neither call returns anything.", "D'oh"),
    ("This is the story of how I f-ed up.", "I f-ed up"),
]

SELF_BLAME_IDIOMS_QUIET = [
    # the step itself, told plainly: what the accountability screen asks for
    "I tagged 1.0 before the last review had finished.",
    "I clicked the link in the email and entered my password.",
    # negated, reported, quoted
    "I was not in over my head; the runbook covered every step.",
    "She said I had jumped the gun, and we talked it through.",
    'The ticket title read "I fell for it" and held nothing else.',
    # a system or a thing as the subject
    "The scheduler jumped the gun and retried before the lock was free.",
    "The retry loop fell into a tight cycle and pinned the CPU.",
    "The water was in over the top of the tank.",
    # the blameless reframe itself
    "Anyone could fall for a message that well made; the filter should have caught it.",
    "The build was fixed up by the next run.",
]


CHARACTER_WORDS = [
    ("He seemed oblivious to the students scrambling to keep up.", "oblivious"),
    ("I was downright brash about my skills back then.", "brash"),
    ("He was irritating to most of the people around him.", "irritating"),
    ("By the end of the call she was completely hysterical.", "hysterical"),
    ("The new hire is very opinionated for a newbie.", "opinionated"),
    ("Honestly, the two contractors were culpable.", "culpable"),
]

CHARACTER_WORDS_QUIET = [
    # a system or a thing as the subject
    "The scheduler seemed oblivious to the lock the other job held.",
    "The beeping was irritating, so we muted the rack alarm.",
    "The old API was clumsy and easy to call with the wrong flag.",
    "The linter is very opinionated about imports.",
    # negated, reported, supposed
    "He was not oblivious at all; he had asked about the lock twice.",
    "She said he was hysterical, but the recording shows a calm voice.",
    "If I seemed brash in the review, I want to know.",
    # the blameless reframe itself
    "No one was culpable; the alert went to a channel nobody watched.",
]


EVEN_ACTS = [
    ("Most of the time he didn't even wear gloves.", "didn't even wear"),
    ("She didn't even have the decency to tell me.", "have the decency"),
    ("He never even opened the runbook before paging me.", "never even opened"),
    ("You didn't even wait for the build to finish.", "didn't even wait"),
]

EVEN_ACTS_QUIET = [
    # what a person could not have known, or had no time for
    "He didn't even notice the page; it went to an old number.",
    "She didn't even have time to read the alert before the disk filled.",
    # the team, a vendor or users as the subject; a system
    "We didn't even try the failover, because the runbook said not to.",
    "Users didn't even notice the outage.",
    "The job didn't even run, because the cron entry was commented out.",
    # negated, reported
    "It's not that he didn't even wear gloves; the box was empty.",
    "She said he never even tested it, but the logs show two test runs.",
]


@pytest.mark.parametrize(("text", "phrase"), SELF_BLAME_IDIOMS)
def test_an_idiom_of_self_blame_is_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", SELF_BLAME_IDIOMS_QUIET)
def test_the_step_told_plainly_or_the_idiom_negated_reported_or_of_a_system_is_left_alone(
    text: str,
) -> None:
    assert_quiet(text)


@pytest.mark.parametrize(("text", "phrase"), CHARACTER_WORDS)
def test_a_character_word_the_rated_lexicon_lacks_is_flagged_on_a_person(
    text: str, phrase: str
) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", CHARACTER_WORDS_QUIET)
def test_the_same_word_on_a_system_or_negated_reported_or_supposed_is_left_alone(
    text: str,
) -> None:
    assert_quiet(text)


@pytest.mark.parametrize(("text", "phrase"), EVEN_ACTS)
def test_the_even_of_someone_elses_act_is_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", EVEN_ACTS_QUIET)
def test_what_no_one_could_know_or_the_team_vendor_or_a_system_did_is_left_alone(
    text: str,
) -> None:
    assert_quiet(text)
