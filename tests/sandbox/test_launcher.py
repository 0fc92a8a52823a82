"""`make run` with no tokens: the sandbox and the bot start together and stop together.

These run the real programs (``python -m sandbox``, ``setback run``) in a fresh working
directory, exactly as a newcomer would, and talk to them only over HTTP.
"""

from __future__ import annotations

import json
import socket
import stat
import sys
import urllib.request
from pathlib import Path

from sandbox.launcher import load_credentials
from sandbox.seed import ADA
from tests.integration.harness import wait_for

from .launch import clean_env, free_port, get, launch, port_answers

START = "2026-11-25T10:00:00Z"


def post(url: str, verb: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{url}/sandbox/{verb}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as reply:
        return json.loads(reply.read())


def state(url: str, user: str = ADA) -> dict:
    return json.loads(get(f"{url}/sandbox/state?user={user}")[1])


def test_one_command_starts_both_and_one_ctrl_c_stops_both(tmp_path: Path) -> None:
    running = launch(tmp_path, ["--start", START])
    url = running.wait_open()
    try:
        assert url == f"http://127.0.0.1:{running.port}"
        assert get(url)[0] == 200
        assert get(f"http://127.0.0.1:{running.bot_port}/healthz")[0] == 200
        dm = next(c["id"] for c in state(url)["conversations"] if c["is_im"])
        # the whole chain: page → signed command → bot → views.open → sandbox
        assert post(url, "command", {"user": ADA, "channel": dm, "text": "/setback"})["ok"]
        modal = wait_for(lambda: state(url)["modal"], what="the first screen")
        assert "Step 1 of 6" in json.dumps(modal["view"]["blocks"])
        assert state(url)["now"] < 1795600800 + 600  # the workspace starts at --start
    finally:
        code = running.interrupt()
    assert code == 0
    assert not port_answers(running.port) and not port_answers(running.bot_port)
    assert "Stopped." in running.text()
    assert (tmp_path / ".setback" / "sandbox.db").exists()  # its own database
    assert not (tmp_path / ".setback" / "setback.db").exists()
    saved = json.loads((tmp_path / ".setback" / "sandbox-state.json").read_text())
    assert saved["workspace"]["view_stacks"][ADA]  # the open modal is kept

    again = launch(tmp_path, port=running.port, bot_port=running.bot_port)
    url = again.wait_open()
    try:
        assert "Continuing the sandbox" in again.text()
        assert state(url)["modal"]["view"]["id"] == modal["view"]["id"]
    finally:
        assert again.interrupt() == 0


def test_credentials_are_generated_once_and_private(tmp_path: Path) -> None:
    first = load_credentials(tmp_path / ".setback")
    path = tmp_path / ".setback" / "sandbox.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.bot_token.startswith("xoxb-sandbox-") and len(first.signing_secret) >= 32
    assert load_credentials(tmp_path / ".setback") == first
    assert load_credentials(tmp_path / "elsewhere") != first


def _occupied() -> tuple[socket.socket, int]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener, int(listener.getsockname()[1])


def test_a_taken_sandbox_port_is_one_clear_line(tmp_path: Path) -> None:
    listener, port = _occupied()
    with listener:
        running = launch(tmp_path, port=port)
        code = running.process.wait(timeout=60)
    assert code == 2
    lines = [line for line in running.text().splitlines() if line.strip()]
    assert lines == [
        f"sandbox: port {port} on 127.0.0.1 is already in use. Set SETBACK_SANDBOX_PORT "
        "to a free port (or stop what is using it)."
    ]


def test_a_taken_bot_port_names_its_setting_and_frees_the_page_port(tmp_path: Path) -> None:
    listener, bot_port = _occupied()
    with listener:
        running = launch(tmp_path, bot_port=bot_port)
        code = running.process.wait(timeout=60)
    assert code == 2
    assert f"port {bot_port} on 127.0.0.1 is already in use. Set SETBACK_BOT_PORT" in running.text()
    assert "Traceback" not in running.text()
    assert not port_answers(running.port)


def test_setback_run_without_tokens_opens_the_sandbox(tmp_path: Path) -> None:
    port, bot_port = free_port(), free_port()
    env = clean_env(SETBACK_SANDBOX_PORT=str(port), SETBACK_BOT_PORT=str(bot_port))
    running = launch(
        tmp_path,
        command=[sys.executable, "-m", "bot.cli", "run"],
        port=port,
        bot_port=bot_port,
        env=env,
    )
    url = running.wait_open()
    try:
        assert "No Slack tokens configured" in running.text()
        assert url == f"http://127.0.0.1:{port}"
        assert state(url)["me"]["real_name"] == "Ada Lovelace"
    finally:
        assert running.interrupt() == 0
    assert not port_answers(bot_port)


def test_one_token_without_the_other_still_gets_the_clear_error(tmp_path: Path) -> None:
    env = clean_env(SLACK_BOT_TOKEN="xoxb-only-half")
    running = launch(tmp_path, command=[sys.executable, "-m", "bot.cli", "run"], env=env)
    assert running.process.wait(timeout=60) == 2
    assert "SLACK_SIGNING_SECRET is missing" in running.text()
    assert not (tmp_path / ".setback" / "sandbox-state.json").exists()
