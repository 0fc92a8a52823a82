"""Share records: a blameless retro from draft to posted, scoped by team and author."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import (
    Setback,
    Share,
    ShareStatus,
)


def get_owned_share(s: Session, team_id: str, user_id: str, share_id: int | None) -> Share | None:
    """The share only if this team + user own it; None otherwise (no hint why)."""
    if share_id is None:
        return None
    return s.exec(
        select(Share).where(
            Share.id == share_id, Share.team_id == team_id, Share.user_id == user_id
        )
    ).first()


def claim_share(
    s: Session,
    team_id: str,
    user_id: str,
    share_id: int,
    from_statuses: Sequence[ShareStatus],
    to_status: ShareStatus,
    now: datetime,
) -> bool:
    """Move an owned share between statuses in one UPDATE; False when another request
    got there first (a double-clicked Post) or the row is not this person's."""
    result = s.exec(
        update(Share)
        .where(
            col(Share.id) == share_id,
            col(Share.team_id) == team_id,
            col(Share.user_id) == user_id,
            col(Share.status).in_(list(from_statuses)),
        )
        .values(status=to_status, updated_at=now)
    )
    return bool(result.rowcount == 1)


def shares_of_setback(s: Session, setback: Setback, statuses: Sequence[ShareStatus]) -> list[Share]:
    return list(
        s.exec(
            select(Share)
            .where(
                Share.setback_id == setback.id,
                Share.team_id == setback.team_id,
                Share.user_id == setback.user_id,
                col(Share.status).in_(list(statuses)),
            )
            .order_by(col(Share.id))
        )
    )
