"""Deleting a shared summary: the post leaves its channel and the share is marked deleted.

Only the owner of both the share and its setback can delete it. Thread replies go
first, so no tombstone is left; a message Slack no longer has counts as deleted. The
confirmation DM is then updated so no live Delete button stays behind. When Slack
refuses, the author is told why in a DM, and the confirmation keeps its button.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core import hooks
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.sharing import views
from bot.sharing.settle import author_thread, dm_author
from storage import reflections as reflection_store
from storage import shares as share_store
from storage.db import session_scope
from storage.models import ShareStatus

log = logging.getLogger(__name__)


def delete_share(rt: Runtime, actor: Actor, share_id: int | None) -> bool:
    """Remove a posted share from its channel and mark it deleted. True when it is gone.

    Refuses (False, nothing changes) unless the acting team + user own both the share and
    its setback. Thread replies go first, so no tombstone is left; a message Slack no
    longer has counts as deleted. The confirmation DM is updated so no live button stays.
    """
    with session_scope(rt.engine, readonly=True) as s:
        share = share_store.get_owned_share(s, actor.team_id, actor.user_id, share_id)
        if share is None or share.status != ShareStatus.POSTED or not share.message_ts:
            return False
        setback = reflection_store.get_owned_setback(
            s, actor.team_id, actor.user_id, share.setback_id
        )
        if setback is None:
            return False
        thread = author_thread(setback)
        channel, parts = share.channel, [share.message_ts, *(share.extra_ts or "").split(",")]
        confirm = (
            (share.confirm_channel, share.confirm_ts)
            if share.confirm_channel and share.confirm_ts
            else None
        )
    client = rt.client_for(actor.team_id, actor.enterprise_id)
    for ts in reversed([p for p in parts if p]):
        try:
            client.chat_delete(channel=channel, ts=ts)
        except SlackApiError as exc:
            code = exc.response.get("error")
            if code == "message_not_found":
                continue
            text, blocks = views.delete_failed_message(channel, _delete_problem(code))
            dm_author(rt, actor, thread, text, blocks)
            return False
    now = rt.clock.now()
    with session_scope(rt.engine) as s:
        row = share_store.get_owned_share(s, actor.team_id, actor.user_id, share_id)
        if row is not None:
            row.status, row.deleted_at, row.updated_at = ShareStatus.DELETED, now, now
    if confirm:
        _mark_confirmation_deleted(client, confirm, channel)
    hooks.changed(rt, actor)
    return True


def _delete_problem(code: str | None) -> str:
    if code == "is_archived":
        return "The channel is archived; a workspace admin can unarchive it, then try again."
    if code == "ratelimited":
        return "Slack asked Setback to slow down. Wait a minute, then press Delete again."
    return "Please try again in a moment."


def _mark_confirmation_deleted(client: WebClient, confirm: tuple[str, str], channel: str) -> None:
    text, blocks = views.deleted_message(channel)
    try:
        client.chat_update(channel=confirm[0], ts=confirm[1], text=text, blocks=blocks)
    except Exception as exc:  # noqa: BLE001 - the post is gone either way
        log.info("could not update the share confirmation: %s", type(exc).__name__)
