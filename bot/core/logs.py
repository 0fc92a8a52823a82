"""Logging set-up that keeps secrets and answers out of the logs.

slack_sdk logs request bodies at DEBUG (message text, views), so its loggers never go
below INFO; a filter masks anything shaped like a Slack token or Fernet key.
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

_SECRET = re.compile(r"\b(xox[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")
_QUIET = ("slack_sdk", "slack_bolt", "urllib3", "apscheduler", "waitress", "alembic")


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


class _SetbackHandler(logging.StreamHandler[TextIO]):
    """The one handler `setup_logging` puts on the root logger (found again by its
    class, so setting up twice adds no second one)."""


def quiet_libraries(level: str | int = "INFO") -> None:
    """Keep slack_sdk/Bolt (which log request and response bodies at DEBUG) at INFO or
    above. Called by the app factory, so it holds however logging was configured."""
    numeric = logging.getLevelName(level) if isinstance(level, str) else level
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.INFO, numeric))
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


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
