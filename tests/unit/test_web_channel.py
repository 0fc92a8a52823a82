"""The HTTP server's channel: its event loop waits, rather than spins, while a worker
writes, and never loses or withholds a response's bytes (bot/core/web_channel.py).

Each test runs the real waitress server that `serve` builds, on a free port in a
thread, with a small WSGI app, and talks to it over a real socket. To look inside a
write, a test channel (a subclass, chosen with the server's `channel_class`) pauses a
worker's first socket send until the test has looked.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from waitress.channel import HTTPChannel

from bot.core.web import serve
from bot.core.web_channel import SteadyChannel

WAIT = 10.0  # seconds: only ever reached when something is broken

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def in_a_worker() -> bool:
    return threading.current_thread().name.startswith("waitress-")


def pausing(base: type[HTTPChannel]) -> type[HTTPChannel]:
    """`base`, with a worker's first send held until `go` is set (`inside` says it is
    held)."""

    class Pausing(base):  # type: ignore[valid-type,misc]  # why: a class made at run time
        inside = threading.Event()
        go = threading.Event()
        made: list[HTTPChannel] = []
        paused = False

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.made.append(self)

        def send(self, data: bytes, do_close: bool = True) -> int:
            if in_a_worker() and not type(self).paused:
                type(self).paused = True
                self.inside.set()
                assert self.go.wait(WAIT)
            sent: int = super().send(data, do_close)
            return sent

    return Pausing


@contextmanager
def running(app: App, channel: type[HTTPChannel] | None = None, **adj: Any) -> Iterator[int]:
    server: Any = serve(app, "127.0.0.1", 0, threads=2)
    if channel is not None:
        server.channel_class = channel
    for name, value in adj.items():
        setattr(server.adj, name, value)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        server.close()
        thread.join(WAIT)


def hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]


def get(port: int, out: list[bytes]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    conn.request("GET", "/")
    out.append(conn.getresponse().read())
    conn.close()


def writable_mid_write(base: type[HTTPChannel]) -> bool:
    channel = pausing(base)
    with running(hello, channel) as port:
        body: list[bytes] = []
        client = threading.Thread(target=get, args=(port, body))
        client.start()
        assert channel.inside.wait(WAIT)  # type: ignore[attr-defined]  # why: made at run time
        (made,) = channel.made  # type: ignore[attr-defined]  # why: made at run time
        answer = bool(made.writable())
        channel.go.set()  # type: ignore[attr-defined]  # why: made at run time
        client.join(WAIT)
    assert body == [b"hello"]
    return answer


def test_waitress_own_channel_asks_the_loop_to_poll_while_a_worker_writes() -> None:
    """Why the project has its own channel: with bytes in the buffer mid-write, waitress
    says "writable", so its loop polls a socket that is always ready, and spins. If a
    waitress release stops doing this, this test says SteadyChannel can go."""
    assert writable_mid_write(HTTPChannel) is True


def test_a_channel_whose_worker_is_writing_is_not_writable() -> None:
    assert writable_mid_write(SteadyChannel) is False


def test_bytes_the_socket_would_not_take_wake_the_loop_once_the_channel_is_writable() -> None:
    """A send that takes nothing (a full socket) leaves bytes only the loop can send.
    waitress wakes the loop from inside the write, when this channel still says "not
    writable"; the loop must be woken again after, or the bytes wait for another event.
    The channel here sits on a socket pair, its writes made by the test's thread."""

    class FullSocket(SteadyChannel):
        def send(self, data: bytes, do_close: bool = True) -> int:
            return 0

    server: Any = serve(hello, "127.0.0.1", 0)
    ours, theirs = socket.socketpair()
    try:
        channel = FullSocket(server, ours, ("127.0.0.1", 0), server.adj, map={})
        writable_at_each_wake: list[bool] = []
        server.pull_trigger = lambda: writable_at_each_wake.append(bool(channel.writable()))
        assert channel.write_soon(b"hello") == 5
    finally:
        server.close()
        theirs.close()
        ours.close()
    assert channel.total_outbufs_len == 5
    assert writable_at_each_wake and writable_at_each_wake[-1] is True


def test_a_response_past_the_high_watermark_reaches_a_slow_reader_whole() -> None:
    """Past the watermark a worker waits for the loop to drain the buffer: the loop
    must see the channel as writable then, even mid-write, or both wait forever."""
    chunk, chunks = b"x" * (1 << 20), 32

    def big(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Length", str(len(chunk) * chunks))])
        for _ in range(chunks):
            yield chunk

    with running(big, outbuf_high_watermark=64 * 1024) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        conn.request("GET", "/")
        response = conn.getresponse()
        threading.Event().wait(0.3)  # read late, so the socket's buffers fill first
        received = len(response.read())
        conn.close()
    assert received == len(chunk) * chunks


class Recording(SteadyChannel):
    """Keeps what each of a worker's socket sends carried."""

    sends: list[bytes] = []

    def send(self, data: bytes, do_close: bool = True) -> int:
        if in_a_worker():
            self.sends.append(bytes(data))
        sent: int = super().send(data, do_close)
        return sent


def test_a_response_leaves_in_one_send_header_and_body_together() -> None:
    """Each send gives the interpreter up and waits to take it back: a small response
    (every ack) goes out in one, not a header send and then a body send."""
    Recording.sends = []
    body: list[bytes] = []
    with running(hello, Recording) as port:
        get(port, body)
    assert body == [b"hello"]
    assert len(Recording.sends) == 1
    assert Recording.sends[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert Recording.sends[0].endswith(b"\r\n\r\nhello")


def test_a_response_with_no_body_still_sends_its_header() -> None:
    def no_content(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("204 No Content", [])
        return []

    with running(no_content) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        conn.request("GET", "/")
        response = conn.getresponse()
        assert (response.status, response.read()) == (204, b"")
        conn.request("HEAD", "/")  # the same connection serves the next request
        assert conn.getresponse().status == 204
        conn.close()


def test_a_streamed_response_of_unknown_length_arrives_whole_in_chunks() -> None:
    def streamed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield from (b"one ", b"two ", b"three")

    with running(streamed) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        conn.request("GET", "/")
        response = conn.getresponse()
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert response.read() == b"one two three"
        conn.close()


def test_the_server_that_serve_builds_uses_the_steady_channel() -> None:
    body: list[bytes] = []
    server: Any = serve(hello, "127.0.0.1", 0)
    assert server.channel_class is SteadyChannel
    server.close()
    with running(hello) as port:
        get(port, body)
    assert body == [b"hello"]
