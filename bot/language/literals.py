"""The literal strings a pattern cannot match without, to skip text it cannot match in.

Used by the blameless check's engine and by the crisis screen (`bot.language.safety`),
which searches a phrase only in answers that hold its strings. The engine runs each
rule's patterns on the sentence windows that hold one of the rule's trigger words; most
of those windows were opened by another pattern's word. Before a
pattern runs on a window, a cheap search asks whether the window holds one of the
strings every match of the pattern must contain; where it does not, the pattern cannot
match there and is skipped. The flags are the same by construction: a skipped window is
one the pattern has no match in.

Protocol:

* :func:`required` reads a pattern's parse tree once and returns sets of strings, each
  a necessary condition (every match contains one string of each set), or nothing when
  no literal is certain (a pattern of character classes only);
* :func:`fold` lowers the text to search, one character for one, so that a literal
  search on it is at least as permissive as the pattern's own case rules
  (``re.IGNORECASE`` also matches "K" KELVIN SIGN, "ſ" LONG S, "ı" DOTLESS I and "İ"
  with ASCII letters);
* :func:`prefilters` compiles those sets into case-sensitive tries of lower-case ASCII
  strings (:func:`any_of`), searched on the folded text; ``re`` finds those with its
  fast literal and character-set prefix scans, which a case-insensitive pattern never
  gets;
* a :class:`Screen` holds a rule's patterns and tells, for each window, which of them
  may match there: each pattern searching for itself, or, for a rule with many
  patterns, one scan of the window for all their best sets.

Each set is kept small (``_MAX_SET`` strings), and a very long pattern (over
``_MAX_SOURCE`` characters, such as a lexicon written out as a trie) is not read at
all: reading it once would cost more than running it on every window of a document.
Its author may instead give a short stand-in with :func:`read_as`, a pattern that
matches every string the long one matches (the lexicon replaced by "any text"); the
stand-in's required strings are then the long pattern's too, since a string every
match of the wider pattern contains is one every match of the narrower contains.

Reading the tree uses ``re._parser``, the parser the standard library compiles with; if
it is missing or changes shape, :func:`required` returns nothing and the pattern simply
runs on every window, as before.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

try:
    _PARSER: Any = importlib.import_module("re._parser")
    _CODES: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - every supported Python has them
    _PARSER = _CODES = None

# A product of alternatives larger than this starts a new run instead of growing.
_MAX_STRINGS = 256
# How many necessary sets a pattern checks before it runs (the best ones first).
_MAX_SETS = 2
# The largest set a pattern checks, and the longest pattern read for sets.
_MAX_SET = 400
_MAX_SOURCE = 6000
# The largest character class read as its characters.
_MAX_CLASS = 16
# From how many patterns with sets a rule scans each window once for all of them.
_SHARED_FROM = 16
# Non-ASCII characters that re.IGNORECASE matches with an ASCII letter.
_SPECIAL_FOLDS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_ASCII_FOLD = str.maketrans(
    {**{chr(code): chr(code + 32) for code in range(65, 91)}, **_SPECIAL_FOLDS}
)

Strings = frozenset[str]


def fold(text: str) -> str:
    """``text`` lowered for literal search, one character for one.

    Every character that a case-insensitive ASCII letter in a pattern can match becomes
    that letter in lower case, so a literal found by a pattern is found on the folded
    text too. ASCII characters other than letters are kept as they are.
    """
    folded = text.lower()
    if len(folded) != len(text):  # "İ" lowers to two characters
        return text.translate(_ASCII_FOLD)
    for char, letter in _SPECIAL_FOLDS.items():
        if char in folded:
            folded = folded.replace(char, letter)
    return folded


class _Info:
    """What a piece of pattern says about the text it matches.

    ``starts``: every match begins with one of these strings; ``exact``: every match is
    one of them; ``needs``: sets of strings every match contains (one of each set).
    """

    __slots__ = ("exact", "needs", "starts")

    def __init__(self, starts: Strings, exact: bool, needs: list[Strings]) -> None:
        self.starts = starts
        self.exact = exact
        self.needs = needs


_EMPTY = frozenset({""})


def _product(left: Strings, right: Strings) -> Strings | None:
    if len(left) * len(right) > _MAX_STRINGS:
        return None
    return frozenset(a + b for a in left for b in right)


def _sequence(items: list[tuple[Any, Any]]) -> _Info:
    """A concatenation: runs of strings joined across items, and the items' own needs."""
    needs: list[Strings] = []
    run: Strings = _EMPTY
    starts: Strings | None = None  # the run at the first inexact item
    for op, av in items:
        info = _item(op, av)
        needs.extend(info.needs)
        joined = _product(run, info.starts)
        if joined is None:
            needs.append(run)
            joined = info.starts
            if starts is None:
                starts = run
        run = joined
        if not info.exact:
            needs.append(run)
            if starts is None:
                starts = run
            run = _EMPTY
    needs.append(run)
    exact = starts is None
    return _Info(run if starts is None else starts, exact, [s for s in needs if "" not in s])


