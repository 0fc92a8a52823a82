"""Web API calls over connections kept open between calls.

slack_sdk's `WebClient` sends each call through `urllib`, which opens a connection (and,
to Slack, a TLS session) for the call and closes it after. A summary DM, a Home publish
or a modal after an ack then pays a TCP and TLS handshake every time, and on the server
that answers Slack a handshake is work done under the interpreter's lock that the
requests in flight wait behind (docs/ARCHITECTURE.md, "Web API connections").

`KeptAliveClient` changes only how one HTTP exchange is carried; everything above it —
the request body, the headers, slack_sdk's retry handlers, the errors they read — stays
slack_sdk's. The protocol:

1. Each thread keeps at most one open connection per scheme, host, port and TLS context
   (`_Pool`), shared by every client on that thread: a workspace's token travels in the
   request's headers, not in the connection.
2. Before a kept connection is reused it must have been idle less than `IDLE_LIMIT`
   seconds and must have nothing to read: a server that closed it has sent its end of
   the stream, which reads as ready. Either check failing drops it and opens a new one,
   so a call is not sent down a connection the server already closed. Connections to
   other hosts idle past the limit are closed then too, so none is held open for ever.
3. An error while sending reaches the retry handlers as `urllib` raises it (`URLError`
   around the cause), an error while reading the answer as the cause itself, so the
   decisions in `bot.core.slack_client` (a post is retried only when its connection was
   refused) read the same errors. The connection that failed is closed and forgotten.
4. A non-2xx answer is raised as `urllib.error.HTTPError` with its headers and body, as
   `urlopen` raises it: a 429's `Retry-After` is read from it.
5. A proxy, or a URL that is not http(s), takes slack_sdk's own path unchanged.
"""

from __future__ import annotations

import io
import select
import threading
import time
from http.client import HTTPConnection, HTTPResponse, HTTPSConnection
from ssl import SSLContext
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient

IDLE_LIMIT = 30.0  # seconds a connection may sit unused and still be reused

_Key = tuple[str, str, int, SSLContext | None]


class _Pool(threading.local):
    """This thread's open connections, each with when it was last used."""

    def __init__(self) -> None:
        self.open: dict[_Key, tuple[HTTPConnection, float]] = {}


_POOL = _Pool()


class KeptAliveClient(WebClient):
    """slack_sdk's `WebClient`, each call carried over this thread's kept connection."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https") or not parts.hostname:
            return super()._perform_urllib_http_request_internal(url, req)
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        key: _Key = (parts.scheme, parts.hostname, port, self.ssl if https else None)
        conn = _take(key, self.timeout)
        selector = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = dict(req.header_items())
        try:
            conn.request(req.get_method(), selector, body=req.data, headers=headers)
        except OSError as error:  # step 3: as urllib's `do_open` wraps it
            conn.close()
            raise URLError(error) from error
        try:
            resp = conn.getresponse()
            data = resp.read()
        except BaseException:
            conn.close()
            raise
        if resp.will_close:
            conn.close()
        else:
            _POOL.open[key] = (conn, time.monotonic())
        return _answer(url, resp, data)


def _take(key: _Key, timeout: float) -> HTTPConnection:
    """This thread's kept connection for `key` when it may be reused (step 2), else a
    new one (connected by its first request)."""
    _close_idle()  # what is left was used within the limit
    kept = _POOL.open.pop(key, None)
    if kept is not None:
        conn, _ = kept
        if _still_open(conn):
            if conn.sock is not None and conn.sock.gettimeout() != timeout:
                conn.sock.settimeout(timeout)
            conn.timeout = timeout
            return conn
        conn.close()
    scheme, host, port, context = key
    if scheme == "https":
        return HTTPSConnection(host, port, timeout=timeout, context=context)
    return HTTPConnection(host, port, timeout=timeout)


def _close_idle() -> None:
    """Close this thread's connections idle past the limit, whichever host they reach."""
    now = time.monotonic()
    for key, (conn, used_at) in list(_POOL.open.items()):
        if now - used_at >= IDLE_LIMIT:
            conn.close()
            del _POOL.open[key]


def _still_open(conn: HTTPConnection) -> bool:
    """False when the server has closed (or written to) an idle connection."""
    sock = conn.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def _answer(url: str, resp: HTTPResponse, data: bytes) -> dict[str, Any]:
    """The answer as slack_sdk's own path returns it; a non-2xx raised as urllib does."""
    if not 200 <= resp.status < 300:
        raise HTTPError(url, resp.status, resp.reason, resp.msg, io.BytesIO(data))
    if resp.msg.get_content_type() == "application/gzip":
        return {"status": resp.status, "headers": resp.msg, "body": data}
    charset = resp.msg.get_content_charset() or "utf-8"
    return {"status": resp.status, "headers": resp.msg, "body": data.decode(charset)}
