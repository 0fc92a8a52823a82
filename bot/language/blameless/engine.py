"""Running the rules: trigger words, sentence windows, judges, overlaps and ranking.

The protocol, in order:

1. ``read_layout`` blanks what is not prose (code, links, front matter but its title)
   and notes what each line is;
2. one pass of a trie-shaped pattern finds every trigger word; each rule then runs its
   patterns only on the sentences (at most a few hundred characters each) that hold one
   of its triggers, so a long text costs one linear pass plus work proportional to the
   sentences that might hold blame; within those, a pattern runs only where the strings
   every match of it contains are present (``literals``: one search per pattern, or one
   shared scan per window for a rule with many patterns);
3. a match inside quoted speech or a chat log is dropped (except private detail, which
   must be redacted whoever said it); the rule's judge reads the clause and gives the
   severity, or drops it;
4. overlaps resolve so one phrase gets one reframe: within a rule, the earliest then
   the longest; across rules 1-19, a flag inside a longer flag of another rule is
   dropped ("QA should have" is blame moved to others, not also a bare counterfactual);
   private detail is never dropped and hides any other flag inside it.

Each of these shortcuts gives exactly the flags of running every pattern on the whole
text (``run(text, windowed=False)``), which tests compare on real and mixed documents.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator

from bot.language.blameless.context import FIRST_PERSON, Context, words
from bot.language.blameless.markdown import Layout, LineKind, read_layout
from bot.language.blameless.model import Flag, Rule, Severity
from bot.language.blameless.rules import CAUSE_RULES, PRIVATE_RULE, ROOT_CAUSE_RULE, RULES
from bot.language.literals import Screen, fold, trie

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Characters that may start private detail: an address, a handle, a phone number. This is
# "[@+<]|\d{3}" written to open with one character class, which ``re`` scans for fast.
_PRIVATE_MARK = re.compile(r"[@+<\d](?:(?<=[@+<])|\d\d)")
# How far past its mark a private detail may run ("<@U12AB34|ada>", a phone number): a
# mark near the end of the window already open extends it by at least this much, so a
# window never ends inside the detail its mark begins.
_PRIVATE_REACH = 120


def _trigger_index(rules: Iterable[Rule]) -> tuple[re.Pattern[str], dict[str, list[Rule]]]:
    """One pattern for every rule's trigger words, and which rules each word wakes."""
    by_word: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        for word in rule.triggers:
            by_word[word].append(rule)
    pattern = re.compile(r"(?<![a-z])" + trie(by_word) + r"(?![a-z])")
    return pattern, dict(by_word)


_TRIGGERS, _RULES_BY_WORD = _trigger_index(RULES)
# The span lists each trigger word extends: (rule number, False), once per rule.
_STREAMS_BY_WORD = {
    word: tuple(dict.fromkeys((rule.number, False) for rule in rules))
    for word, rules in _RULES_BY_WORD.items()
}
_PRIVATE_STREAM = ((PRIVATE_RULE, True),)
# Lines whose words are not the writer's account: a chat log, code.
_NOT_WRITTEN = LineKind.CHAT | LineKind.CODE | LineKind.QUOTE
_PRIVATE = next(rule for rule in RULES if rule.number == PRIVATE_RULE)


class _Remembering(Context):
    """The context of one run, remembering the sentence, clause and line of an offset.

    Judges ask for the same sentence and clause several times for one match (who the
    subject is, whether it is negated, reported or supposed); each answer is a pure
    function of the offsets, so the first one is kept for the rest of the run.
    """

    def __init__(self, text: str, layout: Layout) -> None:
        super().__init__(text, layout)
        self._spans: dict[tuple[int, int], tuple[int, int]] = {}
        self._clauses: dict[int, str] = {}
        self._lines: dict[int, str] = {}

    def sentence_span(self, start: int, end: int) -> tuple[int, int]:
        """As :meth:`Context.sentence_span`, remembered."""
        span = self._spans.get((start, end))
        if span is None:
            span = self._spans[(start, end)] = super().sentence_span(start, end)
        return span

    def clause_before(self, start: int) -> str:
        """As :meth:`Context.clause_before`, remembered."""
        clause = self._clauses.get(start)
        if clause is None:
            clause = self._clauses[start] = super().clause_before(start)
        return clause

    def line(self, offset: int) -> str:
        """As :meth:`Context.line`, remembered for each line (a long line is read once)."""
        index = self.line_index(offset)
        line = self._lines.get(index)
        if line is None:
            line = self._lines[index] = super().line(offset)
        return line


