"""Slack's side of installing an app: the app's credentials, install grants and tokens.

The protocol is Slack's OAuth v2, as an app sees it:

1. a person opens the authorize page (``GET /oauth/v2/authorize?client_id=…&scope=…
   &redirect_uri=…&state=…[&team=…]``, served by :mod:`sandbox.authorize`), picks a
   workspace and presses Allow: the app is installed there (:meth:`OAuth.grant`) and the
   browser goes to ``redirect_uri?code=…&state=…`` (Cancel: ``?error=access_denied&state=…``);
2. the app exchanges the code at ``oauth.v2.access`` (client id and secret by HTTP Basic
   or as form fields) for a bot token (:meth:`OAuth.access`). A code works once, for
   ten minutes, with the ``redirect_uri`` it was granted for;
3. with token rotation (on by default, as the sandbox's app is configured), the answer
   also carries ``expires_in`` and a ``refresh_token`` (``xoxe-1-…``); the app trades
   that refresh token at ``oauth.v2.access`` with ``grant_type=refresh_token`` for a new
   pair. An access token is refused with ``token_expired`` once its time is up, so an app
   that forgets to rotate finds out here. A refresh token works once: its successor is
   the one to keep (refreshing again with a spent one is ``invalid_refresh_token``).

Which workspace a token belongs to is :meth:`OAuth.team_of`; the Web API
(:mod:`sandbox.slack_api`) answers each call in that workspace only, so a token used for
another workspace's channel or person gets Slack's ``channel_not_found`` or
``user_not_found``. ``auth.revoke`` and ``apps.uninstall`` end tokens and installs.

Expiry runs on ``clock`` — real time by default, because the app decides when to rotate
on its own clock (``time.time()``), not on the sandbox's time-travel clock.
"""

import base64
import binascii
import copy
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sandbox.workspace import SlackError

CODE_SECONDS = 600.0  # Slack's codes last ten minutes
DEFAULT_TOKEN_SECONDS = 12 * 3600.0  # Slack's rotating tokens last twelve hours

# What each scope lets the app do, as Slack's authorize page says it.
SCOPE_WORDS = {
    "commands": "Add shortcuts and/or slash commands that people can use",
    "chat:write": "Send messages as @setback",
    "im:write": "Start direct messages with people",
    "im:history": "View messages in direct messages that Setback has been added to",
    "users:read": "View people in a workspace",
    "channels:read": "View basic information about public channels in a workspace",
    "groups:read": "View basic information about private channels that Setback has been added to",
    "channels:join": "Join public channels in a workspace",
    "files:write": "Upload, edit, and delete files as Setback",
}


@dataclass(frozen=True)
class AppConfig:
    """The app as configured in Slack: credentials, redirect URLs, token rotation."""

    client_id: str
    client_secret: str
    app_id: str = "A0SETBACK"
    redirect_uris: tuple[str, ...] = ()
    token_rotation: bool = True
    token_seconds: float = DEFAULT_TOKEN_SECONDS

    def redirect_for(self, asked: str | None) -> str | None:
        """The redirect URL an install goes back to: the one asked for when the app
        allows it (any, when none is configured), else the app's first."""
        if asked:
            return asked if not self.redirect_uris or asked in self.redirect_uris else None
        return self.redirect_uris[0] if self.redirect_uris else None


@dataclass
class _Grant:
    code: str
    team_id: str
    user_id: str
    scopes: list[str]
    redirect_uri: str | None
    expires_at: float
    used: bool = False


@dataclass
class _Token:
    team_id: str
    expires_at: float | None
    revoked: bool = False


@dataclass
class _Install:
    team_id: str
    user_id: str
    scopes: list[str]
    refresh_token: str | None = None


@dataclass
class _State:
    grants: dict[str, _Grant] = field(default_factory=dict)
    tokens: dict[str, _Token] = field(default_factory=dict)
    installs: dict[str, _Install] = field(default_factory=dict)
    spent_refresh: dict[str, str] = field(default_factory=dict)  # spent -> team id


@dataclass(frozen=True)
class Team:
    """What ``oauth.v2.access`` says about the workspace an install is for."""

    id: str
    name: str
    bot_user_id: str
    enterprise_id: str | None = None
    enterprise_name: str | None = None


def client_credentials(
    params: Mapping[str, Any], authorization: str | None
) -> tuple[str | None, str | None]:
    """Client id and secret of an ``oauth.v2.access`` call: HTTP Basic, or form fields."""
    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    given_id, given_secret = params.get("client_id"), params.get("client_secret")
    return (str(given_id) if given_id else None), (str(given_secret) if given_secret else None)


