"""Sharing a blameless retro: the buttons, `/setback share`, the modal's screens.

Each listener reads the payload, hands the acting team + user and the ids it names to one
function of `bot.sharing` (which re-checks ownership), and answers Slack. The post itself
runs in a lazy listener after the modal has answered (see `bot.sharing.post` for why); a
button that opens the modal goes through `handlers.clicks.modal_button`.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.reflection.summary_view import ACTION_SHARE_OPEN
from bot.sharing import compose, offer, views
from bot.sharing import post as posting
from bot.sharing.delete import delete_share
from bot.sharing.draft import ShareMeta, read_metadata
from bot.sharing.outcome import ShareOutcome
from handlers.clicks import modal_button
from handlers.commands import add_subcommand
from handlers.payload import actor_of, clicked_id, state_values, view_of


def _answer(ack: Ack, out: ShareOutcome) -> None:
    if out.action == "errors":
        ack(response_action="errors", errors=out.errors)
    else:
        ack(response_action="update", view=out.view)


def _meta(body: dict[str, Any]) -> ShareMeta:
    return read_metadata(view_of(body).get("private_metadata"))


def _values(body: dict[str, Any]) -> dict[str, Any]:
    return state_values(view_of(body))


def run_share_command(
    rt: Runtime, actor: Actor, command: dict[str, Any], client: WebClient
) -> None:
    """`/setback share`: open the modal first (the trigger id lives 3 s)."""
    origin = offer.origin_channel(command.get("channel_id"), command.get("channel_name"))
    client.views_open(
        trigger_id=command["trigger_id"], view=offer.open_from_command(rt, actor, origin)
    )


def register(app: App, rt: Runtime) -> None:
    """Wire the share surface."""
    add_subcommand(
        rt, "share", "share a blameless retro of a finished reflection", run_share_command
    )

    def just_ack(ack: Ack) -> None:
        ack()

    def open_share(body: dict[str, Any], client: WebClient, actor: Actor) -> None:
        view = offer.open_for_setback(rt, actor, clicked_id(body))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def resume(body: dict[str, Any], client: WebClient, actor: Actor) -> None:
        view = compose.resume(rt, actor, clicked_id(body))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def delete(body: dict[str, Any], context: BoltContext) -> None:
        delete_share(rt, actor_of(context), clicked_id(body))

    modal_button(app, rt, ACTION_SHARE_OPEN, open_share)
    modal_button(app, rt, views.ACTION_SHARE_RESUME, resume)
    app.action(views.ACTION_SHARE_DELETE)(ack=just_ack, lazy=[delete])

    def on_pick(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        _answer(ack, offer.submit_pick(rt, actor_of(context), _meta(body), _values(body)))

    def on_compose(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        _answer(ack, compose.submit_compose(rt, actor_of(context), _meta(body), _values(body)))

    def on_edit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        _answer(ack, compose.submit_edit(rt, actor_of(context), _meta(body), _values(body)))

    def on_post(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        _answer(ack, posting.submit_post(rt, actor_of(context), _meta(body)))

    def after_post(body: dict[str, Any], context: BoltContext) -> None:
        view_id = view_of(body).get("id")  # the modal now showing "Posting…"
        posting.post_share(rt, actor_of(context), _meta(body).share_id, view_id)

    app.view(views.CALLBACK_PICK)(on_pick)
    app.view(views.CALLBACK_COMPOSE)(on_compose)
    app.view(views.CALLBACK_EDIT)(on_edit)
    app.view(views.CALLBACK_PREVIEW)(ack=on_post, lazy=[after_post])

    def on_close(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        compose.discard(rt, actor_of(context), _meta(body))

    for callback in (views.CALLBACK_COMPOSE, views.CALLBACK_EDIT, views.CALLBACK_PREVIEW):
        app.view_closed(callback)(on_close)

    def to_compose(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        view = compose.to_compose(rt, actor_of(context), _meta(body))
        client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=view)

    def to_edit(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        view = compose.to_edit(rt, actor_of(context), _meta(body))
        client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=view)

    app.action(views.ACTION_TO_COMPOSE)(ack=just_ack, lazy=[to_compose])
    app.action(views.ACTION_TO_EDIT)(ack=just_ack, lazy=[to_edit])
