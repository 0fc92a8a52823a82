"""Whether a share can go to a channel: the author is in it, it is open, the app is in it.

Checked twice. The compose step checks while the modal is open (`conversations.info`,
then `conversations.members`), so the usual problems — a private channel without the
app, a channel the author is not in, an archived one — come back as a field error on
the channel picker. These calls are read-only and run under a short time budget with
no 429 waits; anything inconclusive is left to the post step, which checks again
(`ensure_postable`): every page of members, 429 waits, and a join of a public channel
the app is not in yet.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.sharing.outcome import ShareProblem

log = logging.getLogger(__name__)

QUICK_BUDGET_SECONDS = 2.0  # Slack calls made before a modal answers (3 s deadline)
QUICK_CALL_MARGIN = 0.05  # kept back from each call's timeout for our own work after it
QUICK_CALL_MIN = 0.05  # not worth starting a call with less time than this
QUICK_MEMBER_PAGES = 2
MEMBER_PAGE = 1000


def _members_include(
    client: WebClient, channel: str, user_id: str, max_pages: int | None
) -> tuple[bool, bool]:
    """(author found, every page read) from `conversations.members`."""
    cursor, pages = None, 0
    while max_pages is None or pages < max_pages:
        resp = client.conversations_members(channel=channel, limit=MEMBER_PAGE, cursor=cursor)
        pages += 1
        if user_id in (resp.get("members") or []):
            return True, True
        cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return False, True
    return False, False


def channel_problem(
    client: WebClient, channel: str, user_id: str, max_pages: int | None = None
) -> tuple[str | None, dict[str, Any]]:
    """(problem code or None, channel info). Raises SlackApiError for Slack's refusals
    (`channel_not_found` for a private channel the app is not in, for example)."""
    info = client.conversations_info(channel=channel)["channel"]
    if info.get("is_im") or info.get("is_mpim"):
        return "not_a_channel", info
    if info.get("is_archived"):
        return "is_archived", info
    found, complete = _members_include(client, channel, user_id, max_pages)
    if not found and complete:
        return "not_member", info
    return None, info


class _BudgetClient(WebClient):
    """A client for calls made before a modal answers: no retries, no 429 waits, and each
    call's timeout shrinks to what is left of a small budget of real (network) time.

    The timeout stays a float (urllib takes fractions of a second): rounding it up to
    whole seconds would let a call run up to a second past the budget, and so past
    Slack's 3-second deadline for the modal's answer."""

    def __init__(self, base: WebClient, seconds: float) -> None:
        super().__init__(token=base.token, base_url=base.base_url, retry_handlers=[])
        self._deadline = time.monotonic() + seconds

    def api_call(self, *args: Any, **kwargs: Any) -> Any:
        left = self._deadline - time.monotonic() - QUICK_CALL_MARGIN
        if left < QUICK_CALL_MIN:
            raise TimeoutError("quick check budget spent")
        self.timeout = left  # type: ignore[assignment]  # why: slack_sdk types it int; urllib takes a float
        return super().api_call(*args, **kwargs)


def quick_channel_problem(rt: Runtime, actor: Actor, channel: str) -> str | None:
    """A definite problem with posting there, found fast; None when fine or unknown.

    Unknown (a slow Slack, a 429, a huge channel) is not an error here: the post step
    checks everything again, with patience.
    """
    client = _BudgetClient(rt.client_for(actor.team_id, actor.enterprise_id), QUICK_BUDGET_SECONDS)
    try:
        problem, _ = channel_problem(client, channel, actor.user_id, max_pages=QUICK_MEMBER_PAGES)
        return problem
    except SlackApiError as exc:
        code = exc.response.get("error")
        return code if code in ("channel_not_found", "is_archived") else None
    except Exception as exc:  # noqa: BLE001 - timeouts and network trouble: check at post
        log.info("quick channel check inconclusive: %s", type(exc).__name__)
        return None


def ensure_postable(client: WebClient, channel: str, user_id: str) -> None:
    """Full check before posting: the author is a member (every page of members), the
    channel is open, and the app is in it — joining a public channel when it is not."""
    problem, info = channel_problem(client, channel, user_id)
    if problem:
        raise ShareProblem(problem)
    if not info.get("is_member"):
        if info.get("is_private"):
            raise ShareProblem("not_in_channel")
        client.conversations_join(channel=channel)