class OAuth:
    """The app's installs and tokens across the sandbox's workspaces."""

    def __init__(self, app: AppConfig, clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.clock = clock
        self._lock = threading.Lock()
        self._state = _State()
        self.listeners: list[Callable[[], None]] = []  # told after installs and tokens change

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    # ------------------------------------------------------------------ install

    def grant(self, team_id: str, user_id: str, scopes: list[str], redirect_uri: str | None) -> str:
        """A person pressed Allow: a one-time code for the app to exchange."""
        code = f"{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        with self._lock:
            self._state.grants = {
                c: g for c, g in self._state.grants.items() if g.expires_at > self.clock()
            }
            self._state.grants[code] = _Grant(
                code, team_id, user_id, scopes, redirect_uri, self.clock() + CODE_SECONDS
            )
        return code

    def access(
        self, params: Mapping[str, Any], authorization: str | None, teams: Mapping[str, Team]
    ) -> dict[str, Any]:
        """``oauth.v2.access``: a code (or a refresh token) for a token, as Slack answers.

        Raises SlackError with Slack's error for a wrong client, code or refresh token.
        """
        client_id, secret = client_credentials(params, authorization)
        if client_id != self.app.client_id:
            raise SlackError("invalid_client_id", "unknown client_id")
        if not secrets.compare_digest(secret or "", self.app.client_secret):
            raise SlackError("bad_client_secret", "client_secret does not match")
        grant_type = str(params.get("grant_type") or "authorization_code")
        with self._lock:
            if grant_type == "refresh_token":
                install, user_id = self._refreshed(str(params.get("refresh_token") or ""))
            elif grant_type == "authorization_code":
                install, user_id = self._exchanged(params)
            else:
                raise SlackError("invalid_grant_type", grant_type)
            team = teams.get(install.team_id)
            if team is None:  # the workspace is gone
                raise SlackError("invalid_code", "no such workspace")
            answer = self._answer(install, user_id, team)
        self._changed()
        return answer

    def _exchanged(self, params: Mapping[str, Any]) -> tuple[_Install, str]:
        grant = self._state.grants.get(str(params.get("code") or ""))
        if grant is None or grant.used or grant.expires_at <= self.clock():
            raise SlackError("invalid_code", "unknown, used or expired code")
        asked = params.get("redirect_uri")
        if grant.redirect_uri and asked and asked != grant.redirect_uri:
            raise SlackError("bad_redirect_uri", "redirect_uri differs from the authorize one")
        grant.used = True
        install = _Install(grant.team_id, grant.user_id, list(grant.scopes))
        self._state.installs[grant.team_id] = install
        return install, grant.user_id

    def _refreshed(self, refresh_token: str) -> tuple[_Install, str]:
        install = next(
            (i for i in self._state.installs.values() if i.refresh_token == refresh_token), None
        )
        if not refresh_token or install is None:
            raise SlackError("invalid_refresh_token", "unknown or spent refresh token")
        self._state.spent_refresh[refresh_token] = install.team_id
        return install, install.user_id

    def _answer(self, install: _Install, user_id: str, team: Team) -> dict[str, Any]:
        rotating = self.app.token_rotation
        prefix = "xoxe.xoxb-1-" if rotating else "xoxb-"
        token = f"{prefix}{secrets.randbelow(10**12)}-{secrets.token_hex(16)}"
        expires_at = self.clock() + self.app.token_seconds if rotating else None
        self._state.tokens[token] = _Token(install.team_id, expires_at)
        body: dict[str, Any] = {
            "ok": True,
            "app_id": self.app.app_id,
            "authed_user": {"id": user_id},
            "scope": ",".join(install.scopes),
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": team.bot_user_id,
            "team": {"id": team.id, "name": team.name},
            "enterprise": (
                {"id": team.enterprise_id, "name": team.enterprise_name}
                if team.enterprise_id
                else None
            ),
            "is_enterprise_install": False,
        }
        if rotating:
            install.refresh_token = f"xoxe-1-{secrets.token_hex(24)}"
            body["refresh_token"] = install.refresh_token
            body["expires_in"] = int(self.app.token_seconds)
        return body

    # ------------------------------------------------------------------ tokens

    def team_of(self, token: str) -> str | None:
        """The workspace an OAuth token serves; None for a token this app never issued.

        Raises SlackError ``token_expired`` or ``token_revoked`` for a token that did
        serve one, as Slack answers it.
        """
        with self._lock:
            found = self._state.tokens.get(token)
            if found is None:
                return None
            if found.revoked:
                raise SlackError("token_revoked", "the token was revoked")
            if found.expires_at is not None and found.expires_at <= self.clock():
                raise SlackError("token_expired", "the token expired: refresh it")
            return found.team_id

    def revoke(self, token: str) -> bool:
        """``auth.revoke``: the token stops working; whether it was live."""
        with self._lock:
            found = self._state.tokens.get(token)
            if found is None or found.revoked:
                return False
            found.revoked = True
        self._changed()
        return True

    def uninstall(self, team_id: str) -> None:
        """The app leaves the workspace: every token it had there stops working."""
        with self._lock:
            self._state.installs.pop(team_id, None)
            for token in self._state.tokens.values():
                if token.team_id == team_id:
                    token.revoked = True
        self._changed()

    def installed(self, team_id: str) -> bool:
        """Whether the app holds an install (tokens were issued) in this workspace."""
        with self._lock:
            return team_id in self._state.installs

    # ------------------------------------------------------------------ persistence

    def snapshot(self) -> dict[str, Any]:
        """Installs and live tokens, JSON-ready (codes live minutes: not kept)."""
        with self._lock:
            live = {
                t: asdict(v)
                for t, v in self._state.tokens.items()
                if not v.revoked and (v.expires_at is None or v.expires_at > self.clock())
            }
            installs = {k: asdict(v) for k, v in self._state.installs.items()}
            return copy.deepcopy({"tokens": live, "installs": installs})

    def restore(self, saved: Mapping[str, Any]) -> None:
        """Back to a :meth:`snapshot`; ValueError when it is damaged."""
        try:
            tokens = {t: _Token(**v) for t, v in saved["tokens"].items()}
            installs = {k: _Install(**v) for k, v in saved["installs"].items()}
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"OAuth state is damaged: {exc!r}") from exc
        with self._lock:
            self._state = _State(tokens=tokens, installs=installs)
