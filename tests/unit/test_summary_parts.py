"""The summary DM is built from parts (`bot.reflection.summary_view`): each part must be
exactly the block slack_sdk's models write, so building it faster changes nothing Slack
sees; and no message may share a part with the next."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.mrkdwn import escape, split_for_sections, truncate, verbatim
from bot.reflection.answers import Answers
from bot.reflection.quoting import quotable, title_shown
from bot.reflection.summary_view import (
    ACTION_OPEN_JOURNAL,
    ACTION_SHARE_OPEN,
    WORTH_LINE,
    CommitmentLine,
    _header,
    _section,
    commitment_line,
    summary_message,
)
from storage.models import CommitmentKind

LONG = "I pushed <the> config & it *broke* prod. " * 120
TEXTS = ["a", "*What happened*\nIt broke & <stayed> broken", "x" * 3000, "é ✓ 🙂", LONG[:2999]]


@pytest.mark.parametrize("text", TEXTS)
def test_a_section_part_is_the_block_slack_sdk_writes(text: str) -> None:
    assert _section(text) == SectionBlock(text=verbatim(text)).to_dict()


@pytest.mark.parametrize("text", ["Your reflection: x", "h" * 150, "Your reflection: <b> & ✓"])
def test_a_header_part_is_the_block_slack_sdk_writes(text: str) -> None:
    assert _header(text) == HeaderBlock(text=text).to_dict()


def test_parts_refuse_text_past_slack_limits_as_slack_sdk_does() -> None:
    with pytest.raises(ValueError):
        _section("x" * 3001)
    with pytest.raises(ValueError):
        _header("h" * 151)
    with pytest.raises(ValueError):
        _header("")


def _by_models(
    setback_id: int,
    title: str,
    answers: Answers,
    commitments: list[CommitmentLine],
    next_due: dict[int, datetime],
    tz: str,
    share: bool,
    home_url: str | None,
) -> list[dict[str, Any]]:
    """The summary's blocks built with slack_sdk's models throughout, as before parts."""
    blocks: list[Block] = [
        HeaderBlock(text=truncate(f"Your reflection: {title_shown(title)}", 150)),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Only you can see this. Check-ins for your plans will arrive in "
                    "this thread."
                )
            ]
        ),
    ]
    for label, said in (
        ("What happened", answers.facts),
        ("Your part", answers.my_part),
        ("The lesson", answers.lesson),
    ):
        text = quotable(said)
        if text:
            chunks = split_for_sections(escape(text), 3000 - len(label) - 4)
            blocks.append(SectionBlock(text=verbatim(f"*{label}*\n{chunks[0]}")))
            blocks += [SectionBlock(text=verbatim(c)) for c in chunks[1:]]
    if commitments:
        lines = [commitment_line(c, next_due.get(c.id), tz) for c in commitments]
        chunks = split_for_sections("\n".join(lines), 3000 - len("What you committed to") - 4)
        blocks.append(SectionBlock(text=verbatim(f"*What you committed to*\n{chunks[0]}")))
        blocks += [SectionBlock(text=verbatim(c)) for c in chunks[1:]]
    blocks.append(DividerBlock())
    buttons = []
    if share:
        buttons.append(
            ButtonElement(
                text="Share a blameless retro", action_id=ACTION_SHARE_OPEN, value=str(setback_id)
            )
        )
    if home_url:
        buttons.append(
            ButtonElement(text="Open journal", action_id=ACTION_OPEN_JOURNAL, url=home_url)
        )
    if buttons:
        blocks.append(ActionsBlock(block_id="summary_actions", elements=buttons))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=WORTH_LINE)]))
    return [b.to_dict() for b in blocks]


CASES = [
    (
        Answers({"title": "Config push", "facts": "a", "my_part": "b", "lesson": "c"}),
        [CommitmentLine(1, CommitmentKind.GROWTH, "If I merge config, then I run the check")],
        True,
        "slack://app?team=T1&id=A1&tab=home",
    ),
    (Answers({"title": "t"}), [], False, None),
    (
        Answers({"title": "<x>", "facts": LONG, "my_part": "I skipped it.", "lesson": LONG}),
        [CommitmentLine(i, kind, LONG[:500]) for i, kind in enumerate(CommitmentKind)],
        True,
        None,
    ),
    (Answers({"facts": "x"}), [CommitmentLine(3, CommitmentKind.SUPPORT, "ask <@U1>")], False, "u"),
]


@pytest.mark.parametrize(("answers", "commitments", "share", "home_url"), CASES)
def test_the_summary_built_from_parts_is_the_one_slack_sdk_models_build(
    answers: Answers, commitments: list[CommitmentLine], share: bool, home_url: str | None
) -> None:
    due = {c.id: datetime(2026, 12, 10, 9, tzinfo=UTC) for c in commitments[:2]}
    title = answers.saved.get("title") or "Untitled"
    _, blocks = summary_message(
        42,
        title,
        answers,
        commitments,
        due,
        "Europe/London",
        share_enabled=share,
        home_url=home_url,
    )
    assert blocks == _by_models(
        42, title, answers, commitments, due, "Europe/London", share, home_url
    )


def test_a_change_to_one_summary_never_reaches_the_next() -> None:
    answers = Answers({"title": "t", "facts": "a"})
    _, first = summary_message(1, "t", answers, [], {}, "UTC", home_url="slack://a")
    for block in first:
        block["type"] = "changed"
        for element in block.get("elements") or []:
            element["text"] = "changed"
    _, second = summary_message(2, "t", answers, [], {}, "UTC", home_url="slack://b")
    assert second == _by_models(2, "t", answers, [], {}, "UTC", True, "slack://b")
