"""What the blameless check works with: a rule, its severity, and the flags it raises.

A rule is data (patterns, trigger words, a reframe idea); the context decisions that
make a match a flag live in ``judges``. Offsets in a flag are code-point offsets into
the text given to ``check``; lines and columns are 1-based, as editors count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.language.blameless.context import Context


class Severity(StrEnum):
    """How much a flag matters: blame and private detail warn, advice on form is a note.

    A lint fails on warnings; notes are shown beside them as ideas (a claim of one cause
    only, an action item with no owner, a promise to be more careful) and never fail a
    build by default. Notes are kept few: a well-written postmortem should see almost none.
    """

    WARNING = "warning"
    NOTE = "note"


# A judge sees one match in its context and says whether it is a flag, and how severe.
Judge = Callable[["Context", int, int, int], "Severity | None"]


@dataclass(frozen=True)
class Rule:
    """One rule group: what to look for and the reframe idea shown beside it.

    ``triggers`` are the words (lower case; a trailing ``*`` takes any ending) without
    which no pattern of the rule can match; the check only runs a rule's patterns on
    the sentences that hold one, which keeps it fast on long text. ``judge`` reads the
    context of each match (who the subject is, negation, quotation, Markdown) and
    returns its severity, or ``None`` to drop it. ``own_reframe``, when given, replaces
    the reframe for a phrase the writer says of themself ("I forgot to ..."): the share
    preview is read by the person whose reflection it is, so it speaks to them;
    ``own_title`` likewise replaces a title that speaks of someone else ("A person or
    role as the cause" over "I caused the outage").
    """

    number: int
    rule: str
    title: str
    patterns: tuple[re.Pattern[str], ...]
    reframe: str
    severity: Severity
    triggers: tuple[str, ...]
    judge: Judge | None = None
    own_reframe: str | None = None
    own_title: str | None = None


@dataclass(frozen=True)
class Flag:
    """A phrase in the text that one rule flagged, with where it is and a reframe idea."""

    rule: str
    number: int
    title: str
    phrase: str
    start: int
    end: int
    reframe: str
    line: int
    column: int
    end_line: int
    end_column: int
    severity: Severity
