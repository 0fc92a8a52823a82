"""Answering growth check-ins: done, still working, snooze, let go, notes, the recap.

Listeners call one function here with the acting team + user from Slack's payload and
the check-in id the payload names; every function re-checks that this person owns that
check-in before anything else. The database is written first, in one unit of work, and
the messages are updated after (``chat.update``): the check-in's, and the summary DM at
the top of the thread, whose "next check-in" lines follow every answer. A Slack hiccup
never loses an answer: the next change re-renders the messages from what is stored.

A reply in the thread is a note on the one check-in there that waits for an answer (the
latest posted one when none waits). When several wait, nothing is guessed: the reply
stays only in Slack and `bot.checkins.notes` asks which plan it is about.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.checkins import views
from bot.checkins.planning import one_more, snooze
from bot.checkins.wording import NOTED, answered_text, promised_day
from bot.core import hooks
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.core.slack_client import error_code
from bot.core.timefmt import local
from bot.members import zone as members
from bot.reflection.answers import Answers
from bot.reflection.summary import refresh_summary
from bot.reflection.summary_view import KIND_LABEL
from storage import checkins as store
from storage import events as event_store
from storage import members as member_store
from storage import reflections as reflection_store
from storage import sent as sent_store
from storage.db import session_scope
from storage.models import (
    CLOSED_COMMITMENTS,
    Checkin,
    CheckinKind,
    CheckinResponse,
    CheckinStatus,
    Commitment,
    CommitmentStatus,
    MessageKind,
    Setback,
    SetbackStatus,
)
from storage.rows import row_id

log = logging.getLogger(__name__)

RESPONSES = tuple(CheckinResponse)
CLOSED_LINE = "This setback is archived, so this check-in is closed. Nothing to do here."
CLOSING = {  # the answers that close a commitment, and how
    CheckinResponse.DONE: CommitmentStatus.DONE,
    CheckinResponse.LET_GO: CommitmentStatus.LET_GO,
}
REPLY_NOTE_MAX = 4000
UNDO_WINDOW = timedelta(hours=24)  # how long Done or Let it go can be taken back

ReplyOutcome = Literal["saved", "ask", "ignored"]  # what `note_from_reply` did
ASK: Final = "ask"


@dataclass(frozen=True)
class Rendered:
    """Where a check-in's message is and what it should show now, and the workspace
    (and org) whose token updates it."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    team_id: str
    enterprise_id: str | None


# --- answering -----------------------------------------------------------------------------


def answer(
    rt: Runtime,
    actor: Actor,
    checkin_id: int | None,
    response: CheckinResponse,
    choice: str | None = None,
) -> bool:
    """Record an answer to a posted check-in and update its message.

    Done and Let it go close the commitment and cancel the rest of its plan; when that
    was the setback's last open commitment, the growth recap follows. Snooze plans a new
    check-in (a new message later) at the chosen time inside working hours; so does
    Still working when nothing is left in the plan (`_plan_one_more`). A second
    answer to the same check-in (a double click, an old message) changes nothing and
    just re-renders the message. Returns whether this call recorded the answer.
    """
    if response not in RESPONSES or (response == CheckinResponse.SNOOZED and choice is None):
        return False
    now = rt.clock.now()
    recap_for: int | None = None
    with session_scope(rt.engine) as s:
        checkin = store.get_owned_checkin(s, actor.team_id, actor.user_id, checkin_id)
        if checkin is None:
            log.info("check-in answer refused: not found for this person")
            return False
        recorded = store.mark_answered(s, checkin, response, now)
        commitment = commitment_of(s, checkin)
        others: list[Checkin] = []
        active = commitment.status == CommitmentStatus.ACTIVE
        if recorded and response in CLOSING and active:
            others = store.close_plan(s, commitment, CLOSING[response], now)
            setback = s.get(Setback, checkin.setback_id)
            if setback is not None and store.open_commitments(s, setback) == 0:
                recap_for = setback.id
        if recorded and response == CheckinResponse.SNOOZED and active:
            _plan_snooze(s, checkin, choice or "1d", now)
        if recorded and response == CheckinResponse.WORKING and active:
            _plan_one_more(s, checkin, now)
        touched = [row_id(checkin), *(row_id(o) for o in others)]
        setback_id = checkin.setback_id
    for touched_id in touched:  # rendered from what was committed, outside the write
        rerender(rt, touched_id)
    if recap_for is not None:
        post_recap(rt, recap_for)
    if recorded:  # its "next check-in" lines follow the answer
        refresh_summary(rt, actor, setback_id)
    hooks.changed(rt, actor)
    return recorded


