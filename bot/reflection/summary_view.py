"""Messages in the setback's DM thread: the summary that starts it.

User text is escaped for mrkdwn before it is placed in a block, and long answers are
split across sections rather than cut off or rejected. What it quotes goes through
`bot.reflection.quoting`: sentences of harsh self-judgement are never repeated.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.mrkdwn import escape, split_for_sections, truncate, verbatim
from bot.core.timefmt import local
from bot.reflection.answers import Answers
from bot.reflection.quoting import commitment_mrkdwn, quotable, title_shown
from storage.models import Commitment, CommitmentKind
from storage.rows import row_id

ACTION_SHARE_OPEN = "setback_share_open"
ACTION_OPEN_JOURNAL = "setback_open_journal"
MESSAGE_BLOCK_LIMIT = 50
HEADER_TEXT_LIMIT = 150  # Slack's limit on a header's text (slack_sdk checks it too)
SECTION_TEXT_LIMIT = 3000  # and on a section's
URL_LIMIT = 3000  # and on a button's url

KIND_LABEL = {
    CommitmentKind.AMENDS: "Repair",
    CommitmentKind.GROWTH: "Plan",
    CommitmentKind.SUPPORT: "Support",
}

# Closes the summary DM, sent as a reflection ends: it fits a typo and a 40-minute outage
# alike. (The Home closes with its own line, true in every state.)
WORTH_LINE = (
    "What happened says nothing about your worth. It's something you're learning from "
    "— and you just did."
)

# When Slack no longer accepts a command's trigger (its 3 s passed at a busy moment).
TRIGGER_EXPIRED = (
    "Slack took a moment too long to open your reflection, so it didn't appear. "
    "Type `/setback` again whenever you're ready; nothing was lost."
)


def labelled_sections(label: str, text: str) -> list[Block]:
    """A bold label then the escaped text, split across sections when it is long."""
    return [SectionBlock(text=verbatim(t)) for t in _labelled_texts(label, escape(text))]


def _labelled_texts(label: str, mrkdwn: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """The texts of a bold label's sections: the label on the first, then `mrkdwn`
    (escaped already) split where it is long, each within `limit` with the label."""
    chunks = split_for_sections(mrkdwn, limit - len(label) - 4)
    return [f"*{label}*\n{chunks[0]}", *chunks[1:]]


@dataclass(frozen=True)
class CommitmentLine:
    """What the summary DM shows of one commitment. Plain values, not the ORM row: the
    flow that finishes a reflection builds its summary in the database writer process
    (`storage.writer_process`), and a row would cross to the server with its ORM state,
    which costs far more to rebuild there than the three values the DM needs."""

    id: int
    kind: CommitmentKind
    text: str

    @classmethod
    def of(cls, row: Commitment) -> CommitmentLine:
        """The line of a stored commitment (it must have been saved: it has an id)."""
        return cls(row_id(row), row.kind, row.text)


def commitment_line(c: CommitmentLine, next_due: datetime | None, tz: str) -> str:
    line = f"• *{KIND_LABEL.get(c.kind, 'Plan')}:* {commitment_mrkdwn(c.kind, c.text)}"
    if next_due is not None:
        line += f"\n   _next check-in {local(next_due, tz)}_"
    return line


def summary_message(
    setback_id: int,
    title: str,
    answers: Answers,
    commitments: Sequence[CommitmentLine],
    next_due: dict[int, datetime],
    tz: str,
    *,
    share_enabled: bool = True,
    home_url: str | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks of the summary DM that becomes the setback's thread.

    Built from parts: the fixed blocks are slack_sdk's, written once (`_fixed`); the
    blocks that carry words are filled into the shapes slack_sdk writes (`_section`,
    `_header`), with the lengths it checks held by construction. A summary is built on
    every reflection's last step and every change to a plan, and slack_sdk's checks of
    the same fixed shapes cost more than the rest of building it. The buttons are
    slack_sdk's too, written once, with the setback's id and the Home's link put in;
    the actions block around them is written out (it adds no defaults)."""
    fixed = _fixed()
    blocks: list[dict[str, Any]] = [
        _header(truncate(f"Your reflection: {title_shown(title)}", HEADER_TEXT_LIMIT)),
        _fresh(fixed.intro),
    ]
    for label, said in (
        ("What happened", answers.facts),
        ("Your part", answers.my_part),
        ("The lesson", answers.lesson),
    ):
        text = quotable(said)
        if text:
            blocks += [_section(t) for t in _labelled_texts(label, escape(text))]
    if commitments:
        lines = "\n".join(commitment_line(c, next_due.get(c.id), tz) for c in commitments)
        blocks += [_section(t) for t in _labelled_texts("What you committed to", lines)]
    blocks.append(_fresh(fixed.divider))
    buttons = []
    if share_enabled:
        buttons.append({**_fresh(fixed.share), "value": str(setback_id)})
    if home_url:
        if len(home_url) > URL_LIMIT:
            raise ValueError(f"a button's url is at most {URL_LIMIT} characters")
        buttons.append({**_fresh(fixed.journal), "url": home_url})
    if buttons:
        blocks.append({"block_id": "summary_actions", "elements": buttons, "type": "actions"})
    blocks.append(_fresh(fixed.worth))
    if len(blocks) > MESSAGE_BLOCK_LIMIT:  # bounded by field lengths; kept as a guard
        blocks = blocks[: MESSAGE_BLOCK_LIMIT - 3] + blocks[-3:]
    # The fallback shows in notifications and lock screens: no words of the reflection.
    fallback = "Your reflection is saved. Check-ins for your plans will arrive in this thread."
    return fallback, blocks


