"""The shape of a document: what is prose, and what is code, links, chat or a timeline.

``read_layout`` walks the text once, line by line, and returns

* ``scan``: the text with apostrophes folded and everything that is not prose blanked
  to spaces, at the same offsets: front matter (but the value of its title, subtitle,
  description, summary or excerpt, read as a heading), fenced and indented code, inline code,
  link targets and reference definitions, bare URLs, HTML tags and comments. Rules run
  on ``scan``, so nothing is ever flagged inside them;
* a kind for each line (heading, block quote, chat log, timeline, table, list, owner
  field), which judges read: a heading is a title, a timeline line names who did what;
* the spans of quoted speech ("…" and “…” on one line), where a writer reports words
  that are not their own;
* the offsets where a new block starts (a paragraph, a list item, a row), which bound
  sentences and clauses in wrapped text.

Every step is linear in the length of the text: no pattern here can backtrack over
more than a bounded stretch, and pairs (fences, comments, backticks) are matched by
one forward scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntFlag
from itertools import accumulate, islice

from bot.language.literals import fold

APOSTROPHES = ("\u2019", "\u2018", "\u02bc")


def fold_apostrophes(text: str) -> str:
    """Typographic apostrophes as ASCII ones, one character for one (offsets stay)."""
    for mark in APOSTROPHES:
        if mark in text:
            text = text.replace(mark, "'")
    return text


class LineKind(IntFlag):
    """What a line is, as far as the rules care; a line can be several at once."""

    PROSE = 0
    HEADING = 1
    QUOTE = 2  # a Markdown block quote
    CHAT = 4  # a chat log line: "[10:02] <dana> …", or "dana: …" in a quote
    TIMELINE = 8  # starts with a time or a date
    TABLE = 16
    LIST = 32
    OWNER = 64  # names an owner or assignee: handles there are not private detail
    CODE = 128

    # Judges test kinds for every match and every line; enum's own operators run Python
    # code per call, so these read combinations from a table built once (``_KINDS``).
    def __and__(self, other: int) -> LineKind:
        value = int.__and__(self, other)
        if value is NotImplemented:
            return NotImplemented
        return _KINDS[value] if 0 <= value < len(_KINDS) else LineKind(value)

    __rand__ = __and__

    def __or__(self, other: int) -> LineKind:
        value = int.__or__(self, other)
        if value is NotImplemented:
            return NotImplemented
        return _KINDS[value] if 0 <= value < len(_KINDS) else LineKind(value)

    __ror__ = __or__
    __bool__ = int.__bool__


# Every combination of the eight kinds, by value.
_KINDS: tuple[LineKind, ...] = tuple(LineKind(value) for value in range(256))
# The kinds as plain numbers, for the line loop.
_HEADING_KIND, _QUOTE_KIND, _CHAT_KIND = (
    int(LineKind.HEADING),
    int(LineKind.QUOTE),
    int(LineKind.CHAT),
)
_TIMELINE_KIND, _TABLE_KIND = int(LineKind.TIMELINE), int(LineKind.TABLE)
_LIST_KIND, _OWNER_KIND, _CODE_KIND = int(LineKind.LIST), int(LineKind.OWNER), int(LineKind.CODE)


@dataclass(frozen=True)
class Layout:
    """The text as rules see it, with what each line is and where blocks begin."""

    scan: str
    line_starts: list[int]
    kinds: list[LineKind]
    quotes: list[tuple[int, int]]
    breaks: list[int]


# Lines that start a block of their own, so a sentence never runs into them.
_NEW_BLOCK = LineKind.LIST | LineKind.HEADING | LineKind.TABLE | LineKind.TIMELINE | LineKind.QUOTE
_NEW_BLOCK_KINDS = int(_NEW_BLOCK)
# What ends a block quote's paragraph instead of continuing it (CommonMark's lazy lines).
_LAZY_STOPS = int(LineKind.HEADING | LineKind.LIST | LineKind.TABLE)
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"\s{0,12}(?:[-*+\u2022]|\d{1,3}[.)])\s")
_HEADING = re.compile(r" {0,3}#{1,6}(?:\s|$)")
_SETEXT = re.compile(r" {0,3}(?:=+|-+)\s*$")
_QUOTE_MARK = re.compile(r" {0,3}>")
_TABLE = re.compile(r"\s{0,3}\|")
_REFERENCE = re.compile(r" {0,3}\[[^\]\n]{1,200}\]:\s")
# A front matter field a reader sees as the document's title or lead: its value is prose.
_FRONT_TITLE = re.compile(r"(?:title|subtitle|description|summary|excerpt)\s{0,8}[:=]\s{0,8}", re.I)
# After list, table and emphasis markers: a time ("21:33", "2:14 PM") or a date.
_LEAD = re.compile(r"[\s>|*_\-+\u2022\[(]{0,12}(?:\d{1,3}[.)]\s+)?[*_\[(]{0,3}")
_STAMP = re.compile(
    r"(?:\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|"
    r"jul|aug|sep|oct|nov|dec)[a-z]{0,6}\b|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]{0,6}\s+\d{1,2}\b|t[+-]\d)",
    re.IGNORECASE,
)
_CHAT_SPEAKER = re.compile(r"(?:<[\w.-]{1,40}>|@?[\w.-]{1,40}:)\s")
_OWNER = re.compile(r"\b(?:owners?|assignees?|assigned|cc|dri)\b", re.IGNORECASE)
_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()\s]{0,200}\)){0,2000}(?:\s+\"[^\"\n]{0,200}\")?\)")
# An image's alt text ("![Fork Bomb Failed](...)") labels a picture; it is not the account.
_IMAGE_ALT = re.compile(r"!\[[^\]\n]{0,300}(?=\]\()")
_URL = re.compile(r"(?<![\w@/])(?:https?://|www\.)[^\s<>()\[\]|\"'`]{1,2000}", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,30}(?:\s[^<>\n]{0,500})?/?>")
_BACKTICKS = re.compile(r"`+")
# Quoted speech on one line, read by ``_quoted`` (this is what it finds).
_QUOTED = re.compile(r"\"[^\"\n]{1,400}\"|\u201c[^\u201d\n]{1,400}\u201d")
_QUOTE_MAX = 400
_OPENING_QUOTE = re.compile('["\u201c]')
_CLOSING = {'"': '"', "\u201c": "\u201d"}
# What a line must hold for each blanking pattern to find anything in it.
# Blanked on a line that holds "](" (a link target), "://" or "w." ("www." in any case:
# a URL) or "<" (a tag); other lines cannot hold any of them.
_INLINE_BLANKS = (_LINK_TARGET, _IMAGE_ALT, _URL, _TAG)
# First characters a fence, a reference definition or a setext underline can open with.
_FENCE_STARTS = frozenset(" `~")
_REFERENCE_STARTS = frozenset(" [")
_SETEXT_STARTS = frozenset(" =-")


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every span turned to spaces, newlines kept so lines stay where they are.

    Spans may overlap and come in any order; the text outside them is copied in slices.
    """
    pieces: list[str] = []
    at = 0
    for start, end in sorted(spans):
        start = max(start, at)
        if end <= start:
            continue
        pieces.append(text[at:start])
        segment = text[start:end]
        if "\n" in segment:
            pieces.append("\n".join(" " * len(part) for part in segment.split("\n")))
        else:
            pieces.append(" " * len(segment))
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def _front_matter_end(lines: list[str]) -> int:
    """Number of lines of YAML (---) or TOML (+++) front matter at the top, or 0."""
    if not lines or lines[0].strip() not in ("---", "+++"):
        return 0
    fence = lines[0].strip()
    for number in range(1, min(len(lines), 200)):
        if lines[number].strip() == fence:
            return number + 1
    return 0


