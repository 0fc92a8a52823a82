"""What the bot sent a person, recorded for erasure: on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage import erase as erase_store
from storage import sent as sent_store
from storage.db import session_scope
from storage.models import MessageKind, MessageRemoval, SentMessage
from tests import factories

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_recorded_messages_and_files_are_listed_for_erasure_replies_first(engine) -> None:
    with session_scope(engine) as s:
        sb = factories.create_setback(s, "T1", "U1", NOW)
        sb.dm_channel, sb.thread_ts = "D1", "100.000001"
        sid = sb.id
    assert sid is not None
    assert sent_store.setback_of_thread(engine, "T1", "U1", "D1", "100.000001") == sid
    assert sent_store.setback_of_thread(engine, "T1", "U2", "D1", "100.000001") is None
    assert sent_store.record_message(
        engine, "T1", "U1", MessageKind.RECAP, "D1", "100.000009", NOW,
        thread_ts="100.000001", setback_id=sid,
    )  # fmt: skip
    assert sent_store.record_files(engine, "T1", "U1", "D1", ["F1", "F2"], NOW)

    with session_scope(engine, readonly=True) as s:
        everything = erase_store.message_refs(s, "T1", user_id="U1")
        of_setback = erase_store.message_refs(s, "T1", setback_ids=[sid])
        nothing_else = erase_store.message_refs(s, "T1", user_id="U2")

    assert [(r.kind, r.ts, r.file_id) for r in everything] == [
        (MessageKind.EXPORT_FILE, None, "F1"),
        (MessageKind.EXPORT_FILE, None, "F2"),
        (MessageKind.RECAP, "100.000009", None),
        (MessageKind.SUMMARY, "100.000001", None),
    ]
    assert [r.kind for r in of_setback] == [MessageKind.RECAP, MessageKind.SUMMARY], (
        "an export is the person's, not one reflection's"
    )
    assert nothing_else == []


def test_erasing_a_person_clears_what_was_recorded(engine) -> None:
    with session_scope(engine) as s:
        sid = factories.create_setback(s, "T1", "U1", NOW).id
    sent_store.record_message(
        engine, "T1", "U1", MessageKind.NOTICE, "D1", "1.1", NOW, setback_id=sid
    )
    sent_store.record_files(engine, "T1", "U1", "D1", ["F1"], NOW)
    sent_store.record_files(engine, "T1", "U2", "D2", ["F2"], NOW)

    with session_scope(engine) as s:
        erase_store.delete_person(s, "T1", "U1")

    with session_scope(engine, readonly=True) as s:
        left = [(r.user_id, r.file_id) for r in s.execute(select(SentMessage)).scalars()]
    assert left == [("U2", "F2")]


def test_a_message_of_a_deleted_setback_is_queued_for_removal_at_once(engine) -> None:
    with session_scope(engine) as s:
        sid = factories.create_setback(s, "T1", "U1", NOW).id
        assert sid is not None
        erase_store.delete_setbacks(s, "T1", [sid])

    recorded = sent_store.record_message(
        engine, "T1", "U1", MessageKind.RECAP, "D1", "1.2", NOW, thread_ts="1.1", setback_id=sid
    )

    assert not recorded
    with session_scope(engine, readonly=True) as s:
        assert s.execute(select(SentMessage)).first() is None
        due = erase_store.removals_due(s, NOW, 10)
        queued = s.execute(select(MessageRemoval)).scalar_one()
    assert [(d.ref.ts, d.ref.thread_ts, d.ref.kind) for d in due] == [
        ("1.2", "1.1", MessageKind.RECAP)
    ]
    assert queued.retry_at == NOW


def test_a_root_waits_while_one_of_its_replies_is_queued(engine) -> None:
    refs = [
        erase_store.MessageRef("D1", "1.1", MessageKind.SUMMARY),
        erase_store.MessageRef("D1", "1.2", MessageKind.CHECKIN, "1.1"),
    ]
    with session_scope(engine) as s:
        queued = erase_store.queue_removals(s, "T1", refs, NOW)
    with session_scope(engine, readonly=True) as s:
        assert erase_store.replies_pending(s, "D1", "1.1")
        assert not erase_store.replies_pending(s, "D1", "1.2")
    with session_scope(engine) as s:
        erase_store.removals_done(s, [queued[1].id])
    with session_scope(engine, readonly=True) as s:
        assert not erase_store.replies_pending(s, "D1", "1.1")
