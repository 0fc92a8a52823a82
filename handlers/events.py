"""Messages in the DM with the app (`message.im`).

A person's reply in a setback's thread becomes a note on the check-in it is about; when
check-ins of several plans wait there, the bot asks which plan instead of guessing
(`bot.checkins.notes`). Every other message event (a top-level DM, edits, the bot's own
posts) is acknowledged and left alone, so Slack sees every delivery answered. Retried
deliveries are dropped by event id inside `bot.checkins.answers.note_from_reply`.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.checkins import answers as checkins
from bot.checkins import notes
from bot.core.runtime import Runtime
from handlers.payload import actor_of


def is_thread_reply(event: dict[str, Any]) -> bool:
    """A person's plain reply inside a thread of their DM with the app."""
    thread_ts = event.get("thread_ts")
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and bool(thread_ts)
        and thread_ts != event.get("ts")
    )


def register(app: App, rt: Runtime) -> None:
    """Wire `message` events."""

    def just_ack(ack: Ack) -> None:
        ack()

    def on_message(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        if not is_thread_reply(event):
            return
        actor = actor_of(context)
        if event.get("user") != actor.user_id:
            return
        channel, thread_ts = str(event["channel"]), str(event["thread_ts"])
        outcome = checkins.note_from_reply(
            rt,
            actor,
            str(body.get("event_id") or ""),
            channel,
            thread_ts,
            str(event.get("text") or ""),
        )
        reply_ts = str(event.get("ts") or "")
        if outcome == checkins.ASK and reply_ts:
            notes.ask_which_plan(rt, actor, channel, thread_ts, reply_ts)

    app.event("message")(ack=just_ack, lazy=[on_message])
