"""Nothing of a request body or a Web API payload reaches a log, at any level.

Every logger in the process is turned up to DEBUG (Bolt's, slack_sdk's, waitress's and
ours), then the bot is driven over HTTP and through Socket Mode's message path. What a
person typed, and the `response_url` that would let anyone answer in their name, must
appear in no record: not in its text, its arguments or its traceback. The sandbox's own
records are left out: it stands in for Slack, it is not the bot.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote_plus, urlencode

import pytest

from bot.app import create_app
from tests.integration.harness import ADA, SAMPLE_STEPS, form, text, wait_for

ANSWER = "I'm such an idiot, answer-canary-4417"
RESPONSE_URL = "https://hooks.slack.com/app/T0SANDBOX/url-canary-9921/Xyz"
CANARIES = ("answer-canary-4417", "url-canary-9921")


@contextmanager
def every_logger_at_debug(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every logger that exists (and the root) at DEBUG while the block runs."""
    loggers = [
        lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    try:
        with caplog.at_level(logging.DEBUG):
            yield
    finally:
        for lg, level in saved:
            lg.setLevel(level)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the bot's records carry, raw and URL-decoded."""
    parts = []
    for r in caplog.records:
        if r.name.startswith("sandbox"):
            continue
        parts += [r.getMessage(), str(r.msg), str(r.args), r.exc_text or ""]
        if r.exc_info and r.exc_info[1] is not None:
            parts.append(str(r.exc_info[1]))
    joined = "\n".join(parts)
    return joined + "\n" + unquote_plus(joined)


def _stale_submission(h) -> bytes:
    payload = {
        "type": "view_submission",
        "team": {"id": h.ws.team_id},
        "user": {"id": ADA, "team_id": h.ws.team_id},
        "api_app_id": h.ws.app_id,
        "trigger_id": "1.2.3",
        "view": {
            "id": "V0STALE",
            "type": "modal",
            "callback_id": "setback_step",
            "private_metadata": '{"sid":null,"step":0}',
            "state": {"values": form(title=text("Stale"), facts=text(ANSWER))},
            "hash": "h",
        },
        "response_urls": [
            {
                "block_id": "b",
                "action_id": "a",
                "channel_id": "C0GENERAL",
                "response_url": RESPONSE_URL,
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_a_stale_but_well_signed_submission_leaves_nothing_of_it_in_the_log(
    harness, caplog
) -> None:
    h = harness
    body = _stale_submission(h)
    stale = {**h.slack.sign(body, int(time.time()) - 10 * 60)}
    stale["Content-Type"] = "application/x-www-form-urlencoded"
    with every_logger_at_debug(caplog):
        resp = h.slack.raw(body, stale)
    assert resp.status == 401
    text_of_logs = logged(caplog)
    for canary in CANARIES:
        assert canary not in text_of_logs


def test_bolts_own_signature_check_logs_no_body(harness, caplog) -> None:
    """Behind the front door Bolt checks the signature again, and on a mismatch logs the
    whole body at INFO: that record must reach no log with the body in it."""
    from slack_bolt.request import BoltRequest

    h = harness
    body = _stale_submission(h).decode()
    stamp = int(time.time()) - 10 * 60
    headers = {k.lower(): [v] for k, v in h.slack.sign(body.encode(), stamp).items()}
    app = create_app(h.rt, token_verification=False)
    with every_logger_at_debug(caplog):
        resp = app.dispatch(BoltRequest(body=body, headers=headers))
    assert resp.status == 401
    rejected = [r for r in caplog.records if "signature" in r.getMessage()]
    assert rejected, "the rejection is still logged, for the operator"
    assert "timestamp" in rejected[0].getMessage()  # what tells a stale one from a forgery
    text_of_logs = logged(caplog)
    for canary in CANARIES:
        assert canary not in text_of_logs


def test_a_whole_reflection_at_debug_logs_no_answer_and_no_payload(harness, caplog) -> None:
    h = harness
    with every_logger_at_debug(caplog):
        h.finish_setback(ADA)
    assert any(r.name.startswith("slack_sdk") for r in caplog.records), "Web API calls seen"
    text_of_logs = logged(caplog)
    assert "xoxb-" not in text_of_logs
    for values in SAMPLE_STEPS:
        for field in values.values():
            for state in field.values():
                if isinstance(state.get("value"), str):
                    assert state["value"] not in text_of_logs


def test_socket_mode_messages_leave_nothing_of_them_in_the_log(harness, caplog) -> None:
    """Socket Mode's client logs each envelope it receives and sends at DEBUG, and a
    listener's failure with its message: none of it may carry the payload."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    h = harness
    app = create_app(h.rt, token_verification=False)
    with every_logger_at_debug(caplog):
        handler = SocketModeHandler(app, "xapp-1-A0SETBACK-1-socketsecret")
        try:
            envelope = {
                "envelope_id": "env-1",
                "type": "interactive",
                "accepts_response_payload": True,
                "payload": json.loads(
                    unquote_plus(_stale_submission(h).decode()).removeprefix("payload=")
                ),
            }
            handler.client._on_message(json.dumps(envelope))
            wait_for(
                lambda: any("Failed to" in r.getMessage() for r in caplog.records),
                what="the socket answer attempted (no socket is connected)",
            )
        finally:
            handler.client.close()
    assert h.rt.drain()
    text_of_logs = logged(caplog)
    for canary in CANARIES:
        assert canary not in text_of_logs
    assert "socketsecret" not in text_of_logs
