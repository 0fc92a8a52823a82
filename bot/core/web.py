"""HTTP mode: a WSGI app served by waitress (a production server, not Bolt's dev one),
with its connection channel replaced by `bot.core.web_channel` (no busy loop mid-write).

Routes: `POST /slack/events` (commands, interactivity and events all arrive here, through
the front door: size cap, then signature, then Bolt — `bot.core.front_door`),
with OAuth installs `GET /slack/install` and `GET /slack/oauth_redirect` (a person's
browser, not Slack, sends them: `install_routes`), `GET /healthz` (200 when the
database answers, 503 otherwise — within
`bot.core.health.HEALTHZ_WAIT` seconds even while the database hangs: the question is
asked on a probe thread, never on the HTTP thread).

Limits, so idle or slow clients cannot starve Slack's requests or `/healthz`
(`WebLimits`, set by `SETBACK_WEB_*`):

- waitress reads every request whole on its event loop before a worker thread sees it,
  so a slow client costs a connection slot, never a thread;
- connection slots: `SETBACK_WEB_CONNECTION_LIMIT` (waitress's own default, 100, is
  what about 100 idle sockets exhaust); polled with poll(), which has no 1,024-socket
  ceiling as select() has; the process's file-descriptor limit is raised to fit;
- a connection that sends nothing for `SETBACK_WEB_CHANNEL_TIMEOUT` seconds is closed
  (checked every few seconds);
- headers are capped at 32 KiB, bodies at `SETBACK_WEB_MAX_BODY_BYTES` (413 as soon as a
  `Content-Length` or a chunked body passes it: the rest is never read), and only the
  first 64 KiB of a body is held in memory (the rest spills to a temporary file), so
  memory per connection is bounded.

What waitress cannot bound is a header's *total* time: a client that trickles a header
line more often than the channel timeout keeps its slot. That is why the connection
limit is high, and why production runs behind a proxy that bounds it (nginx's
`client_header_timeout`: deploy/nginx.conf, README → Deploy behind a reverse proxy).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.core.front_door import FrontDoor, RateGate
from bot.core.health import HEALTHZ_WAIT
from bot.core.runtime import Runtime
from bot.core.settings import Settings
from bot.core.web_channel import SteadyChannel

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
Route = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

EVENTS_PATH = "/slack/events"
MAX_HEADER_BYTES = 32 * 1024  # Slack's headers are well under 4 KiB
BODY_IN_MEMORY_BYTES = 64 * 1024  # most payloads fit; larger ones spill to a temp file
FDS_PER_CONNECTION = 2  # the socket, and a temp file for a body over the in-memory part
FDS_SPARE = 256  # database pool, logs, the Slack client's connections
# waitress lines any client can cause, one per connection: held to one a minute each.
CLIENT_DRIVEN_LINES = ("Client disconnected", "total open connections")


class Server(Protocol):
    """What the CLI uses of a waitress server (waitress ships no types)."""

    effective_port: int

    def run(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class WebLimits:
    """The HTTP server's limits (module docstring); defaults are the settings' defaults."""

    max_body_bytes: int
    connection_limit: int
    channel_timeout: int

    @classmethod
    def from_settings(cls, settings: Settings) -> WebLimits:
        return cls(
            max_body_bytes=settings.setback_web_max_body_bytes,
            connection_limit=settings.setback_web_connection_limit,
            channel_timeout=settings.setback_web_channel_timeout,
        )

    @classmethod
    def defaults(cls) -> WebLimits:
        fields = Settings.model_fields
        return cls(
            max_body_bytes=fields["setback_web_max_body_bytes"].default,
            connection_limit=fields["setback_web_connection_limit"].default,
            channel_timeout=fields["setback_web_channel_timeout"].default,
        )


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def install_routes(app: App) -> dict[tuple[str, str], Route]:
    """With OAuth installs, `GET /slack/install` and `GET /slack/oauth_redirect`, served
    by Bolt's OAuth flow. A person's browser sends them, so they carry no Slack
    signature: they go around the front door (their bodies are empty, and the server's
    own size cap still holds); the flow checks its own state instead."""
    flow = app.oauth_flow
    if flow is None:
        return {}
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)
    return {("GET", flow.install_path): bolt, ("GET", flow.redirect_uri_path): bolt}


def make_wsgi(app: App, rt: Runtime, extra: dict[tuple[str, str], Route] | None = None) -> Route:
    """The WSGI callable: the front door and Bolt for Slack's requests, plus health and
    any extra routes."""
    secret = rt.settings.slack_signing_secret
    if not secret:
        raise ValueError("HTTP mode needs SLACK_SIGNING_SECRET")
    events = FrontDoor(
        SlackRequestHandler(app, path=EVENTS_PATH), secret, rt.settings.setback_web_max_body_bytes
    )
    routes = {**install_routes(app), **(extra or {})}

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
        if path == EVENTS_PATH:
            if method != "POST":
                return _json(start_response, "405 Method Not Allowed", {"error": "use POST"})
            return events(environ, start_response)
        if path == "/healthz" and method == "GET":
            if rt.health.check(HEALTHZ_WAIT):
                return _json(start_response, "200 OK", {"status": "ok"})
            return _json(start_response, "503 Service Unavailable", {"status": "database down"})
        route = routes.get((method, path))
        if route is not None:
            return route(environ, start_response)
        return _json(start_response, "404 Not Found", {"error": "not found"})

    return wsgi


def serve(
    wsgi: Route, host: str, port: int, threads: int = 8, limits: WebLimits | None = None
) -> Server:
    """Create (not start) a waitress server with the limits above; `.run()` serves,
    `.close()` stops."""
    from waitress.server import create_server

    limits = limits or WebLimits.defaults()
    _quiet_client_driven_lines(logging.getLogger("waitress"))
    created = create_server(
        wsgi,
        host=host,
        port=port,
        threads=threads,
        ident="setback",
        clear_untrusted_proxy_headers=True,
        connection_limit=_fit_descriptors(limits.connection_limit),
        channel_timeout=limits.channel_timeout,
        cleanup_interval=max(1, min(5, limits.channel_timeout // 2)),
        max_request_header_size=MAX_HEADER_BYTES,
        max_request_body_size=limits.max_body_bytes + 1,  # waitress refuses at >=, we at >
        inbuf_overflow=BODY_IN_MEMORY_BYTES,
        asyncore_use_poll=True,
        log_socket_errors=False,  # a client that hangs up is not the operator's problem
    )
    created.channel_class = SteadyChannel  # no busy loop while a worker writes
    server: Server = created
    return server


class _ClientDrivenLines(logging.Filter):
    """Lets each of waitress's client-driven lines through at most once a minute."""

    def __init__(self) -> None:
        super().__init__()
        self._gates = {prefix: RateGate() for prefix in CLIENT_DRIVEN_LINES}

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        for prefix, gate in self._gates.items():
            if message.startswith(prefix):
                return gate.open() is not None
        return True


def _quiet_client_driven_lines(logger: logging.Logger) -> None:
    if not any(isinstance(f, _ClientDrivenLines) for f in logger.filters):
        logger.addFilter(_ClientDrivenLines())


def _fit_descriptors(connections: int) -> int:
    """Raise the open-files limit to fit `connections`, or lower them to fit the limit:
    running out of descriptors would fail accept() for everyone, Slack included."""
    try:
        import resource
    except ImportError:  # not on this platform: the limit is the OS's business
        return connections
    needed = connections * FDS_PER_CONNECTION + FDS_SPARE
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < needed:
        fitted = max(10, (soft - FDS_SPARE) // FDS_PER_CONNECTION)
        log.warning(
            "Open-files limit %s fits %s connections, not SETBACK_WEB_CONNECTION_LIMIT=%s; "
            "raise it (ulimit -n / LimitNOFILE) to allow more",
            soft,
            fitted,
            connections,
        )
        return fitted
    return connections
