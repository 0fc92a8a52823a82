"""`/setback help`: what the app does, its privacy promise, the subcommands.

The same message answers a subcommand Setback does not know, after a line saying so
(and naming the nearest one it does know, for a typo).
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.core.mrkdwn import escape, truncate, verbatim

SUBCOMMANDS: tuple[tuple[str, str], ...] = (
    ("/setback", "start a guided reflection after a mistake at work (or resume one)"),
    ("/setback resume", "go straight back to the reflection you left open"),
    ("/setback help", "this message"),
)


# What each of the reflection's screens is about, in order: one phrase per screen, so
# the count the help gives and the list it shows come from the same place.
SCREEN_TOPICS: tuple[str, ...] = (
    "what happened",
    "being kind to yourself",
    "your part",
    "how it made sense at the time",
    "who could support you",
    "what you'll do next",
)
_COUNT = {4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def _screens_sentence() -> str:
    *first, last = SCREEN_TOPICS
    count = _COUNT.get(len(SCREEN_TOPICS), str(len(SCREEN_TOPICS)))
    return (
        f"Made a mistake at work? `/setback` walks you through {count} short screens — "
        f"{', '.join(first)} and {last} — then checks in on your plans later, inside "
        "your working hours."
    )


def _inert(typed: str) -> str:
    """A word the person typed, safe inside a code span: escaped, no backticks, short."""
    return escape(truncate(typed.replace("`", ""), 40))


def _unknown_line(typed: str, known: list[str]) -> str:
    """'I don't know `/setback <typed>`', and the nearest known subcommand when it looks
    like a typo."""
    line = f"I don't know `/setback {_inert(typed)}`."
    near = get_close_matches(typed.lower(), known, n=1, cutoff=0.6)
    if near:
        line += f" Did you mean `/setback {near[0]}`?"
    return line + " Here is what I can do:"


def help_message(
    extra: tuple[tuple[str, str], ...] = (), unknown: str | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks. `extra` adds subcommands other features register;
    `unknown` is a subcommand the person typed that Setback does not know: the message
    then opens by saying so."""
    commands = SUBCOMMANDS + extra
    lines = "\n".join(f"• `{cmd}` — {what}" for cmd, what in commands)
    opening: list[SectionBlock] = []
    if unknown is not None:
        known = [cmd.split(" ", 1)[1] for cmd, _ in commands if " " in cmd]
        opening.append(SectionBlock(text=verbatim(_unknown_line(unknown, known))))
    blocks = [
        *opening,
        HeaderBlock(text="Setback: learn from a mistake, kindly"),
        SectionBlock(text=MarkdownTextObject(text=_screens_sentence())),
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
    text = "Setback: a guided, private reflection after a mistake at work. Try /setback."
    if unknown is not None:
        text = f"I don't know /setback {_inert(unknown)}. {text}"
    return text, [b.to_dict() for b in blocks]
