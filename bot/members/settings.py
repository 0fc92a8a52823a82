"""A member's check-in settings: the modal, saving it, and moving check-ins to match.

Working hours, workdays, a time-zone override and "pause check-ins until" all change
*when* check-ins may arrive, so saving them replans every check-in still scheduled for
this person with `bot.checkins.planning.replan` in the same transaction. Check-ins a dispatcher
holds at that moment are re-checked against the new hours when they are sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.models.views import View
from sqlmodel import Session

from bot.checkins.planning import WorkingHours, replan
from bot.core import hooks
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.core.timefmt import local, local_date
from bot.members import views
from bot.members import zone as members
from storage import checkins as store
from storage import members as member_store
from storage.db import session_scope
from storage.models import Member

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SaveOutcome:
    """How to answer the modal's submission: field errors, or the "saved" view."""

    errors: dict[str, str] | None = None
    view: View | None = None


# --- opening -------------------------------------------------------------------------------


def open_settings(rt: Runtime, actor: Actor, client: WebClient, trigger_id: str) -> None:
    """Open the settings modal (for `/setback settings` and the Home tab's button).

    The view opens first (a trigger id lives 3 s); the member's Slack time zone is
    refreshed after, and their check-ins replanned if it changed.
    """
    now = rt.clock.now()
    with session_scope(rt.engine, readonly=True) as s:  # opening stores nothing
        member = member_store.get_member(s, actor.team_id, actor.user_id)
        next_due = store.next_due_of_member(s, actor.team_id, actor.user_id)
    view = _modal(member or Member(team_id=actor.team_id, user_id=actor.user_id), next_due, now)
    client.views_open(trigger_id=trigger_id, view=view)
    refresh_zone(rt, actor)


def _modal(member: Member, next_due: datetime | None, now: datetime) -> View:
    tz = members.effective_tz(member)
    paused = member.paused_until if member.paused_until and member.paused_until > now else None
    form = views.SettingsForm(
        start=_hhmm(member.work_start_min),
        end=_hhmm(member.work_end_min),
        workdays=members.working_hours(member).workdays,
        tz_override=member.tz_override,
        paused_until=paused.astimezone(ZoneInfo(tz)).date().isoformat() if paused else None,
    )
    shown = f"{local(next_due, tz)} ({tz})" if next_due else None
    return views.settings_modal(form, member.tz, shown)


def _hhmm(minutes: int) -> str:
    minutes = min(minutes, 23 * 60 + 59)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- saving --------------------------------------------------------------------------------


def save_settings(rt: Runtime, actor: Actor, state_values: dict[str, Any]) -> SaveOutcome:
    """Validate and save the modal, then replan this person's scheduled check-ins.

    Only the acting team + user's own member row is written; the form carries no ids.
    Runs before the modal answers Slack (3 s), so the Home refresh — a Web API call —
    is queued to run after the answer instead of delaying it.
    """
    form = views.read_form(state_values)
    errors, start, end = _validate(form)
    if errors:
        return SaveOutcome(errors=errors)
    now = rt.clock.now()
    with session_scope(rt.engine) as s:
        member = member_store.ensure_member(s, actor.team_id, actor.user_id, now)
        member.work_start_min, member.work_end_min = start, end
        member.workdays = ",".join(str(d) for d in sorted(form.workdays))
        member.tz_override = form.tz_override
        member.paused_until = _pause_start(form.paused_until, members.effective_tz(member), now)
        member.updated_at = now
        s.add(member)
        moved = replan_member(s, member, now)
        lines = _saved_lines(member, store.next_due_of_member(s, actor.team_id, actor.user_id))
    log.info("check-in settings saved; %d check-in(s) moved", moved)
    rt.later(hooks.changed, rt, actor)
    return SaveOutcome(view=views.saved_view(lines))


def _validate(form: views.SettingsForm) -> tuple[dict[str, str], int, int]:
    errors: dict[str, str] = {}
    start, end = _minutes(form.start), _minutes(form.end)
    if start is None:
        errors[views.START] = "Pick the time your working day starts."
    if end is None:
        errors[views.END] = "Pick the time your working day ends."
    elif start is not None and end <= start:
        errors[views.END] = "Pick an end time after the start time."
    if not form.workdays:
        errors[views.DAYS] = "Pick at least one day, so check-ins have somewhere to land."
    if form.tz_override and not _is_zone(form.tz_override):
        errors[views.ZONE] = (
            "I don't know that time zone. Try a name like Europe/Berlin or America/New_York."
        )
    if form.paused_until and _date(form.paused_until) is None:
        errors[views.PAUSE] = "Pick a day from the calendar."
    return errors, start or 0, end or 0


def _minutes(hhmm: str) -> int | None:
    try:
        parsed = time.fromisoformat(hhmm)
    except ValueError:
        return None
    return parsed.hour * 60 + parsed.minute


def _is_zone(name: str) -> bool:
    try:
        WorkingHours(tz=name)
    except ValueError:
        return False
    return True


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _pause_start(day: str | None, tz: str, now: datetime) -> datetime | None:
    """ "Pause until D" means no check-ins before D begins in the person's zone; a day
    already here (or gone) means no pause."""
    parsed = _date(day) if day else None
    if parsed is None:
        return None
    begins = datetime.combine(parsed, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)
    return begins if begins > now else None


def _saved_lines(member: Member, next_due: datetime | None) -> list[str]:
    tz = members.effective_tz(member)
    hours = members.working_hours(member)
    days = ", ".join(views.DAY_NAMES[d][:3] for d in sorted(hours.workdays))
    lines = [
        f"Check-ins arrive {_hhmm(member.work_start_min)}–{_hhmm(member.work_end_min)}, "
        f"{days}, in {tz}."
    ]
    if member.paused_until:
        lines.append(f"Paused until {local_date(member.paused_until, tz)}.")
    if next_due:
        lines.append(f"Your next check-in: {local(next_due, tz)}.")
    else:
        lines.append("No check-ins are planned right now.")
    return lines


# --- replanning ----------------------------------------------------------------------------


def replan_member(s: Session, member: Member, now: datetime) -> int:
    """Move a member's scheduled check-ins into their current window; returns how many
    moved. Each commitment's plan is replanned on its own so its order is kept."""
    hours = members.working_hours(member)
    moved = 0
    rows = store.scheduled_of_member(s, member.team_id, member.user_id)
    for _, group in groupby(rows, key=lambda c: c.commitment_id):
        plan = [(row, row.due_at) for row in group if row.due_at is not None]  # NOT NULL
        new_times = replan([was for _, was in plan], hours, now)
        for (row, was), due in zip(plan, new_times, strict=True):
            if due != was:
                row.due_at = due
                s.add(row)
                moved += 1
    s.flush()
    return moved


def refresh_zone(rt: Runtime, actor: Actor) -> bool:
    """Refresh a member's time zone from `users.info` when the cached one is stale, and
    replan their check-ins if it changed. Returns whether the zone changed."""
    now = rt.clock.now()
    with session_scope(rt.engine, readonly=True) as s:
        member = member_store.get_member(s, actor.team_id, actor.user_id)
        if member is None or not members.tz_is_stale(member, now):
            return False
    tz = members.fetch_timezone(rt.client_for(actor.team_id, actor.enterprise_id), actor.user_id)
    with session_scope(rt.engine) as s:
        member = member_store.ensure_member(s, actor.team_id, actor.user_id, now)
        member.tz_checked_at = now
        changed = bool(tz) and tz != member.tz
        if changed:
            member.tz = tz
            replan_member(s, member, now)
        s.add(member)
    return changed