def commitment_of(s: Session, checkin: Checkin) -> Commitment:
    """The commitment a check-in asks about (in the check-in's workspace)."""
    return s.exec(
        select(Commitment).where(
            Commitment.id == checkin.commitment_id, Commitment.team_id == checkin.team_id
        )
    ).one()


def _plan_snooze(s: Session, checkin: Checkin, choice: str, now: datetime) -> None:
    """The snoozed check-in comes back as a new row (its own message, its own id)."""
    member = member_store.get_member(s, checkin.team_id, checkin.user_id)
    s.add(_follow_up(checkin, snooze(now, choice, members.working_hours(member))))


def _plan_one_more(s: Session, checkin: Checkin, now: datetime) -> None:
    """ "Still working" with no check-in left in the plan: one more comes a week later,
    inside working hours, as the plan's new last one. Without it the plan would stay open
    with nothing to answer, never reaching Done or Let it go, nor its recap. Its message
    says when (`_render`), and it asks again the same way if the answer is the same."""
    if _later_in_plan(s, checkin):
        return
    member = member_store.get_member(s, checkin.team_id, checkin.user_id)
    due = one_more(now, members.working_hours(member))
    s.add(_follow_up(checkin, due, seq=checkin.seq + 1, total=max(checkin.total, checkin.seq + 2)))


def _follow_up(
    checkin: Checkin, due: datetime, *, seq: int | None = None, total: int | None = None
) -> Checkin:
    """A new scheduled check-in of the same plan: a snooze keeps its place in the plan
    (same `seq` of `total`), one more after the last takes the next place."""
    return Checkin(
        team_id=checkin.team_id,
        user_id=checkin.user_id,
        setback_id=checkin.setback_id,
        commitment_id=checkin.commitment_id,
        kind=checkin.kind,
        seq=checkin.seq if seq is None else seq,
        total=checkin.total if total is None else total,
        due_at=due,
        status=CheckinStatus.SCHEDULED,
    )


def _later_in_plan(s: Session, checkin: Checkin) -> bool:
    """Whether the plan holds a check-in after this one that was not called off: still
    to come, waiting for an answer or answered. Rows are created in the plan's order
    (snoozes and one-more check-ins later still), so "after" is a higher id."""
    later = s.exec(
        select(Checkin.id).where(
            Checkin.commitment_id == checkin.commitment_id,
            Checkin.team_id == checkin.team_id,
            col(Checkin.id) > row_id(checkin),
            col(Checkin.status).not_in((CheckinStatus.CANCELLED, CheckinStatus.FAILED)),
        )
    ).first()
    return later is not None


# --- notes ---------------------------------------------------------------------------------


def open_note(
    rt: Runtime, actor: Actor, checkin_id: int | None, client: WebClient, trigger_id: str
) -> bool:
    """Open the "Add a note" modal for a check-in this person owns (trigger ids live 3 s,
    so this runs first thing after the ack)."""
    with session_scope(rt.engine, readonly=True) as s:
        checkin = store.get_owned_checkin(s, actor.team_id, actor.user_id, checkin_id)
        if checkin is None:
            return False
        commitment = commitment_of(s, checkin)
        view = views.note_modal(row_id(checkin), commitment.text, commitment.kind)
    client.views_open(trigger_id=trigger_id, view=view)
    return True


def save_note(rt: Runtime, actor: Actor, checkin_id: int | None, text: str) -> bool:
    """Keep a note on an owned check-in (encrypted at rest); later notes are appended."""
    text = text.strip()
    if not text:
        return False
    with session_scope(rt.engine) as s:
        checkin = store.get_owned_checkin(s, actor.team_id, actor.user_id, checkin_id)
        if checkin is None:
            return False
        append_note(s, checkin, text)
    return True


