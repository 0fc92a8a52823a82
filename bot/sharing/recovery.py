"""Shares whose post was interrupted, found again in their channel by message metadata.

Every part of a post carries message metadata naming only the share's id
(`share_metadata`). When Slack's answer to a post is lost (posts are never retried: a
retry could post twice), or the process stops between answering Slack and posting or
between posting and recording, `recover_stale` (run by housekeeping) finds the post in
the channel by that metadata and records it — or, when it is not there, marks the share
failed and tells the author. Right after a lost answer the poster looks once itself
(`settle_if_found`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import col, select

from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.sharing import views
from bot.sharing.draft import Draft
from bot.sharing.settle import ToPost, author_thread, delete_parts, mark_failed, settle_posted
from storage import reflections as reflection_store
from storage.db import session_scope
from storage.models import Share, ShareStatus

log = logging.getLogger(__name__)

SHARE_EVENT = "setback_share"  # message metadata event type on every part of a post
STALE_AFTER = timedelta(minutes=15)  # longer than any post takes, 429 waits included
GIVE_UP_AFTER = timedelta(days=1)  # a channel that cannot be searched for this long
CLOCK_SKEW = timedelta(minutes=5)  # between our clock and Slack's message timestamps
RECOVER_PER_RUN = 20
HISTORY_PAGES = 5
HISTORY_PAGE = 200
NOT_THERE = ("channel_not_found", "not_in_channel")  # history the post cannot be in


def share_metadata(share_id: int) -> dict[str, Any]:
    """Message metadata put on every part of a post, so a post whose recording was cut
    short can be found again in the channel. Only the share's id: it names no one, so
    an anonymous post stays anonymous."""
    return {"event_type": SHARE_EVENT, "event_payload": {"share_id": share_id}}


# --- finding a post in its channel ---------------------------------------------------------


def _is_part(message: dict[str, Any], share_id: int, bot_id: str | None) -> bool:
    """A message this app posted for this share (by its metadata)."""
    meta = message.get("metadata") or {}
    payload = meta.get("event_payload") or {}
    return (
        meta.get("event_type") == SHARE_EVENT
        and str(payload.get("share_id")) == str(share_id)
        and (bot_id is None or message.get("bot_id") == bot_id)
    )


def _thread_parts(
    client: WebClient, channel: str, root: str, share_id: int, bot_id: str | None
) -> list[str]:
    """The continuation replies of a long post, in the order they were posted."""
    found: list[str] = []
    cursor = None
    for _ in range(HISTORY_PAGES):
        resp = client.conversations_replies(
            channel=channel, ts=root, include_all_metadata=True, limit=HISTORY_PAGE, cursor=cursor
        )
        found += [
            m["ts"]
            for m in resp.get("messages") or []
            if m.get("ts") != root and _is_part(m, share_id, bot_id)
        ]
        cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            break
    return sorted(found, key=float)


def find_posted_parts(
    client: WebClient, channel: str, share_id: int, since: datetime, bot_id: str | None
) -> list[str] | None:
    """The ts of every part of this share found in the channel (the post first, then its
    continuation replies); [] when it is not there; None when the search could not finish
    (too many newer messages to page through)."""
    oldest = f"{(since - CLOCK_SKEW).timestamp():.6f}"
    cursor = None
    for _ in range(HISTORY_PAGES):
        resp = client.conversations_history(
            channel=channel,
            include_all_metadata=True,
            oldest=oldest,
            limit=HISTORY_PAGE,
            cursor=cursor,
        )
        for message in resp.get("messages") or []:
            if _is_part(message, share_id, bot_id):
                root = message["ts"]
                return [root, *_thread_parts(client, channel, root, share_id, bot_id)]
        cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return []
    return None


def _search(
    rt: Runtime, actor: Actor, job: ToPost, since: datetime, bot_id: str | None
) -> list[str] | None:
    """`find_posted_parts`, with Slack's answers read: a channel the app cannot read (or
    that is gone) cannot hold the post; any other trouble leaves the question open."""
    client = rt.client_for(actor.team_id, actor.enterprise_id)
    try:
        return find_posted_parts(client, job.draft.channel, job.share_id, since, bot_id)
    except SlackApiError as exc:
        code = exc.response.get("error")
        if code in NOT_THERE:
            return []
        log.info("share %s: could not search the channel: %s", job.share_id, code)
    except Exception as exc:  # noqa: BLE001 - network trouble: look again next time
        log.info("share %s: could not search the channel: %s", job.share_id, type(exc).__name__)
    return None


def _bot_id(rt: Runtime, actor: Actor) -> str | None:
    """This app's bot id in the author's workspace, so only its own messages count as a
    share's parts."""
    try:
        return rt.client_for(actor.team_id, actor.enterprise_id).auth_test().get("bot_id")
    except Exception as exc:  # noqa: BLE001 - without it, the metadata alone decides
        log.info("auth.test failed: %s", type(exc).__name__)
        return None