def _front_title(line: str) -> tuple[int, int] | None:
    """Where the value of a front matter title (or subtitle, description, summary,
    excerpt) lies in ``line``, without its quotes or a YAML comment after it; None for
    any other field, or a value that goes on in the lines below (``>``, ``|``). A title
    is the first thing a reader reads ("title: I Screwed Up"), so the rules read it too."""
    key = _FRONT_TITLE.match(line)
    if key is None:
        return None
    start, end = key.end(), len(line.rstrip())
    if start < end and line[start] in "\"'":
        close = line.find(line[start], start + 1)
        start, end = start + 1, (end if close == -1 else close)
    elif (comment := line.find(" #", start)) != -1:
        end = len(line[:comment].rstrip())
    if start >= end or line[start:end] in (">", "|", ">-", "|-", ">+", "|+"):
        return None
    return start, end


def _comments(text: str) -> list[tuple[int, int]]:
    """HTML comments, paired by one forward scan (an unclosed one runs to the end)."""
    spans = []
    at = text.find("<!--")
    while at != -1:
        close = text.find("-->", at + 4)
        end = len(text) if close == -1 else close + 3
        spans.append((at, end))
        at = text.find("<!--", end)
    return spans


def _inline(
    line: str, offset: int, blanks: list[tuple[int, int]], quotes: list[tuple[int, int]]
) -> None:
    """Blank inline code, link targets, image alt texts, URLs and tags on one line; note
    quoted speech.

    Each pattern needs a character most prose lines lack, so a line without it skips it.
    """
    if "`" in line:
        opened: re.Match[str] | None = None
        for run in _BACKTICKS.finditer(line):
            if opened is None:
                opened = run
            elif len(run.group()) == len(opened.group()):
                blanks.append((offset + opened.start(), offset + run.end()))
                opened = None
    if "](" in line or "://" in line or "w." in line or "W." in line or "<" in line:
        for pattern in _INLINE_BLANKS:
            for match in pattern.finditer(line):
                blanks.append((offset + match.start(), offset + match.end()))
    if '"' in line or "\u201c" in line:
        quotes.extend((offset + start, offset + end) for start, end in _quoted(line))


