"""How a post ends, whoever ends it: the poster right after posting, or housekeeping
for a post that was interrupted.

Posted: the share row moves `posting` → `posted` in one conditional UPDATE, keeps the
ts of every part and drops its copy of the text, and the author gets a DM with a link
and a Delete button. Failed: the row moves to `failed` with the error code and keeps
the draft, and the author gets a DM saying what went wrong, what to do, and a button to
reopen the draft. Only the request that moves the row sends the DM, so the poster and
housekeeping never both settle (or confirm) the same share. DMs go in the setback's
thread when it has one.

When the poster settles a share, the author's modal still shows "Posting…": it is
updated in place first (`show_in_modal`, by the view id the Post submission named) with
the same outcome. The update carries no hash: Slack never tells the app the hash of a
screen set by `response_action`, and "Posting…" has no input a person could have
changed. A modal closed meanwhile makes Slack answer `not_found`; that is expected and
ignored quietly, since the DM says it anyway. Housekeeping has no modal to update.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.core import hooks
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.core.slack_client import error_code
from bot.sharing import views
from bot.sharing.draft import Draft
from bot.sharing.outcome import UNSURE, problem_text
from storage import sent as sent_store
from storage import shares as share_store
from storage.db import session_scope
from storage.models import MessageKind, Setback, ShareStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ToPost:
    """A share claimed for posting: its draft, the setback's thread for the author's DMs,
    and the author's modal still showing "Posting…" (None when housekeeping settles it)."""

    share_id: int
    draft: Draft
    thread: tuple[str, str] | None
    view_id: str | None = None


def settle_posted(
    rt: Runtime, actor: Actor, job: ToPost, parts: Sequence[str], *, delete_if_lost: bool
) -> bool:
    """Record a complete post and send the confirmation DM.

    If the record cannot be written and `delete_if_lost` (this process posted it), the
    post is taken down again so nothing is left behind — unless housekeeping already
    recorded this very post, which then stays. If even that cannot be read, the post
    stays and the row stays `posting` for `recover_stale`."""
    try:
        _record_posted(rt, actor, job.share_id, parts)
    except Exception:
        log.exception("recording share %s failed", job.share_id)
        if delete_if_lost and not _recorded_as(rt, actor, job.share_id, parts[0]):
            client = rt.client_for(actor.team_id, actor.enterprise_id)
            delete_parts(client, job.draft.channel, parts)
            mark_failed(rt, actor, job, "record_failed")
        return False
    _confirm(rt, actor, job, parts[0])
    hooks.changed(rt, actor)
    return True


def _record_posted(rt: Runtime, actor: Actor, share_id: int, parts: Sequence[str]) -> None:
    """posting → posted in one conditional UPDATE, so the poster and housekeeping can
    never both record (and confirm) the same share."""
    now = rt.clock.now()
    with session_scope(rt.engine) as s:
        posting, posted = (ShareStatus.POSTING,), ShareStatus.POSTED
        if not share_store.claim_share(
            s, actor.team_id, actor.user_id, share_id, posting, posted, now
        ):
            raise RuntimeError("share changed while posting")
        share = share_store.get_owned_share(s, actor.team_id, actor.user_id, share_id)
        assert share is not None
        share.message_ts = parts[0]
        share.extra_ts = ",".join(parts[1:]) or None
        share.posted_at = now
        share.error = None
        share.draft = None  # the post is in Slack now; keep no second copy of the text


def _recorded_as(rt: Runtime, actor: Actor, share_id: int, ts: str) -> bool:
    """Whether the share is already recorded as posted with this message."""
    with session_scope(rt.engine, readonly=True) as s:
        share = share_store.get_owned_share(s, actor.team_id, actor.user_id, share_id)
        return share is not None and share.status == ShareStatus.POSTED and share.message_ts == ts


def delete_parts(client: WebClient, channel: str, parts: Sequence[str]) -> None:
    """Take the parts of a post down again, replies first so no tombstone is left."""
    for ts in reversed(parts):
        try:
            client.chat_delete(channel=channel, ts=ts)
        except Exception as exc:  # noqa: BLE001 - keep going; report what is left behind
            log.warning("could not remove part %s of a failed share: %s", ts, type(exc).__name__)


