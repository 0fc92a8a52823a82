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
from bot.checkins.wording import (
    NOTE_HELD,
    NOTE_QUESTION,
    NOTED,
    answered_text,
    checkin_text,
    recap_closing,
    recap_intro,
    undo_line,
)
from bot.core.mrkdwn import escape, split_for_sections, truncate, verbatim
from bot.reflection.quoting import (
    commitment_mrkdwn,
    commitment_shown,
    quotable,
    title_shown,
    with_mentions,
)
from bot.reflection.summary_view import ACTION_SHARE_OPEN, KIND_LABEL, labelled_sections
from storage.models import CheckinKind, CheckinResponse, CommitmentKind, CommitmentStatus

ACTION_DONE = "setback_checkin_done"
ACTION_WORKING = "setback_checkin_working"
ACTION_SNOOZE = "setback_checkin_snooze"
ACTION_LET_GO = "setback_checkin_let_go"
ACTION_NOTE = "setback_checkin_note"
ACTION_UNDO = "setback_checkin_undo"
ACTION_NOTE_FOR = "setback_note_for"  # "this plan" on the question a reply in a thread raises
ACTION_NOTE_SKIP = "setback_note_skip"
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
NOTE_QUESTION_EVENT = "setback_note_question"  # names the reply (its ts), never its words

_ABOUT = {
    CheckinKind.FOLLOWUP: "Checking in on your plan",
    CheckinKind.AMENDS: "Checking in on your repair",
    CheckinKind.SUPPORT: "Checking in on reaching out for support",
}
_CLOSED_LABEL = {CommitmentStatus.DONE: "Done", CommitmentStatus.LET_GO: "Let go"}
_KIND_OF_LABEL = {label: kind for kind, label in KIND_LABEL.items()}  # recap outcomes


@dataclass(frozen=True)
class CheckinFacts:
    """What a check-in message shows: enough to render it the same way every time."""

    checkin_id: int
    kind: CheckinKind
    commitment: str
    seq: int
    total: int
    promised: str | None = None  # a repair delivered on another day: that day, named


def metadata(checkin_id: int) -> dict[str, Any]:
    """Slack message metadata naming the check-in, so a retried send can find its post."""
    return {"event_type": CHECKIN_EVENT, "event_payload": {"checkin_id": checkin_id}}


