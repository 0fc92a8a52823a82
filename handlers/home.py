"""The App Home: publishing it when opened, and its buttons.

Every listener acks at once and does its work after the ack: a button that opens a modal
through `handlers.clicks.modal_button` (opening it first, while the trigger_id is fresh,
and telling the person to click again when it could not), the others in a lazy listener.
Ids and offsets in button values are only parsed here; the services in `bot.journal`
(Home, erase, export) and `bot.reflection` re-check that the acting team + user own
what a value names.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.journal import erase, export, home, views
from bot.reflection import flow as reflection
from bot.reflection.views import gone_view
from handlers.clicks import modal_button
from handlers.commands import add_subcommand
from handlers.payload import actor_of, clicked_id


def register(app: App, rt: Runtime) -> None:
    """Wire the Home tab, its buttons, the erase modal and `/setback export`."""

    def just_ack(ack: Ack) -> None:
        ack()

    def opened(event: dict[str, Any], context: BoltContext) -> None:
        if event.get("tab", "home") == "home":
            home.opened(rt, actor_of(context))

    def looking(context: BoltContext) -> Actor:
        """The acting person, who used a button of their Home: they are looking at it, so
        the changes that follow republish it (`bot.journal.presence`)."""
        actor = actor_of(context)
        home.seen(rt, actor)
        return actor

    app.event("app_home_opened")(ack=just_ack, lazy=[opened])

    def start(body: dict[str, Any], client: WebClient, actor: Actor) -> None:
        opening = reflection.open_view(rt, actor)
        client.views_open(trigger_id=body["trigger_id"], view=opening.view)
        home.seen(rt, actor)  # after the modal opens: its trigger id lives 3 s
        reflection.refresh_member(rt, actor, stale=opening.zone_stale)

    def resume(body: dict[str, Any], client: WebClient, actor: Actor) -> None:
        sid = clicked_id(body)
        view = reflection.resume_view(rt, actor, sid) if sid else gone_view()
        client.views_open(trigger_id=body["trigger_id"], view=view)
        home.seen(rt, actor)

    def open_reflection(body: dict[str, Any], client: WebClient, actor: Actor) -> None:
        view = home.reading_view(rt, actor, clicked_id(body))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    # A refused change (not theirs, or already gone in another tab) still republishes
    # the person's Home, so what they see is what is true now.
    def archive(body: dict[str, Any], context: BoltContext) -> None:
        actor = looking(context)
        if not home.archive(rt, actor, clicked_id(body)):
            home.publish(rt, actor)

    def delete(body: dict[str, Any], context: BoltContext) -> None:
        actor = looking(context)
        if erase.delete_setback(rt, actor, clicked_id(body)) is None:
            home.publish(rt, actor)

    def page(body: dict[str, Any], context: BoltContext) -> None:
        home.opened(rt, actor_of(context), clicked_id(body) or 0)

    def send_export(context: BoltContext) -> None:
        export.send_export(rt, actor_of(context))

    def confirm_erase(body: dict[str, Any], client: WebClient, _actor: Actor) -> None:
        client.views_open(trigger_id=body["trigger_id"], view=views.erase_modal())

    modal_button(app, rt, views.ACTION_START, start)
    modal_button(app, rt, views.ACTION_RESUME, resume)
    modal_button(app, rt, views.ACTION_OPEN, open_reflection)
    app.action(views.ACTION_ARCHIVE)(ack=just_ack, lazy=[archive])
    app.action(views.ACTION_DELETE)(ack=just_ack, lazy=[delete])
    app.action(views.ACTION_OLDER)(ack=just_ack, lazy=[page])
    app.action(views.ACTION_NEWER)(ack=just_ack, lazy=[page])
    app.action(views.ACTION_EXPORT)(ack=just_ack, lazy=[send_export])
    modal_button(app, rt, views.ACTION_ERASE, confirm_erase)

    def erase_all(view: dict[str, Any], context: BoltContext) -> None:
        shared, direct = views.read_erase_options(view)
        erase.erase_on_request(rt, looking(context), delete_shared=shared, delete_direct=direct)

    app.view(views.CALLBACK_ERASE)(ack=just_ack, lazy=[erase_all])

    def export_command(
        rt_: Runtime, actor: Actor, _command: dict[str, Any], _client: WebClient
    ) -> None:
        export.send_export(rt_, actor)

    add_subcommand(
        rt,
        "export",
        "get a file with everything Setback keeps about you",
        export_command,
        opens_modal=False,  # a DM with a file: no trigger id to race
    )
