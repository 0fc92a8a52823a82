"""Engine and unit-of-work sessions.

SQLite is the embedded default (WAL, a busy timeout, foreign keys on, write
transactions started with BEGIN IMMEDIATE so two writers queue instead of failing on a
lock upgrade); PostgreSQL is the production store. Sessions are per unit of work and
never shared across threads: Bolt runs listeners on a thread pool.

The embedded database is readable by its owner only. Its file is created 0600 before
SQLite opens it (SQLite gives the `-wal`, `-shm` and `-journal` files it creates the
database file's mode), and an existing database and its companions are brought down to
0600. Its folder is created 0700; a folder that already exists is made 0700 when it
holds only Setback's files (the data folder), and left alone with a warning when it
holds other things (a project folder, `/var/lib`): the files stay owner-only there.
The generated key's folder (`storage.crypto`) follows the same rule.
Engines never log statement parameters (`hide_parameters`): they hold a person's words.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import weakref
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

log = logging.getLogger(__name__)

_BEGIN_OPTION = "setback_begin"
_NO_BEGIN = "none"  # SQLite autocommit: each statement reads its own snapshot
_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()

OWNER_FILE = 0o600
OWNER_FOLDER = 0o700
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
# What Setback itself keeps in its data folder: the database and its companions, the
# generated key, the sandbox's files. A folder holding anything else is someone else's.
_OURS = ("setback", "sandbox", "encryption.key")


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create the engine for `url`, creating the SQLite file's folder when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(False))
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
        future=True,
    )


def private_folder(folder: Path, *, own: tuple[str, ...] = ()) -> None:
    """Create `folder` owner-only (0700): it holds a person's answers (the database) or
    the key that reads them. An existing folder is made so when it holds only Setback's
    files (names starting with one of `_OURS` or `own`); one that holds other things is
    someone else's folder (a project, `/var/lib`): it is left as it is, with a warning
    when others can open it."""
    if not folder.exists():
        folder.mkdir(parents=True, exist_ok=True, mode=OWNER_FOLDER)
    elif not all(entry.name.startswith((*_OURS, *own)) for entry in folder.iterdir()):
        if stat.S_IMODE(folder.stat().st_mode) & 0o077:
            log.warning(
                "The folder %s is open to other users and holds more than Setback's "
                "files; Setback's own files in it are owner-only, but give them a folder "
                "of their own (SETBACK_DATA_DIR).",
                folder,
            )
        return
    _restrict(folder, OWNER_FOLDER)


def _restrict(path: Path, mode: int) -> None:
    """Take away what `mode` does not grant (the group's and others' access)."""
    if stat.S_IMODE(path.stat().st_mode) & ~mode:
        os.chmod(path, mode)


def private_database(database: Path) -> None:
    """Prepare an embedded database file so that only its owner can read it: its folder
    (`private_folder`), then the file itself, created empty 0600 when missing (SQLite
    takes an empty file as a new database, and gives the files it adds beside it the
    same mode), and its companions brought to 0600."""
    private_folder(database.parent, own=(database.name,))
    with suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_FILE))
    for path in (database, *(Path(f"{database}{s}") for s in SQLITE_COMPANIONS)):
        if path.exists():
            _restrict(path, OWNER_FILE)


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:" and not database.startswith("file:"):
        private_database(Path(database))
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=10,
        max_overflow=20,
        hide_parameters=True,
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
