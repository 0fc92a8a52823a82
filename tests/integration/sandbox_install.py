"""The bot in OAuth mode against the real sandbox Slack: installs over HTTP only.

`SandboxInstallHarness` runs the sandbox's one server (`sandbox.server.SandboxServer`:
Slack's Web API, `oauth.v2.access` and the authorize page on one port) with two
workspaces, Alpha and Beta, that only OAuth tokens serve (no fixed bot token), and the
bot exactly as `setback run --http` does with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET
and no SLACK_BOT_TOKEN. `authorize` is the person on Slack's authorize page: it opens
the page signed in as them, presses Allow (or Cancel) for a workspace, and returns
where Slack sends the browser next; `install` walks the whole install as a browser does.

The bot's redirect URL is only known once it listens, so the app's configuration in
the sandbox and the page's deliveries to the bot are completed after it starts.
"""

from __future__ import annotations

import dataclasses
import html
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from bot.app import create_app
from bot.core.clock import FixedClock
from bot.core.installs import REDIRECT_PATH
from bot.core.runtime import build_runtime
from bot.core.web import make_wsgi, serve
from sandbox.clock import SandboxClock
from sandbox.delivery import SlackDelivery
from sandbox.oauth import AppConfig, OAuth
from sandbox.org import Org
from sandbox.page import PageActions
from sandbox.server import SandboxServer
from sandbox.timetravel import TimeMachine
from sandbox.workspace import Workspace
from tests.conftest import SIGNING_SECRET, make_settings
from tests.integration.harness import ADA, BEN, START, Harness
from tests.integration.install_harness import ALPHA, BETA, CY, DEE, Browser, Page, add_to_slack_link

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "sandbox-client-secret"
_HIDDEN = re.compile(r'<input type=hidden name="([^"]+)" value="([^"]*)">')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 302 itself is the answer: where Slack sends the browser


@dataclass
class SandboxInstallHarness(Harness):
    """Harness with OAuth installs through the sandbox (module docstring)."""

    sandbox: SandboxServer = field(init=False)
    oauth: OAuth = field(init=False)
    alpha: Workspace = field(init=False)
    beta: Workspace = field(init=False)

    def start(self) -> SandboxInstallHarness:
        self.alpha, self.beta = _alpha(), _beta()
        self.oauth = OAuth(AppConfig(CLIENT_ID, CLIENT_SECRET))
        org = Org([self.alpha, self.beta], self.oauth)
        time_machine = TimeMachine(SandboxClock(), None)
        page_deliveries = {w.team_id: SlackDelivery(w, "", SIGNING_SECRET) for w in org.workspaces}
        actions = {t: PageActions(d.workspace, d, time_machine) for t, d in page_deliveries.items()}
        self.sandbox = SandboxServer(org, actions, port=0).start()
        overrides: dict[str, Any] = {
            "slack_bot_token": None,
            "slack_client_id": CLIENT_ID,
            "slack_client_secret": CLIENT_SECRET,
            "slack_api_url": f"{self.root_url}api/",
            "slack_authorize_url": self.authorize_url,
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
        self.oauth.app = dataclasses.replace(
            self.oauth.app, redirect_uris=(f"{self.url}{REDIRECT_PATH}",)
        )
        for delivery in page_deliveries.values():
            delivery.bot_url = f"{self.url}/slack/events"
        self.ws, self.slack = self.alpha, self.delivery(self.alpha)
        return self

    def stop(self) -> None:
        self.rt.drain(timeout=5)
        self._server.close()
        self._thread.join(timeout=5)
        self.sandbox.stop()
        self.rt.engine.dispose()

    @property
    def root_url(self) -> str:
        """Slack's web address in the sandbox (``…/``): the page, the API, app links."""
        return self.sandbox.url

    @property
    def authorize_url(self) -> str:
        """Slack's authorize page, where the bot's "Add to Slack" link leads."""
        return f"{self.root_url}oauth/v2/authorize"

    def delivery(self, ws: Workspace) -> SlackDelivery:
        """Signed requests from Slack to the bot, for a person of `ws`."""
        return SlackDelivery(ws, f"{self.url}/slack/events", SIGNING_SECRET)

    def issued_token(self, team_id: str) -> str | None:
        """The live bot token the sandbox issued for this workspace, if any."""
        tokens = self.oauth.snapshot()["tokens"]
        live = [t for t, v in tokens.items() if v["team_id"] == team_id]
        return live[-1] if live else None

    def authorize(self, link: str, *, team_id: str, user_id: str, deny: bool = False) -> str:
        """The person on Slack's authorize page: Allow (or Cancel) for `team_id`, signed
        in as `user_id`; the URL Slack sends the browser to next."""
        assert link.startswith(self.authorize_url), link
        cookie = {"Cookie": f"sandbox-user={user_id}"}
        shown = _fetch(link, cookie)
        assert shown.status == 200, shown.text
        form = {k: html.unescape(v) for k, v in _HIDDEN.findall(shown.text)}
        form |= {"team": team_id, "decision": "cancel" if deny else "allow"}
        origin = f"{urlsplit(self.root_url).scheme}://{urlsplit(self.root_url).netloc}"
        headers = {
            **cookie,
            "Origin": origin,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        answer = _fetch(self.authorize_url, headers, urlencode(form).encode())
        assert answer.status == 302, answer.text
        return answer.headers["Location"]

    def install(
        self, ws: Workspace, user: str, *, deny: bool = False, browser: Browser | None = None
    ) -> Page:
        """Add Setback to `ws` the way `user`'s browser does; the bot's answer page."""
        browser = browser or Browser()
        link = add_to_slack_link(browser.get(f"{self.url}/slack/install"))
        return browser.get(self.authorize(link, team_id=ws.team_id, user_id=user, deny=deny))


def _fetch(url: str, headers: dict[str, str], body: bytes | None = None) -> Page:
    """One request to the sandbox, redirects not followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with opener.open(request, timeout=10) as reply:
            return Page(reply.status, reply.read().decode(), dict(reply.headers.items()))
    except urllib.error.HTTPError as exc:
        return Page(exc.code, exc.read().decode(), dict(exc.headers.items()))


def _alpha() -> Workspace:
    ws = Workspace(
        team_id=ALPHA,
        team_name="Alpha",
        bot_token="",  # only tokens from an install serve it
        bot_user_id="U0BOTA",
        bot_id="B0SETBACKA",
        id_base=0,
        app_installed=False,
    )
    ws.add_user(ADA, "ada", "Ada Lovelace", tz="Europe/London")
    ws.add_user(BEN, "ben", "Ben Okafor", tz="America/New_York")
    ws.add_channel("C0GENERAL", "general", members=(ADA, BEN))
    return ws


def _beta() -> Workspace:
    ws = Workspace(
        team_id=BETA,
        team_name="Beta",
        bot_token="",
        bot_user_id="U0BOTB",
        bot_id="B0SETBACKB",
        id_base=500_000,
        app_installed=False,
    )
    ws.add_user(CY, "cy", "Cy Twombly", tz="Europe/London")
    ws.add_user(DEE, "dee", "Dee Rees", tz="Europe/London")
    ws.add_channel("C0BETAGEN", "beta-general", members=(CY, DEE))
    return ws