def append_note(s: Session, checkin: Checkin, text: str) -> None:
    """Add ``text`` to the check-in's note (encrypted at rest), after what it holds."""
    checkin.note = f"{checkin.note}\n\n{text}" if checkin.note else text
    s.add(checkin)


def after_note(rt: Runtime, actor: Actor, checkin_id: int | None) -> None:
    """After a note was saved (off the ack path): show it on the message, refresh Home."""
    with session_scope(rt.engine, readonly=True) as s:
        owned = store.get_owned_checkin(s, actor.team_id, actor.user_id, checkin_id)
    if owned is None:
        return
    rerender(rt, row_id(owned))
    hooks.changed(rt, actor)


def note_from_reply(
    rt: Runtime, actor: Actor, event_id: str, channel: str, thread_ts: str, text: str
) -> ReplyOutcome:
    """A reply in a setback's thread becomes a note on the check-in it is about.

    That is the one check-in of the thread waiting for an answer, or, when none waits,
    the latest posted one. When check-ins of more than one plan wait, nothing is saved
    and this answers `ASK`: the caller asks which plan the reply is about
    (`bot.checkins.notes.ask_which_plan`), and the words stay only in Slack until then.

    The event id is recorded in the same transaction, so a redelivered event (Slack
    retries) adds nothing twice and asks once. The thread must be this person's own
    setback thread in their DM with the app.
    """
    text = text.strip()[:REPLY_NOTE_MAX]
    if not text or not event_id:
        return "ignored"
    now = rt.clock.now()
    try:
        with session_scope(rt.engine) as s:
            if not event_store.mark_event_processed(s, event_id, actor.team_id, now):
                return "ignored"
            team, user = actor.team_id, actor.user_id
            waiting = store.waiting_in_thread(s, team, user, channel, thread_ts)
            if len({c.commitment_id for c in waiting}) > 1:
                return ASK
            if waiting:
                checkin: Checkin | None = waiting[-1]
            else:
                checkin = store.latest_sent_in_thread(s, team, user, channel, thread_ts)
            if checkin is None:
                return "ignored"
            append_note(s, checkin, text)
            checkin_id = checkin.id
    except IntegrityError:  # the same event, delivered twice at once: the other one won
        return "ignored"
    after_note(rt, actor, checkin_id)
    return "saved"


# --- rendering -----------------------------------------------------------------------------


def facts_of(
    checkin: Checkin, commitment: Commitment, *, tz: str = "UTC", promised: date | None = None
) -> views.CheckinFacts:
    """What the check-in message shows (the dispatcher renders the first post from it).

    ``promised`` is the day a repair was promised for (`promised_days`), named by the
    message when it is delivered on another day in the member's zone ``tz``. Delivery is
    when it was posted, or, before that, when the dispatcher claimed it to post it now,
    so the first post and every re-render say the same.
    """
    return views.CheckinFacts(
        checkin_id=row_id(checkin),
        kind=checkin.kind,
        commitment=commitment.text,
        seq=checkin.seq,
        total=checkin.total,
        promised=_promised_phrase(checkin, tz, promised),
    )


def _promised_phrase(checkin: Checkin, tz: str, promised: date | None) -> str | None:
    delivered = checkin.sent_at or checkin.last_attempt_at or checkin.due_at
    if promised is None or delivered is None or checkin.kind != CheckinKind.AMENDS:
        return None
    return promised_day(promised, delivered.astimezone(ZoneInfo(tz)).date())


def promised_days(s: Session, rows: Iterable[tuple[Checkin, Setback]]) -> dict[int, date]:
    """The day each repair check-in's repair was promised for, by check-in id.

    Read from the reflection's answers (the check-in's own due time may be later: a
    weekend, a pause, a snooze), once per setback; other kinds name no day.
    """
    days: dict[int, date] = {}
    read: dict[int, date | None] = {}
    for checkin, setback in rows:
        if checkin.kind != CheckinKind.AMENDS:
            continue
        sid = row_id(setback)
        if sid not in read:
            read[sid] = Answers(reflection_store.answers_by_field(s, setback)).repair_by
        if (day := read[sid]) is not None:
            days[row_id(checkin)] = day
    return days


