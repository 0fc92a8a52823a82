"""A stand-in for Slack with several workspaces and OAuth v2, for the install tests.

Each workspace is a sandbox `Workspace`; this server plays what Slack adds around them
when an app is installed through OAuth:

- `authorize(url, …)` is the person on Slack's authorize page: it checks the app's
  client id and scopes, then returns where the browser goes next — the redirect URL
  with a one-time `code` and the `state`, or `error=access_denied` when they cancel.
- `oauth.v2.access` exchanges a code (once, with the app's id and secret) for a bot
  token of that workspace — or, for an org-wide install, of every workspace of the org
  — and, with rotation, trades a refresh token (once: a spent one is refused) for a new
  pair, counting each trade.
- Every other Web API call is checked against the token: unknown, expired or revoked
  tokens get Slack's errors, and the call is answered by the token's own workspace
  (an org token's, the org workspace that knows the user or channel named), so a call
  made with the wrong workspace's token finds nothing there. Every call is recorded
  with the team whose token made it (`calls`).
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from sandbox.slack_api import call, parse_api_request, route
from sandbox.workspace import Workspace

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "stand-in-client-secret"
SCOPE_ERRORS = ("channel_not_found", "user_not_found", "invalid_trigger_id", "not_found")
_serial = itertools.count(1)


@dataclass
class Grant:
    """One bot token Slack issued: the workspaces it serves, and its lifetime."""

    token: str
    teams: list[Workspace]
    enterprise_id: str | None
    org_wide: bool
    installer: str
    expires_at: float | None
    refresh: str | None
    revoked: bool = False


@dataclass
class Code:
    teams: list[Workspace]
    enterprise_id: str | None
    org_wide: bool
    installer: str
    redirect_uri: str | None


@dataclass
class ManySlack:
    """The stand-in (module docstring). `rotation`: tokens expire after
    `token_seconds` and come with refresh tokens."""

    rotation: bool = False
    token_seconds: int = 12 * 3600
    refresh_delay: float = 0.0  # how long a refresh takes (widens a race between workers)
    now: Callable[[], float] = time.time
    workspaces: list[Workspace] = field(default_factory=list)
    orgs: dict[str, list[Workspace]] = field(default_factory=dict)
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # (method, team, token)
    refreshes: int = 0
    asked_scopes: list[str] = field(default_factory=list)
    redirect_uri: str | None = None
    _grants: dict[str, Grant] = field(default_factory=dict)
    _refresh: dict[str, Grant] = field(default_factory=dict)
    _codes: dict[str, Code] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: _Server | None = None

    # --- set-up -------------------------------------------------------------------------

    def add(self, ws: Workspace, enterprise_id: str | None = None) -> Workspace:
        self.workspaces.append(ws)
        if enterprise_id:
            self.orgs.setdefault(enterprise_id, []).append(ws)
        return ws

    def start(self) -> ManySlack:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.slack = self
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
        for ws in self.workspaces:
            ws.web_url = self.root_url
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def root_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def url(self) -> str:
        return f"{self.root_url}api/"

    @property
    def authorize_url(self) -> str:
        return f"{self.root_url}oauth/v2/authorize"

    # --- the person on the authorize page --------------------------------------------------

    def authorize(
        self,
        url: str,
        *,
        team_id: str | None = None,
        user_id: str,
        org_wide: str | None = None,
        deny: bool = False,
    ) -> str:
        """Where the browser goes after the person allows (or cancels) an install."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert query.get("client_id") == CLIENT_ID, "the install link names another app"
        self.asked_scopes = (query.get("scope") or "").split(",")
        redirect = query.get("redirect_uri") or self.redirect_uri
        assert redirect, "no redirect URL"
        state = query.get("state", "")
        if deny:
            return f"{redirect}?{urlencode({'error': 'access_denied', 'state': state})}"
        enterprise: str | None = org_wide
        if org_wide:
            teams = list(self.orgs[org_wide])
        else:
            ws = next(w for w in self.workspaces if w.team_id == team_id)
            enterprise = next((e for e, wss in self.orgs.items() if ws in wss), None)
            teams = [ws]
        code = f"code-{next(_serial)}-{secrets.token_hex(4)}"
        with self._lock:
            self._codes[code] = Code(
                teams, enterprise, bool(org_wide), user_id, query.get("redirect_uri")
            )
        return f"{redirect}?{urlencode({'code': code, 'state': state})}"

    # --- tokens ------------------------------------------------------------------------------

    def _issue(self, code: Code) -> Grant:
        token = f"xoxb-{next(_serial)}-{secrets.token_hex(12)}"
        refresh = f"xoxe-1-{secrets.token_hex(12)}" if self.rotation else None
        expires = self.now() + self.token_seconds if self.rotation else None
        grant = Grant(
            token, code.teams, code.enterprise_id, code.org_wide, code.installer, expires, refresh
        )
        self._grants[token] = grant
        if refresh:
            self._refresh[refresh] = grant
        return grant

    def grant_of(self, team_id: str) -> Grant | None:
        """The live grant serving this workspace (the latest)."""
        with self._lock:
            live = [
                g
                for g in self._grants.values()
                if not g.revoked and any(w.team_id == team_id for w in g.teams)
            ]
        return live[-1] if live else None

    def expire(self, token: str) -> None:
        """The token's time is up (as if twelve hours went by)."""
        with self._lock:
            self._grants[token].expires_at = self.now() - 1

    def uninstall(self, team_id: str) -> None:
        """The app is removed from a workspace: its tokens stop working."""
        with self._lock:
            for g in self._grants.values():
                if any(w.team_id == team_id for w in g.teams):
                    g.revoked = True

    def _oauth_access(
        self, params: dict[str, Any], basic: tuple[str, str] | None
    ) -> dict[str, Any]:
        client_id, secret = basic or (params.get("client_id"), params.get("client_secret"))
        if client_id != CLIENT_ID:
            return {"ok": False, "error": "invalid_client_id"}
        if secret != CLIENT_SECRET:
            return {"ok": False, "error": "bad_client_secret"}
        if params.get("grant_type") == "refresh_token":
            time.sleep(self.refresh_delay)
            with self._lock:
                return self._rotate(str(params.get("refresh_token") or ""))
        with self._lock:
            code = self._codes.pop(str(params.get("code") or ""), None)
            if code is None:
                return {"ok": False, "error": "invalid_code"}
            if code.redirect_uri and params.get("redirect_uri") != code.redirect_uri:
                return {"ok": False, "error": "bad_redirect_uri"}
            grant = self._issue(code)
        first = code.teams[0]
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": first.app_id,
            "authed_user": {"id": code.installer},
            "scope": ",".join(self.asked_scopes),
            "token_type": "bot",
            "access_token": grant.token,
            "bot_user_id": first.bot_user_id,
            "team": None if code.org_wide else {"id": first.team_id, "name": first.team_name},
            "enterprise": (
                {"id": code.enterprise_id, "name": f"Org {code.enterprise_id}"}
                if code.enterprise_id
                else None
            ),
            "is_enterprise_install": code.org_wide,
        }
        if grant.refresh:
            answer |= {"refresh_token": grant.refresh, "expires_in": self.token_seconds}
        return answer

    def _rotate(self, refresh: str) -> dict[str, Any]:
        old = self._refresh.pop(refresh, None)
        if old is None or old.revoked:
            return {"ok": False, "error": "invalid_refresh_token"}
        self.refreshes += 1
        new = self._issue(Code(old.teams, old.enterprise_id, old.org_wide, old.installer, None))
        return {
            "ok": True,
            "token_type": "bot",
            "access_token": new.token,
            "refresh_token": new.refresh,
            "expires_in": self.token_seconds,
        }

    def _check(self, token: str | None) -> Grant | dict[str, Any]:
        if not token:
            return {"ok": False, "error": "not_authed"}
        with self._lock:
            grant = self._grants.get(token)
        if grant is None:
            return {"ok": False, "error": "invalid_auth"}
        if grant.revoked:
            return {"ok": False, "error": "token_revoked"}
        if grant.expires_at is not None and grant.expires_at <= self.now():
            return {"ok": False, "error": "token_expired"}
        return grant

    # --- the Web API -------------------------------------------------------------------------

    def api(self, method: str, query: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        params, token = parse_api_request(query, headers, body)
        if method == "oauth.v2.access":
            return self._oauth_access(params, _basic(headers))
        grant = self._check(token)
        if isinstance(grant, dict):
            self.calls.append((method, "-", str(token)))
            return grant
        if method == "auth.test":
            ws = grant.teams[0]
            self.calls.append((method, ws.team_id, grant.token))
            return {
                "ok": True,
                "url": self.root_url,
                "team_id": None if grant.org_wide else ws.team_id,
                "enterprise_id": grant.enterprise_id,
                "user_id": ws.bot_user_id,
                "bot_id": ws.bot_id,
                "is_enterprise_install": grant.org_wide,
            }
        answer: dict[str, Any] = {"ok": False, "error": "channel_not_found"}
        for ws in _likely(grant.teams, params):
            _, answer, _ = call(ws, method, params, ws.bot_token)
            if answer.get("ok") or answer.get("error") not in SCOPE_ERRORS:
                self.calls.append((method, ws.team_id, grant.token))
                break
        return answer

    def other(self, verb: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        where = urlsplit(path).path
        name = unquote(where.split("/", 2)[-1])
        owner = next(
            (w for w in self.workspaces if name.startswith(f"{w.team_id}/") or w.file_info(name)),
            self.workspaces[0],
        )
        return route(owner, verb, path, headers, body)


def _basic(headers: dict[str, str]) -> tuple[str, str] | None:
    raw = headers.get("authorization", "")
    if not raw.lower().startswith("basic "):
        return None
    user, _, password = base64.b64decode(raw[6:]).decode().partition(":")
    return user, password


def _likely(teams: list[Workspace], params: dict[str, Any]) -> list[Workspace]:
    """The org workspaces in the order most likely to hold what the call names."""
    named = {str(params.get(k)) for k in ("user", "users", "user_id", "channel") if params.get(k)}

    def knows(ws: Workspace) -> bool:
        return bool(named & (set(ws.user_ids()) | set(ws.channel_ids())))

    return sorted(teams, key=lambda ws: not knows(ws))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    slack: ManySlack


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def _serve(self, verb: str) -> None:
        slack = self.server.slack
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        parts = urlsplit(self.path)
        if parts.path.startswith("/api/"):
            answer = slack.api(parts.path[5:], parts.query, headers, body)
            status, reply_headers = 200, {"Content-Type": "application/json"}
            payload = json.dumps(answer).encode()
        else:
            status, reply_headers, payload = slack.other(verb, self.path, headers, body)
        self.send_response(status)
        for name, value in reply_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass
