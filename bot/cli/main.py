"""The `setback` command: run the bot, upgrade the database, operator tools.

Start-up problems (a missing token, a malformed key, an unreachable database) end with
one line naming the setting and the fix, and exit status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TYPE_CHECKING

from bot.core.logs import setup_logging
from bot.core.settings import ConfigError, Settings, load_settings
from storage.crypto import KeyringError

if TYPE_CHECKING:  # imported where used: the CLI starts fast, whatever the command
    from apscheduler.schedulers.background import BackgroundScheduler
    from slack_bolt import App

    from bot.core.runtime import Runtime
    from bot.core.web import Route, Server

log = logging.getLogger("setback")

EXIT_CONFIG = 2


class StartupError(Exception):
    """Something a person must fix before the bot can start; the message says what."""


# --- commands --------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """`setback run`: Socket Mode when SLACK_APP_TOKEN is set (or --socket), else HTTP;
    with no Slack tokens at all, the local sandbox workspace (docs/ARCHITECTURE.md, Run modes)."""
    no_slack = not (
        settings.slack_bot_token
        or settings.slack_signing_secret
        or settings.slack_app_token
        or settings.slack_client_id
    )
    if no_slack and not (args.http or args.socket):
        print("No Slack tokens configured: starting the local sandbox workspace.", flush=True)
        return run_sandbox(settings)
    mode = choose_mode(settings, force_http=args.http, force_socket=args.socket)
    if mode == "socket":
        return run_socket(settings)
    return run_http(settings)


def choose_mode(settings: Settings, *, force_http: bool = False, force_socket: bool = False) -> str:
    """Pick the run mode (docs/ARCHITECTURE.md, Run modes), or explain what is missing.
    Tokens come from SLACK_BOT_TOKEN (one workspace) or from OAuth installs
    (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: README → Distribute to many workspaces)."""
    _check_install_settings(settings)
    if force_socket or (settings.slack_app_token and not force_http):
        if not settings.slack_app_token:
            raise StartupError(
                "Socket Mode needs SLACK_APP_TOKEN (xapp-…, with connections:write). "
                "Create one under Basic Information → App-Level Tokens, or use --http."
            )
        if not (settings.slack_bot_token or settings.oauth_installs):
            raise StartupError(
                "Setting SLACK_BOT_TOKEN is missing: copy the Bot User OAuth Token "
                "(or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install through OAuth)."
            )
        if settings.oauth_installs and not settings.slack_signing_secret:
            raise StartupError(
                "Setting SLACK_SIGNING_SECRET is missing: OAuth installs serve "
                "/slack/install over HTTP; copy it from Basic Information → App Credentials."
            )
        return "socket"
    if not (settings.slack_bot_token or settings.oauth_installs):
        raise StartupError(
            "Setting SLACK_BOT_TOKEN is missing: set it (and SLACK_SIGNING_SECRET) in .env, "
            "see README → Create the Slack app; or set SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET to install through OAuth (README → Distribute to many "
            "workspaces)."
        )
    if not settings.slack_signing_secret:
        raise StartupError(
            "Setting SLACK_SIGNING_SECRET is missing: copy it from Basic Information → "
            "App Credentials into .env."
        )
    return "http"


def _check_install_settings(settings: Settings) -> None:
    """One of the two ways to get tokens, whole: a client id needs its secret, and a
    single SLACK_BOT_TOKEN next to them wins (said once, so nobody wonders why the
    install page is missing)."""
    if bool(settings.slack_client_id) != bool(settings.slack_client_secret):
        missing = "SLACK_CLIENT_SECRET" if settings.slack_client_id else "SLACK_CLIENT_ID"
        raise StartupError(
            f"Setting {missing} is missing: OAuth installs need both SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET (Basic Information → App Credentials)."
        )
    if settings.slack_bot_token and settings.slack_client_id:
        log.warning(
            "SLACK_BOT_TOKEN is set, so Setback serves that one workspace and ignores "
            "SLACK_CLIENT_ID; unset SLACK_BOT_TOKEN to install through OAuth."
        )


def cmd_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    """`setback sandbox`: the local workspace at http://127.0.0.1:3000 and the bot together."""
    extra = ["--rate-limits"] if args.rate_limits else []
    extra += ["--one-token"] if args.one_token else []
    return run_sandbox(settings, extra + (["--start", args.start] if args.start else []))


