"""Posting the summary DM that starts a setback's thread.

Runs after the modal closes (never on the ack path). The setback is already complete in
the database, so a failed post loses nothing: housekeeping retries setbacks that have
no thread yet, and a retry first looks for a summary that did arrive (by its message
metadata) so the person never gets two.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.core import hooks
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.members import zone as members
from bot.reflection.answers import Answers
from bot.reflection.summary_view import summary_message
from storage import members as member_store
from storage import reflections as reflection_store
from storage.db import session_scope
from storage.models import SetbackStatus

log = logging.getLogger(__name__)

SUMMARY_EVENT = "setback_summary"
MAX_SUMMARY_ATTEMPTS = 5


def post_summary(
    rt: Runtime, actor: Actor, setback_id: int, *, app_id: str | None = None
) -> str | None:
    """Post (or find) the summary DM and record its ts as the thread. Returns the ts."""
    with session_scope(rt.engine, readonly=True) as s:
        setback = reflection_store.get_owned_setback(s, actor.team_id, actor.user_id, setback_id)
        if setback is None or setback.status == SetbackStatus.DRAFT or setback.thread_ts:
            return setback.thread_ts if setback is not None else None
    with session_scope(rt.engine) as s:
        setback = reflection_store.get_owned_setback(s, actor.team_id, actor.user_id, setback_id)
        if setback is None or setback.status == SetbackStatus.DRAFT:
            return None
        if setback.thread_ts:
            return setback.thread_ts
        setback.summary_attempts += 1
        retry = setback.summary_attempts > 1
        answers = Answers(reflection_store.answers_by_field(s, setback))
        commitments = reflection_store.commitments_of(s, setback)
        next_due = reflection_store.next_checkins(s, setback)
        tz = members.effective_tz(member_store.get_member(s, actor.team_id, actor.user_id))
        title = setback.title or "Untitled"
        share_ok = not setback.safety_hold
    client = rt.web_client()
    try:
        channel = client.conversations_open(users=actor.user_id)["channel"]["id"]
        ts = _find_existing(rt, channel, setback_id) if retry else None
        if ts is None:
            home = f"slack://app?team={actor.team_id}&id={app_id}&tab=home" if app_id else None
            text, blocks = summary_message(
                setback_id,
                title,
                answers,
                commitments,
                next_due,
                tz,
                share_enabled=share_ok,
                home_url=home,
            )
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
    with session_scope(rt.engine) as s:
        reflection_store.set_setback_thread(s, setback_id, channel, ts)
    hooks.changed(rt, actor)
    return ts


def _find_existing(rt: Runtime, channel: str, setback_id: int) -> str | None:
    """A summary already posted for this setback (a crash between post and record)."""
    resp = rt.web_client().conversations_history(
        channel=channel, limit=50, include_all_metadata=True
    )
    messages: list[dict[str, Any]] = resp.get("messages", [])
    for message in messages:
        meta = message.get("metadata") or {}
        if meta.get("event_type") == SUMMARY_EVENT and str(
            (meta.get("event_payload") or {}).get("setback_id")
        ) == str(setback_id):
            ts: str | None = message.get("ts")
            return ts
    return None
