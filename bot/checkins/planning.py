"""When growth check-ins are due: pure planning rules, no I/O.

Every function takes and returns aware datetimes in UTC and reads the time zone database
(stdlib ``zoneinfo``), nothing else. The wall clock is never read here: callers pass
``now`` from the injected clock, so the scheduler, the sandbox and the tests can travel
in time and always get the same answer for the same inputs.

The rules: a default plan of 1 day,
1 week, 1 month and 3 months per commitment (spacing at a fraction of the retention
period, Cepeda et al. 2008; habits take weeks to months, Lally et al. 2010), and every
check-in lands inside the person's working hours and workdays, in their own time zone.

**Working time.** An instant is working time when, read on the member's wall clock, it
falls on a workday with ``start <= wall time < end``, and it is not before
``paused_until``. Everything below is "the earliest working time at or after ...".
Read literally, that definition settles the daylight-saving edge cases:

- a window start that does not exist (02:30 on a spring-forward night) opens at the
  instant the clocks jump (03:00), the first wall time past the start;
- wall times that happen twice (a fall-back night) are working time on both passes, and
  a clock jumping back into the window opens it again at the jump;
- a window that lies wholly inside a skipped hour is closed that day.

When a wall time is *built* (same time of day, N days later), an ambiguous one is taken
on its first pass (``fold=0``) and a nonexistent one with ``fold=0`` too, which PEP 495
defines as the offset before the jump: the time moves forward by the length of the gap,
as iCalendar (RFC 5545) does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_SCHEDULE",
    "DEFAULT_SPACING",
    "SCHEDULES",
    "SCHEDULE_LABELS",
    "SNOOZES",
    "SNOOZE_LABELS",
    "WorkingHours",
    "amends_due",
    "is_working_time",
    "next_slot",
    "one_more",
    "plan_checkins",
    "replan",
    "snooze",
]

_DAY = timedelta(days=1)

# Day 1 (is the plan in place?), day 7, day 30, day 90 (Cepeda et al. 2008; Lally et al. 2010).
DEFAULT_SPACING: tuple[timedelta, ...] = (
    timedelta(days=1),
    timedelta(days=7),
    timedelta(days=30),
    timedelta(days=90),
)

DEFAULT_SCHEDULE = "default"

SCHEDULES: dict[str, tuple[timedelta, ...]] = {
    "default": DEFAULT_SPACING,
    "short": (timedelta(days=1), timedelta(days=7)),
    "weekly": tuple(timedelta(weeks=n) for n in (1, 2, 3, 4)),
    "once_week": (timedelta(weeks=1),),
    "once_month": (timedelta(days=30),),
}

SCHEDULE_LABELS: dict[str, str] = {
    "default": "1 day, 1 week, 1 month, 3 months (recommended)",
    "short": "1 day, 1 week",
    "weekly": "Every week for 4 weeks",
    "once_week": "Once, in 1 week",
    "once_month": "Once, in 1 month",
}

# "Still working" on a plan's last planned check-in asks once more this much later, so a
# plan never stays open with nothing left to answer (see ``one_more``).
ONE_MORE = timedelta(weeks=1)

# "1w" is not a fixed length: snooze() takes it to the start of next week (see there).
SNOOZES: dict[str, timedelta] = {
    "1d": timedelta(days=1),
    "3d": timedelta(days=3),
    "1w": timedelta(weeks=1),
}

SNOOZE_LABELS: dict[str, str] = {
    "1d": "In 1 day",
    "3d": "In 3 days",
    "1w": "Next week",
}

# Offset changes are found by sampling each UTC day this often, then bisecting; the
# table of a zone's changes on a day is kept (`_changes_on`). Two changes closer together
# than the step could hide each other; in tzdata they are days apart.
_STEP_SECONDS = 3600
_DAY_SECONDS = 86400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# A search crosses at most a handful of offset changes before a window opens.
_MAX_PIECES = 64


@dataclass(frozen=True)
class WorkingHours:
    """A member's check-in window: wall-clock hours on workdays in their own time zone.

    ``start`` and ``end`` are naive local times with ``start < end`` (windows crossing
    midnight are not supported); ``workdays`` uses Monday=0 and may be given as any
    iterable of ints (it is stored as a frozenset). ``paused_until`` is an aware instant
    (stored in UTC): no check-in lands before it. Bad values raise ``ValueError`` at
    construction, so a broken preference fails where it is read, not at send time.
    """

    tz: str = "UTC"
    start: time = time(9, 0)
    end: time = time(17, 0)
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    paused_until: datetime | None = None

    def __post_init__(self) -> None:
        _check_zone(self.tz)
        _check_window(self.start, self.end)
        object.__setattr__(self, "workdays", _check_workdays(self.workdays))
        if self.paused_until is not None:
            object.__setattr__(self, "paused_until", _as_utc(self.paused_until, "paused_until"))

    @property
    def zone(self) -> ZoneInfo:
        """The member's zone (``ZoneInfo`` caches instances, so this is cheap)."""
        return ZoneInfo(self.tz)


