"""manifest.yml validates against Slack's published schema and asks only for what we use."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from bot.core.installs import BOT_SCOPES, REDIRECT_PATH

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "data" / "manifest.schema.1.0.0.json"


def _manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_validates_against_slack_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(_manifest(), schema)


def test_schema_rejects_a_broken_manifest() -> None:
    schema = json.loads(SCHEMA.read_text())
    broken = _manifest()
    broken["features"]["slash_commands"][0]["command"] = "setback"  # no leading slash
    try:
        jsonschema.validate(broken, schema)
    except jsonschema.ValidationError:
        return
    raise AssertionError("the schema accepted a command without a slash")


def test_manifest_declares_what_the_app_uses() -> None:
    m = _manifest()
    assert [c["command"] for c in m["features"]["slash_commands"]] == ["/setback"]
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert {"commands", "chat:write", "im:write", "users:read"} <= set(
        m["oauth_config"]["scopes"]["bot"]
    )
    assert "message.im" in m["settings"]["event_subscriptions"]["bot_events"]
    assert "socket_mode_enabled" in m["settings"]
    urls = {
        m["settings"]["interactivity"]["request_url"],
        m["settings"]["event_subscriptions"]["request_url"],
        m["features"]["slash_commands"][0]["url"],
    }
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")


def test_the_manifest_asks_for_the_scopes_the_install_asks_for() -> None:
    m = _manifest()
    assert m["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert "user" not in m["oauth_config"]["scopes"], "Setback never asks for user tokens"
    (redirect,) = m["oauth_config"]["redirect_urls"]
    assert redirect.endswith(REDIRECT_PATH)
    assert {"org_deploy_enabled", "token_rotation_enabled"} <= set(m["settings"])
