"""Deleting data for good: one setback, everything of one person, a whole workspace.

The tables to clear are found from the schema itself (every table with a `setback_id`,
a `team_id` + `user_id`, or a `team_id` column), so a table added later is erased too
without anyone remembering to list it here. Children are deleted before parents, which
works on every backend whether or not foreign keys cascade.

Before rows go, `message_refs` lists what the bot sent for them in Slack — shared
retros, summary DMs, check-ins, share confirmations, and whatever `storage.sent`
recorded (recaps, notices, export files) — so the caller can remove those as well.
Replies come before the root they answer, files before messages; the queue keeps the
root of each reply (`thread_ts`) so a root waits until its replies are gone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, Table, and_, delete, exists, func, select, update
from sqlmodel import Session, SQLModel, col

import storage.models  # noqa: F401 - registers every table in the metadata
from storage.models import (
    FINISHED_SETBACKS,
    OPEN_CHECKINS,
    Checkin,
    MessageKind,
    MessageRemoval,
    SentMessage,
    Setback,
    Share,
    ShareStatus,
    Workspace,
)
from storage.rows import row_id

CHUNK = 500


@dataclass(frozen=True)
class MessageRef:
    """Something the bot sent: where it is, and what kind (for counting).

    A message has a `ts` (and `thread_ts`, the root it replies to, if it is a reply); a
    file has a `file_id` and no `ts`: removing it deletes the file and the message in
    `channel` that shared it.
    """

    channel: str
    ts: str | None
    kind: MessageKind
    thread_ts: str | None = None
    file_id: str | None = None

    @property
    def is_file(self) -> bool:
        return self.file_id is not None

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


def _children_first() -> list[Table]:
    return list(reversed(SQLModel.metadata.sorted_tables))


def _setback_ids(team_id: str, user_id: str | None) -> Select[tuple[int | None]]:
    query = select(col(Setback.id)).where(col(Setback.team_id) == team_id)
    if user_id is not None:
        query = query.where(col(Setback.user_id) == user_id)
    return query


def _run(s: Session, table: Table, where: ColumnElement[bool], counts: Counter[str]) -> None:
    result = s.exec(delete(table).where(where))
    if result.rowcount:
        counts[table.name] += result.rowcount


def delete_setbacks(s: Session, team_id: str, setback_ids: Sequence[int]) -> Counter[str]:
    """Delete these setbacks of `team_id` and every row that hangs from them."""
    counts: Counter[str] = Counter()
    ids = list(setback_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for table in _children_first():
            if table.name == Setback.__tablename__:
                continue
            if "setback_id" in table.c and "team_id" in table.c:
                where = and_(table.c.team_id == team_id, table.c.setback_id.in_(chunk))
                _run(s, table, where, counts)
        setback = Setback.__table__
        _run(s, setback, and_(setback.c.team_id == team_id, setback.c.id.in_(chunk)), counts)
    return counts


def delete_person(s: Session, team_id: str, user_id: str) -> Counter[str]:
    """Delete every row of one person in one workspace: setbacks and all under them,
    settings, safety flags, and any other table that records the person."""
    counts: Counter[str] = Counter()
    owned = _setback_ids(team_id, user_id)
    for table in _children_first():
        if table.name == Setback.__tablename__ or "team_id" not in table.c:
            continue
        if "setback_id" in table.c:
            where = and_(table.c.team_id == team_id, table.c.setback_id.in_(owned))
            _run(s, table, where, counts)
    for table in _children_first():
        if "team_id" in table.c and "user_id" in table.c:
            where = and_(table.c.team_id == team_id, table.c.user_id == user_id)
            _run(s, table, where, counts)
    return counts


def delete_team(s: Session, team_id: str) -> Counter[str]:
    """Delete every row of a workspace, in every table that carries a team id."""
    counts: Counter[str] = Counter()
    for table in _children_first():
        if "team_id" in table.c:
            _run(s, table, table.c.team_id == team_id, counts)
    return counts


def message_refs(
    s: Session,
    team_id: str,
    *,
    user_id: str | None = None,
    setback_ids: Iterable[int] | None = None,
    shares: bool = True,
    direct: bool = True,
) -> list[MessageRef]:
    """What the bot sent for these setbacks (or, with `user_id`, for everything of this
    person): shared retros (`shares`), and (`direct`) the summary DMs, check-ins, share
    confirmations, recaps, notices and export files of their DM. Files come first, then
    replies, then the messages they answer, so no thread is left with a tombstone root."""
    if setback_ids is not None:
        scope: Select[tuple[int | None]] | list[int] = list(setback_ids)
    else:
        scope = _setback_ids(team_id, user_id)
    refs: list[MessageRef] = []
    if shares:
        refs += _share_refs(s, team_id, scope)
    if direct:
        threads = _threads(s, team_id, scope)
        refs += _confirmation_refs(s, team_id, scope, threads)
        refs += _checkin_refs(s, team_id, scope, threads)
        refs += _sent_refs(s, team_id, user_id, scope)
        refs += [MessageRef(c, ts, MessageKind.SUMMARY) for c, ts in threads.values()]
    return _in_removal_order(refs)


def _share_refs(
    s: Session, team_id: str, scope: Select[tuple[int | None]] | list[int]
) -> list[MessageRef]:
    share = Share.__table__
    refs: list[MessageRef] = []
    for row in s.execute(
        select(share).where(
            share.c.team_id == team_id,
            share.c.setback_id.in_(scope),
            share.c.status == ShareStatus.POSTED,
            share.c.message_ts.is_not(None),
        )
    ).mappings():
        # A long post continues in thread replies: remove those before the post.
        root = row["message_ts"]
        extra = [ts for ts in (row.get("extra_ts") or "").split(",") if ts]
        refs += [MessageRef(row["channel"], ts, MessageKind.SHARE, root) for ts in reversed(extra)]
        refs.append(MessageRef(row["channel"], root, MessageKind.SHARE))
    return refs


def _threads(
    s: Session, team_id: str, scope: Select[tuple[int | None]] | list[int]
) -> dict[int, tuple[str, str]]:
    """Each setback's DM thread (channel, root ts), where its summary starts it."""
    rows = s.execute(
        select(col(Setback.id), col(Setback.dm_channel), col(Setback.thread_ts)).where(
            col(Setback.team_id) == team_id,
            col(Setback.id).in_(scope),
            col(Setback.dm_channel).is_not(None),
            col(Setback.thread_ts).is_not(None),
        )
    )
    return {sid: (channel, ts) for sid, channel, ts in rows}