def _check_zone(tz: object) -> None:
    if not isinstance(tz, str) or not tz:
        raise ValueError(f"time zone must be an IANA name such as 'Europe/Berlin', got {tz!r}")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(
            f"unknown time zone {tz!r}: use an IANA name such as 'Europe/Berlin'"
        ) from exc


def _check_window(start: time, end: time) -> None:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, time):
            raise ValueError(f"working hours {name} must be a datetime.time, got {value!r}")
        if value.tzinfo is not None:
            raise ValueError(f"working hours {name} is a local wall time; pass it without tzinfo")
    if not start < end:
        raise ValueError(
            f"working hours must start before they end (got {start} to {end}); "
            "windows that cross midnight are not supported"
        )


def _check_workdays(workdays: Iterable[int]) -> frozenset[int]:
    try:
        days = frozenset(workdays)
    except TypeError as exc:
        raise ValueError(f"workdays must be a set of weekday numbers, got {workdays!r}") from exc
    bad = sorted(
        repr(d) for d in days if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6
    )
    if bad:
        raise ValueError(f"workdays must be weekday numbers 0-6 (Monday=0); got {', '.join(bad)}")
    if not days:
        raise ValueError("workdays must name at least one day (Monday=0 ... Sunday=6)")
    return days


def _as_utc(value: datetime, name: str) -> datetime:
    """Normalise an aware datetime to UTC; a naive one is a bug upstream, so refuse it."""
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (UTC), got naive {value.isoformat()}")
    return value.astimezone(UTC)


def is_working_time(t: datetime, hours: WorkingHours) -> bool:
    """Whether the instant ``t`` is working time for ``hours`` (see the module docstring).

    The dispatcher can use it to hold a check-in that became due during downtime until
    the member's window is open again.
    """
    moment = _as_utc(t, "t")
    if hours.paused_until is not None and moment < hours.paused_until:
        return False
    local = moment.astimezone(hours.zone)
    return local.weekday() in hours.workdays and hours.start <= local.time() < hours.end


def next_slot(t: datetime, hours: WorkingHours) -> datetime:
    """The earliest working time at or after ``t`` (and not before ``paused_until``).

    Returns ``t`` itself (in UTC) when it is already working time, so calling it on an
    already planned time is harmless. Correct across offset changes of any size (DST,
    Lord Howe's 30 minutes) and for zones with odd offsets (Kathmandu, +05:45).
    """
    return _earliest(_as_utc(t, "t"), hours)


def _earliest(t: datetime, hours: WorkingHours, min_date: date | None = None) -> datetime:
    """Earliest working time >= ``t`` whose local date is >= ``min_date`` (if given).

    Works piecewise: assume the offset at the cursor holds, find the first window
    opening under it, and accept it unless the offset changes on the way; if it does,
    restart at the change, where the wall clock jumps.
    """
    cursor = t if hours.paused_until is None else max(t, hours.paused_until)
    zone = hours.zone
    for _ in range(_MAX_PIECES):
        offset = _offset(cursor, zone)
        candidate = _first_open(cursor, offset, hours, min_date)
        change = _offset_change(cursor, candidate, offset, zone)
        if change is None:
            return candidate
        cursor = change
    raise RuntimeError(f"no working time found after {t.isoformat()} in {hours.tz}")


def _offset(moment: datetime, zone: ZoneInfo) -> timedelta:
    # ZoneInfo always knows the offset of an aware instant; `or` only narrows the type.
    return moment.astimezone(zone).utcoffset() or timedelta(0)


def _first_open(
    cursor: datetime, offset: timedelta, hours: WorkingHours, min_date: date | None
) -> datetime:
    """First working time >= ``cursor`` if the UTC offset stayed ``offset`` forever."""
    local = (cursor + offset).replace(tzinfo=None)
    day = local.date() if min_date is None else max(local.date(), min_date)
    while True:  # ends within 8 days: workdays is non-empty and start < end
        if day.weekday() in hours.workdays:
            closes = datetime.combine(day, hours.end)
            if local < closes:
                opens = max(datetime.combine(day, hours.start), local)
                return (opens - offset).replace(tzinfo=UTC)
        day += _DAY


