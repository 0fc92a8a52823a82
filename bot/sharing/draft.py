"""The sharing core types, used by the service modules and the views alike.

`SECTIONS` are the parts of a reflection that can be shared, in the order a post shows
them. `ShareMeta` is what a share modal is about; it travels in the modal's
private_metadata as ids only, and every service function re-checks that the acting
person owns what it names. A `Draft` is what will be posted: the author's (possibly
edited) texts and choices, kept on the share row until the post is in Slack.
A draft leaves out, by default, the sentences of harsh self-judgement in the parts it
takes from the reflection (`keep_harsh` puts them back; `left_out` counts what was left
out, never which words). `PostContent` is a post as Block Kit messages — the same blocks
in the preview and in the channel. `FoundFlag` is a blameless-check flag and the part it
was found in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block

from bot.language.blameless import Flag

CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,30}")


@dataclass(frozen=True)
class Section:
    """A part of the reflection that may be shared; `listed` parts are one item a line."""

    key: str
    label: str
    listed: bool = False


SECTIONS: tuple[Section, ...] = (
    Section("happened", "What happened"),
    Section("factors", "Contributing factors", listed=True),
    Section("limited", "What limited the damage"),
    Section("lesson", "The lesson"),
    Section("commitments", "Commitments", listed=True),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}


@dataclass(frozen=True)
class ShareMeta:
    """What a share modal is about: the setback, the draft (once saved), where it opened."""

    setback_id: int | None
    share_id: int | None = None
    origin: str | None = None  # the channel `/setback share` was typed in


def metadata(meta: ShareMeta) -> str:
    """private_metadata: ids only — never trusted alone, the service re-checks ownership."""
    data = {"sid": meta.setback_id, "sh": meta.share_id, "ch": meta.origin}
    return json.dumps(data, separators=(",", ":"))


def read_metadata(raw: str | None) -> ShareMeta:
    """Parse private_metadata defensively: anything malformed yields empty ids."""
    try:
        data = json.loads(raw or "{}")
        sid, sh, ch = data.get("sid"), data.get("sh"), data.get("ch")
        return ShareMeta(
            int(sid) if sid is not None else None,
            int(sh) if sh is not None else None,
            ch if isinstance(ch, str) and CHANNEL_ID.fullmatch(ch) else None,
        )
    except (ValueError, TypeError, AttributeError):
        return ShareMeta(None)


@dataclass
class Draft:
    """What will be posted: the author's (possibly edited) texts and choices.

    `sections` maps section keys to text, in the order of `SECTIONS`. `keep_harsh`: the
    author ticked to include the sentences of harsh self-judgement Setback leaves out by
    default; `left_out`: how many such sentences the parts taken as they were left out.
    """

    channel: str
    title: str
    sections: dict[str, str] = field(default_factory=dict)
    intro: str = ""
    anonymous: bool = False
    keep_harsh: bool = False
    left_out: int = 0

    def to_json(self) -> dict[str, Any]:
        """The JSON stored (encrypted) on the share row; sections as ordered pairs."""
        return {
            "channel": self.channel,
            "title": self.title,
            "sections": [[k, v] for k, v in self.sections.items()],
            "intro": self.intro,
            "anonymous": self.anonymous,
            "keep_harsh": self.keep_harsh,
            "left_out": self.left_out,
        }

    @classmethod
    def from_json(cls, data: Any) -> Draft | None:
        """The draft stored on a share row; None when it is missing or malformed."""
        if not isinstance(data, dict):
            return None
        try:
            pairs = [(str(k), str(v)) for k, v in data.get("sections") or []]
            left_out = max(0, int(data.get("left_out") or 0))
        except (TypeError, ValueError):
            return None
        return cls(
            channel=str(data.get("channel") or ""),
            title=str(data.get("title") or ""),
            sections={k: v for k, v in pairs if k in SECTION_BY_KEY},
            intro=str(data.get("intro") or ""),
            anonymous=bool(data.get("anonymous")),
            keep_harsh=bool(data.get("keep_harsh")),
            left_out=left_out,
        )


@dataclass(frozen=True)
class FoundFlag:
    """A blameless-check flag and the part of the post it was found in."""

    part: str
    flag: Flag


@dataclass(frozen=True)
class PostContent:
    """Fallback text and the blocks of each message: the first goes in the channel, any
    further ones continue it as thread replies (a message holds at most 50 blocks)."""

    text: str
    messages: list[list[Block]]

    def as_dicts(self) -> list[list[dict[str, Any]]]:
        """The blocks of each message as Slack's JSON."""
        return [[b.to_dict() for b in blocks] for blocks in self.messages]
