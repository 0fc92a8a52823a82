"""Making user text safe for Slack's mrkdwn.

Slack writes mentions and links as `<…>`, so escaping `&`, `<` and `>` (and nothing
else, per Slack's formatting docs) turns `<!channel>`, `<@U…>` or a crafted link in an
answer into inert text.
"""

from __future__ import annotations


def escape(text: str) -> str:
    """Escape exactly the three characters Slack asks for."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """Cut text to `limit` characters, ending with an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + "…"


def quote(text: str) -> str:
    """Escape and render as a mrkdwn block quote, line by line."""
    return "\n".join(f">{line}" if line else ">" for line in escape(text).splitlines())


def split_for_sections(text: str, limit: int = 3000) -> list[str]:
    """Split long text into chunks of at most `limit` characters, at line or word breaks.

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
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not chunks:
        chunks.append(rest)
    return chunks
