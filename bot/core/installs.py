"""Installing Setback anywhere: Slack's OAuth v2 through Bolt, and the right token for
every call (docs/ARCHITECTURE.md, Installs).

With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set and no SLACK_BOT_TOKEN, the runtime
holds an `Installations`:

- **Install.** Bolt's `OAuthFlow` serves `GET /slack/install` (our page, one link to
  SLACK_AUTHORIZE_URL with `BOT_SCOPES` — the one list, which `manifest.yml` repeats)
  and `GET /slack/oauth_redirect`: the state is checked against the browser's cookie
  and consumed once, before it expires (`STATE_SECONDS`); `oauth.v2.access` goes to
  SLACK_API_URL; the installation is saved in the database (`storage.installations`,
  tokens encrypted). The pages are `bot.core.install_pages`.
- **Requests.** Bolt's authorize finds each request's installation (a workspace's, or
  an org's for an org-wide install) and its token; `SetbackAuthorize` rotates an
  expiring token under the installation's lock instead of Bolt's unlocked rotation.
- **Everything else** — the dispatcher, housekeeping, erasure retries, share recovery,
  exports and every follow-up after an ack — asks `client_for(team, org)`: the bot of
  that workspace's installation, else of its org's; a token about to expire is
  refreshed first, under the same lock (`LockedTokenRotator`), so two workers never
  both spend a refresh token. A workspace with no installation (never installed,
  uninstalled, revoked) gets a client that answers every call as Slack answers one
  without a token (`not_authed`), without a round trip: the callers' rules for a
  refused token apply unchanged (the dispatcher holds the rows, untouched). Never ask
  inside a write transaction: a refresh takes the installation's lock, which on SQLite
  is the one writer lock.

With SLACK_BOT_TOKEN, none of this exists: `Runtime.client_for` is the one client.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Any

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.token_rotation import TokenRotator
from slack_sdk.web import SlackResponse
from sqlalchemy import Engine

from bot.core.clock import Clock
from bot.core.install_pages import callback_options, install_page
from bot.core.settings import Settings
from bot.core.slack_client import make_client
from storage.installations import SqlInstallationStore, SqlOAuthStateStore

log = logging.getLogger(__name__)

# What Setback asks Slack for: the one list (manifest.yml repeats it; a test compares).
BOT_SCOPES: tuple[str, ...] = (
    "commands",  # /setback
    "chat:write",  # the summary DM, check-ins, shared retros
    "im:write",  # open the DM with the person (conversations.open)
    "im:history",  # replies in the check-in thread (message.im)
    "users:read",  # the person's time zone (users.info)
    "channels:read",  # is the author in the public channel they share to?
    "groups:read",  # ... and in a private one
    "channels:join",  # join a public channel to post a retro the author chose
    "files:write",  # "Export my data" sends the person a file
)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # an "Add to Slack" must be finished within 10 minutes
NO_TOKEN = "not_authed"  # what Slack answers a call without a token
CLIENT_CACHE = 256  # clients kept per token (a client is cheap; this only bounds memory)
AUTH_CACHE = 1024  # auth.test answers Bolt keeps, per token


def _due(expires_at: int | None, minutes: int) -> bool:
    """A token that expires within `minutes` (slack_sdk's rule, on Slack's clock)."""
    return expires_at is not None and expires_at <= time.time() + minutes * 60


class LockedTokenRotator(TokenRotator):
    """slack_sdk's token rotation, one installation at a time: the refresh happens
    under the installation's lock (`SqlInstallationStore.locked`) on what is stored
    *now*, and is saved in the same transaction. A worker that waited for the lock
    finds the token refreshed and uses it; the refresh token is never spent twice."""

    def __init__(self, store: SqlInstallationStore, client_id: str, secret: str, client: WebClient):
        super().__init__(client_id=client_id, client_secret=secret, client=client)
        self.store = store
        # The refresh itself, under the lock: a plain rotator, so nothing in it comes
        # back here for the lock again.
        self._slack = TokenRotator(client_id=client_id, client_secret=secret, client=client)

    def perform_bot_token_rotation(
        self, *, bot: Bot, minutes_before_expiration: int = 120
    ) -> Bot | None:
        """The refreshed bot (saved), the current one when another worker refreshed it
        meanwhile, or None when no refresh is due or the installation is gone."""
        if not _due(bot.bot_token_expires_at, minutes_before_expiration):
            return None
        with self.store.locked(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            is_enterprise_install=bool(bot.is_enterprise_install),
        ) as held:
            current = held.bot()
            if current is None:
                return None
            refreshed = self._slack.perform_bot_token_rotation(
                bot=current, minutes_before_expiration=minutes_before_expiration
            )
            if refreshed is None:
                return current
            held.refreshed_bot(refreshed)
            log.info("refreshed the bot token of installation %s", _where(current))
            return refreshed

    def perform_token_rotation(
        self, *, installation: Installation, minutes_before_expiration: int = 120
    ) -> Installation | None:
        """`perform_bot_token_rotation` for a whole installation: bot and installer."""
        expiring = (installation.bot_token_expires_at, installation.user_token_expires_at)
        if not any(_due(at, minutes_before_expiration) for at in expiring):
            return None
        with self.store.locked(
            enterprise_id=installation.enterprise_id,
            team_id=installation.team_id,
            is_enterprise_install=bool(installation.is_enterprise_install),
        ) as held:
            current = held.installation(installation.user_id)
            if current is None:
                return None
            refreshed = self._slack.perform_token_rotation(
                installation=current, minutes_before_expiration=minutes_before_expiration
            )
            if refreshed is None:
                return current
            held.refreshed(refreshed)
            log.info("refreshed the tokens of installation %s", _where(current))
            return refreshed


def _where(install: Bot | Installation) -> str:
    return f"{install.enterprise_id or '-'}:{install.team_id or '-'}"


class SetbackAuthorize(InstallationStoreAuthorize):
    """Bolt's installation-store authorize, with rotation under the installation's lock
    (`LockedTokenRotator`, which also saves) instead of an unlocked refresh and save."""

    def __init__(self, installs: Installations, logger: logging.Logger) -> None:
        super().__init__(
            logger=logger,
            installation_store=installs.store,
            token_rotation_expiration_minutes=installs.refresh_minutes,
            cache_enabled=True,  # auth.test once per token, not on every request
        )
        self.authorize_result_cache = _Recent(AUTH_CACHE)  # rotation makes new tokens
        self.token_rotator = self._rotator = installs.rotator

    def _rotate_and_save_tokens_if_necessary(
        self, installation: Installation | None
    ) -> Installation | None:
        if installation is None or not (
            installation.bot_refresh_token or installation.user_refresh_token
        ):
            return None
        refreshed = self._rotator.perform_token_rotation(
            installation=installation,
            minutes_before_expiration=self.token_rotation_expiration_minutes,
        )
        if refreshed is not None and installation.user_token is None:
            # Bolt cleared the installer's user token for another person's request.
            refreshed.user_token = refreshed.user_refresh_token = None
            refreshed.user_token_expires_at = None
            refreshed.user_scopes = []
        return refreshed


class _Recent(OrderedDict[str, Any]):
    """Bolt's per-token cache of `auth.test` answers, holding the `size` most recent:
    each rotation brings a new token, so an unbounded cache would only grow."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self._size = size

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self._size:
            self.popitem(last=False)


