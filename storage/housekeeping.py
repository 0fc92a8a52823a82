"""Housekeeping reads: summary DMs and recaps that did not arrive, stale time zones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    or_,
)
from sqlmodel import Session, col, select

from storage.models import (
    CLOSED_COMMITMENTS,
    Checkin,
    CheckinStatus,
    Commitment,
    Member,
    Setback,
    SetbackStatus,
)


def setbacks_without_thread(
    s: Session, completed_before: datetime, max_attempts: int, limit: int
) -> list[Setback]:
    """Complete setbacks whose summary DM never arrived, with attempts left."""
    return list(
        s.exec(
            select(Setback)
            .where(
                Setback.status == SetbackStatus.COMPLETE,
                col(Setback.thread_ts).is_(None),
                col(Setback.completed_at) < completed_before,
                Setback.summary_attempts < max_attempts,
            )
            .order_by(col(Setback.completed_at))
            .limit(limit)
        )
    )


def setbacks_awaiting_recap(s: Session, closed_after: datetime, limit: int) -> list[Setback]:
    """Setbacks whose last commitment closed recently but whose recap was not posted."""
    closed_recently = select(Commitment.setback_id).where(col(Commitment.closed_at) > closed_after)
    still_open = select(Commitment.setback_id).where(
        col(Commitment.status).not_in(CLOSED_COMMITMENTS)
    )
    return list(
        s.exec(
            select(Setback)
            .where(
                col(Setback.recap_posted_at).is_(None),
                col(Setback.thread_ts).is_not(None),
                col(Setback.id).in_(closed_recently),
                col(Setback.id).not_in(still_open),
            )
            .limit(limit)
        )
    )


def members_with_stale_zone(
    s: Session, checked_before: datetime, due_before: datetime, limit: int
) -> list[Member]:
    """Members with a check-in coming up whose Slack time zone was not checked lately."""
    upcoming = (
        select(Checkin.id)
        .where(
            Checkin.team_id == Member.team_id,
            Checkin.user_id == Member.user_id,
            Checkin.status == CheckinStatus.SCHEDULED,
            col(Checkin.due_at) < due_before,
        )
        .exists()
    )
    stale = or_(col(Member.tz_checked_at).is_(None), col(Member.tz_checked_at) < checked_before)
    return list(
        s.exec(
            select(Member).where(stale, col(Member.tz_override).is_(None), upcoming).limit(limit)
        )
    )
