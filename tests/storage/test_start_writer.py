"""`start_writer`: `setback run` starts the writer process for an SQLite file only, and a
writer that cannot start leaves the server saving the screens itself, with a warning."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from bot.core.runtime import build_runtime, start_writer, stop_writer
from storage import group_commit
from storage.db import is_sqlite_file
from tests.conftest import make_settings


def _writing_pid(conn: object) -> int:
    return os.getpid()


def test_an_sqlite_file_gets_a_writer_process_and_stopping_it_writes_here_again(
    tmp_path: Path,
) -> None:
    rt = build_runtime(make_settings(tmp_path))
    start_writer(rt)
    try:
        assert rt.writer is not None
        assert group_commit.run(rt.engine, _writing_pid) == rt.writer.pid != os.getpid()
    finally:
        stop_writer(rt)
    assert rt.writer is None
    assert group_commit.run(rt.engine, _writing_pid) == os.getpid()
    rt.engine.dispose()


def test_no_writer_process_when_the_settings_keep_writes_in_the_server(tmp_path: Path) -> None:
    rt = build_runtime(make_settings(tmp_path, setback_sqlite_writer="thread"))
    start_writer(rt)
    assert rt.writer is None
    rt.engine.dispose()


@pytest.mark.parametrize(
    "url, a_file",
    [
        ("sqlite:///data/setback.db", True),
        ("sqlite:////var/lib/setback/setback.db", True),
        ("sqlite://", False),
        ("sqlite:///:memory:", False),
        ("sqlite:///file:shared?mode=memory&uri=true", False),
        ("postgresql+psycopg://setback@db/setback", False),
    ],
)
def test_only_an_sqlite_file_can_have_a_writer_process(url: str, a_file: bool) -> None:
    assert is_sqlite_file(url) is a_file


def test_a_writer_that_cannot_start_leaves_the_server_writing_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_folder(*args: object, **kwargs: object) -> str:
        raise PermissionError("read-only /tmp")

    monkeypatch.setattr(tempfile, "mkdtemp", no_folder)
    rt = build_runtime(make_settings(tmp_path))
    start_writer(rt)
    assert rt.writer is None
    assert "did not start (PermissionError)" in caplog.text
    assert group_commit.run(rt.engine, _writing_pid) == os.getpid()
    rt.engine.dispose()
