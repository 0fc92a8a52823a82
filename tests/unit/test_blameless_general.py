"""General frames of the blameless check: a rated lexicon and the story of an act.

The sentences are our own. Each hit names the phrase a flag must cover; each clean
sentence is one the same frame sees (a system, the team, the writer's feeling or own
step, a negation, a report) and must leave alone.
"""

from __future__ import annotations

import re

import pytest

from bot.language import literals
from bot.language.blameless import RULES, check, evaluation, lexicon, rules
from bot.language.blameless.engine import run
from tests.unit.blameless_cases import assert_quiet, assert_warned

GENERAL_HITS = [
    # a rated word after a copula, or "felt like"
    ("My manager is so lame.", "is so lame"),
    ("I felt like a complete ignoramus in that meeting.", "felt like a complete ignoramus"),
    # a rated word labelling a role
    ("Our ungrateful director never thanks anyone.", "ungrateful director"),
    # an act judged by its manner
    ("He shamelessly skipped the review.", "shamelessly"),
    # the writer's own mistake, weighed
    ("I made a silly mistake in the cron schedule.", "made a silly mistake"),
    ("That was my own dumb error.", "my own dumb error"),
    ("It is the biggest blunder I have ever made.", "biggest blunder I have ever made"),
    ("The new hire didn't test the restore before the upgrade.", "didn't test"),
    # someone else's mistake, named as theirs
    ("The consultant who made this error left the next week.", "made this error"),
    ("Reviewing the diff, I found an error she had made.", "error she had made"),
    # a narrated act that did the damage
    ("Our intern somehow managed to wipe the test cluster.", "managed to wipe"),
    ("The contractor accidentally wiped the shared drive.", "accidentally wiped"),
    # a person's work judged
    ("I had to rewrite his sloppy code again.", "his sloppy code"),
    ("Her half-baked fix broke the login.", "Her half-baked fix"),
    # competence judged
    ("I was young and inexperienced back then.", "was young and inexperienced"),
    ("We hired a director with no understanding of backups.", "no understanding of"),
    ("He has no clue how DNS works.", "no clue how"),
    # a slip told by its verb, a check skipped, a fault owned by someone named
    ("Our contractor misconfigured the firewall.", "misconfigured"),
    ("He never even tested the patch.", "never even tested"),
    ("Sam's careless mistake broke the build.", "Sam's careless mistake"),
    ("She tends to make a lot of errors.", "make a lot of errors"),
    ("I could not risk having him screw it up.", "screw it up"),
    ("Ask your accident-prone intern.", "accident-prone intern"),
    ("The delay was caused by the two junior developers.", "caused by the two junior developers"),
    # a lack laid on someone, respect lost, an act called wrong
    ("I am tired of her lack of planning.", "her lack of"),
    ("After the review I lost all respect for him.", "lost all respect for him"),
    ("I know I did something wrong that night.", "did something wrong"),
    # a duty dropped, praise as mockery
    ("She ignored the warning and shipped it.", "ignored"),
    ("Some genius decided to reboot the router at noon.", "Some genius decided"),
    # a person as the cause
    ("He was the problem from the start.", "was the problem"),
    ("The release slipped because of her.", "because of her"),
    ("The outage was due to my carelessness.", "due to my carelessness"),
    ("It was caused by the new developer.", "caused by the new developer"),
    # a rated act done to a person, and the writer laying the blame
    ("My lead belittled me in the retro.", "belittled me"),
    ("I still blame the contractor for the delay.", "I still blame the contractor"),
    ("I blame myself for the delay.", "I blame myself"),
    # others leaving the writer uninformed
    ("Nobody told us about the maintenance.", "Nobody told us"),
]

