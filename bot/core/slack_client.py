"""The Web API client: Slack's base URL (or SLACK_API_URL) and slack_sdk's retry handlers.

429s wait for `Retry-After` with `RateLimitErrorRetryHandler` (slack_sdk does not add it
by default). Dropped connections are retried with slack_sdk's handler — except where a
retry could post twice: a connection that broke after a `chat.postMessage` was sent may
hide a message that landed, so those methods are retried only when the connection was
refused outright (the request never left). Callers recover such posts by metadata.
"""

from __future__ import annotations

from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.core.slack_http import KeptAliveClient

# Methods whose repetition creates a second effect (another message, another file share).
NOT_IDEMPOTENT = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.scheduleMessage",
        "files.completeUploadExternal",
    }
)


def error_code(exc: BaseException) -> str:
    """What to log or store about a failed Web API call: Slack's error code, or the
    exception's class name for network trouble — never a message's content."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or "unknown")
    return type(exc).__name__[:64]


def never_sent(error: Exception | None) -> bool:
    """True when the request cannot have reached the server (connection refused)."""
    if isinstance(error, ConnectionRefusedError):
        return True
    return isinstance(error, URLError) and isinstance(error.reason, ConnectionRefusedError)


class SafeConnectionRetryHandler(ConnectionErrorRetryHandler):
    """slack_sdk's connection-error retries, minus the ones that could duplicate a post."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = request.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        if method in NOT_IDEMPOTENT and not never_sent(error):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def make_client(token: str | None, base_url: str, *, rate_limit_retries: int = 3) -> WebClient:
    """A WebClient that honours 429 Retry-After, retries dropped connections safely and
    keeps its connection open between calls (`bot.core.slack_http`)."""
    return KeptAliveClient(
        token=token,
        base_url=base_url,
        timeout=15,
        retry_handlers=[
            SafeConnectionRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        ],
    )
