"""Planning rules: working hours across time zones and DST, plans, snoozes, replans.

Expected instants are written out by hand (local wall time in a comment) rather than
computed with the code under test. The property-style loops compare ``next_slot``
against a minute-by-minute brute force that shares no code with the module.
"""

from __future__ import annotations

import struct
import zoneinfo
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.checkins.planning import (
    DEFAULT_SCHEDULE,
    DEFAULT_SPACING,
    SCHEDULE_LABELS,
    SCHEDULES,
    SNOOZE_LABELS,
    SNOOZES,
    WorkingHours,
    amends_due,
    is_working_time,
    next_slot,
    plan_checkins,
    replan,
    snooze,
)

ALL_DAYS = frozenset(range(7))
SUN_TO_THU = frozenset({6, 0, 1, 2, 3})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def at_local(tz: str, *args: int, fold: int = 0) -> datetime:
    """A wall time in ``tz`` as a UTC instant (for readable expectations)."""
    return datetime(*args, tzinfo=ZoneInfo(tz), fold=fold).astimezone(UTC)


def working(moment: datetime, hours: WorkingHours) -> bool:
    """Independent statement of "working time", for the invariants below."""
    if hours.paused_until is not None and moment < hours.paused_until:
        return False
    local = moment.astimezone(ZoneInfo(hours.tz))
    return local.weekday() in hours.workdays and hours.start <= local.time() < hours.end


def assert_working(moment: datetime, hours: WorkingHours) -> None:
    local = moment.astimezone(ZoneInfo(hours.tz))
    assert moment.tzinfo is UTC
    assert local.weekday() in hours.workdays, f"{local} is not a workday"
    assert hours.start <= local.time() < hours.end, f"{local} is outside working hours"
    if hours.paused_until is not None:
        assert moment >= hours.paused_until


def brute_next_slot(t: datetime, hours: WorkingHours) -> datetime:
    """Minute-by-minute search; exact when ``t``, the window and the zone's offset
    changes all fall on whole minutes (true for every case used here)."""
    moment = t
    for _ in range(60 * 24 * 21):
        if working(moment, hours):
            return moment
        moment += timedelta(minutes=1)
    raise AssertionError(f"brute force found no slot after {t}")


UTC_WEEK = WorkingHours()  # UTC, 09:00-17:00, Monday to Friday


# --- constants -------------------------------------------------------------------------


def test_default_spacing_follows_reflection_md() -> None:
    assert [d.days for d in DEFAULT_SPACING] == [1, 7, 30, 90]
    assert SCHEDULES[DEFAULT_SCHEDULE] == DEFAULT_SPACING


def test_named_schedules() -> None:
    in_days = {name: [d / timedelta(days=1) for d in offs] for name, offs in SCHEDULES.items()}
    assert in_days == {
        "default": [1, 7, 30, 90],
        "short": [1, 7],
        "weekly": [7, 14, 21, 28],
        "once_week": [7],
        "once_month": [30],
    }


def test_every_schedule_and_snooze_has_a_label() -> None:
    assert SCHEDULE_LABELS.keys() == SCHEDULES.keys()
    assert "recommended" in SCHEDULE_LABELS["default"]
    assert SNOOZE_LABELS.keys() == SNOOZES.keys() == {"1d", "3d", "1w"}
    assert SNOOZES["1d"] == timedelta(days=1)
    assert SNOOZES["3d"] == timedelta(days=3)