class SetbackOAuthFlow(OAuthFlow):
    """Bolt's OAuth flow with Setback's own "Add to Slack" page (`install_pages`)."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return install_page(url)


class NotInstalledClient(WebClient):
    """The client of a workspace with no installation: every call answers as Slack
    answers one without a token, without a round trip."""

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        response = SlackResponse(
            client=self,
            http_verb="POST",
            api_url=f"{self.base_url}{api_method}",
            req_args={},
            data={"ok": False, "error": NO_TOKEN},
            headers={},
            status_code=200,
        )
        message = f"no installation for this workspace ({NO_TOKEN})"
        raise SlackApiError(message, response)  # type: ignore[no-untyped-call]  # why: slack_sdk leaves SlackApiError.__init__ unannotated


class Installations:
    """Where each workspace's token comes from when installs go through OAuth."""

    def __init__(self, settings: Settings, engine: Engine, clock: Clock) -> None:
        if not (settings.slack_client_id and settings.slack_client_secret):
            raise ValueError("OAuth installs need SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
        self.settings = settings
        self.client_id = settings.slack_client_id
        self.refresh_minutes = settings.setback_token_refresh_minutes
        self.store = SqlInstallationStore(engine, now=clock.now)
        self.states = SqlOAuthStateStore(engine, STATE_SECONDS, now=clock.now)
        api = make_client(None, settings.slack_api_url)
        self.rotator = LockedTokenRotator(
            self.store, settings.slack_client_id, settings.slack_client_secret, api
        )
        self._clients: dict[str, WebClient] = {}
        self._clients_lock = threading.Lock()
        self._orgs_seen: set[tuple[str, str]] = set()

    # --- Bolt -------------------------------------------------------------------------------

    def oauth_flow(self, client: WebClient, logger: logging.Logger) -> SetbackOAuthFlow:
        """Bolt's OAuth flow for `App(oauth_flow=…)`: install and redirect pages, state
        checks, `oauth.v2.access` through `client` (SLACK_API_URL)."""
        s = self.settings
        settings = OAuthSettings(
            client_id=self.client_id,
            client_secret=s.slack_client_secret,
            scopes=list(BOT_SCOPES),
            user_scopes=[],
            redirect_uri=s.slack_redirect_uri,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            callback_options=callback_options(s.slack_authorize_url),
            authorization_url=s.slack_authorize_url,
            installation_store=self.store,
            token_rotation_expiration_minutes=self.refresh_minutes,
            state_store=self.states,
            state_expiration_seconds=STATE_SECONDS,
            logger=logger,
        )
        return SetbackOAuthFlow(client=client, logger=logger, settings=settings)

    def authorize(self, logger: logging.Logger) -> SetbackAuthorize:
        """Bolt's authorize for `App(authorize=…)`: per request, with locked rotation."""
        return SetbackAuthorize(self, logger)

    # --- calls outside a request ------------------------------------------------------------

    def bot_token(self, team_id: str, enterprise_id: str | None = None) -> str | None:
        """The bot token that serves this workspace now (refreshed first when it is about
        to expire), or None when nothing is installed there."""
        bot = self.store.find_bot_for_workspace(team_id, enterprise_id)
        if bot is None:
            return None
        if not _due(bot.bot_token_expires_at, self.refresh_minutes):
            return bot.bot_token
        try:
            fresh = self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=self.refresh_minutes
            )
        except SlackTokenRotationError as exc:
            code = exc.api_error.response.get("error") if exc.api_error else "unknown"
            log.warning("workspace %s: refreshing its bot token failed (%s)", team_id, code)
            return None if _due(bot.bot_token_expires_at, 0) else bot.bot_token
        return fresh.bot_token if fresh is not None else None

    def client_for(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        """A Web API client with the token that serves this workspace (module docstring)."""
        token = self.bot_token(team_id, enterprise_id)
        if token is None:
            return NotInstalledClient(token=None, base_url=self.settings.slack_api_url)
        with self._clients_lock:
            client = self._clients.get(token)
            if client is None:
                if len(self._clients) >= CLIENT_CACHE:
                    self._clients.clear()
                client = self._clients[token] = make_client(token, self.settings.slack_api_url)
            return client

    def note_workspace(self, team_id: str | None, enterprise_id: str | None) -> None:
        """Remember which org a workspace heard from through an org-wide install
        belongs to (once per process), so work outside a request finds its token."""
        if not team_id or not enterprise_id or team_id == enterprise_id:
            return
        pair = (team_id, enterprise_id)
        if pair in self._orgs_seen:
            return
        self.store.note_workspace(team_id, enterprise_id)
        self._orgs_seen.add(pair)

    def prune_states(self) -> int:
        """Housekeeping: drop OAuth states that expired unused."""
        return self.states.prune()
