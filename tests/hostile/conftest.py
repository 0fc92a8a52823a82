"""Fixtures for the hostile-client suite: the real bot, started once per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import needs
from tests.hostile.bot_process import Bot, on_linux, running_bot

SHORT_TIMEOUT = 3  # seconds; the slow-socket tests wait for it, so it is kept small


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    """`setback run --http` with the production defaults."""
    with running_bot(tmp_path_factory.mktemp("bot")) as running:
        yield running


@pytest.fixture(scope="module")
def quick_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    """The bot with a short channel timeout, so idle and slow sockets are dropped fast."""
    with running_bot(
        tmp_path_factory.mktemp("quick"), SETBACK_WEB_CHANNEL_TIMEOUT=str(SHORT_TIMEOUT)
    ) as running:
        yield running


@pytest.fixture
def linux() -> None:
    """Memory is measured from /proc; without it those tests cannot prove anything."""
    if not on_linux():
        needs("memory is measured from /proc (Linux)")


class LogWindow:
    """The bot's log lines written after this object was made."""

    def __init__(self, bot: Bot) -> None:
        self._path: Path = bot.log
        self._start = len(self._path.read_bytes())

    def lines(self) -> list[str]:
        data = self._path.read_bytes()[self._start :]
        return data.decode("utf-8", errors="replace").splitlines()
