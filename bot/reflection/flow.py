"""The reflection flow: open, save each step, go back, close, resume, finish.

Listeners call these functions and answer Slack with what they return; all reading and
writing of the database for the flow happens here, one unit of work per call. Every
function that names a setback takes the acting team + user and re-checks ownership.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from slack_sdk.models.views import View
from sqlalchemy import Connection

from bot.checkins.planning import WorkingHours, amends_due, plan_checkins
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.language import kindness, safety
from bot.members import zone as members
from bot.reflection import views
from bot.reflection.answers import Answers
from bot.reflection.quoting import USER_ID, support_commitment
from bot.reflection.screens import MAX_COMMITMENTS, TOTAL_STEPS, FormField, screen
from bot.reflection.summary import Summary
from bot.reflection.summary_view import CommitmentLine
from storage import drafts, group_commit
from storage import members as member_store
from storage import reflections as reflection_store
from storage.db import read_connection, session_scope, write_connection
from storage.models import (
    CheckinKind,
    CheckinStatus,
    CommitmentKind,
    CommitmentStatus,
    SetbackStatus,
)
from storage.types import Sealed, seal_json, seal_text

log = logging.getLogger(__name__)


# How a view submission is answered: Slack's `response_action`.
ResponseAction = Literal["errors", "update", "clear"]


@dataclass(frozen=True)
class StepOutcome:
    """What to answer a view submission with: field errors, a next view, or close."""

    action: ResponseAction
    view: View | dict[str, Any] | None = None
    errors: dict[str, str] | None = None
    finished_id: int | None = None
    summary: Summary | None = None  # what the finished reflection's summary DM shows


# --- reading a submitted screen --------------------------------------------------------


def read_values(step: int, state_values: dict[str, Any]) -> dict[str, Any]:
    """Pull this screen's answers out of `view.state.values`, by field name.

    Unknown blocks are ignored and every value is coerced to the field's shape, so a
    crafted payload cannot smuggle extra keys into the stored answers.
    """
    answers: dict[str, Any] = {}
    for f in screen(step).fields:
        raw = (state_values.get(f.name) or {}).get(f.name) or {}
        value = _coerce(f, raw)
        if value not in (None, "", []):
            answers[f.name] = value
    return answers


def _coerce(f: FormField, raw: dict[str, Any]) -> Any:
    if f.kind in ("text", "multiline"):
        value = raw.get("value")
        return value.strip()[: f.max_length] if isinstance(value, str) else None
    if f.kind == "date":
        value = raw.get("selected_date")
        return value if isinstance(value, str) and _is_date(value) else None
    if f.kind in ("select", "radio"):
        value = (raw.get("selected_option") or {}).get("value")
        return value if value in {c.value for c in f.choices} else None
    if f.kind in ("multi_select", "checkboxes"):
        allowed = {c.value for c in f.choices}
        return [
            o.get("value") for o in raw.get("selected_options") or [] if o.get("value") in allowed
        ]
    if f.kind == "users":  # only ids shaped like Slack's: Setback builds mentions of them
        users = raw.get("selected_users") or []
        return [u for u in users if isinstance(u, str) and USER_ID.fullmatch(u)][:20]
    return None


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
        return True
    except ValueError:
        return False


def validate(step: int, answers: dict[str, Any], author: str | None = None) -> dict[str, str]:
    """Field errors for a screen, keyed by block id, in the product's gentle voice.

    `author` is the person filling it in: the people they could talk to are others.
    """
    errors: dict[str, str] = {}
    fields = {f.name for f in screen(step).fields}
    for f in screen(step).fields:
        if f.required and not answers.get(f.name):
            errors[f.name] = "Please fill this in to continue."
    # The rules below are keyed by the fields a screen asks, never by its number.
    if "intensity" in fields and answers.get("feelings") and not answers.get("intensity"):
        errors["intensity"] = "How strong is it? Pick one, or clear the feelings above."
    if "people" in fields and author is not None and author in answers.get("people", []):
        errors["people"] = (
            "You picked yourself here. Choose someone you could talk it through with, "
            "or leave this empty."
        )
    if "repair_by" in fields and answers.get("repair") and not answers.get("repair_by"):
        errors["repair_by"] = "Pick a day for the repair, so we can check in with you then."
    if "factors" in fields and "factors" not in errors:
        # One per line, as the field asks; "a; b" on one line counts as two as well, so
        # a Slack client that shows the example on one line still shows a valid answer.
        factors = [f for f in re.split(r"[\n;]", answers.get("factors", "")) if f.strip()]
        if len(factors) < 2:
            errors["factors"] = (
                "List at least two contributing factors, one per line — "
                "there is rarely a single cause."
            )
    for i in range(1, MAX_COMMITMENTS + 1):
        if not {f"if_{i}", f"then_{i}"} <= fields:
            continue
        has_if, has_then = bool(answers.get(f"if_{i}")), bool(answers.get(f"then_{i}"))
        if has_if and not has_then:
            errors[f"then_{i}"] = "Add what you will do in that situation."
        elif has_then and not has_if:
            errors[f"if_{i}"] = "Add the situation that will remind you."
    return errors


# --- opening ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    """What `/setback` opens, and whether the person's time zone is due a refresh."""

    view: View | dict[str, Any]
    zone_stale: bool


