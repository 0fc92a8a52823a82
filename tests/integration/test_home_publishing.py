"""When a change republishes the Home: only while the person has it open, and once per
burst (`bot.journal.presence`, `bot.journal.home.refresh`), over HTTP with the sandbox.

Whenever the person looks, the Home is fresh: opening it publishes what is true then.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import update

from bot.core import hooks
from bot.core.actor import Actor
from bot.core.runtime import build_runtime
from bot.journal import presence, views
from storage.db import session_scope
from storage.models import Setback
from tests.integration.harness import ADA, BEN, wait_for
from tests.integration.test_home import open_home, rows, texts, wait_home
from tests.integration.test_settings_modal import HomeGate


def publishes(h, user: str) -> int:
    """How many times the bot published this person's Home so far."""
    return sum(
        1
        for c in h.ws.calls
        if c["method"] == "views.publish" and c["params"].get("user_id") == user
    )


def rename(h, title: str) -> None:
    with session_scope(h.rt.engine) as s:
        s.execute(update(Setback).values(title=title))


def test_a_change_is_not_published_to_a_home_nobody_opened(harness) -> None:
    h = harness
    h.finish_setback(BEN)  # Ben never opened his Home
    h.settle()
    assert publishes(h, BEN) == 0, "no Home rendered for nobody to see"

    view = open_home(h, BEN)  # when he looks, it is fresh

    assert "Config push broke checkout" in texts(view)
    assert publishes(h, BEN) == 1


def test_an_open_home_follows_changes_until_it_was_last_seen_an_hour_ago(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    view = open_home(h, ADA)
    actor = Actor(h.ws.team_id, ADA)

    h.clock.advance(presence.HOME_OPEN_FOR - timedelta(minutes=1))
    rename(h, "Renamed while open")
    hooks.changed(h.rt, actor)
    view = wait_home(h, ADA, lambda v, before=view["hash"]: v["hash"] != before)
    assert "Renamed while open" in texts(view)

    h.clock.advance(timedelta(minutes=2))  # last seen more than an hour ago
    before = publishes(h, ADA)
    rename(h, "Renamed after she left")
    hooks.changed(h.rt, actor)
    h.settle()
    assert publishes(h, ADA) == before, "not published to a Home she left"

    assert "Renamed after she left" in texts(open_home(h, ADA)), "fresh when she looks"


def test_using_a_button_of_the_home_counts_as_looking_at_it(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    view = open_home(h, ADA)
    h.clock.advance(presence.HOME_OPEN_FOR * 3)  # the Home stayed open on her screen
    (done,) = rows(h, Setback, status="complete")

    h.slack.click(ADA, views.ACTION_ARCHIVE, view_id=view["id"], value=str(done.id))

    wait_home(h, ADA, lambda v: "Archived" in texts(v))


def test_a_burst_of_changes_is_published_once_after_the_publish_under_way(harness) -> None:
    h = harness
    h.finish_setback(ADA)
    open_home(h, ADA)
    actor = Actor(h.ws.team_id, ADA)
    with HomeGate(h, ADA, limit=10.0) as gate:
        h.rt.later(hooks.changed, h.rt, actor)
        wait_for(lambda: gate.held == 1, what="a publish under way")

        def burst() -> None:
            for i in range(1, 6):
                rename(h, f"Renamed {i} times")
                hooks.changed(h.rt, actor)

        changes = threading.Thread(target=burst)
        changes.start()
        changes.join(timeout=3.0)
        assert not changes.is_alive(), "a change waited for another's publish"
        gate.open()
        h.settle()

    assert gate.held == 2, "five changes folded into one publish after the one under way"
    assert "Renamed 5 times" in texts(h.ws.home_view(ADA)), "the last state wins"


def test_another_process_knows_the_home_is_open(harness) -> None:
    h = harness
    actor = Actor(h.ws.team_id, ADA)
    other = build_runtime(h.rt.settings, clock=h.clock, upgrade=False)  # its own memory
    try:
        assert not presence.is_open(other, actor)
        open_home(h, ADA)
        assert presence.is_open(other, actor), "read from the database"
        assert not presence.is_open(other, Actor(h.ws.team_id, BEN))

        h.clock.advance(presence.HOME_OPEN_FOR)
        assert not presence.is_open(other, actor)
    finally:
        other.engine.dispose()