def run_sandbox(settings: Settings, extra: Sequence[str] = ()) -> int:
    """Hand over to `python -m sandbox` (nothing imports `sandbox`: it runs as its own
    program and starts this bot in HTTP mode as its child, wired to the sandbox)."""
    command = [
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        str(settings.setback_sandbox_port),
        "--bot-port",
        str(settings.setback_bot_port),
        "--data-dir",
        str(settings.setback_data_dir),
        *extra,
    ]
    if sys.platform == "win32":
        return subprocess.call(command)
    os.execv(sys.executable, command)  # signals (Ctrl-C) then reach the launcher directly


def _dev_routes(rt: Runtime) -> dict[tuple[str, str], Route] | None:
    """The sandbox's time-travel hook (bot.core.devhooks), only with SETBACK_DEV_HOOKS=true."""
    from bot.core import devhooks

    try:
        if not devhooks.enabled(rt.settings):
            return None
    except devhooks.DevHooksNotAllowed as exc:
        raise StartupError(str(exc)) from None
    from scheduler.dispatcher import run_once

    return devhooks.routes(rt, dispatch=run_once)


def _runtime(settings: Settings) -> Runtime:
    from bot.core.runtime import build_runtime

    try:
        return build_runtime(settings)
    except KeyringError:
        raise
    except Exception as exc:
        raise StartupError(
            f"Cannot open the database at DATABASE_URL ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:160]}). Check the URL and that the server is up."
        ) from None


def _app(rt: Runtime) -> App:
    from slack_sdk.errors import SlackApiError

    from bot.app import create_app

    try:
        return create_app(rt)
    except SlackApiError as exc:
        raise StartupError(
            f"Slack rejected SLACK_BOT_TOKEN ({exc.response.get('error')}) at "
            f"{rt.settings.slack_api_url}. Reinstall the app and copy the new token."
        ) from None
    except Exception as exc:
        if "auth" in str(exc).lower() or "token" in str(exc).lower():
            raise StartupError(
                f"Could not verify SLACK_BOT_TOKEN at {rt.settings.slack_api_url}: "
                f"{type(exc).__name__}. Check the token and SLACK_API_URL."
            ) from None
        raise


def run_http(
    settings: Settings, ready: Callable[[str], None] | None = None, *, with_scheduler: bool = True
) -> int:
    """Serve Slack's requests on $PORT until Ctrl-C / SIGTERM (with the check-in
    scheduler next to it unless `with_scheduler` is False: `setback web`)."""
    from bot.core.runtime import settle_heap, start_writer, stop_writer
    from bot.core.web import make_wsgi

    rt = _runtime(settings)
    app = _app(rt)
    wsgi = make_wsgi(app, rt, extra=_dev_routes(rt))  # may refuse: before any thread starts
    start_writer(rt)
    scheduler = _start_scheduler(rt) if with_scheduler else None
    server = _bind(wsgi, settings)
    settle_heap()
    url = f"http://{settings.host}:{server.effective_port}"
    log.info("Setback is listening on %s/slack/events (health: %s/healthz)", url, url)
    if rt.installs is not None:
        log.info("Add Setback to a workspace from %s/slack/install", url)
    if ready:
        ready(url)
    _stop_on_signals(server.close)
    try:
        server.run()
    except (KeyboardInterrupt, OSError):
        pass
    finally:
        if scheduler is not None:
            scheduler.shutdown()
        rt.drain(timeout=10)  # summary DMs and Home refreshes already acknowledged
        stop_writer(rt)
        rt.engine.dispose()
    return 0


def _start_scheduler(rt: Runtime) -> BackgroundScheduler:
    """The check-in dispatcher tick and housekeeping, in background threads."""
    from scheduler import jobs

    return jobs.start(rt)


def _bind(wsgi: Route, settings: Settings) -> Server:
    from bot.core.web import WebLimits, serve

    host, port, threads = settings.host, settings.port, settings.setback_web_threads
    try:
        return serve(wsgi, host, port, threads, WebLimits.from_settings(settings))
    except OSError as exc:
        raise StartupError(
            f"Port {port} on {host} is not available ({exc.strerror}). "
            "Set PORT to a free port or stop what is using it."
        ) from None


