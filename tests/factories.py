"""Test factories: rows built straight into the database, for tests only.

The app writes these through the reflection flow; tests that need a finished setback
or a commitment with check-ins in a given state build them here.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.models import (
    Checkin,
    Commitment,
    Setback,
)


def create_setback(
    s: Session, team_id: str, user_id: str, now: datetime, enterprise_id: str | None = None
) -> Setback:
    setback = Setback(
        team_id=team_id,
        enterprise_id=enterprise_id,
        user_id=user_id,
        status="draft",
        current_step=0,
        created_at=now,
        updated_at=now,
    )
    s.add(setback)
    s.flush()
    return setback


def add_commitment(s: Session, commitment: Commitment, checkins: Iterable[Checkin]) -> Commitment:
    s.add(commitment)
    s.flush()
    for c in checkins:
        c.commitment_id = commitment.id  # type: ignore[assignment]  # why: flushed above, so the id is set
        s.add(c)
    s.flush()
    return commitment


def outcomes(futures: Iterable[Future[Any]], timeout: float = 10.0) -> list[Any]:
    """Each future's result, or the exception it raised (for tests that compare both)."""
    out: list[Any] = []
    for f in futures:
        try:
            out.append(f.result(timeout))
        except Exception as error:  # noqa: BLE001 - compared by the test
            out.append(error)
    return out
