"""The summary DM's first post: counted by the transaction that finishes the reflection,
and taken down again when the setback was erased while the post was on its way."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.core.actor import Actor
from bot.reflection import flow
from bot.reflection.flow import StepOutcome
from bot.reflection.summary import post_summary
from storage import reflections as reflection_store
from storage.db import session_scope
from storage.models import MessageKind, MessageRemoval, Setback
from tests.integration.harness import ADA, SAMPLE_STEPS, Harness

TEAM = "T0SANDBOX"


def finish_through_the_flow(h: Harness, actor: Actor) -> StepOutcome:
    """The six screens submitted straight to the flow: what the modal's listener does,
    without the listener's follow-up (the summary post), which the test makes itself."""
    sid = None
    out = None
    for step, values in enumerate(SAMPLE_STEPS):
        out = flow.submit_step(h.rt, actor, sid, step, values)
        assert out.action in ("update", "clear"), out
        if step == 0:
            assert isinstance(out.view, dict)
            sid = json.loads(out.view["private_metadata"])["sid"]
    assert out is not None and out.finished_id is not None
    return out


def stored(h: Harness, setback_id: int) -> Setback | None:
    with session_scope(h.rt.engine, readonly=True) as s:
        return s.get(Setback, setback_id)


def erase(h: Harness, setback_id: int) -> None:
    """Ada deletes the setback: what erasure does to its rows."""
    with session_scope(h.rt.engine) as s:
        setback = reflection_store.get_owned_setback(s, TEAM, ADA, setback_id)
        assert setback is not None
        reflection_store.delete_setback(s, setback)


def test_finishing_counts_the_summary_dms_first_attempt_before_anything_is_posted(
    harness: Harness,
) -> None:
    h, actor = harness, Actor(TEAM, ADA)
    out = finish_through_the_flow(h, actor)
    assert out.summary is not None and out.summary.attempt == 1
    row = stored(h, out.finished_id or 0)
    assert row is not None and row.summary_attempts == 1 and row.thread_ts is None
    assert h.dm(ADA) == []

    ts = post_summary(h.rt, actor, row.id or 0, prepared=out.summary)

    row = stored(h, out.finished_id or 0)
    assert ts is not None and row is not None and row.thread_ts == ts
    assert row.summary_attempts == 1  # the post counted nothing more
    methods = [c["method"] for c in h.ws.calls]
    assert methods.count("chat.postMessage") == 1
    assert "conversations.open" not in methods  # a first attempt does not look first


def test_a_summary_dm_whose_setback_was_erased_on_its_way_is_taken_down(
    harness: Harness,
) -> None:
    h, actor = harness, Actor(TEAM, ADA)
    out = finish_through_the_flow(h, actor)
    erase(h, out.finished_id or 0)

    assert post_summary(h.rt, actor, out.finished_id or 0, prepared=out.summary) is None

    assert h.dm(ADA) == []  # no words of the erased reflection stay in Slack
    methods = [c["method"] for c in h.ws.calls]
    assert methods.count("chat.postMessage") == methods.count("chat.delete")


def test_a_summary_dm_slack_will_not_delete_yet_is_queued_for_removal(harness: Harness) -> None:
    h, actor = harness, Actor(TEAM, ADA)
    out = finish_through_the_flow(h, actor)
    erase(h, out.finished_id or 0)
    h.ws.fail_next("chat.delete", error="ratelimited")

    assert post_summary(h.rt, actor, out.finished_id or 0, prepared=out.summary) is None

    (posted,) = h.dm(ADA)  # still there: housekeeping takes it down
    with session_scope(h.rt.engine, readonly=True) as s:
        queued = s.exec(select(MessageRemoval)).all()
    assert [(r.kind, r.ts, r.retry_at <= h.clock.now()) for r in queued] == [
        (MessageKind.SUMMARY, posted["ts"], True)
    ]
