"""`/setback help`: what the app does, its privacy promise, the subcommands."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

SUBCOMMANDS: tuple[tuple[str, str], ...] = (
    ("/setback", "start a guided reflection after a slip at work (or resume one)"),
    ("/setback resume", "go straight back to the reflection you left open"),
    ("/setback help", "this message"),
)


def help_message(extra: tuple[tuple[str, str], ...] = ()) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks. `extra` adds subcommands other features register."""
    lines = "\n".join(f"• `{cmd}` — {what}" for cmd, what in SUBCOMMANDS + extra)
    blocks = [
        HeaderBlock(text="Setback: learn from a slip, kindly"),
        SectionBlock(
            text=MarkdownTextObject(
                text="Made a mistake at work? `/setback` walks you through six short "
                "screens — self-compassion, your part, how it made sense at the time, "
                "who could support you, and what you'll do next — then checks in on "
                "your plans later, inside your working hours."
            )
        ),
        SectionBlock(text=MarkdownTextObject(text=f"*Commands*\n{lines}")),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=":lock: *Private by default.* Your answers are encrypted and only "
                    "you can see them. Nothing is shared unless you choose to post a "
                    "blameless summary, and you can export or delete everything at any time."
                )
            ]
        ),
    ]
    text = "Setback: a guided, private reflection after a slip at work. Try /setback."
    return text, [b.to_dict() for b in blocks]
