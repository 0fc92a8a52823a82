"""Configuration: one pydantic-settings class, read from the environment and `.env`.

Every setting the app understands lives here, so `.env.example`, the README table and
start-up validation all describe the same list. A bad or missing value stops start-up
with one line naming the setting and how to fix it (see `load_settings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Directories that list services by country, so no number shown can be wrong for the reader.
DEFAULT_SUPPORT_RESOURCES = (
    "Find a helpline in your country=https://findahelpline.com;"
    "Crisis centres worldwide (IASP)=https://www.iasp.info/crisis-centres-helplines/"
)


@dataclass(frozen=True)
class SupportResource:
    """A workspace-configured place to turn to (an EAP link, a helpline directory)."""

    label: str
    url: str


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line a person can act on."""


class Settings(BaseSettings):
    """All of Setback's settings. Field names match the environment variable names."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,  # `SETTING=` in a copied .env.example means "use the default"
    )

    slack_bot_token: str | None = Field(default=None, description="Bot token, xoxb-…")
    slack_signing_secret: str | None = Field(default=None, description="Signing secret")
    slack_app_token: str | None = Field(default=None, description="App-level token for Socket Mode")
    slack_api_url: str = Field(default="https://slack.com/api/", description="Web API base URL")
    # OAuth installs (many workspaces): both set and no SLACK_BOT_TOKEN (bot.core.installs)
    slack_client_id: str | None = Field(default=None, description="App's client id")
    slack_client_secret: str | None = Field(default=None, description="App's client secret")
    slack_authorize_url: str = Field(
        default="https://slack.com/oauth/v2/authorize", description="Slack's authorize page"
    )
    slack_redirect_uri: str | None = Field(default=None, description="…/slack/oauth_redirect")
    # Rotating tokens are refreshed this many minutes before they expire (Slack's last 12 h).
    setback_token_refresh_minutes: int = Field(default=120, ge=1, le=660)
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite default")
    setback_data_dir: Path = Field(default=Path(".setback"), description="Embedded data folder")
    setback_encryption_keys: str | None = Field(
        default=None, description="Comma-separated Fernet keys; the first encrypts"
    )
    setback_support_resources: str = Field(default=DEFAULT_SUPPORT_RESOURCES)
    port: int = Field(default=3000, ge=0, le=65535)  # 0: any free port
    host: str = Field(default="0.0.0.0")
    setback_web_threads: int = Field(default=8, ge=1, le=256)
    # Slack's largest payloads (a modal's view_submission with many inputs) are a few
    # hundred KB at most; 1 MiB leaves room and stops anything bigger unread (413).
    setback_web_max_body_bytes: int = Field(default=1_048_576, ge=65_536, le=67_108_864)
    # Idle or slow sockets each hold a slot; far above what Slack needs, so ~100 idle
    # sockets (waitress's own default limit) no longer take the bot offline.
    setback_web_connection_limit: int = Field(default=1000, ge=10, le=100_000)
    # Seconds a connection may send nothing before it is closed.
    setback_web_channel_timeout: int = Field(default=10, ge=2, le=600)
    # A failing database fails fast (storage/db.py): seconds before giving up on a
    # connection attempt, on a free pooled connection, on a statement and on a lock
    # (PostgreSQL), and on the write lock (SQLite).
    setback_db_connect_timeout: float = Field(default=5.0, ge=1, le=300)
    setback_db_pool_timeout: float = Field(default=5.0, gt=0, le=300)
    setback_db_statement_timeout: float = Field(default=10.0, ge=1, le=3600)
    setback_db_lock_timeout: float = Field(default=5.0, gt=0, le=3600)
    setback_db_busy_timeout: float = Field(default=30.0, gt=0, le=3600)
    # SQLite file: where `setback run` writes a reflection's screens — a process of their
    # own, on another core (storage/writer_process.py), or the server's own threads.
    setback_sqlite_writer: Literal["process", "thread"] = "process"
    setback_dispatch_interval: float = Field(default=30.0, gt=0)
    setback_dispatch_batch: int = Field(default=200, ge=1, le=10000)
    setback_lease_seconds: int = Field(default=120, ge=5)
    setback_max_attempts: int = Field(default=5, ge=1, le=50)
    setback_uninstall_grace_days: int = Field(default=0, ge=0)
    setback_retention_days: int | None = Field(default=None, ge=1)
    setback_dev_hooks: bool = Field(default=False, description="Sandbox-only time travel hook")
    setback_sandbox_port: int = Field(default=3000, ge=1, le=65535)
    setback_bot_port: int = Field(default=3001, ge=1, le=65535)
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL"))

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, v: str | None) -> str | None:
        if v and not v.startswith("xoxb-"):
            raise ValueError("must start with xoxb- (the Bot User OAuth Token)")
        return v or None

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, v: str | None) -> str | None:
        if v and not v.startswith("xapp-"):
            raise ValueError("must start with xapp- (an app-level token with connections:write)")
        return v or None

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return v if v.endswith("/") else v + "/"

    @field_validator("slack_authorize_url", "slack_redirect_uri")
    @classmethod
    def _oauth_url_shape(cls, v: str | None) -> str | None:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return v or None

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, v: str) -> str:
        v = v.upper()
        if v not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return v

    @field_validator("setback_support_resources")
    @classmethod
    def _resources_shape(cls, v: str) -> str:
        parse_support_resources(v)
        return v

    @model_validator(mode="after")
    def _database_default(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.setback_data_dir / 'setback.db'}"
        return self

    @property
    def support_resources(self) -> list[SupportResource]:
        """The configured resources, parsed (validated at load time)."""
        return parse_support_resources(self.setback_support_resources)

    @property
    def is_sqlite(self) -> bool:
        return str(self.database_url).startswith("sqlite")

    def has_slack_credentials(self) -> bool:
        """HTTP mode needs a bot token and a signing secret."""
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def oauth_installs(self) -> bool:
        """Installs through Slack's OAuth (many workspaces, tokens in the database):
        a client id and secret, and no single SLACK_BOT_TOKEN."""
        return bool(self.slack_client_id and self.slack_client_secret and not self.slack_bot_token)


def parse_support_resources(raw: str) -> list[SupportResource]:
    """Parse `Label=URL;Label=URL`, so a workspace can list its own EAP and helplines.

    Hard-coded numbers can be wrong for the reader's country (Martinengo et al. 2019), so
    the resources are configuration, not code.
    """
    out: list[SupportResource] = []
    for part in raw.split(";"):
        part = part.strip()
        if not part:
            continue
        label, sep, url = part.partition("=")
        label, url = label.strip(), url.strip()
        if not sep or not label or not url.startswith(("http://", "https://", "tel:", "mailto:")):
            raise ValueError(
                f"entry {part!r} must look like Label=https://… (pairs separated by ';')"
            )
        out.append(SupportResource(label=label, url=url))
    if not out:
        raise ValueError("needs at least one Label=URL pair")
    return out


def load_settings(**overrides: Any) -> Settings:
    """Read settings and turn validation errors into one actionable line.

    Raises ConfigError rather than ValidationError so the CLI can print the message and
    exit without a traceback.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err.get("loc") else "a setting"
        msg = str(err.get("msg", "is invalid")).removeprefix("Value error, ")
        raise ConfigError(
            f"Setting {name} {msg}. Fix it in your environment or .env (see .env.example)."
        ) from None
