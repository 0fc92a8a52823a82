"""Messages in the setback's DM thread: the summary that starts it.

User text is escaped for mrkdwn before it is placed in a block, and long answers are
split across sections rather than cut off or rejected. What it quotes goes through
`bot.reflection.quoting`: sentences of harsh self-judgement are never repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
from bot.core.timefmt import local
from bot.reflection.answers import Answers
from bot.reflection.quoting import commitment_mrkdwn, quotable, title_shown
from storage.models import Commitment, CommitmentKind
from storage.rows import row_id

ACTION_SHARE_OPEN = "setback_share_open"
ACTION_OPEN_JOURNAL = "setback_open_journal"
MESSAGE_BLOCK_LIMIT = 50

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
    chunks = split_for_sections(escape(text), 3000 - len(label) - 4)
    blocks: list[Block] = [SectionBlock(text=verbatim(f"*{label}*\n{chunks[0]}"))]
    blocks += [SectionBlock(text=verbatim(c)) for c in chunks[1:]]
    return blocks


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
    """Fallback text and blocks of the summary DM that becomes the setback's thread."""
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
            blocks += labelled_sections(label, text)
    if commitments:
        lines = [commitment_line(c, next_due.get(c.id), tz) for c in commitments]
        chunks = split_for_sections("\n".join(lines), 2970)
        blocks.append(SectionBlock(text=verbatim(f"*What you committed to*\n{chunks[0]}")))
        blocks += [SectionBlock(text=verbatim(c)) for c in chunks[1:]]
    blocks.append(DividerBlock())
    buttons = []
    if share_enabled:
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
    if len(blocks) > MESSAGE_BLOCK_LIMIT:  # bounded by field lengths; kept as a guard
        blocks = blocks[: MESSAGE_BLOCK_LIMIT - 3] + blocks[-3:]
    # The fallback shows in notifications and lock screens: no words of the reflection.
    fallback = "Your reflection is saved. Check-ins for your plans will arrive in this thread."
    return fallback, [b.to_dict() for b in blocks]
