"""A person's words reach Slack escaped, in `verbatim` text objects, and split across
sections without ever cutting an entity in two (issue: the summary DM and the recap did
not mark them verbatim; 1,500 `<` split `&lt;` across sections)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.checkins.views import RecapFacts, recap_message
from bot.core.mrkdwn import escape, split_for_sections
from bot.reflection.answers import Answers
from bot.reflection.summary_view import CommitmentLine, summary_message
from bot.sharing.views import split_escaped
from storage.models import CommitmentKind, CommitmentStatus

MARK = "zq-own-words"
ANGLES = "<" * 1500
ENTITY_BROKEN = re.compile(r"&(?:a|am|amp|l|lt|g|gt)?$|^(?:mp;|p;|;|t;)")


def _texts(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every mrkdwn text object in message blocks."""
    found = []
    for block in blocks:
        for obj in [block.get("text"), *(block.get("elements") or [])]:
            if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
                found.append(obj)
    return found


def _carrying(blocks: list[dict[str, Any]], needle: str) -> list[dict[str, Any]]:
    return [t for t in _texts(blocks) if needle in t["text"]]


def _answers(facts: str) -> Answers:
    return Answers({"facts": facts, "my_part": f"{MARK} part", "lesson": f"{MARK} lesson"})


def test_the_summary_dm_shows_the_persons_words_verbatim() -> None:
    plan = CommitmentLine(7, CommitmentKind.GROWTH, f"{MARK} plan http://example.com #general")
    _, blocks = summary_message(1, "t", _answers(f"{MARK} facts"), [plan], {}, "UTC")
    carrying = _carrying(blocks, MARK)
    assert len(carrying) == 4  # facts, part, lesson, the plan
    assert all(t.get("verbatim") is True for t in carrying), carrying


def test_the_recap_shows_the_persons_words_verbatim() -> None:
    facts = RecapFacts(
        title="t",
        days=3,
        what_happened=f"{MARK} happened",
        lesson=f"{MARK} lesson",
        outcomes=[("Plan", f"{MARK} plan", CommitmentStatus.DONE)],
    )
    _, blocks = recap_message(facts)
    carrying = _carrying(blocks, MARK)
    assert len(carrying) == 3
    assert all(t.get("verbatim") is True for t in carrying), carrying


def _assert_whole_entities(chunks: list[str], limit: int) -> None:
    for chunk in chunks:
        assert len(chunk) <= limit
        assert not ENTITY_BROKEN.search(chunk), chunk[:12] + "…" + chunk[-12:]
        assert "<" not in chunk  # nothing became live markup


def test_fifteen_hundred_angle_brackets_never_split_an_entity_in_the_summary() -> None:
    _, blocks = summary_message(1, "t", _answers(ANGLES), [], {}, "UTC")
    sections = [t["text"] for t in _carrying(blocks, "&lt;")]
    assert len(sections) > 1, "long enough to need several sections"
    bodies = [s.removeprefix("*What happened*\n") for s in sections]
    _assert_whole_entities(bodies, 3000)
    assert "".join(bodies) == escape(ANGLES), "every character kept, in order"


@pytest.mark.parametrize("limit", [3000, 2996, 2970, 1001, 997])
@pytest.mark.parametrize("text", [ANGLES, "&" * 1500, "a<b&c>" * 600, "x" * 2999 + "<" * 600])
def test_splitting_escaped_text_keeps_every_entity_whole(text: str, limit: int) -> None:
    for chunks in (split_for_sections(escape(text), limit), split_escaped(text, limit)):
        _assert_whole_entities(chunks, limit)
        assert "".join(chunks) == escape(text)


def test_a_mention_setback_built_is_never_cut() -> None:
    text = "word " * 10 + "x" * 2980 + "<@U0ADA>" + "y" * 100
    chunks = split_for_sections(text, 3000)
    assert any("<@U0ADA>" in c for c in chunks), chunks
