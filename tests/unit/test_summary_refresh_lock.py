"""Summary refreshes: two for one setback never interleave (the one that read older
state could land last), two for different setbacks do not wait on each other."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from bot.core.actor import Actor
from bot.reflection import summary

ADA = Actor("T1", "UADA")


def _overlap(monkeypatch: pytest.MonkeyPatch, first_id: int, second_id: int) -> int:
    """Run two refreshes while the first is held inside; the most ever inside at once."""
    inside, release, guard = threading.Semaphore(0), threading.Event(), threading.Lock()
    running, most = [0], [0]

    def slow(rt: Any, actor: Actor, setback_id: int) -> bool:
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        inside.release()
        release.wait(5)
        with guard:
            running[0] -= 1
        return True

    monkeypatch.setattr(summary, "_refresh", slow)
    first = threading.Thread(target=summary.refresh_summary, args=(None, ADA, first_id))
    first.start()
    assert inside.acquire(timeout=5)
    second = threading.Thread(target=summary.refresh_summary, args=(None, ADA, second_id))
    second.start()
    inside.acquire(timeout=0.3)  # the second gets in only if it does not wait
    release.set()
    first.join(5)
    second.join(5)
    assert len(summary._refresh_locks) == 0, "no lock outlives its refreshes"
    return most[0]


def test_two_refreshes_of_one_summary_never_overlap(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _overlap(monkeypatch, 7, 7) == 1


def test_refreshes_of_different_summaries_run_side_by_side(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _overlap(monkeypatch, 7, 8) == 2
