"""The embedded database on disk: owner-only files in an owner-only folder.

Real files, a real SQLite engine in WAL mode, under a permissive umask (022, the usual
default) so the test sees what a fresh install would get.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import crypto
from storage.db import make_engine, write_connection


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _files_after_a_write(db: Path) -> list[str]:
    """Write through our engine, then, with a connection still open (so -wal and -shm
    are on disk), each file's name and mode."""
    engine = make_engine(f"sqlite:///{db}")
    try:
        with write_connection(engine) as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS t (answer TEXT)"))
            conn.execute(text("INSERT INTO t VALUES ('words')"))
        with engine.connect():
            files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
            return [f"{f.name}:{mode(f):o}" for f in files]
    finally:
        engine.dispose()


OWNER_ONLY = ["setback.db:600", "setback.db-wal:600", "setback.db-shm:600"]


def test_a_new_database_is_owner_only_in_an_owner_only_folder(tmp_path) -> None:
    folder = tmp_path / "data" / ".setback"
    db = folder / "setback.db"
    seen = _files_after_a_write(db)
    assert seen == OWNER_ONLY
    assert mode(folder) == 0o700


def test_an_existing_world_readable_database_and_folder_are_tightened(tmp_path) -> None:
    folder = tmp_path / ".setback"
    folder.mkdir(mode=0o755)
    db = folder / "setback.db"
    keep = sqlite3.connect(db)  # an older install: files 0644, WAL left behind
    keep.execute("PRAGMA journal_mode=WAL")
    keep.execute("CREATE TABLE t (answer TEXT)")
    keep.execute("INSERT INTO t VALUES ('words')")
    keep.commit()
    try:
        for f in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            os.chmod(f, 0o644)
        (folder / "encryption.key").write_bytes(b"k")
        (folder / "sandbox.json").write_text("{}")
        os.chmod(folder, 0o755)

        seen = _files_after_a_write(db)
    finally:
        keep.close()
    assert seen == OWNER_ONLY
    assert mode(folder) == 0o700


def test_a_folder_holding_other_things_is_left_alone_with_a_warning(tmp_path, caplog) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    os.chmod(folder, 0o755)
    (folder / "README.md").write_text("someone else's")
    with caplog.at_level(logging.WARNING, logger="storage.db"):
        seen = _files_after_a_write(folder / "setback.db")
    assert seen == OWNER_ONLY
    assert mode(folder) == 0o755
    assert "open to other users" in caplog.text


def test_the_generated_keys_folder_is_owner_only(tmp_path) -> None:
    folder = tmp_path / ".setback"
    folder.mkdir()
    os.chmod(folder, 0o755)
    crypto.load_or_create_key_file(folder)
    assert mode(folder) == 0o700
    assert mode(folder / crypto.KEY_FILE_NAME) == 0o600
