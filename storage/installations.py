"""Slack installations and OAuth states, in the project's database (docs/ARCHITECTURE.md,
Installs).

The protocol:

- **One bot row per installation.** An installation is a workspace (`team_id`) or, for
  an org-wide install on Enterprise Grid, an org (`enterprise_id` with
  `is_enterprise_install`, no team). Its `slack_bot` row, keyed by `install_key`
  ("enterprise:team", "-" for none), holds the bot token; a reinstall and a token
  rotation rewrite that row, so no earlier token stays behind. `slack_installation`
  holds the rest of slack_sdk's `Installation`, one row per installer (their user
  token, which an app with bot scopes only never gets).
- **slack_sdk's semantics.** `SqlInstallationStore` implements slack_sdk's
  `InstallationStore`: `find_bot`/`find_installation` with `is_enterprise_install`
  ignore the team; `find_installation` without a user is the latest installation,
  with the installation's current bot token; `delete_bot`/`delete_installation`/
  `delete_all` match the enterprise and team as given. An installation without a bot
  token (a user-only install) leaves the bot row alone.
- **Encrypted at rest.** Every token (bot, user, refresh) — and names and the webhook
  URL — is an `EncryptedText` column: a raw read finds no `xoxb-`, `xoxp-` or `xoxe-`,
  and `setback keys rotate` re-encrypts them with everything else.
- **Rotation under a lock.** `locked` holds one installation's rows for one refresh:
  `FOR UPDATE` on PostgreSQL, the writer lock on SQLite (`storage.db.write_connection`).
  A second worker wanting the same refresh waits, then reads the refreshed token, so
  two workers never both spend a refresh token and none loses the one Slack issued.
  Writes under the lock only update rows that are still there: an installation deleted
  meanwhile (uninstalled) stays deleted.
- **Workspaces.** Saving a workspace's installation records it in `workspace` (its org,
  and that it is installed: a pending uninstall mark is lifted); an org's installation
  lifts the marks of the org's workspaces. `note_workspace` records the org of a
  workspace first heard of through an org-wide install, so work outside a request can
  find the org's token from the team id alone (`find_bot_for_workspace`).
- **OAuth states.** `SqlOAuthStateStore` keeps the SHA-256 of each state (never the
  state) with its expiry; `consume` deletes it, so a state works at most once, and only
  before it expires.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from sqlalchemy import Connection, Engine, RowMapping, delete, insert, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.db import read_connection, write_connection
from storage.models import OAuthState, SlackBot, SlackInstallation, Workspace

log = logging.getLogger(__name__)

BOTS = SlackBot.__table__
INSTALLATIONS = SlackInstallation.__table__
STATES = OAuthState.__table__
WORKSPACES = Workspace.__table__
NONE = "-"  # stands for a missing enterprise or team in an install key

Now = Callable[[], datetime]


def install_key(
    enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
) -> str:
    """ "enterprise:team" of an installation; an org-wide install has no team."""
    team = None if is_enterprise_install else team_id
    return f"{enterprise_id or NONE}:{team or NONE}"


def _aware(stamp: float | int | None) -> datetime | None:
    return None if stamp is None else datetime.fromtimestamp(stamp, tz=UTC)


def _scopes(scopes: Sequence[str] | None) -> str | None:
    return ",".join(scopes) if scopes else None


def _bot_values(bot: Bot) -> dict[str, Any]:
    return {
        "install_key": install_key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install),
        "app_id": bot.app_id,
        "enterprise_id": bot.enterprise_id,
        "enterprise_name": bot.enterprise_name,
        "team_id": None if bot.is_enterprise_install else bot.team_id,
        "team_name": bot.team_name,
        "is_enterprise_install": bool(bot.is_enterprise_install),
        "bot_id": bot.bot_id or None,
        "bot_user_id": bot.bot_user_id or None,
        "bot_scopes": _scopes(bot.bot_scopes),
        "bot_token": bot.bot_token,
        "bot_refresh_token": bot.bot_refresh_token,
        "bot_token_expires_at": _aware(bot.bot_token_expires_at),
        "installed_at": _aware(bot.installed_at),
    }


def _installation_values(i: Installation) -> dict[str, Any]:
    return {
        "install_key": install_key(i.enterprise_id, i.team_id, i.is_enterprise_install),
        "installer_user_id": i.user_id,
        "app_id": i.app_id,
        "enterprise_id": i.enterprise_id,
        "enterprise_name": i.enterprise_name,
        "enterprise_url": i.enterprise_url,
        "team_id": None if i.is_enterprise_install else i.team_id,
        "team_name": i.team_name,
        "is_enterprise_install": bool(i.is_enterprise_install),
        "token_type": i.token_type,
        "user_token": i.user_token,
        "user_scopes": _scopes(i.user_scopes),
        "user_refresh_token": i.user_refresh_token,
        "user_token_expires_at": _aware(i.user_token_expires_at),
        "incoming_webhook_url": i.incoming_webhook_url,
        "incoming_webhook_channel": i.incoming_webhook_channel,
        "incoming_webhook_channel_id": i.incoming_webhook_channel_id,
        "incoming_webhook_configuration_url": i.incoming_webhook_configuration_url,
        "installed_at": _aware(i.installed_at),
    }


def _bot(row: RowMapping) -> Bot:
    return Bot(
        app_id=row["app_id"],
        enterprise_id=row["enterprise_id"],
        enterprise_name=row["enterprise_name"],
        team_id=row["team_id"],
        team_name=row["team_name"],
        bot_token=row["bot_token"],
        bot_id=row["bot_id"] or "",
        bot_user_id=row["bot_user_id"] or "",
        bot_scopes=row["bot_scopes"] or "",
        bot_refresh_token=row["bot_refresh_token"],
        bot_token_expires_at=row["bot_token_expires_at"],
        is_enterprise_install=row["is_enterprise_install"],
        installed_at=row["installed_at"],
    )


def _installation(row: RowMapping, bot: Bot | None) -> Installation:
    return Installation(
        app_id=row["app_id"],
        enterprise_id=row["enterprise_id"],
        enterprise_name=row["enterprise_name"],
        enterprise_url=row["enterprise_url"],
        team_id=row["team_id"],
        team_name=row["team_name"],
        bot_token=bot.bot_token if bot else None,
        bot_id=bot.bot_id if bot else None,
        bot_user_id=bot.bot_user_id if bot else None,
        bot_scopes=(bot.bot_scopes if bot else None) or "",
        bot_refresh_token=bot.bot_refresh_token if bot else None,
        bot_token_expires_at=bot.bot_token_expires_at if bot else None,
        user_id=row["installer_user_id"],
        user_token=row["user_token"],
        user_scopes=row["user_scopes"] or "",
        user_refresh_token=row["user_refresh_token"],
        user_token_expires_at=row["user_token_expires_at"],
        incoming_webhook_url=row["incoming_webhook_url"],
        incoming_webhook_channel=row["incoming_webhook_channel"],
        incoming_webhook_channel_id=row["incoming_webhook_channel_id"],
        incoming_webhook_configuration_url=row["incoming_webhook_configuration_url"],
        is_enterprise_install=row["is_enterprise_install"],
        token_type=row["token_type"],
        installed_at=row["installed_at"],
    )


# --- statements on one connection -----------------------------------------------------------


def _upsert(conn: Connection, table: Any, values: dict[str, Any], keys: list[str]) -> None:
    """Insert, or rewrite the row with the same `keys` (one statement, no race)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**values)
    changed = {k: stmt.excluded[k] for k in values if k not in keys}
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changed))


