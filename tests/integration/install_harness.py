"""The bot installed through OAuth into two workspaces (and, optionally, an org).

`InstallHarness` runs the bot exactly as `setback run --http` does with SLACK_CLIENT_ID
and SLACK_CLIENT_SECRET and no SLACK_BOT_TOKEN, against `ManySlack` (two workspaces,
Alpha and Beta, and OAuth). `install` walks an install the way a person's browser does:
the "Add to Slack" page, Slack's authorize page, back to the redirect URL with the
state cookie. `in_workspace` gives the same harness acting in the other workspace.

The OAuth flow itself (state, cancel, refused code) runs against the real sandbox
(`tests.integration.sandbox_install`); this stand-in remains for what the sandbox does
not play: org-wide installs, the token each call was made with, expiring one token and
slowing a refresh so that workers overlap.
"""

from __future__ import annotations

import copy
import html
import re
import secrets
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from bot.app import create_app
from bot.core.clock import FixedClock
from bot.core.runtime import build_runtime
from bot.core.web import make_wsgi, serve
from sandbox.delivery import SlackDelivery
from sandbox.workspace import Workspace
from tests.conftest import SIGNING_SECRET, make_settings
from tests.integration.harness import ADA, BEN, START, Harness
from tests.integration.many_slack import CLIENT_ID, CLIENT_SECRET, ManySlack

ALPHA, BETA = "T0ALPHA", "T0BETA"
CY, DEE = "U0CY", "U0DEE"
ORG = "E0ORG"


@dataclass
class Page:
    status: int
    text: str
    headers: dict[str, str]


@dataclass
class Browser:
    """A person's browser: GETs that keep the cookies they were given."""

    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, url: str) -> Page:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                page = Page(reply.status, reply.read().decode(), dict(reply.headers.items()))
                raw_cookies = reply.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as exc:
            page = Page(exc.code, exc.read().decode(), dict(exc.headers.items()))
            raw_cookies = exc.headers.get_all("Set-Cookie") or []
        for raw in raw_cookies:
            name, _, rest = raw.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in raw or "expires=Thu, 01 Jan 1970" in raw:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return page


def add_to_slack_link(page: Page) -> str:
    """The one "Add to Slack" link of the install page."""
    links = re.findall(r'<a class=button href="([^"]+)">Add to Slack</a>', page.text)
    assert len(links) == 1, page.text
    return html.unescape(links[0])


@dataclass
class InstallHarness(Harness):
    """Harness with OAuth installs (module docstring)."""

    rotation: bool = False
    org: str | None = None  # both workspaces belong to this Enterprise Grid org
    many: ManySlack = field(init=False)
    alpha: Workspace = field(init=False)
    beta: Workspace = field(init=False)

    def start(self) -> InstallHarness:
        self.many = ManySlack(rotation=self.rotation)
        self.alpha = self.many.add(_alpha(), self.org)
        self.beta = self.many.add(_beta(), self.org)
        self.many.start()
        overrides: dict[str, Any] = {
            "slack_bot_token": None,
            "slack_client_id": CLIENT_ID,
            "slack_client_secret": CLIENT_SECRET,
            "slack_api_url": self.many.url,
            "slack_authorize_url": self.many.authorize_url,
        }
        if self.database_url:
            overrides["database_url"] = self.database_url
        overrides.update(self.settings_overrides)
        self.clock = FixedClock(START)
        self.rt = build_runtime(make_settings(self.tmp_path, **overrides), clock=self.clock)
        assert self.rt.installs is not None, "OAuth installs are on"
        self._server = serve(make_wsgi(create_app(self.rt), self.rt), "127.0.0.1", 0, threads=8)
        self.url = f"http://127.0.0.1:{self._server.effective_port}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self.many.redirect_uri = f"{self.url}/slack/oauth_redirect"
        self.ws, self.slack = self.alpha, self.delivery(self.alpha)
        return self

    def stop(self) -> None:
        self.rt.drain(timeout=5)
        self._server.close()
        self._thread.join(timeout=5)
        self.many.stop()
        self.rt.engine.dispose()

    def delivery(self, ws: Workspace) -> SlackDelivery:
        return SlackDelivery(ws, f"{self.url}/slack/events", SIGNING_SECRET)

    def in_workspace(self, ws: Workspace) -> InstallHarness:
        """The same bot and Slack, with a person acting in `ws`."""
        other = copy.copy(self)
        other.ws, other.slack = ws, self.delivery(ws)
        return other

    def install(
        self,
        ws: Workspace | None = None,
        user: str | None = None,
        *,
        org_wide: str | None = None,
        deny: bool = False,
        browser: Browser | None = None,
    ) -> Page:
        """Add Setback to `ws` (or org-wide) the way a person's browser does."""
        browser = browser or Browser()
        link = add_to_slack_link(browser.get(f"{self.url}/slack/install"))
        team = ws.team_id if ws is not None else None
        installer = user or (ws.user_ids()[1] if ws is not None else ADA)
        landing = self.many.authorize(
            link, team_id=team, user_id=installer, org_wide=org_wide, deny=deny
        )
        return browser.get(landing)


def _alpha() -> Workspace:
    ws = Workspace(
        team_id=ALPHA, team_name="Alpha", bot_token=_fixed(), bot_user_id="U0BOTA", id_base=0
    )
    ws.add_user(ADA, "ada", "Ada Lovelace", tz="Europe/London")
    ws.add_user(BEN, "ben", "Ben Okafor", tz="America/New_York")
    ws.add_channel("C0GENERAL", "general", members=(ADA, BEN))
    return ws


def _beta() -> Workspace:
    ws = Workspace(
        team_id=BETA, team_name="Beta", bot_token=_fixed(), bot_user_id="U0BOTB", id_base=500_000
    )
    ws.add_user(CY, "cy", "Cy Twombly", tz="Europe/London")
    ws.add_user(DEE, "dee", "Dee Rees", tz="Europe/London")
    ws.add_channel("C0BETAGEN", "beta-general", members=(CY, DEE))
    return ws


def _fixed() -> str:
    """A workspace's own token, which only the stand-in knows: the bot never gets it."""
    return f"xoxb-never-issued-{secrets.token_hex(8)}"
