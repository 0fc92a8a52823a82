"""Engine and unit-of-work sessions.

SQLite is the embedded default (WAL, a busy timeout, foreign keys on, write
transactions started with BEGIN IMMEDIATE so two writers queue instead of failing on a
lock upgrade); PostgreSQL is the production store. Sessions are per unit of work and
never shared across threads: Bolt runs listeners on a thread pool.

A failing database fails fast (`DbTimeouts`, set by `SETBACK_DB_*`): on PostgreSQL a
connection attempt gives up after the connect timeout, a checkout waiting for a free
connection after the pool timeout, a statement after the server's `statement_timeout`
and a lock wait after its `lock_timeout`; a server that answers nothing at all is cut
off by `storage.watchdog` a little after the statement timeout, and a pooled connection
is pinged on checkout under a short deadline (instead of SQLAlchemy's pre-ping, which
has none). On SQLite a writer waits for the lock at most the busy timeout, in SQLite's
busy handler and on the in-process writer lock alike. `unavailable` tells such a
failure apart from a bug, so callers can tell the person to try again shortly.

`answer_within(seconds)` bounds every PostgreSQL wait of the calling thread further,
for work that must answer by a deadline of its own (an ack to Slack within 3 s): the
checkout ping and the watchdog's cut come no later than the deadline, a fresh
connection is attempted with no more than the time left, and a ping that failed with
too little time left for a fresh connection (`FRESH_CONNECTION`) raises
`sqlalchemy.exc.TimeoutError` at once instead of reconnecting.

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
import sqlite3
import stat
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, text
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

from storage.watchdog import WATCHDOG

log = logging.getLogger(__name__)

_BEGIN_OPTION = "setback_begin"
_NO_BEGIN = "none"  # SQLite autocommit: each statement reads its own snapshot
_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, _WriterLock] = weakref.WeakKeyDictionary()

OWNER_FILE = 0o600
OWNER_FOLDER = 0o700
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
FRESH_CONNECTION = 2.0  # seconds: the least the driver waits for a new connection
_ANSWER_BY = threading.local()  # `.at`: this thread's deadline on time.monotonic, or None

# What Setback itself keeps in its data folder: the database and its companions, the
# generated key, the sandbox's files. A folder holding anything else is someone else's.
_OURS = ("setback", "sandbox", "encryption.key")


@dataclass(frozen=True)
class DbTimeouts:
    """How long each kind of database wait may last, in seconds (module docstring).

    `statement` and `lock` of None mean no limit (migrations, which may rewrite a big
    table, run so); `busy` is SQLite's, the rest PostgreSQL's."""

    connect: float = 5.0
    pool: float = 5.0
    statement: float | None = 10.0
    lock: float | None = 5.0
    busy: float = 30.0
    ping: float = 2.0  # a liveness `SELECT 1` on a pooled connection
    grace: float = 2.0  # past `statement`, before the watchdog cuts a silent server off

    def unlimited(self) -> DbTimeouts:
        """The same, without statement and lock limits (for migrations)."""
        return replace(self, statement=None, lock=None)


def make_engine(url: str, *, pool_size: int = 10, timeouts: DbTimeouts | None = None) -> Engine:
    """Create the engine for `url`, creating the SQLite file's folder when needed."""
    timeouts = timeouts or DbTimeouts()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, timeouts)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return _postgres_engine(parsed, pool_size, timeouts)


def _server_options(parsed: URL, timeouts: DbTimeouts) -> str | None:
    """`-c` options for the statement and lock timeouts, after any the URL gives."""
    given = parsed.query.get("options")
    parts = [given if isinstance(given, str) else " ".join(given or ())]
    if timeouts.statement is not None:
        parts.append(f"-c statement_timeout={int(timeouts.statement * 1000)}")
    if timeouts.lock is not None:
        parts.append(f"-c lock_timeout={int(timeouts.lock * 1000)}")
    return " ".join(p for p in parts if p) or None


def _postgres_engine(parsed: URL, pool_size: int, timeouts: DbTimeouts) -> Engine:
    connect_args: dict[str, Any] = {"connect_timeout": max(1, round(timeouts.connect))}
    options = _server_options(parsed, timeouts)
    if options:
        connect_args["options"] = options
    engine = create_engine(
        parsed.difference_update_query(["options"]),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=timeouts.pool,
        connect_args=connect_args,
        hide_parameters=True,
        future=True,
    )
    _guard_calls(engine, timeouts)
    return engine


@contextmanager
def answer_within(seconds: float | None) -> Iterator[None]:
    """Bound this thread's database waits to `seconds` from now (module docstring);
    None: no bound beyond the engine's timeouts."""
    before = getattr(_ANSWER_BY, "at", None)
    _ANSWER_BY.at = None if seconds is None else time.monotonic() + seconds
    try:
        yield
    finally:
        _ANSWER_BY.at = before


def time_left() -> float | None:
    """Seconds left before this thread's deadline (never below 0), or None without one."""
    at = getattr(_ANSWER_BY, "at", None)
    return None if at is None else max(0.0, at - time.monotonic())


def _within(seconds: float | None) -> float | None:
    left = time_left()
    if left is None:
        return seconds
    return left if seconds is None else min(seconds, left)


