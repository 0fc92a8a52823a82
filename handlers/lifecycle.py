"""App lifecycle events: the app removed from a workspace, or its bot token revoked.

Bolt's `enable_token_revocation_listeners` only works with an OAuth installation store,
and it deletes tokens, not our data; so these events are handled here. The ack is
immediate; marking the workspace (deduplicated by event id) and erasing its data run
in a lazy listener. With a grace period, a middleware lifts the mark when the workspace
is heard from again (the app was reinstalled before its data was erased); retried
deliveries do not count, as they may predate the uninstall.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest

from bot.core.runtime import Runtime
from bot.journal import erase

log = logging.getLogger(__name__)


def _bot_tokens_revoked(event: dict[str, Any]) -> bool:
    """`tokens_revoked` lists user (oauth) and bot tokens; only the bot's ends the install."""
    return bool(((event.get("tokens") or {}).get("bot")) or [])


def register(app: App, rt: Runtime) -> None:
    """Wire `app_uninstalled`, `tokens_revoked` and (with a grace period) reinstall notice."""

    def just_ack(ack: Ack) -> None:
        ack()

    def uninstalled(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        if event.get("type") == "tokens_revoked" and not _bot_tokens_revoked(event):
            log.info("tokens_revoked for user tokens only: the app stays installed")
            return
        team_id = str(context.team_id or body.get("team_id") or "")
        if team_id:
            erase.handle_uninstall(rt, team_id, body.get("event_id"))

    for name in erase.UNINSTALL_EVENTS:
        app.event(name)(ack=just_ack, lazy=[uninstalled])

    if rt.settings.setback_uninstall_grace_days > 0:

        def lift_uninstall_mark(
            body: dict[str, Any],
            request: BoltRequest,
            context: BoltContext,
            next: Callable[[], Any],
        ) -> Any:
            # A retried delivery may describe something from before the uninstall, so
            # only a first delivery counts as the workspace being back.
            retried = bool(request.headers.get("x-slack-retry-num"))
            if not retried and (body.get("event") or {}).get("type") not in erase.UNINSTALL_EVENTS:
                erase.note_active(rt, context.team_id)
            return next()

        app.use(lift_uninstall_mark)