GENERAL_CLEAN = [
    # the writer's own account of a step not taken: what Setback's "take accountability"
    # screen asks a person to write, never a verdict to reframe
    "I didn't test the restore before the upgrade.",
    # a system at fault, a script's manner, the blameless question itself
    "The disk was at fault, not the scheduler.",
    "The retry loop was responsible for knocking the queue over.",
    "We asked what they were thinking at the time, and why it made sense.",
    "Users didn't even notice the outage.",
    "The operator made a change to the config.",
    "A typo in the config made the deploy fail.",
    "We logged a warning, but failed to see that warning as an error.",
    "The job started and failed to load its config.",
    "I didn't think the alert was real.",
    "We have useless monitors.",
    # a system or a thing as the subject
    "The cache was the problem.",
    "The job somehow managed to wipe the temp folder.",
    "The migration script stupidly assumed UTC.",
    "The release slipped because of the storm.",
    "It was caused by the developer tooling.",
    "A weak admin password was reused.",
    # blame someone else laid, and a mishap told by its adverb
    "The company pinned the blame on him.",
    "He accidently left the door open.",
    # a team's lack, the team's own wrong step, a threat reported
    "Their lack of monitoring hurt.",
    "We did something wrong in the rollout.",
    "She said I would be fired.",
    # a pretence, the team's own slip, a system, a product's fault
    "Should I just act dumb?",
    "We misconfigured the firewall.",
    "We never tested the restore.",
    "The job never ran.",
    "Google's mistake cost us a day.",
    # a lack of knowledge or fitness in a system or the team
    "The server was slow and unreliable.",
    "We were tired and unprepared.",
    "We had no understanding of the failure mode.",
    "The runbook gives no clue about the order.",
    "Users had no knowledge of the change.",
    # work described, or an organisation's work
    "His new code shipped on Friday.",
    "I rewrote his broken tests.",
    "Their buggy patch broke the build.",
    # the team telling its own story
    "We were the reason the fix took a day.",
    "We ignored the warning at first.",
    "We made a mistake in the rollout plan.",
    # the writer's feeling, or the writer's own step told as a fact
    "I was so upset after the outage.",
    "We were hesitant to roll back.",
    "I accidentally deleted the branch and restored it from the reflog.",
    "I removed the token and deleted the old version.",
    "I skipped the checklist that night.",
    "The linter skipped the file.",
    # a system doing it, blame laid on a process, or blame denied
    "The update annoyed me.",
    "I blame the process, not the people.",
    "I don't blame him at all.",
    # negated or reported
    "He is not lame.",
    "She said the vendor was lame.",
    # a plain mention of mistakes, weighed by nobody
    "The mistakes I have made are listed in the appendix.",
    "Due to my schedule I left early.",
]


@pytest.mark.parametrize(("text", "phrase"), GENERAL_HITS)
def test_a_general_frame_aimed_at_a_person_is_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", GENERAL_CLEAN)
def test_the_same_frames_about_systems_the_team_or_feelings_stay_quiet(text: str) -> None:
    assert_quiet(text)


def test_the_general_frames_speak_through_the_character_rule() -> None:
    (flag,) = check("My manager is so lame.")
    assert flag.rule == "character"


# Each frame's index names the pattern the judge reads it as; an example per frame.
FRAME_EXAMPLES = {
    evaluation.RATED_PREDICATE: "is so lame",
    evaluation.RATED_LABEL: "ungrateful director",
    evaluation.JUDGED_MANNER: "shamelessly skipped",
    evaluation.OWN_SLIP: "my own dumb error",
    evaluation.WORST_SLIP: "the biggest blunder I have ever made",
    evaluation.MADE_SLIP: "made a silly mistake",
    evaluation.SLIP_MADE: "an error she had made",
    evaluation.MOCK_PRAISE: "some genius decided",
    evaluation.WORK_JUDGED: "his sloppy code",
    evaluation.NAMED_FAULT: "Sam's careless mistake",
    evaluation.LACK_LAID: "her lack of",
    evaluation.LOST_RESPECT: "lost all respect for her",
    evaluation.DID_WRONG: "did something wrong",
    evaluation.NO_CLUE: "no clue how",
    evaluation.ACT_ON_PERSON: "belittled me",
    evaluation.WRITER_BLAMES: "I blame myself",
    evaluation.ROLE_BLAMED: "blamed the developers",
    evaluation.CONDUCT_JUDGED: "toxic behavior",
    evaluation.SLIPS_COUNTED: "made numerous mistakes",
    evaluation.NOBODY_TOLD: "nobody told us",
}


def test_each_general_frame_index_names_its_own_pattern() -> None:
    assert len(FRAME_EXAMPLES) == len(evaluation._GENERAL)
    for index, example in FRAME_EXAMPLES.items():
        matching = {i for i, pattern in enumerate(evaluation.PATTERNS) if pattern.search(example)}
        assert index in matching, example


CAUSE_EXAMPLES = {
    evaluation.PERSON_AS_CAUSE: "was the problem",
    evaluation.CAUSED_BY_PERSON: "because of her",
    evaluation.UNCHECKED: "I didn't test",
    evaluation.MANAGED_TO: "managed to wipe",
    evaluation.NARRATED_DAMAGE: "accidentally wiped the drive",
    evaluation.MIS_ACT: "misconfigured",
    evaluation.DUTY_DROPPED: "ignored the warning",
    evaluation.WENT_WITHOUT: "merged without running the tests",
    evaluation.BROKEN_WORK: "pushed broken untested code",
    evaluation.NOT_ONLY_ONE: "isn't the only one to blame",
}


