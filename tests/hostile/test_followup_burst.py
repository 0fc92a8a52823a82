"""A burst of `/setback` while Slack's Web API is stuck: the follow-up queue stays
bounded, no modal is opened with a trigger id that has expired, and everyone who typed
the command hears back (issue: 59,023 late `views.open` and a queue that grew to
hundreds of MB).

The real app over HTTP (the integration harness) with the sandbox Slack. Time is
virtual and shared: the sandbox ages trigger ids on it and the bot measures its
deadlines on it (`Runtime.ticks`), so trigger ids expire when the test says and the
assertions are on counts, never on the wall clock. Slack is made slow by holding every
`views.open` answer (after Slack has accepted its trigger id) until the test lets go.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.core.runtime import SOON
from bot.reflection.summary_view import TRIGGER_EXPIRED
from handlers.commands import busy
from sandbox.delivery import Response
from tests.integration.harness import Harness, wait_for
from tests.virtual_time import VirtualClock

WAVES = 100  # virtual seconds of steady burst
PER_WAVE = 20  # commands per virtual second: 2.5 s of them wait at once, under the limit
SURGE = 200  # then one surge far over the limit
SENDERS = 8


class HeldViews:
    """Holds each `views.open` answer in the sandbox until released: a Slack that is
    slow to answer, with the trigger id already accepted (so the held ones are fine)."""

    def __init__(self, harness: Harness) -> None:
        self.release = threading.Event()
        self.held = 0
        self._lock = threading.Lock()
        self._unsubscribe = harness.ws.subscribe(self._on_change)

    def _on_change(self, kind: str, _data: dict[str, Any]) -> None:
        if kind != "view_opened" or self.release.is_set():
            return
        with self._lock:
            self.held += 1
        self.release.wait(60)

    def close(self) -> None:
        self.release.set()
        self._unsubscribe()


@pytest.fixture
def burst(tmp_path) -> Iterator[tuple[Harness, VirtualClock]]:
    h = Harness(tmp_path).start()
    clock = VirtualClock()
    h.ws.clock = clock  # Slack's trigger ids age on it…
    h.rt.ticks = clock  # …and the bot's deadlines are measured on it
    yield h, clock
    h.stop()


def _send(h: Harness, users: list[str]) -> list[Response]:
    with ThreadPoolExecutor(SENDERS) as pool:
        return list(pool.map(h.command, users))


def test_a_burst_never_opens_a_modal_too_late_and_everyone_hears_back(burst, caplog) -> None:
    h, clock = burst
    users = [f"U0B{i:05d}" for i in range(2 + WAVES * PER_WAVE + SURGE + 3)]
    for user in users:
        h.ws.add_user(user, user.lower(), f"Person {user}", tz="Europe/London")
    held = HeldViews(h)
    acks: dict[str, Response] = {}
    try:
        # The first two take both threads of the `soon` lane and stay in views.open.
        for user in users[:2]:
            acks[user] = h.command(user)
        wait_for(lambda: held.held == 2, what="both modal threads held by a slow Slack")
        rest = iter(users[2:-3])
        with caplog.at_level(logging.WARNING, logger="bot.core.lanes"):
            for _ in range(WAVES):
                wave = [next(rest) for _ in range(PER_WAVE)]
                acks.update(zip(wave, _send(h, wave), strict=True))
                clock.advance(1.0)
            surge = list(rest)
            acks.update(zip(surge, _send(h, surge), strict=True))
        clock.advance(10.0)  # whatever still waits is too late now
    finally:
        held.close()
    assert h.rt.drain(timeout=60)
    wait_for(lambda: h.rt.lane_stats()["later"].depth == 0, timeout=30, what="notes sent")
    assert h.rt.drain(timeout=60)

    soon = h.rt.lane_stats()["soon"]
    assert soon.depth == 0 and h.rt.lane_stats()["later"].depth == 0, "the queues drained"
    assert soon.peak_depth <= SOON.limit, "the queue never grew past its limit"
    assert soon.refused > 0 and soon.late > 0, "the surge was refused, the old work shed"

    # No views.open with an expired trigger id ever reached Slack: only the two held.
    opens = [c for c in h.ws.calls if c["method"] == "views.open"]
    assert len(opens) == 2 and all(c["ok"] for c in opens)
    assert [r for r in h.ws.rejections if r["method"] == "views.open"] == []

    # Everyone heard back exactly once: a modal, a note to type it again, or "busy".
    notes = Counter(
        r["user"] for r in h.ws.responses if r["payload"].get("text") == TRIGGER_EXPIRED
    )
    busy_acks = {u for u, a in acks.items() if busy("") in a.text}
    assert all(a.status == 200 and a.error is None for a in acks.values()), "every ack in time"
    for user in users[:-3]:
        opened = user in users[:2]
        heard = int(opened) + notes[user] + (user in busy_acks)
        assert heard == 1, (user, opened, notes[user], user in busy_acks)
    assert sum(notes.values()) == soon.late and len(busy_acks) == soon.refused

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(w.startswith("Follow-up lane soon:") for w in warnings), warnings
    assert sum(w.startswith("Follow-up lane soon:") for w in warnings) == 1, "rate-limited"

    # Afterwards the lane serves at once again.
    for user in users[-3:]:
        h.command(user)
        h.wait_modal(user, "setback_step", 0)
