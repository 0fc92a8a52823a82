"""Web API calls keep their connection open between calls, and never send a call down a
connection the server has closed (`bot.core.slack_http`)."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from urllib.error import URLError
from urllib.parse import urlsplit

import pytest
from slack_sdk.errors import SlackApiError

from bot.core import slack_http
from bot.core.slack_client import make_client, never_sent
from sandbox.slack_api import SlackApiServer
from sandbox.workspace import Workspace


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every call `{"ok": true}` over HTTP/1.1, recording which connection (the
    client's port) each call came on. `script` holds the status codes of the next
    answers; `hang_up` closes the connection after answering, without saying so."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    calls: list[tuple[int, str, dict[str, str]]] = []
    script: list[int] = []
    hang_up = False

    def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {k.lower(): v for k, v in self.headers.items()}
        type(self).calls.append((self.client_address[1], self.path, headers | {"body": body}))
        status = type(self).script.pop(0) if type(self).script else 200
        payload = json.dumps({"ok": status == 200, "error": "" if status == 200 else "x"})
        data = payload.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if status == 429:
            self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(data)
        if type(self).hang_up:
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Recorder.calls, _Recorder.script, _Recorder.hang_up = [], [], False
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    slack_http._POOL.open.clear()  # no connection kept from another test on this thread
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/api/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
        for conn, _ in slack_http._POOL.open.values():
            conn.close()
        slack_http._POOL.open.clear()


def _ports() -> list[int]:
    return [port for port, _, _ in _Recorder.calls]


def test_calls_on_one_thread_share_one_connection_across_clients(server: str) -> None:
    make_client("xoxb-1", server).auth_test()
    make_client("xoxb-1", server).chat_postMessage(channel="D1", text="hi")
    make_client("xoxb-2", server).auth_test()  # another workspace's token, same connection
    assert len(_Recorder.calls) == 3
    assert len(set(_ports())) == 1
    tokens = [headers["authorization"] for _, _, headers in _Recorder.calls]
    assert tokens == ["Bearer xoxb-1", "Bearer xoxb-1", "Bearer xoxb-2"]


def test_each_call_keeps_slack_sdks_path_body_and_user_agent(server: str) -> None:
    make_client("xoxb-1", server).chat_postMessage(channel="D1", text="hi there")
    _, path, headers = _Recorder.calls[0]
    assert path == "/api/chat.postMessage"
    assert json.loads(headers["body"]) == {"channel": "D1", "text": "hi there"}
    assert "slackclient/" in headers["user-agent"]


def test_a_connection_the_server_closed_is_not_reused(server: str) -> None:
    _Recorder.hang_up = True
    client = make_client("xoxb-1", server)
    assert client.chat_postMessage(channel="D1", text="one")["ok"]
    for _ in range(100):  # until the server's end of the stream has arrived
        kept = next(iter(slack_http._POOL.open.values()))[0]
        if not slack_http._still_open(kept):
            break
        threading.Event().wait(0.01)
    assert client.chat_postMessage(channel="D1", text="two")["ok"]
    assert len(_Recorder.calls) == 2  # the post went once, on a new connection
    assert len(set(_ports())) == 2


def test_a_connection_idle_past_the_limit_is_replaced(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client("xoxb-1", server)
    client.auth_test()
    monkeypatch.setattr(slack_http, "IDLE_LIMIT", 0.0)
    client.auth_test()
    assert len(set(_ports())) == 2


def test_threads_never_share_a_connection(server: str) -> None:
    client = make_client("xoxb-1", server)
    rounds = threading.Barrier(3)

    def calls() -> None:
        for _ in range(3):
            rounds.wait()  # the three threads call at once, round after round
            client.auth_test()

    threads = [threading.Thread(target=calls) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ports = _ports()
    assert len(ports) == 9
    assert len(set(ports)) == 3
    assert all(ports.count(port) == 3 for port in set(ports))


def test_a_rate_limited_call_waits_and_is_sent_again_on_the_kept_connection(server: str) -> None:
    _Recorder.script = [429]
    assert make_client("xoxb-1", server).auth_test()["ok"]
    assert len(_Recorder.calls) == 2
    assert len(set(_ports())) == 1


def test_a_server_error_reaches_the_caller_as_slacks_error(server: str) -> None:
    _Recorder.script = [500]
    with pytest.raises(SlackApiError) as raised:
        make_client("xoxb-1", server).chat_postMessage(channel="D1", text="hi")
    assert raised.value.response.status_code == 500
    assert len(_Recorder.calls) == 1
    assert make_client("xoxb-1", server).auth_test()["ok"]  # the connection still serves


def _unused_port() -> int:
    """A local port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_refused_connection_reads_as_never_sent() -> None:
    client = make_client("xoxb-1", f"http://127.0.0.1:{_unused_port()}/api/")
    with pytest.raises(URLError) as raised:
        client.chat_postMessage(channel="D1", text="hi")
    assert never_sent(raised.value)  # so the post's one retry still applies


def test_the_sandbox_keeps_connections_open_and_ends_them_when_it_stops() -> None:
    slack_http._POOL.open.clear()
    workspace = Workspace()
    with SlackApiServer(workspace) as api:
        client = make_client(workspace.bot_token, api.url)
        client.auth_test()
        client.auth_test()
        (conn, _), *others = slack_http._POOL.open.values()
        assert not others
        assert slack_http._still_open(conn)  # kept: one connection for both calls
    for _ in range(100):  # the stopped server hangs up; its thread does not linger
        if not slack_http._still_open(conn):
            break
        threading.Event().wait(0.01)
    assert not slack_http._still_open(conn)
    conn.close()
    slack_http._POOL.open.clear()


def test_connections_to_other_hosts_idle_past_the_limit_are_closed(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = Workspace()
    with SlackApiServer(workspace) as api:
        make_client(workspace.bot_token, api.url).auth_test()
        monkeypatch.setattr(slack_http, "IDLE_LIMIT", 0.0)
        make_client("xoxb-1", server).auth_test()  # another host: the sandbox's is closed
        assert [key[2] for key in slack_http._POOL.open] == [urlsplit(server).port]
