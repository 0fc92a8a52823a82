"""The shape of a document: what is prose, and what is code, links, chat or a timeline.

``read_layout`` walks the text once, line by line, and returns

* ``scan``: the text with apostrophes folded and everything that is not prose blanked
  to spaces, at the same offsets: front matter, fenced and indented code, inline code,
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
from dataclasses import dataclass
from enum import IntFlag

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
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"\s{0,12}(?:[-*+\u2022]|\d{1,3}[.)])\s")
_HEADING = re.compile(r" {0,3}#{1,6}(?:\s|$)")
_SETEXT = re.compile(r" {0,3}(?:=+|-+)\s*$")
_QUOTE_MARK = re.compile(r" {0,3}>")
_TABLE = re.compile(r"\s{0,3}\|")
_REFERENCE = re.compile(r" {0,3}\[[^\]\n]{1,200}\]:\s")
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
_URL = re.compile(r"(?<![\w@/])(?:https?://|www\.)[^\s<>()\[\]|\"'`]{1,2000}", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,30}(?:\s[^<>\n]{0,500})?/?>")
_BACKTICKS = re.compile(r"`+")
_QUOTED = re.compile(r"\"[^\"\n]{1,400}\"|\u201c[^\u201d\n]{1,400}\u201d")


def _blank(chars: list[str], start: int, end: int) -> None:
    """Blank a stretch of one line of the scan text (no newline inside)."""
    chars[start:end] = [" "] * (end - start)


def _blank_lines(chars: list[str], start: int, end: int) -> None:
    """Blank a stretch that may hold newlines, keeping them so lines stay where they are."""
    chars[start:end] = ["\n" if char == "\n" else " " for char in chars[start:end]]


def _front_matter_end(lines: list[str]) -> int:
    """Number of lines of YAML (---) or TOML (+++) front matter at the top, or 0."""
    if not lines or lines[0].strip() not in ("---", "+++"):
        return 0
    fence = lines[0].strip()
    for number in range(1, min(len(lines), 200)):
        if lines[number].strip() == fence:
            return number + 1
    return 0


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


def _inline(line: str, offset: int, chars: list[str], quotes: list[tuple[int, int]]) -> None:
    """Blank inline code, link targets, URLs and tags on one line; note quoted speech."""
    opened: re.Match[str] | None = None
    for run in _BACKTICKS.finditer(line):
        if opened is None:
            opened = run
        elif len(run.group()) == len(opened.group()):
            _blank(chars, offset + opened.start(), offset + run.end())
            opened = None
    for pattern in (_LINK_TARGET, _URL, _TAG):
        for match in pattern.finditer(line):
            _blank(chars, offset + match.start(), offset + match.end())
    for match in _QUOTED.finditer(line):
        quotes.append((offset + match.start() + 1, offset + match.end() - 1))


def _kind(line: str, in_quote_block: bool) -> LineKind:
    """What one (non-code) line is."""
    kind = LineKind.PROSE
    if _HEADING.match(line):
        kind |= LineKind.HEADING
    quoted = _QUOTE_MARK.match(line) is not None
    if quoted:
        kind |= LineKind.QUOTE
    if _TABLE.match(line) or line.count("|") >= 2:
        kind |= LineKind.TABLE
    if _LIST_ITEM.match(line):
        kind |= LineKind.LIST
    lead = _LEAD.match(line)
    rest = line[lead.end() if lead else 0 :]
    if _STAMP.match(rest):
        kind |= LineKind.TIMELINE
    if (quoted or in_quote_block or kind & LineKind.TIMELINE) and _CHAT_SPEAKER.search(rest[:80]):
        kind |= LineKind.CHAT
    if _OWNER.search(line):
        kind |= LineKind.OWNER
    return kind


def read_layout(text: str) -> Layout:
    """Read the structure of ``text`` (Markdown or Slack mrkdwn) in one linear pass."""
    folded = fold_apostrophes(text)
    chars = list(folded)
    lines = folded.split("\n")
    starts: list[int] = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    kinds: list[LineKind] = []
    quotes: list[tuple[int, int]] = []
    breaks: list[int] = []
    front = _front_matter_end(lines)
    fence = ""
    in_list = False
    previous_blank = True
    previous_code = False
    for number, line in enumerate(lines):
        start = starts[number]
        blank_line = not line.strip()
        if number < front:
            _blank(chars, start, start + len(line))
            kinds.append(LineKind.CODE)
            continue
        opening = _FENCE.match(line)
        if fence:
            _blank(chars, start, start + len(line))
            kinds.append(LineKind.CODE)
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
                breaks.append(start + len(line))
            continue
        if opening:
            fence = opening.group(1)
            _blank(chars, start, start + len(line))
            kinds.append(LineKind.CODE)
            breaks.append(start)
            continue
        indented = line.startswith(("    ", "\t")) and not blank_line
        if indented and not in_list and (previous_blank or previous_code):
            _blank(chars, start, start + len(line))
            kinds.append(LineKind.CODE)
            previous_code, previous_blank = True, False
            breaks.append(start)
            continue
        previous_code = False
        if blank_line:
            kinds.append(LineKind.PROSE)
            previous_blank = True
            breaks.append(start)
            continue
        if _REFERENCE.match(line):
            _blank(chars, start, start + len(line))
            kinds.append(LineKind.CODE)
            previous_blank = False
            breaks.append(start)
            continue
        in_quote_block = bool(kinds) and bool(kinds[-1] & LineKind.QUOTE)
        kind = _kind(line, in_quote_block)
        if kind & LineKind.LIST:
            in_list = True
        elif not line[:1].isspace() and previous_blank:
            in_list = False
        if _SETEXT.match(line) and not previous_blank and kinds and not kinds[-1] & LineKind.CODE:
            kinds[-1] |= LineKind.HEADING
        after_heading = bool(kinds) and bool(kinds[-1] & LineKind.HEADING)
        if previous_blank or after_heading or kind & _NEW_BLOCK:
            breaks.append(start)  # a new block; a heading ends with its line
        _inline(line, start, chars, quotes)
        kinds.append(kind)
        previous_blank = False
    for start, end in _comments(folded):
        _blank_lines(chars, start, end)
    return Layout("".join(chars), starts, kinds, quotes, breaks)
