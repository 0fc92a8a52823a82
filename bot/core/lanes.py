"""Follow-up work after an ack: small bounded queues, with deadlines for work that races
one of Slack's.

A `Lane` is a first-in-first-out queue served by a few threads of its own. The protocol:

- **Bounded.** A lane holds at most `limit` waiting tasks. `submit` on a full lane first
  sheds the tasks already too late (below); if it is still full, the new task is
  refused (`None`) and the caller tells the person at once (`/setback` says so in its
  ack). So a burst costs a bounded amount of memory, which is given back as it drains.
- **Deadlines.** A task may carry a `Deadline` (on the runtime's monotonic clock) and an
  `on_late` callback. A task whose deadline has passed before a thread takes it never
  runs: its `on_late` runs instead, on the lane named as `fallback` (a note to the
  person races nothing, so it never holds up work that still can make it). Late tasks
  are swept out whenever a thread takes work, whenever work is submitted, and by a
  sweeper every `SWEEP_EVERY` seconds while deadlines wait — so a note is never stuck
  behind threads that are themselves stuck (a hung database, a slow Web API). A sweep
  looks through the queue only once the earliest deadline waiting may have passed (the
  lane keeps a bound on it), so a deep queue of tasks still on time costs a submit or
  a take one look at the clock, not one per task.
  A running task checks its own deadline before its time-critical call.
- **Visible.** A depth of `warn_at` or more logs one WARNING at most once a minute, with
  how many tasks went late or were refused so far; `stats()` counts everything.
- **Accounted for.** `accepted`, when set, hears of every future the lane takes, notes
  handed over from another lane included; a late task's note is queued before the late
  task's own future is cancelled, and `accepted` is told before the task is queued. So
  whoever waits on what `accepted` reported (the runtime's `drain`) never sees a moment
  with nothing pending while a task or a note is still due. `accepted` runs under the
  lane's lock: it must be quick and take no lane's lock.
- **Safe.** A task's failure is logged, never raised. Threads start on demand and end
  after `IDLE_SECONDS` without work, so an idle runtime (another test, another app)
  holds none.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from bot.core.front_door import RateGate

log = logging.getLogger(__name__)

Ticks = Callable[[], float]
SWEEP_EVERY = 0.2  # seconds between looks for late tasks while deadlines wait
IDLE_SECONDS = 30.0  # a thread with nothing to do for this long ends


@dataclass(frozen=True)
class Deadline:
    """An instant on a monotonic clock (`ticks`) by which something must start."""

    at: float
    ticks: Ticks

    @classmethod
    def after(cls, ticks: Ticks, seconds: float) -> Deadline:
        return cls(ticks() + seconds, ticks)

    def passed(self) -> bool:
        return self.ticks() >= self.at


@dataclass
class LaneStats:
    """What a lane has done since it was made (tests and the soak benchmark read it)."""

    submitted: int = 0
    done: int = 0
    failed: int = 0
    late: int = 0  # tasks that never ran because their deadline passed; on_late ran
    refused: int = 0  # tasks turned away because the lane was full
    depth: int = 0  # waiting now
    peak_depth: int = 0


@dataclass
class _Task:
    run: Callable[[], Any]
    future: Future[Any]
    deadline: Deadline | None = None
    on_late: Callable[[], Any] | None = None


@dataclass
class Lane:
    """One bounded queue and its threads (module docstring)."""

    name: str
    threads: int
    limit: int
    warn_at: int
    fallback: Lane | None = None
    accepted: Callable[[Future[Any]], None] | None = field(default=None, repr=False)
    _queue: deque[_Task] = field(default_factory=deque, repr=False)
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _workers: int = 0
    _idle: int = 0
    _sweeping: bool = False
    _timed: int = 0  # waiting tasks that carry a deadline
    _earliest: Deadline | None = None  # no waiting deadline comes before it (_take_late)
    _stats: LaneStats = field(default_factory=LaneStats)
    _gate: RateGate = field(default_factory=RateGate, repr=False)

    def submit(
        self,
        fn: Callable[[], Any],
        deadline: Deadline | None = None,
        on_late: Callable[[], Any] | None = None,
    ) -> Future[Any] | None:
        """Queue `fn`; None when the lane is full even after shedding late tasks."""
        task = _Task(fn, Future(), deadline, on_late)
        with self._cond:
            late = self._take_late()
            if len(self._queue) >= self.limit:
                self._stats.refused += 1
                taken = False
            else:
                if self.accepted is not None:  # before a thread can take it
                    self.accepted(task.future)
                self._queue.append(task)
                if task.deadline is not None:
                    self._timed += 1
                    if self._earliest is None or task.deadline.at < self._earliest.at:
                        self._earliest = task.deadline
                self._stats.submitted += 1
                taken = True
                self._grow()
            depth = self._note_depth()
        self._hand_over(late)
        self._warn_if_deep(depth)
        return task.future if taken else None

    def stats(self) -> LaneStats:
        with self._cond:
            return LaneStats(**{**self._stats.__dict__, "depth": len(self._queue)})

    # --- threads ------------------------------------------------------------------------

    def _grow(self) -> None:
        """Start a thread when none is idle and the lane may have more (under the lock)."""
        if self._idle:
            self._cond.notify()
        if self._workers < self.threads and len(self._queue) > self._idle:
            self._workers += 1
            threading.Thread(target=self._work, name=f"setback-{self.name}", daemon=True).start()
        if not self._sweeping and self._timed:
            self._sweeping = True
            threading.Thread(
                target=self._sweep, name=f"setback-{self.name}-sweep", daemon=True
            ).start()

    def _work(self) -> None:
        while True:
            with self._cond:
                late = self._take_late()
                task = self._queue.popleft() if self._queue else None
                if task is not None and task.deadline is not None:
                    self._timed -= 1
                if task is None and not late:
                    self._idle += 1
                    woken = self._cond.wait(IDLE_SECONDS)
                    self._idle -= 1
                    if not woken and not self._queue:  # nothing to do for a while: end
                        self._workers -= 1
                        return
                    continue
            self._hand_over(late)
            if task is not None:
                self._run(task)

    def _run(self, task: _Task) -> None:
        if not task.future.set_running_or_notify_cancel():
            return
        try:
            result = task.run()
        except Exception:  # noqa: BLE001 - background work must not die silently
            log.exception("background task %s failed", _name_of(task.run))
            with self._cond:
                self._stats.failed += 1
            task.future.set_result(None)
            return
        with self._cond:
            self._stats.done += 1
        task.future.set_result(result)

    def _sweep(self) -> None:
        """While deadlines wait, hand late tasks over every `SWEEP_EVERY` seconds."""
        while True:
            with self._cond:
                late = self._take_late()
                if not late and not self._timed:
                    self._sweeping = False
                    return
            self._hand_over(late)
            time.sleep(SWEEP_EVERY)

    # --- late work ----------------------------------------------------------------------

    def _take_late(self) -> list[_Task]:
        """Remove every waiting task whose deadline has passed (under the lock).

        `_earliest` comes no later than every deadline still waiting: a new task lowers
        it, and a task leaving the queue can only make the true earliest later. So while
        it has not passed, no task is late and the queue is not read; once it has, one
        pass takes the late tasks and `_earliest` becomes the earliest of the rest."""
        if self._earliest is None or not self._earliest.passed():
            return []
        late: list[_Task] = []
        self._earliest = None
        for t in self._queue:
            if t.deadline is None:
                continue
            if t.deadline.passed():
                late.append(t)
            elif self._earliest is None or t.deadline.at < self._earliest.at:
                self._earliest = t.deadline
        if late:
            gone = {id(t) for t in late}
            self._queue = deque(t for t in self._queue if id(t) not in gone)
            self._timed -= len(late)
            self._stats.late += len(late)
        return late

    def _hand_over(self, late: list[_Task]) -> None:
        """Late tasks never run: their `on_late` goes to the fallback lane instead, queued
        before the late task's future is cancelled (module docstring: accounted for)."""
        for task in late:
            if task.on_late is not None:
                if self.fallback is None:
                    self._run(_Task(task.on_late, Future()))
                elif self.fallback.submit(task.on_late) is None:
                    log.warning("%s lane: a late task's note was dropped (lanes full)", self.name)
            task.future.cancel()
            task.future.set_running_or_notify_cancel()  # wakes anyone waiting on it

    # --- visibility ---------------------------------------------------------------------

    def _note_depth(self) -> int:
        depth = len(self._queue)
        self._stats.peak_depth = max(self._stats.peak_depth, depth)
        return depth

    def _warn_if_deep(self, depth: int) -> None:
        if depth < self.warn_at or self._gate.open() is None:
            return
        stats = self.stats()
        log.warning(
            "Follow-up lane %s: %d tasks waiting (limit %d); %d went late and %d were "
            "refused so far",
            self.name,
            depth,
            self.limit,
            stats.late,
            stats.refused,
        )


def _name_of(fn: Callable[..., Any]) -> str:
    inner = getattr(fn, "func", fn)  # a functools.partial names its function
    return str(getattr(inner, "__name__", "?"))