# --- WorkingHours validation -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": time(17), "end": time(9)}, "start before"),
        ({"start": time(9), "end": time(9)}, "start before"),
        ({"workdays": frozenset()}, "at least one day"),
        ({"workdays": frozenset({0, 7})}, "0-6"),
        ({"workdays": frozenset({-1})}, "0-6"),
        ({"workdays": frozenset({True})}, "0-6"),
        ({"workdays": frozenset({"1"})}, "0-6"),
        ({"workdays": None}, "set of weekday numbers"),
        ({"tz": "Mars/Olympus"}, "unknown time zone"),
        ({"tz": "America"}, "unknown time zone"),
        ({"tz": "../etc/passwd"}, "unknown time zone"),
        ({"tz": ""}, "IANA"),
        ({"tz": None}, "IANA"),
        ({"start": "09:00"}, "datetime.time"),
        ({"start": time(9, tzinfo=UTC)}, "without tzinfo"),
        ({"paused_until": datetime(2026, 6, 1, 12)}, "aware"),
    ],
)
def test_working_hours_rejects_bad_values(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkingHours(**kwargs)  # type: ignore[arg-type]  # why: wrong values on purpose: the validation is under test


def test_working_hours_normalises_inputs() -> None:
    berlin_noon = datetime(2026, 6, 1, 12, tzinfo=ZoneInfo("Europe/Berlin"))
    hours = WorkingHours(workdays=[0, 2, 2], paused_until=berlin_noon)  # type: ignore[arg-type]  # why: a list on purpose: the normalising is under test
    assert hours.workdays == frozenset({0, 2})
    assert isinstance(hours.workdays, frozenset)
    assert hours.paused_until == utc(2026, 6, 1, 10)
    assert hours.paused_until.tzinfo is UTC
    assert hash(hours) == hash(WorkingHours(workdays=frozenset({0, 2}), paused_until=berlin_noon))


def test_working_hours_defaults() -> None:
    assert UTC_WEEK.tz == "UTC"
    assert (UTC_WEEK.start, UTC_WEEK.end) == (time(9), time(17))
    assert UTC_WEEK.workdays == frozenset({0, 1, 2, 3, 4})
    assert UTC_WEEK.paused_until is None


# --- naive datetimes are refused everywhere --------------------------------------------

NAIVE = datetime(2026, 6, 2, 10)


@pytest.mark.parametrize(
    "call",
    [
        lambda: next_slot(NAIVE, UTC_WEEK),
        lambda: is_working_time(NAIVE, UTC_WEEK),
        lambda: plan_checkins(NAIVE, "default", UTC_WEEK),
        lambda: snooze(NAIVE, "1d", UTC_WEEK),
        lambda: replan([utc(2026, 6, 2, 10)], UTC_WEEK, NAIVE),
        lambda: replan([NAIVE], UTC_WEEK, utc(2026, 6, 2, 10)),
        lambda: amends_due(date(2026, 6, 2), UTC_WEEK, now=NAIVE),
    ],
)
def test_naive_datetimes_raise(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="aware"):
        call()


def test_other_aware_zones_are_accepted_and_answers_are_utc() -> None:
    berlin = datetime(2026, 6, 2, 12, tzinfo=ZoneInfo("Europe/Berlin"))  # 10:00 UTC
    result = next_slot(berlin, UTC_WEEK)
    assert result == utc(2026, 6, 2, 10)
    assert result.tzinfo is UTC


# --- next_slot in UTC ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (utc(2026, 6, 2, 10, 15, 30), utc(2026, 6, 2, 10, 15, 30)),  # Tue, inside
        (utc(2026, 6, 2, 9), utc(2026, 6, 2, 9)),  # exactly at start
        (utc(2026, 6, 2, 7), utc(2026, 6, 2, 9)),  # before start
        (utc(2026, 6, 2, 17), utc(2026, 6, 3, 9)),  # end is exclusive
        (utc(2026, 6, 2, 16, 59, 59), utc(2026, 6, 2, 16, 59, 59)),
        (utc(2026, 6, 5, 17, 30), utc(2026, 6, 8, 9)),  # Friday evening -> Monday
        (utc(2026, 6, 6, 12), utc(2026, 6, 8, 9)),  # Saturday -> Monday
        (utc(2026, 6, 7, 23, 59), utc(2026, 6, 8, 9)),  # Sunday night -> Monday
    ],
)
def test_next_slot_in_utc(given: datetime, expected: datetime) -> None:
    assert next_slot(given, UTC_WEEK) == expected


def test_is_working_time() -> None:
    assert is_working_time(utc(2026, 6, 2, 9), UTC_WEEK)
    assert not is_working_time(utc(2026, 6, 2, 17), UTC_WEEK)
    assert not is_working_time(utc(2026, 6, 6, 12), UTC_WEEK)  # Saturday
    paused = WorkingHours(paused_until=utc(2026, 6, 3))
    assert not is_working_time(utc(2026, 6, 2, 12), paused)
    assert is_working_time(utc(2026, 6, 3, 12), paused)


# --- next_slot across DST and odd offsets ----------------------------------------------

NY = "America/New_York"
BERLIN = "Europe/Berlin"


def test_new_york_weekend_across_spring_forward() -> None:
    hours = WorkingHours(tz=NY)
    # Friday 2026-03-06 07:00 EST -> 09:00 EST the same day.
    assert next_slot(utc(2026, 3, 6, 12), hours) == utc(2026, 3, 6, 14)
    # Friday 17:30 EST -> Monday 09:00 EDT, an hour earlier in UTC.
    assert next_slot(utc(2026, 3, 6, 22, 30), hours) == utc(2026, 3, 9, 13)


def test_new_york_weekend_across_fall_back() -> None:
    hours = WorkingHours(tz=NY)
    # Friday 2026-10-30 17:30 EDT -> Monday 2026-11-02 09:00 EST.
    assert next_slot(utc(2026, 10, 30, 21, 30), hours) == utc(2026, 11, 2, 14)


