"""The share post and what may be offered: pure rules, no Slack and no database."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.language.blameless import check
from bot.reflection.answers import Answers
from bot.sharing import views
from bot.sharing.draft import SECTION_BY_KEY, Draft, FoundFlag, ShareMeta, metadata, read_metadata
from bot.sharing.offer import commitments_text, offered_sections, origin_channel
from bot.sharing.outcome import PROBLEMS, problem_text
from bot.sharing.views import post_content, split_escaped
from storage.models import Commitment


def _commitment(kind: str, text: str, status: str = "active") -> Commitment:
    return Commitment(team_id="T1", user_id="U1", setback_id=1, kind=kind, text=text, status=status)


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def _draft(**sections: str) -> Draft:
    return Draft(channel="C1", title="A title", sections=dict(sections))


# --- what may be offered -------------------------------------------------------------------


def test_only_the_five_shareable_parts_are_offered() -> None:
    answers = Answers.from_steps(
        {
            0: {"title": "T", "facts": "What happened.", "when": "2026-11-24"},
            1: {"feelings": ["guilty"], "friend": "Be kind to yourself."},
            2: {"my_part": "Mine.", "apology_draft": "Sorry.", "affected": "Support."},
            3: {"factors": "One\nTwo", "limited": "An alert.", "expected": "E", "made_sense": "M"},
            4: {"people": ["U2"], "support_kinds": ["peer"]},
            5: {"lesson": "A lesson."},
        }
    )
    commitments = [_commitment("growth", "If x, then I will y")]
    offered = offered_sections(answers, commitments)
    assert offered == {
        "happened": "What happened.",
        "factors": "One\nTwo",
        "limited": "An alert.",
        "lesson": "A lesson.",
        "commitments": "If x, then I will y — in progress",
    }
    assert "Be kind" not in json.dumps(offered) and "Sorry" not in json.dumps(offered)


def test_a_part_with_crisis_language_or_no_text_is_not_offered() -> None:
    answers = Answers.from_steps(
        {0: {"facts": "  "}, 3: {"limited": "I want to end it all."}, 5: {"lesson": "Ok."}}
    )
    assert offered_sections(answers, []) == {"lesson": "Ok."}


def test_commitments_show_status_and_leave_out_support_cancelled_and_crisis() -> None:
    commitments = [
        _commitment("amends", "Walk support through it.", "done"),
        _commitment("growth", "If a review is late, then I will ask for a second one", "let_go"),
        _commitment("support", "Reach out to someone for support"),
        _commitment("growth", "If x, then I will z", "cancelled"),
        _commitment("growth", "If it goes wrong, then I will kill myself"),
    ]
    assert commitments_text(commitments).splitlines() == [
        "Repair: Walk support through it — done",
        "If a review is late, then I will ask for a second one — let go",
    ]


@pytest.mark.parametrize(
    ("channel_id", "name", "expected"),
    [
        ("C0GENERAL", "general", "C0GENERAL"),
        ("G0LEADS", "privategroup", "G0LEADS"),
        ("D0ADA", "directmessage", None),
        ("C0ADA", "directmessage", None),
        ("G0MPIM", "mpdm-ada--ben-1", None),
        (None, None, None),
        ("<!channel>", "x", None),
    ],
)
def test_origin_channel_is_only_a_real_channel(channel_id, name, expected) -> None:
    assert origin_channel(channel_id, name) == expected


def test_every_slack_error_named_in_the_issue_has_its_own_advice() -> None:
    for code in (
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "ratelimited",
        "restricted_action",
        "msg_too_long",
    ):
        assert code in PROBLEMS and problem_text(code) != problem_text("something_else")
    assert "invite @Setback" in problem_text("channel_not_found")


# --- metadata and drafts ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", [None, "", "not json", "[1]", '{"sid":"x"}', '{"sh":[1]}'])
def test_malformed_metadata_names_nothing(raw) -> None:
    assert read_metadata(raw) == ShareMeta(None)


def test_metadata_round_trips_and_drops_a_forged_channel() -> None:
    meta = ShareMeta(3, 7, "C0GENERAL")
    assert read_metadata(metadata(meta)) == meta
    forged = json.dumps({"sid": 3, "sh": None, "ch": "<!here>"})
    assert read_metadata(forged) == ShareMeta(3, None, None)


def test_a_stored_draft_cannot_carry_parts_that_are_never_offered() -> None:
    stored = {"channel": "C1", "title": "T", "sections": [["lesson", "L"], ["feelings", "sad"]]}
    draft = Draft.from_json(stored)
    assert draft is not None and draft.sections == {"lesson": "L"}
    assert Draft.from_json("nope") is None
    assert Draft.from_json({"sections": 5}) is None


# --- the post --------------------------------------------------------------------------------


def test_named_and_anonymous_credit_lines() -> None:
    named = post_content(_draft(lesson="L"), "U0ADA").as_dicts()[0]
    assert named[-1]["elements"][0]["text"] == "Shared by <@U0ADA> with /setback"
    anonymous = post_content(_draft(lesson="L"), None)
    assert anonymous.as_dicts()[0][-1]["elements"][0]["text"] == "Shared anonymously with /setback"
    assert "U0ADA" not in json.dumps(anonymous.as_dicts()) + anonymous.text


def test_a_crafted_author_id_never_becomes_a_mention() -> None:
    blocks = post_content(_draft(lesson="L"), "<!channel>").as_dicts()[0]
    assert blocks[-1]["elements"][0]["text"] == "Shared anonymously with /setback"


def test_parts_are_labelled_in_order_and_listed_parts_are_bulleted() -> None:
    draft = _draft(factors="- one\n\n• two\n3) three", lesson="A lesson")
    draft.intro = "Hi team"
    texts = _texts(post_content(draft, None).as_dicts()[0])
    assert texts == [
        "Hi team",
        "*Contributing factors*\n• one\n• two\n• three",
        "*The lesson*\nA lesson",
    ]


def test_escaping_keeps_mentions_and_links_inert() -> None:
    text = "<!channel> <@U1> <#C1> <https://x.example|x> & done"
    (section,) = _texts(post_content(_draft(lesson=text), None).as_dicts()[0])
    assert "<" not in section and ">" not in section
    assert html.unescape(section.split("\n", 1)[1]) == text


@pytest.mark.parametrize("unit", ["&", "<", "a<b&c>d ", "word "])
def test_long_text_is_split_without_losing_a_character_or_breaking_an_entity(unit) -> None:
    text = (unit * 3000)[:3000].strip()
    chunks = split_escaped(text, 3000 - len("*The lesson*\n"))
    assert len(chunks) > 1 or unit == "word "
    for chunk in chunks:
        assert len(chunk) <= 3000 - len("*The lesson*\n")
        assert not chunk.endswith(("&", "&a", "&am", "&amp", "&l", "&lt", "&g", "&gt"))
    joined = html.unescape("".join(chunks))  # cuts drop only the whitespace they fall on
    assert "".join(joined.split()) == "".join(text.split())


def test_past_fifty_blocks_the_post_continues_in_thread_replies() -> None:
    sections = {key: ("x<y " * 2000)[:3000] for key in SECTION_BY_KEY}
    content = post_content(Draft(channel="C1", title="T", sections=sections), "U1", block_limit=8)
    messages = content.as_dicts()
    assert len(messages) > 1
    assert all(len(m) <= 8 for m in messages)
    first = messages[0]
    assert first[0]["type"] == "header" and first[-1]["type"] == "context"
    assert first[-1]["elements"][0]["text"].endswith("continued in the thread")
    body = [b for m in messages for b in m if b["type"] == "section"]
    whole = post_content(Draft(channel="C1", title="T", sections=sections), "U1")
    assert body == [b for b in whole.as_dicts()[0] if b["type"] == "section"]


def test_at_full_length_every_part_fits_one_message() -> None:
    worst = {key: "&" * 3000 for key in SECTION_BY_KEY}
    draft = Draft(channel="C1", title="T" * 150, sections=worst, intro="&" * 300)
    (blocks,) = post_content(draft, "U1").as_dicts()
    assert len(blocks) <= 50


# --- the preview stays a valid modal ---------------------------------------------------------


def test_the_preview_of_the_largest_post_with_many_flags_is_a_valid_view() -> None:
    blamed = "I should have known. Human error. The root cause was QA. " * 50
    sections = {key: blamed[:3000] for key in SECTION_BY_KEY}
    draft = Draft(channel="C1", title="T", sections=sections, intro="Hi")
    flags = [FoundFlag("The lesson", f) for f in check(blamed)] * 10
    view = views.preview_view(ShareMeta(1, 2), draft, post_content(draft, "U1"), flags)
    rendered = View(**view.to_dict()).to_dict()  # slack_sdk validates sizes on to_dict
    assert len(rendered["blocks"]) <= 100
    assert "Blameless check:* " in json.dumps(rendered)
