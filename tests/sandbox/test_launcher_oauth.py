"""`make run` installs the bot through the sandbox's OAuth, and a second workspace can too.

The real programs again (``python -m sandbox`` and the bot it starts), over HTTP only:
the first workspace works from the start, the second one installs through the bot's
"Add to Slack" page and the sandbox's authorize page, stays installed across a restart,
and short-lived tokens are rotated by the bot as it works.
"""

from __future__ import annotations

import http.client
import json
import re
import stat
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sandbox.launcher import load_credentials
from sandbox.seed import ADA, CLEO, SECOND_TEAM
from tests.integration.harness import wait_for

from .launch import clean_env, launch

START = "2026-11-25T10:00:00Z"


def request(
    url: str, method: str = "GET", body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    """One HTTP request, no redirect followed (a browser's hop, one at a time)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=20)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body or None, headers=headers or {})
        reply = connection.getresponse()
        got = {k.lower(): v for k, v in reply.getheaders()}
        got["set-cookie"] = "; ".join(
            c.split(";", 1)[0] for c in reply.headers.get_all("Set-Cookie") or []
        )
        return reply.status, got, reply.read().decode("utf-8", "replace")
    finally:
        connection.close()


def state(url: str, user: str) -> dict:
    return json.loads(request(f"{url}/sandbox/state?user={user}")[2])


def command(url: str, user: str, text: str) -> dict:
    dm = next(c["id"] for c in state(url, user)["conversations"] if c["is_im"])
    body = json.dumps({"user": user, "channel": dm, "text": text}).encode()
    headers = {"Content-Type": "application/json"}
    return json.loads(request(f"{url}/sandbox/command", "POST", body, headers)[2])


def ok_calls(url: str, user: str, method: str) -> int:
    return sum(1 for c in state(url, user)["calls"] if c["method"] == method and c["ok"])


def install_northwind(url: str, bot_url: str) -> str:
    """Cleo adds Setback to Northwind as her browser would; the bot's answer page."""
    status, headers, page = request(f"{bot_url}/slack/install?team={SECOND_TEAM}")
    assert status == 200, page
    link = unescape(re.search(r'href="([^"]*/oauth/v2/authorize\?[^"]*)"', page).group(1))
    assert link.startswith(f"{url}/oauth/v2/authorize?")
    shown = request(link, headers={"Cookie": f"sandbox-user={CLEO}"})[2]
    assert "Signed in as Cleo Achebe." in shown
    form = dict(re.findall(r'<input type=hidden name="([^"]+)" value="([^"]*)">', shown))
    form = {k: unescape(v) for k, v in form.items()} | {"team": SECOND_TEAM, "decision": "allow"}
    status, back, _ = request(
        f"{url}/oauth/v2/authorize",
        "POST",
        urlencode(form).encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": url,
            "Cookie": f"sandbox-user={CLEO}",
        },
    )
    assert status == 302 and back["location"].startswith(f"{bot_url}/slack/oauth_redirect?code=")
    status, _, landing = request(back["location"], headers={"Cookie": headers["set-cookie"]})
    assert status == 200, landing
    return landing


def test_an_old_credentials_file_gains_a_client_id_and_stays_private(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    path.write_text(json.dumps({"bot_token": "xoxb-sandbox-old", "signing_secret": "s" * 64}))
    path.chmod(0o600)
    loaded = load_credentials(tmp_path)
    assert loaded.bot_token == "xoxb-sandbox-old" and loaded.signing_secret == "s" * 64
    assert loaded.client_id and len(loaded.client_secret) >= 32
    assert load_credentials(tmp_path) == loaded  # generated once
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_second_workspace_installs_over_http_rotates_and_stays_after_a_restart(
    tmp_path: Path,
) -> None:
    # Tokens that live 5 minutes, inside the bot's 10-minute refresh window: every
    # request the bot serves rotates its token first.
    running = launch(
        tmp_path,
        ["--start", START],
        env=clean_env(SETBACK_SANDBOX_TOKEN_SECONDS="300", LOG_LEVEL="WARNING"),
    )
    url = running.wait_open()
    bot_url = f"http://127.0.0.1:{running.bot_port}"
    try:
        assert "Northwind" in running.text()
        assert state(url, CLEO)["app_installed"] is False
        assert state(url, ADA)["app_installed"] is True  # installed by the launcher
        landing = install_northwind(url, bot_url)
        assert "Setback is installed in Northwind" in landing
        assert state(url, CLEO)["app_installed"] is True
        refreshed = ok_calls(url, ADA, "oauth.v2.access")
        assert command(url, CLEO, "/setback")["ok"]
        wait_for(lambda: state(url, CLEO)["modal"], what="Cleo's first screen")
        assert ok_calls(url, ADA, "oauth.v2.access") > refreshed  # the bot rotated
        assert state(url, CLEO)["rejections"] == [] and state(url, ADA)["rejections"] == []
    finally:
        assert running.interrupt() == 0

    again = launch(
        tmp_path,
        port=running.port,
        bot_port=running.bot_port,
        env=clean_env(
            SETBACK_SANDBOX_PORT=str(running.port),
            SETBACK_BOT_PORT=str(running.bot_port),
            SETBACK_SANDBOX_TOKEN_SECONDS="300",
        ),
    )
    url = again.wait_open()
    try:
        assert "could not be added" not in again.text()
        assert state(url, CLEO)["app_installed"] is True
        opened = ok_calls(url, CLEO, "views.open")
        assert command(url, ADA, "/setback")["ok"] and command(url, CLEO, "/setback")["ok"]
        wait_for(lambda: ok_calls(url, CLEO, "views.open") > opened, what="Cleo's modal")
        assert state(url, CLEO)["rejections"] == []
    finally:
        assert again.interrupt() == 0


def test_one_token_still_runs_the_first_workspace_as_before(tmp_path: Path) -> None:
    running = launch(tmp_path, ["--start", START, "--one-token"])
    url = running.wait_open()
    try:
        assert "has no Setback" not in running.text()
        assert command(url, ADA, "/setback")["ok"]
        wait_for(lambda: state(url, ADA)["modal"], what="Ada's first screen")
        assert ok_calls(url, ADA, "oauth.v2.access") == 0  # the bot has the one token
        cleo = state(url, CLEO)
        assert cleo["app_installed"] is False
        assert all(w["install_url"] is None for w in cleo["workspaces"])
        assert "not a valid command here" in command_in(url, CLEO)["error"]
    finally:
        assert running.interrupt() == 0


def command_in(url: str, user: str) -> dict:
    """`/setback` typed in the person's first channel (where no app DM exists)."""
    channel = next(c["id"] for c in state(url, user)["conversations"] if not c["is_im"])
    body = json.dumps({"user": user, "channel": channel, "text": "/setback"}).encode()
    headers = {"Content-Type": "application/json"}
    return json.loads(request(f"{url}/sandbox/command", "POST", body, headers)[2])
