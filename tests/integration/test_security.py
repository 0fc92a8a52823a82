"""Signatures, ownership, logs and health: what an attacker or an operator meets."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

from sqlmodel import select

from storage.db import make_engine, session_scope
from storage.models import Reflection, Setback
from tests.integration.harness import ADA, BEN, SAMPLE_STEPS, form, text, wait_for


def _command_body(user: str, trigger: str = "123.456.abc") -> bytes:
    return urlencode(
        {
            "team_id": "T0SANDBOX",
            "user_id": user,
            "command": "/setback",
            "text": "",
            "trigger_id": trigger,
            "response_url": "http://127.0.0.1:9/response",
            "channel_id": "D0ADA",
            "api_app_id": "A0SETBACK",
        }
    ).encode()


def _rows(h, model):
    with session_scope(h.rt.engine, readonly=True) as s:
        return list(s.exec(select(model)))


def test_forged_unsigned_and_stale_requests_get_401(harness) -> None:
    h = harness
    body = _command_body(ADA)
    forged = {
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "0" * 64,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    stale_ts = int(time.time()) - 6 * 60
    stale = {**h.slack.sign(body, stale_ts), "Content-Type": "application/x-www-form-urlencoded"}
    unsigned = {"Content-Type": "application/x-www-form-urlencoded"}
    for headers in (forged, stale, unsigned):
        resp = h.slack.raw(body, headers)
        assert resp.status == 401

    def opened() -> list:
        return [c for c in h.ws.calls if c["method"] == "views.open"]

    assert opened() == []
    good = {**h.slack.sign(body), "Content-Type": "application/x-www-form-urlencoded"}
    assert h.slack.raw(body, good).status == 200  # the same body, signed, is accepted
    wait_for(opened, what="views.open after the signed request")


def test_rejected_requests_change_nothing(harness) -> None:
    h = harness
    payload = {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX"},
        "user": {"id": ADA, "team_id": "T0SANDBOX"},
        "api_app_id": "A0SETBACK",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "setback_step",
            "private_metadata": '{"sid":null,"step":0}',
            "state": {"values": SAMPLE_STEPS[0]},
            "hash": "h",
        },
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    resp = h.slack.raw(body, {"X-Slack-Signature": "v0=bad", "X-Slack-Request-Timestamp": "1"})
    assert resp.status == 401
    assert _rows(h, Setback) == []


def _crafted_submission(h, user: str, setback_id: int, step: int, values) -> dict:
    payload = {
        "type": "view_submission",
        "team": {"id": h.ws.team_id, "domain": "sandbox"},
        "user": {"id": user, "team_id": h.ws.team_id, "name": "mallory"},
        "api_app_id": h.ws.app_id,
        "trigger_id": "1.2.3",
        "view": {
            "id": "VCRAFTED",
            "type": "modal",
            "team_id": h.ws.team_id,
            "callback_id": "setback_step",
            "private_metadata": json.dumps({"sid": setback_id, "step": step}),
            "state": {"values": values},
            "hash": "x",
        },
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = {**h.slack.sign(body), "Content-Type": "application/x-www-form-urlencoded"}
    resp = h.slack.raw(body, headers)
    assert resp.status == 200
    return resp.json()


def _ada_draft(h) -> Setback:
    h.open_reflection(ADA)
    h.submit(ADA, SAMPLE_STEPS[0])
    h.wait_modal(ADA, "setback_step", 1)
    (draft,) = _rows(h, Setback)
    return draft


def test_another_users_crafted_submission_is_refused(harness) -> None:
    h = harness
    draft = _ada_draft(h)
    before = {r.step: r.answers for r in _rows(h, Reflection)}
    hostile = form(title=text("pwned"), facts=text("overwritten by Ben"))
    answer = _crafted_submission(h, BEN, draft.id, 0, hostile)
    assert answer["response_action"] == "update"
    assert answer["view"]["callback_id"] == "setback_gone"
    assert "Config push" not in json.dumps(answer)  # reveals nothing of Ada's
    assert {r.step: r.answers for r in _rows(h, Reflection)} == before
    (after,) = _rows(h, Setback)
    assert after.title == draft.title and after.current_step == draft.current_step


def test_another_team_cannot_touch_the_setback(harness) -> None:
    h = harness
    draft = _ada_draft(h)
    payload = {
        "type": "view_submission",
        "team": {"id": "T0OTHER"},
        "user": {"id": ADA, "team_id": "T0OTHER"},
        "api_app_id": h.ws.app_id,
        "view": {
            "id": "V9",
            "type": "modal",
            "callback_id": "setback_step",
            "private_metadata": json.dumps({"sid": draft.id, "step": 1}),
            "state": {"values": SAMPLE_STEPS[1]},
            "hash": "x",
        },
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    resp = h.slack.raw(body, {**h.slack.sign(body)})
    assert resp.json()["view"]["callback_id"] == "setback_gone"
    assert 1 not in {r.step for r in _rows(h, Reflection)}


def test_crafted_resume_and_start_over_clicks_are_refused(harness) -> None:
    h = harness
    draft = _ada_draft(h)
    h.slack.close_view(ADA, h.modal(ADA)["id"])
    for action in ("setback_resume", "setback_start_over"):
        if h.modal(BEN):
            h.slack.close_view(BEN, h.modal(BEN)["id"])
        ben_view = h.open_reflection(BEN)  # a fresh modal: the wait below sees this click
        payload = {
            "type": "block_actions",
            "team": {"id": h.ws.team_id},
            "user": {"id": BEN, "team_id": h.ws.team_id},
            "api_app_id": h.ws.app_id,
            "trigger_id": "1.2.3",
            "container": {"type": "view", "view_id": ben_view["id"]},
            "view": ben_view,
            "actions": [
                {
                    "type": "button",
                    "action_id": action,
                    "block_id": "resume",
                    "value": str(draft.id),
                    "action_ts": "1",
                }
            ],
        }
        body = urlencode({"payload": json.dumps(payload)}).encode()
        assert h.slack.raw(body, h.slack.sign(body)).status == 200
        # The refusal is shown only after the service ran (and refused) for this click.
        wait_for(
            lambda: (h.modal(BEN) or {}).get("callback_id") == "setback_gone",
            what="gone view",
        )
        (still,) = _rows(h, Setback)
        assert still.id == draft.id and still.status == "draft"
    (still,) = _rows(h, Setback)  # Ada's draft survives Ben's "start over"
    assert still.id == draft.id and still.status == "draft"


def test_no_token_or_answer_text_in_logs(harness, caplog) -> None:
    with caplog.at_level(logging.DEBUG):
        harness.finish_setback(ADA)
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert caplog.records, "the flow logged something to inspect"
    assert "xoxb-" not in logged
    for values in SAMPLE_STEPS:
        for field in values.values():
            for state in field.values():
                if isinstance(state.get("value"), str):
                    assert state["value"] not in logged


def test_token_verification_uses_slack_api_url(harness) -> None:
    assert any(c["method"] == "auth.test" for c in harness.ws.calls)


def test_healthz_reports_database_state(harness) -> None:
    with urllib.request.urlopen(f"{harness.url}/healthz", timeout=5) as resp:
        assert resp.status == 200
        assert json.load(resp)["status"] == "ok"
    harness.rt.engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        urllib.request.urlopen(f"{harness.url}/healthz", timeout=10)
        raise AssertionError("expected 503")
    except urllib.error.HTTPError as err:
        assert err.code == 503


def test_unknown_paths_and_methods(harness) -> None:
    for method, path, code in (("GET", "/slack/events", 405), ("GET", "/nope", 404)):
        req = urllib.request.Request(f"{harness.url}{path}", method=method)
        try:
            urllib.request.urlopen(req, timeout=5)
            raise AssertionError("expected an error status")
        except urllib.error.HTTPError as err:
            assert err.code == code