def open_view(rt: Runtime, actor: Actor) -> Opening:
    """What `/setback` opens: the resume chooser when a draft exists, else step 1.

    The member's zone check is read on the same connection: every `/setback` asks
    both, and the refresh itself (a Slack call) waits until the modal is open.
    """
    now = rt.clock.now()
    with read_connection(rt.engine) as conn:
        draft = drafts.latest(conn, actor.team_id, actor.user_id)
        checked_at = member_store.zone_checked_at(conn, actor.team_id, actor.user_id)
    view = views.resume_view(*draft) if draft is not None else views.step_view_dict(0, None)
    return Opening(view, members.zone_is_stale(checked_at, now))


def resume_view(rt: Runtime, actor: Actor, setback_id: int | None = None) -> View | dict[str, Any]:
    """The screen a draft stopped at, prefilled; with no draft, a screen that says there
    is nothing to resume and offers to start a reflection."""
    team, user = actor.team_id, actor.user_id
    with session_scope(rt.engine, readonly=True) as s:
        conn = s.connection()  # one snapshot: the draft and its screen agree
        if setback_id is None:
            draft = drafts.latest(conn, team, user)
            if draft is None:
                return views.nothing_to_resume_view()
            sid, _title, step = draft
        else:
            setback = reflection_store.get_owned_setback(s, team, user, setback_id)
            if setback is None or setback.status != SetbackStatus.DRAFT:
                return views.gone_view()
            sid, step = setback_id, setback.current_step
        saved = drafts.load(conn, team, sid, step)
    return _step(step, sid, saved)


def start_over(rt: Runtime, actor: Actor, setback_id: int) -> View | dict[str, Any]:
    """Delete the draft the person chose to abandon and open a fresh first screen."""
    with session_scope(rt.engine) as s:
        setback = reflection_store.get_owned_setback(
            s, actor.team_id, actor.user_id, setback_id, lock=True
        )
        if setback is None or setback.status != SetbackStatus.DRAFT:
            return views.gone_view()
        reflection_store.delete_setback(s, setback)
    return views.step_view(0, None)


def refresh_member(rt: Runtime, actor: Actor, *, stale: bool | None = None) -> None:
    """Make sure the member exists and their time zone is fresh (after the modal opens).
    `stale` is `Opening.zone_stale` when the caller read it already."""
    now = rt.clock.now()
    if stale is None:
        with read_connection(rt.engine) as conn:
            checked_at = member_store.zone_checked_at(conn, actor.team_id, actor.user_id)
        stale = members.zone_is_stale(checked_at, now)
    if not stale:
        return  # the common case: no write, no Slack call
    tz = members.fetch_timezone(rt.client_for(actor.team_id, actor.enterprise_id), actor.user_id)
    with session_scope(rt.engine) as s:
        member = member_store.ensure_member(s, actor.team_id, actor.user_id, now)
        if tz:
            member.tz = tz
        member.tz_checked_at = now


# --- submitting ------------------------------------------------------------------------


def submit_step(
    rt: Runtime, actor: Actor, setback_id: int | None, step: int, state_values: dict[str, Any]
) -> StepOutcome:
    """Save a submitted screen and decide what comes next.

    Order matters: crisis language is screened before anything else (`bot.language.safety`
    says why); then fields are validated; then the answers are saved, so nothing typed is
    lost even when the next screen fails to render.
    """
    if not 0 <= step < TOTAL_STEPS:
        return StepOutcome("update", views.gone_view())
    answers = read_values(step, state_values)
    now = rt.clock.now()
    crisis = safety.screen_answers(answers)
    errors = validate(step, answers, actor.user_id)
    if errors and not crisis:
        return StepOutcome("errors", errors=errors)
    next_step = step if errors else step + 1
    # Sealed before the writer lock is taken, opened after it is released, and views
    # built after too: the lock is held for SQL only (`storage.drafts`).
    sealed = seal_json(answers)
    title = _sealed_title(answers)
    written = group_commit.run(
        rt.engine,
        _write_screen,
        actor,
        setback_id,
        step,
        next_step,
        title,
        crisis,
        sealed,
        now,
    )
    if written is None:
        return StepOutcome("update", views.gone_view())
    sid, peeked, summary = written
    if summary is not None:
        return StepOutcome("clear", finished_id=sid, summary=summary)
    if crisis:
        return StepOutcome("update", views.care_view(sid, next_step, rt.settings.support_resources))
    note = _kind_note(answers, sid)
    return StepOutcome("update", _step(next_step, sid, drafts.opened(peeked), note))


