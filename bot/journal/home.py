"""The growth journal on the App Home: what it shows, paging, and the Home's own changes.

`gather` reads one person's journal (read-only: opening the Home stores no answer and no
setting, only when it was opened — `bot.journal.presence` — so a person who deleted
everything stays deleted); `publish` renders and publishes it; `opened` answers the
person opening their Home; `refresh` is the `bot.core.hooks` listener that republishes
after a change the person makes; `reading_view` shows one finished reflection again,
read-only. Every function takes the acting team + user from Slack's payload and reads
only their rows, so an id or offset in a payload can reveal or change nothing of anyone
else.

Publishing after a change (`refresh`) is the costliest follow-up of a change, so it is
done only while it can be seen, and once per burst:

- only for a person whose Home is open (`bot.journal.presence`): anyone else gets a
  fresh Home from `opened` when they next look;
- one publish per person at a time: changes that arrive while one is being published
  are folded into a single publish after it, which gathers then, so the last state wins.
"""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass, replace
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from sqlalchemy import Engine
from sqlmodel import Session

from bot.checkins import answers as checkins
from bot.core import hooks
from bot.core.actor import Actor
from bot.core.keyed_locks import KeyedLocks
from bot.core.runtime import Runtime
from bot.journal import presence, views
from bot.members import zone as members
from bot.reflection.answers import Answers
from bot.reflection.views import gone_view
from storage import journal as journal_store
from storage import members as member_store
from storage import reflections as reflection_store
from storage.db import session_scope
from storage.models import (
    FINISHED_SETBACKS,
    CommitmentKind,
    CommitmentStatus,
    Member,
    Setback,
    SetbackStatus,
    Workspace,
)
from storage.rows import row_id

log = logging.getLogger(__name__)

DRAFTS_SHOWN = 5
ACTIVE_SHOWN = 8
LESSONS_SHOWN = 5
SHARES_SHOWN = 8
PAGE_SIZE = 10
MAX_OFFSET = 100_000


@dataclass(frozen=True)
class Draft:
    id: int
    title: str | None
    step: int
    updated_at: datetime | None


@dataclass(frozen=True)
class OpenCommitment:
    kind: CommitmentKind
    text: str
    next_checkin: datetime | None


@dataclass(frozen=True)
class ActiveSetback:
    id: int
    title: str | None
    completed_at: datetime | None
    commitments: tuple[OpenCommitment, ...]


@dataclass(frozen=True)
class PastSetback:
    id: int
    title: str | None
    status: SetbackStatus
    when: datetime | None


@dataclass(frozen=True)
class Lesson:
    title: str | None
    text: str


@dataclass(frozen=True)
class SharedSummary:
    id: int
    title: str | None
    channel: str
    posted_at: datetime | None
    anonymous: bool


@dataclass(frozen=True)
class MemberSettings:
    tz: str
    work_start_min: int
    work_end_min: int
    workdays: tuple[int, ...]
    paused_until: datetime | None


@dataclass(frozen=True)
class Reading:
    """One finished reflection as its owner reads it again: every saved answer (as the
    typed record), and each plan with how it went."""

    title: str | None
    status: SetbackStatus
    finished_at: datetime | None
    answers: Answers
    plans: tuple[tuple[CommitmentKind, str, CommitmentStatus], ...]
    tz: str


@dataclass(frozen=True)
class Journal:
    """Everything the Home tab shows for one person, already bounded for the block budget."""

    drafts: tuple[Draft, ...]
    more_drafts: int
    active: tuple[ActiveSetback, ...]
    more_active: bool  # more with open plans than shown (they appear in the history)
    lessons: tuple[Lesson, ...]
    shares: tuple[SharedSummary, ...]
    history: tuple[PastSetback, ...]
    offset: int
    has_older: bool
    settings: MemberSettings
    has_member: bool
    setbacks_total: int
    now: datetime

    @property
    def is_new(self) -> bool:
        """No reflection at all yet (or none left after deleting everything)."""
        return self.setbacks_total == 0

    @property
    def has_data(self) -> bool:
        """Anything stored to export or delete (settings count)."""
        return self.has_member or self.setbacks_total > 0

    @property
    def older_offset(self) -> int | None:
        """Where "Show older" goes, or None on the last page."""
        return self.offset + PAGE_SIZE if self.has_older else None

    @property
    def newer_offset(self) -> int | None:
        """Where "Newer" goes, or None on the first page."""
        return max(0, self.offset - PAGE_SIZE) if self.offset else None