def _root(threads: dict[int, tuple[str, str]], setback_id: int, channel: str) -> str | None:
    """The root of the setback's thread, when a message in `channel` replies to it."""
    thread = threads.get(setback_id)
    return thread[1] if thread and thread[0] == channel else None


def _confirmation_refs(
    s: Session,
    team_id: str,
    scope: Select[tuple[int | None]] | list[int],
    threads: dict[int, tuple[str, str]],
) -> list[MessageRef]:
    """The DMs confirming a share, with its Delete button (in the setback's thread)."""
    share = Share.__table__
    rows = s.execute(
        select(share.c.setback_id, share.c.confirm_channel, share.c.confirm_ts).where(
            share.c.team_id == team_id,
            share.c.setback_id.in_(scope),
            share.c.confirm_channel.is_not(None),
            share.c.confirm_ts.is_not(None),
        )
    )
    kind = MessageKind.SHARE_CONFIRMATION
    return [MessageRef(c, ts, kind, _root(threads, sid, c)) for sid, c, ts in rows]


def _checkin_refs(
    s: Session,
    team_id: str,
    scope: Select[tuple[int | None]] | list[int],
    threads: dict[int, tuple[str, str]],
) -> list[MessageRef]:
    """Every check-in message, answered or not (they are replies in the thread)."""
    rows = s.execute(
        select(col(Checkin.setback_id), col(Checkin.channel), col(Checkin.message_ts)).where(
            col(Checkin.team_id) == team_id,
            col(Checkin.setback_id).in_(scope),
            col(Checkin.channel).is_not(None),
            col(Checkin.message_ts).is_not(None),
        )
    )
    kind = MessageKind.CHECKIN
    return [MessageRef(c, ts, kind, _root(threads, sid, c)) for sid, c, ts in rows]


def _sent_refs(
    s: Session,
    team_id: str,
    user_id: str | None,
    scope: Select[tuple[int | None]] | list[int],
) -> list[MessageRef]:
    """What `storage.sent` recorded: of these setbacks, or (with `user_id`) everything
    sent to the person, exports and notices outside a thread included."""
    owner = (
        and_(col(SentMessage.team_id) == team_id, col(SentMessage.user_id) == user_id)
        if user_id is not None
        else and_(col(SentMessage.team_id) == team_id, col(SentMessage.setback_id).in_(scope))
    )
    rows = s.scalars(select(SentMessage).where(owner).order_by(col(SentMessage.id)))
    return [MessageRef(r.channel, r.ts, r.kind, r.thread_ts, r.file_id) for r in rows]


def _in_removal_order(refs: list[MessageRef]) -> list[MessageRef]:
    """Each message or file once; files first, then replies, then the rest (roots)."""
    seen: set[tuple[str, str | None, str | None]] = set()
    kept: list[MessageRef] = []
    for ref in refs:
        key = (ref.channel, ref.ts, ref.file_id)
        if key not in seen:
            seen.add(key)
            kept.append(ref)
    return sorted(kept, key=lambda r: 0 if r.is_file else 1 if r.is_reply else 2)


