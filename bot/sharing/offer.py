"""What may be offered for sharing, and opening the share modal.

What may be offered is decided here, once: what happened, contributing factors, what
limited the damage, the lesson, and the commitments with their status, each read by
its field name. Feelings and self-talk, the apology draft, whom the person would talk
to, any text that trips the crisis screen, and every setback on safety hold are never
offered.

The modal opens from a finished setback's "Share a blameless retro" button, or from
`/setback share` (through a chooser when several setbacks can be shared). Every function
takes the acting team + user and loads only a setback they own; anything else reads as
"gone".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.views import View
from sqlmodel import Session

from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.core.timefmt import local_date
from bot.language import safety
from bot.language.kindness import without_harsh
from bot.members import zone as members
from bot.reflection.answers import Answers
from bot.sharing import views
from bot.sharing.draft import CHANNEL_ID, ShareMeta
from bot.sharing.outcome import ShareOutcome
from storage import members as member_store
from storage import reflections as reflection_store
from storage.db import session_scope
from storage.models import Commitment, CommitmentKind, CommitmentStatus, Setback, SetbackStatus

STATUS_LABEL = {  # cancelled commitments are never shared
    CommitmentStatus.ACTIVE: "in progress",
    CommitmentStatus.DONE: "done",
    CommitmentStatus.LET_GO: "let go",
}
SHARED_KINDS = (CommitmentKind.GROWTH, CommitmentKind.AMENDS)  # support stays private


# --- what may be offered -------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def commitments_text(commitments: Sequence[Commitment]) -> str:
    """Repairs and if-then plans with their status, one a line. Support commitments
    and cancelled ones are never included, nor any that trips the crisis screen."""
    lines = []
    for c in commitments:
        if c.kind not in SHARED_KINDS or c.status not in STATUS_LABEL:
            continue
        if safety.screen(c.text):
            continue
        prefix = "Repair: " if c.kind == CommitmentKind.AMENDS else ""
        lines.append(f"{prefix}{_one_line(c.text).rstrip('. ')} — {STATUS_LABEL[c.status]}")
    return "\n".join(lines)


def offered_sections(answers: Answers, commitments: Sequence[Commitment]) -> dict[str, str]:
    """The parts of a reflection that may be offered for sharing, by section key.

    Read from these named fields only — never feelings, self-talk, the apology draft or
    support — and a part whose text trips the crisis screen is left out entirely.
    """
    texts = {
        "happened": answers.facts,
        "factors": answers.factors,
        "limited": answers.limited,
        "lesson": answers.lesson,
        "commitments": commitments_text(commitments),
    }
    return {
        key: text.strip()
        for key, text in texts.items()
        if isinstance(text, str) and text.strip() and not safety.screen(text)
    }


def _default_title(setback: Setback, answers: Answers) -> str:
    """The reflection's title to start the post's from, without crisis language or a
    sentence of harsh self-judgement (the author can still type any title they like)."""
    title = setback.title or answers.title or ""
    if safety.screen(title):
        return ""
    return without_harsh(title.strip())[0][: views.TITLE_MAX]


def refusal_view(setback: Setback | None) -> View | None:
    """The view that explains why this setback cannot be shared, or None if it can."""
    if setback is None:
        return views.gone_view()
    if setback.safety_hold:
        return views.held_view()
    if setback.status != SetbackStatus.COMPLETE:
        return views.info_view(
            "Only finished reflections can be shared. Finish this one first — "
            "`/setback resume` takes you back to it."
        )
    return None


@dataclass
class Loaded:
    """A setback the acting person owns and may share: what it offers, and a title to start
    from."""

    setback: Setback
    offered: dict[str, str]
    title: str


def load_setback(s: Session, actor: Actor, setback_id: int | None) -> Loaded | View:
    """The setback a payload names, loaded only for its owner and only when it may be
    shared; otherwise the view that says why not (see `refusal_view`)."""
    setback = reflection_store.get_owned_setback(s, actor.team_id, actor.user_id, setback_id)
    refusal = refusal_view(setback)
    if refusal is not None:
        return refusal
    assert setback is not None
    answers = Answers(reflection_store.answers_by_field(s, setback))
    offered = offered_sections(answers, reflection_store.commitments_of(s, setback))
    return Loaded(setback, offered, _default_title(setback, answers))


# --- opening -------------------------------------------------------------------------------


def origin_channel(channel_id: str | None, channel_name: str | None) -> str | None:
    """The channel a command was typed in, when it is one a retro could be posted to."""
    if not channel_id or not CHANNEL_ID.fullmatch(channel_id):
        return None
    if (channel_name or "") == "directmessage" or (channel_name or "").startswith("mpdm-"):
        return None
    return channel_id


def open_for_setback(
    rt: Runtime, actor: Actor, setback_id: int | None, origin: str | None = None
) -> View:
    """The compose screen for one setback ("Share a blameless retro" buttons), or a kind
    explanation of why it cannot be shared."""
    with session_scope(rt.engine, readonly=True) as s:
        loaded = load_setback(s, actor, setback_id)
    if isinstance(loaded, View):
        return loaded
    if not loaded.offered:
        return views.info_view(
            "There's nothing in this reflection that can be shared. Feelings, self-talk, "
            "apology drafts and support always stay private."
        )
    meta = ShareMeta(loaded.setback.id, None, origin)
    return views.compose_view(meta, loaded.title, loaded.offered)


def open_from_command(rt: Runtime, actor: Actor, origin: str | None) -> View:
    """`/setback share`: straight to compose with one shareable setback, a chooser with
    several, a kind word with none."""
    with session_scope(rt.engine, readonly=True) as s:
        done = reflection_store.list_setbacks(
            s, actor.team_id, actor.user_id, (SetbackStatus.COMPLETE,), limit=100
        )
        member = member_store.get_member(s, actor.team_id, actor.user_id)
    if not done:
        return views.info_view(
            "You don't have a finished reflection to share yet. Type `/setback` to start one."
        )
    shareable = [sb for sb in done if not sb.safety_hold]
    if not shareable:
        return views.held_view()
    if len(shareable) == 1:
        return open_for_setback(rt, actor, shareable[0].id, origin)
    tz = members.effective_tz(member)
    choices = [
        (sb.id, sb.title or "Untitled", _when(sb.completed_at, tz))
        for sb in shareable
        if sb.id is not None
    ]
    return views.pick_view(choices, origin)


def _when(at: datetime | None, tz: str) -> str:
    try:
        return local_date(at, tz) if at else ""
    except Exception:  # noqa: BLE001 - an unknown zone name only loses the date
        return ""


def submit_pick(rt: Runtime, actor: Actor, meta: ShareMeta, values: dict[str, Any]) -> ShareOutcome:
    """The chooser was submitted: on to compose for the chosen (owned) setback."""
    raw: dict[str, Any] = (
        (values.get(views.FIELD_SETBACK) or {}).get(views.FIELD_SETBACK) or {}
    ).get("selected_option") or {}
    try:
        sid = int(raw["value"])
    except (KeyError, TypeError, ValueError):
        return ShareOutcome("errors", errors={views.FIELD_SETBACK: "Please choose a reflection."})
    return ShareOutcome("update", open_for_setback(rt, actor, sid, meta.origin))
