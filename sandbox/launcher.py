"""``python -m sandbox``: the local workspace and the bot, started and stopped together.

Order matters and is kept here in one place:

1. the sandbox's page and Web API bind their port (the bot calls ``auth.test`` as it
   starts, so Slack must be up first);
2. the bot starts as a child process, exactly as in production — ``setback run --http``
   — installed through OAuth, as a Marketplace app is: ``SLACK_CLIENT_ID`` and
   ``SLACK_CLIENT_SECRET`` of the sandbox's app, ``SLACK_API_URL`` and
   ``SLACK_AUTHORIZE_URL`` pointing at the sandbox, ``SLACK_REDIRECT_URI`` at the bot's
   own ``/slack/oauth_redirect``, the signing secret, ``HOST=127.0.0.1``,
   ``SETBACK_DEV_HOOKS=true`` (the time-travel hook) and its own SQLite database,
   ``./.setback/sandbox.db``. Tokens last ``SETBACK_SANDBOX_TOKEN_SECONDS`` (30 minutes)
   and the bot refreshes them 10 minutes before they end, so rotation runs in every
   session. ``--one-token`` runs the one-token set-up instead (``SLACK_BOT_TOKEN`` for
   the first workspace; the second cannot install the app);
3. once the bot answers ``/healthz``, the launcher adds Setback to every workspace that
   has it — the first one on a fresh start — through the bot's own install pages
   (:mod:`sandbox.autoinstall`), so the bot's stored installs match the sandbox's; the
   bot's clock is set to the workspace's time and the launcher prints
   ``Open http://127.0.0.1:3000``.

Two workspaces in one org (:mod:`sandbox.seed`): Sandbox, where Ada and Ben start with
Setback installed, and Northwind, where Cleo and Dev add it from the page ("Add
Setback" under Apps, which opens the bot's "Add to Slack" page).

One Ctrl-C stops both (the bot gets SIGTERM if it has not stopped by itself) and the
workspace is saved to ``./.setback/sandbox-state.json``, so the next start continues the
journey. A port in use ends with one line naming the port and the setting to change.

The sandbox imports nothing of the bot: they meet only over HTTP, as Slack and an app do.
"""

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import FrameType

from sandbox.autoinstall import install
from sandbox.clock import SandboxClock
from sandbox.delivery import SlackDelivery
from sandbox.limits import apply_slack_limits
from sandbox.oauth import AppConfig, OAuth
from sandbox.org import Org
from sandbox.page import PageActions
from sandbox.seed import (
    ORG_ID,
    ORG_NAME,
    SECOND_BOT_ID,
    SECOND_BOT_USER,
    SECOND_ID_BASE,
    SECOND_TEAM,
    SECOND_TEAM_NAME,
    seed,
    seed_second,
)
from sandbox.server import SandboxServer
from sandbox.store import STATE_FILE, StateStore
from sandbox.timetravel import HOOK_PATH, BotClockLink, HookError, TimeMachine
from sandbox.workspace import Workspace

EXIT_CONFIG = 2
CREDENTIALS_FILE = "sandbox.json"
SANDBOX_DB = "sandbox.db"
BOT_READY_SECONDS = 90.0
STOP_SECONDS = 10.0
TOKEN_SECONDS = 1800.0  # the sandbox's tokens last 30 minutes ...
REFRESH_MINUTES = "10"  # ... and the bot refreshes them 10 minutes before they end
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


class LaunchError(Exception):
    """Something a person must fix before the sandbox can start; the message says what."""


@dataclass(frozen=True)
class Credentials:
    """The sandbox app's bot token, signing secret, client id and client secret
    (generated once, kept private)."""

    bot_token: str
    signing_secret: str
    client_id: str = ""
    client_secret: str = ""


def _fresh_client() -> dict[str, str]:
    return {
        "client_id": f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**12)}",
        "client_secret": secrets.token_hex(16),
    }


