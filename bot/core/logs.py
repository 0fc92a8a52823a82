"""Logging set-up that keeps secrets, answers and payloads out of the logs.

The protocol: nothing of a request body or a Web API payload reaches a log, at any
level. Our own modules log ids, counts and error codes, never a person's words. The
libraries we run on log payloads in several places:

- Bolt logs a rejected request's whole body at INFO ("Invalid request signature
  detected … body: …": a stale but well-signed submission would write the person's
  answers and its `response_url`), unhandled requests with their values, the ack it
  sends at DEBUG, and a failing listener's exception message;
- slack_sdk's Web API client logs every request and response body at DEBUG; its Socket
  Mode client logs every envelope it receives and sends at DEBUG, and a failing
  listener's exception message at ERROR;
- waitress logs an application error's traceback, whose last line is the exception's
  message;
- SQLAlchemy logs statement parameters at INFO and result rows at DEBUG (decrypted
  answers): the engine hides parameters (`storage.db`), `WithholdPayloads` the rows.

Two layers hold that line. Those loggers never go below INFO (`quiet_libraries`), and
`WithholdPayloads` sits on each of them, so the rule holds even when someone turns them
up to DEBUG: a record keeps its leading words, up to where the library starts quoting
values, and a traceback keeps its frames and the exception's type, not its message.
The filter is put on the loggers themselves, not on our handler, so every handler
(ours, a test's, an operator's) sees only the withheld record; Bolt copies it from the
app's logger onto each middleware and listener logger it creates. A second filter on
our handler, `RedactSecrets`, masks anything shaped like a Slack token.
"""

from __future__ import annotations

import logging
import re
import time
import traceback
from types import TracebackType
from typing import TextIO

from slack_sdk.errors import SlackApiError

_SECRET = re.compile(r"\b(xox[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")
_QUIET = ("slack_sdk", "slack_bolt", "urllib3", "apscheduler", "waitress", "alembic")

# The loggers that may quote a payload, by name prefix, and how much of a record each
# keeps: the Slack libraries quote values after "(", "{", "[", ":", "=", a quote or a
# line break; waitress only in brackets (its own lines are "Serving on http://…").
_LIBRARY_CUT = re.compile(r"[(\[{:=\"'\n]")
_SERVER_CUT = re.compile(r"[(\[{\n]")
GUARDED = ("slack_bolt", "slack_sdk", "waitress", "sqlalchemy")
# Created up front (when not yet there) so the filter is in place before they first log.
_KNOWN = (
    "slack_bolt",
    "slack_bolt.App",
    "slack_sdk",
    "slack_sdk.web.base_client",
    "slack_sdk.web.slack_response",
    "slack_sdk.socket_mode.builtin.client",
    "slack_sdk.socket_mode.builtin.connection",
    "waitress",
    "waitress.queue",
    "sqlalchemy.engine.Engine",
)
_SIGNATURE = "Invalid request signature detected"
_TIMESTAMP = re.compile(r"timestamp: (\d{1,12})\b")
WITHHELD = "details withheld"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class RedactSecrets(logging.Filter):
    """Mask Slack tokens in every record, including its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - never let logging break a request
            return True
        masked = _SECRET.sub(lambda m: m.group(0)[:5] + "…redacted", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class WithholdPayloads(logging.Filter):
    """Rewrite a library's record so it carries no payload: its leading words, and for
    a traceback its frames and the exception's type (with Slack's error code for a
    Web API error), never a message. It never drops a record: the operator still sees
    that something happened, and where."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            _withhold(record)
        except Exception:  # noqa: BLE001 - a record we cannot read is dropped, not leaked
            return False
        return True


def _withhold(record: logging.LogRecord) -> None:
    if record.name.startswith("sqlalchemy"):
        if isinstance(record.msg, str) and record.msg.startswith("Row "):
            record.msg, record.args = f"Row ({WITHHELD})", None
        return
    message = record.getMessage()
    if message.startswith(_SIGNATURE):
        safe = _signature_line(message)
    else:
        cut = _SERVER_CUT if record.name.startswith("waitress") else _LIBRARY_CUT
        safe = withheld(message, cut)
    record.msg, record.args = safe, None
    if record.exc_info:
        record.exc_text = frames_only(record.exc_info)
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = None


def withheld(message: str, cut: re.Pattern[str] = _LIBRARY_CUT) -> str:
    """`message` up to where it starts quoting values, marked when something was cut."""
    found = cut.search(message)
    if found is None:
        return message
    head = message[: found.start()].rstrip(" -,;")
    return f"{head} ({WITHHELD})" if head else f"({WITHHELD})"


def _signature_line(message: str) -> str:
    """Bolt's rejection, keeping only the request's timestamp and how far it is from
    this server's clock (what tells a stale delivery or a clock skew from a forgery)."""
    found = _TIMESTAMP.search(message)
    if found is None:
        return f"{_SIGNATURE} ({WITHHELD})"
    stamp = int(found.group(1))
    age = int(time.time()) - stamp
    return f"{_SIGNATURE} (request timestamp {stamp}, {age} s old by this clock; body withheld)"


def frames_only(exc_info: ExcInfo) -> str:
    """A traceback without the exception's message (which can quote a payload): its
    frames, then the type, and Slack's error code when it is a Web API error."""
    etype, error, tb = exc_info
    name = etype.__name__ if etype is not None else "?"
    if isinstance(error, SlackApiError):
        name += f" ({error.response.get('error') or 'unknown'})"
    frames = "".join(traceback.format_tb(tb)) if tb else ""
    return f"Traceback (most recent call last):\n{frames}{name}: <message withheld>"


def withhold_payloads(*loggers: logging.Logger) -> None:
    """Put `WithholdPayloads` on `loggers`, on every library logger that exists now and
    on the ones the libraries create later under a known name. Safe to call again: a
    logger gets the filter once."""
    manager = logging.root.manager
    targets = [logging.getLogger(name) for name in _KNOWN]
    targets += [
        lg
        for name, lg in list(manager.loggerDict.items())
        if isinstance(lg, logging.Logger) and name.startswith(GUARDED)
    ]
    for logger in (*targets, *loggers):
        if not any(isinstance(f, WithholdPayloads) for f in logger.filters):
            logger.addFilter(WithholdPayloads())


class _SetbackHandler(logging.StreamHandler[TextIO]):
    """The one handler `setup_logging` puts on the root logger (found again by its
    class, so setting up twice adds no second one)."""


def quiet_libraries(level: str | int = "INFO") -> None:
    """Keep the libraries that log payloads at DEBUG at INFO or above, and withhold
    payloads from their records whatever their level. Called by the app factory, so it
    holds however logging was configured."""
    numeric = logging.getLevelName(level) if isinstance(level, str) else level
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.INFO, numeric))
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    logging.getLogger("sqlalchemy").setLevel(max(logging.WARNING, numeric))
    withhold_payloads()


def setup_logging(level: str = "INFO") -> None:
    """Configure the root logger once: one line per record, secrets masked."""
    root = logging.getLogger()
    root.setLevel(level)
    if not any(isinstance(h, _SetbackHandler) for h in root.handlers):
        handler = _SetbackHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactSecrets())
        root.addHandler(handler)
    quiet_libraries(level)
