"""Which plan a reply in a setback's thread is about, when more than one waits.

A reply is a note on the check-in it is about (`bot.checkins.answers.note_from_reply`).
When check-ins of several plans wait for an answer in the thread, Setback does not
guess. The protocol:

1. `note_from_reply` records the event id (so a redelivery asks once) and saves nothing.
2. `ask_which_plan` posts one question in the thread: a section per waiting plan with a
   "This one" button, and "Don't keep it". Each button's value is ``check-in id:reply
   ts``; the question's message metadata names the reply's ts. The reply's words are
   stored nowhere by Setback: until the person picks, they exist only in Slack.
3. `keep_reply` re-checks that the person owns the check-in, reads the reply from that
   setback's thread (``conversations.replies``: it must be their own message there, as
   it reads now, so an edit counts and a deleted reply is not kept), saves it as a note
   in the same transaction that records the pick as processed (a double click keeps it
   once), and updates the question to say where it went. `skip_reply` only updates the
   question.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.checkins import views
from bot.checkins.answers import REPLY_NOTE_MAX, after_note, append_note, commitment_of
from bot.checkins.wording import NOTE_GONE, NOTE_SKIPPED, note_kept_on
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.core.slack_client import error_code
from bot.reflection.quoting import commitment_mrkdwn
from storage import checkins as store
from storage import events as event_store
from storage import reflections as reflection_store
from storage import sent as sent_store
from storage.db import session_scope
from storage.models import Checkin, Commitment, MessageKind
from storage.rows import row_id

log = logging.getLogger(__name__)


def ask_which_plan(rt: Runtime, actor: Actor, channel: str, thread_ts: str, reply_ts: str) -> bool:
    """Post the question "which plan is your reply about?" under this person's reply,
    one choice per plan with a check-in waiting in their thread. Returns whether it was
    posted (a failure is logged; the reply stays in the thread, and "Add a note" on each
    check-in still works)."""
    with session_scope(rt.engine, readonly=True) as s:
        waiting = store.waiting_in_thread(s, actor.team_id, actor.user_id, channel, thread_ts)
        latest: dict[int, Checkin] = {c.commitment_id: c for c in waiting}  # oldest first
        plans = sorted(
            ((commitment_of(s, c), c) for c in latest.values()), key=lambda p: p[0].position
        )
        choices = [views.NoteChoice(row_id(c), p.kind, p.text) for p, c in plans]
        setback_id = waiting[0].setback_id if waiting else None
    if not choices:
        return False
    text, blocks = views.note_question(reply_ts, choices)
    try:
        posted = rt.client_for(actor.team_id, actor.enterprise_id).chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
            metadata=views.note_question_metadata(reply_ts),
        )
    except Exception as exc:  # noqa: BLE001 - nothing was kept; the reply stays in Slack
        log.warning("asking which plan a reply is about failed: %s", error_code(exc))
        return False
    # Recorded, so erasing takes the question (it quotes the plans) down too.
    sent_store.record_message(
        rt.engine,
        actor.team_id,
        actor.user_id,
        MessageKind.NOTICE,
        channel,
        str(posted["ts"]),
        rt.clock.now(),
        thread_ts=thread_ts,
        setback_id=setback_id,
    )
    return True


def keep_reply(rt: Runtime, actor: Actor, value: str | None) -> bool:
    """The person picked a plan: keep their reply as a note on that plan's check-in.

    ``value`` is the clicked button's (a claim: the check-in is re-checked against the
    actor, the reply must be theirs in that check-in's thread). Returns whether a note
    was saved by this click."""
    checkin_id, reply_ts = views.read_note_choice(value)
    place = _place(rt, actor, checkin_id)
    if place is None or reply_ts is None:
        return False
    setback_id, channel, thread_ts, commitment = place
    try:
        thread = _thread(rt, actor, channel, thread_ts)
    except Exception as exc:  # noqa: BLE001 - nothing kept; the buttons stay for another try
        log.warning("reading a thread for a reply note failed: %s", error_code(exc))
        return False
    reply = _reply(thread, reply_ts, actor.user_id)
    question = _question_ts(thread, reply_ts)
    if reply is None:
        _settle(rt, actor, channel, question, NOTE_GONE)
        return False
    text = str(reply.get("text") or "").strip()[:REPLY_NOTE_MAX]
    if not text or not _save(rt, actor, checkin_id, f"note:{setback_id}:{reply_ts}", text):
        return False
    kept = note_kept_on(commitment_mrkdwn(commitment.kind, commitment.text))
    _settle(rt, actor, channel, question, kept)
    after_note(rt, actor, checkin_id)
    return True


def skip_reply(rt: Runtime, actor: Actor, value: str | None) -> bool:
    """The person chose not to keep their reply as a note: say so on the question."""
    checkin_id, reply_ts = views.read_note_choice(value)
    place = _place(rt, actor, checkin_id)
    if place is None or reply_ts is None:
        return False
    _, channel, thread_ts, _ = place
    try:
        question = _question_ts(_thread(rt, actor, channel, thread_ts), reply_ts)
    except Exception as exc:  # noqa: BLE001 - the question keeps its buttons
        log.warning("reading a thread for a reply note failed: %s", error_code(exc))
        return False
    _settle(rt, actor, channel, question, NOTE_SKIPPED)
    return question is not None


def _place(
    rt: Runtime, actor: Actor, checkin_id: int | None
) -> tuple[int, str, str, Commitment] | None:
    """(setback id, DM channel, thread ts, commitment) of a check-in this person owns."""
    with session_scope(rt.engine, readonly=True) as s:
        checkin = store.get_owned_checkin(s, actor.team_id, actor.user_id, checkin_id)
        if checkin is None:
            return None
        setback = reflection_store.get_owned_setback(
            s, actor.team_id, actor.user_id, checkin.setback_id
        )
        if setback is None or not setback.dm_channel or not setback.thread_ts:
            return None
        return row_id(setback), setback.dm_channel, setback.thread_ts, commitment_of(s, checkin)


def _save(rt: Runtime, actor: Actor, checkin_id: int | None, key: str, text: str) -> bool:
    """Append the note, recording ``key`` in the same transaction: once per reply."""
    try:
        with session_scope(rt.engine) as s:
            if not event_store.mark_event_processed(s, key, actor.team_id, rt.clock.now()):
                return False
            checkin = store.get_owned_checkin(s, actor.team_id, actor.user_id, checkin_id)
            if checkin is None:
                return False
            append_note(s, checkin, text)
    except IntegrityError:  # a double click, both at once: the other one kept it
        return False
    return True


def _thread(rt: Runtime, actor: Actor, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    """Every message of a thread in the person's DM, its metadata included."""
    messages: list[dict[str, Any]] = []
    for page in rt.client_for(actor.team_id, actor.enterprise_id).conversations_replies(
        channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
    ):
        messages += page.get("messages") or []
    return messages


