"""Check-in messages in the setback's DM thread, the note modal and the growth recap.

A check-in message is rendered from stored facts (the check-in id picks the wording, so
a re-render shows the same words), in one of two shapes: *live*, with Done / Still
working / Snooze / Let it go / Add a note, or *answered*, where the buttons are replaced
by a line saying what happened. The commitment is the person's own text: it is escaped
for mrkdwn and shown with ``verbatim`` so nothing in it turns into a link or a mention.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.checkins.planning import SNOOZE_LABELS, SNOOZES
from bot.checkins.wording import NOTED, answered_text, checkin_text, recap_intro
from bot.core.mrkdwn import escape, split_for_sections, truncate
from bot.reflection.summary_view import labelled_sections
from storage.models import CheckinKind, CheckinResponse, CommitmentStatus

ACTION_DONE = "setback_checkin_done"
ACTION_WORKING = "setback_checkin_working"
ACTION_SNOOZE = "setback_checkin_snooze"
ACTION_LET_GO = "setback_checkin_let_go"
ACTION_NOTE = "setback_checkin_note"
CALLBACK_NOTE = "setback_checkin_note"
NOTE_BLOCK = "note"
NOTE_MAX = 2000

# The answer each control of a live check-in records (`bot.checkins.answers.answer`).
ANSWER_OF = {
    ACTION_DONE: CheckinResponse.DONE,
    ACTION_WORKING: CheckinResponse.WORKING,
    ACTION_SNOOZE: CheckinResponse.SNOOZED,
    ACTION_LET_GO: CheckinResponse.LET_GO,
}

CHECKIN_EVENT = "setback_checkin"  # message metadata: how a posted check-in is found again
RECAP_EVENT = "setback_recap"

_ABOUT = {
    CheckinKind.FOLLOWUP: "Checking in on your plan",
    CheckinKind.AMENDS: "Checking in on your repair",
    CheckinKind.SUPPORT: "Checking in on reaching out for support",
}
_CLOSED_LABEL = {CommitmentStatus.DONE: "Done", CommitmentStatus.LET_GO: "Let go"}


@dataclass(frozen=True)
class CheckinFacts:
    """What a check-in message shows: enough to render it the same way every time."""

    checkin_id: int
    kind: CheckinKind
    commitment: str
    seq: int
    total: int


def metadata(checkin_id: int) -> dict[str, Any]:
    """Slack message metadata naming the check-in, so a retried send can find its post."""
    return {"event_type": CHECKIN_EVENT, "event_payload": {"checkin_id": checkin_id}}


def _question(facts: CheckinFacts) -> list[Block]:
    words = checkin_text(facts.kind, facts.commitment, facts.seq, facts.total, facts.checkin_id)
    return [
        SectionBlock(text=MarkdownTextObject(text=chunk, verbatim=True))
        for chunk in split_for_sections(escape(words))
    ]


_ID = "{checkin_id}"  # where a check-in's id goes in the buttons' template


def _buttons(checkin_id: int) -> dict[str, Any]:
    """The live buttons of one check-in.

    Every check-in has the same buttons; only the id in their values differs. The
    block is built and validated by slack_sdk once, as a template, and each message gets
    a copy with its id filled in: the dispatcher renders hundreds a second, and
    validating the same five elements again each time was most of its rendering.
    """
    block: dict[str, Any] = _filled(_buttons_template(), str(checkin_id))
    return block


@functools.cache
def _buttons_template() -> dict[str, Any]:
    return _buttons_block(_ID).to_dict()


def _filled(node: Any, checkin_id: str) -> Any:
    if isinstance(node, str):
        return node.replace(_ID, checkin_id)
    if isinstance(node, dict):
        return {key: _filled(item, checkin_id) for key, item in node.items()}
    if isinstance(node, list):
        return [_filled(item, checkin_id) for item in node]
    return node


def _buttons_block(value: str) -> ActionsBlock:
    snooze = StaticSelectElement(
        action_id=ACTION_SNOOZE,
        placeholder="Snooze",
        options=[Option(value=f"{value}:{key}", label=SNOOZE_LABELS[key]) for key in SNOOZES],
    )
    return ActionsBlock(
        block_id=f"checkin_{value}",
        elements=[
            ButtonElement(text="Done", action_id=ACTION_DONE, value=value, style="primary"),
            ButtonElement(text="Still working on it", action_id=ACTION_WORKING, value=value),
            snooze,
            ButtonElement(text="Let it go", action_id=ACTION_LET_GO, value=value),
            ButtonElement(text="Add a note", action_id=ACTION_NOTE, value=value),
        ],
    )


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def checkin_message(
    facts: CheckinFacts,
    *,
    answer: CheckinResponse | None = None,
    until: str | None = None,
    noted: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks of a check-in: live when ``answer`` is None, else answered.

    The fallback (what a notification shows) names only the kind of commitment, never
    its text, so a locked phone's preview stays private.
    """
    blocks: list[Block | dict[str, Any]] = list(_question(facts))
    lines = []
    if answer is not None:
        lines.append(answered_text(answer, until))
    if noted:
        lines.append(answered_text(NOTED))
    if answer is None:
        blocks.append(_buttons(facts.checkin_id))
        if not noted:
            lines.append("A reply in this thread is saved as a note on this check-in.")
    if lines:
        blocks.append(_context("\n".join(lines)))
    about = _ABOUT.get(facts.kind, _ABOUT[CheckinKind.FOLLOWUP])
    fallback = about if answer is None else f"{about}: {answered_text(answer, until)}"
    return fallback, [b if isinstance(b, dict) else b.to_dict() for b in blocks]