def test_start_inside_the_spring_forward_gap_opens_when_clocks_jump() -> None:
    hours = WorkingHours(tz=NY, start=time(2, 30), end=time(4), workdays=ALL_DAYS)
    # 02:30 does not exist on 2026-03-08; the window opens at 03:00 EDT (07:00 UTC).
    assert next_slot(utc(2026, 3, 8, 5), hours) == utc(2026, 3, 8, 7)
    assert next_slot(utc(2026, 3, 7, 9), hours) == utc(2026, 3, 8, 7)
    assert next_slot(utc(2026, 3, 8, 7, 10), hours) == utc(2026, 3, 8, 7, 10)
    # 04:00 EDT is the end; the next day opens at 02:30 EDT.
    assert next_slot(utc(2026, 3, 8, 8), hours) == utc(2026, 3, 9, 6, 30)


def test_window_wholly_inside_the_gap_is_closed_that_day() -> None:
    hours = WorkingHours(tz=NY, start=time(2), end=time(2, 45), workdays=ALL_DAYS)
    assert next_slot(utc(2026, 3, 8, 5), hours) == at_local(NY, 2026, 3, 9, 2)


def test_repeated_hour_is_working_time_on_both_passes() -> None:
    hours = WorkingHours(tz=NY, start=time(1), end=time(1, 30), workdays=ALL_DAYS)
    first_pass = at_local(NY, 2026, 11, 1, 1, fold=0)
    second_pass = at_local(NY, 2026, 11, 1, 1, fold=1)
    assert (first_pass, second_pass) == (utc(2026, 11, 1, 5), utc(2026, 11, 1, 6))
    assert next_slot(utc(2026, 11, 1, 4), hours) == first_pass
    assert next_slot(utc(2026, 11, 1, 5, 30), hours) == second_pass
    assert next_slot(utc(2026, 11, 1, 6, 30), hours) == at_local(NY, 2026, 11, 2, 1)


def test_clock_jumping_back_into_the_window_opens_it() -> None:
    hours = WorkingHours(tz=NY, start=time(0, 30), end=time(1, 30), workdays=ALL_DAYS)
    # 01:30 EDT is past the end; at 06:00 UTC the clock falls back to 01:00 EST.
    assert next_slot(utc(2026, 11, 1, 5, 30), hours) == utc(2026, 11, 1, 6)


def test_berlin_dst_weekends() -> None:
    hours = WorkingHours(tz=BERLIN)
    assert next_slot(utc(2026, 3, 27, 6), hours) == utc(2026, 3, 27, 8)  # Fri 09:00 CET
    assert next_slot(utc(2026, 3, 27, 17), hours) == utc(2026, 3, 30, 7)  # Mon 09:00 CEST
    assert next_slot(utc(2026, 10, 23, 16), hours) == utc(2026, 10, 26, 8)  # Mon 09:00 CET


def test_berlin_gap_and_repeated_hour() -> None:
    gap = WorkingHours(tz=BERLIN, start=time(2, 30), end=time(4), workdays=ALL_DAYS)
    assert next_slot(utc(2026, 3, 28, 23), gap) == utc(2026, 3, 29, 1)  # 03:00 CEST
    repeat = WorkingHours(tz=BERLIN, start=time(2), end=time(2, 30), workdays=ALL_DAYS)
    assert next_slot(utc(2026, 10, 24, 23), repeat) == utc(2026, 10, 25, 0)  # 02:00 CEST
    assert next_slot(utc(2026, 10, 25, 0, 30), repeat) == utc(2026, 10, 25, 1)  # 02:00 CET


def test_sydney_dst_weekends() -> None:
    hours = WorkingHours(tz="Australia/Sydney")
    # Fri 2026-04-03 18:00 AEDT -> Mon 04-06 09:00 AEST (DST ended on Sunday).
    assert next_slot(utc(2026, 4, 3, 7), hours) == utc(2026, 4, 5, 23)
    # Fri 2026-10-02 18:00 AEST -> Mon 10-05 09:00 AEDT (DST began on Sunday).
    assert next_slot(utc(2026, 10, 2, 8), hours) == utc(2026, 10, 4, 22)


def test_kathmandu_quarter_hour_offset() -> None:
    hours = WorkingHours(tz="Asia/Kathmandu")  # +05:45 all year
    assert next_slot(utc(2026, 6, 1, 0), hours) == utc(2026, 6, 1, 3, 15)
    assert next_slot(utc(2026, 6, 1, 11, 15), hours) == utc(2026, 6, 2, 3, 15)
    assert next_slot(utc(2026, 6, 5, 11, 15), hours) == utc(2026, 6, 8, 3, 15)