def _write_screen(
    conn: Connection,
    actor: Actor,
    setback_id: int | None,
    step: int,
    next_step: int,
    title: Sealed | None,
    crisis: bool,
    sealed: Sealed,
    now: datetime,
) -> tuple[int, Sealed | None, Summary | None] | None:
    """A submitted screen's writes, one unit of work: `storage.group_commit` may run it
    twice, and in the writer process (`storage.writer_process`), so it takes and returns
    plain values. None when the draft is not the actor's (or no longer a draft)."""
    current = min(next_step, TOTAL_STEPS - 1)
    claimed = _claim_draft(conn, actor, setback_id, current, title, crisis, now)
    if claimed is None:
        return None
    # `peeked` is the next screen's answers, read by the claim (it differs from `step`
    # unless crisis language holds the person on this screen, shown the care view).
    sid, peeked = claimed
    drafts.save(conn, actor.team_id, sid, step, sealed, now)
    if crisis:
        reflection_store.add_safety_flag(conn, actor.team_id, actor.user_id, now)
    elif next_step >= TOTAL_STEPS:
        return sid, None, _finish(conn, actor, sid, now)
    return sid, peeked, None


def _sealed_title(answers: dict[str, Any]) -> Sealed | None:
    """The screen's title sealed for the draft row; None unless this screen asks for it."""
    title = answers.get("title")
    return None if title is None else seal_text(title)


def continue_after_care(
    rt: Runtime, actor: Actor, setback_id: int | None, next_step: int
) -> StepOutcome:
    """ "Keep going" on the care screen: on to the screen it names, or finish."""
    now = rt.clock.now()
    if setback_id is None or not 0 <= next_step <= TOTAL_STEPS:
        return StepOutcome("update", views.gone_view())
    with write_connection(rt.engine) as conn:
        current = min(next_step, TOTAL_STEPS - 1)
        if not drafts.advance(conn, actor.team_id, actor.user_id, setback_id, current, now):
            return StepOutcome("update", views.gone_view())
        if next_step == TOTAL_STEPS:
            summary = _finish(conn, actor, setback_id, now)
            return StepOutcome("clear", finished_id=setback_id, summary=summary)
        peeked = drafts.peek(conn, actor.team_id, setback_id, next_step)
    return StepOutcome("update", _step(next_step, setback_id, drafts.opened(peeked)))


def _step(
    step: int, setback_id: int | None, saved: dict[str, Any] | None, note: str | None = None
) -> dict[str, Any]:
    return views.step_view_dict(step, setback_id, saved, kind_note=note)


def _kind_note(answers: dict[str, Any], seed: int) -> str | None:
    if kindness.answers_have_harsh_self_judgement(answers):
        return kindness.self_compassion_reflection(seed)
    return None


def _claim_draft(
    conn: Connection,
    actor: Actor,
    setback_id: int | None,
    current_step: int,
    title: str | Sealed | None,
    hold: bool,
    now: datetime,
) -> tuple[int, Sealed | None] | None:
    """The draft a submission writes to, with the answers saved on `current_step`, sealed
    (None if never saved): a new draft on the first Next (nothing saved yet), else the
    acting person's own draft, moved to `current_step` and read in the same statement;
    None when the id is not theirs or no longer a draft."""
    if setback_id is None:
        sid = drafts.create(
            conn,
            actor.team_id,
            actor.user_id,
            actor.enterprise_id,
            current_step,
            title,
            now,
            hold=hold,
        )
        return sid, None
    found, peeked = drafts.claim_screen(
        conn, actor.team_id, actor.user_id, setback_id, current_step, now, title=title, hold=hold
    )
    return (setback_id, peeked) if found else None


def go_back(
    rt: Runtime, actor: Actor, setback_id: int | None, step: int, state_values: dict[str, Any]
) -> View | dict[str, Any]:
    """Back: keep what was typed on this screen (unvalidated) and show the one before."""
    now = rt.clock.now()
    target = max(0, min(step, TOTAL_STEPS - 1) - 1)
    answers = read_values(step, state_values)
    team, user = actor.team_id, actor.user_id
    if setback_id is None:
        return views.gone_view()
    sealed = seal_json(answers) if answers else None
    with write_connection(rt.engine) as conn:
        if not drafts.advance(conn, team, user, setback_id, target, now):
            return views.gone_view()
        if sealed is not None:
            drafts.save(conn, team, setback_id, step, sealed, now)
        peeked = drafts.peek(conn, team, setback_id, target)
    return _step(target, setback_id, drafts.opened(peeked))


