"""The sandbox plays Slack's part in OAuth: the authorize page, ``oauth.v2.access``,
rotating tokens that expire, and a Web API that answers each token in its own workspace."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from slack_sdk import WebClient

from sandbox.clock import SandboxClock
from sandbox.delivery import SlackDelivery
from sandbox.oauth import CODE_SECONDS, AppConfig, OAuth
from sandbox.org import Org
from sandbox.page import PageActions
from sandbox.seed import (
    ADA,
    CLEO,
    GENERAL,
    LAUNCHES,
    ORG_ID,
    SECOND_BOT_USER,
    SECOND_ID_BASE,
    SECOND_TEAM,
    seed,
    seed_second,
)
from sandbox.server import SandboxServer
from sandbox.slack_api import SlackApiServer
from sandbox.store import StateStore
from sandbox.timetravel import TimeMachine
from sandbox.workspace import Workspace

from .conftest import FakeClock, refused
from .test_delivery import SIGNING_SECRET, Receiver

CLIENT_ID = "1111.2222"
SECRET = "s3cret-of-the-app"
REDIRECT = "http://127.0.0.1:3001/slack/oauth_redirect"
LIFETIME = 1800.0
SCOPES = "commands,chat:write,im:write,users:read"
HOST = {"host": "127.0.0.1:3000"}


@pytest.fixture
def org(clock: FakeClock) -> Org:
    first = Workspace(clock=clock)
    seed(first)
    second = Workspace(
        team_id=SECOND_TEAM,
        team_name="Northwind",
        bot_token="",
        bot_user_id=SECOND_BOT_USER,
        bot_id="B0SETBACKN",
        clock=clock,
        id_base=SECOND_ID_BASE,
        app_installed=False,
    )
    seed_second(second)
    app = AppConfig(CLIENT_ID, SECRET, redirect_uris=(REDIRECT,), token_seconds=LIFETIME)
    return Org([first, second], OAuth(app, clock), enterprise_id=ORG_ID, enterprise_name="Org")


@pytest.fixture
def api(org: Org) -> Iterator[SlackApiServer]:
    server = SlackApiServer(org).start()
    yield server
    server.stop()


@pytest.fixture
def bot() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def page(org: Org, bot: Receiver) -> Iterator[SandboxServer]:
    """The page server (asked through ``answer``, with its own host name)."""
    actions = {
        ws.team_id: PageActions(
            ws, SlackDelivery(ws, bot.url, SIGNING_SECRET), TimeMachine(SandboxClock(), None)
        )
        for ws in org.workspaces
    }
    server = SandboxServer(
        org, actions, port=0, install_url="http://127.0.0.1:3001/slack/install"
    ).start()
    HOST["host"] = f"127.0.0.1:{server.port}"
    yield server
    server.stop()


def anonymous(api: SlackApiServer) -> WebClient:
    return WebClient(base_url=api.url)


def authorize_query(**extra: str) -> str:
    asked = {
        "state": "st-1",
        "client_id": CLIENT_ID,
        "scope": SCOPES,
        "user_scope": "",
        "redirect_uri": REDIRECT,
    }
    return urlencode({**asked, **extra})


def allow(page: SandboxServer, team: str = SECOND_TEAM, decision: str = "allow") -> str:
    """Press Allow (or Cancel) on the authorize page; the redirect's location."""
    form = {**dict(parse_qs_one(authorize_query())), "team": team, "decision": decision}
    origin = f"http://{HOST['host']}"
    headers = {**HOST, "origin": origin, "cookie": f"sandbox-user={CLEO}"}
    status, answer, _ = page.answer(
        "POST", "/oauth/v2/authorize", "", headers, urlencode(form).encode()
    )
    assert status == 302
    return answer["Location"]


def parse_qs_one(query: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}


def code_from(location: str) -> str:
    return parse_qs_one(urlsplit(location).query)["code"]


def exchange(api: SlackApiServer, code: str) -> dict[str, Any]:
    answer = anonymous(api).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=SECRET, code=code, redirect_uri=REDIRECT
    )
    return dict(answer.data)  # type: ignore[arg-type]  # why: SlackResponse.data is a dict for JSON answers


# ---------------------------------------------------------------- the authorize page


def test_the_authorize_page_names_the_workspace_and_what_the_app_asks(
    page: SandboxServer,
) -> None:
    query = authorize_query(team=SECOND_TEAM)
    status, headers, body = page.answer("GET", "/oauth/v2/authorize", query, HOST, b"")
    text = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<option value="T0NORTHWIND" selected>Northwind</option>' in text
    assert "Send messages as @setback" in text and "View people in a workspace" in text
    assert "value=allow" in text and "value=cancel" in text
    assert 'name="state" value="st-1"' in text


