"""Check-in buttons in the DM thread, the "Add a note" modal, Undo, and the question
that asks which plan a reply in the thread is about.

Every listener acks at once and hands the acting team + user and the check-in id the
payload names to one function of `bot.checkins`, which re-checks ownership before
anything else. Button values and private_metadata are only parsed here, never trusted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.checkins import answers as checkins
from bot.checkins import notes, views
from bot.checkins.undo import undo
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from handlers.clicks import modal_button
from handlers.payload import actor_of, clicked_id, first_action


def register(app: App, rt: Runtime) -> None:
    """Wire Done / Still working / Snooze / Let it go / Add a note / Undo, the note modal
    and the "which plan is your reply about?" buttons."""

    def just_ack(ack: Ack) -> None:
        ack()

    def answer_with(action: str) -> Callable[[dict[str, Any], BoltContext], None]:
        response = views.ANSWER_OF[action]

        def lazy(body: dict[str, Any], context: BoltContext) -> None:
            checkins.answer(rt, actor_of(context), clicked_id(body), response)

        return lazy

    for action in (views.ACTION_DONE, views.ACTION_WORKING, views.ACTION_LET_GO):
        app.action(action)(ack=just_ack, lazy=[answer_with(action)])

    def snoozed(body: dict[str, Any], context: BoltContext) -> None:
        option = first_action(body).get("selected_option") or {}
        checkin_id, choice = views.read_snooze(option.get("value"))
        if choice is not None:
            response = views.ANSWER_OF[views.ACTION_SNOOZE]
            checkins.answer(rt, actor_of(context), checkin_id, response, choice)

    app.action(views.ACTION_SNOOZE)(ack=just_ack, lazy=[snoozed])

    def open_note(body: dict[str, Any], client: WebClient, actor: Actor) -> None:
        checkins.open_note(rt, actor, clicked_id(body), client, body["trigger_id"])

    modal_button(app, rt, views.ACTION_NOTE, open_note)

    def undo_answer(body: dict[str, Any], context: BoltContext) -> None:
        undo(rt, actor_of(context), clicked_id(body))

    app.action(views.ACTION_UNDO)(ack=just_ack, lazy=[undo_answer])

    def keep_reply(body: dict[str, Any], context: BoltContext) -> None:
        notes.keep_reply(rt, actor_of(context), first_action(body).get("value"))

    def skip_reply(body: dict[str, Any], context: BoltContext) -> None:
        notes.skip_reply(rt, actor_of(context), first_action(body).get("value"))

    app.action(views.ACTION_NOTE_FOR)(ack=just_ack, lazy=[keep_reply])
    app.action(views.ACTION_NOTE_SKIP)(ack=just_ack, lazy=[skip_reply])

    # The note is saved before the ack (losing it would lose what the person wrote);
    # showing it on the message and refreshing the Home tab happen after.
    def submit_note(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        checkin_id, text = views.read_note(view)
        if not text:
            ack(
                response_action="errors", errors={views.NOTE_BLOCK: "Write a few words, or cancel."}
            )
            return
        checkins.save_note(rt, actor_of(context), checkin_id, text)
        ack()

    def after_note(view: dict[str, Any], context: BoltContext) -> None:
        checkin_id, _ = views.read_note(view)
        checkins.after_note(rt, actor_of(context), checkin_id)

    app.view(views.CALLBACK_NOTE)(ack=submit_note, lazy=[after_note])
