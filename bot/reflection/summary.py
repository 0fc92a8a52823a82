"""Posting the summary DM that starts a setback's thread, and keeping it current.

Runs after the modal closes (never on the ack path). The setback is already complete in
the database, so a failed post loses nothing: housekeeping retries setbacks that have
no thread yet, and a retry first looks for a summary that did arrive (by its message
metadata) so the person never gets two.

The summary names each plan's next check-in, so it is rendered again from what is
stored (`refresh_summary`, a ``chat.update``) whenever an answer changes that: a check-in
answered, snoozed or let go, a plan closed or reopened. The "Open journal" link the
first post got (from the request's app id) is read back from the message and kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.core import hooks
from bot.core.actor import Actor
from bot.core.keyed_locks import KeyedLocks
from bot.core.runtime import Runtime
from bot.core.slack_client import error_code
from bot.members import zone as members
from bot.reflection.answers import Answers
from bot.reflection.summary_view import ACTION_OPEN_JOURNAL, CommitmentLine, summary_message
from storage import group_commit, sent, summary_posts
from storage import members as member_store
from storage import reflections as reflection_store
from storage.db import session_scope
from storage.models import MessageKind, Setback, SetbackStatus
from storage.rows import row_id

log = logging.getLogger(__name__)

SUMMARY_EVENT = "setback_summary"
MAX_SUMMARY_ATTEMPTS = 5


@dataclass(frozen=True)
class Summary:
    """What the summary DM shows: read in one session, or handed over by the flow that
    has just finished the reflection (the rows it wrote, still in hand). The post and
    every re-render build the message the same way."""

    setback_id: int
    title: str
    answers: Answers
    commitments: list[CommitmentLine]
    next_due: dict[int, datetime]
    tz: str
    share_ok: bool
    # The post's attempt, when the transaction that finished the reflection counted it
    # (`storage.drafts.complete`); 0 when the post must count one first.
    attempt: int = 0

    def message(self, home_url: str | None) -> tuple[str, list[dict[str, Any]]]:
        return summary_message(
            self.setback_id,
            self.title,
            self.answers,
            self.commitments,
            self.next_due,
            self.tz,
            share_enabled=self.share_ok,
            home_url=home_url,
        )


def _summary_of(s: Session, setback: Setback) -> Summary:
    member = member_store.get_member(s, setback.team_id, setback.user_id)
    return Summary(
        setback_id=row_id(setback),
        title=setback.title or "Untitled",
        answers=Answers(reflection_store.answers_by_field(s, setback)),
        commitments=[CommitmentLine.of(c) for c in reflection_store.commitments_of(s, setback)],
        next_due=reflection_store.next_checkins(s, setback),
        tz=members.effective_tz(member),
        share_ok=not setback.safety_hold,
    )


def post_summary(
    rt: Runtime,
    actor: Actor,
    setback_id: int,
    *,
    app_id: str | None = None,
    prepared: Summary | None = None,
) -> str | None:
    """Post (or find) the summary DM and record its ts as the thread. Returns the ts.

    `prepared` is what the flow that just finished the reflection had in hand (right
    after the modal closes), its first attempt already counted by the finishing
    transaction; housekeeping's retries read it from the database instead. Either way
    the attempt is counted only for this person's finished setback that has no thread
    yet (ownership, status and thread are in that statement's WHERE).
    """
    summary = prepared if prepared is not None and prepared.setback_id == setback_id else None
    if summary is None:
        # Read before the write, outside it: on SQLite the write holds the one writer
        # lock every step submission queues on, so it only counts the attempt.
        with session_scope(rt.engine, readonly=True) as s:
            setback = reflection_store.get_owned_setback(
                s, actor.team_id, actor.user_id, setback_id
            )
            if setback is None or setback.status == SetbackStatus.DRAFT or setback.thread_ts:
                return setback.thread_ts if setback is not None else None
            summary = _summary_of(s, setback)
    attempt: int | None = summary.attempt
    if not attempt:
        attempt = group_commit.run(
            rt.engine, summary_posts.count_attempt, actor.team_id, actor.user_id, setback_id
        )
    if attempt is None:  # deleted, or posted by another attempt meanwhile
        return _thread_of(rt, actor, setback_id)
    retry = attempt > 1
    client = rt.client_for(actor.team_id, actor.enterprise_id)
    try:
        # A first attempt posts to the person's id, which Slack delivers to the app's DM
        # with them (the answer names the channel); a retry first looks in that DM.
        channel = actor.user_id
        ts = None
        if retry:
            channel = client.conversations_open(users=actor.user_id)["channel"]["id"]
            ts = _find_existing(client, channel, setback_id)
        if ts is None:
            home = f"slack://app?team={actor.team_id}&id={app_id}&tab=home" if app_id else None
            text, blocks = summary.message(home)
            resp = client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
                metadata={"event_type": SUMMARY_EVENT, "event_payload": {"setback_id": setback_id}},
            )
            channel, ts = resp["channel"], resp["ts"]
    except SlackApiError as exc:
        log.warning("summary DM for setback %s failed: %s", setback_id, exc.response.get("error"))
        return None
    except Exception as exc:  # noqa: BLE001 - network trouble: housekeeping retries
        log.warning("summary DM for setback %s failed: %s", setback_id, type(exc).__name__)
        return None
    recorded = group_commit.run(
        rt.engine, summary_posts.record_thread, actor.team_id, setback_id, channel, ts
    )
    if not recorded:  # erased while the post was on its way: take the message down too
        _take_down(rt, actor, client, channel, ts, setback_id)
        return None
    hooks.changed(rt, actor)
    return ts


def _take_down(
    rt: Runtime, actor: Actor, client: WebClient, channel: str, ts: str, setback_id: int
) -> None:
    """Delete a summary DM whose setback is gone, so no words of an erased reflection
    stay in Slack. If Slack refuses for now, the message goes the way of any message
    whose setback was erased while it was sent (`storage.sent`): queued for removal,
    which housekeeping retries."""
    try:
        client.chat_delete(channel=channel, ts=ts)
    except Exception as exc:  # noqa: BLE001 - housekeeping takes it down instead
        log.warning(
            "summary DM of erased setback %s not deleted yet: %s", setback_id, error_code(exc)
        )
        sent.record_message(
            rt.engine,
            actor.team_id,
            actor.user_id,
            MessageKind.SUMMARY,
            channel,
            ts,
            rt.clock.now(),
            setback_id=setback_id,
        )


def _thread_of(rt: Runtime, actor: Actor, setback_id: int) -> str | None:
    """The thread of this person's finished setback, if its summary is posted."""
    with session_scope(rt.engine, readonly=True) as s:
        setback = reflection_store.get_owned_setback(s, actor.team_id, actor.user_id, setback_id)
        if setback is None or setback.status == SetbackStatus.DRAFT:
            return None
        return setback.thread_ts


_refresh_locks = KeyedLocks()  # a setback's lock, while a refresh holds or waits on it


def refresh_summary(rt: Runtime, actor: Actor, setback_id: int) -> bool:
    """Render this person's summary DM again from what is stored now (after an answer
    changed a plan's next check-in). Off the ack path; a failure is logged and changes
    nothing stored, and the next answer renders it again. Returns whether it was updated.

    Two answers clicked in quick succession refresh at once; the setback's lock, held
    from the read to the update, keeps the one that read older state from landing last
    (`bot.core.keyed_locks`).
    """
    with _refresh_locks.of((actor.team_id, setback_id)):
        return _refresh(rt, actor, setback_id)


def _refresh(rt: Runtime, actor: Actor, setback_id: int) -> bool:
    with session_scope(rt.engine, readonly=True) as s:
        setback = reflection_store.get_owned_setback(s, actor.team_id, actor.user_id, setback_id)
        if setback is None or setback.status == SetbackStatus.DRAFT:
            return False
        if not setback.dm_channel or not setback.thread_ts:
            return False
        channel, ts = setback.dm_channel, setback.thread_ts
        summary = _summary_of(s, setback)
    client = rt.client_for(actor.team_id, actor.enterprise_id)
    try:
        shown = _shown_summary(client, channel, ts)
        if shown is None:  # not there (or not ours): nothing to bring up to date
            return False
        text, blocks = summary.message(_journal_url(shown))
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning(
            "summary update for setback %s failed: %s", setback_id, exc.response.get("error")
        )
        return False
    except Exception as exc:  # noqa: BLE001 - the answer is saved; the next one re-renders
        log.warning("summary update for setback %s failed: %s", setback_id, type(exc).__name__)
        return False
    return True


def _shown_summary(client: WebClient, channel: str, ts: str) -> dict[str, Any] | None:
    """The summary message as Slack shows it now: the root of its thread."""
    resp = client.conversations_replies(channel=channel, ts=ts, limit=1, include_all_metadata=True)
    messages: list[dict[str, Any]] = resp.get("messages") or []
    root = messages[0] if messages else None
    if root is None or root.get("ts") != ts:
        return None
    if (root.get("metadata") or {}).get("event_type") != SUMMARY_EVENT:
        return None
    return root


def _journal_url(message: dict[str, Any]) -> str | None:
    """The "Open journal" link of a posted summary, to keep it as it was."""
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") == ACTION_OPEN_JOURNAL:
                url = element.get("url")
                return url if isinstance(url, str) else None
    return None


def _find_existing(client: WebClient, channel: str, setback_id: int) -> str | None:
    """A summary already posted for this setback (a crash between post and record)."""
    resp = client.conversations_history(channel=channel, limit=50, include_all_metadata=True)
    messages: list[dict[str, Any]] = resp.get("messages", [])
    for message in messages:
        meta = message.get("metadata") or {}
        if meta.get("event_type") == SUMMARY_EVENT and str(
            (meta.get("event_payload") or {}).get("setback_id")
        ) == str(setback_id):
            ts: str | None = message.get("ts")
            return ts
    return None