def _branch(alternatives: list[list[tuple[Any, Any]]]) -> _Info:
    infos = [_sequence(alternative) for alternative in alternatives]
    starts = frozenset().union(*(info.starts for info in infos))
    exact = all(info.exact for info in infos) and len(starts) <= _MAX_STRINGS
    if len(starts) > _MAX_STRINGS:
        starts, exact = _EMPTY, False
    union: set[str] = set()
    for info in infos:
        best = _best(info.needs)
        if best is None:
            return _Info(starts, exact, [])  # one way through needs nothing certain
        union |= best
    return _Info(starts, exact, [frozenset(union)])


def _repeat(low: int, high: int, body: list[tuple[Any, Any]]) -> _Info:
    info = _sequence(body)
    if low == 0:
        starts = info.starts | _EMPTY
        return _Info(starts, info.exact and high <= 1, [])
    if low == high == 1:
        return info
    if info.exact:  # "(?:ab){2,3}": every match begins with ``low`` of the body's strings
        begins = _power(info.starts, low)
        if begins is not None:
            return _Info(begins, low == high, [])
    return _Info(info.starts, False, info.needs)


def _power(strings: Strings, count: int) -> Strings | None:
    result: Strings | None = _EMPTY
    for _ in range(count):
        result = _product(result, strings) if result is not None else None
    return result


def _class(items: list[tuple[Any, Any]]) -> Strings | None:
    """The characters of a small class of literal characters ("[ .-]"), or None."""
    chars = set()
    for op, av in items:
        if op is not _CODES.LITERAL:
            return None  # a range, a negation, a category
        chars.add(chr(av))
    return frozenset(chars) if len(chars) <= _MAX_CLASS else None


def _item(op: Any, av: Any) -> _Info:
    """One node of the parse tree."""
    codes = _CODES
    if op is codes.LITERAL:
        return _Info(frozenset({chr(av)}), True, [])
    if op is codes.IN:
        chars = _class(list(av))
        return _Info(_EMPTY, False, []) if chars is None else _Info(chars, True, [])
    if op in (codes.AT, codes.ASSERT, codes.ASSERT_NOT):
        return _Info(_EMPTY, True, [])  # zero-width: the text around it is contiguous
    if op is codes.SUBPATTERN:
        return _sequence(list(av[3]))
    if op is getattr(codes, "ATOMIC_GROUP", None):
        return _sequence(list(av))
    if op is codes.BRANCH:
        return _branch([list(alternative) for alternative in av[1]])
    if op in (codes.MAX_REPEAT, codes.MIN_REPEAT, getattr(codes, "POSSESSIVE_REPEAT", None)):
        return _repeat(av[0], av[1], list(av[2]))
    return _Info(_EMPTY, False, [])  # a class, any character, a back reference


def _quality(strings: Strings) -> tuple[int, int]:
    """Longer shortest strings are rarer; fewer strings, fewer chances."""
    return min(len(string) for string in strings), -len(strings)


# Long pattern sources, and the short patterns read in their place (see read_as).
_STAND_INS: dict[str, str] = {}


def read_as(source: str, stand_in: str) -> None:
    """Read ``stand_in`` for the required strings of the pattern ``source``.

    Lets a pattern too long to read (a lexicon written out as a trie) still be skipped
    where its words do not occur. The caller vouches that every string ``source``
    matches, ``stand_in`` matches too (with the same flags): typically ``source`` with
    the trie replaced by ``[\\s\\S]+``. The stand-in is then also necessary for the long
    one, so the flags stay the same.
    """
    _STAND_INS[source] = stand_in
    required.cache_clear()
    prefilters.cache_clear()


def _best(needs: list[Strings]) -> Strings | None:
    return max(needs, key=_quality) if needs else None


@lru_cache(maxsize=1024)
def required(pattern: re.Pattern[str]) -> list[Strings]:
    """Sets of lower-case ASCII strings every match of ``pattern`` contains, best first.

    A set holding a string that is not ASCII is left out: folding would not be sure to
    keep its case rules. So is a set of more than ``_MAX_SET`` strings (slow to compile,
    and present in most windows anyway), and a pattern longer than ``_MAX_SOURCE``
    characters is not read at all: reading it would cost more, once, than running it
    everywhere (unless :func:`read_as` gave a stand-in). An empty list means nothing
    is certain.
    """
    source = _STAND_INS.get(pattern.pattern, pattern.pattern)
    if _PARSER is None or len(source) > _MAX_SOURCE:
        return []
    try:
        tree = _PARSER.parse(source, pattern.flags)
        needs = _sequence(list(tree.data)).needs
    except Exception:  # an unexpected tree shape: no prefilter, not an error
        return []
    usable = {
        frozenset(string.lower() for string in strings)
        for strings in needs
        if len(strings) <= _MAX_SET and all(string.isascii() for string in strings)
    }
    return sorted(usable, key=_quality, reverse=True)[:_MAX_SETS]