def _windows(ctx: Context) -> dict[int, list[tuple[int, int]]]:
    """For each rule, the merged sentence spans that hold one of its trigger words.

    Triggers come in order of position, so a trigger wholly inside the span already open
    for a rule extends nothing and runs of triggers ("@@@@…") cost one span, not one per
    character; a trigger's sentence is found once for all the rules it wakes. Private
    detail has a second stream (``@``, ``+``, digits), merged last.
    """
    spans: dict[tuple[int, bool], list[tuple[int, int]]] = defaultdict(list)
    lowered = ctx.scan.lower()
    if len(lowered) != len(ctx.scan):  # a few letters lower to two characters
        lowered = ctx.scan.translate(_ASCII_LOWER)
    streams = (
        (
            (match.start(), match.end(), _STREAMS_BY_WORD[match.group()])
            for match in _TRIGGERS.finditer(lowered)
        ),
        (
            (match.start(), match.start() + _PRIVATE_REACH, _PRIVATE_STREAM)
            for match in _PRIVATE_MARK.finditer(ctx.scan)
        ),
    )
    for stream in streams:
        for start, end, keys in stream:
            sentence: tuple[int, int] | None = None
            for key in keys:
                found = spans[key]
                if found and end <= found[-1][1]:
                    continue  # wholly inside the span already open (a mark that starts
                    # inside it and runs past its end extends it instead)
                if sentence is None:
                    sentence = Context.sentence_span(ctx, start, end)  # not remembered
                left, right = sentence
                if found and left <= found[-1][1]:
                    found[-1] = (found[-1][0], max(found[-1][1], right))
                else:
                    found.append((left, right))
    merged: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (number, _), found in sorted(spans.items()):
        merged[number].extend(found)
    for number, found in merged.items():
        found.sort()
        out = [found[0]]
        for start, end in found[1:]:
            if start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        merged[number] = out
    return dict(merged)


def _matches(
    rule: Rule, ctx: Context, windows: list[tuple[int, int]] | None, folded: str = ""
) -> Iterator[tuple[int, int, int]]:
    """Non-empty match spans of a rule with the index of the pattern that matched.

    With windows, each pattern runs only on those of its rule's windows that hold the
    literals every match of it contains (``literals.Screen``, searched on ``folded``, the
    scan text folded by ``literals.fold``): a window without them has no match.
    """
    screen = None if windows is None else _screen(rule, windows)
    possible = None if screen is None else screen.possible(folded, windows or [])
    for index, pattern in enumerate(rule.patterns):
        if windows is None:
            found: Iterable[re.Match[str]] = pattern.finditer(ctx.scan)
        else:
            kept = windows if screen is None else screen.windows(index, folded, windows, possible)
            found = (m for start, end in kept for m in pattern.finditer(ctx.scan, start, end))
        for match in found:
            if match.start() != match.end():
                yield match.start(), match.end(), index


# A rule's screen costs up to a tenth of a second to build (reading its patterns); it is
# built once the rule has this many characters of windows to read, or by ``prepare``.
_SCREEN_FROM = 20_000
_SCREENS: dict[int, Screen] = {}


def _screen(rule: Rule, windows: list[tuple[int, int]]) -> Screen | None:
    """The rule's screen, or ``None`` while building one would cost more than it saves.

    A short text (a post in the share preview, a postmortem on the command line) reads
    few windows, and runs its patterns on them as they are until some text is long.
    """
    screen = _SCREENS.get(id(rule))
    if screen is not None and screen.patterns is rule.patterns:
        return screen
    if sum(end - start for start, end in windows) < _SCREEN_FROM:
        return None
    screen = _SCREENS[id(rule)] = Screen(rule.patterns)
    return screen


def prepare() -> None:
    """Build every rule's screen now, so no later text pays for it.

    A long-running process (the Slack app) can call this at start; tests call it to run
    the screens on short texts.
    """
    for rule in RULES:
        if _SCREENS.get(id(rule)) is None or _SCREENS[id(rule)].patterns is not rule.patterns:
            _SCREENS[id(rule)] = Screen(rule.patterns)


def _judged(
    rule: Rule, ctx: Context, spans: Iterable[tuple[int, int, int]]
) -> Iterator[tuple[int, int, Severity]]:
    """Apply what all rules share, then the rule's own judge."""
    for start, end, index in spans:
        if rule.number != PRIVATE_RULE and (
            ctx.quoted(start, end) or ctx.kind(start) & _NOT_WRITTEN
        ):
            continue
        if ctx.kind(start) & LineKind.HEADING and "\n" in ctx.scan[start:end]:
            continue  # a heading ends its sentence: "## ... Measure" + "failed." below it
        severity = rule.judge(ctx, start, end, index) if rule.judge else rule.severity
        if severity is not None:
            yield start, end, severity


