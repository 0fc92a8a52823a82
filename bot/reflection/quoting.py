"""How Setback quotes a person's words outside the modal.

Everything Setback writes later (the summary DM, check-ins, the growth recap, the Home
tab) quotes the person's own answers, and two rules hold for all of them:

* **No harsh self-judgement is repeated.** A sentence such as "I'm such an idiot."
  written while it stung is left out (`bot.language.kindness.without_harsh`); when
  nothing is left, the answer is not quoted at all. Only the export, the person's own
  copy, keeps every word.
* **User text is inert.** It is escaped for mrkdwn, so nothing in it becomes a mention
  or a link. The one exception is the support commitment, whose text Setback builds
  itself from the user ids Slack's people picker returned (`support_commitment`): its
  `<@U…>` mentions are put back after escaping, and only there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.mrkdwn import escape
from bot.language.kindness import without_harsh
from storage.models import CommitmentKind

# A Slack user id as the people picker returns it; anything else is never made a mention.
USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
_ESCAPED_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]{2,20})&gt;")

SUPPORT_KIND_WORDS = {
    "peer": "a peer",
    "manager": "your manager",
    "mentor": "a mentor",
    "professional": "a professional",
}

# What a commitment is called when every sentence of it was left out.
_UNQUOTED_COMMITMENT: dict[str, str] = {
    CommitmentKind.AMENDS: "the repair you offered",
    CommitmentKind.GROWTH: "the plan you made",
    CommitmentKind.SUPPORT: "reaching out for support",
}


def quotable(text: str | None) -> str | None:
    """The words Setback may quote back: ``text`` without its sentences of harsh
    self-judgement, or None when nothing (or nothing but such sentences) was written."""
    if not text:
        return None
    kept, _removed = without_harsh(text)
    return kept or None


def title_shown(title: str | None, default: str = "Untitled reflection") -> str:
    """A reflection's title as Setback quotes it (plain, not escaped)."""
    return quotable(title) or default


def commitment_shown(kind: str, text: str) -> str:
    """A commitment's words as Setback quotes them (plain, not escaped): harsh sentences
    left out, and a plain name for it when nothing else is left."""
    if kind == CommitmentKind.SUPPORT:
        return text  # Setback's own words (`support_commitment`)
    return quotable(text) or _UNQUOTED_COMMITMENT.get(kind, "the plan you made")


def with_mentions(kind: str, escaped: str) -> str:
    """Put back the mentions of a support commitment in already escaped mrkdwn.

    Only a support commitment's text is built by Setback (from validated user ids); in
    any other kind, ``<@U…>`` was typed by the person and stays inert text.
    """
    if kind != CommitmentKind.SUPPORT:
        return escaped
    return _ESCAPED_MENTION.sub(r"<@\1>", escaped)


def commitment_mrkdwn(kind: str, text: str) -> str:
    """A commitment as escaped mrkdwn, ready for a block: `commitment_shown`, escaped,
    with a support commitment's mentions kept."""
    return with_mentions(kind, escape(commitment_shown(kind, text)))


def support_commitment(people: Sequence[str], kinds: Sequence[str], author: str) -> str:
    """The support commitment's text, naming whom the person chose to talk to.

    People come first, as Slack mentions built here from ids that look like user ids
    (never the author); without people, the kinds of support picked; without either,
    someone they trust.
    """
    ids = [p for p in dict.fromkeys(people) if USER_ID.fullmatch(p) and p != author]
    if ids:
        return f"Reach out to {_either([f'<@{p}>' for p in ids])} for support"
    words = [SUPPORT_KIND_WORDS[k] for k in dict.fromkeys(kinds) if k in SUPPORT_KIND_WORDS]
    if words:
        return f"Reach out to {_either(words)} for support"
    return "Reach out to someone you trust for support"


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
