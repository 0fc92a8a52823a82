"""The Web API client never re-sends a post whose connection broke after sending."""

from __future__ import annotations

import http.server
import threading
from http.client import RemoteDisconnected
from urllib.error import URLError

import pytest
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.state import RetryState

from bot.core.slack_client import SafeConnectionRetryHandler, make_client


def _request(method: str) -> HttpRequest:
    return HttpRequest(
        method="POST",
        url=f"https://slack.com/api/{method}",
        headers={},
        body_params=None,
        data=None,
    )


@pytest.mark.parametrize(
    ("method", "error", "retry"),
    [
        ("chat.postMessage", RemoteDisconnected("gone"), False),
        ("chat.postMessage", ConnectionResetError(), False),
        ("chat.postMessage", URLError(ConnectionRefusedError()), True),
        ("chat.postMessage", URLError(ConnectionResetError()), False),
        ("files.completeUploadExternal", ConnectionResetError(), False),
        ("chat.update", RemoteDisconnected("gone"), True),
        ("conversations.replies", ConnectionResetError(), True),
        ("chat.postMessage", None, False),
    ],
)
def test_retry_decisions(method, error, retry) -> None:
    handler = SafeConnectionRetryHandler(max_retry_count=1)
    state = RetryState()
    assert handler.can_retry(state=state, request=_request(method), error=error) is retry


class _DropAfterRead(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_POST(self) -> None:  # noqa: N802
        type(self).hits += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.close_connection = True  # read the post, then hang up without answering

    def log_message(self, *args) -> None:
        pass


def test_a_post_that_may_have_landed_is_sent_once() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _DropAfterRead)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = make_client("xoxb-1", f"http://127.0.0.1:{server.server_address[1]}/api/")
        with pytest.raises(Exception):  # noqa: B017 - the dropped connection surfaces
            client.chat_postMessage(channel="D1", text="hello")
        assert _DropAfterRead.hits == 1
        _DropAfterRead.hits = 0
        with pytest.raises(Exception):  # noqa: B017
            client.conversations_replies(channel="D1", ts="1.0")
        assert _DropAfterRead.hits == 2  # reads are retried once
    finally:
        server.shutdown()
        server.server_close()
