"""The blameless check on whole write-ups: what batches AM to AP (Stack Exchange
questions and blog posts kept whole) showed it flags without cause.

* a yes/no question the writer asks of themself or their team ("Did I screw up?"):
  a doubt put to the reader, not a verdict;
* an embedded question ("you're wondering if you should have spoken up");
* a kind "why do you ...?" about the person's blame of themself ("Why do you blame
  yourself?");
* how the writer fears they come across ("I don't want to come off as unprofessional");
* what a message reports ("my boss messaged me that ... as we forgot to ...");
* the writer's own account of a step not taken ("I did not ask him before submitting
  it"), and the writer reasoning about their own step ("if I had known, ...");
* "would have" as having ("an author would have very little incentive");
* the writer's narrated slip ("I managed to break production"), a slip supposed ("unless
  I missed the cleanup"), and a solution weighed by naming it ("I wouldn't even call it a
  solution");
* a penalty told as what happened ("I was reprimanded", "he got fired"), how easy a fix
  was ("anyone could've done this"), and a belief ("I suspect for engineers, ...").

Each has a twin that still asserts: the verdict given, the question asked of someone
else, the "why did you ...?" that interrogates, the verdict on someone else's look, the
slip told in the writer's own voice. The sentences are our own, shaped after what the
published questions held.
"""

from __future__ import annotations

import pytest

from tests.unit.blameless_cases import assert_quiet, assert_warned

WARNED = [
    # the verdict itself, and the question asked of someone else
    ("I screwed up. What am I supposed to do?", "I screwed up"),
    ("Did he screw up the release again?", "he screw up"),
    ("I was an idiot to push on a Friday.", "was an idiot"),
    ("Honestly, I should have spoken up in the meeting.", "should have"),
    ("He should have tested it before the deploy.", "should have"),
    # the question that interrogates
    ("Why did you push it without a review?", "Why did you"),
    ("Why do you never test your changes?", "Why do you"),
    # a verdict on someone's look, and a worry that still judges someone else
    ("He looks unprofessional in front of the client.", "unprofessional"),
    # the slip told by the writer, and one a colleague's message does not report
    ("We forgot to write the report yesterday.", "forgot to"),
    # the step someone else did not take, and the wish that is still a wish
    ("He didn't test the restore before the upgrade.", "didn't test"),
    ("If only I had checked the branch.", "If only I had checked"),
    ("If he had tested it, we would have caught it.", "If he had tested"),
    # someone else's narrated slip, the slip told, a person's act weighed, hindsight
    ("The intern managed to crash the server.", "managed to crash"),
    ("I missed the cleanup step.", "I missed the cleanup"),
    ("He didn't even call me back.", "didn't even call"),
    # a penalty called for or approved, a wish about someone's act
    ("He should be fired for that.", "be fired"),
    ("Rightfully, I was written up.", "written up"),
    ("They were punished for it, and rightly so.", "punished"),
    ("The manager could've performed better too.", "could've"),
]

QUIET = [
    # yes/no questions of oneself or one's team
    "Did I screw up? What should I do next time?",
    "So did I mess up, or was the ticket unclear?",
    "Am I an idiot for missing it?",
    "Should we have caught it in review?",
    # embedded questions
    "And now you're wondering if you should have spoken up sooner.",
    "I'm not sure whether I should have escalated it.",
    # the kind why-question
    "Why do you blame yourself? It took six months to show up.",
    "Why do you feel so guilty about a bug nobody caught for months?",
    # a worry about coming across
    "I don't want to come off as cocky/unprofessional in this case.",
    "I'm afraid I'll seem incompetent if I ask again.",
    # reported in a message
    "My boss messaged me that I have to write the report as we forgot to write it yesterday.",
    "She emailed me that I should have checked the totals.",
    # the writer's own account and reasoning, and "would have" as having
    "I did not ask him before submitting it.",
    "I did not tell my professor about this project.",
    "If I had known, I would have waited for the freeze.",
    "I think an author would have very little incentive to correct it.",
    # the writer's narration, a supposition, a naming
    "I managed to break production several times in a row.",
    "A memory leak - unless I missed the cleanup.",
    "I wouldn't even call it a good enough solution.",
    # a penalty told, an easy fix, a belief
    "Indeed, I was reprimanded and praised simultaneously.",
    "The next week he got fired, and the team moved on.",
    "Anyone could've done this.",
    "But I suspect for engineers, smaller releases are preferred.",
]


@pytest.mark.parametrize(("text", "phrase"), WARNED)
def test_a_verdict_or_an_interrogation_is_still_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", QUIET)
def test_a_question_asked_of_oneself_a_worry_or_a_message_reported_is_left_alone(
    text: str,
) -> None:
    assert_quiet(text)
