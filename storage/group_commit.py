"""Group commit: the screens' writes of many requests in one SQLite transaction.

SQLite has one writer at a time. When every request thread takes the writer lock for its
own short transaction, the holder gives up the interpreter at each call into SQLite and
waits to get it back while the others parse and render; the lock's queue then grows
with the load, and the requests spend more time handing the lock and the interpreter
around than writing. Here the request path's writes queue once per engine, and the
queue is served in batches by whichever request thread got there first (the *leader*):

1. a request hands ``run(engine, job)`` a job: a function of a ``Connection`` that does
   its writes and returns plain values (no ORM objects), and waits for the result;
2. a request that finds no leader becomes one: it takes every job waiting (its own
   first, at most ``MAX_BATCH``), runs them in the order they came in one transaction
   under the writer lock, commits, and only then hands each request its result: nothing
   is answered as saved before it is on disk. With nothing else waiting, that is the
   request's own write on its own thread — no hand-over between threads at all;
3. a request that finds a leader at work waits. When the leader has committed, it
   passes the lead to the oldest request still waiting, whose thread runs the next
   batch; so each thread runs at most its own batch and returns, and no thread of the
   module's own outlives a request;
4. when a job raises, the whole batch is rolled back and each of its jobs runs again
   alone, in a transaction of its own, so one failing job never costs another its write,
   and the failing one raises to its own request as it would have without batching;
5. a request waits at most the time its deadline leaves (``answer_within``) or the busy
   timeout; a job that has not started by then is withdrawn and never runs, and the
   request gets ``sqlalchemy.exc.TimeoutError``, as from a busy writer lock.

On PostgreSQL there is no single writer to queue on: a job runs on the calling thread,
in its own transaction (``write_connection``). Either way a job is a unit of work that
may run twice (step 4), so it holds no side effect outside its connection.

When a writer process serves the engine (`storage.writer_process`, attached by
`setback run` on an SQLite file), a job goes there instead and the same batches run in
that process (`run_together`); a job it cannot take runs here as above.
"""

from __future__ import annotations

import enum
import functools
import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine, exc

from storage.db import busy_timeout, is_sqlite, time_left, write_connection

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[Connection], Any]

MAX_BATCH = 64


