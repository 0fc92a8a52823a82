"""`setback checkins list|run` and `setback worker`, run through the real entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.runtime import Runtime
from sandbox.slack_api import SlackApiServer
from sandbox.workspace import Workspace
from tests.conftest import TEST_KEY
from tests.scheduler.conftest import NOW, posts_per_checkin, rows, runtime, seed


@pytest.fixture
def env(
    tmp_path: Path, sqlite_url: str, api: SlackApiServer, monkeypatch: pytest.MonkeyPatch
) -> Runtime:
    monkeypatch.chdir(tmp_path)  # no developer .env
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-sandbox",
        "SLACK_API_URL": api.url,
        "DATABASE_URL": sqlite_url,
        "SETBACK_ENCRYPTION_KEYS": TEST_KEY.decode(),
        "SETBACK_DATA_DIR": str(tmp_path / ".setback"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    rt = runtime(tmp_path, sqlite_url, api.url)
    yield rt
    rt.engine.dispose()


def test_list_shows_ids_times_and_states_but_no_text(
    env: Runtime, ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded = seed(env, ws, text="If the secret canary-7 sings, then I will listen")
    assert main(["checkins", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["id", "team", "user", "kind"]
    row = out.splitlines()[1].split()
    assert row[:5] == [str(seeded.checkin_ids[0]), "T0SANDBOX", "U0ADA", "followup", "1/1"]
    assert row[5:8] == ["2026-11-25", "09:59", "scheduled"]
    assert "canary" not in out


def test_list_due_as_of_now(
    env: Runtime, ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(env, ws, due=[NOW.replace(year=2099)])
    assert main(["checkins", "list", "--due"]) == 0
    assert "(no check-ins are due)" in capsys.readouterr().out


def test_run_as_of_sends_one_pass(
    env: Runtime, ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded = seed(env, ws)
    assert main(["checkins", "run", "--as-of", "2026-11-25T10:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "Dispatch pass as of 2026-11-25T10:00:00+00:00: claimed=1 sent=1" in out
    assert posts_per_checkin(ws) == {seeded.checkin_ids[0]: 1}
    assert rows(env)[seeded.checkin_ids[0]].sent_at == NOW
    assert main(["checkins", "run", "--as-of", "2026-11-25T10:05:00"]) == 0
    assert "claimed=0" in capsys.readouterr().out


def test_run_with_a_bad_time_says_what_to_type(
    env: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["checkins", "run", "--as-of", "next tuesday"]) == 2
    assert "2026-12-01T10:00:00Z" in capsys.readouterr().err


def test_worker_needs_a_bot_token(
    env: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    assert main(["worker"]) == 2
    assert "SLACK_BOT_TOKEN is missing" in capsys.readouterr().err