def _stop_on_signals(stop: Callable[[], None]) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("Stopping (signal %s)", signum)
        stop()
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def run_socket(settings: Settings) -> int:
    """Socket Mode: no public URL needed, the socket is authenticated by the app token."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.core.runtime import settle_heap, start_writer, stop_writer

    rt = _runtime(settings)
    app = _app(rt)
    pages = _install_pages(app, rt)
    start_writer(rt)
    scheduler = _start_scheduler(rt)
    settle_heap()
    log.info("Setback is connecting to Slack in Socket Mode")
    try:
        SocketModeHandler(app, settings.slack_app_token).start()  # type: ignore[no-untyped-call]  # why: slack_bolt leaves start() unannotated
    finally:
        scheduler.shutdown()
        if pages is not None:
            pages.close()
        rt.drain(timeout=10)
        stop_writer(rt)
    return 0


def _install_pages(app: App, rt: Runtime) -> Server | None:
    """Socket Mode with OAuth installs: events come over the socket, but a person's
    browser still needs `/slack/install` and `/slack/oauth_redirect` — served over HTTP
    on $PORT, in a thread (with `/healthz`)."""
    if rt.installs is None:
        return None
    from bot.core.web import make_wsgi

    server = _bind(make_wsgi(app, rt), rt.settings)

    def serve() -> None:
        with contextlib.suppress(OSError):  # closed when Socket Mode stops
            server.run()

    threading.Thread(target=serve, name="install-pages", daemon=True).start()
    url = f"http://{rt.settings.host}:{server.effective_port}"
    log.info("Add Setback to a workspace from %s/slack/install", url)
    return server


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    """`setback web`: HTTP listeners only (scale-out: check-ins go out from `setback worker`)."""
    choose_mode(settings, force_http=True)
    return run_http(settings, with_scheduler=False)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """`setback worker`: the check-in dispatcher and housekeeping, no HTTP listener."""
    _check_install_settings(settings)
    if not (settings.slack_bot_token or settings.oauth_installs):
        raise StartupError(
            "Setting SLACK_BOT_TOKEN is missing: the worker posts check-ins with it (xoxb-…), "
            "or with each workspace's token when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "are set (OAuth installs)."
        )
    rt = _runtime(settings)
    scheduler = _start_scheduler(rt)
    stopped = threading.Event()
    _stop_on_signals(stopped.set)
    log.info(
        "Setback worker is dispatching check-ins every %ss", settings.setback_dispatch_interval
    )
    try:
        while not stopped.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown()
        rt.engine.dispose()
    return 0


def cmd_checkins_list(args: argparse.Namespace, settings: Settings) -> int:
    """`setback checkins list [--due]`: ids, times and states (never a commitment's text)."""
    from scheduler import ops

    rt = _runtime(settings)
    try:
        print("\n".join(ops.list_lines(rt, due_only=args.due, limit=args.limit)))
    finally:
        rt.engine.dispose()
    return 0


def cmd_checkins_run(args: argparse.Namespace, settings: Settings) -> int:
    """`setback checkins run [--as-of ISO]`: one dispatcher pass as of that time."""
    from scheduler import ops

    try:
        as_of = ops.parse_as_of(args.as_of) if args.as_of else None
    except ValueError as exc:
        raise StartupError(str(exc)) from None
    rt = _runtime(settings)
    try:
        report = ops.run_pass(rt, as_of, args.limit)
    finally:
        rt.engine.dispose()
    print(f"Dispatch pass as of {rt.clock.now().isoformat()}: {report.as_text()}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """`setback db upgrade`: apply migrations (also done on every start)."""
    from storage.migrate import current_revision

    rt = _runtime(settings)
    print(f"Database is at revision {current_revision(rt.engine)} (head).")
    return 0


def cmd_keys_new(args: argparse.Namespace, settings: Settings | None) -> int:
    """Print a fresh Fernet key for SETBACK_ENCRYPTION_KEYS."""
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode())
    return 0


def cmd_keys_rotate(args: argparse.Namespace, settings: Settings) -> int:
    """`setback keys rotate`: re-encrypt everything under the first key (resumable)."""
    from bot.cli import keys

    if args.batch < 1:
        raise StartupError("--batch must be at least 1 (rows per transaction).")
    rt = _runtime(settings)
    bar = keys.TextBar(sys.stderr)
    try:
        stats = keys.rotate(rt.engine, batch_size=args.batch, progress=bar)
    finally:
        bar.close()
        rt.engine.dispose()
    print(
        f"Re-encrypted {stats.rotated} value(s) in {stats.rows} row(s); every value is now "
        "under the first key of SETBACK_ENCRYPTION_KEYS. You can remove the older keys."
    )
    return 0


# --- parser ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="setback",
        description="Setback: a guided, blameless reflection after a mistake at work, in Slack.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    run = sub.add_parser(
        "run", help="run the bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)"
    )
    group = run.add_mutually_exclusive_group()
    group.add_argument("--http", action="store_true", help="force HTTP mode on $PORT")
    group.add_argument("--socket", action="store_true", help="force Socket Mode")
    run.set_defaults(func=cmd_run, needs_settings=True)

    sandbox = sub.add_parser(
        "sandbox", help="the local sandbox workspace and the bot together (no Slack needed)"
    )
    sandbox.add_argument("--rate-limits", action="store_true", help="answer like Slack's limits")
    sandbox.add_argument("--start", help="workspace time on a fresh start, e.g. 2026-11-25T10:00Z")
    sandbox.add_argument(
        "--one-token", action="store_true", help="one fixed bot token instead of OAuth installs"
    )
    sandbox.set_defaults(func=cmd_sandbox, needs_settings=True)

    sub.add_parser(
        "web", help="HTTP listeners only (scale-out, with `setback worker`)"
    ).set_defaults(func=cmd_web, needs_settings=True)
    sub.add_parser(
        "worker", help="check-in dispatch and housekeeping only (scale-out)"
    ).set_defaults(func=cmd_worker, needs_settings=True)
    checkins = sub.add_parser("checkins", help="check-in tools for operators")
    checkins_sub = checkins.add_subparsers(dest="checkins_command", metavar="ACTION")
    checkins_sub.required = True
    listing = checkins_sub.add_parser("list", help="check-ins not yet answered")
    listing.add_argument("--due", action="store_true", help="only those a pass would claim now")
    listing.add_argument("--limit", type=int, default=200, help="rows to show (default 200)")
    listing.set_defaults(func=cmd_checkins_list, needs_settings=True)
    one_pass = checkins_sub.add_parser("run", help="one dispatcher pass (catch-up, demos)")
    one_pass.add_argument("--as-of", help="the pass's time, e.g. 2026-12-01T10:00:00Z")
    one_pass.add_argument("--limit", type=int, help="check-ins to claim (default the batch size)")
    one_pass.set_defaults(func=cmd_checkins_run, needs_settings=True)

    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    db_sub.required = True
    db_sub.add_parser("upgrade", help="apply migrations").set_defaults(
        func=cmd_db_upgrade, needs_settings=True
    )

    # Listed for --help; `main` hands `setback check …` to bot.cli.check directly.
    sub.add_parser(
        "check", help="blameless language check of files, directories or stdin (--help: more)"
    )

    keys = sub.add_parser("keys", help="encryption keys")
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ACTION")
    keys_sub.required = True
    keys_sub.add_parser("new", help="print a new key").set_defaults(
        func=cmd_keys_new, needs_settings=False
    )
    rotate = keys_sub.add_parser(
        "rotate", help="re-encrypt stored values under the first key (safe to re-run)"
    )
    rotate.add_argument("--batch", type=int, default=500, help="rows per transaction")
    rotate.set_defaults(func=cmd_keys_rotate, needs_settings=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `setback` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check"]:  # its own parser: `setback check --json FILE` must reach it whole
        from bot.cli import check as check_cli

        return check_cli.run(argv[1:], sys.stdin, sys.stdout)
    args = build_parser().parse_args(argv)
    settings: Settings | None = None
    try:
        if args.needs_settings:
            settings = load_settings()
            setup_logging(settings.log_level)
        return int(args.func(args, settings) or 0)
    except (ConfigError, StartupError, KeyringError) as exc:
        print(f"setback: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