def test_each_cause_frame_index_names_its_own_pattern() -> None:
    assert len(CAUSE_EXAMPLES) == len(evaluation.CAUSE_SOURCES)
    patterns = [re.compile(source, re.IGNORECASE) for source in evaluation.CAUSE_SOURCES]
    for index, example in CAUSE_EXAMPLES.items():
        assert index in {i for i, pattern in enumerate(patterns) if pattern.search(example)}


def test_a_person_as_the_cause_or_doer_speaks_through_the_named_person_rule() -> None:
    (rule,) = [rule for rule in RULES if rule.number == 10]
    assert len(rule.patterns) == rules._NAMED_PERSON_OWN + len(evaluation.CAUSE_SOURCES)
    for text in (
        "He was the problem from the start.",
        "The release slipped because of her.",
        "The contractor accidentally wiped the shared drive.",
    ):
        (flag,) = check(text)
        assert flag.rule == "named-person"


# --- structure: organisations, reports, and a new clause after "but" -------------------

STRUCTURE_HITS = [
    ("Management are to blame for the freeze.", "are to blame"),
    ("My manager threw me under the bus.", "threw me under the bus"),
    ("I said nothing, and I should have checked the logs.", "should have"),
]

STRUCTURE_CLEAN = [
    # blame laid on an organisation is not blame on a person
    "The utility companies are to blame.",
    "The company threw him under the bus.",
    # a sentence that opens with someone's report reports all its clauses
    "She said it was my call, and I should have checked the logs.",
    "He implied I forgot to tell him.",
    # after "but", the new clause has its own subject
    "They were kind to me but it was still a terrible week.",
]


@pytest.mark.parametrize(("text", "phrase"), STRUCTURE_HITS)
def test_blame_on_people_in_the_writers_own_words_is_flagged(text: str, phrase: str) -> None:
    assert any(flag.phrase == phrase for flag in check(text))


@pytest.mark.parametrize("text", STRUCTURE_CLEAN)
def test_organisations_reports_and_new_clauses_are_read_as_such(text: str) -> None:
    assert check(text) == []
    assert run(text) == run(text, windowed=False)


# --- the rated lexicon -----------------------------------------------------------------


def test_the_lexicon_brings_judging_words_no_hand_list_has() -> None:
    own = evaluation.EVALUATIVE_ADJECTIVES | evaluation.EVALUATIVE_NOUNS
    for word in ("lame", "ungrateful", "shameless", "ignoramus"):
        assert word in lexicon.JUDGEMENTS
        assert word not in own


def test_feelings_and_words_for_events_are_not_judgements() -> None:
    assert not lexicon.JUDGEMENTS & (lexicon.FEELINGS | lexicon.EVENTS)
    for word in ("upset", "panicked", "failed", "outage", "crash", "attack", "unfortunate"):
        assert word not in lexicon.JUDGEMENTS
    assert len(lexicon.JUDGEMENTS) > 1000  # a general lexicon, not a list of misses


def test_rated_acts_are_past_tense_and_leave_out_words_for_events() -> None:
    assert {"belittled", "cheated", "undermined"} <= lexicon.ACTS
    assert all(word.endswith("ed") for word in lexicon.ACTS)
    assert not lexicon.ACTS & lexicon.EVENTS


def test_competence_denied_is_derived_from_words_of_praise() -> None:
    assert {"inexperienced", "unqualified", "unprepared", "disorganized"} <= lexicon.UNFIT
    assert "unavailable" not in lexicon.UNFIT  # a state, not a competence


def test_judging_adverbs_come_from_judging_adjectives_only() -> None:
    assert {"stupidly", "shamelessly", "lazily"} <= lexicon.JUDGING_ADVERBS
    for adverb in ("unfortunately", "accidentally", "reluctantly", "sadly"):
        assert adverb not in lexicon.JUDGING_ADVERBS


def test_the_trie_matches_exactly_its_words() -> None:
    words = sorted(lexicon.JUDGEMENTS)[::7]
    pattern = re.compile(literals.trie(words))
    assert all(pattern.fullmatch(word) for word in words)
    members = set(words)
    for word in words:
        for other in (word + "q", word[:-1]):
            assert (pattern.fullmatch(other) is not None) == (other in members), other


# --- linear time: the general frames on long runs of their own words ------------------

GENERAL_RUNS = ["was so ", "my own ", "because of ", "nobody ", "badly ", "made a ", "x-"]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("unit", GENERAL_RUNS)
def test_long_runs_of_a_general_frame_finish(unit: str) -> None:
    text = unit * (200_000 // len(unit))
    flags = check(text)
    assert all(text[flag.start : flag.end] == flag.phrase for flag in flags)
