"""`/setback settings`, the Home tab's "Change settings" button and the settings modal.

The modal names no record: saving writes only the acting team + user's own settings,
through one function of `bot.members.settings`.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.members import settings as member_settings
from bot.members import views
from handlers.clicks import modal_button
from handlers.commands import add_subcommand
from handlers.payload import actor_of, state_values


def register(app: App, rt: Runtime) -> None:
    """Wire the settings command, button and modal."""

    def from_command(
        rt_: Runtime, actor: Actor, command: dict[str, Any], client: WebClient
    ) -> None:
        member_settings.open_settings(rt_, actor, client, command["trigger_id"])

    add_subcommand(
        rt, "settings", "your working hours, workdays, time zone and pause", from_command
    )

    def just_ack(ack: Ack) -> None:
        ack()

    def from_button(body: dict[str, Any], client: WebClient, actor: Actor) -> None:
        member_settings.open_settings(rt, actor, client, body["trigger_id"])

    modal_button(app, rt, views.ACTION_OPEN_SETTINGS, from_button)

    def submit(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        values = state_values(view)
        out = member_settings.save_settings(rt, actor_of(context), values)
        if out.errors:
            ack(response_action="errors", errors=out.errors)
        else:
            ack(response_action="update", view=out.view)

    app.view(views.CALLBACK_SETTINGS)(submit)
