"""The Home's per-person publish locks: one publish per person at a time, and the map of
locks holds only the people whose publish is under way, however many have published."""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest

from bot.core.actor import Actor
from bot.journal import home


@pytest.fixture
def gathered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Publishing without a database or Slack: each publish records whose Home it was."""
    published: list[str] = []
    monkeypatch.setattr(home, "_uninstalled", lambda rt, team_id: False)

    def gather_and_publish(rt: Any, actor: Actor, offset: int) -> bool:
        published.append(actor.user_id)
        return True

    monkeypatch.setattr(home, "_gather_and_publish", gather_and_publish)
    return published


def test_the_locks_do_not_outlive_the_publishes(gathered: list[str]) -> None:
    people, rt = [Actor("T1", f"U{n:05d}") for n in range(2_000)], cast(Any, None)
    for actor in people:
        assert home.publish(rt, actor)
    assert len(gathered) == len(people)
    assert len(home._publish_locks) == 0, "one lock per person ever seen is a leak"


def test_two_publishes_for_one_person_never_overlap(
    monkeypatch: pytest.MonkeyPatch, gathered: list[str]
) -> None:
    actor, inside, release = Actor("T1", "UADA"), threading.Event(), threading.Event()
    running, most = [0], [0]
    guard = threading.Lock()

    def slow(rt: Any, who: Actor, offset: int) -> bool:
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        inside.set()
        release.wait(5)
        with guard:
            running[0] -= 1
        return True

    monkeypatch.setattr(home, "_gather_and_publish", slow)
    first = threading.Thread(target=home.publish, args=(None, actor))
    first.start()
    assert inside.wait(5)
    second = threading.Thread(target=home.publish, args=(None, actor))
    second.start()
    second.join(0.2)
    assert second.is_alive(), "the second publish waits for the first"
    release.set()
    first.join(5)
    second.join(5)
    assert most[0] == 1
    assert len(home._publish_locks) == 0
