"""The payload guard on library loggers: real loggers, real records, no mocks."""

from __future__ import annotations

import logging

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.core.logs import WithholdPayloads, quiet_libraries, withhold_payloads

CANARY = "answer-canary-5150"


def _all_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        [caplog.text] + [f"{r.getMessage()} {r.args} {r.exc_text}" for r in caplog.records]
    )


def test_waitress_keeps_the_traceback_but_not_the_exception_message(caplog) -> None:
    quiet_libraries("INFO")
    with caplog.at_level(logging.DEBUG):
        try:
            raise ValueError(f"could not parse {CANARY}")
        except ValueError:
            logging.getLogger("waitress").exception("Exception while serving /slack/events")
    (record,) = [r for r in caplog.records if r.name == "waitress"]
    assert record.getMessage() == "Exception while serving /slack/events"
    assert "ValueError" in caplog.text and "test_logs.py" in caplog.text  # where, still
    assert CANARY not in _all_text(caplog)


def test_a_web_api_error_keeps_its_code_not_its_response(caplog) -> None:
    quiet_libraries("INFO")
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": "channel_not_found", "echo": CANARY},
        headers={},
        status_code=200,
    )
    with caplog.at_level(logging.DEBUG):
        try:
            raise SlackApiError("The request to the Slack API failed.", response)
        except SlackApiError as exc:
            logging.getLogger("slack_bolt.App").exception(f"Failed to run a listener: {exc}")
    assert "SlackApiError (channel_not_found)" in caplog.text
    assert CANARY not in _all_text(caplog)


def test_the_guard_is_on_the_apps_logger_once() -> None:
    """Bolt copies the app logger's filters onto each logger it makes for a middleware
    or a listener, so the guard must be there before the app is built, and only once."""
    quiet_libraries("INFO")
    base = logging.getLogger("slack_bolt.App")
    withhold_payloads(base)
    assert sum(isinstance(f, WithholdPayloads) for f in base.filters) == 1


def test_library_debug_lines_lose_their_values_even_at_debug(caplog) -> None:
    quiet_libraries("INFO")
    logger = logging.getLogger("slack_sdk.web.base_client")
    logger.setLevel(logging.DEBUG)
    try:
        with caplog.at_level(logging.DEBUG):
            logger.debug(
                "Sending a request - url: https://slack.com/api/chat.postMessage, "
                f"json_body: {{'text': '{CANARY}'}}"
            )
    finally:
        quiet_libraries("INFO")
    assert "Sending a request" in caplog.text
    assert CANARY not in _all_text(caplog)


def test_sqlalchemy_rows_are_withheld(caplog) -> None:
    quiet_libraries("INFO")
    logger = logging.getLogger("sqlalchemy.engine.Engine")
    with caplog.at_level(logging.DEBUG, logger="sqlalchemy.engine.Engine"):
        logger.debug("Row %r", (1, {"facts": CANARY}))
        logger.info("SELECT reflection.answers FROM reflection WHERE reflection.id = ?")
    assert "Row (details withheld)" in caplog.text
    assert "SELECT reflection.answers" in caplog.text
    assert CANARY not in _all_text(caplog)
