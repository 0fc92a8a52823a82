"""`setback sandbox` hands its options to the sandbox's own program."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main as cli


class Handed(Exception):
    """Raised instead of replacing the process, carrying the command line."""


def handed_over(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *argv: str) -> list[str]:
    monkeypatch.chdir(tmp_path)  # no developer .env
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SETBACK_DATA_DIR", str(tmp_path / ".setback"))

    def execv(path: str, command: list[str]) -> Any:
        raise Handed(command)

    monkeypatch.setattr(os, "execv", execv)
    with pytest.raises(Handed) as handed:
        cli.main(["sandbox", *argv])
    command: list[str] = handed.value.args[0]
    return command


def test_one_token_reaches_the_sandbox_launcher(monkeypatch, tmp_path) -> None:
    command = handed_over(monkeypatch, tmp_path, "--one-token", "--rate-limits")
    assert command[1:3] == ["-m", "sandbox"]
    assert "--one-token" in command and "--rate-limits" in command


def test_by_default_the_sandbox_installs_through_oauth(monkeypatch, tmp_path) -> None:
    command = handed_over(monkeypatch, tmp_path)
    assert "--one-token" not in command
