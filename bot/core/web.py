"""HTTP mode: a WSGI app served by waitress (a production server, not Bolt's dev one).

Routes: `POST /slack/events` (commands, interactivity and events all arrive here),
`GET /healthz` (200 when the database answers, 503 otherwise).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.core.runtime import Runtime
from storage.db import ping

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
Route = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

EVENTS_PATH = "/slack/events"


class Server(Protocol):
    """What the CLI uses of a waitress server (waitress ships no types)."""

    effective_port: int

    def run(self) -> None: ...

    def close(self) -> None: ...


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def make_wsgi(app: App, rt: Runtime, extra: dict[tuple[str, str], Route] | None = None) -> Route:
    """The WSGI callable: Bolt for Slack's requests, plus health and any extra routes."""
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)
    routes = dict(extra or {})

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
        if path == EVENTS_PATH:
            if method != "POST":
                return _json(start_response, "405 Method Not Allowed", {"error": "use POST"})
            return bolt(environ, start_response)
        if path == "/healthz" and method == "GET":
            if ping(rt.engine):
                return _json(start_response, "200 OK", {"status": "ok"})
            return _json(start_response, "503 Service Unavailable", {"status": "database down"})
        route = routes.get((method, path))
        if route is not None:
            return route(environ, start_response)
        return _json(start_response, "404 Not Found", {"error": "not found"})

    return wsgi


def serve(wsgi: Route, host: str, port: int, threads: int = 8) -> Server:
    """Create (not start) a waitress server; `.run()` serves, `.close()` stops."""
    from waitress.server import create_server

    server: Server = create_server(
        wsgi,
        host=host,
        port=port,
        threads=threads,
        ident="setback",
        clear_untrusted_proxy_headers=True,
    )
    return server