def _without_overlaps(
    spans: Iterable[tuple[int, int, Severity]],
) -> list[tuple[int, int, Severity]]:
    """Keep the earliest, then longest, of overlapping spans within one rule."""
    kept: list[tuple[int, int, Severity]] = []
    for start, end, severity in sorted(set(spans), key=lambda span: (span[0], -span[1])):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end, severity))
    return kept


class _Positions:
    """Line and column of offsets, from the newline offsets found once."""

    def __init__(self, text: str) -> None:
        self.newlines = [match.start() for match in re.finditer("\n", text)]

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset (the column counts code points)."""
        line = bisect_left(self.newlines, offset)
        line_start = self.newlines[line - 1] + 1 if line else 0
        return line + 1, offset - line_start + 1


def _own(rule: Rule, text: str, start: int) -> bool:
    """True when the rule speaks to the writer of their own phrase: it opens with a
    first-person word, "I" stands at most one word before it ("I probably should
    have"), or "I was the" / "I'm the" leads into it ("I was the root cause")."""
    if rule.own_reframe is None and rule.own_title is None:
        return False
    first = words(text[start : start + 16])[:1]
    if first and first[0].lower() in FIRST_PERSON:
        return True
    before = words(text[max(0, start - 24) : start])
    if before[-2:-1] in (["I'm"], ["I\u2019m"]) or (
        before[-3:-2] == ["I"] and before[-2:-1] in (["was"], ["am"])
    ):
        return True  # "I was the root cause", "I'm the real cause": the writer as the cause
    return "I" in before[-2:]


def _flag(rule: Rule, text: str, positions: _Positions, span: tuple[int, int, Severity]) -> Flag:
    start, end, severity = span
    line, column = positions.line_column(start)
    end_line, last_column = positions.line_column(end - 1)
    own = _own(rule, text, start)
    return Flag(
        rule=rule.rule,
        number=rule.number,
        title=(own and rule.own_title) or rule.title,
        phrase=text[start:end],
        start=start,
        end=end,
        reframe=(own and rule.own_reframe) or rule.reframe,
        line=line,
        column=column,
        end_line=end_line,
        end_column=last_column + 1,
        severity=severity,
    )


def _hidden_by(flag: Flag, other: Flag) -> bool:
    """True when ``other`` covers ``flag`` and should speak for that stretch of text."""
    if other.rule == flag.rule or flag.number == PRIVATE_RULE:
        return False
    if not (other.start <= flag.start and flag.end <= other.end):
        return False
    longer = (other.end - other.start) > (flag.end - flag.start)
    return longer or other.number < flag.number or other.number == PRIVATE_RULE


def _drop_hidden(flags: list[Flag]) -> list[Flag]:
    """Drop flags covered by another rule's flag; only nearby flags can cover one."""
    ordered = sorted(flags, key=lambda flag: (flag.start, flag.number, flag.end))
    starts = [flag.start for flag in ordered]
    longest = max((flag.end - flag.start for flag in ordered), default=0)
    kept = []
    for flag in ordered:
        low = bisect_left(starts, flag.start - longest)
        high = bisect_right(starts, flag.start)
        if not any(_hidden_by(flag, other) for other in ordered[low:high]):
            kept.append(flag)
    return kept


def run(text: str, windowed: bool = True) -> list[Flag]:
    """Every flag in ``text``, sorted by position; ``windowed=False`` scans everything.

    The unwindowed scan gives the same flags, more slowly: tests compare the two to
    prove that no rule misses a phrase for want of a trigger word.
    """
    if not text:
        return []
    ctx = _Remembering(text, read_layout(text))
    windows = _windows(ctx) if windowed else None
    folded = fold(ctx.scan) if windowed else ""
    positions = _Positions(text)
    flags: list[Flag] = []
    for rule in RULES:
        rule_windows = None if windows is None else windows.get(rule.number, [])
        if rule_windows == []:
            continue
        found = _matches(rule, ctx, rule_windows, folded)
        spans = _without_overlaps(_judged(rule, ctx, found))
        flags.extend(_flag(rule, text, positions, span) for span in spans)
    return _drop_hidden(flags)


def priority(flag: Flag) -> int:
    """0 for a person or role named as the cause, 1 for other warnings, 2 for notes.

    A person or role as the cause is rules 10 and 13, and a root-cause flag that warns
    (it names a person as the root cause).
    """
    if flag.number in CAUSE_RULES:
        return 0
    if flag.number == ROOT_CAUSE_RULE and flag.severity is Severity.WARNING:
        return 0
    return 1 if flag.severity is Severity.WARNING else 2


def ranked(flags: Iterable[Flag]) -> list[Flag]:
    """Flags in the order a reader should see them: a person or role named as the cause
    first (with its reframe), then other warnings, then notes; by position within each."""
    return sorted(flags, key=lambda flag: (priority(flag), flag.start))