def _question(facts: CheckinFacts) -> list[Block]:
    # Quoted as `bot.reflection.quoting` says: no harsh self-judgement, mentions only
    # where Setback built them (the support commitment).
    said = commitment_shown(facts.kind, facts.commitment)
    words = checkin_text(
        facts.kind, said, facts.seq, facts.total, facts.checkin_id, promised=facts.promised
    )
    return [
        SectionBlock(text=MarkdownTextObject(text=chunk, verbatim=True))
        for chunk in split_for_sections(with_mentions(facts.kind, escape(words)))
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


def _after_answer(checkin_id: int, undo: bool) -> ActionsBlock:
    """What an answered check-in still offers: a note, and Undo while Done or Let it go
    can be taken back."""
    value = str(checkin_id)
    note = ButtonElement(text="Add a note", action_id=ACTION_NOTE, value=value)
    undo_button = ButtonElement(text="Undo", action_id=ACTION_UNDO, value=value)
    elements = [undo_button, note] if undo else [note]
    return ActionsBlock(block_id=f"answered_{checkin_id}", elements=elements)


def checkin_message(
    facts: CheckinFacts,
    *,
    answer: CheckinResponse | None = None,
    until: str | None = None,
    last: bool = False,
    noted: bool = False,
    undo_until: str | None = None,
    answered_here: bool = True,
) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks of a check-in: live when ``answer`` is None, else answered.

    A check-in answered here (``answered_here``, not one closed by an answer to another
    check-in of its plan) keeps "Add a note", and "Undo" while ``undo_until`` (the local
    time its Done or Let it go can be taken back until) is given. ``until`` and ``last``
    say when the next check-in comes (`answered_text`). The fallback (what a
    notification shows) names only the kind of commitment, never its text, so a locked
    phone's preview stays private.
    """
    blocks: list[Block | dict[str, Any]] = list(_question(facts))
    lines = []
    answered = answered_text(answer, until, last=last) if answer is not None else None
    if answered is not None:
        lines.append(answered)
    if noted:
        lines.append(answered_text(NOTED))
    if answer is None:
        blocks.append(_buttons(facts.checkin_id))
        if not noted:
            lines.append("A reply in this thread is saved as a note.")
    elif answered_here:
        blocks.append(_after_answer(facts.checkin_id, undo=undo_until is not None))
        if undo_until is not None:
            lines.append(undo_line(undo_until))
    if lines:
        blocks.append(_context("\n".join(lines)))
    about = _ABOUT.get(facts.kind, _ABOUT[CheckinKind.FOLLOWUP])
    fallback = about if answered is None else f"{about}: {answered}"
    return fallback, [b if isinstance(b, dict) else b.to_dict() for b in blocks]


# --- the note modal ---------------------------------------------------------------------


def note_modal(
    checkin_id: int, commitment: str, kind: CheckinKind | str = CheckinKind.FOLLOWUP
) -> View:
    """A small modal for a note on one check-in; the id rides in private_metadata and is
    re-checked against the person submitting it. ``kind`` is the commitment's kind."""
    about = with_mentions(kind, escape(truncate(commitment_shown(kind, commitment), 280)))
    return View(
        type="modal",
        callback_id=CALLBACK_NOTE,
        title="Add a note",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps({"checkin_id": checkin_id}),
        blocks=[
            _context(f"About: “{about}”"),
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


# --- which plan a reply is about -----------------------------------------------------------


@dataclass(frozen=True)
class NoteChoice:
    """One waiting check-in a reply could be a note on, as the question shows it."""

    checkin_id: int
    kind: CommitmentKind
    commitment: str


def note_question(reply_ts: str, choices: list[NoteChoice]) -> tuple[str, list[dict[str, Any]]]:
    """Ask which plan a reply in the thread is about: one section per waiting check-in's
    plan with a button, and "Don't keep it". The reply itself stays only in Slack: each
    button carries the check-in id and the reply's ts, and the words are read from the
    thread once the person picks (`bot.checkins.notes`)."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=NOTE_QUESTION))]
    for i, choice in enumerate(choices):
        label = KIND_LABEL.get(choice.kind, "Plan")
        blocks.append(
            SectionBlock(
                block_id=f"note_for_{i}",
                text=MarkdownTextObject(
                    text=f"*{label}:* {commitment_mrkdwn(choice.kind, choice.commitment)}",
                    verbatim=True,
                ),
                accessory=ButtonElement(
                    text="This one",
                    action_id=ACTION_NOTE_FOR,
                    value=f"{choice.checkin_id}:{reply_ts}",
                ),
            )
        )
    if choices:
        skip = ButtonElement(
            text="Don't keep it",
            action_id=ACTION_NOTE_SKIP,
            value=f"{choices[0].checkin_id}:{reply_ts}",
        )
        blocks.append(ActionsBlock(block_id="note_skip", elements=[skip]))
    blocks.append(_context(NOTE_HELD))
    return "Which plan is your reply about?", [b.to_dict() for b in blocks]


def note_question_metadata(reply_ts: str) -> dict[str, Any]:
    """Message metadata of the question: how the answer finds it again in the thread."""
    return {"event_type": NOTE_QUESTION_EVENT, "event_payload": {"reply_ts": reply_ts}}


def note_question_settled(line: str) -> tuple[str, list[dict[str, Any]]]:
    """The question once answered: one line, no buttons (``line`` is mrkdwn)."""
    return "Your reply", [SectionBlock(text=verbatim(line)).to_dict()]


def read_note_choice(value: str | None) -> tuple[int | None, str | None]:
    """(check-in id, reply ts) from a question's button value such as ``"42:1795.0001"``."""
    raw_id, _, reply_ts = (value or "").partition(":")
    try:
        checkin_id = int(raw_id)
    except ValueError:
        return None, None
    return checkin_id, reply_ts or None


# --- the growth recap ---------------------------------------------------------------------


@dataclass(frozen=True)
class RecapFacts:
    """What the recap shows, all of it the person's own (escaped when rendered)."""

    title: str
    days: int
    what_happened: str | None
    lesson: str | None
    outcomes: list[tuple[str, str, CommitmentStatus]]  # (kind label, commitment, its status)
    share_setback_id: int | None = None  # offer "Share a blameless retro" of this setback


def recap_message(facts: RecapFacts) -> tuple[str, list[dict[str, Any]]]:
    """The look back posted once every commitment of a setback is done or let go."""
    blocks: list[Block] = [
        HeaderBlock(text=truncate(f"Looking back: {title_shown(facts.title)}", 150)),
        SectionBlock(text=MarkdownTextObject(text=recap_intro(facts.days))),
    ]
    # Quoted as `bot.reflection.quoting` says: no harsh self-judgement, ever.
    what_happened, lesson = quotable(facts.what_happened), quotable(facts.lesson)
    if what_happened:
        blocks += labelled_sections("What happened", what_happened)
    if lesson:
        blocks += labelled_sections("The lesson", lesson)
    lines = [
        f"• *{_CLOSED_LABEL.get(status, 'Closed')}* ({label.lower()}): "
        f"{commitment_mrkdwn(_KIND_OF_LABEL.get(label, ''), text)}"
        for label, text, status in facts.outcomes
    ]
    if lines:
        chunks = split_for_sections("\n".join(lines), 2970)
        blocks.append(SectionBlock(text=verbatim(f"*What you did*\n{chunks[0]}")))
        blocks += [SectionBlock(text=verbatim(c)) for c in chunks[1:]]
    blocks.append(DividerBlock())
    if facts.share_setback_id is not None:
        share = ButtonElement(
            text="Share a blameless retro",
            action_id=ACTION_SHARE_OPEN,
            value=str(facts.share_setback_id),
        )
        blocks.append(ActionsBlock(block_id="recap_actions", elements=[share]))
    let_go = any(status == CommitmentStatus.LET_GO for _, _, status in facts.outcomes)
    blocks.append(_context(recap_closing(let_go)))
    fallback = "Looking back on your setback: every commitment is now done or let go."
    return fallback, [b if isinstance(b, dict) else b.to_dict() for b in blocks]
