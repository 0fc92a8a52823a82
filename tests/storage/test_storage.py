"""Storage on SQLite and on the real PostgreSQL: migrations, encryption at rest, scoping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import inspect, text

from storage import crypto, migrate
from storage import events as event_store
from storage import journal as journal_store
from storage import reflections as reflection_store
from storage.db import make_engine, session_scope
from storage.models import Setback
from tests import factories

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SECRET = "I pushed the config at 5pm and checkout broke — zebra-canary-42"


def test_migrations_create_every_table(engine) -> None:
    tables = set(inspect(engine).get_table_names())
    expected = {
        "member",
        "setback",
        "reflection",
        "commitment",
        "checkin",
        "share",
        "processed_event",
        "safety_flag",
        "workspace",
        "alembic_version",
    }
    assert expected <= tables
    assert migrate.current_revision(engine) is not None


def test_every_team_scoped_table_has_team_id(engine) -> None:
    insp = inspect(engine)
    for table in (
        "member",
        "setback",
        "reflection",
        "commitment",
        "checkin",
        "share",
        "safety_flag",
    ):
        columns = {c["name"] for c in insp.get_columns(table)}
        assert "team_id" in columns, table


def test_answers_are_encrypted_at_rest(engine) -> None:
    with session_scope(engine) as s:
        sb = factories.create_setback(s, "T1", "U1", NOW)
        sb.title = SECRET
        reflection_store.save_answers(s, sb, 0, {"facts": SECRET, "title": SECRET}, NOW)
        sid = sb.id
    with engine.connect() as conn:
        raw_rows = [
            *conn.execute(text("SELECT title FROM setback")).all(),
            *conn.execute(text("SELECT answers FROM reflection")).all(),
        ]
    assert raw_rows, "rows were written"
    for (value,) in raw_rows:
        assert "zebra-canary-42" not in value
        assert value.startswith(crypto.PREFIX)  # an AES-256-GCM token
    with session_scope(engine, readonly=True) as s:
        sb = s.get(Setback, sid)
        assert sb.title == SECRET
        assert reflection_store.load_answers(s, sb)[0]["facts"] == SECRET


def test_sqlite_file_holds_no_plain_text(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'raw.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(engine) as s:
        sb = factories.create_setback(s, "T1", "U1", NOW)
        reflection_store.save_answers(s, sb, 1, {"friend": SECRET}, NOW)
    engine.dispose()  # checkpoint the WAL into the main file
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("raw.db*"))
    assert b"zebra-canary-42" not in blob
    assert b"reflection" in blob  # the file is the database we wrote


def test_rotated_keys_still_decrypt(engine) -> None:
    old = Fernet.generate_key()
    crypto.configure([old])
    with session_scope(engine) as s:
        sb = factories.create_setback(s, "T1", "U1", NOW)
        sb.title = "old key title"
        sid = sb.id
    crypto.configure([Fernet.generate_key(), old])
    with session_scope(engine, readonly=True) as s:
        assert s.get(Setback, sid).title == "old key title"
    crypto.configure([Fernet.generate_key()])
    with pytest.raises(crypto.KeyringError), session_scope(engine, readonly=True) as s:
        s.get(Setback, sid).title  # noqa: B018


def test_ownership_is_scoped_by_team_and_user(engine) -> None:
    with session_scope(engine) as s:
        sid = factories.create_setback(s, "T1", "U1", NOW).id
    with session_scope(engine, readonly=True) as s:
        assert reflection_store.get_owned_setback(s, "T1", "U1", sid) is not None
        assert reflection_store.get_owned_setback(s, "T1", "U2", sid) is None
        assert reflection_store.get_owned_setback(s, "T2", "U1", sid) is None


def test_datetimes_come_back_aware_utc(engine) -> None:
    with session_scope(engine) as s:
        sid = factories.create_setback(s, "T1", "U1", NOW + timedelta(hours=1)).id
    with session_scope(engine, readonly=True) as s:
        created = s.get(Setback, sid).created_at
    assert created == NOW + timedelta(hours=1)
    assert created.tzinfo is not None


def test_naive_datetimes_are_refused(engine) -> None:
    with pytest.raises(Exception, match="naive"), session_scope(engine) as s:
        factories.create_setback(s, "T1", "U1", datetime(2026, 1, 1))


def test_event_ids_deduplicate(engine) -> None:
    with session_scope(engine) as s:
        assert event_store.mark_event_processed(s, "Ev1", "T1", NOW) is True
    with session_scope(engine) as s:
        assert event_store.mark_event_processed(s, "Ev1", "T1", NOW) is False


def test_sqlite_runs_in_wal_mode(sqlite_url) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_generated_key_file_is_private(tmp_path, caplog) -> None:
    with caplog.at_level("WARNING"):
        key = crypto.load_or_create_key_file(tmp_path / ".setback")
    path = tmp_path / ".setback" / crypto.KEY_FILE_NAME
    assert path.stat().st_mode & 0o777 == 0o600
    assert "Generated an encryption key" in caplog.text
    assert key.decode() not in caplog.text
    assert crypto.load_or_create_key_file(tmp_path / ".setback") == key  # generated once


def test_commitments_and_next_checkins_for_several_setbacks_at_once(engine) -> None:
    from storage.models import Checkin, Commitment

    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    with session_scope(engine) as s:
        mine = [factories.create_setback(s, "T1", "U1", now) for _ in range(2)]
        theirs = factories.create_setback(s, "T2", "U1", now)
        made = {}
        for sb, position, kind, status in [
            (mine[0], 0, "amends", "active"),
            (mine[0], 1, "growth", "done"),
            (mine[1], 0, "growth", "active"),
            (theirs, 0, "growth", "active"),
        ]:
            c = Commitment(
                team_id=sb.team_id,
                user_id="U1",
                setback_id=sb.id,
                position=position,
                kind=kind,
                text="x",
                status=status,
                created_at=now,
            )
            s.add(c)
            s.flush()
            made[(sb.id, kind)] = c.id
            for days, state in ((3, "scheduled"), (1, "scheduled"), (0, "sent")):
                s.add(
                    Checkin(
                        team_id=sb.team_id,
                        user_id="U1",
                        setback_id=sb.id,
                        commitment_id=c.id,
                        due_at=now + timedelta(days=days),
                        status=state,
                    )
                )
        ids = [sb.id for sb in mine] + [theirs.id]
    with session_scope(engine, readonly=True) as s:
        active = reflection_store.commitments_by_setback(s, "T1", ids, status="active")
        every = reflection_store.commitments_by_setback(s, "T1", ids)
        due = reflection_store.next_checkins_by_commitment(s, "T1", ids)
        assert reflection_store.commitments_by_setback(s, "T1", []) == {}
    assert {sid: [c.kind for c in cs] for sid, cs in active.items()} == {
        mine[0].id: ["amends"],
        mine[1].id: ["growth"],
    }  # the other workspace's setback is not read, though its id was passed
    assert sorted(len(cs) for cs in every.values()) == [1, 2]
    assert due == {cid: now + timedelta(days=1) for key, cid in made.items() if key[0] != theirs.id}


def test_setback_counts_and_titles_are_this_persons_only(engine) -> None:
    with session_scope(engine) as s:
        mine = [factories.create_setback(s, "T1", "U1", NOW) for _ in range(3)]
        mine[0].status = "complete"
        mine[0].title = "First slip"
        mine[1].title = "Second slip"
        other_user = factories.create_setback(s, "T1", "U2", NOW)
        other_team = factories.create_setback(s, "T2", "U1", NOW)
        other_team.title = "Not yours"
        ids = [sb.id for sb in (*mine, other_user, other_team)]
    with session_scope(engine, readonly=True) as s:
        assert journal_store.setback_counts(s, "T1", "U1") == {"draft": 2, "complete": 1}
        assert journal_store.setback_counts(s, "T1", "U3") == {}
        titles = journal_store.setback_titles(s, "T1", "U1", ids)
        assert titles == {ids[0]: "First slip", ids[1]: "Second slip", ids[2]: None}
        assert journal_store.setback_titles(s, "T1", "U1", []) == {}