def _offset_change(
    after: datetime, until: datetime, offset: timedelta, zone: ZoneInfo
) -> datetime | None:
    """The first instant in (after, until] whose UTC offset is not ``offset``, if any.

    ``offset`` is the offset at ``after``, so that instant is the zone's first change
    after it: read from the per-day tables of ``_changes_on``, which every plan for the
    same zone shares, instead of sampling the zone again for each check-in.
    """
    day, last = after.date(), until.date()  # both in UTC
    while day <= last:
        for change in _changes_on(zone, day.toordinal()):
            if after < change <= until:
                return change
        day += _DAY
    return None


@lru_cache(maxsize=8192)
def _changes_on(zone: ZoneInfo, ordinal: int) -> tuple[datetime, ...]:
    """The instants in (midnight, next midnight] of one UTC day where ``zone``'s offset
    changes: sampled every ``_STEP_SECONDS``, each change bisected to the second (tzdata
    changes fall on whole seconds). A pure function of tzdata, so it is cached."""
    start = (ordinal - _EPOCH_ORDINAL) * _DAY_SECONDS
    changes: list[datetime] = []
    low, before = start, _offset_at(start, zone)
    for high in range(start + _STEP_SECONDS, start + _DAY_SECONDS + 1, _STEP_SECONDS):
        current = _offset_at(high, zone)
        if current != before:
            changes.append(_bisect_change(low, high, before, zone))
        low, before = high, current
    return tuple(changes)


def _offset_at(seconds: int, zone: ZoneInfo) -> timedelta:
    return datetime.fromtimestamp(seconds, zone).utcoffset() or timedelta(0)


def _bisect_change(low: int, high: int, offset: timedelta, zone: ZoneInfo) -> datetime:
    """Narrow (low, high] (Unix seconds) to the exact second the offset stops being
    ``offset``."""
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at(middle, zone) == offset:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


def _shift(t: datetime, delta: timedelta, zone: ZoneInfo) -> datetime:
    """``t`` moved by ``delta``, whole days on the member's wall clock, the rest exactly.

    "In a week" means the same time of day a week later, even across a DST change; with
    plain UTC arithmetic a 16:30 commitment would come back at 17:30 and miss the window.
    The rebuilt wall time uses ``fold=0`` (see the module docstring). For a positive
    ``delta`` the result is later than ``t``: whole days move the wall clock by at least
    a day, and no zone has ever turned its clock back by a day or more.
    """
    days = timedelta(days=delta.days)
    wall = t.astimezone(zone).replace(tzinfo=None) + days
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC) + (delta - days)


def _next_day_start(after: datetime, hours: WorkingHours) -> datetime:
    """The window opening on the first workday after ``after``'s local date."""
    local_day = after.astimezone(hours.zone).date()
    return _earliest(after, hours, min_date=local_day + _DAY)


def _resolve_schedule(schedule: str | Sequence[timedelta]) -> tuple[timedelta, ...]:
    if isinstance(schedule, str):
        if schedule not in SCHEDULES:
            names = ", ".join(sorted(SCHEDULES))
            raise ValueError(f"unknown schedule {schedule!r}; choose one of: {names}")
        return SCHEDULES[schedule]
    offsets = tuple(schedule)
    for i, offset in enumerate(offsets):
        if not isinstance(offset, timedelta) or offset <= timedelta(0):
            raise ValueError(f"schedule offsets must be positive timedeltas, got {offset!r}")
        if i and offset <= offsets[i - 1]:
            raise ValueError("schedule offsets must be strictly increasing")
    return offsets


def plan_checkins(
    start: datetime, schedule: str | Sequence[timedelta], hours: WorkingHours
) -> list[datetime]:
    """Due times (UTC) for a commitment made at ``start``, one per offset in ``schedule``.

    ``schedule`` is a key of ``SCHEDULES`` or positive, strictly increasing offsets (an
    empty sequence plans nothing). Each offset is counted in whole days on the member's
    wall clock (see ``_shift``), then moved into working time by ``next_slot``. The
    result is strictly increasing so two check-ins never arrive together: when one
    would land on or before the previous one, it moves to the next workday's opening.
    A ``start`` in the past plans in the past; the dispatcher sends those on its next
    tick inside working hours, and ``replan`` can move them first.
    """
    begin = _as_utc(start, "start")
    offsets = _resolve_schedule(schedule)
    zone = hours.zone
    planned: list[datetime] = []
    for offset in offsets:
        due = next_slot(_shift(begin, offset, zone), hours)
        if planned and due <= planned[-1]:
            due = _next_day_start(planned[-1], hours)
        planned.append(due)
    return planned


