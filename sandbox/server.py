"""The sandbox's one HTTP server: the page, its JSON endpoints, and Slack's Web API.

One port (3000 by default) serves

* ``GET /`` and ``/static/…`` — the Slack-like page (plain HTML, CSS and JavaScript,
  no build step); ``GET /archives/C…/p…`` — a message's permalink, which leads to its
  conversation on the page;
* ``GET /sandbox/state?user=U…[&ephemerals_since=ts]`` — what that person sees
  (:func:`sandbox.view_model.page_state`);
* ``GET /sandbox/events`` — Server-Sent Events: one ``change`` per workspace change, so
  the page re-reads its state instead of polling;
* ``POST /sandbox/<verb>`` — what the person does (:class:`sandbox.page.PageActions`);
* ``/api/…``, ``/response/…``, ``/upload/…``, ``/files/…`` — the Web API the bot calls
  (``SLACK_API_URL=http://127.0.0.1:3000/api/``), answered by :func:`sandbox.slack_api.route`.

The page's POSTs must be JSON from the page's own origin: a browser refuses to send a
cross-site JSON POST without a preflight this server never grants, so another web page
cannot type ``/setback`` for you; and the page answers only to this machine's own names
(``127.0.0.1``, ``localhost``), so a rebinding DNS name cannot reach it either.
"""

import json
import logging
import mimetypes
import queue
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.page import PageActions
from sandbox.slack_api import route
from sandbox.view_model import page_state
from sandbox.workspace import Workspace

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
SLACK_PREFIXES = ("/api/", "/response/", "/upload/", "/files/")
HEARTBEAT_SECONDS = 15.0
MAX_BODY = 5 * 1024 * 1024
_NO_USER = ("clock", "rate-limits")  # workspace tools, not something a person says
_PERMALINK = re.compile(r"/archives/([A-Z0-9]+)/p\d+")  # chat.getPermalink's links
_TS = re.compile(r"\d{1,12}(\.\d{1,6})?")  # a message ts, as the page passes it back

Reply = tuple[int, dict[str, str], bytes]


class EventHub:
    """Fan-out of change notices to every open page (one queue per page)."""

    def __init__(self) -> None:
        self._queues: list[queue.Queue[str]] = []
        self._lock = threading.Lock()
        self.closed = threading.Event()

    def publish(self, kind: str, _data: Any = None) -> None:
        """Tell every page that something changed (only the kind: pages re-read their state)."""
        with self._lock:
            for q in self._queues:
                q.put(kind)

    def open(self) -> "queue.Queue[str]":
        q: queue.Queue[str] = queue.Queue()
        with self._lock:
            self._queues.append(q)
        return q

    def drop(self, q: "queue.Queue[str]") -> None:
        with self._lock:
            if q in self._queues:
                self._queues.remove(q)


def _json(status: int, body: Any) -> Reply:
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body).encode()


def _static(name: str) -> Reply:
    path = (STATIC_DIR / name).resolve()
    if STATIC_DIR not in path.parents or not path.is_file():
        return 404, {"Content-Type": "text/plain"}, b"Not Found"
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml"):
        kind += "; charset=utf-8"
    headers = {"Content-Type": kind, "Cache-Control": "no-cache"}
    return 200, headers, path.read_bytes()


class _Handler(BaseHTTPRequestHandler):
    server_version = "SetbackSandbox/1.0"
    server: "_Server"

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def _serve(self, verb: str) -> None:
        parts = urlsplit(self.path)
        if verb == "GET" and parts.path == "/sandbox/events":
            self._stream_events()
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._reply((413, {"Content-Type": "text/plain"}, b"Too large"))
            return
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            reply = self.server.sandbox.answer(verb, parts.path, parts.query, headers, body)
        except Exception:  # a sandbox bug must show as a 500, not a dropped connection
            log.exception("sandbox page failed on %s %s", verb, parts.path)
            reply = _json(500, {"ok": False, "error": "The sandbox hit a bug; see its log."})
        self._reply(reply)

    def _reply(self, reply: Reply) -> None:
        status, headers, payload = reply
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _stream_events(self) -> None:
        hub = self.server.sandbox.hub
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        q = hub.open()
        try:
            self.wfile.write(b"retry: 1000\nevent: hello\ndata: {}\n\n")
            self.wfile.flush()
            quiet_since = time.monotonic()
            while not hub.closed.is_set():  # checked every second, so stop() is quick
                try:
                    kind = q.get(timeout=1.0)
                    message = f"event: change\ndata: {json.dumps({'kind': kind})}\n\n"
                except queue.Empty:
                    if time.monotonic() - quiet_since < HEARTBEAT_SECONDS:
                        continue
                    message = ": still here\n\n"  # keeps proxies from closing the stream
                quiet_since = time.monotonic()
                self.wfile.write(message.encode())
                self.wfile.flush()
        except OSError:  # the page went away
            pass
        finally:
            hub.drop(q)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("sandbox page: " + format, *args)


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # bursts of concurrent clients queue instead of resetting
    daemon_threads = True
    sandbox: "SandboxServer"


Verb = Callable[[dict[str, Any]], dict[str, Any]]


