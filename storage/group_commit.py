"""Group commit: the screens' writes of many requests in one SQLite transaction.

SQLite has one writer at a time. When every request thread takes the writer lock for its
own short transaction, the holder gives up the interpreter at each call into SQLite and
waits to get it back while the others parse and render; the lock's queue then grows
with the load, and the requests spend more time handing the lock and the interpreter
around than writing. Here the request path's writes go through one writer thread per
engine instead:

1. a request hands ``run(engine, job)`` a job: a function of a ``Connection`` that does
   its writes and returns plain values (no ORM objects), and waits for the result;
2. the writer takes every job waiting (at most ``MAX_BATCH``), runs them in the order
   they came in one transaction under the writer lock, commits, and only then hands each
   request its result: nothing is answered as saved before it is on disk;
3. when a job raises, the whole batch is rolled back and each of its jobs runs again
   alone, in a transaction of its own, so one failing job never costs another its write,
   and the failing one raises to its own request as it would have without batching;
4. a request waits at most the time its deadline leaves (``answer_within``) or the busy
   timeout; a job that has not started by then is withdrawn and never runs, and the
   request gets ``sqlalchemy.exc.TimeoutError``, as from a busy writer lock;
5. the writer thread ends after ``IDLE_SECONDS`` with nothing to do and starts again with
   the next job, so an engine that is no longer used leaves no thread behind.

On PostgreSQL there is no single writer to queue on: a job runs on the calling thread,
in its own transaction (``write_connection``). Either way a job is a unit of work that
may run twice (step 3), so it holds no side effect outside its connection.
"""

from __future__ import annotations

import logging
import queue
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, exc

from storage.db import busy_timeout, is_sqlite, time_left, write_connection

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[Connection], Any]

MAX_BATCH = 64
IDLE_SECONDS = 2.0


def run(engine: Engine, job: Callable[[Connection], T]) -> T:
    """Run `job` in a committed write transaction and return what it returned (module
    docstring): batched with other requests' jobs on SQLite, alone on PostgreSQL."""
    if not is_sqlite(engine):
        with write_connection(engine) as conn:
            return job(conn)
    return _writer_for(engine).submit(job)


class _Writer:
    """One engine's writer thread and the jobs waiting for it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)
        self._jobs: queue.SimpleQueue[tuple[Job, Future[Any]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False
        self._ident: int | None = None  # the writer thread's, while it runs
        self._wait = busy_timeout(engine)

    def submit(self, job: Callable[[Connection], T]) -> T:
        if threading.get_ident() == self._ident:  # it would wait for itself forever
            raise RuntimeError("a group-commit job cannot hand the writer another job")
        future: Future[T] = Future()
        self._jobs.put((job, future))
        self._ensure_thread()
        limit = time_left()
        try:
            return future.result(timeout=self._wait if limit is None else limit)
        except TimeoutError:
            if future.cancel():  # not started: withdrawn, it will never run
                raise exc.TimeoutError("the database stayed busy past the deadline") from None
            return future.result()  # already running: its transaction ends shortly

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._loop, name="setback-group-commit", daemon=True).start()

    def _loop(self) -> None:
        self._ident = threading.get_ident()
        while True:
            try:
                first = self._jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._jobs.empty():
                        self._running = False
                        self._ident = None
                        return
                continue
            engine = self._engine()
            batch = [first, *self._more()]
            if engine is None:  # the engine is gone: nobody can be answered
                for _job, future in batch:
                    future.cancel()
                continue
            self._run_batch(engine, [(j, f) for j, f in batch if f.set_running_or_notify_cancel()])
            del engine

    def _more(self) -> list[tuple[Job, Future[Any]]]:
        more: list[tuple[Job, Future[Any]]] = []
        while len(more) < MAX_BATCH - 1:
            try:
                more.append(self._jobs.get_nowait())
            except queue.Empty:
                break
        return more

    def _run_batch(self, engine: Engine, batch: list[tuple[Job, Future[Any]]]) -> None:
        if not batch:
            return
        if len(batch) > 1:
            try:
                with write_connection(engine) as conn:
                    results = [job(conn) for job, _future in batch]
            except Exception:  # noqa: BLE001 - rolled back: each job runs again alone
                log.debug("a batch of %d writes rolled back; running them one by one", len(batch))
            else:
                for (_job, future), result in zip(batch, results, strict=True):
                    future.set_result(result)
                return
        for job, future in batch:
            _run_alone(engine, job, future)


def _run_alone(engine: Engine, job: Job, future: Future[Any]) -> None:
    """One job in its own transaction: its result or its error goes to its request."""
    try:
        with write_connection(engine) as conn:
            result = job(conn)
    except Exception as error:  # noqa: BLE001 - raised again on the request's thread
        future.set_exception(error)
    else:
        future.set_result(result)


_WRITERS: weakref.WeakKeyDictionary[Engine, _Writer] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def _writer_for(engine: Engine) -> _Writer:
    with _WRITERS_LOCK:
        writer = _WRITERS.get(engine)
        if writer is None:
            writer = _WRITERS[engine] = _Writer(engine)
        return writer
