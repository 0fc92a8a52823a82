"""Starting the real sandbox (``python -m sandbox`` / ``setback …``) as a separate program.

Shared by the launcher tests and the browser tests: a fresh working directory, free ports,
an environment with no Slack tokens, the output kept in a file, and a clean stop.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

READY_SECONDS = 90.0
OPEN_LINE = re.compile(r"^Open (http://127\.0\.0\.1:\d+)$", re.MULTILINE)


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without Slack tokens or Setback settings, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "SETBACK_", "DATABASE_URL", "PORT", "HOST"))
    }
    env.update(extra)
    return env


@dataclass
class Launched:
    """A running sandbox program and where its output goes."""

    process: subprocess.Popen[bytes]
    output: Path
    port: int
    bot_port: int
    url: str = field(default="")

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def wait_open(self, timeout: float = READY_SECONDS) -> str:
        """Wait for ``Open http://…`` and return that URL; fail with the output otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = OPEN_LINE.search(self.text())
            if found:
                self.url = found.group(1)
                return self.url
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"the sandbox did not start:\n{self.text()[-4000:]}")

    def interrupt(self, timeout: float = 30.0) -> int:
        """Ctrl-C, as a person would press it; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(
                f"the sandbox did not stop on Ctrl-C:\n{self.text()[-4000:]}"
            ) from None


def launch(
    cwd: Path,
    args: Sequence[str] = (),
    *,
    command: Sequence[str] | None = None,
    port: int | None = None,
    bot_port: int | None = None,
    env: dict[str, str] | None = None,
) -> Launched:
    """Start ``python -m sandbox`` (or ``command``) in ``cwd`` on free ports."""
    port = port or free_port()
    bot_port = bot_port or free_port()
    base = command or [
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        str(port),
        "--bot-port",
        str(bot_port),
    ]
    output = cwd / f"sandbox-output-{port}.txt"
    environment = env or clean_env(
        SETBACK_SANDBOX_PORT=str(port), SETBACK_BOT_PORT=str(bot_port), LOG_LEVEL="WARNING"
    )
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [*base, *args],
            cwd=cwd,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C in the test runner's terminal stays ours
        )
    return Launched(process, output, port, bot_port)


def port_answers(port: int) -> bool:
    """Whether something accepts connections on the port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as reply:
        return reply.status, reply.read()
