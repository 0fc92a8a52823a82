"""deploy/nginx.conf in front of `setback run --http`, attacked as the bot was attacked
on its own: idle sockets, a slowloris, huge bodies, a flood from one address.

nginx is Debian's package (`.ci/run` installs it); without it these tests skip with a
reason, and under CI=true they fail.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator
from contextlib import suppress

import pytest

from tests.conftest import needs
from tests.deploy.nginx import Nginx, nginx_binary, running_nginx
from tests.hostile.bot_process import (
    ANSWER_SECONDS,
    EVENTS,
    Bot,
    closed_by_peer,
    healthz,
    idle_sockets,
    on_linux,
    open_socket,
    post_events,
    running_bot,
    send_big_body,
    signed_headers,
    signed_probe,
    trickle,
    url_verification,
)

MiB = 1024 * 1024
CAP = 1 * MiB  # client_max_body_size 1m == SETBACK_WEB_MAX_BODY_BYTES
HEADER_TIMEOUT = 10  # client_header_timeout in deploy/nginx.conf


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Nginx, Bot]]:
    if nginx_binary() is None:
        needs("nginx is not installed (Debian: apt-get install nginx)")
    with (
        running_bot(tmp_path_factory.mktemp("bot")) as bot,  # on 127.0.0.1, as advised
        running_nginx(tmp_path_factory.mktemp("nginx"), bot.port) as proxy,
    ):
        yield proxy, bot


def serves_slack_and_health(proxy: Nginx) -> None:
    started = time.monotonic()
    assert signed_probe(proxy.host, proxy.port, tls=proxy.tls) == 200
    assert healthz(proxy.host, proxy.port, tls=proxy.tls) == 200
    assert time.monotonic() - started < ANSWER_SECONDS


def test_signed_requests_and_health_pass_through(stack: tuple[Nginx, Bot]) -> None:
    proxy, _ = stack
    serves_slack_and_health(proxy)
    body = url_verification()
    assert post_events(proxy.host, proxy.port, body, {}, tls=proxy.tls)[0] == 401
    conn = http.client.HTTPSConnection(proxy.host, proxy.port, timeout=5, context=proxy.tls)
    for path, status in (("/nope", 404), (EVENTS, 405)):
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        assert resp.status == status, path
    conn.close()
    plain = http.client.HTTPConnection(proxy.host, proxy.http_port, timeout=5)
    plain.request("GET", "/healthz")
    assert plain.getresponse().status == 301  # plain HTTP only redirects to https
    plain.close()


def test_idle_sockets_do_not_starve_slack_or_health(stack: tuple[Nginx, Bot]) -> None:
    proxy, _ = stack
    # Half never finish TLS; half finish it and then send half a request.
    with idle_sockets(proxy.host, proxy.port, 150, tls=proxy.tls):
        raw = [open_socket(proxy.host, proxy.port) for _ in range(150)]
        try:
            serves_slack_and_health(proxy)
        finally:
            for sock in raw:
                sock.close()
    serves_slack_and_health(proxy)


def test_a_slowloris_is_cut_off_by_the_header_timeout(stack: tuple[Nginx, Bot]) -> None:
    """A header line every second keeps a socket open on the bot's own server for ever;
    nginx closes it once the whole header has taken client_header_timeout."""
    proxy, _ = stack
    with idle_sockets(proxy.host, proxy.port, 20, tls=proxy.tls) as socks:
        started = time.monotonic()
        deadline = started + HEADER_TIMEOUT + 10
        line = 0
        while socks and time.monotonic() < deadline:
            line += 1
            socks[:] = [s for s in socks if trickle(s, b"X-Slow-%d: 1\r\n" % line)]
            serves_slack_and_health(proxy)
            time.sleep(1.0)
            socks[:] = [s for s in socks if not closed_by_peer(s, 0.01)]
        assert socks == [], f"{len(socks)} still open after {time.monotonic() - started:.0f} s"
        assert time.monotonic() - started >= HEADER_TIMEOUT - 1


def test_huge_bodies_get_413_from_nginx(stack: tuple[Nginx, Bot]) -> None:
    proxy, bot = stack
    before = bot.peak_rss_bytes() if on_linux() else 0
    for chunked in (False, True):
        result = send_big_body(proxy.host, proxy.port, 50 * MiB, chunked=chunked, tls=proxy.tls)
        assert result.status == 413, result
        assert result.sent < 16 * MiB, result
    if on_linux():  # the bot never saw them
        assert bot.peak_rss_bytes() - before < 16 * MiB
    serves_slack_and_health(proxy)


def test_the_cap_is_the_same_on_both_sides(stack: tuple[Nginx, Bot]) -> None:
    """Exactly 1 MiB passes nginx and the bot; one byte more is 413 from headers alone."""
    proxy, _ = stack
    overhead = len(url_verification(padding=1)) - 1
    exact = url_verification(padding=CAP - overhead)
    status, answer = post_events(
        proxy.host, proxy.port, exact, signed_headers(exact), tls=proxy.tls
    )
    assert (status, b"still-here" in answer) == (200, True)
    sock = open_socket(proxy.host, proxy.port, proxy.tls)
    with suppress(OSError):
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (CAP + 1)
        )
        assert sock.recv(64).split(b" ")[1] == b"413"
    sock.close()


def test_a_flood_from_one_address_is_limited(stack: tuple[Nginx, Bot]) -> None:
    """Past the burst, one address gets 429 from nginx; the bot is not asked."""
    proxy, _ = stack
    conn = http.client.HTTPSConnection(proxy.host, proxy.port, timeout=5, context=proxy.tls)
    statuses: list[int] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and 429 not in statuses:
        conn.request("POST", EVENTS, body=b"{}", headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        statuses.append(resp.status)
        if resp.will_close:
            conn.close()
    conn.close()
    assert 429 in statuses and set(statuses) <= {401, 429}
    time.sleep(5)  # the burst refills (200 at 50 a second)
    serves_slack_and_health(proxy)