class SandboxServer:
    """The page + Web API server for one workspace; ``start()`` raises OSError on a taken port."""

    def __init__(
        self, ws: Workspace, actions: PageActions, host: str = "127.0.0.1", port: int = 3000
    ) -> None:
        self.ws = ws
        self.actions = actions
        self.host = host
        self.requested_port = port
        self.hub = EventHub()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._verbs: dict[str, Verb] = {
            "command": lambda b: actions.command(b["user"], b["channel"], str(b["text"])),
            "message": lambda b: actions.message(
                b["user"], b["channel"], str(b["text"]), b.get("thread_ts")
            ),
            "delete": lambda b: actions.delete(b["user"], b["channel"], str(b["ts"])),
            "submit": lambda b: actions.submit(b["user"], b["view_id"], b.get("values") or {}),
            "close": lambda b: actions.close(b["user"], b["view_id"], b.get("values")),
            "action": lambda b: actions.action(b["user"], b),
            "home": lambda b: actions.open_home(b["user"]),
            "clock": self._advance,
            "rate-limits": lambda b: actions.rate_limits(bool(b.get("on"))),
        }

    def _advance(self, body: dict[str, Any]) -> dict[str, Any]:
        outcome = self.actions.advance(float(body["seconds"]))
        self.hub.publish("clock")
        return outcome

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "SandboxServer":
        """Bind the port and serve in a daemon thread."""
        server = _Server((self.host, self.requested_port), _Handler)
        server.sandbox = self
        self._server = server
        self._unsubscribe = self.ws.subscribe(self.hub.publish)
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="sandbox-page",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close open event streams, stop serving and release the port."""
        self.hub.closed.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("SandboxServer is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Where a person opens the page (and, with ``api/``, the bot's SLACK_API_URL)."""
        return f"http://{self.host}:{self.port}/"

    def _is_our_host(self, host: str) -> bool:
        """Only this machine's names for the page: a web page whose domain was pointed at
        127.0.0.1 (DNS rebinding) must not be able to drive the sandbox."""
        local = {"127.0.0.1", "localhost", "[::1]"}
        if self.host not in local | {"::1"}:  # served on purpose to other machines
            return True
        return host in {f"{name}:{self.port}" for name in local}

    def _is_person(self, user_id: Any) -> bool:
        user = self.ws.user(user_id) if isinstance(user_id, str) else None
        return user is not None and not user["is_bot"]

    # ------------------------------------------------------------------ routing

    def answer(
        self, verb: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> Reply:
        """One HTTP request to one reply (no socket needed, so tests can call it directly)."""
        if path.startswith(SLACK_PREFIXES):
            target = f"{path}?{query}" if query else path
            return route(self.ws, verb, target, headers, body)
        if not self._is_our_host(headers.get("host", "")):
            return _json(421, {"ok": False, "error": "open the sandbox at its own address"})
        if verb == "GET":
            return self._get(path, query)
        if verb == "POST" and path.startswith("/sandbox/"):
            return self._post(path.removeprefix("/sandbox/"), headers, body)
        return 404, {"Content-Type": "text/plain"}, b"Not Found"

    def _get(self, path: str, query: str) -> Reply:
        if path in ("/", "/index.html"):
            return _static("index.html")
        if path.startswith("/static/"):
            return _static(path.removeprefix("/static/"))
        if path == "/favicon.ico":
            return _static("favicon.svg")
        linked = _PERMALINK.fullmatch(path)
        if linked:  # a message's permalink opened in a new tab: its conversation
            channel = self.ws.channel(linked.group(1))
            where = "#/dm" if channel is None or channel["is_im"] else f"#/c/{channel['id']}"
            return 302, {"Location": f"/{where}", "Content-Type": "text/plain"}, b""
        if path == "/sandbox/state":
            asked = parse_qs(query)
            user = (asked.get("user") or [""])[0]
            since = (asked.get("ephemerals_since") or [""])[0] or None
            if since is not None and not _TS.fullmatch(since):
                return _json(400, {"ok": False, "error": "ephemerals_since must be a ts"})
            try:
                return _json(200, page_state(self.ws, user, ephemerals_since=since))
            except LookupError as exc:
                return _json(404, {"ok": False, "error": str(exc)})
        return 404, {"Content-Type": "text/plain"}, b"Not Found"

    def _post(self, name: str, headers: dict[str, str], body: bytes) -> Reply:
        verb = self._verbs.get(name)
        if verb is None:
            return _json(404, {"ok": False, "error": f"no such action {name}"})
        if not headers.get("content-type", "").startswith("application/json"):
            return _json(415, {"ok": False, "error": "send JSON"})
        origin = headers.get("origin")
        if origin and origin.rstrip("/") != f"http://{headers.get('host', '')}":
            return _json(403, {"ok": False, "error": "only the sandbox page may do this"})
        try:
            request = json.loads(body or b"{}")
            if not isinstance(request, dict):
                raise ValueError("not an object")
            if name not in _NO_USER and not self._is_person(request.get("user")):
                raise ValueError("user must be a person in this workspace")
            return _json(200, verb(request))
        except (ValueError, KeyError, TypeError) as exc:
            return _json(400, {"ok": False, "error": f"bad request: {exc}"})