def run(engine: Engine, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(conn, *args)`` in a committed write transaction and return what it
    returned (module docstring): batched with other requests' jobs on SQLite — in the
    writer process when one serves this engine (`storage.writer_process`) — and alone
    on PostgreSQL. A module-level `fn` with plain arguments can be sent to that process;
    anything else runs here."""
    if not is_sqlite(engine):
        with write_connection(engine) as conn:
            return fn(conn, *args)
    writer = _WRITERS.get(engine)
    if writer is not None:
        try:
            result: T = writer.run(fn, args)
            return result
        except WriterGone:
            pass  # not sent: written here instead, as without the writer
    done: T = _queue_for(engine).submit(engine, bind(fn, args))
    return done


def bind(fn: Callable[..., Any], args: tuple[Any, ...]) -> Job:
    """``fn(conn, *args)`` as a job of one connection (here and in the writer process)."""
    return functools.partial(_call, fn, args) if args else fn


def _call(fn: Callable[..., Any], args: tuple[Any, ...], conn: Connection) -> Any:
    return fn(conn, *args)


class WriterGone(Exception):
    """The writer process could not take a job, which was not sent: it runs here."""


class Writer(Protocol):
    """What `run` hands a job to when a writer process serves the engine."""

    def run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any: ...


_WRITERS: weakref.WeakKeyDictionary[Engine, Writer] = weakref.WeakKeyDictionary()


def attach(engine: Engine, writer: Writer) -> None:
    """Send `engine`'s jobs to `writer` from now on (`storage.writer_process`)."""
    _WRITERS[engine] = writer


def detach(engine: Engine) -> None:
    """Run `engine`'s jobs in this process again."""
    _WRITERS.pop(engine, None)


def run_together(engine: Engine, jobs: list[Job]) -> list[tuple[Any, BaseException | None]]:
    """Run `jobs` as one batch (steps 2 and 4 of the module docstring) on this thread:
    each job's result and error. The writer process serves its queue with this."""
    entries = [_Entry(job) for job in jobs]
    for entry in entries:
        entry.state = _State.RUNNING
    _run_batch(engine, entries)
    return [(entry.result, entry.error) for entry in entries]


class _State(enum.Enum):
    WAITING = "waiting"  # queued; may still be withdrawn
    LEAD = "lead"  # handed the lead: its thread runs the next batch
    RUNNING = "running"  # in a batch; its result comes when the batch ends
    DONE = "done"


class _Entry:
    """One request's job, its outcome, and the event its thread waits on."""

    __slots__ = ("job", "state", "result", "error", "woken")

    def __init__(self, job: Job) -> None:
        self.job = job
        self.state = _State.WAITING
        self.result: Any = _PENDING
        self.error: BaseException | None = None
        self.woken = threading.Event()

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


_PENDING = object()  # no result yet
_leading = threading.local()  # set while this thread runs a batch


class _Queue:
    """One engine's waiting jobs and whether a request thread is serving them."""

    def __init__(self, engine: Engine) -> None:
        self._lock = threading.Lock()
        self._waiting: deque[_Entry] = deque()
        self._led = False
        self._wait = busy_timeout(engine)

    def submit(self, engine: Engine, job: Job) -> Any:
        if getattr(_leading, "active", False):  # it would wait for itself forever
            raise RuntimeError("a group-commit job cannot hand the writer another job")
        entry = _Entry(job)
        with self._lock:
            self._waiting.append(entry)
            lead = not self._led
            if lead:
                self._led = True
                entry.state = _State.LEAD
        if not lead:
            self._follow(entry)
        if entry.state is _State.LEAD:
            self._lead(engine)
        return entry.outcome()

    def _follow(self, entry: _Entry) -> None:
        """Wait until the job is done or this thread is handed the lead; withdraw the
        job if its time runs out before it started (step 5)."""
        limit = time_left()
        entry.woken.wait(self._wait if limit is None else limit)
        with self._lock:
            if entry.state is _State.WAITING:
                self._waiting.remove(entry)
                raise exc.TimeoutError("the database stayed busy past the deadline")
            running = entry.state is _State.RUNNING
        if running:  # in a batch already: its transaction ends shortly
            entry.woken.wait()

    def _lead(self, engine: Engine) -> None:
        """Run one batch, starting with this thread's own job, then pass the lead on."""
        with self._lock:
            batch = [self._waiting.popleft() for _ in range(min(MAX_BATCH, len(self._waiting)))]
            for entry in batch:
                entry.state = _State.RUNNING
        # This thread's job is first: a fresh leader found the queue empty, and a lead
        # is handed to the head of the queue, which only grows at the tail while led.
        _leading.active = True
        try:
            _run_batch(engine, batch)
        except BaseException as error:  # noqa: BLE001 - an interrupt: nobody is left waiting
            for entry in batch:
                if entry.result is _PENDING and entry.error is None:
                    entry.error = error
            raise
        finally:
            _leading.active = False
            self._hand_on(batch)

    def _hand_on(self, batch: list[_Entry]) -> None:
        """Answer the batch, and give the lead to the oldest job still waiting."""
        with self._lock:
            for entry in batch:
                entry.state = _State.DONE
            if self._waiting:
                following = self._waiting[0]
                following.state = _State.LEAD
                following.woken.set()
            else:
                self._led = False
        for entry in batch[1:]:
            entry.woken.set()


def _run_batch(engine: Engine, batch: list[_Entry]) -> None:
    if len(batch) > 1:
        try:
            with write_connection(engine) as conn:
                results = [entry.job(conn) for entry in batch]
        except Exception:  # noqa: BLE001 - rolled back: each job runs again alone
            log.debug("a batch of %d writes rolled back; running them one by one", len(batch))
        else:
            for entry, result in zip(batch, results, strict=True):
                entry.result = result
            return
    for entry in batch:
        _run_alone(engine, entry)


def _run_alone(engine: Engine, entry: _Entry) -> None:
    """One job in its own transaction: its result or its error goes to its request."""
    try:
        with write_connection(engine) as conn:
            entry.result = entry.job(conn)
    except Exception as error:  # noqa: BLE001 - raised again on the request's thread
        entry.error = error


_QUEUES: weakref.WeakKeyDictionary[Engine, _Queue] = weakref.WeakKeyDictionary()
_QUEUES_LOCK = threading.Lock()


def _queue_for(engine: Engine) -> _Queue:
    with _QUEUES_LOCK:
        queue = _QUEUES.get(engine)
        if queue is None:
            queue = _QUEUES[engine] = _Queue(engine)
        return queue
