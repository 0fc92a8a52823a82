"""The Web API client: Slack's base URL (or SLACK_API_URL) and slack_sdk's retry handlers.

Connection errors are retried by slack_sdk's default handler; 429s wait for
`Retry-After` with `RateLimitErrorRetryHandler` (LIMITS.md: not on by default).
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)


def make_client(token: str | None, base_url: str, *, rate_limit_retries: int = 3) -> WebClient:
    """A WebClient that honours 429 Retry-After and retries dropped connections."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        ],
    )
