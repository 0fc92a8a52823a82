"""Engine and unit-of-work sessions.

SQLite is the embedded default (WAL, a busy timeout, foreign keys on, write
transactions started with BEGIN IMMEDIATE so two writers queue instead of failing on a
lock upgrade); PostgreSQL is the production store. Sessions are per unit of work and
never shared across threads: Bolt runs listeners on a thread pool.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

_BEGIN_OPTION = "setback_begin"
_NO_BEGIN = "none"  # SQLite autocommit: each statement reads its own snapshot
_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create the engine for `url`, creating the SQLite file's folder when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(False))
    return create_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, future=True
    )


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=10,
        max_overflow=20,
        future=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
        if mode != _NO_BEGIN:
            conn.exec_driver_sql(f"BEGIN {mode}")

    _WRITE_LOCKS[engine] = threading.RLock()
    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def session_scope(engine: Engine, *, readonly: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error, always close.

    `readonly` starts a deferred transaction on SQLite so reads never wait on writers;
    closing it ends the transaction and leaves loaded rows readable (detached, not expired).
    SQLite allows one writer at a time. Within a process, writers queue on a lock (woken
    the moment it is free) instead of in SQLite's busy handler, which sleeps in growing
    steps and turns contention into long tails; other processes still wait via
    busy_timeout.
    """
    bind = engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"}) if readonly else engine
    with ExitStack() as stack:
        lock = None if readonly else _WRITE_LOCKS.get(engine)
        if lock is not None:
            stack.enter_context(lock)
        session = Session(bind, expire_on_commit=False)
        try:
            yield session
            if not readonly:
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """One write transaction on a plain connection, outside the ORM, for the request
    path's prebuilt statements (a reflection screen): commit on success, roll back on
    error. On SQLite it queues on the same writer lock as `session_scope`."""
    with ExitStack() as stack:
        lock = _WRITE_LOCKS.get(engine)
        if lock is not None:
            stack.enter_context(lock)
        conn = stack.enter_context(engine.begin())
        yield conn


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for a few independent reads outside the ORM, on the request path
    (the latest draft, a member's zone): no Session to build and tear down. On SQLite
    no transaction is begun, so each statement reads the latest commit on its own and
    never waits on a writer; reads that must agree with each other take
    `session_scope(readonly=True)` instead.
    """
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn.execution_options(**{_BEGIN_OPTION: _NO_BEGIN})
        yield conn


@contextmanager
def autocommit_connection(engine: Engine, *, durable: bool = True) -> Iterator[Connection]:
    """A PostgreSQL connection on which every statement commits by itself, for one
    thread's run of small single-statement writes (the dispatcher's group commits).

    Held across the run, it spares each write a pool checkout with its liveness ping, a
    BEGIN and a COMMIT: one round trip a write instead of four. ``durable=False`` lets
    each commit return before its WAL reaches the disk (``synchronous_commit`` off on
    this connection, reset before it goes back to the pool) — for writes a crash may
    lose harmlessly. The setting lives on the server session, so behind a pooler that
    mode needs session pooling (a transaction-mode pooler would hand it to other
    clients). SQLite writers go through `session_scope` instead (its in-process writer
    lock).
    """
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            if not durable:
                conn.exec_driver_sql("SET synchronous_commit TO OFF")
            yield conn
            if not durable:
                conn.exec_driver_sql("RESET synchronous_commit")
        except BaseException:
            conn.invalidate()  # never back to the pool in an unknown state
            raise


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query (for /healthz)."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            conn.rollback()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False
