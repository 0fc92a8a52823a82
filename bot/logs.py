"""Logging set-up that keeps secrets and answers out of the logs.

slack_sdk logs request bodies at DEBUG (message text, views), so its loggers never go
below INFO; a filter masks anything shaped like a Slack token or Fernet key.
"""

from __future__ import annotations

import logging
import re

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


def setup_logging(level: str = "INFO") -> None:
    """Configure the root logger once: one line per record, secrets masked."""
    root = logging.getLogger()
    root.setLevel(level)
    if not any(getattr(h, "_setback", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler._setback = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactSecrets())
        root.addHandler(handler)
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
