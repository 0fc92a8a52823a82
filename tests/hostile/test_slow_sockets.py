"""Idle and slow sockets against `setback run --http`: they must not starve Slack's
requests or `/healthz`.

The bot here runs with a 3-second channel timeout (production: 10 s) so the tests stay
short; the properties are the same at any timeout. Loops are bounded by wall time.
"""

from __future__ import annotations

import time

from tests.hostile.bot_process import (
    ANSWER_SECONDS,
    Bot,
    closed_by_peer,
    healthz,
    idle_sockets,
    open_socket,
    signed_probe,
    trickle,
)
from tests.hostile.conftest import SHORT_TIMEOUT

# waitress checks for idle channels every few seconds (cleanup_interval): allow for it.
DROPPED_WITHIN = SHORT_TIMEOUT + 5.0


def serves_slack_and_health(bot: Bot) -> None:
    started = time.monotonic()
    assert signed_probe(bot.host, bot.port) == 200
    assert healthz(bot.host, bot.port) == 200
    assert time.monotonic() - started < ANSWER_SECONDS


def test_idle_sockets_are_closed_after_the_channel_timeout(quick_bot: Bot) -> None:
    with idle_sockets(quick_bot.host, quick_bot.port, 50) as socks:
        serves_slack_and_health(quick_bot)
        started = time.monotonic()
        assert all(closed_by_peer(sock, DROPPED_WITHIN) for sock in socks)
        assert time.monotonic() - started < DROPPED_WITHIN + 1
    serves_slack_and_health(quick_bot)


def test_a_slowloris_slower_than_the_timeout_is_dropped(quick_bot: Bot) -> None:
    """One header line every (timeout + 1) s, as the attack sent one every 20 s against
    a 120 s timeout: the server closes the socket before the next line."""
    sock = open_socket(quick_bot.host, quick_bot.port)
    try:
        assert trickle(sock, b"POST /slack/events HTTP/1.1\r\n")
        lines_sent = 1
        deadline = time.monotonic() + 4 * DROPPED_WITHIN
        dropped = False
        while time.monotonic() < deadline and not dropped:
            dropped = closed_by_peer(sock, SHORT_TIMEOUT + 1.0)
            serves_slack_and_health(quick_bot)
            if not dropped:
                dropped = not trickle(sock, b"X-Slow-%d: 1\r\n" % lines_sent)
                lines_sent += 1
        assert dropped, f"still open after {lines_sent} header lines"
        assert lines_sent <= 3
    finally:
        sock.close()


def test_many_fast_tricklers_hold_slots_but_do_not_starve_slack(quick_bot: Bot) -> None:
    """Trickling faster than the timeout keeps a socket open (waitress cannot bound a
    header's total time; nginx does, in production). Each costs one of the 1,000 slots,
    so 200 of them still leave Slack's requests and /healthz answering."""
    with idle_sockets(quick_bot.host, quick_bot.port, 200) as socks:
        deadline = time.monotonic() + 2 * SHORT_TIMEOUT + 2
        line = 0
        while time.monotonic() < deadline:
            line += 1
            for sock in socks:
                trickle(sock, b"X-Slow-%d: 1\r\n" % line)
            serves_slack_and_health(quick_bot)
            time.sleep(1.0)
