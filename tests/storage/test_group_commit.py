"""Group commit (`storage.group_commit`): requests' writes batched in one SQLite
transaction, each answered only after the commit, a failing job costing no other its
write, a job past its deadline never run, a lone job run on its own request's thread, and
the lead passed on to a waiting request rather than to a thread of the module's own."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, event, exc, text
from sqlmodel import col, select

from storage import drafts, group_commit
from storage.db import answer_within, make_engine, read_connection, session_scope
from storage.models import Setback
from tests.factories import outcomes

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


def _titles(engine: Engine) -> list[str]:
    with session_scope(engine, readonly=True) as s:
        return [sb.title or "" for sb in s.exec(select(Setback).order_by(col(Setback.id)))]


def _create(title: str) -> Callable[[Connection], int]:
    def job(conn: Connection) -> int:
        return drafts.create(conn, "T1", "U1", None, 0, title, NOW)

    return job


class _Gate:
    """A first job that holds the writer until released, so the next ones queue up."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def job(self, conn: Connection) -> str:
        self.started.set()
        assert self.release.wait(10)
        return "gate"


def _queue_behind_gate(
    engine: Engine, jobs: list[Callable[[Connection], object]]
) -> list[object | BaseException]:
    """Run `jobs` from threads while the writer is held, then let them go together."""
    gate = _Gate()
    with ThreadPoolExecutor(len(jobs) + 1) as pool:
        first = pool.submit(group_commit.run, engine, gate.job)
        assert gate.started.wait(10)
        futures = [pool.submit(group_commit.run, engine, job) for job in jobs]
        while len(group_commit._queue_for(engine)._waiting) < len(jobs):
            threading.Event().wait(0.01)
        gate.release.set()
        assert first.result(10) == "gate"
        return outcomes(futures)


def test_jobs_waiting_together_share_one_transaction_and_each_gets_its_own_result(
    sqlite_engine: Engine,
) -> None:
    commits: list[int] = []
    event.listen(sqlite_engine, "commit", lambda conn: commits.append(1))
    ids = _queue_behind_gate(sqlite_engine, [_create("a"), _create("b"), _create("c")])
    assert len(commits) == 2  # the gate's transaction, then one for the three
    assert len(set(ids)) == 3 and all(isinstance(i, int) for i in ids)
    assert sorted(_titles(sqlite_engine)) == ["a", "b", "c"]


def test_a_failing_job_raises_to_its_own_request_and_the_others_are_still_saved(
    sqlite_engine: Engine,
) -> None:
    def broken(conn: Connection) -> int:
        _create("half-done")(conn)
        raise ValueError("a bug in one request")

    out = _queue_behind_gate(sqlite_engine, [_create("before"), broken, _create("after")])
    assert isinstance(out[1], ValueError)
    assert isinstance(out[0], int) and isinstance(out[2], int)
    assert sorted(_titles(sqlite_engine)) == ["after", "before"]  # nothing of the broken one


def test_a_job_still_waiting_at_its_deadline_is_withdrawn_and_never_runs(
    sqlite_engine: Engine,
) -> None:
    gate = _Gate()
    ran = threading.Event()

    def late(conn: Connection) -> None:
        ran.set()

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(group_commit.run, sqlite_engine, gate.job)
        assert gate.started.wait(10)
        with answer_within(0.05), pytest.raises(exc.TimeoutError):
            group_commit.run(sqlite_engine, late)
        gate.release.set()
        assert first.result(10) == "gate"
    group_commit.run(sqlite_engine, _create("next"))  # the writer goes on
    assert not ran.is_set()
    assert _titles(sqlite_engine) == ["next"]


def test_after_a_batch_the_lead_passes_to_the_oldest_waiting_request_whose_thread_runs_it(
    sqlite_engine: Engine,
) -> None:
    gate = _Gate()
    gate_thread: list[int] = []

    def gate_job(conn: Connection) -> str:
        gate_thread.append(threading.get_ident())
        return gate.job(conn)

    def request() -> tuple[int, int]:
        """This request's thread, and the thread its job ran on."""
        ran_on = group_commit.run(sqlite_engine, lambda conn: threading.get_ident())
        return threading.get_ident(), ran_on

    queue = group_commit._queue_for(sqlite_engine)
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(group_commit.run, sqlite_engine, gate_job)
        assert gate.started.wait(10)
        requests = []
        for count in (1, 2, 3):  # queued one after another, in a known order
            requests.append(pool.submit(request))
            while len(queue._waiting) < count:
                threading.Event().wait(0.005)
        gate.release.set()
        assert first.result(10) == "gate"
        threads = [r.result(10) for r in requests]
    oldest = threads[0][0]
    assert [ran_on for _own, ran_on in threads] == [oldest, oldest, oldest]  # one batch
    assert oldest != gate_thread[0]
    assert not queue._led and not queue._waiting  # nobody left leading or waiting


def test_on_any_database_a_job_commits_before_its_result_comes_back(engine: Engine) -> None:
    sid = group_commit.run(engine, _create("kept"))
    with read_connection(engine) as conn:
        found = conn.execute(text("SELECT count(*) FROM setback WHERE id = :i"), {"i": sid})
        assert found.scalar() == 1


def test_on_any_database_a_job_with_nothing_waiting_runs_on_its_own_requests_thread(
    engine: Engine,
) -> None:
    caller = threading.get_ident()
    assert group_commit.run(engine, lambda conn: threading.get_ident()) == caller


def test_a_job_that_hands_the_writer_another_job_fails_instead_of_waiting_forever(
    sqlite_engine: Engine,
) -> None:
    def nested(conn: Connection) -> int:
        return group_commit.run(sqlite_engine, _create("inner"))

    with pytest.raises(RuntimeError, match="cannot hand the writer"):
        group_commit.run(sqlite_engine, nested)
    assert _titles(sqlite_engine) == []


def test_many_requests_at_once_each_get_their_own_write_and_nobody_is_left_waiting(
    sqlite_engine: Engine,
) -> None:
    titles = [f"t{i}" for i in range(240)]
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda t: group_commit.run(sqlite_engine, _create(t)), titles))
    assert len(set(ids)) == len(titles)
    assert sorted(_titles(sqlite_engine)) == sorted(titles)
    queue = group_commit._queue_for(sqlite_engine)
    assert not queue._led and not queue._waiting