def any_of(strings: Strings) -> str:
    """A regular expression finding any of ``strings``, shaped as a trie.

    Only whether one is present matters, so a string that begins with another is left
    out ("mistakes" holds "mistake"): the trie stops at the first complete string, and
    a set of thousands of words costs one branch per letter at each position.
    """
    tree: dict[str, Any] = {}
    for string in sorted(strings, key=len):
        node = tree
        for char in string:
            if "" in node:
                break  # a shorter string already covers this one
            node = node.setdefault(char, {})
        else:
            node.clear()
            node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        if "" in node:
            return ""
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(tree)


@lru_cache(maxsize=1024)
def prefilters(pattern: re.Pattern[str]) -> tuple[re.Pattern[str], ...]:
    """Case-sensitive searches, on :func:`fold`-ed text, that every match must pass."""
    return tuple(re.compile(any_of(strings)) for strings in required(pattern))


def trie(strings: Iterable[str]) -> str:
    """A non-capturing expression matching any of ``strings``, shaped as a trie.

    At each position the engine follows one branch per letter instead of trying every
    string in turn, so a pattern over thousands of words stays as fast as a short one;
    where one string begins another, the longer is tried first.
    """
    tree: dict[str, Any] = {}
    for string in strings:
        node = tree
        for char in string:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + emit(tree) + ")"


class Screen:
    """Which of a rule's patterns can match in a window.

    A rule with few patterns lets each pattern search its own sets (:func:`prefilters`)
    in each window: fast literal scans. A rule with many patterns (``_SHARED_FROM`` or
    more) scans each window once instead: each pattern's best set joins one trie, and a
    zero-width scan reports, at every position, the longest string of the trie that
    starts there, and so every string present (a shorter one starting at the same place
    is a prefix of the longest). A pattern whose best set is absent cannot match; one
    whose set is present then checks its other sets. A pattern with no set always runs.
    """

    def __init__(self, patterns: tuple[re.Pattern[str], ...]) -> None:
        self.patterns = patterns
        self.always = 0
        by_string: dict[str, int] = {}
        for index, pattern in enumerate(patterns):
            sets = required(pattern)
            if not sets:
                self.always |= 1 << index
                continue
            for string in sets[0]:
                by_string[string] = by_string.get(string, 0) | 1 << index
        # Each string found stands for itself and every string of the trie it begins with.
        self.masks = {string: _prefix_mask(string, by_string) for string in by_string}
        shared = len(patterns) - self.always.bit_count() >= _SHARED_FROM
        self.scan = re.compile("(?=(" + trie(by_string) + "))") if shared else None

    def possible(self, folded: str, windows: list[tuple[int, int]]) -> list[int] | None:
        """For each window a bit per pattern (bit ``i`` for pattern ``i``) that may match
        there, from the shared scan; ``None`` when each pattern checks for itself."""
        if self.scan is None:
            return None
        found = []
        masks = self.masks
        for start, end in windows:
            mask = self.always
            for match in self.scan.finditer(folded, start, end):
                mask |= masks[match.group(1)]
            found.append(mask)
        return found

    def candidates(self, folded: str) -> list[int]:
        """The patterns that may match somewhere in ``folded``, a whole text (one window):
        the shared scan's bits first, so a short text holding none of the strings costs
        one scan, not a check per pattern."""
        whole = [(0, len(folded))]
        possible = self.possible(folded, whole)
        if possible is None:
            indexes: Iterable[int] = range(len(self.patterns))
        else:
            indexes = [i for i in range(len(self.patterns)) if possible[0] >> i & 1]
        return [i for i in indexes if self.windows(i, folded, whole, possible)]

    def windows(
        self,
        index: int,
        folded: str,
        windows: list[tuple[int, int]],
        possible: list[int] | None,
    ) -> list[tuple[int, int]]:
        """The windows pattern ``index`` may match in: every set it needs is there."""
        checks = prefilters(self.patterns[index])
        if possible is not None:
            bit = 1 << index
            windows = [window for window, mask in zip(windows, possible, strict=True) if mask & bit]
            checks = checks[1:]
        for check in checks:
            windows = [(start, end) for start, end in windows if check.search(folded, start, end)]
        return windows


def _prefix_mask(string: str, by_string: dict[str, int]) -> int:
    mask = 0
    for length in range(1, len(string) + 1):
        mask |= by_string.get(string[:length], 0)
    return mask
