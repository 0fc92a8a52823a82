"""Making user text safe for Slack's mrkdwn.

Slack writes mentions and links as `<…>`, so escaping `&`, `<` and `>` (and nothing
else, per Slack's formatting docs) turns `<!channel>`, `<@U…>` or a crafted link in an
answer into inert text. Text that carries a person's words goes in a `verbatim` text
object (`verbatim`), so Slack does not turn a URL, a `#channel` or an `@here` in it into
a link or a mention either.

Long text is split across sections (`split_for_sections`) on the escaped text, at
entity boundaries: a cut never falls inside `&lt;`, `&gt;` or `&amp;`, nor inside a
`<…>` mention or link Setback built itself, so no chunk shows half an entity.
"""

from __future__ import annotations

from slack_sdk.models.blocks import MarkdownTextObject

SECTION_TEXT_LIMIT = 3000
ENTITY_LENGTH = 5  # the longest of &amp; &lt; &gt;
TOKEN_LENGTH = 200  # the longest <…> token Setback builds (a link with its label)


def escape(text: str) -> str:
    """Escape exactly the three characters Slack asks for."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def verbatim(text: str) -> MarkdownTextObject:
    """A mrkdwn text object for text that holds a person's words (escaped already):
    Slack shows it as written, with no automatic links or mentions."""
    return MarkdownTextObject(text=text, verbatim=True)


def truncate(text: str, limit: int) -> str:
    """Cut text to `limit` characters, ending with an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + "…"


def quote(text: str) -> str:
    """Escape and render as a mrkdwn block quote, line by line."""
    return "\n".join(f">{line}" if line else ">" for line in escape(text).splitlines())


def split_for_sections(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Split long (escaped) text into chunks of at most `limit` characters, at line or
    word breaks, and never inside an entity or a `<…>` token.

    Section text tops out at 3000 characters; splitting keeps every word instead of
    failing or silently dropping the end.
    """
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = _whole(rest, limit)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not chunks:
        chunks.append(rest)
    return chunks


def _whole(text: str, cut: int) -> int:
    """Move a hard cut back to the start of an entity or `<…>` token it would split."""
    amp = text.rfind("&", max(0, cut - ENTITY_LENGTH + 1), cut)
    if amp > 0 and ";" not in text[amp:cut]:
        cut = amp
    opening = text.rfind("<", max(0, cut - TOKEN_LENGTH), cut)
    if opening > 0 and ">" not in text[opening:cut] and ">" in text[cut:]:
        cut = opening
    return cut
