"""Housekeeping reads: summary DMs and recaps that did not arrive, stale time zones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    or_,
)
from sqlmodel import Session, select

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
                Setback.thread_ts.is_(None),  # type: ignore[union-attr]
                Setback.completed_at < completed_before,  # type: ignore[operator]
                Setback.summary_attempts < max_attempts,
            )
            .order_by(Setback.completed_at)
            .limit(limit)
        )
    )


def setbacks_awaiting_recap(s: Session, closed_after: datetime, limit: int) -> list[Setback]:
    """Setbacks whose last commitment closed recently but whose recap was not posted."""
    closed_recently = select(Commitment.setback_id).where(
        Commitment.closed_at > closed_after  # type: ignore[operator]
    )
    still_open = select(Commitment.setback_id).where(
        Commitment.status.not_in(CLOSED_COMMITMENTS)  # type: ignore[attr-defined]
    )
    return list(
        s.exec(
            select(Setback)
            .where(
                Setback.recap_posted_at.is_(None),  # type: ignore[union-attr]
                Setback.thread_ts.is_not(None),  # type: ignore[union-attr]
                Setback.id.in_(closed_recently),  # type: ignore[union-attr]
                Setback.id.not_in(still_open),  # type: ignore[union-attr]
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
            Checkin.due_at < due_before,  # type: ignore[operator]
        )
        .exists()
    )
    stale = or_(Member.tz_checked_at.is_(None), Member.tz_checked_at < checked_before)  # type: ignore[union-attr, operator]
    return list(
        s.exec(
            select(Member)
            .where(stale, Member.tz_override.is_(None), upcoming)  # type: ignore[union-attr]
            .limit(limit)
        )
    )
