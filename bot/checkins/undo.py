"""Taking back a Done or Let it go: the plan comes back as it was.

Done and Let it go close a plan in one click, so the answered message offers "Undo" for
`bot.checkins.answers.UNDO_WINDOW` (`undo_deadline` says whether it still applies).
`undo` re-checks that the person owns the check-in and that the window is open, then in
one unit of work (`storage.checkins.reopen_plan`): the check-in waits for an answer
again, the commitment is active again, and what closing it cancelled comes back —
unsent check-ins as scheduled (a due time that passed meanwhile moves to the member's
next working time, as a settings change would move it), posted ones as waiting. If that
close had brought the growth recap, its reservation is given back in the same
transaction and the recap message is taken down after the commit, so it comes again,
once, when the plan closes for good. Then the messages are rendered again (live
buttons), and the summary DM and the Home follow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.checkins import views
from bot.checkins.answers import commitment_of, find_posted, rerender, undo_deadline
from bot.checkins.planning import replan
from bot.core import hooks
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.core.slack_client import error_code
from bot.members import zone as members
from bot.reflection.summary import refresh_summary
from storage import checkins as store
from storage import members as member_store
from storage import reflections as reflection_store
from storage.db import session_scope
from storage.models import Checkin
from storage.rows import row_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Reopened:
    setback_id: int
    channel: str | None
    thread_ts: str | None
    touched: list[int]  # check-ins whose messages change
    recap_taken_back: bool


def undo(rt: Runtime, actor: Actor, checkin_id: int | None) -> bool:
    """Undo the Done or Let it go this person gave on this check-in, while they may.

    Returns whether the plan was reopened. A refused Undo (the window closed, the
    setback archived, a second click) changes nothing stored and only renders the
    message again, so a stale Undo button goes away.
    """
    now = rt.clock.now()
    with session_scope(rt.engine) as s:
        checkin = store.get_owned_checkin(s, actor.team_id, actor.user_id, checkin_id)
        if checkin is None:
            log.info("undo refused: check-in not found for this person")
            return False
        reopened = _reopen(s, actor, checkin, now)
    if reopened is None:
        rerender(rt, row_id(checkin))
        return False
    if reopened.recap_taken_back and reopened.channel and reopened.thread_ts:
        _take_down_recap(rt, actor, reopened.channel, reopened.thread_ts, reopened.setback_id)
    for touched in reopened.touched:
        rerender(rt, touched)
    refresh_summary(rt, actor, reopened.setback_id)
    hooks.changed(rt, actor)
    return True


def _reopen(s: Session, actor: Actor, checkin: Checkin, now: datetime) -> _Reopened | None:
    setback = reflection_store.get_owned_setback(
        s, actor.team_id, actor.user_id, checkin.setback_id
    )
    commitment = commitment_of(s, checkin)
    deadline = undo_deadline(checkin, commitment, setback)
    if setback is None or deadline is None or now >= deadline:
        return None
    restored = store.reopen_plan(s, checkin, commitment)
    if restored is None:  # undone a moment ago (a double click)
        return None
    scheduled, waiting = restored
    _into_working_time(s, actor, scheduled, now)
    recap = setback.recap_posted_at is not None
    if recap:
        store.unclaim_recap(s, row_id(setback))
    return _Reopened(
        setback_id=row_id(setback),
        channel=setback.dm_channel,
        thread_ts=setback.thread_ts,
        touched=[row_id(checkin), *(row_id(w) for w in waiting)],
        recap_taken_back=recap,
    )


def _into_working_time(s: Session, actor: Actor, rows: list[Checkin], now: datetime) -> None:
    """Keep the restored check-ins' times, moving only those now past (or outside the
    member's current window) to their next working time, in order."""
    rows = [r for r in rows if r.due_at is not None]  # NOT NULL in the table
    if not rows:
        return
    hours = members.working_hours(member_store.get_member(s, actor.team_id, actor.user_id))
    planned = replan([r.due_at for r in rows if r.due_at is not None], hours, now)
    for row, due in zip(rows, planned, strict=True):
        row.due_at = due
        s.add(row)


def _take_down_recap(
    rt: Runtime, actor: Actor, channel: str, thread_ts: str, setback_id: int
) -> None:
    """Delete the recap the reopened plan had brought (found by its metadata)."""
    client = rt.client_for(actor.team_id, actor.enterprise_id)
    try:
        ts = find_posted(client, channel, thread_ts, views.RECAP_EVENT, "setback_id", setback_id)
        if ts is not None:
            client.chat_delete(channel=channel, ts=ts)
    except Exception as exc:  # noqa: BLE001 - the plan is open again; the recap stays shown
        log.warning("taking down the recap of setback %s failed: %s", setback_id, error_code(exc))