def _quoted(line: str) -> Iterator[tuple[int, int]]:
    """The inside of each quotation on a line, as ``_QUOTED.finditer`` finds them.

    A quotation opens with '"' and closes at the next '"', or opens with '“' and closes
    at the next '”', with 1 to ``_QUOTE_MAX`` characters between. Found by one forward
    scan that remembers where the next closing mark is: a regular expression would read
    up to ``_QUOTE_MAX`` characters again from every unmatched opening mark.
    """
    at = 0
    next_close = {'"': -2, "\u201c": -2}
    for opening in _OPENING_QUOTE.finditer(line):
        start = opening.start()
        if start < at:
            continue  # the closing mark of the quotation just found
        mark = opening.group()
        close = next_close[mark]
        if close <= start:
            close = next_close[mark] = line.find(_CLOSING[mark], start + 1)
            if close == -1:
                close = next_close[mark] = len(line) + _QUOTE_MAX + 2  # none after here
        if 2 <= close - start <= _QUOTE_MAX + 1:
            yield start + 1, close
            at = close + 1


def _kind(line: str, in_quote_block: bool, owner_hint: bool) -> int:
    """What one (non-code) line is, as the value of a ``LineKind``.

    A line that opens with a letter (most prose) can be no heading, quote, list item or
    table row by its start, so only what may follow a letter is tried.
    """
    kind = 0
    if line[:1].isalpha():
        quoted = False
        if line.count("|") >= 2:
            kind |= _TABLE_KIND
        rest = line
    else:
        if _HEADING.match(line):
            kind |= _HEADING_KIND
        quoted = _QUOTE_MARK.match(line) is not None
        if quoted:
            kind |= _QUOTE_KIND
        if _TABLE.match(line) or line.count("|") >= 2:
            kind |= _TABLE_KIND
        if _LIST_ITEM.match(line):
            kind |= _LIST_KIND
        lead = _LEAD.match(line)
        rest = line[lead.end() if lead else 0 :]
    if _STAMP.match(rest):
        kind |= _TIMELINE_KIND
    if (quoted or in_quote_block or kind & _TIMELINE_KIND) and _CHAT_SPEAKER.search(rest[:80]):
        kind |= _CHAT_KIND
    if owner_hint and _OWNER.search(line):
        kind |= _OWNER_KIND
    return kind