def test_lord_howe_half_hour_dst() -> None:
    tz = "Australia/Lord_Howe"  # 02:00 -> 02:30 on 2026-10-04; 02:00 -> 01:30 on 04-05
    whole_gap = WorkingHours(tz=tz, start=time(2), end=time(2, 15), workdays=ALL_DAYS)
    assert next_slot(utc(2026, 10, 3, 12), whole_gap) == utc(2026, 10, 4, 15)
    part_gap = WorkingHours(tz=tz, start=time(2, 15), end=time(3), workdays=ALL_DAYS)
    assert next_slot(utc(2026, 10, 3, 12), part_gap) == utc(2026, 10, 3, 15, 30)
    repeat = WorkingHours(tz=tz, start=time(1, 30), end=time(2), workdays=ALL_DAYS)
    assert next_slot(utc(2026, 4, 4, 10), repeat) == utc(2026, 4, 4, 14, 30)  # 01:30 +11
    assert next_slot(utc(2026, 4, 4, 15, 10), repeat) == utc(2026, 4, 4, 15, 10)  # 2nd pass


def tzif(base: timedelta, changes: list[tuple[datetime, timedelta]]) -> bytes:
    """A minimal version-1 TZif file: ``base`` offset, then each (instant, new offset)."""
    offsets = [base, *(offset for _, offset in changes)]
    n = len(changes)
    header = b"TZif" + bytes(16) + struct.pack(">6l", 0, 0, 0, n, len(offsets), 4)
    times = struct.pack(f">{n}l", *(int(at.timestamp()) for at, _ in changes))
    types = b"".join(struct.pack(">lBB", int(o.total_seconds()), 0, 0) for o in offsets)
    return header + times + bytes(range(1, n + 1)) + types + b"SYN\x00"