# --- the note modal ---------------------------------------------------------------------


def note_modal(checkin_id: int, commitment: str) -> View:
    """A small modal for a note on one check-in; the id rides in private_metadata and is
    re-checked against the person submitting it."""
    return View(
        type="modal",
        callback_id=CALLBACK_NOTE,
        title="Add a note",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps({"checkin_id": checkin_id}),
        blocks=[
            _context(f"About: “{escape(truncate(commitment, 280))}”"),
            InputBlock(
                block_id=NOTE_BLOCK,
                label="Your note",
                hint="Only you can see it. It's kept with this check-in.",
                element=PlainTextInputElement(
                    action_id=NOTE_BLOCK, multiline=True, max_length=NOTE_MAX
                ),
            ),
        ],
    )


def read_note(view: dict[str, Any]) -> tuple[int | None, str]:
    """(check-in id, note text) from a submitted note modal; defensive about shapes."""
    try:
        checkin_id = int(json.loads(view.get("private_metadata") or "{}").get("checkin_id"))
    except (TypeError, ValueError, AttributeError):
        checkin_id = None
    values = (view.get("state") or {}).get("values") or {}
    text = ((values.get(NOTE_BLOCK) or {}).get(NOTE_BLOCK) or {}).get("value")
    return checkin_id, text.strip()[:NOTE_MAX] if isinstance(text, str) else ""


def read_snooze(value: str | None) -> tuple[int | None, str | None]:
    """(check-in id, snooze key) from a snooze option value such as ``"42:3d"``."""
    raw_id, _, choice = (value or "").partition(":")
    try:
        checkin_id = int(raw_id)
    except ValueError:
        return None, None
    return checkin_id, choice if choice in SNOOZES else None


# --- the growth recap ---------------------------------------------------------------------


@dataclass(frozen=True)
class RecapFacts:
    """What the recap shows, all of it the person's own (escaped when rendered)."""

    title: str
    days: int
    what_happened: str | None
    lesson: str | None
    outcomes: list[tuple[str, str, CommitmentStatus]]  # (kind label, commitment, its status)


def recap_message(facts: RecapFacts) -> tuple[str, list[dict[str, Any]]]:
    """The look back posted once every commitment of a setback is done or let go."""
    blocks: list[Block] = [
        HeaderBlock(text=truncate(f"Looking back: {facts.title}", 150)),
        SectionBlock(text=MarkdownTextObject(text=recap_intro(facts.days))),
    ]
    if facts.what_happened:
        blocks += labelled_sections("What happened", facts.what_happened)
    if facts.lesson:
        blocks += labelled_sections("The lesson", facts.lesson)
    lines = [
        f"• *{_CLOSED_LABEL.get(status, 'Closed')}* ({label.lower()}): {escape(text)}"
        for label, text, status in facts.outcomes
    ]
    if lines:
        chunks = split_for_sections("\n".join(lines), 2970)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*What you did*\n{chunks[0]}")))
        blocks += [SectionBlock(text=MarkdownTextObject(text=c)) for c in chunks[1:]]
    blocks.append(DividerBlock())
    blocks.append(
        _context("Letting something go is a fine outcome too. What you learned stays with you.")
    )
    fallback = "Looking back on your setback: every commitment is now done or let go."
    return fallback, [b if isinstance(b, dict) else b.to_dict() for b in blocks]