def close(
    rt: Runtime, actor: Actor, setback_id: int | None, step: int, state_values: dict[str, Any]
) -> int | None:
    """The modal was closed: keep whatever was typed as the draft. Returns the draft id.

    On the first screen nothing exists yet, so a draft is created only when the person
    actually typed something; an empty modal opened and closed leaves no trace.
    """
    if not 0 <= step < TOTAL_STEPS:
        return None
    answers = read_values(step, state_values)
    if setback_id is None and not answers:
        return None
    now = rt.clock.now()
    title = _sealed_title(answers)
    with write_connection(rt.engine) as conn:
        claimed = _claim_draft(conn, actor, setback_id, step, title, False, now)
        if claimed is None:
            return None
        sid, peeked = claimed
        if answers:
            saved = drafts.opened(peeked) or {}
            drafts.save(conn, actor.team_id, sid, step, {**saved, **answers}, now)
    return sid


# --- finishing -------------------------------------------------------------------------


def _finish(conn: Connection, actor: Actor, setback_id: int, now: datetime) -> Summary:
    """Mark the setback complete and turn its promises into commitments + check-ins,
    in the same transaction, so a crash never leaves a finished reflection unplanned.
    Returns what its summary DM shows, from the rows just written: the DM is posted
    after the modal closes without reading them back."""
    team, user = actor.team_id, actor.user_id
    answers = Answers.from_steps(drafts.answers_of(conn, team, setback_id))
    member = member_store.member_for_planning(conn, team, user, now)
    hours = members.working_hours(member)
    made: list[CommitmentLine] = []
    next_due: dict[int, datetime] = {}
    for commitment, due_times in _commitments(actor, setback_id, answers, hours, now):
        growth = commitment["kind"] == CommitmentKind.GROWTH
        kind = CheckinKind.FOLLOWUP if growth else CheckinKind(commitment["kind"])
        checkins = [
            {
                "team_id": team,
                "user_id": user,
                "setback_id": setback_id,
                "kind": kind,
                "seq": i,
                "total": len(due_times),
                "due_at": due,
                "status": CheckinStatus.SCHEDULED,
            }
            for i, due in enumerate(due_times)
        ]
        cid = drafts.add_commitment(conn, commitment, checkins)
        made.append(CommitmentLine(cid, commitment["kind"], commitment["text"]))
        if due_times:  # all scheduled: the next is the earliest
            next_due[cid] = min(due_times)
    title, hold, attempt = drafts.complete(conn, setback_id, now)
    return Summary(
        setback_id=setback_id,
        title=title or "Untitled",
        answers=answers,
        commitments=made,
        next_due=next_due,
        tz=members.effective_tz(member),
        share_ok=not hold,
        attempt=attempt,
    )


def _commitments(
    actor: Actor, setback_id: int, answers: Answers, hours: WorkingHours, now: datetime
) -> list[tuple[dict[str, Any], list[datetime]]]:
    """The commitment rows (column values) a finished reflection makes, each with the
    times of its check-ins: the repair, the support reach-out, each if-then plan."""
    out: list[tuple[dict[str, Any], list[datetime]]] = []

    def make(
        kind: CommitmentKind, text: str, due: datetime | None, schedule: str
    ) -> dict[str, Any]:
        return {
            "team_id": actor.team_id,
            "user_id": actor.user_id,
            "setback_id": setback_id,
            "position": len(out),
            "kind": kind,
            "text": text,
            "schedule": schedule,
            "status": CommitmentStatus.ACTIVE,
            "due_at": due,
            "created_at": now,
        }

    if answers.repair and answers.repair_by:
        due = amends_due(answers.repair_by, hours, now)
        out.append((make(CommitmentKind.AMENDS, answers.repair, due, "due"), [due]))
    if answers.reach_out_by:
        due = amends_due(answers.reach_out_by, hours, now)
        people, kinds = answers.values("people"), answers.values("support_kinds")
        reach_out = support_commitment(people, kinds, actor.user_id)
        out.append((make(CommitmentKind.SUPPORT, reach_out, due, "due"), [due]))
    for plan in answers.plans:
        due_times = plan_checkins(now, plan.schedule, hours)
        text = f"If {_lower_if(plan.situation)}, then I will {_lower_then(plan.action)}"
        last = due_times[-1] if due_times else None
        out.append((make(CommitmentKind.GROWTH, text, last, plan.schedule), due_times))
    return out


def _lower_if(text: str) -> str:
    text = text.strip().rstrip(",")
    return text[3:].strip() if text.lower().startswith("if ") else text


def _lower_then(text: str) -> str:
    text = text.strip()
    for prefix in ("then i will ", "then i'll ", "i will ", "i'll ", "then "):
        if text.lower().startswith(prefix):
            return text[len(prefix) :].strip()
    return text
