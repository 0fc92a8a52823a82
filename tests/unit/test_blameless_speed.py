"""The blameless check's fast paths give the same flags as the slow ones, on any input.

The engine skips work three ways: trigger windows (tested in ``test_blameless``), the
literals a pattern cannot match without (``literals``), and lines whose first character
rules out most Markdown (``markdown``). Each is checked here against the plain way of
doing the same thing; pathological inputs are bounded by a timeout, never by a clock.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import pytest

from bot.language.blameless import RULES, check, engine, evaluation
from bot.language.blameless.engine import prepare, run
from bot.language.blameless.markdown import LineKind, read_layout
from bot.language.literals import (
    Screen,
    any_of,
    fold,
    prefilters,
    read_as,
    required,
)

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus"


def _corpus_texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted((CORPUS / "texts").glob("*.md"))]
    for row in json.loads((CORPUS / "labels.json").read_text(encoding="utf-8")):
        texts.extend(quote["text"] for quote in row.get("quotes", []))
    return texts


def _fuzzed(count: int, seed: int) -> list[str]:
    """Lines of real documents cut and mixed with Markdown, quotes and private detail."""
    lines = [line for text in _corpus_texts() for line in text.split("\n") if line.strip()]
    pieces = [
        "\n", "\n\n", "```\n", "~~~\n", "> ", "- ", "1. ", "# ", "`", '"', "\u201c", "\u201d",
        "@dana ", "<@U12AB34> ", "ana@example.com ", "+44 20 7946 0958 ", "---\n", "<!-- ",
        " -->", "[docs](https://example.com/a) ", "| a | b |\n", "    ", "10:02 ", "\u2019",
        "Dana ", "the developer ", "QA ", "if ", "not ", "\u017f", "\u0130", "\u212a", "DRI: ",
    ]  # fmt: skip
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 30)):
            if rng.random() < 0.6:
                line = rng.choice(lines)
                start = rng.randrange(len(line))
                parts.append(line[start:] if rng.random() < 0.3 else line)
            else:
                parts.append(rng.choice(pieces))
            parts.append(rng.choice((" ", "\n", "", "\n\n")))
        texts.append("".join(parts))
    return texts


# --- folding -------------------------------------------------------------------------


def test_fold_maps_every_character_ignorecase_matches_to_an_ascii_letter() -> None:
    letter = re.compile("[a-z]", re.IGNORECASE)
    matched = [chr(code) for code in range(sys.maxunicode + 1) if letter.fullmatch(chr(code))]
    assert len(matched) > 52  # the ASCII letters, and a few others ("K" KELVIN SIGN, ...)
    for char in matched:
        (ascii_letter,) = (x for x in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(x, char, re.I))
        assert fold(char) == ascii_letter, hex(ord(char))
        assert fold(f"x{char}y") == f"x{ascii_letter}y", hex(ord(char))


def test_fold_keeps_every_offset_even_where_lowering_would_not() -> None:
    text = "\u0130stanbul \u212aelvin \u017fhould \u0131t STRASSE \u00c9t\u00e9 2\u00b3 \u2019s"
    assert len(text.lower()) != len(text)  # "İ" lowers to two characters
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("istanbul kelvin should it strasse")


# --- the literals a pattern needs ---------------------------------------------------


@pytest.mark.parametrize(
    ("source", "flags", "expected"),
    [
        (r"\bshould(?:n't|\s+not)?\s+have\b", re.I, [{"should", "shouldn't"}, {"have"}]),
        (r"(?:ab)?c", 0, [{"abc", "c"}]),
        (r"(?=never)ever", 0, [{"ever"}]),  # what a lookahead reads is not matched
        (r"[a-z]+ing\b", 0, [{"ing"}]),
        (r"\b(?:poor|bad)\s+judge?ment", re.I, [{"judgment", "judgement"}, {"poor", "bad"}]),
        (r"Dana\s+forgot", 0, [{"forgot"}, {"dana"}]),  # lower case, whatever the pattern
        (r"\w+@\w+", 0, [{"@"}]),
        (r"[A-Z]\w*|\d+", 0, []),  # nothing is certain
        (r"(?:x|\u00e9t\u00e9)", 0, []),  # a set with a string that is not ASCII
    ],
)
def test_required_sets_are_what_every_match_must_contain(
    source: str, flags: int, expected: list[set[str]]
) -> None:
    sets = required(re.compile(source, flags))
    assert [set(strings) for strings in sets] == expected[:2]


def test_every_match_of_every_rule_holds_its_required_strings() -> None:
    scans = [read_layout(text).scan for text in _corpus_texts()[:12] + _fuzzed(40, seed=3)]
    checked = 0
    for rule in RULES:
        for pattern in rule.patterns:
            sets = required(pattern)
            for scan in scans:
                for match in pattern.finditer(scan):
                    piece = fold(match.group())
                    assert all(any(s in piece for s in strings) for strings in sets), (
                        rule.rule,
                        pattern.pattern[:60],
                        match.group(),
                    )
                    checked += 1
    assert checked > 300


def test_any_of_finds_each_string_and_nothing_else() -> None:
    strings = frozenset({"mistake", "mistakes", "error", "f*", "fuck", "(0"})
    finder = re.compile(any_of(strings))
    for string in strings:
        assert finder.search(f"xx {string} yy")
    for text in ("mistak", "erro", "f", "(", "0", "fu*k"):
        assert finder.search(text) is None, text


def test_prefilters_pass_every_window_a_pattern_matches_in() -> None:
    pattern = re.compile(r"\b(?:poor|bad)\s+(?:judge?ment|decisions?)\b", re.IGNORECASE)
    checks = prefilters(pattern)
    assert checks
    for text in ("a POOR Judgement", "bad decisions", "Poor   judgment!"):
        assert pattern.search(text)
        assert all(check.search(fold(text)) for check in checks)
    assert not all(check.search(fold("poor planning")) for check in checks)


def test_a_screen_keeps_every_window_where_a_pattern_matches() -> None:
    sources = [rf"\bword{number}\s+(?:is|was)\s+\w+" for number in range(20)]
    sources += [r"[A-Z][a-z]+\s+forgot", r"\d{3}-\d{4}"]
    patterns = tuple(re.compile(source, re.IGNORECASE) for source in sources)
    screen = Screen(patterns)
    assert screen.scan is not None  # enough patterns to share one scan
    rng = random.Random(5)
    vocabulary = ["word1", "WORD7", "word19", "is", "was", "Dana", "forgot", "555-1234", "x"]
    text = " ".join(rng.choice(vocabulary) for _ in range(4000))
    folded = fold(text)
    windows = [(start, start + 40) for start in range(0, len(text) - 40, 37)]
    possible = screen.possible(folded, windows)
    for index, pattern in enumerate(patterns):
        kept = set(screen.windows(index, folded, windows, possible))
        for start, end in windows:
            if pattern.search(text, start, end):
                assert (start, end) in kept, (index, text[start:end])
    first = screen.windows(1, folded, windows, possible)
    assert 0 < len(first) < len(windows)  # the screen does skip windows


# --- the same flags, fast or slow -----------------------------------------------------


def test_a_rule_builds_its_screen_only_for_long_windows_or_when_prepared() -> None:
    rule = RULES[0]
    engine._SCREENS.pop(id(rule), None)
    assert engine._screen(rule, [(0, 100)]) is None
    assert id(rule) not in engine._SCREENS
    screen = engine._screen(rule, [(0, engine._SCREEN_FROM)])
    assert screen is not None and screen.patterns is rule.patterns
    prepare()
    assert all(engine._SCREENS[id(rule)].patterns is rule.patterns for rule in RULES)


def test_mixed_documents_give_the_same_flags_with_and_without_the_fast_paths() -> None:
    prepare()  # short texts too run through the screens
    for text in _fuzzed(150, seed=11):
        assert run(text) == run(text, windowed=False), text[:120]


def test_the_corpus_gives_the_same_flags_through_the_screens() -> None:
    prepare()
    for text in _corpus_texts():
        assert run(text) == run(text, windowed=False), text[:120]


def test_line_kinds_combine_as_numbers_and_stay_line_kinds() -> None:
    both = LineKind.HEADING | LineKind.QUOTE
    assert isinstance(both, LineKind) and int(both) == 3
    assert both & LineKind.QUOTE is LineKind.QUOTE
    assert isinstance(2 & both, LineKind) and (2 & both) == LineKind.QUOTE
    assert not both & LineKind.CODE and bool(both)
    assert (LineKind.PROSE | 8) is LineKind.TIMELINE


def test_layout_reads_each_kind_of_line_whatever_its_first_character() -> None:
    text = (
        "# Timeline\n"
        "10:02 dana: rolled back\n"
        "> quoted line\n"
        "- list item with `code` and <b>tag</b>\n"
        "Owner: @dana, see https://example.com/x and [docs](https://a.b/c)\n"
        "May 3 we paged the DRI\n"
        'A "quoted" word\n'
        "```\n"
        "should have\n"
        "```\n"
    )
    layout = read_layout(text)
    kinds = layout.kinds
    assert kinds[0] & LineKind.HEADING
    assert kinds[1] & LineKind.TIMELINE and kinds[1] & LineKind.CHAT
    assert kinds[2] & LineKind.QUOTE
    assert kinds[3] & LineKind.LIST
    assert kinds[4] & LineKind.OWNER
    assert kinds[5] & LineKind.TIMELINE and kinds[5] & LineKind.OWNER
    assert kinds[8] & LineKind.CODE and "should" not in layout.scan
    assert "example.com" not in layout.scan and "code" not in layout.scan
    assert "tag" in layout.scan and "<b>" not in layout.scan
    assert len(layout.scan) == len(text) and layout.scan.count("\n") == text.count("\n")
    start = text.index('"quoted"') + 1
    assert (start, start + len("quoted")) in layout.quotes


# --- linear time: pathological inputs finish (a quadratic pattern would hang) ---------

SHAPES = [
    "a-", "-", ".", "a.", "@", "a@", " ", "a ", "\n", "a-a team ", "1 ", "+1 ", "<@U", "`[](",
    "> ", "should ", "x", "Aa ", "`", '"', "\u201c", "<!--", "[a](", "http://", "a@b.", "| ",
    "# ", "    x\n", "- ", "12:00 ", "\u0130", "Dana forgot ", "should have ", "0",
    "<br> 04:27 - @ab ", "reported by @ab ", "Author: @ab ",
]  # fmt: skip


@pytest.mark.timeout(60)
@pytest.mark.parametrize("unit", SHAPES)
def test_long_runs_of_one_shape_finish_with_sound_flags(unit: str) -> None:
    text = (unit * (200_000 // len(unit) + 1))[:200_000]
    flags = check(text)
    assert all(text[flag.start : flag.end] == flag.phrase for flag in flags)
    assert flags == sorted(flags, key=lambda flag: (flag.start, flag.number, flag.end))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("unit", SHAPES)
def test_short_runs_of_one_shape_give_the_same_flags_with_and_without_the_fast_paths(
    unit: str,
) -> None:
    prepare()
    text = (unit * (3_000 // len(unit) + 1))[:3_000]
    assert run(text) == run(text, windowed=False)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("lead", ["-", " - ", "*", "+ "])
def test_handles_after_a_long_run_of_list_marks_finish(lead: str) -> None:
    # Each handle's judge looks back along its line for what marks it (an address, a
    # credit, a timeline entry); read to the line's start, 400,000 characters of marks
    # and handles took minutes.
    marks = lead * (200_000 // len(lead))
    text = marks + " @ab" * 50_000
    flags = check(text)
    assert [flag.phrase for flag in flags if flag.start > len(marks)] == ["@ab"] * 50_000


# --- judgements that read only the end of a long line ---------------------------------


@pytest.mark.parametrize(
    ("gap", "flagged"),
    [(" ", True), (" " * 130, True), (" * _ " * 40, True), ("x " * 70, False)],
)
def test_an_action_label_counts_however_far_back_its_colon_is(gap: str, flagged: bool) -> None:
    # The label's tail is searched first; a gap of spaces and marks longer than that
    # tail still reaches the label, words in between do not.
    text = "We looked at the graphs and wrote notes " * 8 + "Action:" + gap + "improve monitoring"
    found = [flag.phrase for flag in check(text) if flag.rule == "ownerless-action"]
    assert found == (["improve monitoring"] if flagged else [])


def test_an_action_label_after_a_long_sentence_on_its_line_still_counts() -> None:
    text = "We looked. " + "the logs " * 40 + "Action: improve monitoring"
    assert [flag.phrase for flag in check(text) if flag.rule == "ownerless-action"] == [
        "improve monitoring"
    ]


@pytest.mark.parametrize(
    ("lead", "flagged"), [(" " * 300, False), ("We asked for help " * 10, True)]
)
def test_a_handle_opening_a_long_line_addresses_someone(lead: str, flagged: bool) -> None:
    flags = [flag.phrase for flag in check(lead + "@dana the logs are here")]
    assert flags == (["@dana"] if flagged else [])


def test_an_action_table_is_told_by_the_pipes_of_its_line() -> None:
    table = "| Action | Owner | Due |\n|---|---|---|\n| Improve monitoring | | |\n"
    assert not [flag for flag in check(table) if flag.rule == "ownerless-action"]
    assert [flag.phrase for flag in check("Action: improve monitoring")] == ["improve monitoring"]


# --- long frames read through a stand-in -------------------------------------------------


def test_the_slip_frames_need_their_words_though_they_are_too_long_to_read() -> None:
    # Each writes out thousands of rated words; its stand-in still tells the words
    # without which it cannot match, so it is skipped elsewhere.
    for index, words in ((evaluation.OWN_SLIP, "my"), (evaluation.MADE_SLIP, "made")):
        pattern = evaluation.PATTERNS[index]
        assert len(pattern.pattern) > 6000
        assert any(words in strings for strings in required(pattern)), index
    assert check("It was my own stupid mistake.")
    assert check("I made a silly mistake.")
    assert check("the worst mistake I have ever made")
    assert not check("It was a silly config file.")


def test_read_as_reads_the_stand_in_for_a_long_pattern() -> None:
    source = r"\bdone\s+(?:" + "|".join(f"w{n:04d}" for n in range(1500)) + r")\s+wrong\b"
    pattern = re.compile(source, re.IGNORECASE)
    assert required(pattern) == []  # too long to read
    read_as(source, r"\bdone\s+(?:[\s\S]+)\s+wrong\b")
    assert [set(strings) for strings in required(pattern)] == [{"wrong"}, {"done"}]