# --- messages still to take down ---------------------------------------------------------

# The erasing request removes them first; a big erasure under Slack's rate limits
# (chat.delete allows about 50 a minute) may take a while, so housekeeping waits.
FIRST_TRY_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class PendingRemoval:
    """A queued `MessageRemoval`: its row id, the message it names, and the workspace
    it is in (whose token removes it)."""

    id: int
    ref: MessageRef
    attempts: int
    team_id: str


def queue_removals(
    s: Session, team_id: str, refs: Sequence[MessageRef], now: datetime
) -> list[PendingRemoval]:
    """Record, inside the erasing transaction, the messages still to take down. They are
    the request's own to remove first; housekeeping takes over what is left after
    FIRST_TRY_GRACE."""
    rows = [
        MessageRemoval(
            team_id=team_id,
            channel=ref.channel,
            ts=ref.ts,
            thread_ts=ref.thread_ts,
            file_id=ref.file_id,
            kind=ref.kind,
            created_at=now,
            retry_at=now + FIRST_TRY_GRACE,
        )
        for ref in refs
    ]
    s.add_all(rows)
    s.flush()
    return [PendingRemoval(row_id(r), ref, 0, team_id) for r, ref in zip(rows, refs, strict=True)]


def removals_due(s: Session, now: datetime, limit: int) -> list[PendingRemoval]:
    """Queued removals whose time to try (again) has come, oldest first."""
    rows = s.scalars(
        select(MessageRemoval)
        .where(col(MessageRemoval.retry_at) <= now)
        .order_by(col(MessageRemoval.retry_at), col(MessageRemoval.id))
        .limit(limit)
    )
    return [
        PendingRemoval(
            row_id(r),
            MessageRef(r.channel, r.ts, r.kind, r.thread_ts, r.file_id),
            r.attempts,
            r.team_id,
        )
        for r in rows
    ]


def removals_done(s: Session, ids: Sequence[int]) -> None:
    """Slack took these messages down (or they were gone already): forget them."""
    if ids:
        s.execute(delete(MessageRemoval).where(col(MessageRemoval.id).in_(list(ids))))


def replies_pending(s: Session, channel: str, root_ts: str) -> bool:
    """Whether a reply to this root is still queued: the root then waits, so Slack never
    shows "This message was deleted" above a reply of ours. (Channel ids are unique
    across workspaces, so the channel and ts name one thread.)"""
    return bool(
        s.scalar(
            select(
                exists().where(
                    col(MessageRemoval.channel) == channel,
                    col(MessageRemoval.thread_ts) == root_ts,
                )
            )
        )
    )


def removal_deferred(s: Session, removal_id: int, retry_at: datetime) -> None:
    """Try again later without counting an attempt (a root waiting for its replies)."""
    s.execute(
        update(MessageRemoval).where(col(MessageRemoval.id) == removal_id).values(retry_at=retry_at)
    )


def removal_failed(s: Session, removal_id: int, error: str, retry_at: datetime) -> None:
    """Count a failed attempt and say when to try again."""
    s.execute(
        update(MessageRemoval)
        .where(col(MessageRemoval.id) == removal_id)
        .values(attempts=col(MessageRemoval.attempts) + 1, error=error[:64], retry_at=retry_at)
    )


# --- what is due for erasure --------------------------------------------------------------


def expired_setbacks(s: Session, cutoff: datetime, limit: int = CHUNK) -> list[tuple[str, int]]:
    """(team, id) of finished setbacks older than `cutoff` (completed, or created when
    archived unfinished) that have no check-in still to come: retention never cuts off a
    plan the person is still being asked about."""
    pending = select(col(Checkin.setback_id)).where(col(Checkin.status).in_(OPEN_CHECKINS))
    finished_at = func.coalesce(col(Setback.completed_at), col(Setback.created_at))
    rows = s.execute(
        select(col(Setback.team_id), col(Setback.id))
        .where(
            col(Setback.status).in_(FINISHED_SETBACKS),
            finished_at < cutoff,
            col(Setback.id).not_in(pending),
        )
        .order_by(col(Setback.id))
        .limit(limit)
    )
    return [(team, sid) for team, sid in rows]


def uninstalled_teams(s: Session, cutoff: datetime) -> list[str]:
    """Workspaces uninstalled at or before `cutoff` whose data is still here."""
    rows = s.execute(
        select(col(Workspace.team_id)).where(
            col(Workspace.uninstalled_at).is_not(None),
            col(Workspace.uninstalled_at) <= cutoff,
        )
    )
    return [team for (team,) in rows]
