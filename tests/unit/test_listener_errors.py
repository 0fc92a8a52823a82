"""What the error log line may say: Slack's vocabulary and our code's places, nothing typed."""

from __future__ import annotations

import logging

from handlers.errors import WithholdLazyErrors, raised_at, request_kind


def test_the_request_kind_is_slacks_word_never_a_value_a_person_typed() -> None:
    assert request_kind({"command": "/setback", "text": "my secret"}) == "slash_command"
    assert request_kind({"type": "view_submission", "view": {}}) == "view_submission"
    assert request_kind({"type": "event_callback", "event": {"type": "message"}}) == "event:message"
    assert request_kind({"type": "I pushed to prod"}) == "other"
    assert request_kind({"type": "event_callback", "event": {"type": None}}) == "event:other"
    assert request_kind({}) == "other"


def _raise_here() -> None:
    raise KeyError("what someone wrote")


def test_raised_at_names_a_file_line_and_function_but_no_message() -> None:
    try:
        _raise_here()
    except KeyError as exc:
        where = raised_at(exc.__traceback__)
    assert where.startswith("test_listener_errors.py:") and where.endswith(" in _raise_here")
    assert raised_at(None) == "?"


def test_the_lazy_failure_record_loses_its_message_and_keeps_the_type() -> None:
    record = logging.LogRecord(
        "slack_bolt.App", logging.ERROR, __file__, 1, "Failed to run an internal function (%s)",
        ("what someone wrote",), None,
    )  # fmt: skip
    try:
        _raise_here()
    except KeyError:
        assert WithholdLazyErrors().filter(record)
    message = record.getMessage()
    assert message.startswith("lazy listener failed: KeyError at test_listener_errors.py:")
    assert "what someone wrote" not in message


def test_other_records_pass_unchanged() -> None:
    record = logging.LogRecord(
        "slack_bolt.App", logging.INFO, __file__, 1, "hello %s", ("x",), None
    )
    assert WithholdLazyErrors().filter(record) and record.getMessage() == "hello x"
