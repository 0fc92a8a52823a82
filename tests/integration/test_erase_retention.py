"""Retention over the sandbox Slack: a setback past SETBACK_RETENTION_DAYS goes from the
database and its messages go from Slack — the shared retro in the channel, the summary
DM with its check-ins and share confirmation — while logs carry counts only."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.journal import erase, views
from scheduler.dispatcher import run_once
from storage.models import Checkin, Setback, Share
from tests.integration.harness import ADA, BEN, Harness
from tests.integration.test_export import BEN_STEPS
from tests.integration.test_home import open_home, rows, wait_home
from tests.integration.test_share import confirmation, share

DAY = timedelta(days=1)


@pytest.fixture
def retention_harness(tmp_path) -> Iterator[Harness]:
    h = Harness(tmp_path, settings_overrides={"setback_retention_days": 30}).start()
    yield h
    h.stop()


def test_retention_removes_the_setbacks_messages_from_slack(retention_harness, caplog) -> None:
    h = retention_harness
    summary = h.finish_setback(ADA)
    (done,) = rows(h, Setback, user_id=ADA)
    message = share(h, ADA, summary, "C0GENERAL")
    done_dm = confirmation(h, ADA, summary)
    assert run_once(h.rt, datetime(2026, 11, 26, 10, 0, tzinfo=UTC)).sent >= 1
    sent = [c for c in rows(h, Checkin, setback_id=done.id) if c.message_ts]
    assert sent, "a check-in went out in the summary's thread"
    view = open_home(h, ADA)
    h.slack.click(ADA, views.ACTION_ARCHIVE, view_id=view["id"], value=str(done.id))
    wait_home(h, ADA, lambda v: "Archived" in str(v["blocks"]))
    ben_summary = h.finish_setback(BEN, BEN_STEPS)  # recent, with plans still to come
    dm = h.ws.im_channel_for(ADA)
    ada_thread = {m["ts"] for m in h.thread(ADA, summary)}
    assert {summary, done_dm["ts"], *(c.message_ts for c in sent)} <= ada_thread

    with caplog.at_level(logging.INFO):
        counts = erase.purge_expired(h.rt, h.clock.now() + 31 * DAY)

    assert counts["setback"] == 1 and counts["share"] == 1
    assert rows(h, Setback, user_id=ADA) == [] and rows(h, Share) == []
    assert h.ws.get_message("C0GENERAL", message["ts"]) is None, "the shared retro is gone"
    assert not any(m["ts"] in ada_thread for m in h.ws.channel_messages(dm)), (
        "the summary DM, its check-ins and the share confirmation are gone"
    )
    assert any(m["ts"] == ben_summary for m in h.dm(BEN)), "Ben's recent setback stays"
    assert f"messages deleted={len(ada_thread) + 1} failed=0" in caplog.text
    assert "Config push" not in caplog.text and "I pushed a config change" not in caplog.text
    assert erase.purge_expired(h.rt, h.clock.now() + 31 * DAY) == {}, "idempotent"