def _render(s: Session, checkin_id: int, now: datetime) -> Rendered | None:
    """The message a posted check-in should show, from what is stored: live buttons only
    while it waits for an answer (status sent); once answered, "Add a note", and "Undo"
    while a Done or Let it go can be taken back (`undo_deadline`, as of ``now``)."""
    checkin = s.get(Checkin, checkin_id)
    if checkin is None or not checkin.message_ts or not checkin.channel:
        return None
    commitment = commitment_of(s, checkin)
    setback = s.get(Setback, checkin.setback_id)
    tz = members.effective_tz(member_store.get_member(s, checkin.team_id, checkin.user_id))
    promised = promised_days(s, [(checkin, setback)] if setback is not None else [])
    facts = facts_of(checkin, commitment, tz=tz, promised=promised.get(checkin_id))
    noted = bool(checkin.note)
    answer_shown, until, last, undo_until = None, None, False, None
    if checkin.status == CheckinStatus.ANSWERED:
        answer_shown = checkin.response
    elif checkin.status == CheckinStatus.CANCELLED and commitment.status in CLOSED_COMMITMENTS:
        answer_shown = CheckinResponse(commitment.status)  # the answer that closed it
    elif checkin.status != CheckinStatus.SENT:  # cancelled another way (its setback was archived)
        text, blocks = _closed_message(facts, noted)
        org = setback.enterprise_id if setback is not None else None
        return Rendered(checkin.channel, checkin.message_ts, text, blocks, checkin.team_id, org)
    if answer_shown in (CheckinResponse.SNOOZED, CheckinResponse.WORKING):
        again = store.next_open_of(s, checkin, same_seq=answer_shown == CheckinResponse.SNOOZED)
        until = local(again.due_at, tz) if again is not None and again.due_at else None
        last = again is None and not _later_in_plan(s, checkin)
    deadline = undo_deadline(checkin, commitment, setback)
    if deadline is not None and now < deadline:
        undo_until = local(deadline, tz)
    text, blocks = views.checkin_message(
        facts,
        answer=answer_shown,
        until=until,
        last=last,
        noted=noted,
        undo_until=undo_until,
        answered_here=checkin.status == CheckinStatus.ANSWERED,
    )
    org = setback.enterprise_id if setback is not None else None
    return Rendered(checkin.channel, checkin.message_ts, text, blocks, checkin.team_id, org)


def undo_deadline(
    checkin: Checkin, commitment: Commitment, setback: Setback | None
) -> datetime | None:
    """Until when this check-in's answer can be undone: only a Done or Let it go that
    closed its plan (the plan still closed that way, its setback not archived), for
    `UNDO_WINDOW` after the answer. None when it cannot be undone at all."""
    response = checkin.response
    if checkin.status != CheckinStatus.ANSWERED or response not in CLOSING:
        return None
    if commitment.status != CLOSING[response] or checkin.answered_at is None:
        return None
    if setback is None or setback.status != SetbackStatus.COMPLETE:
        return None
    return checkin.answered_at + UNDO_WINDOW


def _closed_message(facts: views.CheckinFacts, noted: bool) -> tuple[str, list[dict[str, Any]]]:
    """A check-in closed without an answer: the question stays, the buttons go, and one
    plain line says there is nothing left to do."""
    text, blocks = views.checkin_message(facts, noted=noted)
    question = [b for b in blocks if b.get("type") == "section"]
    lines = [CLOSED_LINE, answered_text(NOTED)] if noted else [CLOSED_LINE]
    note = ContextBlock(elements=[MarkdownTextObject(text="\n".join(lines))]).to_dict()
    return f"{text}: closed", [*question, note]


def rerender(rt: Runtime, checkin_id: int) -> None:
    """Bring a posted check-in's message in line with what is stored (callers have
    checked ownership, or act for the system: the dispatcher, after a post that landed
    just as its plan was closed)."""
    now = rt.clock.now()
    with session_scope(rt.engine, readonly=True) as s:
        rendered = _render(s, checkin_id, now)
    _update_messages(rt, [rendered] if rendered else [])


def rerender_all(rt: Runtime, checkin_ids: Iterable[int]) -> None:
    """`rerender` each of these check-ins: after a change that closed several at once
    (archiving a setback), so none of their messages keeps live buttons."""
    for checkin_id in checkin_ids:
        rerender(rt, checkin_id)