def _bot_row(conn: Connection, key: str) -> Bot | None:
    row = conn.execute(select(BOTS).where(BOTS.c.install_key == key)).mappings().first()
    return _bot(row) if row is not None else None


def _installation_row(conn: Connection, key: str, user_id: str | None) -> Installation | None:
    query = select(INSTALLATIONS).where(INSTALLATIONS.c.install_key == key)
    if user_id is not None:
        query = query.where(INSTALLATIONS.c.installer_user_id == user_id)
    order = (INSTALLATIONS.c.installed_at.desc(), INSTALLATIONS.c.id.desc())
    row = conn.execute(query.order_by(*order).limit(1)).mappings().first()
    return _installation(row, _bot_row(conn, key)) if row is not None else None


def _save_bot(conn: Connection, bot: Bot) -> None:
    if bot.bot_token:
        _upsert(conn, BOTS, _bot_values(bot), ["install_key"])


def _note_installed(conn: Connection, i: Installation, now: datetime) -> None:
    """The workspace is installed (again): record its org, lift an uninstall mark."""
    if i.is_enterprise_install:
        if i.enterprise_id:
            conn.execute(
                update(WORKSPACES)
                .where(WORKSPACES.c.enterprise_id == i.enterprise_id)
                .values(uninstalled_at=None)
            )
        return
    if not i.team_id:
        return
    values = {
        "team_id": i.team_id,
        "enterprise_id": i.enterprise_id,
        "bot_user_id": i.bot_user_id,
        "installed_at": now,
        "uninstalled_at": None,
    }
    _upsert(conn, WORKSPACES, values, ["team_id"])


