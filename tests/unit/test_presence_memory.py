"""What a process remembers of open Homes follows the Homes open now: however many people
it has seen, once past `REMEMBERED` it keeps only those seen within the window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from bot.core.actor import Actor
from bot.core.clock import FixedClock
from bot.journal import presence
from storage import home_seen
from storage.db import make_engine, write_connection

LIMIT = 5


@pytest.fixture
def rt(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Just what presence uses of a runtime: its database and its clock."""
    monkeypatch.setattr(presence, "REMEMBERED", LIMIT)
    engine = make_engine(sqlite_url)
    yield SimpleNamespace(engine=engine, clock=FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    engine.dispose()


def _remembered(rt: Any) -> int:
    return len(presence._memory.get(rt.engine, {}))


def _people(first: int, count: int) -> list[Actor]:
    return [Actor("T1", f"U{n:05d}") for n in range(first, first + count)]


def test_homes_seen_here_are_forgotten_once_closed(rt: Any) -> None:
    for actor in _people(0, 40):
        presence.seen(rt, actor)
    rt.clock.advance(presence.HOME_OPEN_FOR)  # all of them closed now
    for actor in _people(100, LIMIT):
        presence.seen(rt, actor)
    assert _remembered(rt) <= LIMIT


def test_homes_read_from_the_database_are_forgotten_once_closed(rt: Any) -> None:
    for actor in _people(0, 40):
        presence.seen(rt, actor)
    rt.clock.advance(presence.HOME_OPEN_FOR)
    others = _people(100, 40)
    with write_connection(rt.engine) as conn:  # another process saw these open just now
        for actor in others:
            home_seen.mark_seen(conn, actor.team_id, actor.user_id, rt.clock.now())
    assert all(presence.is_open(rt, actor) for actor in others)
    assert _remembered(rt) <= len(others), "the closed Homes seen before are forgotten"
