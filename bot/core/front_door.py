"""The front door of HTTP mode: what a request to `POST /slack/events` must be before
anything parses it.

The protocol, in order, for every request:

1. **Size.** The body is read only up to the cap (`SETBACK_WEB_MAX_BODY_BYTES`): a
   `Content-Length` over it, or a body that turns out longer while being read, is
   answered 413 and never read further. The HTTP server holds the same cap before the
   app is called (`bot.core.web.serve`); this check holds it under any WSGI server.
2. **Signature.** Slack's `X-Slack-Signature` over `v0:<timestamp>:<raw body>`, checked
   by slack_sdk's `SignatureVerifier` on the raw bytes: missing, stale (over five
   minutes) or wrong is 401; a malformed timestamp or signature header, or a body that
   is not UTF-8, is 400. Nothing has parsed the body yet.
3. **Bolt.** Only a signed request reaches Bolt, which verifies it again (defence in
   depth) and parses it. A signed body Bolt cannot parse is 400, never 500.

Refusals are logged as one short line at most once a minute, counting the ones not
logged since; never a body, a header value or a traceback, so a flood of forged
requests cannot flood the log.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

READ_CHUNK = 64 * 1024
STALE_SECONDS = 5 * 60  # Slack's replay window, as SignatureVerifier applies it
LOG_EVERY_SECONDS = 60.0


@dataclass(frozen=True)
class Refusal:
    """Why a request is turned away: the HTTP status and a short reason for the log."""

    status: str
    reason: str


TOO_LARGE = "413 Request Entity Too Large"
BAD_REQUEST = "400 Bad Request"
UNAUTHORIZED = "401 Unauthorized"
_ANSWERS = {
    TOO_LARGE: "request too large",
    BAD_REQUEST: "malformed request",
    UNAUTHORIZED: "invalid request",
}


class RateGate:
    """Opens at most once per `every` seconds and counts the times it stayed shut.

    Thread-safe: every HTTP worker thread goes through the same gate.
    """

    def __init__(
        self, every: float = LOG_EVERY_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._every, self._clock = every, clock
        self._lock = threading.Lock()
        self._next_at = float("-inf")
        self._held = 0

    def open(self) -> int | None:
        """None while shut; when open, how many times it stayed shut since it last opened."""
        with self._lock:
            now = self._clock()
            if now < self._next_at:
                self._held += 1
                return None
            held, self._held = self._held, 0
            self._next_at = now + self._every
            return held


class ThrottledLog:
    """One WARNING line per `every` seconds at most; the next line counts the ones held."""

    def __init__(self, logger: logging.Logger, gate: RateGate | None = None) -> None:
        self._log, self._gate = logger, gate or RateGate()

    def note(self, line: str) -> bool:
        """Log `line` unless a line went out less than a minute ago; True if logged."""
        held = self._gate.open()
        if held is None:
            return False
        more = f" ({held} more since the last such line, not logged)" if held else ""
        self._log.warning("%s%s", line, more)
        return True


def read_body(environ: dict[str, Any], cap: int) -> bytes | Refusal:
    """The raw body, read in chunks and never past `cap` bytes (section 1 above)."""
    declared = environ.get("CONTENT_LENGTH") or ""
    stream = environ.get("wsgi.input")
    if declared:
        if not (declared.isascii() and declared.isdigit()):
            return Refusal(BAD_REQUEST, "malformed Content-Length")
        if int(declared) > cap:
            return Refusal(TOO_LARGE, "body over the size cap (Content-Length)")
        expected = int(declared)
    elif environ.get("wsgi.input_terminated"):
        expected = cap + 1  # no length given: read to the end, but never past the cap
    else:
        return b""
    if stream is None:
        return b""
    return _read_capped(stream, expected, cap, exact=bool(declared))


def _read_capped(stream: Any, expected: int, cap: int, *, exact: bool) -> bytes | Refusal:
    buf = io.BytesIO()
    while buf.tell() < expected:
        chunk = stream.read(min(READ_CHUNK, expected - buf.tell()))
        if not chunk:
            break
        buf.write(chunk)
        if buf.tell() > cap:
            return Refusal(TOO_LARGE, "body over the size cap (while reading)")
    if exact and buf.tell() < expected:
        return Refusal(BAD_REQUEST, "body shorter than its Content-Length")
    return buf.getvalue()


def check_signature(
    verifier: SignatureVerifier, environ: dict[str, Any], body: bytes
) -> Refusal | None:
    """None when Slack signed exactly these bytes within the last five minutes."""
    stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE")
    if not stamp or not signature:
        return Refusal(UNAUTHORIZED, "unsigned")
    # int() and compare_digest() raise on what these rule out; a refusal is not an error.
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        return Refusal(BAD_REQUEST, "malformed X-Slack-Request-Timestamp")
    if not signature.isascii():
        return Refusal(BAD_REQUEST, "malformed X-Slack-Signature")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(BAD_REQUEST, "body is not UTF-8")
    if abs(time.time() - int(stamp)) > STALE_SECONDS:
        return Refusal(UNAUTHORIZED, "stale timestamp")
    if not verifier.is_valid(body=body, timestamp=stamp, signature=signature):
        return Refusal(UNAUTHORIZED, "bad signature")
    return None


def answer(start_response: StartResponse, status: str) -> list[bytes]:
    """A short JSON refusal that says nothing about why (the log says that)."""
    data = json.dumps({"error": _ANSWERS.get(status, "refused")}).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def _where(exc: BaseException) -> str:
    """`ExcType at module/file.py:line` of the innermost frame: enough to find a bug,
    without the message (which can quote the body)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return type(exc).__name__
    last = frames[-1]
    short = "/".join(last.filename.replace("\\", "/").split("/")[-2:])
    return f"{type(exc).__name__} at {short}:{last.lineno}"


class FrontDoor:
    """WSGI middleware in front of Bolt: cap, verify, then hand over (module docstring)."""

    def __init__(self, bolt: WsgiApp, signing_secret: str, max_body_bytes: int) -> None:
        self._bolt = bolt
        self._verifier = SignatureVerifier(signing_secret)
        self._cap = max_body_bytes
        self._refusals = ThrottledLog(log)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = read_body(environ, self._cap)
        if isinstance(body, Refusal):
            return self._refuse(start_response, body)
        refusal = check_signature(self._verifier, environ, body)
        if refusal is not None:
            return self._refuse(start_response, refusal)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        try:
            return self._bolt(environ, start_response)
        except Exception as exc:  # noqa: BLE001 - a signed body Bolt cannot parse: 400, not 500
            return self._refuse(start_response, Refusal(BAD_REQUEST, f"unparsable ({_where(exc)})"))

    def _refuse(self, start_response: StartResponse, refusal: Refusal) -> list[bytes]:
        code = refusal.status.split(" ", 1)[0]
        self._refusals.note(f"Refused a request to /slack/events: {code}, {refusal.reason}")
        return answer(start_response, refusal.status)