@dataclass(frozen=True)
class _Fixed:
    intro: dict[str, Any]
    divider: dict[str, Any]
    worth: dict[str, Any]
    share: dict[str, Any]  # its value is the setback's id
    journal: dict[str, Any]  # its url is the Home's link


@functools.cache
def _fixed() -> _Fixed:
    """The summary's blocks that never change, as slack_sdk builds and checks them."""
    return _Fixed(
        intro=ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Only you can see this. Check-ins for your plans will arrive in "
                    "this thread."
                )
            ]
        ).to_dict(),
        divider=DividerBlock().to_dict(),
        worth=ContextBlock(elements=[MarkdownTextObject(text=WORTH_LINE)]).to_dict(),
        share=ButtonElement(
            text="Share a blameless retro", action_id=ACTION_SHARE_OPEN, value="0"
        ).to_dict(),
        journal=ButtonElement(
            text="Open journal", action_id=ACTION_OPEN_JOURNAL, url="slack://app"
        ).to_dict(),
    )


def _fresh(part: Any) -> Any:
    """A cached part copied (plain dicts, lists and strings), so a caller's change to one
    message never reaches the next."""
    if isinstance(part, dict):
        return {key: _fresh(value) for key, value in part.items()}
    if isinstance(part, list):
        return [_fresh(value) for value in part]
    return part


def _section(text: str) -> dict[str, Any]:
    """`SectionBlock(text=verbatim(text)).to_dict()`: the same dict (tests compare them),
    for text that `split_for_sections` already held within the limit."""
    if len(text) > SECTION_TEXT_LIMIT:
        raise ValueError(f"a section's text is at most {SECTION_TEXT_LIMIT} characters")
    return {"text": {"text": text, "type": "mrkdwn", "verbatim": True}, "type": "section"}


def _header(text: str) -> dict[str, Any]:
    """`HeaderBlock(text=text).to_dict()`: the same dict (tests compare them), for text
    `truncate` already held within the limit."""
    if not text or len(text) > HEADER_TEXT_LIMIT:
        raise ValueError(f"a header's text is 1 to {HEADER_TEXT_LIMIT} characters")
    return {"text": {"emoji": True, "text": text, "type": "plain_text"}, "type": "header"}