def _guard_calls(engine: Engine, timeouts: DbTimeouts) -> None:
    """Every call under the watchdog (`storage.watchdog`), and a guarded ping on checkout;
    both, and a fresh connection, within the thread's deadline (`answer_within`)."""
    limit = None if timeouts.statement is None else timeouts.statement + timeouts.grace

    def watch(dbapi_conn: Any) -> None:
        seconds = _within(limit)
        if seconds is not None:
            WATCHDOG.watch(dbapi_conn, seconds)

    @event.listens_for(engine, "before_cursor_execute")
    def _before(_conn: Any, cursor: Any, *_args: Any) -> None:
        watch(cursor.connection)

    @event.listens_for(engine, "after_cursor_execute")
    def _after(_conn: Any, cursor: Any, *_args: Any) -> None:
        WATCHDOG.release(cursor.connection)

    @event.listens_for(engine, "handle_error")
    def _failed(context: Any) -> None:
        cursor = getattr(context, "cursor", None)  # none for a failed connection attempt
        if cursor is not None:
            WATCHDOG.release(cursor.connection)

    for name in ("commit", "rollback"):  # no event follows these: the next call re-arms

        @event.listens_for(engine, name)
        def _ending(conn: Any) -> None:
            watch(conn.connection.dbapi_connection)

    @event.listens_for(engine, "reset")
    def _reset(dbapi_conn: Any, _record: Any, _state: Any) -> None:
        watch(dbapi_conn)

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_conn: Any, _record: Any) -> None:
        if dbapi_conn is not None:
            WATCHDOG.release(dbapi_conn)

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_conn: Any, record: Any) -> None:
        record.info["setback_fresh"] = True  # just answered: no ping on its first checkout

    @event.listens_for(engine, "checkout")
    def _ping_on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if record.info.pop("setback_fresh", False):
            return
        if _ping_dbapi(dbapi_conn, _within(timeouts.ping) or 0.0):
            return
        left = time_left()
        if left is not None and left < FRESH_CONNECTION:
            raise exc.TimeoutError("the database did not answer a ping in the time left")
        raise exc.DisconnectionError("the database did not answer a ping")

    @event.listens_for(engine, "do_connect")
    def _connect_within(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        left = time_left()
        if left is None or left >= cparams.get("connect_timeout", left + 1):
            return None  # the engine's own connect timeout
        return dialect.connect(*cargs, **{**cparams, "connect_timeout": max(1, round(left))})


def _ping_dbapi(dbapi_conn: Any, seconds: float) -> bool:
    """`SELECT 1` outside any transaction under a deadline; False when it failed."""
    WATCHDOG.watch(dbapi_conn, seconds)
    autocommit = dbapi_conn.autocommit
    try:
        if not autocommit:
            dbapi_conn.autocommit = True
        with dbapi_conn.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not autocommit:
            dbapi_conn.autocommit = False
        return True
    except Exception:  # noqa: BLE001 - any failure: the pool takes a fresh connection
        return False
    finally:
        WATCHDOG.release(dbapi_conn)


def unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached or did not answer in time
    (down, hung, refusing connections, out of pooled connections, busy past the busy
    timeout) rather than a bug: the person can be told to try again shortly.

    The exceptions it was raised from count too: a connection closed after a lost one
    raises SQLAlchemy's `PendingRollbackError`, in the middle of handling the loss."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _unavailable_itself(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _unavailable_itself(error: BaseException) -> bool:
    if isinstance(error, exc.TimeoutError | exc.DisconnectionError):
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        return isinstance(error, exc.OperationalError | exc.InterfaceError)
    return False


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


def _sqlite_engine(url: str, database: str | None, timeouts: DbTimeouts) -> Engine:
    if database and database != ":memory:" and not database.startswith("file:"):
        private_database(Path(database))
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": timeouts.busy},
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
        cur.execute(f"PRAGMA busy_timeout={int(timeouts.busy * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
        if mode != _NO_BEGIN:
            _begin(conn.connection.driver_connection, f"BEGIN {mode}")

    _WRITE_LOCKS[engine] = _WriterLock(timeouts.busy)
    return engine


def _begin(driver: sqlite3.Connection, statement: str) -> None:
    """Issue `statement` (a BEGIN) on the driver's connection itself: every write
    transaction begins here, and SQLAlchemy's statement machinery around one fixed
    statement cost more than the statement. A driver error is raised as SQLAlchemy's,
    as from any other statement (`unavailable` reads those)."""
    try:
        driver.execute(statement)
    except sqlite3.Error as error:
        raise exc.DBAPIError.instance(statement, None, error, sqlite3.Error) from error


class _WriterLock:
    """SQLite's in-process writer lock: writers queue on it, each for at most the busy
    timeout (`sqlalchemy.exc.TimeoutError` then, as when the pool has no connection)."""

    def __init__(self, timeout: float) -> None:
        self._lock = threading.RLock()
        self._timeout = timeout

    @property
    def timeout(self) -> float:
        return self._timeout

    def __enter__(self) -> None:
        if not self._lock.acquire(timeout=self._timeout):
            raise exc.TimeoutError("the database stayed busy past the busy timeout")

    def __exit__(self, *_exc: object) -> None:
        self._lock.release()


def busy_timeout(engine: Engine) -> float:
    """How long a writer waits its turn on this engine: SQLite's busy timeout (the
    writer lock's), or the default for an engine without one."""
    lock = _WRITE_LOCKS.get(engine)
    return lock.timeout if lock is not None else DbTimeouts().busy


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def is_sqlite_file(url: str) -> bool:
    """Whether `url` names an SQLite database in a file another process can open (not
    in memory, and not a `file:` URI, which may be)."""
    parsed = make_url(url)
    database = parsed.database or ""
    return (
        parsed.get_backend_name() == "sqlite"
        and database not in ("", ":memory:")
        and not database.startswith("file:")
    )


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
    error. On SQLite it queues on the same writer lock as `session_scope`, taken after the
    pool checkout and released before the connection goes back: the lock covers the
    transaction only."""
    with engine.connect() as conn, ExitStack() as stack:
        lock = _WRITE_LOCKS.get(engine)
        if lock is not None:
            stack.enter_context(lock)
        stack.enter_context(conn.begin())
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