def amends_due(due_date: date, hours: WorkingHours, now: datetime | None = None) -> datetime:
    """When to ask "did the repair happen?" for a repair promised by a local ``due_date``.

    At the window opening on that date in the member's zone, so the question arrives
    on the day itself, not after it; if that date is not a workday, or is paused, the
    next working time after. The optional ``now`` keeps a date already gone from
    planning in the past: the result is then the first working time at or after it.
    """
    if isinstance(due_date, datetime) or not isinstance(due_date, date):
        raise ValueError(f"due_date must be a date (the member's local day), got {due_date!r}")
    # Two UTC days before is before that local date began in every zone (max +14:00).
    floor = datetime.combine(due_date - 2 * _DAY, time(0), tzinfo=UTC)
    if now is not None:
        floor = max(floor, _as_utc(now, "now"))
    return _earliest(floor, hours, min_date=due_date)


def snooze(now: datetime, choice: str, hours: WorkingHours) -> datetime:
    """When a snoozed check-in comes back, for a key of ``SNOOZES``.

    "1d" and "3d" are the same time of day that many days later, then the next working
    time. "1w" is the window opening on the first workday of next week, where a week
    begins after the member's weekend (see ``_week_start``): Monday for Mon-Fri, Sunday
    for Sun-Thu. Snoozing on the first day of a week therefore comes back a week later,
    and on the weekend it comes back when the next week begins.
    """
    moment = _as_utc(now, "now")
    if choice not in SNOOZES:
        raise ValueError(f"unknown snooze {choice!r}; choose one of: {', '.join(SNOOZES)}")
    if choice == "1w":
        return _earliest(moment, hours, min_date=_next_week(moment, hours))
    return next_slot(_shift(moment, SNOOZES[choice], hours.zone), hours)


def one_more(now: datetime, hours: WorkingHours) -> datetime:
    """When to ask again about a plan whose last planned check-in was answered "Still
    working": the same time of day a week later, then the next working time.

    Without it the plan would stay open with no check-in left to close it (Done, Let it
    go) and its recap could never come. A week is the plan's gentlest regular spacing.
    """
    moment = _as_utc(now, "now")
    return next_slot(_shift(moment, ONE_MORE, hours.zone), hours)


def _week_start(workdays: frozenset[int]) -> int:
    """The weekday a member's week begins: the workday right after their longest run of
    days off. Ties go to the earliest weekday (so Monday wins); seven workdays -> Monday."""
    best_day, best_run = 0, 0
    for day in range(7):
        if day not in workdays or (day - 1) % 7 in workdays:
            continue
        run = 0
        while (day - 1 - run) % 7 not in workdays:
            run += 1
        if run > best_run:
            best_day, best_run = day, run
    return best_day


def _next_week(moment: datetime, hours: WorkingHours) -> date:
    """The local date next week begins on, for the member's week (see ``_week_start``)."""
    today = moment.astimezone(hours.zone).date()
    into_week = (today.weekday() - _week_start(hours.workdays)) % 7
    return today - timedelta(days=into_week) + timedelta(weeks=1)


def replan(due_times: Sequence[datetime], hours: WorkingHours, now: datetime) -> list[datetime]:
    """Move still-scheduled due times into a member's new window (hours, days, zone, pause).

    Returns one time per input, at the same index, so callers can zip it back onto
    their rows. A time already inside the new window and not before ``now`` stays put;
    any other moves to the next working time at or after ``max(due, now)``. Order is
    kept: an earlier input never ends up after a later one, equal inputs stay equal, and
    distinct inputs that would collapse onto one slot are spread to the next workdays'
    openings (the same rule as ``plan_checkins``, so a pause ending does not release a
    burst of messages).
    """
    moment = _as_utc(now, "now")
    times = [_as_utc(t, f"due_times[{i}]") for i, t in enumerate(due_times)]
    result: list[datetime] = list(times)
    previous: tuple[datetime, datetime] | None = None  # (input, output) of the last one placed
    for i in sorted(range(len(times)), key=times.__getitem__):
        if previous is not None and times[i] == previous[0]:
            result[i] = previous[1]
            continue
        due = next_slot(max(times[i], moment), hours)
        if previous is not None and due <= previous[1]:
            due = _next_day_start(previous[1], hours)
        result[i] = due
        previous = (times[i], due)
    return result
