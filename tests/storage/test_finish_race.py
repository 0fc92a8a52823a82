"""Two submissions of the last screen at once finish the reflection once (both stores)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlmodel import select

from bot.core.actor import Actor
from bot.core.clock import FixedClock
from bot.core.runtime import Runtime
from bot.reflection.flow import close, submit_step
from storage.db import session_scope
from storage.models import Checkin, Commitment, Member, Setback
from tests.conftest import make_settings
from tests.integration.harness import SAMPLE_STEPS

ADA = Actor("T1", "U1")


def _runtime(tmp_path, engine) -> Runtime:
    settings = make_settings(tmp_path, database_url=str(engine.url))
    return Runtime(
        settings=settings, engine=engine, clock=FixedClock(datetime(2026, 11, 25, 10, tzinfo=UTC))
    )


def _all(rt: Runtime, model) -> list:
    with session_scope(rt.engine, readonly=True) as s:
        return list(s.exec(select(model)))


def test_racing_final_submissions_finish_once(tmp_path, engine) -> None:
    rt = _runtime(tmp_path, engine)
    sid = submit_step(rt, ADA, None, 0, SAMPLE_STEPS[0]).view["private_metadata"]
    sid = int(sid.split('"sid":')[1].split(",")[0])
    for step in range(1, 5):
        assert submit_step(rt, ADA, sid, step, SAMPLE_STEPS[step]).action == "update"
    close(rt, ADA, sid, 5, SAMPLE_STEPS[5])  # step 6 saved once already, as after a resume

    results = []
    barrier = threading.Barrier(4)

    def finish() -> None:
        barrier.wait()
        results.append(submit_step(rt, ADA, sid, 5, SAMPLE_STEPS[5]))

    threads = [threading.Thread(target=finish) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sum(1 for r in results if r.finished_id == sid) == 1
    assert len(results) == 4
    assert [s.status for s in _all(rt, Setback)] == ["complete"]
    assert len(_all(rt, Commitment)) == 3  # amends + two plans, not twice that
    assert len(_all(rt, Checkin)) == 1 + 4 + 2


def test_racing_first_requests_make_one_member(tmp_path, engine) -> None:
    from storage import members as member_store

    rt = _runtime(tmp_path, engine)
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def ensure() -> None:
        barrier.wait()
        try:
            with session_scope(rt.engine) as s:
                member_store.ensure_member(s, "T1", "U9", rt.clock.now())
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=ensure) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(_all(rt, Member)) == 1
