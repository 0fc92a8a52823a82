"""When a listener or middleware raises: one log line, and nothing of the payload.

Bolt's default handlers log `str(error)` with a traceback, and an exception's message
can quote what a person wrote (a KeyError naming an answer, a ValueError echoing a
value). `on_error`, the app's global `app.error` handler, logs instead the exception's
type, the kind of request (slash command, button, modal submission or closing, event
type) and where in our code it was raised: never the body, never the message. It
returns nothing, so Bolt answers as it does by default: HTTP 500, which Slack shows as
an error in a modal and retries for an event.

Lazy listeners (the work after an ack) never reach `app.error`: Bolt logs their failure
on the app's logger as "Failed to run an internal function (<message>)".
`WithholdLazyErrors`, a filter on that logger, rewrites those records the same way.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger(__name__)

_ROOT = Path(__file__).resolve().parent.parent
_OURS = ("bot", "handlers", "scheduler", "storage")
_WORD = re.compile(r"[a-z_]{1,40}")
_LAZY_FAILED = "Failed to run an internal function ("


def request_kind(body: dict[str, Any]) -> str:
    """What kind of request this was, in Slack's own vocabulary (`slash_command`,
    `block_actions`, `view_submission`, `view_closed`, `event:<type>`), never a value a
    person typed: anything that is not a short lowercase word is reported as `other`."""
    if "command" in body:
        return "slash_command"
    kind = body.get("type")
    if kind == "event_callback":
        event_type = (body.get("event") or {}).get("type")
        return f"event:{_word(event_type)}"
    return _word(kind)


def _word(value: Any) -> str:
    return value if isinstance(value, str) and _WORD.fullmatch(value) else "other"


def raised_at(tb: TracebackType | None) -> str:
    """The innermost frame of our own code in a traceback (`module.py:line in function`),
    or the innermost frame at all when none is ours: where to look, without a message."""
    frames = traceback.extract_tb(tb)
    if not frames:
        return "?"
    ours = [f for f in frames if _is_ours(f.filename)]
    frame = (ours or frames)[-1]
    return f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}"


def _is_ours(filename: str) -> bool:
    try:
        parts = Path(filename).resolve().relative_to(_ROOT).parts
    except ValueError:
        return False
    return bool(parts) and parts[0] in _OURS


def on_error(error: Exception, body: dict[str, Any]) -> None:
    """The app's global error handler (`app.error`): log type, request kind and place."""
    log.error(
        "listener failed: %s in a %s request at %s",
        type(error).__name__,
        request_kind(body or {}),
        raised_at(error.__traceback__),
    )


class WithholdLazyErrors(logging.Filter):
    """Rewrite Bolt's "a lazy listener failed" record to name the exception's type and
    where it was raised instead of quoting its message. The record is logged inside the
    `except` that caught the exception, so `sys.exc_info()` still holds it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not (isinstance(record.msg, str) and record.msg.startswith(_LAZY_FAILED)):
            return True
        _, error, tb = sys.exc_info()
        record.msg = "lazy listener failed: %s at %s"
        record.args = (type(error).__name__ if error else "?", raised_at(tb))
        record.exc_info = record.exc_text = None
        return True


def withhold_lazy_errors(logger: logging.Logger) -> None:
    """Install `WithholdLazyErrors` on the app's logger once."""
    if not any(isinstance(f, WithholdLazyErrors) for f in logger.filters):
        logger.addFilter(WithholdLazyErrors())
