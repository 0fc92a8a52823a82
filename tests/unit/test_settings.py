"""Configuration: defaults, one-line errors that name the setting, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.settings import ConfigError, load_settings, parse_support_resources


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "DATABASE_URL",
        "SETBACK_ENCRYPTION_KEYS",
        "PORT",
        "SLACK_API_URL",
        "SETBACK_SUPPORT_RESOURCES",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    s = load_settings()
    assert s.port == 3000
    assert s.database_url == "sqlite:///.setback/setback.db"
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.support_resources[0].url == "https://findahelpline.com"


def test_env_file_is_read(tmp_path) -> None:
    (tmp_path / ".env").write_text("PORT=4100\nSLACK_API_URL=http://127.0.0.1:9999/api\n")
    s = load_settings()
    assert s.port == 4100
    assert s.slack_api_url == "http://127.0.0.1:9999/api/"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PORT", "eighty", "Setting PORT"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "Setting SLACK_BOT_TOKEN must start with xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-wrong", "Setting SLACK_APP_TOKEN must start with xapp-"),
        ("SLACK_API_URL", "slack.com/api", "Setting SLACK_API_URL must be an http(s) URL"),
        ("SETBACK_SUPPORT_RESOURCES", "EAP", "Setting SETBACK_SUPPORT_RESOURCES"),
    ],
)
def test_bad_setting_names_itself(monkeypatch, name, value, expected) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    message = str(err.value)
    assert expected in message
    assert "\n" not in message
    assert ".env" in message


def test_support_resources_parse() -> None:
    parsed = parse_support_resources(
        "Employee Assistance=https://eap.example.com; Find a helpline=https://findahelpline.com"
    )
    assert [(r.label, r.url) for r in parsed] == [
        ("Employee Assistance", "https://eap.example.com"),
        ("Find a helpline", "https://findahelpline.com"),
    ]
    with pytest.raises(ValueError):
        parse_support_resources("no-url-here")


SETBACK = str(Path(sys.executable).parent / "setback")


def _cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Run the installed `setback` script in `cwd` with a clean Slack/database environment."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE", "SETBACK_", "PORT"))
    }
    return subprocess.run(
        [SETBACK, *args], capture_output=True, text=True, env={**base, **env}, cwd=cwd, timeout=60
    )


def test_cli_reports_bad_setting_in_one_line(tmp_path) -> None:
    result = _cli("run", "--http", cwd=tmp_path, PORT="not-a-port")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "PORT" in lines[0]


def test_cli_explains_missing_token(tmp_path) -> None:
    result = _cli("run", "--http", cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_explains_missing_app_token_for_socket_mode(tmp_path) -> None:
    result = _cli("run", "--socket", cwd=tmp_path, SLACK_BOT_TOKEN="xoxb-1")
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN" in result.stderr


def test_db_upgrade_works_from_any_directory(tmp_path) -> None:
    result = _cli("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".setback" / "setback.db").exists()
    assert (tmp_path / ".setback" / "encryption.key").stat().st_mode & 0o777 == 0o600
    assert "Generated an encryption key" in result.stderr
