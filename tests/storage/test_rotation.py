"""`setback keys rotate` re-encrypts every encrypted column under the first key, in
batches, resumably, on SQLite and PostgreSQL; afterwards the old key can be dropped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Text, select, text, type_coerce

from bot.cli import keys
from bot.cli import main as cli
from storage import crypto, migrate
from storage import reflections as reflection_store
from storage.db import make_engine, session_scope
from storage.models import Checkin, Commitment, Reflection, Setback, Share, SlackBot
from tests import factories

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
KEY_A = Fernet.generate_key()
KEY_B = Fernet.generate_key()
N_SETBACKS = 23


def _seed(engine, n: int = N_SETBACKS) -> dict[str, object]:
    """Rows in every table with an encrypted column, written under the current key."""
    expected: dict[str, object] = {}
    with session_scope(engine) as s:
        for i in range(n):
            sb = factories.create_setback(s, "T1", f"U{i % 3}", NOW)
            sb.title = f"title {i} ünïcode"
            reflection_store.save_answers(s, sb, 0, {"facts": f"facts {i}", "n": i}, NOW)
            c = Commitment(
                team_id="T1",
                user_id=sb.user_id,
                setback_id=sb.id,
                kind="growth",
                text=f"if {i} then {i}",
                done_definition=f"done {i}" if i % 2 else None,
                created_at=NOW,
            )
            ci = Checkin(
                team_id="T1",
                user_id=sb.user_id,
                setback_id=sb.id,
                commitment_id=0,
                due_at=NOW,
                note=f"note {i}",
            )
            factories.add_commitment(s, c, [ci])
            s.add(
                Share(
                    team_id="T1",
                    user_id=sb.user_id,
                    setback_id=sb.id,
                    channel="C1",
                    draft={"text": f"draft {i}"},
                )
            )
        s.add(
            SlackBot(
                install_key="-:T1", team_id="T1", bot_token="xoxb-secret-token", installed_at=NOW
            )
        )
    # values: titles, answers, commitment texts, half of done_definitions, notes, drafts, token
    expected["values"] = n * 5 + n // 2 + 1
    return expected


def _read_all(engine) -> dict[str, list[object]]:
    with session_scope(engine, readonly=True) as s:
        return {
            "titles": sorted(sb.title for sb in s.execute(select(Setback)).scalars()),
            "answers": sorted(r.answers["facts"] for r in s.execute(select(Reflection)).scalars()),
            "texts": sorted(c.text for c in s.execute(select(Commitment)).scalars()),
            "done": sorted(
                c.done_definition
                for c in s.execute(select(Commitment)).scalars()
                if c.done_definition
            ),
            "notes": sorted(c.note for c in s.execute(select(Checkin)).scalars()),
            "drafts": sorted(sh.draft["text"] for sh in s.execute(select(Share)).scalars()),
            "token": [b.bot_token for b in s.execute(select(SlackBot)).scalars()],
        }


def _raw_tokens(engine) -> list[str]:
    tokens: list[str] = []
    with engine.connect() as conn:
        for _table, cols in keys.encrypted_columns():
            for col in cols:
                query = select(type_coerce(col, Text())).where(col.is_not(None))
                tokens += [t for (t,) in conn.execute(query)]
    return tokens


def test_every_encrypted_column_is_found() -> None:
    found = {f"{t.name}.{c.name}" for t, cols in keys.encrypted_columns() for c in cols}
    assert {
        "setback.title",
        "reflection.answers",
        "commitment.text",
        "commitment.done_definition",
        "checkin.note",
        "share.draft",
        "slack_bot.bot_token",
        "slack_bot.bot_refresh_token",
        "slack_installation.user_token",
        "slack_installation.user_refresh_token",
    } <= found


def _opened_by_only(key: bytes, token: str) -> str:
    """The plain text of a token in the current format that `key` alone opens."""
    crypto.configure([key])
    assert token.startswith(crypto.PREFIX) and crypto.is_primary(token), token[:12]
    return crypto.decrypt(token)


def test_a_value_an_earlier_version_wrote_reads_and_rotates_into_the_current_format(
    engine,
) -> None:
    crypto.configure([KEY_A])
    with session_scope(engine) as s:
        sb = factories.create_setback(s, "T1", "U1", NOW)
        sid = sb.id
    legacy = Fernet(KEY_A).encrypt(b"written by an earlier version").decode()
    with session_scope(engine) as s:
        s.execute(text("UPDATE setback SET title = :t WHERE id = :i"), {"t": legacy, "i": sid})
    with session_scope(engine, readonly=True) as s:
        assert s.get(Setback, sid).title == "written by an earlier version"
    assert not crypto.is_primary(legacy)  # rotation takes it up even under the same key

    assert keys.rotate(engine).rotated == 1

    (token,) = _raw_tokens(engine)
    assert _opened_by_only(KEY_A, token) == "written by an earlier version"


def test_a_changed_byte_in_a_stored_value_fails_to_decrypt(engine) -> None:
    crypto.configure([KEY_A])
    token = crypto.encrypt("an answer")
    body = token[len(crypto.PREFIX) :]
    flipped = body[:-4] + ("B" if body[-4] != "B" else "C") + body[-3:]
    with pytest.raises(crypto.KeyringError):
        crypto.decrypt(crypto.PREFIX + flipped)
    assert crypto.decrypt(token) == "an answer"


def test_rotate_then_drop_the_old_key(engine) -> None:
    crypto.configure([KEY_A])
    seeded = _seed(engine)
    before = _read_all(engine)

    crypto.configure([KEY_B, KEY_A])
    seen: list[tuple[int, int, str]] = []
    stats = keys.rotate(engine, batch_size=7, progress=lambda d, t, n: seen.append((d, t, n)))

    assert stats.complete
    assert stats.rotated == seeded["values"]
    assert len(seen) > 5, "several batches reported progress"
    assert seen[-1][0] == seen[-1][1], "the bar ends full"
    crypto.configure([KEY_B])
    assert _read_all(engine) == before
    raw = _raw_tokens(engine)
    assert len(raw) == seeded["values"]
    assert all(_opened_by_only(KEY_B, t) for t in raw)  # single-encrypted under B


def test_rotation_is_not_double_encryption(engine) -> None:
    crypto.configure([KEY_A])
    with session_scope(engine) as s:
        sb = factories.create_setback(s, "T1", "U1", NOW)
        sb.title = "plain title"
    crypto.configure([KEY_B, KEY_A])
    keys.rotate(engine)
    (token,) = _raw_tokens(engine)
    assert _opened_by_only(KEY_B, token) == "plain title"


def test_an_interrupted_rotation_resumes(engine) -> None:
    crypto.configure([KEY_A])
    seeded = _seed(engine)
    before = _read_all(engine)
    crypto.configure([KEY_B, KEY_A])

    def crash_after_first_batch(done: int, total: int, table: str) -> None:
        raise KeyboardInterrupt("operator pressed Ctrl-C")

    with pytest.raises(KeyboardInterrupt):
        keys.rotate(engine, batch_size=5, progress=crash_after_first_batch)
    raw = _raw_tokens(engine)
    done_first = sum(crypto.is_primary(t) for t in raw)
    assert 0 < done_first < len(raw), "the first batch was committed, the rest was not"

    partial = keys.rotate(engine, batch_size=5, max_batches=3)
    assert not partial.complete
    rest = keys.rotate(engine, batch_size=5)
    assert rest.complete
    assert done_first + partial.rotated + rest.rotated == seeded["values"]
    assert keys.rotate(engine, batch_size=5).rotated == 0  # nothing left: idempotent

    crypto.configure([KEY_B])
    assert _read_all(engine) == before


def test_a_value_no_key_can_read_is_reported_not_lost(engine) -> None:
    crypto.configure([KEY_A])
    with session_scope(engine) as s:
        sb = factories.create_setback(s, "T1", "U1", NOW)
        sb.title = "only A can read this"
    crypto.configure([KEY_B])  # A forgotten
    with pytest.raises(crypto.KeyringError, match=r"setback\.title \(row \d+\)") as raised:
        keys.rotate(engine)
    assert "only A can read" not in str(raised.value)
    crypto.configure([KEY_A])
    with session_scope(engine, readonly=True) as s:
        assert s.execute(select(Setback)).scalars().one().title == "only A can read this"


def test_cli_keys_rotate_prints_progress_to_stderr(tmp_path, monkeypatch, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    crypto.configure([KEY_A])
    seeded = _seed(engine, n=4)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SETBACK_DATA_DIR", str(tmp_path / ".setback"))
    monkeypatch.setenv("SETBACK_ENCRYPTION_KEYS", f"{KEY_B.decode()},{KEY_A.decode()}")

    assert cli.main(["keys", "rotate", "--batch", "3"]) == 0

    out = capsys.readouterr()
    assert "100%" in out.err and "rows" in out.err
    assert f"Re-encrypted {seeded['values']} value(s)" in out.out
    assert all(_opened_by_only(KEY_B, t) for t in _raw_tokens(engine))
    engine.dispose()


def test_cli_refuses_an_empty_batch(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("SETBACK_ENCRYPTION_KEYS", KEY_A.decode())
    assert cli.main(["keys", "rotate", "--batch", "0"]) == cli.EXIT_CONFIG
    assert "--batch must be at least 1" in capsys.readouterr().err
