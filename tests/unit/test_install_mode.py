"""Which tokens Setback runs with: one SLACK_BOT_TOKEN, or OAuth installs (a client id
and secret, no bot token) — and what start-up says when the settings are half of one."""

from __future__ import annotations

import logging

import pytest

from bot.cli.main import StartupError, choose_mode
from tests.conftest import make_settings

OAUTH = {"slack_bot_token": None, "slack_client_id": "1.2", "slack_client_secret": "s3cret"}


def test_a_client_id_and_secret_without_a_bot_token_install_through_oauth(tmp_path) -> None:
    settings = make_settings(tmp_path, **OAUTH)
    assert settings.oauth_installs
    assert choose_mode(settings) == "http"
    assert choose_mode(make_settings(tmp_path, slack_app_token="xapp-1", **OAUTH)) == "socket"


def test_one_bot_token_wins_and_says_so(tmp_path, caplog) -> None:
    settings = make_settings(tmp_path, slack_client_id="1.2", slack_client_secret="s3cret")
    assert not settings.oauth_installs
    with caplog.at_level(logging.WARNING):
        assert choose_mode(settings) == "http"
    assert "unset SLACK_BOT_TOKEN to install through OAuth" in caplog.text


@pytest.mark.parametrize("missing", ["slack_client_id", "slack_client_secret"])
def test_half_of_the_oauth_settings_stops_start_up_naming_the_other(tmp_path, missing) -> None:
    settings = make_settings(tmp_path, **{**OAUTH, missing: None})
    with pytest.raises(StartupError, match=missing.upper()):
        choose_mode(settings)


def test_oauth_installs_need_the_signing_secret(tmp_path) -> None:
    settings = make_settings(tmp_path, slack_signing_secret=None, **OAUTH)
    with pytest.raises(StartupError, match="SLACK_SIGNING_SECRET"):
        choose_mode(settings)
    with pytest.raises(StartupError, match="SLACK_SIGNING_SECRET"):
        choose_mode(
            make_settings(tmp_path, slack_signing_secret=None, slack_app_token="xapp-1", **OAUTH)
        )


def test_no_tokens_at_all_still_says_what_to_set(tmp_path) -> None:
    with pytest.raises(StartupError, match="SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"):
        choose_mode(make_settings(tmp_path, slack_bot_token=None))
