"""`one_more`: after "Still working" on a plan's last planned check-in, the next one
comes a week later, inside working hours, in the member's own zone."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.checkins.planning import WorkingHours, one_more


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_week_later_at_the_same_time_of_day_when_that_is_working_time() -> None:
    hours = WorkingHours(tz="Europe/London")
    # Fri 27 Nov 2026 10:15 London (GMT) -> Fri 4 Dec 10:15
    assert one_more(utc(2026, 11, 27, 10, 15), hours) == utc(2026, 12, 4, 10, 15)


def test_after_hours_it_waits_for_the_next_window() -> None:
    hours = WorkingHours(tz="Europe/Berlin", start=time(9), end=time(17))
    # Fri 27 Nov 2026 18:30 Berlin (17:30 UTC) -> a week later is after hours on a Friday,
    # so Mon 7 Dec 09:00 Berlin (08:00 UTC).
    assert one_more(utc(2026, 11, 27, 17, 30), hours) == utc(2026, 12, 7, 8, 0)


def test_across_a_clock_change_the_wall_time_holds() -> None:
    hours = WorkingHours(tz="America/New_York")
    # Fri 30 Oct 2026 16:30 EDT (20:30 UTC) -> Fri 6 Nov 16:30 EST (21:30 UTC)
    assert one_more(utc(2026, 10, 30, 20, 30), hours) == utc(2026, 11, 6, 21, 30)


def test_a_pause_is_respected() -> None:
    hours = WorkingHours(tz="UTC", paused_until=utc(2026, 12, 14, 0, 0))
    assert one_more(utc(2026, 11, 27, 10, 0), hours) == utc(2026, 12, 14, 9, 0)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        one_more(datetime(2026, 11, 27, 10, 0), WorkingHours())
