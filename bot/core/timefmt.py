"""Showing instants to a person in their own zone, the way they would say it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local(dt: datetime, tz: str) -> str:
    """'Thu 26 Nov, 09:00' in the member's zone (the zone is named only when not UTC-like)."""
    return dt.astimezone(ZoneInfo(tz)).strftime("%a %-d %b, %H:%M")


def local_date(dt: datetime, tz: str) -> str:
    return dt.astimezone(ZoneInfo(tz)).strftime("%a %-d %b %Y")