def test_without_team_the_signed_in_persons_workspace_is_chosen(page: SandboxServer) -> None:
    cookie = {**HOST, "cookie": f"other=1; sandbox-user={CLEO}"}
    _, _, body = page.answer("GET", "/oauth/v2/authorize", authorize_query(), cookie, b"")
    assert '<option value="T0NORTHWIND" selected>' in body.decode()
    assert "Signed in as Cleo Achebe." in body.decode()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"client_id": "9.9"}, "invalid_client_id"),
        ({"redirect_uri": "https://evil.example/steal"}, "bad_redirect_uri"),
        ({"scope": ""}, "invalid_scope"),
    ],
)
def test_a_bad_install_link_gets_an_error_page_and_no_redirect(
    page: SandboxServer, change: dict[str, str], error: str
) -> None:
    status, headers, body = page.answer(
        "GET", "/oauth/v2/authorize", authorize_query(**change), HOST, b""
    )
    assert status == 400 and "Location" not in headers
    assert error in body.decode() and "evil.example" not in body.decode()


def test_allow_installs_and_redirects_with_a_code_and_the_state(
    page: SandboxServer, org: Org
) -> None:
    second = org.workspaces[1]
    assert not second.app_installed
    location = allow(page)
    assert location.startswith(REDIRECT + "?")
    answer = parse_qs_one(urlsplit(location).query)
    assert answer["state"] == "st-1" and answer["code"]
    assert second.app_installed and second.has_im(CLEO)


def test_cancel_redirects_with_access_denied_and_installs_nothing(
    page: SandboxServer, org: Org
) -> None:
    location = allow(page, decision="cancel")
    assert parse_qs_one(urlsplit(location).query) == {"error": "access_denied", "state": "st-1"}
    assert not org.workspaces[1].app_installed


def test_another_site_cannot_press_allow(page: SandboxServer, org: Org) -> None:
    form = {**parse_qs_one(authorize_query()), "team": SECOND_TEAM, "decision": "allow"}
    headers = {**HOST, "origin": "https://evil.example"}
    status, _, _ = page.answer("POST", "/oauth/v2/authorize", "", headers, urlencode(form).encode())
    assert status == 403 and not org.workspaces[1].app_installed


# ---------------------------------------------------------------- oauth.v2.access


def test_a_good_code_gets_a_rotating_bot_token_for_that_workspace(
    page: SandboxServer, api: SlackApiServer
) -> None:
    answer = exchange(api, code_from(allow(page)))
    assert answer["ok"] is True
    assert answer["token_type"] == "bot" and answer["access_token"].startswith("xoxe.xoxb-1-")
    assert answer["refresh_token"].startswith("xoxe-1-")
    assert answer["expires_in"] == int(LIFETIME)
    assert answer["scope"] == SCOPES
    assert answer["bot_user_id"] == SECOND_BOT_USER and answer["app_id"] == "A0SETBACK"
    assert answer["team"] == {"id": SECOND_TEAM, "name": "Northwind"}
    assert answer["enterprise"] == {"id": ORG_ID, "name": "Org"}
    assert answer["is_enterprise_install"] is False
    assert answer["authed_user"] == {"id": CLEO}
    me = WebClient(token=answer["access_token"], base_url=api.url).auth_test()
    assert me["team_id"] == SECOND_TEAM and me["user_id"] == SECOND_BOT_USER
    assert me["enterprise_id"] == ORG_ID


def test_a_code_works_once(page: SandboxServer, api: SlackApiServer) -> None:
    code = code_from(allow(page))
    exchange(api, code)
    assert refused(lambda: exchange(api, code))["error"] == "invalid_code"


def test_a_code_expires_after_ten_minutes(
    page: SandboxServer, api: SlackApiServer, clock: FakeClock
) -> None:
    code = code_from(allow(page))
    clock.advance(CODE_SECONDS)
    assert refused(lambda: exchange(api, code))["error"] == "invalid_code"


def test_an_unknown_code_and_another_redirect_uri_are_refused(
    page: SandboxServer, api: SlackApiServer
) -> None:
    assert refused(lambda: exchange(api, "123.abc"))["error"] == "invalid_code"
    code = code_from(allow(page))
    other = lambda: anonymous(api).oauth_v2_access(  # noqa: E731
        client_id=CLIENT_ID, client_secret=SECRET, code=code, redirect_uri=REDIRECT + "x"
    )
    assert refused(other)["error"] == "bad_redirect_uri"


