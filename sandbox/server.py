"""The sandbox's one HTTP server: the page, its JSON endpoints, and Slack's Web API.

One port (3000 by default) serves

* ``GET /`` and ``/static/…`` — the Slack-like page (plain HTML, CSS and JavaScript,
  no build step); ``GET /archives/C…/p…`` — a message's permalink, which leads to its
  conversation on the page;
* ``GET /sandbox/state?user=U…[&ephemerals_since=ts]`` — what that person sees
  (:func:`sandbox.view_model.page_state`);
* ``GET /sandbox/events`` — Server-Sent Events: one ``change`` per workspace change, so
  the page re-reads its state instead of polling;
* ``POST /sandbox/<verb>`` — what the person does (:class:`sandbox.page.PageActions`),
  and ``POST /sandbox/uninstall`` — an admin removes the app from the person's workspace
  (its tokens end; the bot hears ``app_uninstalled`` and ``tokens_revoked``);
* ``/api/…``, ``/response/…``, ``/upload/…``, ``/files/…`` — the Web API the bot calls
  (``SLACK_API_URL=http://127.0.0.1:3000/api/``), answered by :func:`sandbox.slack_api.route`;
* ``/oauth/v2/authorize`` — Slack's authorize page (:mod:`sandbox.authorize`), where a
  person adds the app to a workspace; ``GET /app_redirect?team=T…`` — Slack's link that
  opens the app in a workspace, which opens the page as a person of that workspace.

With several workspaces (:class:`sandbox.org.Org`), the page shows one person at a
time, in their own workspace: the state and every action go to the workspace of the
``user`` they name, and the page's ``sandbox-user`` cookie tells the authorize page who
is signed in. ``workspaces`` in the state lists them all for the switcher, with whether
the app is installed in each and, where it is not, the app's "Add to Slack" page.

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
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from sandbox import authorize
from sandbox.org import Org
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


Verb = Callable[[PageActions, dict[str, Any]], dict[str, Any]]


class SandboxServer:
    """The page + Web API server for the sandbox's workspaces; ``start()`` raises
    OSError on a taken port. ``actions`` are one workspace's, or each workspace's by
    team id; ``install_url`` is the app's "Add to Slack" page, offered where the app is
    not installed."""

    def __init__(
        self,
        target: Workspace | Org,
        actions: PageActions | Mapping[str, PageActions],
        host: str = "127.0.0.1",
        port: int = 3000,
        *,
        install_url: str | None = None,
    ) -> None:
        self.org = Org.of(target)
        self.ws = self.org.first
        by_team = {actions.ws.team_id: actions} if isinstance(actions, PageActions) else actions
        self.by_team = dict(by_team)
        self.actions = self.by_team[self.ws.team_id]
        self.install_url = install_url
        self.host = host
        self.requested_port = port
        self.hub = EventHub()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._verbs: dict[str, Verb] = {
            "command": lambda a, b: a.command(b["user"], b["channel"], str(b["text"])),
            "message": lambda a, b: a.message(
                b["user"], b["channel"], str(b["text"]), b.get("thread_ts")
            ),
            "delete": lambda a, b: a.delete(b["user"], b["channel"], str(b["ts"])),
            "submit": lambda a, b: a.submit(b["user"], b["view_id"], b.get("values") or {}),
            "close": lambda a, b: a.close(b["user"], b["view_id"], b.get("values")),
            "action": lambda a, b: a.action(b["user"], b),
            "home": lambda a, b: a.open_home(b["user"]),
            "clock": self._advance,
            "rate-limits": self._rate_limits,
            "uninstall": self._uninstall,
        }

    def _advance(self, actions: PageActions, body: dict[str, Any]) -> dict[str, Any]:
        outcome = actions.advance(float(body["seconds"]))
        self.hub.publish("clock")
        return outcome

    def _rate_limits(self, actions: PageActions, body: dict[str, Any]) -> dict[str, Any]:
        outcome: dict[str, Any] = {"ok": True}
        for each in self.by_team.values():  # one Slack: its limits hold in every workspace
            outcome = each.rate_limits(bool(body.get("on")))
        return outcome

    def _uninstall(self, actions: PageActions, body: dict[str, Any]) -> dict[str, Any]:
        """A workspace admin removes the app: its tokens end, Slack tells the app."""
        ws = actions.ws
        if not ws.app_installed:
            return {"ok": False, "error": f"Setback is not installed in {ws.team_name}."}
        if self.org.oauth is None:
            return {
                "ok": False,
                "error": "This sandbox runs Setback with one token, which cannot be removed.",
            }
        self.org.oauth.uninstall(ws.team_id)
        ws.uninstall_app()
        return actions.app_removed()

    def _actions_for(self, user: Any) -> PageActions:
        ws = self.org.of_user(user) if isinstance(user, str) else None
        return self.by_team.get(ws.team_id if ws else "", self.actions)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "SandboxServer":
        """Bind the port and serve in a daemon thread."""
        server = _Server((self.host, self.requested_port), _Handler)
        server.sandbox = self
        self._server = server
        self._unsubscribe = [ws.subscribe(self.hub.publish) for ws in self.org.workspaces]
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
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
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
        return isinstance(user_id, str) and self.org.of_user(user_id) is not None

    # ------------------------------------------------------------------ routing

    def answer(
        self, verb: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> Reply:
        """One HTTP request to one reply (no socket needed, so tests can call it directly)."""
        if path.startswith(SLACK_PREFIXES):
            target = f"{path}?{query}" if query else path
            return route(self.org, verb, target, headers, body)
        if not self._is_our_host(headers.get("host", "")):
            return _json(421, {"ok": False, "error": "open the sandbox at its own address"})
        if path == authorize.PATH and verb == "GET":
            return authorize.show(self.org, query, headers.get("cookie"))
        if path == authorize.PATH and verb == "POST":
            if not self._same_origin(headers):
                return _json(403, {"ok": False, "error": "only the sandbox page may do this"})
            return authorize.decide(self.org, body, headers.get("cookie"))
        if path == "/app_redirect" and verb == "GET":
            return self._app_redirect(query, headers.get("cookie"))
        if verb == "GET":
            return self._get(path, query)
        if verb == "POST" and path.startswith("/sandbox/"):
            return self._post(path.removeprefix("/sandbox/"), headers, body)
        return 404, {"Content-Type": "text/plain"}, b"Not Found"

    @staticmethod
    def _same_origin(headers: dict[str, str]) -> bool:
        origin = headers.get("origin")
        return not origin or origin.rstrip("/") == f"http://{headers.get('host', '')}"

    def _app_redirect(self, query: str, cookies: str | None) -> Reply:
        """Slack's "open the app" link: the app's DM, as a person of that workspace
        (the signed-in one when they are in it)."""
        team = (parse_qs(query).get("team") or [""])[0]
        ws = self.org.workspace(team) or self.org.first
        user = authorize.signed_in(cookies)
        if user is None or self.org.of_user(user) is not ws:
            people = [ws.user(u) for u in ws.user_ids()]
            user = next((p["id"] for p in people if p and not p["is_bot"]), "")
        location = f"/?{urlencode({'as': user})}#/dm"
        return 302, {"Location": location, "Content-Type": "text/plain"}, b""

    def workspaces(self) -> list[dict[str, Any]]:
        """Every workspace for the page's switcher: its people, and whether the app is in."""
        listed = []
        for ws in self.org.workspaces:
            people = [ws.user(u) for u in ws.user_ids()]
            listed.append(
                {
                    "id": ws.team_id,
                    "name": ws.team_name,
                    "app_installed": ws.app_installed,
                    "install_url": None
                    if ws.app_installed or not self.install_url
                    else f"{self.install_url}?{urlencode({'team': ws.team_id})}",
                    "people": [
                        {"id": p["id"], "real_name": p["real_name"]}
                        for p in people
                        if p and not p["is_bot"] and not p["deleted"]
                    ],
                }
            )
        return listed

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
            ws = self.org.of_user(user) or self.ws
            try:
                state = page_state(ws, user, ephemerals_since=since)
            except LookupError as exc:
                return _json(404, {"ok": False, "error": str(exc)})
            state["org"] = {"id": self.org.enterprise_id, "name": self.org.enterprise_name}
            state["workspaces"] = self.workspaces()
            state["app_installed"] = ws.app_installed
            state["can_uninstall"] = ws.app_installed and self.org.oauth is not None
            return _json(200, state)
        return 404, {"Content-Type": "text/plain"}, b"Not Found"

    def _post(self, name: str, headers: dict[str, str], body: bytes) -> Reply:
        verb = self._verbs.get(name)
        if verb is None:
            return _json(404, {"ok": False, "error": f"no such action {name}"})
        if not headers.get("content-type", "").startswith("application/json"):
            return _json(415, {"ok": False, "error": "send JSON"})
        if not self._same_origin(headers):
            return _json(403, {"ok": False, "error": "only the sandbox page may do this"})
        try:
            request = json.loads(body or b"{}")
            if not isinstance(request, dict):
                raise ValueError("not an object")
            if name not in _NO_USER and not self._is_person(request.get("user")):
                raise ValueError("user must be a person in this workspace")
            return _json(200, verb(self._actions_for(request.get("user")), request))
        except (ValueError, KeyError, TypeError) as exc:
            return _json(400, {"ok": False, "error": f"bad request: {exc}"})