def _update_messages(rt: Runtime, renders: list[Rendered]) -> None:
    for r in renders:
        try:
            rt.client_for(r.team_id, r.enterprise_id).chat_update(
                channel=r.channel, ts=r.ts, text=r.text, blocks=r.blocks
            )
        except SlackApiError as exc:
            log.warning("chat.update of a check-in failed: %s", exc.response.get("error"))
        except Exception as exc:  # noqa: BLE001 - the answer is saved; the next change re-renders
            log.warning("chat.update of a check-in failed: %s", type(exc).__name__)


# --- the recap -----------------------------------------------------------------------------


def recap_facts(
    setback: Setback, answers: Answers, commitments: Iterable[Commitment], now: datetime
) -> views.RecapFacts:
    """What the growth recap shows: the reflection's own words, read by field name, and
    how each commitment ended."""
    started = setback.completed_at or setback.created_at or now
    return views.RecapFacts(
        title=setback.title or "Untitled",
        days=max(0, (now - started).days),
        what_happened=answers.facts,
        lesson=answers.lesson,
        outcomes=[(KIND_LABEL.get(c.kind, "Plan"), c.text, c.status) for c in commitments],
        # As on the summary DM: never offered for a reflection on hold for safety.
        share_setback_id=None if setback.safety_hold else setback.id,
    )


def post_recap(rt: Runtime, setback_id: int, *, look_first: bool = False) -> bool:
    """Post the growth recap in the setback's thread once every commitment is done or
    let go. Reserved before posting (at most one recap ever); a failed post gives the
    reservation back so housekeeping can try again, and a retry (``look_first``) first
    looks in the thread for a recap whose post did arrive."""
    now = rt.clock.now()
    with session_scope(rt.engine) as s:
        setback = s.get(Setback, setback_id)
        if setback is None or not setback.thread_ts or not setback.dm_channel:
            return False
        commitments = reflection_store.commitments_of(s, setback)
        if not commitments or store.open_commitments(s, setback) > 0:
            return False
        if not store.claim_recap(s, setback_id, now):
            return False
        answers = Answers(reflection_store.answers_by_field(s, setback))
        facts = recap_facts(setback, answers, commitments, now)
        channel, thread_ts = setback.dm_channel, setback.thread_ts
        team_id, user_id = setback.team_id, setback.user_id
        org = setback.enterprise_id
    text, blocks = views.recap_message(facts)
    client = rt.client_for(team_id, org)
    try:
        posted = None
        if look_first:
            posted = find_posted(
                client, channel, thread_ts, views.RECAP_EVENT, "setback_id", setback_id
            )
        if posted is None:
            posted = client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=text,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
                metadata={
                    "event_type": views.RECAP_EVENT,
                    "event_payload": {"setback_id": setback_id},
                },
            )["ts"]
    except Exception as exc:  # noqa: BLE001 - give the reservation back; housekeeping retries
        log.warning("recap for setback %s failed: %s", setback_id, error_code(exc))
        with session_scope(rt.engine) as s:
            store.unclaim_recap(s, setback_id)
        return False
    # Recorded, so erasing takes the recap (it quotes the reflection) down too.
    sent_store.record_message(
        rt.engine,
        team_id,
        user_id,
        MessageKind.RECAP,
        channel,
        str(posted),
        now,
        thread_ts=thread_ts,
        setback_id=setback_id,
    )
    return True


def find_posted(
    client: WebClient, channel: str, thread_ts: str, event_type: str, key: str, value: int
) -> str | None:
    """The ts of the bot's message in a thread whose metadata names ``key: value``.

    How a retried send learns that its earlier post did arrive (a crash or a lost answer
    between the post and recording it). Pages through the thread with metadata included;
    raises what the Web API raises, so the caller decides whether to retry.
    """
    for page in client.conversations_replies(
        channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
    ):
        for message in page.get("messages") or []:
            meta = message.get("metadata") or {}
            payload = meta.get("event_payload") or {}
            if meta.get("event_type") == event_type and str(payload.get(key)) == str(value):
                return str(message.get("ts"))
    return None