def test_a_wrong_client_secret_or_id_is_refused(
    page: SandboxServer, api: SlackApiServer, org: Org
) -> None:
    code = code_from(allow(page))
    client = anonymous(api)
    wrong_secret = lambda: client.oauth_v2_access(  # noqa: E731
        client_id=CLIENT_ID, client_secret="guess", code=code
    )
    assert refused(wrong_secret)["error"] == "bad_client_secret"
    wrong_id = lambda: client.oauth_v2_access(client_id="1.2", client_secret=SECRET, code=code)  # noqa: E731
    assert refused(wrong_id)["error"] == "invalid_client_id"
    logged = org.first.recent("calls")
    assert all("client_secret" not in c["params"] and "code" not in c["params"] for c in logged)
    # the code was not spent by the refused calls: credentials as form fields work too
    form = {"client_id": CLIENT_ID, "client_secret": SECRET, "code": code}
    assert client.api_call("oauth.v2.access", data=form)["ok"] is True


# ---------------------------------------------------------------- rotation and expiry


def test_a_token_expires_and_a_refresh_gives_a_new_pair_once(
    page: SandboxServer, api: SlackApiServer, clock: FakeClock
) -> None:
    first = exchange(api, code_from(allow(page)))
    clock.advance(LIFETIME)
    expired = WebClient(token=first["access_token"], base_url=api.url)
    assert refused(expired.auth_test)["error"] == "token_expired"

    def rotate(refresh_token: str) -> Any:
        return anonymous(api).oauth_v2_access(
            client_id=CLIENT_ID,
            client_secret=SECRET,
            grant_type="refresh_token",
            refresh_token=refresh_token,
        )

    second = rotate(first["refresh_token"])
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["team"]["id"] == SECOND_TEAM and second["expires_in"] == int(LIFETIME)
    fresh = WebClient(token=second["access_token"], base_url=api.url)
    assert fresh.auth_test()["team_id"] == SECOND_TEAM
    assert refused(lambda: rotate(first["refresh_token"]))["error"] == "invalid_refresh_token"
    assert refused(lambda: rotate("xoxe-1-made-up"))["error"] == "invalid_refresh_token"


def test_uninstall_and_revoke_end_tokens(
    page: SandboxServer, api: SlackApiServer, org: Org
) -> None:
    answer = exchange(api, code_from(allow(page)))
    bot = WebClient(token=answer["access_token"], base_url=api.url)
    assert bot.apps_uninstall(client_id=CLIENT_ID, client_secret=SECRET)["ok"] is True
    assert not org.workspaces[1].app_installed
    assert refused(bot.auth_test)["error"] == "token_revoked"
    again = exchange(api, code_from(allow(page)))
    other = WebClient(token=again["access_token"], base_url=api.url)
    assert other.auth_revoke()["revoked"] is True
    assert refused(other.auth_test)["error"] == "token_revoked"


# ---------------------------------------------------------------- one workspace per token


def test_a_token_is_refused_for_another_workspaces_channels_and_people(
    page: SandboxServer, api: SlackApiServer, org: Org
) -> None:
    answer = exchange(api, code_from(allow(page)))
    northwind = WebClient(token=answer["access_token"], base_url=api.url)
    post = lambda: northwind.chat_postMessage(channel=GENERAL, text="hi")  # noqa: E731
    assert refused(post)["error"] == "channel_not_found"
    assert refused(lambda: northwind.users_info(user=ADA))["error"] == "user_not_found"
    assert refused(lambda: northwind.conversations_open(users=ADA))["error"] == "user_not_found"
    rejected = [r["error"] for r in org.workspaces[1].recent("rejections")]
    assert rejected == ["channel_not_found", "user_not_found", "user_not_found"]
    # ... and the first workspace's fixed token is refused in the second's
    sandbox = WebClient(token=org.first.bot_token, base_url=api.url)
    post_there = lambda: sandbox.chat_postMessage(channel=LAUNCHES, text="hi")  # noqa: E731
    assert refused(post_there)["error"] == "channel_not_found"
    assert refused(lambda: sandbox.users_info(user=CLEO))["error"] == "user_not_found"
    assert northwind.users_info(user=CLEO)["user"]["team_id"] == SECOND_TEAM


def test_no_token_or_an_unknown_one_is_refused(api: SlackApiServer) -> None:
    assert refused(anonymous(api).auth_test)["error"] == "not_authed"
    made_up = WebClient(token="xoxb-made-up", base_url=api.url)
    assert refused(made_up.auth_test)["error"] == "invalid_auth"


def test_ids_never_repeat_across_workspaces(org: Org) -> None:
    first, second = org.workspaces
    assert first.new_id("V") != second.new_id("V")