def _reply(thread: list[dict[str, Any]], reply_ts: str, user_id: str) -> dict[str, Any] | None:
    """The person's own reply with this ts, if it is still in the thread."""
    for message in thread:
        if message.get("ts") == reply_ts and message.get("user") == user_id:
            return None if message.get("bot_id") else message
    return None


def _question_ts(thread: list[dict[str, Any]], reply_ts: str) -> str | None:
    """The ts of the question asked about this reply (found by its metadata)."""
    for message in thread:
        meta = message.get("metadata") or {}
        payload = meta.get("event_payload") or {}
        if (
            meta.get("event_type") == views.NOTE_QUESTION_EVENT
            and payload.get("reply_ts") == reply_ts
        ):
            return str(message.get("ts"))
    return None


def _settle(rt: Runtime, actor: Actor, channel: str, question_ts: str | None, line: str) -> None:
    """Replace the question's buttons with one line saying what happened."""
    if question_ts is None:
        return
    text, blocks = views.note_question_settled(line)
    client = rt.client_for(actor.team_id, actor.enterprise_id)
    try:
        client.chat_update(channel=channel, ts=question_ts, text=text, blocks=blocks)
    except Exception as exc:  # noqa: BLE001 - the note is saved; the buttons are harmless
        log.warning("updating the question about a reply failed: %s", error_code(exc))
