"""Slack event ids already handled, so Slack's retries of an event run once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    delete,
)
from sqlmodel import Session, col

from storage.models import (
    ProcessedEvent,
)


def mark_event_processed(s: Session, event_id: str, team_id: str, now: datetime) -> bool:
    """Record an event id; False when it was already there (a retried delivery)."""
    if s.get(ProcessedEvent, event_id) is not None:
        return False
    s.add(ProcessedEvent(event_id=event_id, team_id=team_id, received_at=now))
    s.flush()
    return True


def prune_processed_events(s: Session, before: datetime) -> int:
    """Forget event ids received before ``before`` (past Slack's retry window)."""
    result = s.exec(delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < before))
    return int(result.rowcount)