# ---------------------------------------------------------------- the page and the state file


def test_the_page_offers_the_install_where_the_app_is_missing(page: SandboxServer) -> None:
    status, _, body = page.answer("GET", "/sandbox/state", f"user={CLEO}", HOST, b"")
    state = json.loads(body)
    assert status == 200 and state["team"]["id"] == SECOND_TEAM
    assert state["app_installed"] is False
    listed = {w["id"]: w for w in state["workspaces"]}
    assert listed[SECOND_TEAM]["install_url"] == (
        f"http://127.0.0.1:3001/slack/install?team={SECOND_TEAM}"
    )
    assert listed["T0SANDBOX"]["install_url"] is None
    assert [p["id"] for p in listed[SECOND_TEAM]["people"]] == [CLEO, "U0DEV"]
    command = {"user": CLEO, "channel": LAUNCHES, "text": "/setback"}
    headers = {**HOST, "content-type": "application/json"}
    _, _, said = page.answer("POST", "/sandbox/command", "", headers, json.dumps(command).encode())
    assert "not a valid command here" in json.loads(said)["error"]


def test_app_redirect_opens_the_page_in_that_workspace(page: SandboxServer) -> None:
    status, headers, _ = page.answer("GET", "/app_redirect", f"team={SECOND_TEAM}", HOST, b"")
    assert status == 302 and headers["Location"] == f"/?as={CLEO}#/dm"


def test_installs_and_tokens_survive_a_restart(
    page: SandboxServer, api: SlackApiServer, org: Org, tmp_path: Path
) -> None:
    answer = exchange(api, code_from(allow(page)))
    clock = SandboxClock()
    StateStore(tmp_path / "state.json", org, clock).save()
    again = Org(
        [Workspace(clock=org.first.clock), Workspace(team_id=SECOND_TEAM, app_installed=False)],
        OAuth(org.oauth.app if org.oauth else AppConfig("", ""), org.first.clock),
    )
    assert StateStore(tmp_path / "state.json", again, clock).load()
    assert again.workspaces[1].app_installed
    assert again.by_token(answer["access_token"]) is again.workspaces[1]


def test_removing_the_app_ends_its_tokens_and_tells_the_bot(
    page: SandboxServer, api: SlackApiServer, org: Org, bot: Receiver
) -> None:
    answer = exchange(api, code_from(allow(page)))
    headers = {**HOST, "content-type": "application/json"}
    body = json.dumps({"user": CLEO}).encode()
    status, _, said = page.answer("POST", "/sandbox/uninstall", "", headers, body)
    assert status == 200 and json.loads(said)["ok"] is True
    assert not org.workspaces[1].app_installed and org.first.app_installed
    bot_token = WebClient(token=answer["access_token"], base_url=api.url)
    assert refused(bot_token.auth_test)["error"] == "token_revoked"
    events = [r["payload"] for r in bot.requests]
    assert [e["event"]["type"] for e in events] == ["app_uninstalled", "tokens_revoked"]
    assert events[1]["event"]["tokens"] == {"oauth": [], "bot": [SECOND_BOT_USER]}
    assert all(e["team_id"] == SECOND_TEAM and e["enterprise_id"] == ORG_ID for e in events)
    _, _, again = page.answer("POST", "/sandbox/uninstall", "", headers, body)
    assert "not installed" in json.loads(again)["error"]


def test_payloads_name_the_org_the_workspace_is_in(page: SandboxServer, bot: Receiver) -> None:
    allow(page)  # Northwind has the app (and Cleo her DM with it)
    command = {"user": CLEO, "channel": LAUNCHES, "text": "/setback"}
    headers = {**HOST, "content-type": "application/json"}
    page.answer("POST", "/sandbox/command", "", headers, json.dumps(command).encode())
    sent = bot.last["payload"]
    assert sent["team_id"] == SECOND_TEAM and sent["enterprise_id"] == ORG_ID


def test_a_state_file_of_the_one_workspace_sandbox_continues_in_the_first(
    org: Org, tmp_path: Path
) -> None:
    old = Workspace(clock=org.first.clock)
    seed(old)
    old.post_message(GENERAL, text="from before", user=ADA)
    snapshot = old.snapshot()
    del snapshot["app_installed"]  # format 1 did not say: the app was installed
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"version": 1, "clock_offset": 0.0, "workspace": snapshot}))
    org.first.app_installed = False
    assert StateStore(path, org, SandboxClock()).load()
    assert org.first.app_installed
    assert [m["text"] for m in org.first.history(GENERAL)] == ["from before"]
    assert org.workspaces[1].user(CLEO) is not None and not org.workspaces[1].app_installed