def load_credentials(data_dir: Path) -> Credentials:
    """Read ``sandbox.json`` from ``data_dir``, creating it (mode 0600) on first use; a
    file from before OAuth gains a client id and secret.

    Random rather than fixed, so no other program on the machine can sign requests to the
    bot — its time-travel hook trusts the signing secret alone — or install it.
    """
    path = data_dir / CREDENTIALS_FILE
    if path.exists():
        saved = json.loads(path.read_text(encoding="utf-8"))
        if not saved.get("client_id") or not saved.get("client_secret"):
            saved.update(_fresh_client())
            _write_private(path, saved, replace=True)
        return Credentials(
            saved["bot_token"], saved["signing_secret"], saved["client_id"], saved["client_secret"]
        )
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # the bot's data folder too
    fresh = Credentials(
        f"xoxb-sandbox-{secrets.token_hex(12)}", secrets.token_hex(32), **_fresh_client()
    )
    _write_private(path, fresh.__dict__, replace=False)
    return fresh


def _write_private(path: Path, data: dict[str, str], *, replace: bool) -> None:
    """Write JSON readable by its owner only (a replacement goes through a new file)."""
    target = path.with_suffix(".tmp") if replace else path
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out)
    if replace:
        os.replace(target, path)


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could bind ``host:port`` now (as waitress would, with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _taken(port: int, host: str, setting: str) -> LaunchError:
    return LaunchError(
        f"port {port} on {host} is already in use. Set {setting} to a free port "
        "(or stop what is using it)."
    )


def parse_start(raw: str | None) -> datetime | None:
    """``--start 2026-11-25T10:00:00Z``: an aware time for a reproducible demo."""
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise LaunchError(f"--start {raw!r} is not a time like 2026-11-25T10:00:00Z") from None
    if moment.tzinfo is None:
        raise LaunchError("--start needs a time zone, e.g. 2026-11-25T10:00:00Z")
    return moment


class Launcher:
    """Owns the workspace, the page server and the bot process for one run."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.data_dir = Path(args.data_dir)
        self.credentials = load_credentials(self.data_dir)
        self.oauth_mode = not args.one_token
        self.clock = SandboxClock()
        self.bot_url = f"http://127.0.0.1:{args.bot_port}"
        self.ws = Workspace(
            team_name="Sandbox",
            bot_token=self.credentials.bot_token,
            clock=self.clock,
            app_installed=not self.oauth_mode,
        )
        self.second = Workspace(
            team_id=SECOND_TEAM,
            team_name=SECOND_TEAM_NAME,
            bot_token="",  # only tokens from an install serve it
            bot_user_id=SECOND_BOT_USER,
            bot_id=SECOND_BOT_ID,
            clock=self.clock,
            id_base=SECOND_ID_BASE,
            app_installed=False,
        )
        app = AppConfig(
            self.credentials.client_id,
            self.credentials.client_secret,
            redirect_uris=(self.bot_url + REDIRECT_PATH,),
            token_seconds=_env_seconds("SETBACK_SANDBOX_TOKEN_SECONDS", TOKEN_SECONDS),
        )
        self.org = Org(
            [self.ws, self.second],
            OAuth(app) if self.oauth_mode else None,
            enterprise_id=ORG_ID,
            enterprise_name=ORG_NAME,
        )
        self.store = StateStore(self.data_dir / STATE_FILE, self.org, self.clock)
        link = BotClockLink(self.bot_url + HOOK_PATH, self.credentials.signing_secret)
        self.time_machine = TimeMachine(self.clock, link, on_move=self.store.mark_dirty)
        actions = {
            ws.team_id: PageActions(
                ws,
                SlackDelivery(ws, self.bot_url + "/slack/events", self.credentials.signing_secret),
                self.time_machine,
            )
            for ws in self.org.workspaces
        }
        install_url = self.bot_url + INSTALL_PATH if self.oauth_mode else None
        self.server = SandboxServer(
            self.org, actions, args.host, args.port, install_url=install_url
        )
        self.bot: subprocess.Popen[bytes] | None = None
        self.serving = False
        self.to_install: list[str] = []

    # ------------------------------------------------------------------ start

    def prepare_workspace(self) -> None:
        """Continue the saved workspace, or seed a fresh one (at ``--start`` if given)."""
        seed_second(self.second)  # a file from before it existed restores only the first
        if self.store.load():
            say(f"Continuing the sandbox saved in {self.store.path}.")
        else:
            seed(self.ws)
            start = parse_start(self.args.start)
            if start is not None:
                self.clock.start_at(start)
            self.to_install = [self.ws.team_id]
        if self.oauth_mode:  # the bot's installs must match the sandbox's, whatever was lost
            installed = [w.team_id for w in self.org.workspaces if w.app_installed]
            self.to_install = list(dict.fromkeys([*self.to_install, *installed]))
        if self.args.rate_limits:
            for ws in self.org.workspaces:
                apply_slack_limits(ws)

    def start_page(self) -> None:
        try:
            self.server.start()
        except OSError:
            raise _taken(self.args.port, self.args.host, "SETBACK_SANDBOX_PORT") from None
        self.serving = True
        self.ws.web_url = self.server.url
        self.store.save()
        self.store.start()

    def start_bot(self) -> None:
        """Run ``setback run --http`` as a child, wired to this workspace."""
        if not port_is_free("127.0.0.1", self.args.bot_port):
            raise _taken(self.args.bot_port, "127.0.0.1", "SETBACK_BOT_PORT")
        unset = ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")
        env = {
            **{k: v for k, v in os.environ.items() if k not in unset},
            **self._slack_env(),
            "SLACK_SIGNING_SECRET": self.credentials.signing_secret,
            "SLACK_APP_TOKEN": "",
            "SLACK_API_URL": f"{self.server.url}api/",
            "HOST": "127.0.0.1",
            "PORT": str(self.args.bot_port),
            "SETBACK_DATA_DIR": str(self.data_dir),
            # demo data never mixes with a real workspace's database (nor with a
            # DATABASE_URL in .env): the sandbox has its own SQLite file beside its state
            "DATABASE_URL": f"sqlite:///{self.data_dir / SANDBOX_DB}",
            "SETBACK_DEV_HOOKS": "true",
            # a quiet terminal unless asked otherwise: the page is where things happen
            "LOG_LEVEL": os.environ.get("LOG_LEVEL") or "WARNING",
        }
        command = [sys.executable, "-m", "bot.cli", "run", "--http"]
        self.bot = subprocess.Popen(command, env=env)

    def _slack_env(self) -> dict[str, str]:
        """How the bot gets its tokens: OAuth installs from the sandbox, or one token.
        (The other way's settings are left out, not emptied: Bolt reads an empty
        SLACK_CLIENT_ID as set.)"""
        if not self.oauth_mode:
            return {"SLACK_BOT_TOKEN": self.credentials.bot_token}
        return {
            "SLACK_CLIENT_ID": self.credentials.client_id,
            "SLACK_CLIENT_SECRET": self.credentials.client_secret,
            "SLACK_AUTHORIZE_URL": f"{self.server.url}oauth/v2/authorize",
            "SLACK_REDIRECT_URI": self.bot_url + REDIRECT_PATH,
            "SETBACK_TOKEN_REFRESH_MINUTES": os.environ.get("SETBACK_TOKEN_REFRESH_MINUTES")
            or REFRESH_MINUTES,
        }

    def install_apps(self) -> None:
        """Add Setback to the workspaces that have it, through the bot's install pages."""
        for team_id in self.to_install if self.oauth_mode else []:
            ws = self.org.workspace(team_id)
            problem = install(self.org, team_id, self.bot_url + INSTALL_PATH)
            if problem is not None and ws is not None:
                say(
                    f"Setback could not be added to {ws.team_name} by itself ({problem}); "
                    "add it from the page: Apps → Add Setback."
                )

    def wait_for_bot(self) -> None:
        """Until the bot answers /healthz; a bot that exits first ends the launch."""
        deadline = time.monotonic() + BOT_READY_SECONDS
        while time.monotonic() < deadline:
            if self.bot is not None and self.bot.poll() is not None:
                raise LaunchError(f"the bot stopped while starting (exit {self.bot.returncode}).")
            if _healthy(self.bot_url + "/healthz"):
                return
            time.sleep(0.1)
        raise LaunchError(
            f"the bot did not answer on {self.bot_url} within {BOT_READY_SECONDS:.0f}s."
        )

    def run(self) -> int:
        """Start everything, wait for Ctrl-C (or the bot to stop), stop everything."""
        try:
            self.prepare_workspace()
            self.start_page()
            self.start_bot()
            self.wait_for_bot()
            self.install_apps()
            self.time_machine.sync()
            say("The Setback sandbox is ready: a local workspace, no Slack account needed.")
            say(f"Open {self.server.url.rstrip('/')}")
            say("You are Ada; switch to Ben at the top right. Press Ctrl-C to stop.")
            if self.oauth_mode:
                say(
                    f"{SECOND_TEAM_NAME}, a second workspace in the same org, has no Setback "
                    "yet: pick it under Switch workspace, then Apps → Add Setback."
                )
            return self._wait()
        except HookError as exc:
            raise LaunchError(f"the bot's clock could not be set: {exc}.") from None
        finally:
            self.stop()

    def _wait(self) -> int:
        try:
            while self.bot is not None and self.bot.poll() is None:
                time.sleep(0.2)
        except KeyboardInterrupt:
            return 0
        code = self.bot.returncode if self.bot is not None else 1
        say(f"The bot stopped (exit {code}); stopping the sandbox too.")
        return code or 1

    # ------------------------------------------------------------------ stop

    def stop(self) -> None:
        """Stop the bot (SIGTERM, then SIGKILL), the page, and save the workspace."""
        with _ignoring_interrupts():
            if self.bot is not None and self.bot.poll() is None:
                self.bot.terminate()
                try:
                    self.bot.wait(timeout=STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    self.bot.kill()
                    self.bot.wait()
            if not self.serving:
                return
            self.server.stop()
            self.store.stop()
        say(f"Stopped. The sandbox is saved in {self.data_dir}/ and picks up from here next time.")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            status: int = reply.status
            return status == 200
    except (OSError, urllib.error.URLError):
        return False


@contextlib.contextmanager
def _ignoring_interrupts() -> Iterator[None]:
    """A second Ctrl-C while stopping must not leave the bot running or the state unsaved."""
    if sys.platform == "win32":
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def say(line: str) -> None:
    print(line, flush=True)


def _env_port(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        raise LaunchError(f"{name} must be a port number, got {raw!r}.") from None


def _env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    try:
        seconds = float(raw) if raw else default
    except ValueError:
        raise LaunchError(f"{name} must be a number of seconds, got {raw!r}.") from None
    if seconds <= 0:
        raise LaunchError(f"{name} must be more than 0 seconds.")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="A local Slack-like workspace with the Setback bot, for trying it out.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface of the page (127.0.0.1)")
    parser.add_argument(
        "--port", type=int, help="page and Web API port ($SETBACK_SANDBOX_PORT, 3000)"
    )
    parser.add_argument("--bot-port", type=int, help="the bot's port ($SETBACK_BOT_PORT, 3001)")
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("SETBACK_DATA_DIR") or ".setback",
        help="where state is kept ($SETBACK_DATA_DIR, .setback)",
    )
    parser.add_argument(
        "--start", help="the workspace's time on a fresh start, e.g. 2026-11-25T10:00:00Z"
    )
    parser.add_argument(
        "--rate-limits", action="store_true", help="answer like Slack's rate limits (429)"
    )
    parser.add_argument(
        "--one-token",
        action="store_true",
        help="give the bot one workspace's token instead of installing it through OAuth",
    )
    return parser


def _signal_stops(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m sandbox`` (and of ``setback sandbox``)."""
    args = build_parser().parse_args(argv)
    try:
        args.port = args.port or _env_port("SETBACK_SANDBOX_PORT", 3000)
        args.bot_port = args.bot_port or _env_port("SETBACK_BOT_PORT", 3001)
        if args.port == args.bot_port:
            raise LaunchError("the sandbox and the bot need two different ports.")
        # Ctrl-C stops everything even when started from a shell that ignores SIGINT
        # for background jobs; SIGTERM (a process manager, a test) does the same.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if sys.platform != "win32":
            signal.signal(signal.SIGTERM, _signal_stops)
        return Launcher(args).run()
    except LaunchError as exc:
        print(f"sandbox: {exc}", file=sys.stderr, flush=True)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0
