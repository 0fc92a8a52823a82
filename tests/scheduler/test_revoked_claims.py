"""A claimed check-in whose claim is taken back before it is posted — its plan closed, its
setback archived, its reflection deleted — on SQLite and PostgreSQL: it is not posted,
and a post that lands in the same instant is made harmless (no live buttons, no
commitment text left behind in the DM)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.checkins import answers as checkins
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.journal import erase, home
from sandbox.workspace import Workspace
from scheduler import dispatcher
from scheduler.dispatcher import Due, load_due, post_checkin
from storage import checkins as store
from storage import reflections as reflection_store
from storage.db import session_scope
from storage.models import Commitment, Setback
from tests.scheduler.conftest import NOW, TEAM, Seeded, posts_per_checkin, rows, seed

LEASE = timedelta(seconds=120)
WORKER = "w1"


def claimed(rt: Runtime, seeded: Seeded) -> Due:
    """The seeded check-in as this worker holds it right after its claim."""
    with session_scope(rt.engine) as s:
        assert store.claim_due(s, NOW, WORKER, NOW + LEASE, 10) == seeded.checkin_ids
    [due] = load_due(rt, seeded.checkin_ids, WORKER)
    return due


def in_a_pass(rt: Runtime, step: Callable[[dispatcher._Pass], Any]) -> Any:
    """Run one step of a dispatcher pass (with its group committer) for this worker."""
    pass_ = dispatcher._Pass(rt, NOW, WORKER, dispatcher._Pacer(0.0, float("inf")), NOW + LEASE)
    pass_.recorder = dispatcher._GroupCommit(rt, WORKER, NOW + LEASE, NOW)
    try:
        return step(pass_)
    finally:
        pass_.recorder.close()


def archive(rt: Runtime, seeded: Seeded) -> list[int]:
    with session_scope(rt.engine) as s:
        setback = s.get(Setback, seeded.setback_id)
        assert setback is not None
        return [int(c.id) for c in reflection_store.archive_setback(s, setback, NOW)]  # type: ignore[arg-type]  # why: rows read back from the database have ids


def close_plan(rt: Runtime, seeded: Seeded) -> None:
    with session_scope(rt.engine) as s:
        commitment = s.get(Commitment, seeded.commitment_id)
        store.close_plan(s, commitment, "let_go", NOW)  # type: ignore[arg-type]  # why: the seeded row exists, and a plain string equals its StrEnum member


def delete_reflection(rt: Runtime, seeded: Seeded) -> None:
    assert erase.delete_setback(rt, Actor(TEAM, seeded.user_id), seeded.setback_id) is not None


def erase_everything(rt: Runtime, seeded: Seeded) -> None:
    erase.erase_person(rt, Actor(TEAM, seeded.user_id), delete_direct=True)


def buttons(message: dict[str, Any]) -> bool:
    return any(b["type"] == "actions" for b in message["blocks"])


def context(message: dict[str, Any]) -> str:
    return " ".join(
        e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"]
    )


@pytest.mark.parametrize(
    "revoke", [archive, close_plan, delete_reflection, erase_everything], ids=lambda f: f.__name__
)
def test_a_claim_taken_back_before_the_post_is_not_posted(
    rt: Runtime, ws: Workspace, revoke: Callable[[Runtime, Seeded], Any]
) -> None:
    seeded = seed(rt, ws)
    due = claimed(rt, seeded)
    revoke(rt, seeded)  # after the claim and the load, before the post
    assert in_a_pass(rt, lambda p: p._send(due)) == "lost"
    assert posts_per_checkin(ws) == {}
    left = rows(rt).get(due.id)
    assert left is None or (left.status, left.message_ts) == ("cancelled", None)


def test_the_renewal_is_what_decides(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws)
    cid = claimed(rt, seeded).id
    later = NOW + 2 * LEASE
    with session_scope(rt.engine) as s:
        assert store.renew_lease(s, cid, WORKER, later)
        assert not store.renew_lease(s, cid, "someone-else", later)
    assert rows(rt)[cid].lease_until == later
    archive(rt, seeded)
    with session_scope(rt.engine) as s:
        assert not store.renew_lease(s, cid, WORKER, later)


def test_a_post_whose_reflection_was_deleted_meanwhile_is_taken_down(
    rt: Runtime, ws: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    seeded = seed(rt, ws)
    due = claimed(rt, seeded)
    posted = post_checkin(dispatcher.post_client(rt), due)  # the post lands ...
    delete_reflection(rt, seeded)  # ... as the person deletes the reflection
    assert ws.get_message(seeded.channel, posted["ts"]) is not None  # not known to erase
    with caplog.at_level(logging.INFO, logger="scheduler.dispatcher"):
        assert in_a_pass(rt, lambda p: p._record_sent(due, seeded.channel, posted["ts"])) is False
    assert ws.get_message(seeded.channel, posted["ts"]) is None
    assert rows(rt) == {}
    assert f"check-in {due.id} was deleted while posting; its message was removed" in caplog.text
    assert "second reviewer" not in caplog.text  # no commitment text in the logs


def test_a_post_that_lands_as_its_setback_is_archived_loses_its_buttons(
    rt: Runtime, ws: Workspace
) -> None:
    seeded = seed(rt, ws)
    due = claimed(rt, seeded)
    posted = post_checkin(dispatcher.post_client(rt), due)
    archive(rt, seeded)
    assert in_a_pass(rt, lambda p: p._record_sent(due, seeded.channel, posted["ts"])) is True
    message = ws.get_message(seeded.channel, posted["ts"])
    assert message is not None and not buttons(message)
    assert checkins.CLOSED_LINE in context(message)
    assert "second reviewer" in message["blocks"][0]["text"]["text"]  # the question stays
    row = rows(rt)[due.id]
    assert (row.status, row.message_ts) == ("cancelled", posted["ts"])


def test_archiving_cancels_every_unanswered_checkin_and_returns_the_sent_ones(
    rt: Runtime, ws: Workspace
) -> None:
    seeded = seed(rt, ws, due=[NOW - timedelta(minutes=m) for m in (3, 2, 1)] + [NOW])
    answered, sent, held, waiting = seeded.checkin_ids
    with session_scope(rt.engine) as s:
        store.claim_due(s, NOW, "w0", NOW + LEASE, 3)  # the three that are due
        store.record_sent(s, answered, seeded.channel, "1.000001", NOW)
        store.record_sent(s, sent, seeded.channel, "1.000002", NOW)
    with session_scope(rt.engine) as s:
        row = store.get_owned_checkin(s, TEAM, seeded.user_id, answered)
        assert store.mark_answered(s, row, "working", NOW)  # type: ignore[arg-type]  # why: the row is this person's, and a plain string equals its StrEnum member
    assert archive(rt, seeded) == [sent]
    after = rows(rt)
    assert after[answered].status == "answered"
    assert {after[c].status for c in (sent, held, waiting)} == {"cancelled"}
    assert (after[held].lease_owner, after[held].lease_until) == (None, None)


def test_archiving_takes_the_buttons_off_posted_checkins(rt: Runtime, ws: Workspace) -> None:
    seeded = seed(rt, ws)
    assert dispatcher.run_once(rt).sent == 1
    [message] = ws.thread(seeded.channel, seeded.thread_ts)[1:]
    assert buttons(message)
    assert home.archive(rt, Actor(TEAM, seeded.user_id), seeded.setback_id)
    shown = ws.get_message(seeded.channel, message["ts"])
    assert shown is not None and not buttons(shown)
    assert checkins.CLOSED_LINE in context(shown)
    assert shown["text"] == "Checking in on your plan: closed"
