"""A whole reflection through signed HTTP with the writer process on (as `setback run`
serves an SQLite file): every screen is saved by the writer, the finished reflection is
planned and its summary DM posted and recorded, and the server never wrote a screen
itself. If the writer stops, the next person's reflection is still saved."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest
from sqlmodel import col, select

from storage import group_commit
from storage.db import session_scope
from storage.models import Checkin, Commitment, Setback, SetbackStatus
from tests.integration.harness import ADA, BEN, Harness


@pytest.fixture
def harness(tmp_path) -> Iterator[Harness]:
    h = Harness(tmp_path, writer_process=True).start()
    yield h
    h.stop()


def _setbacks(h: Harness) -> list[Setback]:
    with session_scope(h.rt.engine, readonly=True) as s:
        return list(s.exec(select(Setback).order_by(col(Setback.id))))


def test_a_reflection_is_saved_by_the_writer_and_its_summary_dm_recorded(harness: Harness) -> None:
    h = harness
    assert h.rt.writer is not None and h.rt.writer.pid != os.getpid()
    ts = h.finish_setback(ADA)
    [setback] = _setbacks(h)
    assert setback.status == SetbackStatus.COMPLETE and setback.user_id == ADA
    assert setback.thread_ts == ts  # recorded by the writer after the post
    with session_scope(h.rt.engine, readonly=True) as s:
        assert s.exec(select(Commitment)).all()
        assert s.exec(select(Checkin)).all()
    # The server never ran a write job itself: its own queue was never made.
    assert h.rt.engine not in group_commit._QUEUES


def test_after_the_writer_stops_the_next_reflection_is_saved_by_the_server(
    harness: Harness,
) -> None:
    h = harness
    assert h.rt.writer is not None and h.rt.writer.pid is not None
    os.kill(h.rt.writer.pid, signal.SIGKILL)
    h.rt.writer._process.join(5)
    h.finish_setback(BEN)
    [setback] = _setbacks(h)
    assert setback.status == SetbackStatus.COMPLETE and setback.thread_ts
    assert h.rt.engine in group_commit._QUEUES
