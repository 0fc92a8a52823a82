"""App lifecycle events: the app removed from a workspace or an org, or its tokens
revoked.

Bolt's `enable_token_revocation_listeners` deletes tokens, not our data; so these events
are handled here, tokens and data together. The ack is immediate; in a lazy listener the
installation's tokens are deleted at once (whatever SETBACK_UNINSTALL_GRACE_DAYS says
about the data: they are Slack's to revoke, not ours to keep), in the same transaction
that marks the workspace (deduplicated by event id), and its data is erased (now, or
after the grace period). An org-wide install's removal does the same for every
workspace of the org. Revoked user tokens alone delete those installers' tokens; the
app stays installed. With a grace period, a middleware lifts the mark when the
workspace is heard from again (the app was reinstalled before its data was erased);
retried deliveries do not count, as they may predate the uninstall. With OAuth
installs, another records which org a workspace heard from through an org-wide install
belongs to, so work outside a request finds the org's token (`bot.core.installs`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest

from bot.core.runtime import Runtime
from bot.journal import erase
from handlers.payload import workspace_of

log = logging.getLogger(__name__)


def _bot_tokens_revoked(event: dict[str, Any]) -> bool:
    """`tokens_revoked` lists user (oauth) and bot tokens; only the bot's ends the install."""
    return bool(((event.get("tokens") or {}).get("bot")) or [])


def _sent_at(body: dict[str, Any]) -> datetime | None:
    """When Slack sent the event: the end of its `event_time` second (it counts whole
    seconds). An installation saved after it is a reinstall, which a late uninstall
    event must not undo."""
    stamp = body.get("event_time")
    if not isinstance(stamp, int | float):
        return None
    return datetime.fromtimestamp(int(stamp) + 1, tz=UTC)


def _revoked_users(event: dict[str, Any]) -> list[str]:
    """The people whose user tokens `tokens_revoked` lists."""
    return [str(u) for u in ((event.get("tokens") or {}).get("oauth") or []) if u]


def register(app: App, rt: Runtime) -> None:
    """Wire `app_uninstalled`, `tokens_revoked` and (with a grace period) reinstall notice."""

    def just_ack(ack: Ack) -> None:
        ack()

    def uninstalled(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        team_id = str(context.team_id or body.get("team_id") or "")
        org = context.enterprise_id
        if event.get("type") == "tokens_revoked" and not _bot_tokens_revoked(event):
            erase.forget_installers(rt, team_id or None, org, _revoked_users(event))
            log.info("tokens_revoked for user tokens only: the app stays installed")
            return
        since = _sent_at(body)
        if context.is_enterprise_install and org:
            erase.handle_org_uninstall(rt, org, body.get("event_id"), since)
        elif team_id:
            erase.handle_uninstall(rt, team_id, body.get("event_id"), since)

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

    if rt.installs is not None:
        installs = rt.installs

        def remember_org(
            body: dict[str, Any], context: BoltContext, next: Callable[[], Any]
        ) -> Any:
            event = (body.get("event") or {}).get("type")
            if context.is_enterprise_install and event not in erase.UNINSTALL_EVENTS:
                installs.note_workspace(
                    context.team_id or workspace_of(body), context.enterprise_id
                )
            return next()

        app.use(remember_org)
