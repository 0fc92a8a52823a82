"""The blameless check on what fresh batches of write-ups held and the check missed:
verdicts a writer passes on themself ("what is wrong with me", "disgusted with myself"),
a mistake named a "colossal foul-up", the writer as the cause ("I caused the outage"),
someone who "let the team down", a toxic colleague or a clumsy contractor, a "terrible
mistake" someone made or a judged performance, a head "not in the game", the writer's own
slip ("I sent the wrong email", "I had missed that NOTAM", "I broke our web application"),
a name with an auxiliary or an apposition before the slip ("Ana, the on-call, had
missed"), the cause left as a pronoun ("he caused it"), a "shameful mistake"
or "such a blunder", a "lapse in judgement", and a "but forgot" with its subject left out.
Each has a twin a guide would leave alone, which must stay quiet; so does the writer's own
account of a step not taken ("I didn't document the new cron job").

The sentences are our own, shaped after what the published write-ups held.
"""

from __future__ import annotations

import pytest

from tests.unit.blameless_cases import assert_quiet, assert_warned

WARNED = [
    ("I spilled it again. What is wrong with me?", "What is wrong with me"),
    ("A week later I am still disgusted with myself.", "disgusted with myself"),
    ("Honestly, I hate myself for that deploy.", "I hate myself"),
    ("It was one of the dumbest things I could do.", "dumbest"),
    ("I was responsible for a major fuck up at work today.", "responsible for a major fuck up"),
    ("Within a month I had made some colossal foul ups.", "colossal foul ups"),
    ("It was the biggest screw-up of my career.", "biggest screw-up"),
    ("I caused the outage by restarting the primary.", "I caused the outage"),
    ("He let you down, and you covered for him.", "He let you down"),
    ("Every sprint the toxic co-worker takes the credit.", "toxic co-worker"),
    ("I was speeding up the voices, but forgot we had a cache.", "but forgot"),
    ("A fiber got cut by a clumsy contractor with a backhoe.", "clumsy contractor"),
    ("The new lead has made a terrible mistake.", "has made a terrible mistake"),
    ("My head was not in the game that week.", "head was not in the game"),
    ("I just sent the wrong email to 300 people.", "I just sent the wrong"),
    ("On final I called out the wrong runway.", "I called out the wrong"),
    ("I had missed that NOTAM entirely.", "I had missed that NOTAM"),
    ("Within an hour I broke our web application.", "I broke our web application"),
    ("Your error-prone colleague is not your job.", "error-prone colleague"),
    ("I winced at my own terrible performance.", "my own terrible performance"),
    ("Ana had missed that alert.", "Ana had missed"),
    ("Ana, the on-call, had missed that alert too.", "Ana, the on-call, had missed"),
    # the cause left as a pronoun, a judged slip, the writer's own omission
    ("Nobody asked why, because, well, he caused it.", "he caused it"),
    ("I spent the night putting out a fire I had caused.", "a fire I had caused"),
    ("It was a shameful mistake, and a rookie error too.", "shameful mistake"),
    # a slip bungled or called a blunder, forgetting told with adverbs, a lapse of
    # judgement, a slip not caught, a list of verdicts before a role
    ("I had totally bungled the client's order.", "bungled"),
    ("It was such a blunder, and I knew it.", "such a blunder"),
    ("I had totally and completely forgotten the meeting.", "I had totally and completely"),
    ("He had a brief lapse in judgement at the bar.", "lapse in judgement"),
    ("I share a desk with an arrogant, controlling coworker.", "arrogant, controlling coworker"),
    ("So I went to the manager and she broke the build again.", "she broke"),
    ("We all screwed up the launch that day.", "screwed up"),
    ("He belittled me in front of the whole team.", "belittled me"),
]

QUIET = [
    # feelings and the event, not verdicts
    "I was upset with myself for a day, then wrote the runbook.",
    "What is wrong with the cache? The TTL was a day too long.",
    "The fix caused the outage to end within minutes.",
    "A toxic payload in the queue crashed the workers.",
    # impact weighed, not a wish about the past
    "I know just how much worse it could have been.",
    # the reframe's own words
    "The outage did not let the team down; it taught the team where the gaps were.",
    "The cache warmed up but forgot its keys on restart.",
    "The clumsy API made it easy to send the wrong flag.",
    "The rollout made a costly mistake in the schema visible at once.",
    "Her head was in the game: she paged the database team first.",
    "The script sent the wrong email template to the list.",
    "We missed that alert during the upgrade, and added a page for it.",
    "An error-prone manual step sat in the middle of the release.",
    "The new index improved the job's terrible performance.",
    "Ana, the on-call, paged the database team at once.",
    "The retry loop caused it, and the queue grew.",
    "We put out a fire the heat wave had caused.",
    "The mistake was easy to make: two buttons sat side by side.",
    "I did not know the job ran twice.",
    "If I didn't document it, who would?",
    # the writer's own account of a step not taken: what Setback's "take accountability"
    # screen asks a person to write, never a verdict to reframe
    "I didn't document the new cron job.",
    "I didn’t clearly communicate the change.",
    "I didn't catch his error on the chart.",
    "She told me I didn't document it, and she was right to ask.",
    "The cache had forgotten the keys after the restart.",
    "A lapse in monitoring coverage let the alert go unseen.",
    "I was irate when the page came in at 3am.",
    "It was the last inbox I would have ever wanted the file to reach.",
    "He probably would have died anyway, the doctor said.",
    "We had forgotten nothing on the list.",
    "I didn't catch the train that morning, so I joined the call from home.",
    "So I went to the manager and she broke it down for me.",
    "We all screw up now and then; what matters is the next step.",
    "I feared my days at the paper were numbered.",
    "I was such a wreck that I cried in the car.",
]


@pytest.mark.parametrize(("text", "phrase"), WARNED)
def test_a_verdict_on_the_writer_or_a_colleague_is_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", QUIET)
def test_its_twin_about_feelings_or_the_system_is_left_alone(text: str) -> None:
    assert_quiet(text)
