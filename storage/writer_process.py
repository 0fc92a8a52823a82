"""The request path's SQLite writes, in a process of their own.

One Python process runs one thread of Python at a time. Under load, a step's writes on
SQLite (its statements through SQLAlchemy, and every call into SQLite handing the
interpreter to another thread and waiting to get it back) cost the HTTP server's
interpreter more than the rest of the step together. A second core can take them: for
an SQLite file, `setback run` starts this process (`SETBACK_SQLITE_WRITER=process`, the
default) and `storage.group_commit.run` sends it the jobs it would otherwise run itself.

1. Each thread of the server keeps one connection to the writer: a Unix socket in a
   folder only its owner can open, and a random key both ends prove they hold before
   anything is read (what crosses is pickled, so nobody else may speak on it).
2. A job is a module-level function and its plain arguments, sent with its request's
   deadline (`storage.db.answer_within`; the busy timeout without one).
3. The writer takes every job that has arrived. A job whose deadline has passed never
   runs and its request gets `sqlalchemy.exc.TimeoutError`; the rest run as
   `storage.group_commit` runs a batch: one transaction, and each job alone again when
   one raises. Only after the commit does each request get its result or its error.
4. A request waits for its answer until its deadline and a short grace for a batch
   already running (`GRACE`); then it gives up with `TimeoutError` and drops its
   connection, so a late answer is never read as the next job's.
5. A job that cannot be sent (arguments that do not pickle), or any job once the writer
   is gone, runs in the server's own process as it does without the writer. A job lost
   with a writer that died while holding it fails with `DisconnectionError`: the person
   is asked to try again (`storage.db.unavailable`), and it is not run a second time.
   SQLite's file lock and `busy_timeout` keep the two processes' writes apart, as they do
   for the server's other writes (check-ins, sharing, erasure), which stay where they are.
6. The writer exits when the server stops, or dies: it watches its end of a pipe.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing as mp
import os
import pickle
import secrets
import shutil
import socket
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import (
    Connection,
    Listener,
    answer_challenge,
    deliver_challenge,
    wait,
)
from typing import Any

from sqlalchemy import Engine, exc

from storage import crypto, group_commit
from storage.db import DbTimeouts, make_engine, time_left

log = logging.getLogger(__name__)

GRACE = 5.0  # seconds a request waits past its deadline for a batch already running
START_TIMEOUT = 60.0  # seconds the writer may take to import and open the database


class WriterProcess:
    """The writer process of one SQLite database, and the server's end of it."""

    def __init__(
        self,
        url: str,
        keys: Sequence[bytes],
        timeouts: DbTimeouts,
        *,
        preload: Sequence[str] = (),
        log_level: str = "WARNING",
    ) -> None:
        self._args = (url, list(keys), timeouts, tuple(preload), log_level)
        self._busy = timeouts.busy
        self._authkey = secrets.token_bytes(32)
        self._folder = tempfile.mkdtemp(prefix="setback-writer-")  # 0700
        self.address = os.path.join(self._folder, "writer.sock")
        self._local = threading.local()
        self._process: Any = None
        self._lifeline: Connection | None = None
        self._gone = threading.Event()

    @property
    def pid(self) -> int | None:
        """The writer's process id once started (logs, and tests that ask who wrote)."""
        return None if self._process is None else int(self._process.pid)

    def start(self) -> None:
        """Start the process and wait until it listens; RuntimeError when it cannot."""
        ctx = mp.get_context("spawn")
        ours, theirs = ctx.Pipe()
        self._process = ctx.Process(
            target=_serve,
            args=(theirs, self.address, self._authkey, *self._args),
            name="setback-writer",
            daemon=True,
        )
        self._process.start()
        theirs.close()
        started = ours.poll(START_TIMEOUT) and _received(ours) == "ready"
        if not started:
            self._process.kill()
            self._process.join(5)
            shutil.rmtree(self._folder, ignore_errors=True)
            raise RuntimeError("the database writer process did not start")
        self._lifeline = ours

    def stop(self) -> None:
        """Let the process finish the batch in hand and exit; then remove its socket."""
        self._gone.set()
        if self._lifeline is not None:
            with contextlib.suppress(OSError):
                self._lifeline.close()  # the writer sees the pipe end and exits
        if self._process is not None:
            self._process.join(10)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(5)
        shutil.rmtree(self._folder, ignore_errors=True)

    def run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """Have the writer run ``fn(conn, *args)`` (module docstring); what it returned.

        Raises `group_commit.WriterGone` when the job was not sent, so the caller runs
        it itself."""
        if self._gone.is_set():
            raise group_commit.WriterGone
        left = time_left()
        wait_for = self._busy if left is None else left
        try:
            data = pickle.dumps((fn, args, time.monotonic() + wait_for), pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            log.warning("a write job cannot go to the writer process: %s", type(error).__name__)
            raise group_commit.WriterGone from error
        try:
            channel = self._channel(wait_for)
        except (OSError, EOFError, mp.AuthenticationError) as error:  # not listening
            self._lost()
            raise group_commit.WriterGone from error
        return self._exchange(channel, data, wait_for + GRACE)

    def _exchange(self, channel: socket.socket, data: bytes, wait_for: float) -> Any:
        try:
            channel.sendall(_HEADER.pack(len(data)) + data)
        except OSError as error:  # nobody reads that socket any more: the job was not sent
            self._drop(channel)
            self._lost()
            raise group_commit.WriterGone from error
        try:
            kind, value = pickle.loads(_receive(channel, wait_for))
        except BlockingIOError:  # no answer within `wait_for` (step 4)
            self._drop(channel)
            raise exc.TimeoutError("the database writer did not answer in time") from None
        except (OSError, EOFError) as error:  # sent, and lost with the writer (step 5)
            self._drop(channel)
            self._lost()
            raise exc.DisconnectionError("the database writer process stopped") from error
        if kind == "error":
            raise value
        return value

    def _channel(self, wait_for: float) -> socket.socket:
        """This thread's connection: the key check of `multiprocessing.connection`, then
        the plain socket under it in the same framing, so an exchange is one send and
        (for any answer that fits) one receive — each a hand-over of the interpreter
        under load. Connecting waits at most `wait_for` for a writer that does not
        answer; a send, at most the busy timeout."""
        channel: socket.socket | None = getattr(self._local, "channel", None)
        if channel is None:
            channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                _set_timeout(channel, socket.SO_SNDTIMEO, self._busy)
                _set_timeout(channel, socket.SO_RCVTIMEO, wait_for)
                channel.connect(self.address)
                with contextlib.closing(Connection(os.dup(channel.fileno()))) as keyed:
                    answer_challenge(keyed, self._authkey)
                    deliver_challenge(keyed, self._authkey)
            except BaseException:
                channel.close()
                raise
            self._local.channel = channel
        return channel

    def _drop(self, channel: socket.socket) -> None:
        with contextlib.suppress(OSError):
            channel.close()
        self._local.channel = None

    def _lost(self) -> None:
        if not self._gone.is_set() and not (self._process and self._process.is_alive()):
            log.error("the database writer process stopped; writes run in this process now")
            self._gone.set()


_HEADER = struct.Struct("!i")  # the length before each message, as Connection frames it


def _receive(channel: socket.socket, wait_for: float) -> bytes:
    """One framed message from `channel`, waiting at most `wait_for` seconds for it to
    begin (the kernel's receive timeout: BlockingIOError when it passes). EOFError when
    the writer closed the socket."""
    _set_timeout(channel, socket.SO_RCVTIMEO, wait_for)
    data = channel.recv(_CHUNK)
    while len(data) < _HEADER.size or len(data) < _HEADER.size + _HEADER.unpack_from(data)[0]:
        more = channel.recv(_CHUNK)
        if not more:
            raise EOFError
        data += more
    return data[_HEADER.size :]


_CHUNK = 65536


def _set_timeout(channel: socket.socket, option: int, seconds: float) -> None:
    """The kernel's timeout for a blocking socket's receives or sends (a call past it
    fails with BlockingIOError), without the poll a Python-level timeout adds."""
    seconds = max(0.001, seconds)
    timeval = struct.pack("ll", int(seconds), int(seconds % 1 * 1_000_000))
    channel.setsockopt(socket.SOL_SOCKET, option, timeval)


def _received(pipe: Connection) -> Any:
    try:
        return pipe.recv()
    except (EOFError, OSError):
        return None


# --- the writer's side -------------------------------------------------------------------


def _serve(
    lifeline: Connection,
    address: str,
    authkey: bytes,
    url: str,
    keys: list[bytes],
    timeouts: DbTimeouts,
    preload: tuple[str, ...],
    log_level: str,
) -> None:
    """The writer process's main: open the database, listen, and serve batches until the
    server's end of `lifeline` closes."""
    logging.basicConfig(level=log_level, format="%(levelname)s %(name)s: %(message)s")
    crypto.configure(keys)
    for name in preload:  # the jobs' modules, imported before the first job waits on them
        importlib.import_module(name)
    engine = make_engine(url, timeouts=timeouts)
    listener = Listener(address, family="AF_UNIX", authkey=authkey)
    channels = _Channels(listener)
    lifeline.send("ready")
    try:
        while True:
            ready = wait([lifeline, channels.wake, *channels.current()])
            if lifeline in ready:
                return  # the server stopped (or died): nothing more will come
            if channels.wake in ready:
                os.read(channels.wake, 4096)
            arrived = [
                (c, data)
                for c in ready
                if isinstance(c, Connection) and (data := channels.read(c)) is not None
            ]
            if arrived:
                _serve_batch(engine, channels, arrived)
    finally:
        listener.close()
        engine.dispose()


class _Channels:
    """The server threads' connections, accepted on a thread of their own."""

    def __init__(self, listener: Listener) -> None:
        self._listener = listener
        self._lock = threading.Lock()
        self._open: list[Connection] = []
        self.wake, self._wake_w = os.pipe()
        threading.Thread(target=self._accept, name="writer-accept", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                channel = self._listener.accept()
            except mp.AuthenticationError:
                log.warning("a connection to the database writer failed its key check")
                continue
            except (EOFError, ConnectionError):  # gone during the key check
                continue
            except OSError:
                return  # the listener closed
            with self._lock:
                self._open.append(channel)
            os.write(self._wake_w, b"\0")

    def current(self) -> list[Connection]:
        with self._lock:
            return list(self._open)

    def read(self, channel: Connection) -> bytes | None:
        try:
            return channel.recv_bytes()
        except (EOFError, OSError):  # that server thread is gone
            self.close(channel)
            return None

    def close(self, channel: Connection) -> None:
        with self._lock:
            if channel in self._open:
                self._open.remove(channel)
        with contextlib.suppress(OSError):
            channel.close()

    def answer(self, channel: Connection, outcome: tuple[str, Any]) -> None:
        try:
            channel.send_bytes(_pickled(outcome))
        except OSError:  # it gave up waiting (step 4)
            self.close(channel)


def _serve_batch(
    engine: Engine, channels: _Channels, arrived: list[tuple[Connection, bytes]]
) -> None:
    """Run what arrived as one batch (step 3) and answer each request."""
    now = time.monotonic()
    jobs: list[group_commit.Job] = []
    waiting: list[Connection] = []
    for channel, data in arrived:
        try:
            fn, args, deadline = pickle.loads(data)
        except Exception as unreadable:  # noqa: BLE001 - a job this process cannot load
            channels.answer(channel, ("error", RuntimeError(f"unreadable job: {unreadable!r}")))
            continue
        if now > deadline:
            late = exc.TimeoutError("the database stayed busy past the deadline")
            channels.answer(channel, ("error", late))
            continue
        jobs.append(group_commit.bind(fn, args))
        waiting.append(channel)
    if not jobs:
        return
    for channel, (result, error) in zip(
        waiting, group_commit.run_together(engine, jobs), strict=True
    ):
        channels.answer(channel, ("ok", result) if error is None else ("error", error))


def _pickled(outcome: tuple[str, Any]) -> bytes:
    """`outcome` as bytes the server can load; an error or result that cannot make the
    trip becomes a RuntimeError naming its type."""
    try:
        data = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
        if outcome[0] == "error":
            pickle.loads(data)  # some exceptions pickle but cannot be rebuilt
        return data
    except Exception:  # noqa: BLE001 - sent as a plain error instead
        kind = type(outcome[1]).__name__
        return pickle.dumps(
            ("error", RuntimeError(f"the writer's {outcome[0]} ({kind}) cannot be sent"))
        )
