"""A failing listener is logged by type, request kind and place: never with its payload.

Each test makes a real listener's service raise an exception that quotes what the person
wrote (the worst case: a message built from the payload), then looks through everything
logged, at every level, for that text.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.checkins import answers
from bot.reflection import flow
from tests.integration.harness import ADA, day, form, text, wait_for

SECRET = "canary-7f3a-the-thing-i-am-ashamed-of"


def _logged(caplog) -> str:
    return caplog.text + " ".join(str(r.args) for r in caplog.records)


def test_a_failing_modal_submission_logs_no_payload(harness, caplog, monkeypatch) -> None:
    h = harness

    def broken(rt: Any, actor: Any, sid: Any, step: Any, values: Any) -> Any:
        raise ValueError(f"cannot save {values}")

    monkeypatch.setattr(flow, "submit_step", broken)
    h.open_reflection(ADA)
    with caplog.at_level(logging.DEBUG):
        resp = h.submit(ADA, form(title=text(SECRET), facts=text(SECRET), when=day("2026-11-24")))
        h.settle()
    assert resp.status == 500, "Bolt's answer to a failed listener stands"
    assert "listener failed: ValueError in a view_submission request at" in caplog.text
    assert "in on_step" in caplog.text, "where it was raised, in our code"
    assert SECRET not in _logged(caplog)


def test_a_failing_lazy_listener_logs_no_payload(harness, caplog, monkeypatch) -> None:
    h = harness

    def broken(rt: Any, actor: Any, event_id: str, channel: str, ts: str, text: str) -> None:
        raise ValueError(f"cannot keep the note {text!r}")

    monkeypatch.setattr(answers, "note_from_reply", broken)
    h.slack.message_im(ADA, "a thread to reply in")
    root = h.dm(ADA)[-1]["ts"]
    with caplog.at_level(logging.DEBUG):
        resp = h.slack.message_im(ADA, SECRET, thread_ts=root)
        wait_for(lambda: "lazy listener failed" in caplog.text, what="the failure logged")
        h.settle()
    assert resp.status == 200, "the event was acknowledged before the work failed"
    assert "lazy listener failed: ValueError at" in caplog.text
    assert "in on_message" in caplog.text
    assert SECRET not in _logged(caplog)
