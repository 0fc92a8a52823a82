"""Blameless language check for retros and postmortems, in Slack and on the command line.

The share preview runs :func:`check` on each part of a post and shows each flagged
phrase with a reframe idea (:func:`ranked` puts a person or role named as the cause
first); ``setback check`` runs it on files. The check advises, it never blocks.

Protocol: the text is read for its structure first (``markdown``: code, links, front
matter, headings, block-quoted chat logs, timelines, quoted speech), the twenty rule
groups (``rules``) then run on the sentences that hold their trigger words, and a judge
per rule (``judges``, reading the clause through ``context``) decides whether a match is
blame: who the subject is, whether it is negated, supposed or reported. The "character"
rule ends with ``evaluation``, a general detector of negative evaluations (its own words
and the rated lexicon of ``lexicon`` in a few frames, and the story of a mistake or a
damaging act) whose target is a person or a role, not a system. Each flag is a
warning (blame, judgement of a person, private detail) or a note (advice on the form of
the account). ``engine`` resolves overlaps so one phrase gets one reframe. The whole
check is linear in the length of the text.
"""

from __future__ import annotations

from bot.language.blameless.engine import priority, ranked, run
from bot.language.blameless.model import Flag, Rule, Severity
from bot.language.blameless.rules import RULES

__all__ = ["RULES", "Flag", "Rule", "Severity", "check", "priority", "ranked"]


def check(text: str) -> list[Flag]:
    """Return the phrases in ``text`` that work against a blameless account.

    Each flag carries the exact phrase, where it is (offsets, 1-based line and column)
    its severity and a reframe idea, so the share preview and the command line can point
    at it and the author can decide. The list is sorted by position; no rule flags the
    same stretch of text twice.
    """
    return run(text)