# --- the store ----------------------------------------------------------------------------------


class SqlInstallationStore(InstallationStore):
    """slack_sdk's `InstallationStore` on the project's database (module docstring)."""

    def __init__(self, engine: Engine, now: Now | None = None) -> None:
        self._engine = engine
        self._now: Now = now or (lambda: datetime.now(UTC))

    @property
    def logger(self) -> logging.Logger:
        return log

    def save(self, installation: Installation) -> None:
        """Store an installation: its installer's row, its bot token, its workspace."""
        with write_connection(self._engine) as conn:
            values = _installation_values(installation)
            _upsert(conn, INSTALLATIONS, values, ["install_key", "installer_user_id"])
            _save_bot(conn, installation.to_bot())
            _note_installed(conn, installation, self._now())

    def save_bot(self, bot: Bot) -> None:
        """Store a bot token alone (a bot-only installation)."""
        with write_connection(self._engine) as conn:
            _save_bot(conn, bot)

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The bot of this workspace's installation, or of the org's with
        `is_enterprise_install` (the team is then ignored)."""
        with read_connection(self._engine) as conn:
            return _bot_row(conn, install_key(enterprise_id, team_id, is_enterprise_install))

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The installation by this user, or the latest one without a user; its bot
        fields are the installation's current bot token."""
        key = install_key(enterprise_id, team_id, is_enterprise_install)
        with read_connection(self._engine) as conn:
            return _installation_row(conn, key, user_id)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the bot token of this installation."""
        with write_connection(self._engine) as conn:
            key = install_key(enterprise_id, team_id)
            conn.execute(delete(BOTS).where(BOTS.c.install_key == key))

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget this user's installation (their user token), or every one of it."""
        with write_connection(self._engine) as conn:
            _delete_installations(conn, install_key(enterprise_id, team_id), user_id)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget everything of this installation, in one transaction."""
        key = install_key(enterprise_id, team_id)
        with write_connection(self._engine) as conn:
            conn.execute(delete(BOTS).where(BOTS.c.install_key == key))
            _delete_installations(conn, key, None)

    # --- beyond slack_sdk's interface -----------------------------------------------------

    def find_bot_for_workspace(self, team_id: str, enterprise_id: str | None = None) -> Bot | None:
        """The bot that serves this workspace: its own installation's, else its org's
        (from `enterprise_id`, or the org `workspace` records for it). Team ids are
        unique across Slack, so a workspace's own installation is found by team alone."""
        with read_connection(self._engine) as conn:
            own = select(BOTS).where(
                BOTS.c.team_id == team_id, BOTS.c.is_enterprise_install.is_(False)
            )
            row = conn.execute(own.order_by(BOTS.c.installed_at.desc()).limit(1)).mappings()
            found = row.first()
            if found is not None:
                return _bot(found)
            org = (
                enterprise_id
                or conn.execute(
                    select(WORKSPACES.c.enterprise_id).where(WORKSPACES.c.team_id == team_id)
                ).scalar()
            )
            if not org:
                return None
            return _bot_row(conn, install_key(org, None, True))

    def note_workspace(self, team_id: str, enterprise_id: str) -> bool:
        """Record that `team_id` belongs to org `enterprise_id` (heard from through an
        org-wide install). True when that was new; reads first, so the usual case
        writes nothing."""
        with read_connection(self._engine) as conn:
            known = conn.execute(
                select(WORKSPACES.c.enterprise_id).where(WORKSPACES.c.team_id == team_id)
            ).first()
        if known is not None and known[0] == enterprise_id:
            return False
        with write_connection(self._engine) as conn:
            values = {"team_id": team_id, "enterprise_id": enterprise_id}
            _upsert(conn, WORKSPACES, values, ["team_id"])
        return True

    @contextmanager
    def locked(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool
    ) -> Iterator[Held]:
        """Hold one installation's rows for a token refresh (module docstring)."""
        key = install_key(enterprise_id, team_id, is_enterprise_install)
        with write_connection(self._engine) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(select(BOTS.c.id).where(BOTS.c.install_key == key).with_for_update())
                conn.execute(
                    select(INSTALLATIONS.c.id)
                    .where(INSTALLATIONS.c.install_key == key)
                    .with_for_update()
                )
            yield Held(conn, key)


