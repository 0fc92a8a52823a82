"""Blameless language check: a labelled set with precision/recall, plus direct tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.language.blameless import RULES, Flag, Severity, check, priority, ranked
from bot.language.blameless.engine import run
from bot.language.blameless.markdown import read_layout
from tests.unit.blameless_cases import assert_quiet, assert_warned

# (sentence, the one rule it should raise, or None when it must stay clean)
LABELLED: list[tuple[str, str | None]] = [
    # 1 counterfactual
    ("We should have rolled back as soon as the error rate rose.", "counterfactual"),
    ("I shouldn't have merged the migration late on a Friday.", "counterfactual"),
    ("The team ought to have paged the database owner.", "counterfactual"),
    ("We should've staged the rollout region by region.", "counterfactual"),
    # 2 hindsight wish
    ("I could have caught the typo during review.", "hindsight-wish"),
    ("A canary stage would have stopped the bad config.", "hindsight-wish"),
    ("If only I had waited for the second approval.", "hindsight-wish"),
    ("Had we just checked the disk usage, none of this happens.", "hindsight-wish"),
    # 3 omission framing
    ("I forgot to update the feature flag in staging.", "omission"),
    ("The on-call engineer failed to acknowledge the page.", "omission"),
    ("We neglected to tell support about the maintenance window.", "omission"),
    # 4 human error as cause
    ("The incident report says human error.", "human-error"),
    ("Operator error took the primary database offline.", "human-error"),
    ("The ticket lists user error as the trigger.", "human-error"),
    # 5 single root cause
    ("The root cause was a stale DNS entry.", "root-cause"),
    ("We spent an hour hunting for the root of the problem.", "root-cause"),
    ("The real cause was the missing index.", "root-cause"),
    # 6 character words
    ("It was a careless change to the load balancer.", "character"),
    ("Only an idiot would run that script against production.", "character"),
    ("Skipping the tests was a rookie mistake.", "character"),
    # 7 normative words
    ("Turning off the alarm was negligent.", "normative"),
    ("Pushing without review is unacceptable.", "normative"),
    ("It showed poor judgement to deploy during the sale.", "normative"),
    # 8 hindsight certainty
    ("Obviously the disk was going to fill up.", "hindsight-certainty"),
    ("I should have known the migration would lock the table.", "hindsight-certainty"),
    ("Anyone would have noticed the spike on the dashboard.", "hindsight-certainty"),
    ("The warning signs were all there.", "hindsight-certainty"),
    # 9 attention blame
    ("I wasn't paying attention during the rollout.", "attention"),
    ("The handover notes were sloppy.", "attention"),
    ("I lost focus halfway through the checklist.", "attention"),
    # 10 a named person as subject of a failure
    ("Priya broke the staging config.", "named-person"),
    ("Yesterday Tom forgot the rollback step.", "named-person"),
    ("Marco messed up the DNS change.", "named-person"),
    # 11 who-questions
    ("Who broke the build?", "who-question"),
    ("We need to find out who approved this change.", "who-question"),
    ("Whose fault was the outage?", "who-question"),
    # 12 why-you questions
    ("Why didn't you check the dashboard first?", "why-you"),
    ("Why did I skip the dry run?", "why-you"),
    ("What were you thinking when the alert was muted?", "why-you"),
    # 13 blame moved to others
    ("QA should have caught this before release.", "blame-shift"),
    ("The platform team didn't update the runbook.", "blame-shift"),
    ("Honestly, it was their fault for changing the API.", "blame-shift"),
    # 14 punitive words
    ("Someone is going to get fired over this.", "punitive"),
    ("The engineer responsible should be disciplined.", "punitive"),
    ("It was a hard lesson for the whole team.", "punitive"),
    # 15 over-generalising
    ("I always mess up the release notes.", "over-generalising"),
    ("We never get it right with handovers.", "over-generalising"),
    ("I'm terrible at estimating migrations.", "over-generalising"),
    ("This happens every single time we rotate keys.", "over-generalising"),
    # 16 minimising
    ("It was just a small outage.", "minimising"),
    ("Honestly it's not a big deal.", "minimising"),
    ("The bug only affected a few customers.", "minimising"),
    # 17 conditional apology
    ("Sorry if anyone was inconvenienced by the downtime.", "conditional-apology"),
    ("Sorry, but the docs were wrong.", "conditional-apology"),
    ("Apologies for any confusion this caused.", "conditional-apology"),
    # 18 vague action
    ("Next time I'll be more careful with force pushes.", "vague-action"),
    ("We need to double-check everything before a release.", "vague-action"),
    ("The team will pay more attention to alerts.", "vague-action"),
    ("We'll make sure this never happens again.", "vague-action"),
    # 19 ownerless action
    ("Action: improve monitoring.", "ownerless-action"),
    ("We need better communication between teams.", "ownerless-action"),
    ("We need more testing on the importer.", "ownerless-action"),
    # 20 private detail
    ("Reach me at sam.lee@example.com if you need the logs.", "private-detail"),
    ("Call the vendor on +44 20 7946 0958.", "private-detail"),
    ("Ping @maria for the dashboard link.", "private-detail"),
    ("She was on sick leave that week.", "private-detail"),
    ("The customer Globex lost two hours of orders.", "private-detail"),
    # plain work sentences: nothing to flag
    ("We shipped the fix on Tuesday.", None),
    ("The alert fired twice.", None),
    ("The root of the repo has a Makefile.", None),
    ("The root filesystem filled up at 03:00.", None),
    ("I clearly labelled the dashboard.", None),
    ("We should add a canary stage.", None),
    ("We should have a runbook for this by Friday.", None),
    ("I could reproduce it locally.", None),
    ("The cache was only a minor version behind.", None),
    ("The job failed to start after the upgrade.", None),
    ("Deploy failed at 14:02 and retried.", None),
    ("Jenkins failed twice on the flaky test.", None),
    ("The engineer who merged it had been on the team a week.", None),
    ("Why did the cache expire early?", None),
    ("How did the config reach production?", None),
    ("Our team didn't have a runbook for this queue.", None),
    ("We fired the webhook manually to test it.", None),
    ("I always run the tests first.", None),
    ("I never deploy on Fridays.", None),
    ("Only the EU region was affected.", None),
    ("We apologise for the disruption to checkout between 14:00 and 14:40.", None),
    ("Owner: Dana, improve alerting by Friday.", None),
    ("I will improve the alerting thresholds by 2024-06-01.", None),
    ("Lazy loading made the first request slow.", None),
    ("The dashboard showed p99 latency at 2 seconds.", None),
    ("We rolled back at 14:10 and the error rate dropped.", None),
    ("Checkout requests failed for about 40 minutes.", None),
    ("Two factors combined: a stale cache and a missing alert.", None),
    ("Customer impact: 3% of checkouts failed.", None),
    ("Sam reviewed the change and approved it.", None),
    ("The backup job missed its window because the disk was full.", None),
    ("It could be the DNS cache.", None),
    ("We would like a second reviewer on schema changes.", None),
    ("The release went out on 2024-05-01 at 10:30, version 1.2.3.", None),
    ("The build ID was 1234-5678-9012 on port 8080.", None),
    ("Once the flag was off, latency recovered.", None),
    ("The on-call engineer was juggling two incidents.", None),
    ("The migration locked the orders table for six minutes.", None),
    ("We added a lint rule that blocks force pushes on main.", None),
    ("The timeline is clearly laid out below.", None),
    ("We killed the feature flag after the rollback.", None),
    ("Tests passed locally but staging had an older schema.", None),
    ("The new alert would page the database owner directly.", None),
    ("I was on call and saw the page at 02:10.", None),
    ("The customer support team answered 12 tickets.", None),
    ("A dumb terminal emulator mangled the output.", None),
    ("Monitoring improved after the change.", None),
    ("We added monitoring for the queue depth.", None),
]

# The reframe ideas of the rule table the check was designed from: ours must not copy them.
TABLE_REFRAMES = (
    "say what was done and what made it reasonable then",
    "what options were visible at that moment?",
    "say what did happen and where attention was",
    "name the conditions that made the slip easy",
    "list two or more contributing factors",
    "describe the action and its context, not the person",
    "compare with the goal that applied at the time",
    "what signal was visible then, and why it didn't stand out",
    "name the competing demands",
    "make the role or the system the subject",
    "what happened, how did it unfold",
    "how did it make sense at the time?",
    "same rule: conditions, not culprits",
    "accountability = giving an account and joining the fix",
    "describe this one time",
    "state the impact plainly",
    "name the impact and who was affected",
    "a concrete change to a system, habit or check",
    "owner, date, how we'll know it's done",
    "redact before posting",
)

RULE_BY_ID = {rule.rule: rule for rule in RULES}


def _rules_in(text: str) -> set[str]:
    return {flag.rule for flag in check(text)}


def _scores() -> tuple[float, float, list[str]]:
    """Micro precision/recall over the labelled set; also the mistakes, for messages."""
    true_pos = false_pos = false_neg = 0
    mistakes: list[str] = []
    for sentence, expected in LABELLED:
        found = _rules_in(sentence)
        if expected is not None:
            if expected in found:
                true_pos += 1
            else:
                false_neg += 1
                mistakes.append(f"missed {expected}: {sentence}")
        extra = found - {expected}
        false_pos += len(extra)
        mistakes.extend(f"extra {rule}: {sentence}" for rule in sorted(extra))
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 0.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 0.0
    return precision, recall, mistakes


def test_labelled_set_is_big_and_covers_every_rule_twice() -> None:
    assert len(LABELLED) >= 80
    positives = [expected for _, expected in LABELLED if expected is not None]
    for rule in RULES:
        assert positives.count(rule.rule) >= 2, rule.rule
    assert sum(1 for _, expected in LABELLED if expected is None) >= 30
    assert set(positives) <= set(RULE_BY_ID)


def test_precision_and_recall_on_the_labelled_set() -> None:
    precision, recall, mistakes = _scores()
    print(f"precision={precision:.3f} recall={recall:.3f}")
    for mistake in mistakes:
        print(f"  {mistake}")
    assert precision >= 0.9, mistakes
    assert recall >= 0.9, mistakes


# --- the rule table --------------------------------------------------------------------


def test_rule_table_has_twenty_numbered_rules_with_unique_ids() -> None:
    assert [rule.number for rule in RULES] == list(range(1, 21))
    assert len({rule.rule for rule in RULES}) == 20
    for rule in RULES:
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", rule.rule), rule.rule
        assert rule.title and rule.title[0].isupper()
        assert rule.patterns
        assert all(isinstance(pattern, re.Pattern) for pattern in rule.patterns)


def test_reframes_are_our_own_words() -> None:
    for rule, table_text in zip(RULES, TABLE_REFRAMES, strict=True):
        assert table_text.lower() not in rule.reframe.lower(), rule.rule
        assert len(rule.reframe) >= 30, rule.rule
        assert rule.reframe.endswith("."), rule.rule
    assert len({rule.reframe for rule in RULES}) == 20


# --- one flag per rule: phrase, position, line and reframe ---------------------------

ONE_PER_RULE = [
    ("Honestly, we should have rolled back.", "counterfactual", "should have"),
    ("I would have spotted it with more sleep.", "hindsight-wish", "would have"),
    ("We neglected to rotate the key.", "omission", "neglected to"),
    ("The outage was human error.", "human-error", "human error"),
    ("The root cause was the new hire.", "root-cause", "root cause"),
    ("A careless edit broke routing.", "character", "careless"),
    ("Skipping review was reckless.", "normative", "reckless"),
    ("The graph obviously showed it.", "hindsight-certainty", "obviously"),
    ("I was distracted by another page.", "attention", "was distracted"),
    ("Then Dana missed the second alert.", "named-person", "Dana missed"),
    ("Who merged this without a review?", "who-question", "Who merged"),
    ("Why didn't they roll back?", "why-you", "Why didn't they"),
    ("Ops never told us about the change.", "blame-shift", "Ops never"),
    ("Heads will roll for this.", "punitive", "Heads will roll"),
    ("I always forget the migration step.", "over-generalising", "I always forget"),
    ("It was only a minor glitch.", "minimising", "only a minor glitch"),
    ("I apologise if anyone was upset.", "conditional-apology", "apologise if"),
    ("I will try harder next time.", "vague-action", "try harder"),
    ("Follow-up: better alerting.", "ownerless-action", "better alerting"),
    ("Mail ops-lead@example.org for access.", "private-detail", "ops-lead@example.org"),
]


@pytest.mark.parametrize(("text", "rule_id", "phrase"), ONE_PER_RULE)
def test_each_rule_flags_the_exact_phrase(text: str, rule_id: str, phrase: str) -> None:
    flags = [flag for flag in check(text) if flag.rule == rule_id]
    assert len(flags) == 1, check(text)
    flag = flags[0]
    rule = RULE_BY_ID[rule_id]
    assert flag.phrase == phrase
    assert text[flag.start : flag.end] == phrase
    assert flag.start == text.index(phrase)
    assert flag.line == 1
    assert (flag.number, flag.title) == (rule.number, rule.title)
    assert flag.reframe in (rule.reframe, rule.own_reframe)  # own: the writer's own step


def test_one_per_rule_examples_cover_all_twenty_rules() -> None:
    assert {rule_id for _, rule_id, _ in ONE_PER_RULE} == set(RULE_BY_ID)


# --- plain work sentences --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "We shipped the fix on Tuesday.",
        "The alert fired twice.",
        "The root of the repo has a Makefile.",
        "I clearly labelled the dashboard.",
        "We should add a canary stage.",
        "I could reproduce it locally.",
        "The cache was only a minor version behind.",
        "",
    ],
)
def test_plain_work_sentences_are_not_flagged(text: str) -> None:
    assert check(text) == []


def test_a_whole_clean_retro_has_no_flags() -> None:
    retro = (
        "What happened: at 14:02 a config change reached all regions at once.\n"
        "Checkout errors rose to 12% for 18 minutes; about 900 orders were retried.\n"
        "How it made sense: the change had passed review and staging looked healthy.\n"
        "Contributing factors: staging had an older schema; the pipeline has no canary.\n"
        "Next: add a canary stage (owner: platform on-call, by 2024-07-01).\n"
    )
    assert check(retro) == []


# --- positions, lines, ordering --------------------------------------------------------


def test_multi_line_text_gives_correct_line_numbers() -> None:
    text = (
        "Timeline below.\n"
        "At 10:00 the deploy started.\n"
        "\n"
        "We should have waited.\n"
        "Obviously the graph was red.\n"
        "Contact: ana@example.com"
    )
    found = [(flag.line, flag.rule, flag.phrase) for flag in check(text)]
    assert found == [
        (4, "counterfactual", "should have"),
        (5, "hindsight-certainty", "Obviously"),
        (6, "private-detail", "ana@example.com"),
    ]
    for flag in check(text):
        assert text[flag.start : flag.end] == flag.phrase
        assert text.count("\n", 0, flag.start) + 1 == flag.line


def test_flags_are_sorted_and_never_repeat_a_span_for_a_rule() -> None:
    text = (
        "If only I had checked, I should have known. It was human error and "
        "human error again; we should have, we should have."
    )
    flags = check(text)
    assert [flag.start for flag in flags] == sorted(flag.start for flag in flags)
    spans = [(flag.rule, flag.start, flag.end) for flag in flags]
    assert len(spans) == len(set(spans))
    for first, second in zip(flags, flags[1:], strict=False):
        if first.rule == second.rule:
            assert first.end <= second.start
    assert sum(1 for flag in flags if flag.rule == "human-error") == 2
    assert sum(1 for flag in flags if flag.rule == "counterfactual") == 2


def test_overlapping_patterns_of_one_rule_give_one_flag() -> None:
    flags = check("If only I had checked the logs.")
    assert [(flag.rule, flag.phrase) for flag in flags] == [
        ("hindsight-wish", "If only I had checked")
    ]


def test_a_phrase_inside_a_longer_flag_of_another_rule_is_not_repeated() -> None:
    assert [(f.rule, f.phrase) for f in check("QA should have caught it.")] == [
        ("blame-shift", "QA should have")
    ]
    assert [(f.rule, f.phrase) for f in check("I should have known.")] == [
        ("hindsight-certainty", "should have known")
    ]


def test_typographic_apostrophes_match_and_the_phrase_keeps_them() -> None:
    text = "I shouldn\u2019t have pushed."
    flags = check(text)
    assert [(flag.rule, flag.phrase) for flag in flags] == [
        ("counterfactual", "shouldn\u2019t have")
    ]


def test_flag_is_immutable() -> None:
    flag = check("The root cause was the new hire.")[0]
    assert isinstance(flag, Flag)
    with pytest.raises(AttributeError):
        flag.rule = "other"  # type: ignore[misc]  # why: assigning to a frozen field is what the test checks


# --- rule-specific precision -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("We should add a canary stage.", False),
        ("Should we add a canary stage?", False),
        ("We should have added a canary stage.", True),
        ("We shouldn't have a single point of failure.", False),
        ("We ought to have had a canary.", True),
    ],
)
def test_should_is_counterfactual_only_in_the_past(text: str, flagged: bool) -> None:
    assert ("counterfactual" in _rules_in(text)) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Improve monitoring.", True),
        ("We need more testing.", True),
        ("Better communication with support.", True),
        ("Improve monitoring, owner: @dana.", False),
        ("Improve monitoring by Friday.", False),
        ("Improve monitoring by 2024-06-01.", False),
        ("Owner: Kai. More testing on the importer.", True),
        ("Owner: Kai, more testing on the importer.", False),
        ("I'll improve monitoring on the queue.", False),
        ("We added monitoring last week.", False),
        ("More testing before the next release.", False),
        ("Improve monitoring by the end of the sprint.", False),
        ("Improve test coverage by 20%.", True),
        ("Better checks on monitoring.", True),
        ("Improve alerting by marketing request.", True),
    ],
)
def test_ownerless_action_looks_for_an_owner_or_date_in_the_sentence(
    text: str, flagged: bool
) -> None:
    assert ("ownerless-action" in _rules_in(text)) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("It was just a small outage.", True),
        ("Only a minor issue, really.", True),
        ("It's no big deal.", True),
        ("The cache was only a minor version behind.", False),
        ("It was just a small change to the config.", False),
    ],
)
def test_minimising_is_about_impact(text: str, flagged: bool) -> None:
    assert ("minimising" in _rules_in(text)) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Who broke the build?", True),
        ("The engineer who broke the build was new.", False),
        ("I want to know who deployed on Friday.", True),
        ("Who was responsible for the rollout?", True),
        ("Who's to blame here", True),
    ],
)
def test_who_questions_but_not_relative_clauses(text: str, flagged: bool) -> None:
    assert ("who-question" in _rules_in(text)) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Priya broke the staging config.", True),
        ("<@U024BE7LH> missed the alert.", True),
        ("<@W1234ABCD|sam> forgot to renew the cert.", True),
        ("@sam messed up the DNS change.", True),
        ("The build broke at 10:00.", False),
        ("Deploy failed at 14:02.", False),
        ("Terraform failed to acquire the lock.", False),
        ("Who broke it?", False),
        ("Priya fixed the staging config.", False),
        ("Sam Lee broke the build.", True),
        ("Monday broke our streak of green builds.", False),
        ("March missed its revenue target.", False),
        ("Checkout failed after the deploy.", False),
        ("Signup failed to load for mobile users.", False),
        ("Priya failed to follow the runbook.", True),
        ("Yesterday Tom failed to escalate the page.", True),
        ("Priya Shah failed the migration.", True),
        ("<@U024BE7LH> failed the migration.", True),
        ("Sam failed to fix the alert.", True),
        ("Sam failed to roll back in time.", True),
        ("Sam failed the migration.", True),
        ("Checkout failed to respond.", False),
        ("Webhook failed to confirm the payment.", False),
    ],
)
def test_named_person_as_subject_of_a_failure(text: str, flagged: bool) -> None:
    assert ("named-person" in _rules_in(text)) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Someone will get fired over this.", True),
        ("He needs to be fired.", True),
        ("He was fired the next week.", False),  # a penalty told, not called for
        ("The alert fired twice.", False),
        ("The webhook was fired again at 10:02.", False),
    ],
)
def test_fired_is_punitive_only_about_people(text: str, flagged: bool) -> None:
    assert ("punitive" in _rules_in(text)) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("I fear that I may be fired for this.", False),
        ("I was afraid I'd be fired.", False),
        ("I'm worried I might get fired over it.", False),
        ("He should be fired.", True),
        ("I'm not worried about it; he should be fired.", True),
        ("Worried customers wrote in, so he should be reprimanded.", True),
    ],
)
def test_a_penalty_the_writer_feared_is_a_feeling_told_not_a_penalty_called_for(
    text: str, flagged: bool
) -> None:
    assert ("punitive" in _rules_in(text)) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("I could have caught it in review.", True),
        # A wish about a system is not a judgement of a person (issue #13's noise).
        ("It would have been nice to have a canary.", False),
        ("I wish I had had a canary.", True),
        ("It could have been much worse.", False),
        ("That would have been impossible to see from the dashboard.", False),
        ("Nobody couldn't have known.", False),
        ("The alert could have a lower threshold.", False),
        ("It might have been the retry logic.", False),
    ],
)
def test_hindsight_wish_is_not_an_estimate_of_impact(text: str, flagged: bool) -> None:
    assert ("hindsight-wish" in _rules_in(text)) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        # A technical root cause is an account of conditions, not blame (issue #13);
        # a person as the root cause, or one cause alone, is what a guide reframes.
        ("The root cause was DNS.", False),
        ("Root-caused to a bad merge.", False),
        ("The root cause was the new hire.", True),
        ("The sole cause was a race.", True),
        ("The root cause analysis is attached.", False),
        ("The root filesystem filled up.", False),
    ],
)
def test_root_cause_but_not_the_root_of_a_repo(text: str, flagged: bool) -> None:
    assert ("root-cause" in _rules_in(text)) is flagged


# --- private detail ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Mail sam.lee+ops@example.co.uk for the logs.", "sam.lee+ops@example.co.uk"),
        ("Call +1 (555) 123-4567 after hours.", "+1 (555) 123-4567"),
        ("Her number is 020 7946 0958.", "020 7946 0958"),
        ("Try 555-123-4567 first.", "555-123-4567"),
        ("Mobile: 07700 900123.", "07700 900123"),
        ("Thanks <@U024BE7LH> for the quick rollback.", "<@U024BE7LH>"),
        ("Thanks <@U024BE7LH|dana> for the quick rollback.", "<@U024BE7LH|dana>"),
        ("Ask @dana.k about the dashboard.", "@dana.k"),
        ("He was in hospital that week.", "in hospital"),
        ("She was diagnosed with a migraine condition.", "diagnosed with"),
        ("The client Initech saw errors first.", "client Initech"),
    ],
)
def test_private_detail_is_flagged_for_redaction(text: str, phrase: str) -> None:
    flags = [flag for flag in check(text) if flag.rule == "private-detail"]
    assert [flag.phrase for flag in flags][:1] == [phrase]
    assert "redact" in flags[0].reframe.lower() or "remove" in flags[0].reframe.lower()


@pytest.mark.parametrize(
    "text",
    [
        "Released on 2024-05-01 at 10:30:15.",
        "Version 1.2.3 went out on port 8080.",
        "Ticket 4521 and build 1234-5678-9012.",
        "The 10.0.0.12 host was drained.",
        "Heads up @here: the window starts at 9.",
        "Customer Success answered 12 tickets.",
        "The customer API returned 500s.",
        "Latency rose by +120 ms.",
    ],
)
def test_numbers_and_broadcasts_are_not_private_detail(text: str) -> None:
    assert "private-detail" not in _rules_in(text)


def test_a_mention_with_a_failure_gets_both_the_person_and_the_privacy_flag() -> None:
    text = "<@U024BE7LH> broke prod."
    assert [(flag.rule, flag.phrase) for flag in check(text)] == [
        ("named-person", "<@U024BE7LH> broke"),
        ("private-detail", "<@U024BE7LH>"),
    ]


def test_words_inside_an_email_address_are_only_private_detail() -> None:
    assert [flag.rule for flag in check("careless.whisper@example.com")] == ["private-detail"]


# --- real-document classes (issue 13) and a person as the cause (issue 12, item 5) -----

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus"


def _found(text: str) -> list[tuple[str, str]]:
    return [(flag.rule, flag.phrase) for flag in check(text)]


def test_a_named_colleague_as_the_cause_is_caught_first_with_its_reframe() -> None:
    text = "The root cause was the config. Bob should have checked the config. Obviously."
    flags = ranked(check(text))
    first = flags[0]
    assert (first.rule, first.phrase) == ("named-person", "Bob should have")
    assert first.reframe == RULE_BY_ID["named-person"].reframe
    assert "person" in first.reframe and first.severity is Severity.WARNING
    assert "counterfactual" not in {flag.rule for flag in flags}  # one reframe per phrase
    assert [priority(flag) for flag in flags] == sorted(priority(flag) for flag in flags)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("I screwed up badly.", "I screwed up"),
        ("We dropped the ball on the renewal.", "We dropped the ball"),
        ("Our team is solely responsible for this.", "solely responsible"),
        ("The developer misjudged the potential impact.", "The developer misjudged"),
        ("Honestly the guy to blame is the CTO.", "to blame is the CTO"),
        ("Dana was responsible for the outage.", "was responsible for the outage"),
        ("Management are definitely to blame.", "are definitely to blame"),
        ("Yes, I broke production.", "I broke production"),
        ("The engineer should have paged the DBA.", "The engineer should have"),
        ("In the end he was at fault.", "was at fault"),
        ("They were partly at fault.", "were partly at fault"),
        ("You are responsible for knocking out checkout.", "are responsible for knocking"),
        ("The physician made an error.", "The physician made an error"),
        ("It was the symptom that I missed.", "that I missed"),
        ("As a veteran, I shouldn't make these mistakes.", "I shouldn't make these mistakes"),
        ("The developer made a typo in the config.", "The developer made a typo"),
    ],
)
def test_a_person_or_role_as_the_cause(text: str, phrase: str) -> None:
    assert ("named-person", phrase) in _found(text)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("It was a misguided attempt to speed things up.", "normative"),
        ("He hurriedly pushed the update before lunch.", "normative"),
        ("In my haste, I overlooked the filter.", "normative"),
        ("Why did the developer forget to check the endpoint?", "omission"),
        ("What a clown.", "character"),
        ("I smugly assumed the backup had run.", "character"),
        ("You're acting stupidly about this.", "character"),
        ("Honestly, I don't know what I was thinking.", "character"),
        ("He is a big know-it-all.", "character"),
        ("He didn't even check the log.", "character"),
        ("Don't be lazy with customer data.", "character"),
        ("That snotty account manager called again.", "character"),
        ("I've had my fair share of screwups.", "character"),
        ("I made it in a hurry and failed to notice the gap.", "omission"),
        ("I had never double-checked it.", "omission"),
        ("Armed with the reports, I just didn't think, and paid him twice.", "omission"),
        ("Who was truly at fault here?", "who-question"),
        ("He wasn't a strong software engineer.", "character"),
        ("And who pushes to production on a Friday!", "who-question"),
        ("Someone is going to lose their job over this.", "punitive"),
        ("Guess you learned your lesson.", "punitive"),
        ("What a scumbag.", "character"),
        ("You two twits broke the build.", "character"),
        ("Some bastards never read the runbook.", "character"),
        ("Our psycho chef yelled at the new cook.", "character"),
    ],
)
def test_judgements_and_insults_aimed_at_people(text: str, rule: str) -> None:
    assert rule in _rules_in(text)


def test_a_compound_word_that_starts_like_an_insult_is_not_one() -> None:
    assert_quiet("The psycho-acoustic model dropped the quiet passages.")


@pytest.mark.parametrize(
    "text",
    [
        "The fix should have been corrected in the release notes.",  # passive
        "Reports should have priority over exports.",  # a duty, not the past
        "The alert should have fired at 90%.",  # a system as the subject
        "Tests are skipped (if only CI is updated).",  # not a wish
        "This was not your fault.",  # negated
        "Yeah, something this big is absolutely not one engineer's fault.",
        "If a future problem happens to be your fault, say so.",  # supposed
        "A human mistake was a collective failure, not an individual one.",  # the reframe
        "We made our systems more robust to handle human error.",
        "We should clearly communicate the maintenance window.",  # manner
        "Nothing was obviously compromised.",
        "We found the root cause after an hour.",  # a search, not a claim
        "Root cause identified: connection pool exhaustion.",
        "Make sure everyone knows what the root cause was.",
        "I don't want to throw him under the bus.",
        "We try our best to respond within a day.",
        "April Fools' Day fell on the same date.",
    ],
)
def test_structure_keeps_plain_postmortem_sentences_clean(text: str) -> None:
    assert [f for f in check(text) if f.severity is Severity.WARNING] == [], check(text)


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: Cache outage\nauthor: ana@example.com\nnotes: we should have known\n---\n",
        "Steps:\n\n```\n# we should have rolled back\nmail ana@example.com\n```\n",
        "Steps:\n\n    rm -rf / # obviously careless\n\nDone.\n",
        "Run `git blame --who-broke-it` and `should have` in the shell.\n",
        "See [the runbook](https://example.com/careless/should-have-known) first.\n",
        "[1]: https://example.com/human-error-report\n",
        "Logs at https://example.com/obviously/@dana/root-cause.\n",
        "<!-- we should have known; ping @dana -->\nThe deploy went out.\n",
    ],
)
def test_nothing_is_flagged_in_front_matter_code_links_or_comments(text: str) -> None:
    assert check(text) == []


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("---\ntitle: We should have known\nauthor: ana\n---\nThe deploy went out.\n", "should"),
        ("---\ntitle: 'I Was a Dumbass At Least Once This Week'\n---\nBody.\n", "Dumbass"),
        ('+++\ntitle = "Dana broke production"\n+++\nBody.\n', "Dana broke"),
        ("---\nlayout: post\ndescription: How Dana broke the build\n---\nBody.\n", "Dana broke"),
    ],
)
def test_a_front_matter_title_is_read_as_the_documents_title(text: str, phrase: str) -> None:
    flags = check(text)
    assert flags, "a title is the first thing a reader reads"
    assert any(phrase in text[f.start : f.end] for f in flags), flags
    line = next(line for line in text.split("\n") if phrase in line)
    value = re.search(r"(?<=[:=] )['\"]?(.*?)['\"]?$", line)
    assert value is not None
    scan = read_layout(text).scan
    assert len(scan) == len(text)
    at = text.index(line)
    read = scan[at : at + len(line)]  # the field's name and the quotes stay unread
    assert read == " " * value.start(1) + value.group(1) + " " * (len(line) - value.end(1))


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: Why `Dana broke production` is a bad alert text\n---\nOk.\n",
        '---\ntitle: The alert read "Dana broke production"\n---\nOk.\n',
        "---\ntitle: Cache outage # Dana broke it, says the draft\n---\nOk.\n",
        "---\ndescription: >\n  Dana broke production.\n---\nOk.\n",
    ],
)
def test_a_front_matter_title_is_read_as_a_heading_is(text: str) -> None:
    """Code and quoted words in a title, a YAML comment after it, and a value folded
    onto the lines below, are left as they are anywhere else in front matter."""
    assert check(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "## Root cause\n\nA stale cache and a missing alert.\n",
        "Root Cause\n----------\n\nA stale cache.\n",
        "- 21:33 UTC: @pietro pings @sean on Discord\n",
        "| 10:02 | @dana | restarts the primary |\n",
        "> [10:02] <dana> restarting the primary\n> [10:03] <sam> @dana ok\n",
        "Install @posthog/core 1.2 to get the fix.\n",
        "Mail security@example.org or help@crates.io to report it.\n",
        "- Add CPU alerting. Owner: @lucas\n",
        '> "For whatever reason, the employee decided to do a global deployment," he said.\n',
    ],
)
def test_headings_timelines_chat_logs_and_role_addresses_are_records_not_blame(
    text: str,
) -> None:
    assert check(text) == [], check(text)


def test_quoted_speech_is_reported_not_written_but_private_detail_still_counts() -> None:
    text = 'Someone wrote: "you just nuked your entire company, idiot", to dana@example.com.'
    assert _found(text) == [("private-detail", "dana@example.com")]


def test_notes_are_advice_and_warnings_are_blame() -> None:
    text = "The only cause was a bad merge. I was lazy."
    flags = {flag.rule: flag.severity for flag in check(text)}
    assert flags == {"root-cause": Severity.NOTE, "character": Severity.WARNING}
    assert {rule.rule for rule in RULES if rule.severity is Severity.NOTE} == {
        "root-cause",
        "minimising",
        "conditional-apology",
        "vague-action",
        "ownerless-action",
    }


def test_columns_count_code_points_from_one_and_end_past_the_phrase() -> None:
    text = "Intro line.\n  \u201cWe\u201d said: Bob should have\nchecked."
    flag = next(flag for flag in check(text) if flag.rule == "named-person")
    assert (flag.line, flag.column) == (2, text.split("\n")[1].index("Bob") + 1)
    assert (flag.end_line, flag.end_column) == (2, flag.column + len("Bob should have"))
    crossing = next(f for f in check("We should\nhave waited.") if f.rule == "counterfactual")
    assert (crossing.line, crossing.column, crossing.end_line, crossing.end_column) == (1, 4, 2, 5)


def _sentences() -> list[str]:
    texts = [sentence for sentence, _ in LABELLED] + [text for text, _, _ in ONE_PER_RULE]
    texts += [  # private detail has two trigger streams: words and @, +, digits
        "The customer Globex was upset. Call 020 7946 0958 or ana@example.com now.",
        "Ana on sick leave; ping @dana. Then the client Initech, then +44 20 7946 0958.",
    ]
    for path in sorted((CORPUS / "texts").glob("*.md")):
        texts.append(path.read_text(encoding="utf-8"))
    for row in json.loads((CORPUS / "labels.json").read_text(encoding="utf-8")):
        texts.extend(quote["text"] for quote in row.get("quotes", []))
    return texts


def test_trigger_words_never_hide_a_match_from_a_rule() -> None:
    for text in _sentences():
        assert run(text) == run(text, windowed=False), text[:80]


def test_the_corpus_labels_are_phrases_of_their_documents() -> None:
    rows = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    assert len(rows) >= 25
    assert {row["part"] for row in rows} == {"dev", "held-out"}
    for row in rows:
        if "file" in row:
            text = (CORPUS / row["file"]).read_text(encoding="utf-8")
            assert all(label in text for label in row["labels"]), row["id"]
        else:
            assert row["quotes"], row["id"]
            for quote in row["quotes"]:
                assert all(label in quote["text"] for label in quote["labels"]), row["id"]


# --- judgements of a person: a negative evaluation with a person as its target ----------

EVALUATION_HITS = [
    ("Teresa is not a good manager.", "is not a good manager"),
    ("A co-worker lied to our boss about the release.", "lied to"),
    ("Honestly, what they wrote about me is slander.", "is slander"),
    ("Developers are barbarians.", "are barbarians"),
    ("It was a co-worker who overstepped and threw you under the bus.", "under the bus"),
    ("Fucking coders.", "Fucking coders"),
    ("My boss is such a liar.", "is such a liar"),
    ("We have a toxic manager on that team.", "toxic manager"),
    ("One of the assistants in the office royally f***ed up today.", "royally f***ed up"),
    ("The people in the datacenter are incompetent.", "are incompetent"),
    ("My team repeatedly has to fix his errors.", "his errors"),
    ("It was my fellow worker\u2019s fault.", "fellow worker\u2019s fault"),
    ("Noone thought to roll back the code.", "Noone thought to"),
    ("Someone fucked it and left for the weekend.", "fucked it"),
]

EVALUATION_CLEAN = [
    # systems as subjects
    "The dashboard lied to us for an hour.",
    "The runbook is useless for this failure mode.",
    "The alerting was terrible during the migration.",
    "The script screwed up the config file.",
    "Technology can be unreliable.",
    "Their error rates rose after the deploy.",
    "The proxy and its errors were noisy.",
    # a role noun that modifies a thing, not a person
    "It made for a terrible developer experience.",
    # negated, supposed, reported, or owned by us
    "He is not a liar.",
    "If you are careless with the flag, the deploy fails.",
    "She said I was lazy, which stung.",
    "We fixed our mistake within the hour.",
    # a speech tag after a quotation tells who spoke
    '"There is a status on this inbox," John Mastodon lied, "that never lights."',
]


@pytest.mark.parametrize(("text", "phrase"), EVALUATION_HITS)
def test_a_negative_evaluation_of_a_person_is_a_judgement(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", EVALUATION_CLEAN)
def test_evaluations_of_systems_or_not_the_writers_are_not_flagged(text: str) -> None:
    assert_quiet(text)


def test_the_evaluation_detector_speaks_through_the_character_rule() -> None:
    (flag,) = check("Developers are barbarians.")
    assert flag.rule == "character"
    assert flag.reframe == RULE_BY_ID["character"].reframe


# --- linear time: pathological inputs finish (a quadratic pattern would hang) -----------

PATHOLOGICAL = ["a-", "-", ".", "a.", "@", "a@", " ", "a ", "\n", "a-a team ", "should ", "<@U"]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("unit", PATHOLOGICAL)
def test_long_runs_of_one_pattern_finish(unit: str) -> None:
    text = unit * (200_000 // len(unit))
    flags = check(text)
    assert all(text[flag.start : flag.end] == flag.phrase for flag in flags)


@pytest.mark.timeout(20)
def test_one_megabyte_line_of_prose_finishes_with_the_same_flags_as_its_sentences() -> None:
    sentence = "We should have rolled back, and the alert fired twice. "
    line = sentence * (1_000_000 // len(sentence))
    flags = check(line)
    assert len(flags) == line.count("should have")
    assert {flag.line for flag in flags} == {1}
