"""Messages and files the bot sent a person that no other row records.

The summary DM, the check-ins and a share's post and confirmation are recorded on their
own rows (`setback.thread_ts`, `checkin.message_ts`, `share.message_ts` and
`confirm_ts`). Everything else the bot sends a person is recorded here once Slack has
it: the growth recap, notices in a setback's thread or the DM (a share's outcome, an
answer to a reply), and an export's files. A row says where the message is, never what
it said, so that erasing (`storage.erase.message_refs`) can take it down with the rest.

A message whose setback was deleted while it was being sent (the erasure won the race)
is not recorded: it is queued for removal instead, due at once, so housekeeping takes
it down. Recording never raises: the message is in Slack either way, and a failure is
logged (without content) rather than failing the caller's work.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from storage.db import session_scope
from storage.models import MessageKind, MessageRemoval, SentMessage, Setback

log = logging.getLogger(__name__)


def setback_of_thread(
    engine: Engine, team_id: str, user_id: str, channel: str, thread_ts: str
) -> int | None:
    """The id of this person's setback whose DM thread starts at `thread_ts`, if any."""
    with session_scope(engine, readonly=True) as s:
        found = s.execute(
            select(col(Setback.id)).where(
                col(Setback.team_id) == team_id,
                col(Setback.user_id) == user_id,
                col(Setback.dm_channel) == channel,
                col(Setback.thread_ts) == thread_ts,
            )
        ).first()
    return int(found[0]) if found else None


def record_message(
    engine: Engine,
    team_id: str,
    user_id: str,
    kind: MessageKind,
    channel: str,
    ts: str,
    now: datetime,
    *,
    thread_ts: str | None = None,
    setback_id: int | None = None,
) -> bool:
    """Remember a message the bot posted to this person (`thread_ts`: the root it
    replies to). With `setback_id` it goes with that setback. False when it could not be
    recorded: its setback is gone (the message is then queued for removal) or the
    database failed (logged)."""
    row = SentMessage(
        team_id=team_id,
        user_id=user_id,
        setback_id=setback_id,
        kind=kind,
        channel=channel,
        ts=ts,
        thread_ts=thread_ts,
        created_at=now,
    )
    return _record(engine, [row], now)


def record_files(
    engine: Engine, team_id: str, user_id: str, channel: str, file_ids: Sequence[str], now: datetime
) -> bool:
    """Remember files the bot shared with this person in `channel` (an export): erasing
    deletes each file and the message that shared it. False when the database failed."""
    rows = [
        SentMessage(
            team_id=team_id,
            user_id=user_id,
            kind=MessageKind.EXPORT_FILE,
            channel=channel,
            file_id=file_id,
            created_at=now,
        )
        for file_id in file_ids
    ]
    return _record(engine, rows, now)


def _record(engine: Engine, rows: list[SentMessage], now: datetime) -> bool:
    """Insert the rows; when their setback is gone (deleted before, or while, we write),
    queue their messages for removal instead."""
    if not rows:
        return True
    try:
        with session_scope(engine) as s:
            if _setback_gone(s, rows):
                raise _Gone
            s.add_all(rows)
        return True
    except (_Gone, IntegrityError):
        _queue_removal(engine, rows, now)
    except Exception as exc:  # noqa: BLE001 - the message is in Slack either way
        log.warning("recording a sent %s failed: %s", rows[0].kind, type(exc).__name__)
    return False


def _setback_gone(s: Session, rows: list[SentMessage]) -> bool:
    ids = {r.setback_id for r in rows if r.setback_id is not None}
    if not ids:
        return False
    found = s.execute(select(col(Setback.id)).where(col(Setback.id).in_(ids))).all()
    return len(found) < len(ids)


def _queue_removal(engine: Engine, rows: list[SentMessage], now: datetime) -> None:
    try:
        with session_scope(engine) as s:
            s.add_all(
                MessageRemoval(
                    team_id=r.team_id,
                    channel=r.channel,
                    ts=r.ts,
                    thread_ts=r.thread_ts,
                    file_id=r.file_id,
                    kind=r.kind,
                    created_at=now,
                    retry_at=now,
                )
                for r in rows
            )
    except Exception as exc:  # noqa: BLE001 - nothing more can be done here
        log.warning("queueing a sent %s for removal failed: %s", rows[0].kind, type(exc).__name__)


class _Gone(Exception):
    """The setback a message belongs to was deleted before it could be recorded."""