def _delete_installations(conn: Connection, key: str, user_id: str | None) -> None:
    query = delete(INSTALLATIONS).where(INSTALLATIONS.c.install_key == key)
    if user_id is not None:
        query = query.where(INSTALLATIONS.c.installer_user_id == user_id)
    conn.execute(query)


class Held:
    """One installation's rows, held by `SqlInstallationStore.locked`: read them, and
    write refreshed tokens back (to rows still there, never new ones)."""

    def __init__(self, conn: Connection, key: str) -> None:
        self._conn, self._key = conn, key

    def bot(self) -> Bot | None:
        return _bot_row(self._conn, self._key)

    def installation(self, user_id: str | None = None) -> Installation | None:
        return _installation_row(self._conn, self._key, user_id)

    def refreshed_bot(self, bot: Bot) -> None:
        """The bot's new token and expiry, and its new refresh token (the one held is
        kept if Slack's answer carried none: it is never lost)."""
        values: dict[str, Any] = {
            "bot_token": bot.bot_token,
            "bot_token_expires_at": _aware(bot.bot_token_expires_at),
        }
        if bot.bot_refresh_token:
            values["bot_refresh_token"] = bot.bot_refresh_token
        self._conn.execute(update(BOTS).where(BOTS.c.install_key == self._key).values(values))

    def refreshed(self, installation: Installation) -> None:
        """An installation's new tokens: the bot's, and its installer's user token."""
        if installation.bot_token:
            self.refreshed_bot(installation.to_bot())
        self._conn.execute(
            update(INSTALLATIONS)
            .where(
                INSTALLATIONS.c.install_key == self._key,
                INSTALLATIONS.c.installer_user_id == installation.user_id,
            )
            .values(_user_tokens(installation))
        )


def _user_tokens(installation: Installation) -> dict[str, Any]:
    values: dict[str, Any] = {
        "user_token": installation.user_token,
        "user_token_expires_at": _aware(installation.user_token_expires_at),
    }
    if installation.user_refresh_token:
        values["user_refresh_token"] = installation.user_refresh_token
    return values


# --- uninstalls (in the erasure's transaction: bot.journal.erase) -------------------------------