def _expected_parts(job: ToPost, actor: Actor) -> int:
    author = None if job.draft.anonymous else actor.user_id
    return len(views.post_content(job.draft, author).messages)


def find_now(
    rt: Runtime, actor: Actor, job: ToPost, since: datetime
) -> tuple[list[str] | None, bool]:
    """Right after an unclear answer: the parts of the post found in the channel (None
    when the search could not finish), and whether they are the whole post."""
    parts = _search(rt, actor, job, since, _bot_id(rt, actor))
    return parts, bool(parts) and len(parts or ()) == _expected_parts(job, actor)


def settle_if_found(rt: Runtime, actor: Actor, job: ToPost, since: datetime) -> bool:
    """Right after a lost answer: record the post if all of it is in the channel. Anything
    less is left to `recover_stale`, which looks again once a late message has landed."""
    parts, whole = find_now(rt, actor, job, since)
    if parts and whole:
        return settle_posted(rt, actor, job, parts, delete_if_lost=False)
    return False


# --- housekeeping --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stale:
    actor: Actor
    job: ToPost
    status: ShareStatus
    since: datetime


def _stale_shares(rt: Runtime, now: datetime) -> list[_Stale]:
    """Shares left `queued` or `posting` for longer than any post takes, oldest first."""
    with session_scope(rt.engine, readonly=True) as s:
        shares = s.exec(
            select(Share)
            .where(
                col(Share.status).in_((ShareStatus.QUEUED, ShareStatus.POSTING)),
                col(Share.updated_at) < now - STALE_AFTER,
            )
            .order_by(col(Share.updated_at))
            .limit(RECOVER_PER_RUN)
        ).all()
        found: list[_Stale] = []
        for share in shares:
            setback = reflection_store.get_owned_setback(
                s, share.team_id, share.user_id, share.setback_id
            )
            draft = Draft.from_json(share.draft) or Draft(channel=share.channel, title="")
            if setback is None or share.id is None:
                continue
            thread = author_thread(setback)
            actor = Actor(share.team_id, share.user_id, setback.enterprise_id)
            since = share.updated_at or now
            found.append(_Stale(actor, ToPost(share.id, draft, thread), share.status, since))
    return found


def _recover_one(rt: Runtime, stale: _Stale, now: datetime, bot_id: str | None) -> bool:
    """Settle one interrupted share; True when it is settled (posted or failed)."""
    actor, job = stale.actor, stale.job
    if stale.status == ShareStatus.QUEUED:  # the post never started: only `posting` rows post
        return mark_failed(rt, actor, job, "interrupted", from_status=ShareStatus.QUEUED)
    parts = _search(rt, actor, job, stale.since, bot_id)
    if parts is None:
        if now - stale.since < GIVE_UP_AFTER:
            return False  # look again at the next housekeeping
        return mark_failed(rt, actor, job, "unconfirmed")
    if parts and len(parts) == _expected_parts(job, actor):
        return settle_posted(rt, actor, job, parts, delete_if_lost=False)
    client = rt.client_for(actor.team_id, actor.enterprise_id)
    delete_parts(client, job.draft.channel, parts)  # a post cut short: take it down
    return mark_failed(rt, actor, job, "interrupted")


def recover_stale(rt: Runtime, now: datetime) -> int:
    """Housekeeping: settle shares stuck in `queued` or `posting` because the process
    stopped between answering Slack and posting, or between posting and recording it.

    The channel's recent history is searched for the post by its metadata: found whole,
    the share is recorded and the author gets the usual confirmation with a Delete
    button; not found (or only part of a long post, which is then removed), the share is
    marked failed and the author is told, kindly, that it did not go out and that the
    kept draft can be shared again. Returns how many shares were settled.
    """
    stale = _stale_shares(rt, now)
    if not stale:
        return 0
    bot_ids: dict[str, str | None] = {}  # per workspace: each has its own bot
    settled = 0
    for one in stale:
        team = one.actor.team_id
        if one.status == ShareStatus.POSTING and team not in bot_ids:
            bot_ids[team] = _bot_id(rt, one.actor)
        try:
            settled += _recover_one(rt, one, now, bot_ids.get(team))
        except Exception:  # noqa: BLE001 - one share must not stop the others
            log.exception("recovering share %s failed", one.job.share_id)
    if settled:
        log.info("settled %d interrupted %s", settled, "share" if settled == 1 else "shares")
    return settled
