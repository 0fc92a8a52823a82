"""Follow-up lanes: work racing a Slack deadline never waits behind background work."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine

from bot.core.runtime import SOON, Runtime
from tests.conftest import make_settings
from tests.virtual_time import VirtualClock


def _runtime(tmp_path) -> Runtime:
    return Runtime(settings=make_settings(tmp_path), engine=create_engine("sqlite://"))


def test_soon_runs_while_every_later_thread_is_busy(tmp_path) -> None:
    rt = _runtime(tmp_path)
    release = threading.Event()
    started = threading.Semaphore(0)

    def background() -> str:
        started.release()
        release.wait(10)
        return "done"

    backlog = [rt.later(background) for _ in range(6)]
    assert started.acquire(timeout=5) and started.acquire(timeout=5)  # both threads taken
    try:
        urgent = rt.soon(lambda: "modal opened")
        assert urgent.result(timeout=5) == "modal opened"
        assert not any(f.done() for f in backlog), "the background lane was still blocked"
    finally:
        release.set()
    assert rt.drain(timeout=10)
    assert [f.result() for f in backlog] == ["done"] * 6


def test_a_failing_task_is_logged_and_drain_still_finishes(tmp_path, caplog) -> None:
    rt = _runtime(tmp_path)

    def broken() -> None:
        raise RuntimeError("boom")

    assert rt.soon(broken).result(timeout=5) is None
    assert rt.later(broken).result(timeout=5) is None
    assert rt.drain(timeout=5)
    assert caplog.text.count("background task broken failed") == 2


def test_drain_waits_for_the_note_of_work_that_went_late(tmp_path) -> None:
    """A task shed as late is replaced by its note on the `later` lane; `drain` must not
    report done while that note is still going out (a burst's last notes were missed)."""
    rt = _runtime(tmp_path)
    clock = VirtualClock()
    rt.ticks = clock
    release, note_started, let_note_go = threading.Event(), threading.Event(), threading.Event()
    holds = [rt.soon(release.wait, 10) for _ in range(SOON.threads)]
    noted: list[str] = []

    def note() -> None:
        note_started.set()
        let_note_go.wait(10)
        noted.append("typed again?")

    late = rt.race(rt.deadline(2.5), lambda: "modal", note)
    assert late is not None
    clock.advance(3.0)
    try:
        assert note_started.wait(5), "the sweeper handed the late task's note over"
        release.set()
        assert all(f.result(timeout=5) for f in holds)
        assert late.cancelled()
        assert not rt.drain(timeout=0.3), "the note is still on its way"
    finally:
        release.set()
        let_note_go.set()
    assert rt.drain(timeout=5)
    assert noted == ["typed again?"]


def test_drain_waits_for_a_lazy_listener_bolt_runs(tmp_path) -> None:
    """Bolt runs lazy listeners on the runtime's executor, so `drain` (shutdown, the
    sandbox's clock, tests) waits for a click's work after its ack too."""
    rt = _runtime(tmp_path)
    let_go, done = threading.Event(), []
    future = rt.lazy_executor().submit(lambda: (let_go.wait(10), done.append("answered")))
    try:
        assert not rt.drain(timeout=0.3), "the lazy listener is still running"
        let_go.set()
        assert rt.drain(timeout=5)
        assert done == ["answered"] and future.done()
    finally:
        let_go.set()


def test_the_app_runs_its_lazy_listeners_on_the_runtimes_executor(tmp_path) -> None:
    from bot.app import create_app

    rt = _runtime(tmp_path)
    app = create_app(rt, token_verification=False)
    assert app.listener_runner.listener_executor is rt.lazy_executor()
