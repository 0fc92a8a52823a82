"""Installing through Slack's OAuth over HTTP against the sandbox Slack: the "Add to
Slack" page, the sandbox's authorize page (Allow or Cancel), and back to
`/slack/oauth_redirect` — a good install, a forged, reused or expired state, a
cancelled install, a code Slack refuses. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.core.installs import BOT_SCOPES, STATE_SECONDS
from tests.integration.harness import ADA, BEN
from tests.integration.install_harness import ALPHA, BETA, Browser, add_to_slack_link
from tests.integration.sandbox_install import CLIENT_ID, SandboxInstallHarness


@pytest.fixture
def h(tmp_path, db_url) -> Iterator[SandboxInstallHarness]:
    harness = SandboxInstallHarness(tmp_path, database_url=db_url).start()
    yield harness
    harness.stop()


def installed(h: SandboxInstallHarness, team_id: str) -> str | None:
    """The bot token stored for this workspace, if any."""
    assert h.rt.installs is not None
    bot = h.rt.installs.store.find_bot(enterprise_id=None, team_id=team_id)
    return bot.bot_token if bot is not None else None


def test_the_install_page_links_to_slack_with_the_scopes_of_the_manifest(h) -> None:
    browser = Browser()
    page = browser.get(f"{h.url}/slack/install")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    link = add_to_slack_link(page)
    assert link.startswith(h.authorize_url)
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert query["client_id"] == CLIENT_ID
    assert query["scope"].split(",") == list(BOT_SCOPES)
    assert query["state"] and browser.cookies, "the state goes to Slack and into a cookie"
    assert not re.search(r"(src|href)=\"?https?://(?!127\.0\.0\.1)", page.text.replace(link, ""))


def test_a_good_install_is_stored_and_says_what_to_do_next(h) -> None:
    page = h.install(h.alpha, BEN)
    assert page.status == 200, page.text
    assert "Setback is installed in Alpha" in page.text
    assert "<code>/setback</code>" in page.text and "Apps" in page.text
    assert f"{h.root_url}app_redirect?app=A0SETBACK&amp;team={ALPHA}" in page.text
    issued = h.issued_token(ALPHA)
    assert issued is not None and installed(h, ALPHA) == issued
    assert installed(h, BETA) is None

    view = h.open_reflection(ADA)  # Bolt found Alpha's installation for the command
    assert view["callback_id"] == "setback_step"
    # Alpha answers no token but the ones its installs were issued: this call used it.
    assert ("views.open", True) in [(c["method"], c["ok"]) for c in h.alpha.calls]


def test_a_forged_state_or_one_used_twice_installs_nothing(h) -> None:
    browser = Browser()
    link = add_to_slack_link(browser.get(f"{h.url}/slack/install"))
    landing = h.authorize(link, team_id=ALPHA, user_id=BEN)
    forged = re.sub(r"state=[^&]+", "state=forged", landing)
    page = browser.get(forged)
    assert page.status in (400, 401) and "Setback was not installed" in page.text
    assert "/slack/install" in page.text, "the page says how to try again"
    assert installed(h, ALPHA) is None

    fresh = Browser()
    assert h.install(h.alpha, BEN, browser=fresh).status == 200
    again = h.authorize(
        add_to_slack_link(fresh.get(f"{h.url}/slack/install")), team_id=BETA, user_id="U0CY"
    )
    replay = Browser(dict(fresh.cookies)).get(again)
    assert replay.status == 200
    spent = Browser(dict(fresh.cookies)).get(again)
    assert spent.status == 401 and "expired or was already used" in spent.text


def test_a_state_from_another_browser_installs_nothing(h) -> None:
    link = add_to_slack_link(Browser().get(f"{h.url}/slack/install"))
    landing = h.authorize(link, team_id=ALPHA, user_id=BEN)
    page = Browser().get(landing)  # no state cookie: not the browser that started
    assert page.status == 400 and "another browser" in page.text
    assert installed(h, ALPHA) is None


def test_an_expired_state_installs_nothing(h) -> None:
    browser = Browser()
    link = add_to_slack_link(browser.get(f"{h.url}/slack/install"))
    h.clock.advance(timedelta(seconds=STATE_SECONDS + 1))
    page = browser.get(h.authorize(link, team_id=ALPHA, user_id=BEN))
    assert page.status == 401 and "Install links last 10 minutes" in page.text
    assert installed(h, ALPHA) is None


def test_a_cancelled_install_stores_nothing_and_says_so(h) -> None:
    page = h.install(h.alpha, BEN, deny=True)
    assert page.status == 200
    assert "cancelled" in page.text and "nothing was stored" in page.text
    assert installed(h, ALPHA) is None


def test_a_code_slack_refuses_installs_nothing(h) -> None:
    browser = Browser()
    link = add_to_slack_link(browser.get(f"{h.url}/slack/install"))
    landing = h.authorize(link, team_id=ALPHA, user_id=BEN)
    page = browser.get(re.sub(r"code=[^&]+", "code=made-up", landing))
    assert page.status == 401 and "Slack did not accept this install" in page.text
    assert installed(h, ALPHA) is None