def gather(rt: Runtime, actor: Actor, offset: int = 0) -> Journal:
    """Read this person's journal; `offset` pages the history (clamped, never trusted)."""
    offset = max(0, min(int(offset), MAX_OFFSET))
    team, user = actor.team_id, actor.user_id
    with session_scope(rt.engine, readonly=True) as s:
        drafts = reflection_store.list_setbacks(
            s, team, user, (SetbackStatus.DRAFT,), limit=DRAFTS_SHOWN
        )
        counts = journal_store.setback_counts(s, team, user)
        n_drafts = counts.get(SetbackStatus.DRAFT, 0)
        n_all = sum(counts.values())
        active_rows = journal_store.active_setbacks(s, team, user, limit=ACTIVE_SHOWN + 1)
        shown_active = active_rows[:ACTIVE_SHOWN]
        exclude = [row_id(sb) for sb in shown_active]
        active = _active(s, team, shown_active)
        page = journal_store.past_setbacks(s, team, user, exclude, offset, PAGE_SIZE + 1)
        member = member_store.get_member(s, team, user)
        journal = Journal(
            drafts=tuple(Draft(row_id(d), d.title, d.current_step, d.updated_at) for d in drafts),
            more_drafts=max(0, n_drafts - len(drafts)),
            active=active,
            more_active=len(active_rows) > ACTIVE_SHOWN,
            lessons=_lessons(s, team, user),
            shares=_shares(s, team, user),
            history=tuple(
                PastSetback(row_id(sb), sb.title, sb.status, sb.completed_at or sb.created_at)
                for sb in page[:PAGE_SIZE]
            ),
            offset=offset,
            has_older=len(page) > PAGE_SIZE,
            settings=_settings(member),
            has_member=member is not None,
            setbacks_total=n_all,
            now=rt.clock.now(),
        )
    return journal


def _active(s: Session, team: str, setbacks: list[Setback]) -> tuple[ActiveSetback, ...]:
    """The active setbacks with their open commitments and next check-ins: two queries
    for all of them, not two per setback (the Home is rendered after every change)."""
    ids = [row_id(sb) for sb in setbacks]
    commitments = reflection_store.commitments_by_setback(
        s, team, ids, status=CommitmentStatus.ACTIVE
    )
    next_due = reflection_store.next_checkins_by_commitment(s, team, ids)
    return tuple(
        ActiveSetback(
            id=sid,
            title=sb.title,
            completed_at=sb.completed_at,
            commitments=tuple(
                OpenCommitment(c.kind, c.text, next_due.get(row_id(c)))
                for c in commitments.get(sid, [])
            ),
        )
        for sb, sid in zip(setbacks, ids, strict=True)
    )


def _lessons(s: Session, team: str, user: str) -> tuple[Lesson, ...]:
    found = journal_store.lessons_of(s, team, user, limit=LESSONS_SHOWN)
    lessons = ((sb.title, Answers(saved).lesson) for sb, saved in found)
    return tuple(Lesson(title, lesson) for title, lesson in lessons if lesson)


def _shares(s: Session, team: str, user: str) -> tuple[SharedSummary, ...]:
    shares = journal_store.posted_shares(s, team, user, limit=SHARES_SHOWN)
    titles = journal_store.setback_titles(s, team, user, sorted({sh.setback_id for sh in shares}))
    return tuple(
        SharedSummary(row_id(sh), titles.get(sh.setback_id), sh.channel, sh.posted_at, sh.anonymous)
        for sh in shares
    )


def _settings(member: Member | None) -> MemberSettings:
    hours = members.working_hours(member)
    return MemberSettings(
        tz=members.effective_tz(member),
        work_start_min=member.work_start_min if member else 9 * 60,
        work_end_min=member.work_end_min if member else 17 * 60,
        workdays=tuple(sorted(hours.workdays)),
        paused_until=member.paused_until if member else None,
    )


def reading(rt: Runtime, actor: Actor, setback_id: int | None) -> Reading | None:
    """A finished reflection of this person, to read; None when the acting team + user
    own no such finished one (the id is a claim from a button, never trusted; a draft
    is resumed, not read)."""
    with session_scope(rt.engine, readonly=True) as s:
        sb = reflection_store.get_owned_setback(s, actor.team_id, actor.user_id, setback_id)
        if sb is None or sb.status not in FINISHED_SETBACKS:
            return None
        answers = Answers(reflection_store.answers_by_field(s, sb))
        plans = tuple((c.kind, c.text, c.status) for c in reflection_store.commitments_of(s, sb))
        member = member_store.get_member(s, actor.team_id, actor.user_id)
        return Reading(
            title=sb.title,
            status=sb.status,
            finished_at=sb.completed_at or sb.created_at,
            answers=answers,
            plans=plans,
            tz=members.effective_tz(member),
        )


