"""A failing database fails fast: SQLite writers wait at most the busy timeout, and
PostgreSQL sessions carry the statement and lock timeouts; such failures are told
apart from bugs (`unavailable`). (A server that stops answering altogether is in
tests/hostile/test_hung_database.py, on a private server.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, exc, text

from storage.db import DbTimeouts, make_engine, session_scope, unavailable
from tests.conftest import drop_postgres, fresh_postgres


def test_a_sqlite_writer_waits_at_most_the_busy_timeout(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url, timeouts=DbTimeouts(busy=0.2))
    holding, release = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:
        with session_scope(engine):
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    try:
        assert holding.wait(5)
        with pytest.raises(exc.TimeoutError) as raised, session_scope(engine):
            pass
        assert unavailable(raised.value)
    finally:
        release.set()
        holder.join(10)
        engine.dispose()


@pytest.fixture
def postgres_url(pg_admin: Engine, pg_template: str) -> Iterator[str]:
    name, url = fresh_postgres(pg_admin, pg_template)
    yield url
    drop_postgres(pg_admin, name)


@pytest.mark.postgres
def test_postgres_sessions_carry_the_statement_and_lock_timeouts(postgres_url: str) -> None:
    url = postgres_url
    timed = make_engine(url, timeouts=DbTimeouts(statement=1.5, lock=0.5))
    try:
        with timed.connect() as conn:
            shown = [
                conn.execute(text(f"SHOW {n}")).scalar()
                for n in ("statement_timeout", "lock_timeout")
            ]
            assert shown == ["1500ms", "500ms"]
            with pytest.raises(exc.OperationalError) as raised:
                conn.execute(text("SELECT pg_sleep(30)"))
            assert unavailable(raised.value)
        untimed = make_engine(url, timeouts=DbTimeouts().unlimited())
        with untimed.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "0"
        untimed.dispose()
    finally:
        timed.dispose()


def test_a_bug_is_not_taken_for_an_unavailable_database() -> None:
    assert not unavailable(ValueError("boom"))
    assert not unavailable(exc.IntegrityError("INSERT", {}, Exception("duplicate")))
    assert unavailable(exc.OperationalError("SELECT 1", {}, Exception("connection refused")))
