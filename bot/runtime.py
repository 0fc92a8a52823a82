"""What every service needs at hand: settings, the database, the clock, the Web API.

Built once by the composition root (`bot.app` / `bot.cli`) and passed to handlers and
the scheduler, so nothing reaches for globals or the wall clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.clock import Clock, SystemClock
from bot.settings import Settings
from bot.slack_client import make_client
from storage import crypto, migrate
from storage.db import make_engine

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """The process's shared parts; cheap to pass around, safe to share across threads."""

    settings: Settings
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    client: WebClient | None = None

    def web_client(self) -> WebClient:
        """The bot's Web API client (created lazily so tools without a token still run)."""
        if self.client is None:
            self.client = make_client(self.settings.slack_bot_token, self.settings.slack_api_url)
        return self.client


def configure_keys(settings: Settings) -> None:
    """Install the encryption keys: configured ones, or the embedded default key file."""
    if settings.setback_encryption_keys:
        keys = crypto.parse_keys(settings.setback_encryption_keys)
    else:
        keys = [crypto.load_or_create_key_file(settings.setback_data_dir)]
    crypto.configure(keys)


def build_runtime(
    settings: Settings, *, clock: Clock | None = None, upgrade: bool = True
) -> Runtime:
    """Keys, engine and (by default) migrations: everything a command needs to start."""
    configure_keys(settings)
    engine = make_engine(str(settings.database_url))
    if upgrade:
        migrate.upgrade(engine)
    return Runtime(settings=settings, engine=engine, clock=clock or SystemClock())