def _line_starts(lines: list[str]) -> list[int]:
    """The offset where each line begins (lines split at "\\n")."""
    ends = accumulate(len(line) + 1 for line in lines)
    return [0, *islice(ends, len(lines) - 1)]


def read_layout(text: str) -> Layout:
    """Read the structure of ``text`` (Markdown or Slack mrkdwn) in one linear pass."""
    folded = fold_apostrophes(text)
    lines = folded.split("\n")
    lowered = fold(folded)
    starts = _line_starts(lines)
    kinds: list[int] = []
    blanks: list[tuple[int, int]] = []
    quotes: list[tuple[int, int]] = []
    breaks: list[int] = []
    front = _front_matter_end(lines)
    fence = ""
    in_list = False
    previous_blank = True
    previous_code = False
    for number, line in enumerate(lines):
        start = starts[number]
        if not line.strip():  # a blank line: code inside a fence or front matter, else a break
            if number < front or fence:
                blanks.append((start, start + len(line)))
                kinds.append(_CODE_KIND)
            else:
                kinds.append(0)
                previous_code, previous_blank = False, True
                breaks.append(start)
            continue
        if number < front:
            title = _front_title(line)
            if title is None:
                blanks.append((start, start + len(line)))
                kinds.append(_CODE_KIND)
                continue
            blanks.extend(((start, start + title[0]), (start + title[1], start + len(line))))
            _inline(line[title[0] : title[1]], start + title[0], blanks, quotes)
            kinds.append(_HEADING_KIND)  # read as a title, a block of its own
            breaks.append(start)
            continue
        opening = _FENCE.match(line) if line[:1] in _FENCE_STARTS else None
        if fence:
            blanks.append((start, start + len(line)))
            kinds.append(_CODE_KIND)
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
                breaks.append(start + len(line))
            continue
        if opening:
            fence = opening.group(1)
            blanks.append((start, start + len(line)))
            kinds.append(_CODE_KIND)
            breaks.append(start)
            continue
        indented = line.startswith(("    ", "\t"))
        if indented and not in_list and (previous_blank or previous_code):
            blanks.append((start, start + len(line)))
            kinds.append(_CODE_KIND)
            previous_code, previous_blank = True, False
            breaks.append(start)
            continue
        previous_code = False
        if line[:1] in _REFERENCE_STARTS and _REFERENCE.match(line):
            blanks.append((start, start + len(line)))
            kinds.append(_CODE_KIND)
            previous_blank = False
            breaks.append(start)
            continue
        in_quote_block = bool(kinds) and bool(kinds[-1] & _QUOTE_KIND)
        hint = lowered[start : start + len(line)]  # an owner word holds one of these
        owner = "own" in hint or "assign" in hint or "cc" in hint or "dri" in hint
        kind = _kind(line, in_quote_block, owner)
        if in_quote_block and not previous_blank and not kind & _LAZY_STOPS:
            kind |= _QUOTE_KIND  # a lazy continuation: the quoted paragraph goes on
        if kind & _LIST_KIND:
            in_list = True
        elif not line[:1].isspace() and previous_blank:
            in_list = False
        if (
            line[:1] in _SETEXT_STARTS
            and _SETEXT.match(line)
            and not previous_blank
            and kinds
            and not kinds[-1] & _CODE_KIND
        ):
            kinds[-1] |= _HEADING_KIND
        after_heading = bool(kinds) and bool(kinds[-1] & _HEADING_KIND)
        if previous_blank or after_heading or kind & _NEW_BLOCK_KINDS:
            breaks.append(start)  # a new block; a heading ends with its line
        _inline(line, start, blanks, quotes)
        kinds.append(kind)
        previous_blank = False
    blanks.extend(_comments(folded))
    return Layout(
        _blanked(folded, blanks), starts, [_KINDS[kind] for kind in kinds], quotes, breaks
    )