@pytest.fixture
def synthetic_zone(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Build zones the real database lacks, to pin down the offset-change search."""

    def make(base: timedelta, changes: list[tuple[datetime, timedelta]]) -> str:
        name = f"Synthetic/{tmp_path.name}"
        (tmp_path / "Synthetic").mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(tzif(base, changes))
        return name

    zoneinfo.reset_tzpath(to=[str(tmp_path)])
    try:
        yield make
    finally:
        zoneinfo.reset_tzpath()


def test_a_short_offset_blip_is_not_skipped(synthetic_zone: Callable[..., str]) -> None:
    # UTC+0, except UTC+12 for 90 minutes, when the wall reads Wednesday 09:30-11:00.
    tz = synthetic_zone(
        timedelta(0),
        [(utc(2026, 6, 9, 21, 30), timedelta(hours=12)), (utc(2026, 6, 9, 23), timedelta(0))],
    )
    hours = WorkingHours(tz=tz, start=time(9), end=time(10), workdays=frozenset({2}))
    # Both ends of the search (Wed 06-03 12:00, Wed 06-10 09:00) are at UTC+0.
    assert next_slot(utc(2026, 6, 3, 12), hours) == utc(2026, 6, 9, 21, 30)
    assert next_slot(utc(2026, 6, 9, 21, 59), hours) == utc(2026, 6, 9, 21, 59)  # 09:59
    assert next_slot(utc(2026, 6, 9, 22), hours) == utc(2026, 6, 10, 9)  # 10:00 is the end


def test_a_zones_offset_changes_are_read_once_per_day_and_exactly() -> None:
    from bot.checkins import planning

    new_york = ZoneInfo("America/New_York")
    spring = date(2026, 3, 8).toordinal()
    assert planning._changes_on(new_york, spring) == (utc(2026, 3, 8, 7),)  # 02:00 EST
    assert planning._changes_on(new_york, spring + 1) == ()
    lord_howe = ZoneInfo("Australia/Lord_Howe")  # 02:00 +11:00 -> 01:30 +10:30
    assert planning._changes_on(lord_howe, date(2026, 4, 4).toordinal()) == (utc(2026, 4, 4, 15),)
    hours = WorkingHours(tz="Europe/Berlin")
    plan_checkins(utc(2026, 3, 27, 16), DEFAULT_SCHEDULE, hours)
    before = planning._changes_on.cache_info()
    again = plan_checkins(utc(2026, 3, 27, 16), DEFAULT_SCHEDULE, hours)
    after = planning._changes_on.cache_info()
    assert after.misses == before.misses and after.hits > before.hits  # shared, not re-sampled
    assert again[0] == utc(2026, 3, 30, 7)  # Monday 09:00 CEST, the day after the change


def test_sunday_to_thursday_workdays() -> None:
    hours = WorkingHours(tz="Asia/Jerusalem", workdays=SUN_TO_THU)  # IDT, +03:00
    assert next_slot(utc(2026, 6, 4, 15), hours) == utc(2026, 6, 7, 6)  # Thu eve -> Sun
    assert next_slot(utc(2026, 6, 5, 8), hours) == utc(2026, 6, 7, 6)  # Friday -> Sunday
    assert next_slot(utc(2026, 6, 7, 7), hours) == utc(2026, 6, 7, 7)  # Sunday 10:00


# --- pause -----------------------------------------------------------------------------


def test_pause_in_the_future_holds_everything_until_it_ends() -> None:
    inside = WorkingHours(paused_until=utc(2026, 6, 3, 11))
    assert next_slot(utc(2026, 6, 1, 10), inside) == utc(2026, 6, 3, 11)
    at_night = WorkingHours(paused_until=utc(2026, 6, 3, 20))
    assert next_slot(utc(2026, 6, 1, 10), at_night) == utc(2026, 6, 4, 9)
    on_friday_night = WorkingHours(paused_until=utc(2026, 6, 5, 20))
    assert next_slot(utc(2026, 6, 1, 10), on_friday_night) == utc(2026, 6, 8, 9)


def test_pause_in_the_past_changes_nothing() -> None:
    hours = WorkingHours(paused_until=utc(2026, 6, 1))
    assert next_slot(utc(2026, 6, 2, 10), hours) == utc(2026, 6, 2, 10)


# --- property-style loops --------------------------------------------------------------

SWEEP_CASES = [
    (WorkingHours(tz=NY), utc(2026, 3, 5)),
    (WorkingHours(tz=NY), utc(2026, 10, 29)),
    (WorkingHours(tz=NY, start=time(2, 15), end=time(3, 45), workdays=ALL_DAYS), utc(2026, 3, 6)),
    (WorkingHours(tz=NY, start=time(0, 30), end=time(1, 30), workdays=ALL_DAYS), utc(2026, 10, 30)),
    (WorkingHours(tz=BERLIN), utc(2026, 3, 26)),
    (WorkingHours(tz=BERLIN, start=time(2), end=time(3, 30), workdays=ALL_DAYS), utc(2026, 10, 23)),
    (WorkingHours(tz="Australia/Sydney", start=time(2, 30), end=time(9)), utc(2026, 4, 2)),
    (WorkingHours(tz="Australia/Sydney"), utc(2026, 10, 1)),
    (WorkingHours(tz="Asia/Kathmandu", workdays=SUN_TO_THU), utc(2026, 6, 3)),
    (
        WorkingHours(tz="Australia/Lord_Howe", start=time(1, 45), end=time(2, 45)),
        utc(2026, 10, 1),
    ),
    (WorkingHours(tz="Australia/Lord_Howe", workdays={5, 6}), utc(2026, 4, 2)),  # type: ignore[arg-type]  # why: a set on purpose: WorkingHours normalises it
    (WorkingHours(tz="Asia/Jerusalem", workdays=SUN_TO_THU), utc(2026, 3, 25)),
    (WorkingHours(tz=BERLIN, paused_until=utc(2026, 3, 30, 14, 7)), utc(2026, 3, 26)),
]


@pytest.mark.parametrize(("hours", "base"), SWEEP_CASES)
def test_next_slot_matches_brute_force_around_offset_changes(
    hours: WorkingHours, base: datetime
) -> None:
    for minutes in range(0, 6 * 24 * 60, 97):
        t = base + timedelta(minutes=minutes)
        result = next_slot(t, hours)
        assert result >= t
        assert_working(result, hours)
        assert result == brute_next_slot(t, hours), f"from {t}"
        assert next_slot(result, hours) == result  # idempotent


@pytest.mark.parametrize(("hours", "base"), SWEEP_CASES)
def test_every_plan_is_increasing_and_in_working_time(hours: WorkingHours, base: datetime) -> None:
    for minutes in range(0, 6 * 24 * 60, 211):
        start = base + timedelta(minutes=minutes)
        for name, offsets in SCHEDULES.items():
            plan = plan_checkins(start, name, hours)
            assert len(plan) == len(offsets)
            assert all(a < b for a, b in zip(plan, plan[1:], strict=False)), (name, start)
            for due, offset in zip(plan, offsets, strict=True):
                assert due >= start + offset - timedelta(hours=2)  # DST may shift an hour
                assert_working(due, hours)


# --- plan_checkins ---------------------------------------------------------------------


def test_default_plan_in_utc() -> None:
    monday = utc(2026, 6, 1, 10)
    assert plan_checkins(monday, "default", UTC_WEEK) == [
        utc(2026, 6, 2, 10),
        utc(2026, 6, 8, 10),
        utc(2026, 7, 1, 10),
        utc(2026, 8, 31, 9),  # day 90 is a Sunday
    ]


def test_weekly_plan_keeps_the_time_of_day() -> None:
    wednesday = utc(2026, 6, 3, 12)
    assert plan_checkins(wednesday, "weekly", UTC_WEEK) == [
        utc(2026, 6, 10, 12),
        utc(2026, 6, 17, 12),
        utc(2026, 6, 24, 12),
        utc(2026, 7, 1, 12),
    ]


def test_plan_accepts_explicit_offsets_and_spreads_collisions() -> None:
    friday_night = utc(2026, 6, 5, 20)
    offsets = [timedelta(hours=1), timedelta(hours=2), timedelta(hours=3)]
    assert plan_checkins(friday_night, offsets, UTC_WEEK) == [
        utc(2026, 6, 8, 9),
        utc(2026, 6, 9, 9),
        utc(2026, 6, 10, 9),
    ]


def test_plan_collision_moves_to_next_workday_in_local_time() -> None:
    hours = WorkingHours(tz="Asia/Jerusalem", workdays=SUN_TO_THU)
    thursday_night = at_local("Asia/Jerusalem", 2026, 6, 4, 20)
    plan = plan_checkins(thursday_night, [timedelta(hours=1), timedelta(hours=2)], hours)
    assert plan == [utc(2026, 6, 7, 6), utc(2026, 6, 8, 6)]  # Sunday, Monday 09:00 IDT


def test_plan_counts_days_on_the_wall_clock_across_dst() -> None:
    ny = WorkingHours(tz=NY)
    friday = at_local(NY, 2026, 3, 6, 16, 30)  # EST
    assert plan_checkins(friday, "once_week", ny) == [at_local(NY, 2026, 3, 13, 16, 30)]
    assert plan_checkins(friday, "once_week", ny) == [utc(2026, 3, 13, 20, 30)]  # EDT
    berlin = WorkingHours(tz=BERLIN)
    friday = at_local(BERLIN, 2026, 10, 23, 10)  # CEST
    assert plan_checkins(friday, "once_week", berlin) == [utc(2026, 10, 30, 9)]  # 10:00 CET


def test_plan_from_a_start_far_in_the_past() -> None:
    assert plan_checkins(utc(2020, 1, 6, 10), "default", UTC_WEEK) == [
        utc(2020, 1, 7, 10),
        utc(2020, 1, 13, 10),
        utc(2020, 2, 5, 10),
        utc(2020, 4, 6, 9),
    ]


def test_plan_during_a_pause_starts_after_it_without_a_burst() -> None:
    hours = WorkingHours(paused_until=utc(2026, 7, 1, 12))
    assert plan_checkins(utc(2026, 6, 1, 10), "default", hours) == [
        utc(2026, 7, 1, 12),
        utc(2026, 7, 2, 9),
        utc(2026, 7, 3, 9),
        utc(2026, 8, 31, 9),
    ]


def test_empty_plan() -> None:
    assert plan_checkins(utc(2026, 6, 1, 10), [], UTC_WEEK) == []


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("fortnightly", "unknown schedule"),
        ([timedelta(days=7), timedelta(days=1)], "strictly increasing"),
        ([timedelta(days=1), timedelta(days=1)], "strictly increasing"),
        ([timedelta(0)], "positive"),
        ([timedelta(days=-1)], "positive"),
        ([1, 7], "positive timedeltas"),
    ],
)
def test_plan_rejects_bad_schedules(schedule: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan_checkins(utc(2026, 6, 1, 10), schedule, UTC_WEEK)  # type: ignore[arg-type]  # why: bad schedules on purpose: the validation is under test


# --- amends_due ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "due", "expected"),
    [
        (UTC_WEEK, date(2026, 6, 2), utc(2026, 6, 2, 9)),
        (UTC_WEEK, date(2026, 6, 6), utc(2026, 6, 8, 9)),  # Saturday -> Monday
        (UTC_WEEK, date(2026, 6, 7), utc(2026, 6, 8, 9)),  # Sunday -> Monday
        (WorkingHours(tz="Asia/Kathmandu"), date(2026, 6, 1), utc(2026, 6, 1, 3, 15)),
        (WorkingHours(tz="Pacific/Kiritimati"), date(2026, 6, 1), utc(2026, 5, 31, 19)),
        (WorkingHours(tz="Pacific/Pago_Pago"), date(2026, 6, 1), utc(2026, 6, 1, 20)),
        (
            WorkingHours(tz="Asia/Jerusalem", workdays=SUN_TO_THU),
            date(2026, 6, 5),
            utc(2026, 6, 7, 6),
        ),
        (WorkingHours(tz=NY), date(2026, 3, 9), utc(2026, 3, 9, 13)),
        (WorkingHours(tz=NY), date(2026, 11, 2), utc(2026, 11, 2, 14)),
        (
            WorkingHours(tz=NY, start=time(2, 30), end=time(4), workdays=ALL_DAYS),
            date(2026, 3, 8),
            utc(2026, 3, 8, 7),
        ),
    ],
)
def test_amends_due_opens_the_day(hours: WorkingHours, due: date, expected: datetime) -> None:
    assert amends_due(due, hours) == expected


def test_amends_due_during_a_pause() -> None:
    hours = WorkingHours(paused_until=utc(2026, 6, 10, 12))
    assert amends_due(date(2026, 6, 2), hours) == utc(2026, 6, 10, 12)


def test_amends_due_with_now() -> None:
    due = date(2026, 6, 2)
    assert amends_due(due, UTC_WEEK, now=utc(2026, 6, 1, 12)) == utc(2026, 6, 2, 9)
    assert amends_due(due, UTC_WEEK, now=utc(2026, 6, 2, 11)) == utc(2026, 6, 2, 11)
    assert amends_due(due, UTC_WEEK, now=utc(2026, 6, 4, 20)) == utc(2026, 6, 5, 9)


@pytest.mark.parametrize("bad", [datetime(2026, 6, 2, 9, tzinfo=UTC), "2026-06-02", None])
def test_amends_due_needs_a_date(bad: object) -> None:
    with pytest.raises(ValueError, match="must be a date"):
        amends_due(bad, UTC_WEEK)  # type: ignore[arg-type]  # why: not a date on purpose: the validation is under test


# --- snooze ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "choice", "expected"),
    [
        (utc(2026, 6, 2, 10), "1d", utc(2026, 6, 3, 10)),  # Tue -> Wed, same time
        (utc(2026, 6, 5, 10), "1d", utc(2026, 6, 8, 9)),  # Fri -> Sat -> Monday
        (utc(2026, 6, 2, 18), "1d", utc(2026, 6, 4, 9)),  # Wed 18:00 is closed
        (utc(2026, 6, 1, 11), "3d", utc(2026, 6, 4, 11)),  # Mon -> Thu
        (utc(2026, 6, 3, 15), "3d", utc(2026, 6, 8, 9)),  # Wed -> Sat -> Monday
        (utc(2026, 6, 3, 15), "1w", utc(2026, 6, 8, 9)),  # Wednesday -> next Monday
        (utc(2026, 6, 1, 8), "1w", utc(2026, 6, 8, 9)),  # Monday 08:00: not today
        (utc(2026, 6, 6, 12), "1w", utc(2026, 6, 8, 9)),  # Saturday -> Monday
        (utc(2026, 6, 7, 12), "1w", utc(2026, 6, 8, 9)),  # Sunday -> Monday
    ],
)
def test_snooze_in_utc(now: datetime, choice: str, expected: datetime) -> None:
    assert snooze(now, choice, UTC_WEEK) == expected


def test_snooze_days_keep_the_wall_clock_across_dst() -> None:
    hours = WorkingHours(tz=NY)
    friday = at_local(NY, 2026, 3, 6, 10)  # EST
    assert snooze(friday, "3d", hours) == utc(2026, 3, 9, 14)  # Monday 10:00 EDT


def test_snooze_onto_a_repeated_wall_time_takes_the_first_pass() -> None:
    hours = WorkingHours(tz=NY, start=time(1), end=time(4), workdays=ALL_DAYS)
    saturday = at_local(NY, 2026, 10, 31, 1, 30)  # EDT; 01:30 on Sunday happens twice
    assert snooze(saturday, "1d", hours) == at_local(NY, 2026, 11, 1, 1, 30, fold=0)
    assert snooze(saturday, "1d", hours) == utc(2026, 11, 1, 5, 30)


def test_snooze_onto_a_skipped_wall_time_moves_forward_by_the_gap() -> None:
    hours = WorkingHours(tz=NY, start=time(1), end=time(4), workdays=ALL_DAYS)
    saturday = at_local(NY, 2026, 3, 7, 2, 30)  # EST; 02:30 on Sunday does not exist
    assert snooze(saturday, "1d", hours) == utc(2026, 3, 8, 7, 30)  # 03:30 EDT


def test_snooze_next_week_for_a_sunday_to_thursday_week() -> None:
    hours = WorkingHours(tz="Asia/Jerusalem", workdays=SUN_TO_THU)
    sunday_9 = utc(2026, 6, 7, 6)  # 09:00 IDT
    assert snooze(utc(2026, 6, 7, 7), "1w", hours) == sunday_9 + timedelta(weeks=1)
    assert snooze(utc(2026, 6, 4, 7), "1w", hours) == sunday_9  # Thursday
    assert snooze(utc(2026, 6, 6, 7), "1w", hours) == sunday_9  # Saturday


def test_snooze_next_week_for_a_tuesday_to_saturday_week() -> None:
    hours = WorkingHours(workdays=frozenset({1, 2, 3, 4, 5}))
    assert snooze(utc(2026, 6, 1, 12), "1w", hours) == utc(2026, 6, 2, 9)  # Mon off -> Tue
    assert snooze(utc(2026, 6, 2, 12), "1w", hours) == utc(2026, 6, 9, 9)  # Tue -> Tue


def test_snooze_next_week_with_every_day_a_workday_starts_monday() -> None:
    hours = WorkingHours(workdays=ALL_DAYS)
    assert snooze(utc(2026, 6, 7, 12), "1w", hours) == utc(2026, 6, 8, 9)
    assert snooze(utc(2026, 6, 8, 12), "1w", hours) == utc(2026, 6, 15, 9)


def test_snooze_next_week_uses_the_local_calendar() -> None:
    hours = WorkingHours(tz="Pacific/Kiritimati")  # +14: already Monday 02:00 locally
    assert snooze(utc(2026, 6, 7, 12), "1w", hours) == utc(2026, 6, 14, 19)


def test_snooze_respects_a_pause() -> None:
    hours = WorkingHours(paused_until=utc(2026, 6, 20, 12))  # a Saturday
    for choice in SNOOZES:
        assert snooze(utc(2026, 6, 2, 10), choice, hours) == utc(2026, 6, 22, 9)


def test_snooze_rejects_unknown_choice() -> None:
    with pytest.raises(ValueError, match="unknown snooze"):
        snooze(utc(2026, 6, 2, 10), "2w", UTC_WEEK)


def test_every_snooze_is_later_and_in_working_time() -> None:
    hours = WorkingHours(tz=BERLIN)
    for minutes in range(0, 14 * 24 * 60, 173):
        now = utc(2026, 3, 20) + timedelta(minutes=minutes)
        for choice in SNOOZES:
            result = snooze(now, choice, hours)
            assert result > now
            assert_working(result, hours)
            if choice == "1w":
                assert result - now >= timedelta(hours=1)
                assert result - now <= timedelta(days=8)


# --- replan ----------------------------------------------------------------------------


def test_replan_after_a_time_zone_change() -> None:
    berlin = WorkingHours(tz=BERLIN)
    morning_in_ny = utc(2026, 6, 2, 14)  # 10:00 EDT = 16:00 CEST: still fine
    afternoon_in_ny = utc(2026, 6, 2, 19)  # 15:00 EDT = 21:00 CEST: too late
    result = replan([morning_in_ny, afternoon_in_ny], berlin, now=utc(2026, 6, 1, 12))
    assert result == [morning_in_ny, utc(2026, 6, 3, 7)]  # Wednesday 09:00 CEST


def test_replan_keeps_index_alignment_for_unsorted_input() -> None:
    mondays = WorkingHours(workdays=frozenset({0}))
    result = replan([utc(2026, 6, 10, 10), utc(2026, 6, 3, 10)], mondays, now=utc(2026, 6, 1))
    assert result == [utc(2026, 6, 15, 9), utc(2026, 6, 8, 9)]


def test_replan_spreads_times_that_collapse_onto_one_slot() -> None:
    mondays = WorkingHours(workdays=frozenset({0}))
    result = replan([utc(2026, 6, 3, 10), utc(2026, 6, 4, 10)], mondays, now=utc(2026, 6, 1))
    assert result == [utc(2026, 6, 8, 9), utc(2026, 6, 15, 9)]


def test_replan_keeps_equal_times_equal() -> None:
    mondays = WorkingHours(workdays=frozenset({0}))
    same = utc(2026, 6, 3, 10)
    assert replan([same, same], mondays, now=utc(2026, 6, 1)) == [utc(2026, 6, 8, 9)] * 2


def test_replan_never_goes_before_now() -> None:
    now = utc(2026, 6, 2, 10, 30)
    result = replan([utc(2026, 5, 1, 10), utc(2026, 5, 5, 10)], UTC_WEEK, now=now)
    assert result == [now, utc(2026, 6, 3, 9)]


def test_replan_into_a_new_pause() -> None:
    hours = WorkingHours(paused_until=utc(2026, 6, 20, 12))
    times = [utc(2026, 6, 3, 10), utc(2026, 6, 10, 10), utc(2026, 7, 1, 10)]
    assert replan(times, hours, now=utc(2026, 6, 1)) == [
        utc(2026, 6, 22, 9),
        utc(2026, 6, 23, 9),
        utc(2026, 7, 1, 10),
    ]


def test_replan_of_nothing() -> None:
    assert replan([], UTC_WEEK, now=utc(2026, 6, 1)) == []


def test_replan_property_order_and_window() -> None:
    old = WorkingHours(tz=NY)
    new = WorkingHours(tz="Asia/Kathmandu", start=time(10), end=time(15), workdays=SUN_TO_THU)
    now = utc(2026, 3, 1)
    for minutes in range(0, 10 * 24 * 60, 331):
        start = utc(2026, 2, 20) + timedelta(minutes=minutes)
        planned = plan_checkins(start, "default", old)
        moved = replan(planned, new, now)
        assert all(a < b for a, b in zip(moved, moved[1:], strict=False))
        for before, after in zip(planned, moved, strict=True):
            assert after >= max(before, now)
            assert_working(after, new)
        assert replan(moved, new, now) == moved  # already valid times stay put
