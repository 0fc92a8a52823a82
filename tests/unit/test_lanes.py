"""Bounded follow-up lanes: limits, deadlines on an injected clock, late work shed to a
note, depth visible in the log. Time moves only when a test moves it."""

from __future__ import annotations

import logging
import threading

from bot.core.lanes import Deadline, Lane
from tests.virtual_time import VirtualClock


def _lanes(limit: int = 4, warn_at: int = 3) -> tuple[Lane, Lane]:
    later = Lane("later", threads=2, limit=100, warn_at=50)
    return Lane("soon", threads=1, limit=limit, warn_at=warn_at, fallback=later), later


def _occupy(lane: Lane) -> tuple[threading.Event, threading.Event]:
    """Keep the lane's only thread busy until released."""
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        release.wait(10)

    assert lane.submit(hold) is not None
    assert started.wait(5)
    return started, release


def test_work_past_its_deadline_never_runs_and_its_note_goes_out() -> None:
    clock = VirtualClock()
    soon, later = _lanes()
    _, release = _occupy(soon)
    ran, noted = [], []
    late = soon.submit(
        lambda: ran.append("late"), Deadline.after(clock, 2.5), lambda: noted.append(1)
    )
    assert late is not None
    clock.advance(3.0)
    release.set()
    assert soon.submit(lambda: ran.append("fresh"), Deadline.after(clock, 2.5)) is not None
    for lane in (soon, later):
        _wait_idle(lane)
    assert ran == ["fresh"] and noted == [1]
    assert late.cancelled()
    assert soon.stats().late == 1


def test_late_work_is_swept_out_while_every_thread_is_stuck() -> None:
    clock = VirtualClock()
    soon, later = _lanes()
    _, release = _occupy(soon)
    noted = threading.Event()
    soon.submit(lambda: None, Deadline.after(clock, 2.5), noted.set)
    clock.advance(3.0)
    try:
        assert noted.wait(5), "the note went out while the only thread was still stuck"
        assert soon.stats().depth == 0
    finally:
        release.set()


def test_a_full_lane_sheds_late_work_first_then_refuses(caplog) -> None:
    clock = VirtualClock()
    soon, later = _lanes(limit=4, warn_at=3)
    _, release = _occupy(soon)
    noted: list[int] = []
    with caplog.at_level(logging.WARNING, logger="bot.core.lanes"):
        for i in range(4):
            assert soon.submit(
                lambda: None, Deadline.after(clock, 2.5), lambda i=i: noted.append(i)
            )
        clock.advance(1.0)
        assert soon.submit(lambda: None, Deadline.after(clock, 2.5)) is None, "full: refused"
        clock.advance(2.0)  # the first four are late now
        assert soon.submit(lambda: None, Deadline.after(clock, 2.5)) is not None
    stats = soon.stats()
    assert (stats.refused, stats.late, stats.peak_depth) == (1, 4, 4)
    assert stats.depth == 1
    release.set()
    for lane in (soon, later):
        _wait_idle(lane)
    assert sorted(noted) == [0, 1, 2, 3]
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(lines) == 1, "rate-limited: one line for the whole burst"
    assert "Follow-up lane soon: 3 tasks waiting (limit 4)" in lines[0]


def test_a_shorter_deadline_queued_behind_longer_ones_still_goes_late_on_time() -> None:
    clock = VirtualClock()
    soon, later = _lanes(limit=10)
    _, release = _occupy(soon)
    noted: list[str] = []
    for name in ("long-1", "long-2"):
        soon.submit(lambda: None, Deadline.after(clock, 10.0), lambda n=name: noted.append(n))
    soon.submit(lambda: None, Deadline.after(clock, 1.0), lambda: noted.append("short"))
    clock.advance(2.0)
    soon.submit(lambda: None)  # a submit sweeps
    assert soon.stats().late == 1 and soon.stats().depth == 3
    clock.advance(9.0)
    soon.submit(lambda: None)
    release.set()
    for lane in (soon, later):
        _wait_idle(lane)
    assert sorted(noted) == ["long-1", "long-2", "short"]
    assert soon.stats().late == 3


def test_a_deep_queue_still_on_time_is_not_read_through_on_each_submit() -> None:
    clock = VirtualClock()
    looks = 0

    def ticks() -> float:
        nonlocal looks
        looks += 1
        return clock()

    soon, _ = _lanes(limit=100)
    _, release = _occupy(soon)
    try:
        for _ in range(50):
            soon.submit(lambda: None, Deadline.after(ticks, 3.0))
        looks = 0
        soon.submit(lambda: None, Deadline.after(ticks, 3.0))
        assert looks <= 3, f"{looks} looks at the clock for one submit behind 50 tasks"
    finally:
        release.set()


def test_a_failing_task_counts_and_the_lane_goes_on(caplog) -> None:
    soon, _ = _lanes()

    def broken() -> None:
        raise RuntimeError("boom")

    first = soon.submit(broken)
    assert first is not None and first.result(timeout=5) is None
    second = soon.submit(lambda: "still here")
    assert second is not None and second.result(timeout=5) == "still here"
    assert (soon.stats().failed, soon.stats().done) == (1, 1)
    assert "background task broken failed" in caplog.text


def _wait_idle(lane: Lane) -> None:
    done = threading.Event()
    lane.submit(done.set)
    assert done.wait(5)