def _older(table: Any, before: datetime | None) -> Any:
    """Rows saved before `before` (all rows when None)."""
    return table.c.installed_at <= before if before is not None else true()


def forget_workspace(s: Session, team_id: str, installed_before: datetime | None = None) -> int:
    """Delete the tokens of this workspace's own installation (bot and installers),
    saved before `installed_before` when given (a reinstall that overtook a late
    uninstall event stays). Returns the rows deleted."""
    return _forget(s, "team_id", team_id, org_wide=False, installed_before=installed_before)


def forget_org(s: Session, enterprise_id: str, installed_before: datetime | None = None) -> int:
    """`forget_workspace` for an org's org-wide installation."""
    return _forget(
        s, "enterprise_id", enterprise_id, org_wide=True, installed_before=installed_before
    )


def _forget(
    s: Session, key: str, value: str, *, org_wide: bool, installed_before: datetime | None
) -> int:
    conn = s.connection()
    deleted = 0
    for table in (BOTS, INSTALLATIONS):
        statement = delete(table).where(
            table.c[key] == value,
            table.c.is_enterprise_install.is_(org_wide),
            _older(table, installed_before),
        )
        deleted += conn.execute(statement).rowcount
    return deleted


def forget_installers(
    s: Session, team_id: str | None, enterprise_id: str | None, user_ids: Sequence[str]
) -> int:
    """Delete the installations (user tokens) of these people, whose tokens Slack
    revoked; the bot's token stays."""
    if not user_ids:
        return 0
    keys = {install_key(enterprise_id, team_id), install_key(enterprise_id, None, True)}
    query = delete(INSTALLATIONS).where(
        INSTALLATIONS.c.install_key.in_(keys), INSTALLATIONS.c.installer_user_id.in_(user_ids)
    )
    return s.connection().execute(query).rowcount


def org_workspaces(s: Session, enterprise_id: str) -> list[str]:
    """The workspaces of this org that its org-wide installation serves: recorded as
    the org's, with no installation of their own."""
    own = select(BOTS.c.team_id).where(
        BOTS.c.team_id.is_not(None), BOTS.c.is_enterprise_install.is_(False)
    )
    query = select(WORKSPACES.c.team_id).where(
        WORKSPACES.c.enterprise_id == enterprise_id, WORKSPACES.c.team_id.not_in(own)
    )
    return [str(team) for team in s.execute(query).scalars()]


# --- OAuth states ---------------------------------------------------------------------------------


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


class SqlOAuthStateStore(OAuthStateStore):
    """slack_sdk's `OAuthStateStore` on the project's database (module docstring)."""

    def __init__(self, engine: Engine, expiration_seconds: int, now: Now | None = None) -> None:
        self._engine = engine
        self._ttl = timedelta(seconds=expiration_seconds)
        self._now: Now = now or (lambda: datetime.now(UTC))

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: Any, **kwargs: Any) -> str:
        """A new random state, valid until it expires; expired ones are dropped."""
        state = secrets.token_urlsafe(32)
        now = self._now()
        with write_connection(self._engine) as conn:
            conn.execute(delete(STATES).where(STATES.c.expires_at <= now))
            conn.execute(
                insert(STATES).values(state_hash=_digest(state), expires_at=now + self._ttl)
            )
        return state

    def consume(self, state: str) -> bool:
        """True once for a state this store issued and that has not expired; it is gone
        afterwards either way."""
        if not state:
            return False
        digest, now = _digest(state), self._now()
        with write_connection(self._engine) as conn:
            live = conn.execute(
                delete(STATES).where(STATES.c.state_hash == digest, STATES.c.expires_at > now)
            ).rowcount
            conn.execute(delete(STATES).where(STATES.c.state_hash == digest))
        return live == 1

    def prune(self) -> int:
        """Drop expired states (housekeeping). Returns how many."""
        with write_connection(self._engine) as conn:
            return int(
                conn.execute(delete(STATES).where(STATES.c.expires_at <= self._now())).rowcount
            )
