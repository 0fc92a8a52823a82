"""Reading Slack's payloads: the acting person as Bolt's context names them, and ids."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import BoltContext, BoltRequest

from bot.core.actor import Actor
from handlers.payload import (
    ACTOR,
    actor_from,
    actor_of,
    as_int,
    clicked_id,
    first_action,
    put_actor,
    state_values,
    view_of,
)

Headers = dict[str, str | Sequence[str]]
FORM: Headers = {"content-type": ["application/x-www-form-urlencoded"]}
JSON: Headers = {"content-type": ["application/json"]}


def _context_of(body: str, headers: Headers) -> BoltContext:
    """Bolt's context for a raw body, after the `put_actor` middleware ran."""
    context = BoltRequest(body=body, headers=headers).context
    called: list[bool] = []
    put_actor(context, lambda: called.append(True))
    assert called == [True], "the middleware always hands on to the next one"
    return context


def _interaction(payload: dict[str, Any]) -> BoltContext:
    return _context_of(urlencode({"payload": json.dumps(payload)}), FORM)


def _event(event: dict[str, Any], team_id: str = "T1") -> BoltContext:
    envelope = {
        "type": "event_callback",
        "team_id": team_id,
        "event": event,
        "authorizations": [{"team_id": team_id, "user_id": "UBOT", "is_bot": True}],
    }
    return _context_of(json.dumps(envelope), JSON)


def test_a_slash_command_names_its_team_and_user() -> None:
    body = urlencode({"team_id": "T1", "user_id": "U1", "command": "/setback", "text": ""})
    assert actor_of(_context_of(body, FORM)) == Actor("T1", "U1")


def test_a_button_names_the_clicking_user() -> None:
    context = _interaction(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "U1", "team_id": "T1"},
            "actions": [{"action_id": "x", "value": "7"}],
        }
    )
    assert actor_of(context) == Actor("T1", "U1")


def test_a_view_submission_of_an_org_wide_install_takes_the_team_from_the_payload() -> None:
    context = _interaction(
        {
            "type": "view_submission",
            "team": None,
            "enterprise": {"id": "E1"},
            "user": {"id": "U1", "team_id": "T2"},
            "view": {"id": "V1", "team_id": "T2", "app_installed_team_id": "T2"},
        }
    )
    assert actor_of(context) == Actor("T2", "U1", "E1")


def test_an_enterprise_alone_stands_for_the_team() -> None:
    context = _interaction(
        {"type": "block_actions", "team": None, "enterprise": {"id": "E1"}, "user": {"id": "U1"}}
    )
    assert actor_of(context) == Actor("E1", "U1", "E1")


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"},
        {"type": "message", "channel_type": "im", "user": "U1", "ts": "2.0", "thread_ts": "1.0"},
    ],
    ids=["app_home_opened", "message.im"],
)
def test_an_event_names_the_user_it_is_about_not_the_bot(event: dict[str, Any]) -> None:
    assert actor_of(_event(event)) == Actor("T1", "U1")


def test_an_event_naming_no_user_puts_no_actor_in_the_context() -> None:
    context = _event({"type": "app_uninstalled"})
    assert ACTOR not in context and actor_from(context) is None
    with pytest.raises(LookupError):
        actor_of(context)


def test_payload_ids_are_parsed_never_trusted_or_raised_on() -> None:
    assert as_int("42") == 42 and as_int(7) == 7
    assert as_int(None) is None and as_int("abc") is None and as_int({"id": 1}) is None
    assert clicked_id({"actions": [{"value": "12"}]}) == 12
    assert clicked_id({"actions": [{"value": "x"}]}) is None
    assert clicked_id({"actions": []}) is None and clicked_id({}) is None
    assert first_action({"actions": ["not a dict"]}) == {}


def test_a_views_values_and_the_view_itself_default_to_empty() -> None:
    values = {"title": {"title": {"value": "x"}}}
    assert state_values({"state": {"values": values}}) == values
    assert state_values({}) == {} and state_values(None) == {}
    assert view_of({"view": {"id": "V1"}}) == {"id": "V1"}
    assert view_of({}) == {} and view_of({"view": None}) == {}


def test_an_event_of_an_org_wide_install_is_scoped_to_the_workspace_it_happened_in() -> None:
    envelope = {
        "type": "event_callback",
        "team_id": "T2",
        "enterprise_id": "E1",
        "event": {"type": "app_home_opened", "user": "U1", "tab": "home"},
        "authorizations": [
            {
                "enterprise_id": "E1",
                "team_id": None,
                "user_id": "UBOT",
                "is_enterprise_install": True,
            }
        ],
    }
    context = BoltRequest(body=json.dumps(envelope), headers=JSON).context
    assert context.team_id is None, "Bolt names no team for an org-wide install's event"
    put_actor(context, lambda: None, envelope)
    assert actor_of(context) == Actor("T2", "U1", "E1")