def reading_view(rt: Runtime, actor: Actor, setback_id: int | None) -> View:
    """The read-only modal of one of this person's finished reflections, or the "gone"
    modal (the same for someone else's id as for a deleted one: no hint it exists)."""
    found = reading(rt, actor, setback_id)
    return views.reading_modal(found) if found else gone_view()


# --- publishing ----------------------------------------------------------------------------


def publish(rt: Runtime, actor: Actor, offset: int = 0) -> bool:
    """Render and publish this person's Home. False when Slack refused or is unreachable
    (the next open or change publishes again), or the workspace is uninstalled."""
    if _uninstalled(rt, actor.team_id):
        return False
    # One publish per person at a time, gathering inside the lock: two changes racing
    # (a summary posted while the Home is opened) can then never leave the older view on top.
    with _publish_lock(actor):
        return _gather_and_publish(rt, actor, offset)


_publish_locks = KeyedLocks()  # a person's lock, while a publish holds or waits on it


def _publish_lock(actor: Actor) -> threading.Lock:
    """This person's publish lock: the one a publish under way holds, else a new one."""
    return _publish_locks.of((actor.team_id, actor.user_id))


def _gather_and_publish(rt: Runtime, actor: Actor, offset: int) -> bool:
    journal = gather(rt, actor, offset)
    client = rt.client_for(actor.team_id, actor.enterprise_id)
    if not journal.has_member:  # nothing stored yet: show Slack's zone, store nothing
        tz = members.fetch_timezone(client, actor.user_id)
        if tz:
            journal = replace(journal, settings=replace(journal.settings, tz=tz))
    view = views.home_view(journal)
    try:
        client.views_publish(user_id=actor.user_id, view=view)
    except SlackApiError as exc:
        log.warning("views.publish failed: %s", exc.response.get("error"))
        return False
    except Exception as exc:  # noqa: BLE001 - network trouble: the next change retries
        log.warning("views.publish failed: %s", type(exc).__name__)
        return False
    return True


def opened(rt: Runtime, actor: Actor, offset: int = 0) -> bool:
    """The person opened their Home (or paged it): they are looking, so publish it now,
    and keep publishing after their changes for a while (`bot.journal.presence`)."""
    presence.seen(rt, actor)
    return publish(rt, actor, offset)


def seen(rt: Runtime, actor: Actor) -> None:
    """The person used one of the Home's buttons: they are looking at it."""
    presence.seen(rt, actor)


def refresh(rt: Runtime, actor: Actor) -> None:
    """The after-change listener (`bot.core.hooks.on_change`): republish the first page
    when the person has their Home open, folding a burst of changes into one publish."""
    if not presence.is_open(rt, actor):
        return  # `opened` publishes what is true when they next look
    key = (actor.team_id, actor.user_id)
    with _refresh_guard:
        running = _refreshing.setdefault(rt.engine, {})
        if key in running:  # a publish is under way: it runs once more when done
            running[key] = True
            return
        running[key] = False
    try:
        while True:
            publish(rt, actor)
            with _refresh_guard:  # checked and let go in one step, so no change is missed
                if not running[key]:
                    del running[key]
                    return
                running[key] = False  # changed meanwhile: gather and publish again
    except BaseException:
        with _refresh_guard:
            running.pop(key, None)
        raise


# Per database, the people whose Home a refresh is publishing now, each with whether
# another change came in meanwhile (the refresh then publishes once more).
_refresh_guard = threading.Lock()
_refreshing: weakref.WeakKeyDictionary[Engine, dict[tuple[str, str], bool]] = (
    weakref.WeakKeyDictionary()
)


def _uninstalled(rt: Runtime, team_id: str) -> bool:
    with session_scope(rt.engine, readonly=True) as s:
        ws = s.get(Workspace, team_id)
        return ws is not None and ws.uninstalled_at is not None


# --- the Home's own changes -------------------------------------------------------------------


def archive(rt: Runtime, actor: Actor, setback_id: int | None) -> bool:
    """Put a finished setback away: it moves to the history, its open commitments are
    closed and its scheduled check-ins cancelled, so nothing more is sent about it.
    False when this person owns no such finished setback."""
    now = rt.clock.now()
    with session_scope(rt.engine) as s:
        sb = reflection_store.get_owned_setback(s, actor.team_id, actor.user_id, setback_id)
        if sb is None or sb.status != SetbackStatus.COMPLETE:
            return False
        waiting = [row_id(c) for c in reflection_store.archive_setback(s, sb, now)]
    checkins.rerender_all(rt, waiting)  # their messages lose the buttons (once committed)
    hooks.changed(rt, actor)
    return True
