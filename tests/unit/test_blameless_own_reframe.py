"""The reframe idea speaks to the writer when the flagged phrase is their own.

The share preview is read by the person whose reflection it is, so "I forgot to run the
migration" gets "Describe what you did instead ..." while "Ana forgot to run the
migration" keeps the reframe about someone else's step; likewise "I caused the outage" is
titled as the writer's own step, not as "A person or role as the cause".
"""

from __future__ import annotations

import pytest

from bot.language.blameless import RULES, check

RULE = {rule.rule: rule for rule in RULES}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("I forgot to run the migration.", "omission"),
        ("I should have waited for the canary.", "counterfactual"),
        ("I probably should have waited for the canary.", "counterfactual"),
        ("I could have checked the flag first.", "hindsight-wish"),
        ("I just sent the wrong config to production.", "named-person"),
    ],
)
def test_the_writers_own_phrase_gets_the_reframe_addressed_to_them(text: str, rule: str) -> None:
    flags = [flag for flag in check(text) if flag.rule == rule]
    assert flags, check(text)
    own = RULE[rule].own_reframe
    assert own is not None and own != RULE[rule].reframe
    assert all(flag.reframe == own for flag in flags)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("She forgot to run the migration.", "omission"),
        ("She should have waited for the canary.", "counterfactual"),
        ("They could have checked the flag first.", "hindsight-wish"),
        ("Ana, the on-call, had missed the alert.", "named-person"),
    ],
)
def test_someone_elses_step_keeps_the_rules_reframe(text: str, rule: str) -> None:
    flags = [flag for flag in check(text) if flag.rule == rule]
    assert flags, check(text)
    assert all(flag.reframe == RULE[rule].reframe for flag in flags)


def test_the_writers_own_step_is_titled_as_theirs_and_someone_elses_keeps_the_rules_title() -> None:
    rule = RULE["named-person"]
    assert rule.own_title is not None and rule.own_title != rule.title
    (own,) = [flag for flag in check("I caused the outage last night.") if flag.number == 10]
    (other,) = [flag for flag in check("Ana broke the staging database.") if flag.number == 10]
    assert own.title == rule.own_title
    assert other.title == rule.title
