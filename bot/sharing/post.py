"""Posting a share: Post pressed, then the post itself once the modal has answered.

The post runs after the modal has answered (a lazy listener). It can need a join,
several pages of members and 429 waits honouring Retry-After — more than the 3 seconds
Slack gives a view_submission — and a post that succeeded after Slack gave up on the
ack would show an error for something that worked. So Post claims the draft (a second
click claims nothing) and answers at once with a "Posting…" screen; `post_share` then
posts, and the outcome arrives as a DM (see `bot.sharing.settle`): a link and a Delete
button, or what went wrong, what to do, and a button to reopen the kept draft. The
"Posting…" screen, if the author still has it open, changes to the same outcome (or, when
Slack's answer to the post was lost, to "not confirmed yet": the DM follows).

The post is all-or-nothing: if a continuation reply or the record fails, the parts
already posted are deleted and the row is marked failed. Posts are never retried (a
retry could post twice): when Slack's answer to a post is unclear, the channel is
searched for it at once by its message metadata (see `bot.sharing.recovery`). When
Slack itself answered with an error (HTTP 500 with an error code) and the search finds
nothing, nothing went out: the share fails at once and the author is told now, not by
housekeeping 15 minutes later. Only an outcome nobody knows (a lost connection, a
gateway's 502/503/504, a search that could not finish) waits for housekeeping, and the
author is told that it is being checked — in the modal, or by DM when it was closed.
When the database is down the post never starts; the modal says so.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from bot.core.actor import Actor
from bot.core.health import unavailable
from bot.core.runtime import Runtime
from bot.sharing import views
from bot.sharing.channels import ensure_postable
from bot.sharing.compose import EDITABLE, load_draft
from bot.sharing.draft import Draft, PostContent, ShareMeta
from bot.sharing.offer import refusal_view
from bot.sharing.outcome import ShareOutcome, ShareProblem
from bot.sharing.recovery import find_now, share_metadata
from bot.sharing.settle import (
    ToPost,
    author_thread,
    delete_parts,
    dm_author,
    mark_failed,
    settle_posted,
    show_in_modal,
)
from storage import reflections as reflection_store
from storage import shares as share_store
from storage.db import session_scope
from storage.models import ShareStatus
from storage.rows import row_id

log = logging.getLogger(__name__)

DATABASE_DOWN = (
    "Setback can't reach its database right now, so your blameless retro wasn't posted; "
    "nothing went out. Your draft is kept: once Setback is back, it will send you a DM "
    "with a button to open it again. You can close this window."
)


def submit_post(rt: Runtime, actor: Actor, meta: ShareMeta) -> ShareOutcome:
    """Post was pressed: claim the draft (a second click claims nothing) and answer with
    the "Posting…" screen; `post_share` does the work after the ack."""
    found = load_draft(rt, actor, meta)
    if isinstance(found, View):
        return ShareOutcome("update", found)
    _, share, draft = found
    with session_scope(rt.engine) as s:
        claimed = share_store.claim_share(
            s,
            actor.team_id,
            actor.user_id,
            row_id(share),
            EDITABLE,
            ShareStatus.QUEUED,
            rt.clock.now(),
        )
    if not claimed:
        return ShareOutcome("update", views.gone_view())
    return ShareOutcome("update", views.posting_view(draft.channel))


def _claim_for_posting(
    rt: Runtime, actor: Actor, share_id: int | None, view_id: str | None = None
) -> ToPost | None:
    """queued → posting, for the owner only, with the setback still shareable. A share
    that may no longer be posted fails, and the author's modal (`view_id`) says why."""
    now = rt.clock.now()
    with session_scope(rt.engine) as s:
        share = share_store.get_owned_share(s, actor.team_id, actor.user_id, share_id)
        if share is None or share.status != ShareStatus.QUEUED:
            return None  # another request has it (a replayed Post): that one tells
        setback = reflection_store.get_owned_setback(
            s, actor.team_id, actor.user_id, share.setback_id
        )
        draft = Draft.from_json(share.draft)
        refusal = refusal_view(setback)
        if refusal is None and draft is not None and draft.sections:
            assert setback is not None and share.id is not None
            queued, posting = (ShareStatus.QUEUED,), ShareStatus.POSTING
            if not share_store.claim_share(
                s, actor.team_id, actor.user_id, share.id, queued, posting, now
            ):
                return None
            return ToPost(share.id, draft, author_thread(setback), view_id)
        share.status, share.updated_at = ShareStatus.FAILED, now
    show_in_modal(rt, actor, view_id, refusal or views.gone_view())
    return None