def mark_failed(
    rt: Runtime,
    actor: Actor,
    job: ToPost,
    code: str,
    from_status: ShareStatus = ShareStatus.POSTING,
) -> bool:
    """Mark the share failed and tell the author, kindly, with the draft to reopen.
    Only the request that moves the row says so: a share settled elsewhere gets no
    second message."""
    log.info("share %s not posted: %s", job.share_id, code)
    with session_scope(rt.engine) as s:
        moved = share_store.claim_share(
            s,
            actor.team_id,
            actor.user_id,
            job.share_id,
            (from_status,),
            ShareStatus.FAILED,
            rt.clock.now(),
        )
        share = share_store.get_owned_share(s, actor.team_id, actor.user_id, job.share_id)
        if moved and share is not None:
            share.error = code[:64]
    if moved:
        reason, unsure = problem_text(code), code in UNSURE
        shown = views.not_posted_view(job.draft.channel, reason, unsure=unsure)
        show_in_modal(rt, actor, job.view_id, shown)
        text, blocks = views.failure_message(job.share_id, job.draft.channel, reason, unsure=unsure)
        dm_author(rt, actor, job.thread, text, blocks)
    return moved


def show_in_modal(rt: Runtime, actor: Actor, view_id: str | None, view: View) -> bool:
    """Replace the "Posting…" screen with how the post ended, when the author's modal is
    known; True when it was. Never raises: a modal closed meanwhile (Slack answers
    `not_found`) is the author's choice, and the DM says the same."""
    if not view_id:
        return False
    try:
        rt.client_for(actor.team_id, actor.enterprise_id).views_update(view_id=view_id, view=view)
    except Exception as exc:  # noqa: BLE001 - the DM carries the outcome either way
        log.debug("the share modal was not updated: %s", error_code(exc))
        return False
    return True


def author_thread(setback: Setback) -> tuple[str, str] | None:
    """The setback's thread in the author's DM (channel, ts), where a share's DMs go;
    None until its summary has been posted there."""
    if setback.dm_channel and setback.thread_ts:
        return setback.dm_channel, setback.thread_ts
    return None


def dm_author(
    rt: Runtime,
    actor: Actor,
    thread: tuple[str, str] | None,
    text: str,
    blocks: list[dict[str, Any]],
) -> tuple[str, str] | None:
    """A message to the author: in the setback's thread when it has one, else the DM."""
    client = rt.client_for(actor.team_id, actor.enterprise_id)
    try:
        if thread:
            channel, thread_ts = thread
        else:
            channel = client.conversations_open(users=actor.user_id)["channel"]["id"]
            thread_ts = None
        resp = client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
        sent = str(resp["channel"]), str(resp["ts"])
    except Exception as exc:  # noqa: BLE001 - the share itself is already settled
        log.warning("DM to the author failed: %s", error_code(exc))
        return None
    _remember(rt, actor, sent, thread_ts)
    return sent


def _remember(rt: Runtime, actor: Actor, sent: tuple[str, str], thread_ts: str | None) -> None:
    """Record a DM to the author, so erasing their data takes it down too; in a thread,
    it goes with that setback."""
    channel, ts = sent
    sid = (
        sent_store.setback_of_thread(rt.engine, actor.team_id, actor.user_id, channel, thread_ts)
        if thread_ts
        else None
    )
    sent_store.record_message(
        rt.engine,
        actor.team_id,
        actor.user_id,
        MessageKind.NOTICE,
        channel,
        ts,
        rt.clock.now(),
        thread_ts=thread_ts,
        setback_id=sid,
    )


def _confirm(rt: Runtime, actor: Actor, job: ToPost, ts: str) -> None:
    """The DM with a link and a Delete button; its ts is kept so deleting can update it."""
    permalink = None
    try:
        client = rt.client_for(actor.team_id, actor.enterprise_id)
        permalink = client.chat_getPermalink(channel=job.draft.channel, message_ts=ts)["permalink"]
    except Exception as exc:  # noqa: BLE001 - the confirmation still goes out, without a link
        log.info("no permalink for share %s: %s", job.share_id, type(exc).__name__)
    channel, anonymous = job.draft.channel, job.draft.anonymous
    show_in_modal(rt, actor, job.view_id, views.posted_view(channel, permalink, anonymous))
    text, blocks = views.confirmation_message(job.share_id, channel, permalink, anonymous)
    sent = dm_author(rt, actor, job.thread, text, blocks)
    if sent is None:
        return
    with session_scope(rt.engine) as s:
        share = share_store.get_owned_share(s, actor.team_id, actor.user_id, job.share_id)
        if share is not None:
            share.confirm_channel, share.confirm_ts = sent
