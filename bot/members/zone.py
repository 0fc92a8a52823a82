"""A member's time: zone (from Slack, cached), working hours, workdays, pause."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.checkins.planning import WorkingHours
from storage.models import Member

log = logging.getLogger(__name__)

TZ_REFRESH = timedelta(days=1)


def effective_tz(member: Member | None) -> str:
    """The override if set, else Slack's zone, else UTC."""
    if member is None:
        return "UTC"
    return member.tz_override or member.tz or "UTC"


def working_hours(member: Member | None) -> WorkingHours:
    """The planner's view of a member (defaults 09:00–17:00, Monday–Friday, UTC)."""
    if member is None:
        return WorkingHours()
    days = frozenset(int(d) for d in member.workdays.split(",") if d.strip())
    return WorkingHours(
        tz=effective_tz(member),
        start=_minutes_to_time(member.work_start_min),
        end=_minutes_to_time(member.work_end_min),
        workdays=days,
        paused_until=member.paused_until,
    )


def _minutes_to_time(minutes: int) -> time:
    """Minutes after midnight as a wall time; 24:00 (end of day) is the last instant."""
    if minutes >= 24 * 60:
        return time(23, 59, 59, 999999)
    return time(minutes // 60, minutes % 60)


def tz_is_stale(member: Member, now: datetime) -> bool:
    return zone_is_stale(member.tz_checked_at, now)


def zone_is_stale(checked_at: datetime | None, now: datetime) -> bool:
    """True when the zone was never read from Slack or was read too long ago."""
    return checked_at is None or now - checked_at > TZ_REFRESH


def fetch_timezone(client: WebClient, user_id: str) -> str | None:
    """The member's zone from `users.info`, or None when Slack can't say.

    A failure here must not stop a reflection: planning falls back to the cached or
    default zone and the next refresh tries again.
    """
    try:
        resp = client.users_info(user=user_id)
    except SlackApiError as exc:
        log.warning("users.info failed: %s", exc.response.get("error"))
        return None
    except Exception as exc:  # noqa: BLE001 - network trouble: keep going with the cache
        log.warning("users.info failed: %s", type(exc).__name__)
        return None
    tz = (resp.get("user") or {}).get("tz")
    if not isinstance(tz, str) or not tz:
        return None
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return tz
