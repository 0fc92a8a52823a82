"""Token rotation: a rotating bot token is refreshed before it expires — by Bolt inside a
request, and by work outside requests (the dispatcher) — and two workers refreshing the
same installation at once spend its refresh token once and keep the one Slack issued.
On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.core.runtime import Runtime, build_runtime
from scheduler.dispatcher import run_once
from storage.models import SlackBot
from tests.integration.harness import ADA, START
from tests.integration.install_harness import ALPHA, InstallHarness

DAY = timedelta(days=1)


@pytest.fixture
def h(tmp_path, db_url) -> Iterator[InstallHarness]:
    harness = InstallHarness(tmp_path, database_url=db_url, rotation=True).start()
    yield harness
    harness.stop()


def expire_now(h: InstallHarness) -> str:
    """The installed token runs out, at Slack and in what the bot stored. Returns it."""
    grant = h.many.grant_of(ALPHA)
    assert grant is not None
    h.many.expire(grant.token)
    past = datetime.now(UTC) - timedelta(minutes=1)
    with h.rt.engine.begin() as conn:
        conn.execute(update(SlackBot).values(bot_token_expires_at=past))
    return grant.token


def stored(rt: Runtime) -> tuple[str, str | None]:
    assert rt.installs is not None
    bot = rt.installs.store.find_bot(enterprise_id=None, team_id=ALPHA)
    assert bot is not None
    return bot.bot_token, bot.bot_refresh_token


def test_an_install_with_rotation_keeps_the_refresh_token(h) -> None:
    h.install(h.alpha)
    grant = h.many.grant_of(ALPHA)
    assert grant is not None and grant.refresh is not None
    assert stored(h.rt) == (grant.token, grant.refresh)


def test_an_expired_token_is_refreshed_before_a_check_in_goes_out(h) -> None:
    h.install(h.alpha)
    h.finish_setback(ADA)
    old = expire_now(h)

    h.clock.set(START + DAY)
    report = run_once(h.rt)
    assert report.sent == 2 and h.many.refreshes == 1
    fresh = h.many.grant_of(ALPHA)
    assert fresh is not None and fresh.token != old
    posted = [tok for m, _, tok in h.many.calls if m == "chat.postMessage"]
    assert posted[-2:] == [fresh.token, fresh.token]
    assert stored(h.rt) == (fresh.token, fresh.refresh)


def test_bolt_refreshes_an_expired_token_inside_a_request(h) -> None:
    h.install(h.alpha)
    old = expire_now(h)
    h.open_reflection(ADA)
    fresh = h.many.grant_of(ALPHA)
    assert fresh is not None and fresh.token != old and h.many.refreshes == 1
    assert ("views.open", ALPHA, fresh.token) in h.many.calls
    assert stored(h.rt) == (fresh.token, fresh.refresh)


def test_two_workers_refreshing_at_once_spend_the_refresh_token_once(h) -> None:
    h.install(h.alpha)
    h.many.refresh_delay = 0.3  # a slow refresh: the workers overlap
    workers = [build_runtime(h.rt.settings, upgrade=False) for _ in range(3)]
    try:
        expire_now(h)
        start = threading.Barrier(len(workers))
        tokens: list[str | None] = [None] * len(workers)

        def work(i: int) -> None:
            installs = workers[i].installs
            assert installs is not None
            start.wait()
            tokens[i] = installs.bot_token(ALPHA)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(workers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)

        fresh = h.many.grant_of(ALPHA)
        assert fresh is not None
        assert h.many.refreshes == 1, "one refresh for everyone"
        assert tokens == [fresh.token] * len(workers)
        assert stored(h.rt) == (fresh.token, fresh.refresh), "the new refresh token is kept"

        expire_now(h)  # and it works next time: nothing was lost
        assert workers[0].installs is not None
        assert workers[0].installs.bot_token(ALPHA) == h.many.grant_of(ALPHA).token
        assert h.many.refreshes == 2
    finally:
        for rt in workers:
            rt.engine.dispose()
