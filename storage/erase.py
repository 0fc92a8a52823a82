"""Deleting data for good: one setback, everything of one person, a whole workspace.

The tables to clear are found from the schema itself (every table with a `setback_id`,
a `team_id` + `user_id`, or a `team_id` column), so a table added later is erased too
without anyone remembering to list it here. Children are deleted before parents, which
works on every backend whether or not foreign keys cascade.

Before rows go, `message_refs` lists the Slack messages the bot posted for them (shared
retros, summary DMs, check-ins), so the caller can remove those from Slack as well.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, Table, and_, delete, func, select, update
from sqlmodel import Session, SQLModel, col

import storage.models  # noqa: F401 - registers every table in the metadata
from storage.models import (
    FINISHED_SETBACKS,
    OPEN_CHECKINS,
    Checkin,
    MessageKind,
    MessageRemoval,
    Setback,
    Share,
    ShareStatus,
    Workspace,
)
from storage.rows import row_id

CHUNK = 500


@dataclass(frozen=True)
class MessageRef:
    """A message the bot posted: where it is, and what kind (for counting)."""

    channel: str
    ts: str
    kind: MessageKind


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
    """Messages the bot posted for these setbacks: shared retros (`shares`) and the
    summary DMs, check-ins and share confirmations of the DM thread (`direct`). Replies
    come before the message they answer, so no thread is left with a tombstone root."""
    if setback_ids is not None:
        scope: Select[tuple[int | None]] | list[int] = list(setback_ids)
    else:
        scope = _setback_ids(team_id, user_id)
    refs: list[MessageRef] = []
    share = Share.__table__
    if shares:
        for row in s.execute(
            select(share).where(
                share.c.team_id == team_id,
                share.c.setback_id.in_(scope),
                share.c.status == ShareStatus.POSTED,
                share.c.message_ts.is_not(None),
            )
        ).mappings():
            # A long post continues in thread replies: remove those before the post.
            extra = [ts for ts in (row.get("extra_ts") or "").split(",") if ts]
            refs += [MessageRef(row["channel"], ts, MessageKind.SHARE) for ts in reversed(extra)]
            refs.append(MessageRef(row["channel"], row["message_ts"], MessageKind.SHARE))
    if direct:
        if "confirm_ts" in share.c:  # the DM confirming a share, with its Delete button
            rows = s.execute(
                select(share.c.confirm_channel, share.c.confirm_ts).where(
                    share.c.team_id == team_id,
                    share.c.setback_id.in_(scope),
                    share.c.confirm_channel.is_not(None),
                    share.c.confirm_ts.is_not(None),
                )
            )
            refs += [MessageRef(c, ts, MessageKind.SHARE_CONFIRMATION) for c, ts in rows]
        rows = s.execute(
            select(col(Checkin.channel), col(Checkin.message_ts)).where(
                col(Checkin.team_id) == team_id,
                col(Checkin.setback_id).in_(scope),
                col(Checkin.channel).is_not(None),
                col(Checkin.message_ts).is_not(None),
            )
        )
        refs += [MessageRef(c, ts, MessageKind.CHECKIN) for c, ts in rows]
        rows = s.execute(
            select(col(Setback.dm_channel), col(Setback.thread_ts)).where(
                col(Setback.team_id) == team_id,
                col(Setback.id).in_(scope),
                col(Setback.dm_channel).is_not(None),
                col(Setback.thread_ts).is_not(None),
            )
        )
        refs += [MessageRef(c, ts, MessageKind.SUMMARY) for c, ts in rows]
    return refs


# --- messages still to take down ---------------------------------------------------------

# The erasing request removes them first; a big erasure under Slack's rate limits
# (chat.delete allows about 50 a minute) may take a while, so housekeeping waits.
FIRST_TRY_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class PendingRemoval:
    """A queued `MessageRemoval`: its row id and the message it names."""

    id: int
    ref: MessageRef
    attempts: int


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
            kind=ref.kind,
            created_at=now,
            retry_at=now + FIRST_TRY_GRACE,
        )
        for ref in refs
    ]
    s.add_all(rows)
    s.flush()
    return [PendingRemoval(row_id(r), ref, 0) for r, ref in zip(rows, refs, strict=True)]


def removals_due(s: Session, now: datetime, limit: int) -> list[PendingRemoval]:
    """Queued removals whose time to try (again) has come, oldest first."""
    rows = s.scalars(
        select(MessageRemoval)
        .where(col(MessageRemoval.retry_at) <= now)
        .order_by(col(MessageRemoval.retry_at), col(MessageRemoval.id))
        .limit(limit)
    )
    return [
        PendingRemoval(row_id(r), MessageRef(r.channel, r.ts, r.kind), r.attempts) for r in rows
    ]


def removals_done(s: Session, ids: Sequence[int]) -> None:
    """Slack took these messages down (or they were gone already): forget them."""
    if ids:
        s.execute(delete(MessageRemoval).where(col(MessageRemoval.id).in_(list(ids))))


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
