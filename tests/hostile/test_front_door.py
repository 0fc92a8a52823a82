"""Hostile clients against `setback run --http` itself: huge, unsigned and malformed
requests, and many idle sockets (issue: the front door must hold without a proxy).

Every refusal is 400, 401 or 413 — never 500 —, huge bodies are refused before they are
read (the server's memory does not grow with them), and the log gets at most one short
line per minute for all of it, never a traceback and never a body.
"""

from __future__ import annotations

import threading
import time

from tests.hostile.bot_process import (
    ANSWER_SECONDS,
    Bot,
    healthz,
    idle_sockets,
    post_events,
    raw_request,
    send_big_body,
    signed_headers,
    signed_probe,
    url_verification,
)
from tests.hostile.conftest import LogWindow

MiB = 1024 * 1024
CAP = 1 * MiB  # SETBACK_WEB_MAX_BODY_BYTES's default
# Loopback socket buffers let a few MB leave the client before the server's refusal
# arrives; reading the whole body would let all of it through.
MAX_SENT_BEFORE_REFUSAL = 16 * MiB
MAX_PEAK_GROWTH = 24 * MiB
BODY_MARKER = "zq-body-marker-zq"


def answers_quickly(bot: Bot) -> None:
    started = time.monotonic()
    assert signed_probe(bot.host, bot.port) == 200
    assert healthz(bot.host, bot.port) == 200
    assert time.monotonic() - started < ANSWER_SECONDS


def test_idle_sockets_do_not_take_the_bot_offline(bot: Bot) -> None:
    # About 100 of these exhausted waitress's default connection limit.
    with idle_sockets(bot.host, bot.port, 300):
        answers_quickly(bot)
    answers_quickly(bot)


def test_a_huge_body_is_refused_before_it_is_read(bot: Bot, linux: None) -> None:
    before = bot.peak_rss_bytes()
    for chunked in (False, True):
        result = send_big_body(bot.host, bot.port, 50 * MiB, chunked=chunked)
        assert result.status == 413, result
        assert result.sent < MAX_SENT_BEFORE_REFUSAL, result
    assert bot.peak_rss_bytes() - before < MAX_PEAK_GROWTH
    answers_quickly(bot)


def test_concurrent_huge_bodies_keep_memory_flat(bot: Bot, linux: None) -> None:
    before = bot.peak_rss_bytes()
    results: list[int] = []

    def attack() -> None:
        results.append(send_big_body(bot.host, bot.port, 100 * MiB).status)

    threads = [threading.Thread(target=attack) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [413] * 8
    assert bot.peak_rss_bytes() - before < MAX_PEAK_GROWTH


def test_slacks_largest_payloads_fit_under_the_cap(bot: Bot) -> None:
    """A body of exactly the cap is served; one byte more is 413, signed or not."""
    overhead = len(url_verification(padding=1)) - 1
    exact = url_verification(padding=CAP - overhead)
    assert len(exact) == CAP
    status, answer = post_events(bot.host, bot.port, exact, signed_headers(exact))
    assert (status, b"still-here" in answer) == (200, True)
    over = url_verification(padding=CAP - overhead + 1)
    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n" % len(over)
    signature = "".join(f"{k}: {v}\r\n" for k, v in signed_headers(over).items()).encode()
    # Only the headers are sent: the answer comes before any of the body is read.
    assert raw_request(bot.host, bot.port, head + signature + b"\r\n") == 413


def _malformed_requests() -> list[tuple[bytes, int]]:
    """Raw requests an attacker can send without the signing secret (and two with it),
    each with the status it must get."""
    form = f"payload=%7Bnot{BODY_MARKER}".encode()
    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"

    def req(
        body: bytes, *headers: bytes, ctype: bytes = b"application/x-www-form-urlencoded"
    ) -> bytes:
        lines = [*headers, b"Content-Type: " + ctype, b"Content-Length: %d" % len(body)]
        return head + b"\r\n".join(lines) + b"\r\n\r\n" + body

    def signed(body: bytes) -> list[bytes]:
        return [f"{k}: {v}".encode() for k, v in signed_headers(body).items()]

    now = str(int(time.time())).encode()
    stale = [f"{k}: {v}".encode() for k, v in signed_headers(form, int(time.time()) - 600).items()]
    return [
        (req(form), 401),  # unsigned
        (req(form, b"X-Slack-Request-Timestamp: abc", b"X-Slack-Signature: v0=00"), 400),
        (req(form, b"X-Slack-Request-Timestamp: \xb2\xb3", b"X-Slack-Signature: v0=00"), 400),
        (req(form, b"X-Slack-Request-Timestamp: " + now, b"X-Slack-Signature: v0=\xe9"), 400),
        (
            req(form, b"X-Slack-Request-Timestamp: " + now, b"X-Slack-Signature: v0=" + b"0" * 64),
            401,
        ),
        (req(form, *stale), 401),
        (
            req(
                b"\xff\xfe" + form, b"X-Slack-Request-Timestamp: " + now, b"X-Slack-Signature: v0=0"
            ),
            400,
        ),
        (req(form, b"Content-Length: abc"), 400),  # two lengths: the server refuses
        (req(form, *signed(form)), 400),  # signed, but Bolt cannot parse it
        (
            req(
                b"{" + BODY_MARKER.encode(),
                *signed(b"{" + BODY_MARKER.encode()),
                ctype=b"application/json",
            ),
            400,
        ),
    ]


def test_malformed_requests_get_4xx_and_at_most_one_log_line(bot: Bot) -> None:
    window = LogWindow(bot)
    cases = _malformed_requests()
    for _ in range(10):
        for request, expected in cases:
            assert raw_request(bot.host, bot.port, request) == expected, request[:200]
    answers_quickly(bot)
    time.sleep(0.5)  # the log is written by another process
    lines = window.lines()
    refusals = [line for line in lines if "Refused a request" in line]
    assert len(refusals) <= 1, refusals
    assert all(len(line) < 200 for line in lines), lines
    text = "\n".join(lines)
    assert "Traceback" not in text and BODY_MARKER not in text and "%7Bnot" not in text
    assert " 500 " not in text and "Exception" not in text


def test_the_held_refusals_are_counted_in_the_next_line() -> None:
    """The one line a minute says how many refusals it stood for (no sleeping: a fake clock)."""
    import logging

    from bot.core.front_door import RateGate, ThrottledLog

    now = [0.0]
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("tests.hostile.throttle")
    logger.addHandler(Keep())
    throttled = ThrottledLog(logger, RateGate(every=60, clock=lambda: now[0]))
    assert [throttled.note("Refused") for _ in range(5)] == [True, False, False, False, False]
    now[0] = 61.0
    assert throttled.note("Refused")
    assert records == ["Refused", "Refused (4 more since the last such line, not logged)"]
