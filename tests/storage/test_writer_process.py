"""The writer process (`storage.writer_process`): the request path's SQLite writes run in
a process of their own, each answered only after its batch commits; a failing job costs
no other its write; a job past its deadline never runs; a job that cannot be sent, or
any job once the writer is gone, is written in the server's process; a job lost with the
writer fails as "try again" and is never run twice; nobody without the key is heard."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from multiprocessing.connection import Client

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Connection, Engine, exc, text
from sqlmodel import col, select

from storage import crypto, drafts, group_commit, writer_process
from storage.db import (
    DbTimeouts,
    answer_within,
    make_engine,
    read_connection,
    session_scope,
    unavailable,
)
from storage.models import Setback
from storage.writer_process import WriterProcess
from tests.factories import outcomes

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


# --- jobs: module-level functions, as the writer process loads them by name -------------


def create_here(conn: Connection, title: str) -> tuple[int, int]:
    """A new draft titled `title`; its id and the process that wrote it."""
    return drafts.create(conn, "T1", "U1", None, 0, title, NOW), os.getpid()


def hold(conn: Connection, seconds: float) -> int:
    """Keep the writer busy, so the jobs sent meanwhile arrive together."""
    time.sleep(seconds)
    return os.getpid()


def create_then_fail(conn: Connection, title: str) -> None:
    drafts.create(conn, "T1", "U1", None, 0, title, NOW)
    raise ValueError("a bug in one request")


def create_then_die(conn: Connection, title: str) -> None:
    drafts.create(conn, "T1", "U1", None, 0, title, NOW)
    os._exit(3)  # the writer dies holding the job, before its commit


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def key() -> Iterator[bytes]:
    key = Fernet.generate_key()
    crypto.configure([key])
    yield key


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    eng = make_engine(sqlite_url)
    yield eng
    group_commit.detach(eng)
    eng.dispose()


@pytest.fixture
def writer(sqlite_url: str, engine: Engine, key: bytes) -> Iterator[WriterProcess]:
    w = WriterProcess(sqlite_url, [key], DbTimeouts(busy=10.0))
    w.start()
    group_commit.attach(engine, w)
    yield w
    group_commit.detach(engine)
    w.stop()


def _titles(engine: Engine) -> list[str]:
    with session_scope(engine, readonly=True) as s:
        return [sb.title or "" for sb in s.exec(select(Setback).order_by(col(Setback.id)))]


def _at_once(engine: Engine, calls: list[tuple[object, ...]]) -> list[object]:
    """Send `calls` while the writer is held, so they arrive and run as one batch."""
    with ThreadPoolExecutor(len(calls) + 1) as pool:
        held = pool.submit(group_commit.run, engine, hold, 0.5)
        time.sleep(0.2)
        futures = [pool.submit(group_commit.run, engine, *call) for call in calls]
        held.result(10)
        return outcomes(futures)


# --- tests -------------------------------------------------------------------------------


def test_a_job_runs_in_the_writer_process_and_is_committed_before_its_answer(
    engine: Engine, writer: WriterProcess
) -> None:
    sid, pid = group_commit.run(engine, create_here, "kept")
    assert pid == writer.pid and pid != os.getpid()
    with read_connection(engine) as conn:
        assert conn.execute(text("SELECT title FROM setback WHERE id = :i"), {"i": sid}).scalar()


def test_many_requests_at_once_each_get_their_own_write(
    engine: Engine, writer: WriterProcess
) -> None:
    titles = [f"t{i}" for i in range(120)]
    with ThreadPoolExecutor(8) as pool:
        out = list(pool.map(lambda t: group_commit.run(engine, create_here, t), titles))
    assert len({sid for sid, _pid in out}) == len(titles)
    assert {pid for _sid, pid in out} == {writer.pid}
    assert sorted(_titles(engine)) == sorted(titles)


def test_a_failing_job_raises_to_its_own_request_and_the_others_are_still_saved(
    engine: Engine, writer: WriterProcess
) -> None:
    out = _at_once(
        engine,
        [(create_here, "before"), (create_then_fail, "half-done"), (create_here, "after")],
    )
    assert isinstance(out[1], ValueError) and "a bug in one request" in str(out[1])
    assert isinstance(out[0], tuple) and isinstance(out[2], tuple)
    assert sorted(_titles(engine)) == ["after", "before"]  # nothing of the failing one


def test_a_job_still_waiting_at_its_deadline_never_runs(
    engine: Engine, writer: WriterProcess
) -> None:
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(group_commit.run, engine, hold, 1.0)
        time.sleep(0.2)
        with answer_within(0.1), pytest.raises(exc.TimeoutError):
            group_commit.run(engine, create_here, "late")
        held.result(10)
    group_commit.run(engine, create_here, "next")  # the writer goes on
    assert _titles(engine) == ["next"]


def test_a_job_that_cannot_be_sent_is_written_in_this_process(
    engine: Engine, writer: WriterProcess
) -> None:
    sid, pid = group_commit.run(engine, lambda conn: create_here(conn, "here"))
    assert pid == os.getpid()
    assert _titles(engine) == ["here"]


def test_once_the_writer_is_gone_jobs_are_written_in_this_process(
    engine: Engine, writer: WriterProcess
) -> None:
    assert group_commit.run(engine, create_here, "there")[1] == writer.pid
    assert writer.pid is not None
    os.kill(writer.pid, signal.SIGKILL)
    time.sleep(0.3)
    assert group_commit.run(engine, create_here, "here")[1] == os.getpid()
    assert group_commit.run(engine, create_here, "here too")[1] == os.getpid()
    assert _titles(engine) == ["there", "here", "here too"]


def test_a_job_lost_with_the_writer_asks_to_try_again_and_is_never_run_twice(
    engine: Engine, writer: WriterProcess
) -> None:
    with pytest.raises(exc.DisconnectionError) as lost:
        group_commit.run(engine, create_then_die, "lost")
    assert unavailable(lost.value)  # the person is told to try again shortly
    assert _titles(engine) == []  # not committed there, and not run again here
    assert group_commit.run(engine, create_here, "after")[1] == os.getpid()


def test_the_writer_exits_when_the_server_stops(sqlite_url: str, key: bytes) -> None:
    w = WriterProcess(sqlite_url, [key], DbTimeouts())
    w.start()
    process = w._process
    w.stop()
    assert not process.is_alive() and process.exitcode == 0  # left on its own, not killed
    assert not os.path.exists(w.address)


def test_a_connection_without_the_key_is_never_heard(engine: Engine, writer: WriterProcess) -> None:
    with pytest.raises((mp.AuthenticationError, OSError, EOFError)):
        Client(writer.address, family="AF_UNIX", authkey=b"not the key")
    assert group_commit.run(engine, create_here, "still serving")[1] == writer.pid


def test_the_socket_lives_in_a_folder_only_its_owner_can_open(writer: WriterProcess) -> None:
    mode = os.stat(os.path.dirname(writer.address)).st_mode & 0o777
    assert mode == 0o700


def test_a_request_gives_up_at_its_deadline_and_a_late_answer_is_never_read_as_the_next(
    engine: Engine, writer: WriterProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer_process, "GRACE", 0.1)
    with answer_within(0.05), pytest.raises(exc.TimeoutError):
        group_commit.run(engine, hold, 0.6)  # started at once, so it runs to the end
    sid, pid = group_commit.run(engine, create_here, "next")  # the same thread again
    assert pid == writer.pid and isinstance(sid, int)
    assert _titles(engine) == ["next"]


def test_a_connection_that_hangs_up_during_the_key_check_leaves_the_writer_listening(
    engine: Engine, writer: WriterProcess
) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as rude:
        rude.connect(writer.address)  # and leaves before answering the challenge
    assert group_commit.run(engine, create_here, "still serving")[1] == writer.pid