class _Unsure(Exception):
    """`chat.postMessage` gave no clear answer (a dropped connection, a timeout, a 5xx):
    the message may have landed. Nothing is deleted or retried; the channel is searched.
    `answered`: Slack itself answered with an error (HTTP 500 and an error code), so a
    search that finds nothing means nothing went out."""

    def __init__(self, why: str, *, answered: bool = False) -> None:
        super().__init__(why)
        self.answered = answered


def post_share(rt: Runtime, actor: Actor, share_id: int | None, view_id: str | None = None) -> bool:
    """Post a queued share in its channel, record it, and DM the author the outcome;
    `view_id` is the author's modal showing "Posting…", updated with the outcome too.

    All or nothing: a failure leaves no message behind and the row marked failed, with
    the draft kept so the author can reopen it from the DM. When Slack's answer to a
    post is lost, the row stays `posting` and the channel is searched for the post by
    its metadata — now, and by `recover_stale` in housekeeping if that is inconclusive.
    """
    try:
        job = _claim_for_posting(rt, actor, share_id, view_id)
    except Exception as exc:
        if not unavailable(exc):
            raise
        log.warning("share %s: the database is unavailable (%s)", share_id, type(exc).__name__)
        rt.health.failed()
        show_in_modal(rt, actor, view_id, views.info_view(DATABASE_DOWN, title="Not posted"))
        return False
    if job is None:
        return False
    client = rt.client_for(actor.team_id, actor.enterprise_id)
    author = None if job.draft.anonymous else actor.user_id
    content = views.post_content(job.draft, author)
    try:
        ensure_postable(client, job.draft.channel, actor.user_id)
        parts = _post_parts(client, job.draft.channel, content, job.share_id)
    except _Unsure as exc:
        log.warning("share %s: Slack did not confirm the post (%s)", job.share_id, exc)
        return _settle_unclear(rt, actor, job, answered=exc.answered)
    except (ShareProblem, SlackApiError) as exc:
        code = exc.code if isinstance(exc, ShareProblem) else exc.response.get("error")
        mark_failed(rt, actor, job, str(code or "unknown"))
        return False
    except Exception as exc:  # noqa: BLE001 - network trouble before posting: nothing posted
        mark_failed(rt, actor, job, type(exc).__name__.lower()[:64])
        return False
    return settle_posted(rt, actor, job, parts, delete_if_lost=True)


def _settle_unclear(rt: Runtime, actor: Actor, job: ToPost, *, answered: bool) -> bool:
    """After an unclear answer, look in the channel at once: the whole post found is
    recorded; when Slack answered with an error and the search finished, whatever part
    is there comes down and the share fails now, with the DM; otherwise the outcome is
    unknown, and the author hears that it is being checked (`recover_stale` ends it)."""
    parts, whole = find_now(rt, actor, job, rt.clock.now())
    if parts and whole:
        return settle_posted(rt, actor, job, parts, delete_if_lost=False)
    if answered and parts is not None:
        delete_parts(rt.client_for(actor.team_id, actor.enterprise_id), job.draft.channel, parts)
        mark_failed(rt, actor, job, "slack_error")
        return False
    channel = job.draft.channel
    if not show_in_modal(rt, actor, job.view_id, views.unconfirmed_view(channel)):
        text = views.unconfirmed_text(channel)
        dm_author(rt, actor, job.thread, text, [SectionBlock(text=text).to_dict()])
    return False


def _post_parts(client: WebClient, channel: str, content: PostContent, share_id: int) -> list[str]:
    """Post the message and any continuation replies; on a refusal delete what was
    posted. Raises `_Unsure` (deleting nothing) when Slack's answer to a post was lost."""
    posted: list[str] = []
    try:
        for blocks in content.as_dicts():
            resp = client.chat_postMessage(
                channel=channel,
                text=content.text,
                blocks=blocks,
                thread_ts=posted[0] if posted else None,
                unfurl_links=False,
                unfurl_media=False,
                parse="none",
                link_names=False,
                metadata=share_metadata(share_id),
            )
            posted.append(resp["ts"])
    except SlackApiError as exc:
        status = exc.response.status_code
        if status >= 500:
            answered = status == 500 and bool(exc.response.get("error"))
            raise _Unsure(f"http {status}", answered=answered) from exc
        delete_parts(client, channel, posted)
        raise
    except Exception as exc:
        raise _Unsure(type(exc).__name__) from exc
    return posted
