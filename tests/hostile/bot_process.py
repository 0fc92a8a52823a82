"""The real bot (`setback run --http`) as its own process, and the clients that attack it.

`start_bot` runs the installed command against a stand-in Slack Web API (the sandbox's,
in this process) on a free loopback port, with its log in a file, so a test can read
what an operator would see and measure the server's memory (RSS) from outside.
The helpers below speak HTTP over plain sockets: an attacker does not use a polite
client, and a test must control exactly which bytes leave and when.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

from sandbox.slack_api import SlackApiServer
from sandbox.workspace import Workspace
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEST_KEY
from tests.sandbox.launch import clean_env, free_port

EVENTS = "/slack/events"
READY_SECONDS = 60.0
ANSWER_SECONDS = 5.0  # a signed request or /healthz must answer within this, under attack


@dataclass
class Bot:
    """A running `setback run --http` and where to reach it."""

    process: subprocess.Popen[bytes]
    log: Path
    host: str
    port: int

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def peak_rss_bytes(self) -> int:
        """The most resident memory the server has had since it started (Linux /proc):
        a body read whole shows here even after it was freed."""
        return _proc_status(self.process.pid, "VmHWM")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def running_bot(tmp_path: Path, **settings: str) -> Iterator[Bot]:
    """Start the bot with the stand-in Slack; `settings` are extra environment variables."""
    api = SlackApiServer(Workspace()).start()
    port = free_port()
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'setback.db'}",
        SETBACK_ENCRYPTION_KEYS=TEST_KEY.decode(),
        SETBACK_DATA_DIR=str(tmp_path / ".setback"),
        HOST="127.0.0.1",
        PORT=str(port),
        LOG_LEVEL="INFO",
        **settings,
    )
    log = tmp_path / f"bot-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--http"],
            cwd=tmp_path,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    bot = Bot(process, log, "127.0.0.1", port)
    try:
        _wait_ready(bot)
        yield bot
    finally:
        bot.stop()
        api.stop()


def _wait_ready(bot: Bot) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if bot.process.poll() is not None:
            break
        with suppress(OSError):
            if healthz(bot.host, bot.port, timeout=1.0) == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"the bot did not start:\n{bot.log_text()[-4000:]}")


# --- well-behaved requests ----------------------------------------------------------------


def signed_headers(body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack would send with `body` (slack_sdk's own signer)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def url_verification(padding: int = 0) -> bytes:
    """Slack's url_verification event (needs no database), optionally padded in size."""
    event = {"type": "url_verification", "token": "t", "challenge": "still-here"}
    if padding:
        event["padding"] = "x" * padding
    return json.dumps(event).encode()


def _connection(
    host: str, port: int, timeout: float, tls: ssl.SSLContext | None
) -> http.client.HTTPConnection:
    if tls is not None:
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=tls)
    return http.client.HTTPConnection(host, port, timeout=timeout)


def post_events(
    host: str,
    port: int,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float = ANSWER_SECONDS,
    tls: ssl.SSLContext | None = None,
) -> tuple[int, bytes]:
    """One POST to /slack/events on a fresh connection: (status, body)."""
    conn = _connection(host, port, timeout, tls)
    try:
        conn.request(
            "POST", EVENTS, body=body, headers={"Content-Type": "application/json", **headers}
        )
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def signed_probe(
    host: str, port: int, *, timeout: float = ANSWER_SECONDS, tls: ssl.SSLContext | None = None
) -> int:
    """A signed url_verification: 200 with the challenge when Slack's requests get through."""
    body = url_verification()
    status, answer = post_events(host, port, body, signed_headers(body), timeout=timeout, tls=tls)
    assert status != 200 or b"still-here" in answer
    return status


def healthz(
    host: str, port: int, *, timeout: float = ANSWER_SECONDS, tls: ssl.SSLContext | None = None
) -> int:
    conn = _connection(host, port, timeout, tls)
    try:
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


# --- hostile clients ----------------------------------------------------------------------

IDLE_HEAD = b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"


def open_socket(host: str, port: int, tls: ssl.SSLContext | None = None) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=5)
    if tls is not None:
        return tls.wrap_socket(sock, server_hostname="localhost")
    return sock


@contextmanager
def idle_sockets(
    host: str, port: int, count: int, tls: ssl.SSLContext | None = None
) -> Iterator[list[socket.socket]]:
    """`count` connections that send the start of a request and then nothing more."""
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = open_socket(host, port, tls)
            sock.sendall(IDLE_HEAD)
            socks.append(sock)
        yield socks
    finally:
        for sock in socks:
            with suppress(OSError):
                sock.close()


def closed_by_peer(sock: socket.socket, within: float) -> bool:
    """Whether the other side closes `sock` (EOF or reset) within `within` seconds."""
    sock.settimeout(within)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if not sock.recv(4096):
                return True
        except TimeoutError:
            return False
        except OSError:  # reset, or TLS torn down
            return True
    return False


def trickle(sock: socket.socket, line: bytes) -> bool:
    """Send one more header line; False when the server has already closed the socket."""
    try:
        sock.sendall(line)
        return True
    except OSError:
        return False


@dataclass
class BigBodyResult:
    """What a client saw sending a huge body: the status (0: none) and bytes it got out."""

    status: int
    sent: int


def send_big_body(
    host: str,
    port: int,
    size: int,
    *,
    chunked: bool = False,
    tls: ssl.SSLContext | None = None,
    chunk: int = 64 * 1024,
) -> BigBodyResult:
    """POST an unsigned body of `size` bytes, stopping when the server answers or closes.

    Between chunks it checks, without blocking, for an answer, so an early
    413 stops the upload; `sent` then shows how much the server let in before refusing.
    """
    sock = open_socket(host, port, tls)
    framing = (
        b"Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {size}\r\n".encode()
    )
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n" + framing + b"\r\n"
    )
    sent, status = 0, 0
    piece = b"a" * chunk
    try:
        sock.sendall(head)
        sock.settimeout(5)
        while sent < size:
            status = _peek_status(sock)
            if status:
                break
            part = piece if not chunked else f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
            try:
                sock.sendall(part)
            except OSError:
                break
            sent += len(piece)
        if not status:
            status = _read_status(sock)
    finally:
        with suppress(OSError):
            sock.close()
    return BigBodyResult(status, sent)


def _peek_status(sock: socket.socket) -> int:
    """The status of an answer already waiting on `sock`, without blocking; 0 if none."""
    sock.setblocking(False)
    try:
        data = (
            sock.recv(64, socket.MSG_PEEK) if not isinstance(sock, ssl.SSLSocket) else sock.recv(64)
        )
    except OSError:  # nothing waiting yet (BlockingIOError, SSLWantReadError), or reset
        return 0
    finally:
        sock.setblocking(True)
        sock.settimeout(5)
    return _status_of(data)


def _read_status(sock: socket.socket) -> int:
    with suppress(OSError):
        return _status_of(sock.recv(64))
    return 0


def _status_of(data: bytes) -> int:
    parts = data.split(b" ", 2)
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit():
        return int(parts[1])
    return 0


def raw_request(host: str, port: int, request: bytes, timeout: float = ANSWER_SECONDS) -> int:
    """Send hand-made request bytes; the status of the answer (0: none)."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        return _read_status(sock)


def _proc_status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} line")


def on_linux() -> bool:
    return os.path.exists("/proc/self/status")
