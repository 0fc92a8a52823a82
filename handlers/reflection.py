"""The reflection modal's submissions, closes and buttons.

Each listener reads the payload, hands the acting team + user and the ids it names to
one function of `bot.reflection.flow` (which re-checks ownership), and answers Slack.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.core import hooks
from bot.core.runtime import Runtime
from bot.reflection import flow as reflection
from bot.reflection import views
from bot.reflection.flow import StepOutcome
from bot.reflection.summary import post_summary
from bot.reflection.summary_view import ACTION_OPEN_JOURNAL
from handlers.payload import actor_of, clicked_id, state_values


def _answer(ack: Ack, out: StepOutcome) -> None:
    if out.action == "errors":
        ack(response_action="errors", errors=out.errors)
    elif out.action == "update":
        ack(response_action="update", view=out.view)
    else:
        ack(response_action="clear")


def register(app: App, rt: Runtime) -> None:
    """Wire the modal's listeners."""

    def finish_later(out: StepOutcome, body: dict[str, Any], context: BoltContext) -> None:
        """After the ack: post the summary DM when the reflection just completed (which
        refreshes the Home tab). A new draft needs no refresh yet: the modal covers the
        Home until it closes, and closing refreshes it."""
        if out.finished_id is not None:
            rt.later(
                post_summary,
                rt,
                actor_of(context),
                out.finished_id,
                app_id=body.get("api_app_id"),
                prepared=out.summary,
            )

    def on_step(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        sid, step = views.read_metadata(view.get("private_metadata"))
        values = state_values(view)
        out = reflection.submit_step(rt, actor_of(context), sid, step, values)
        _answer(ack, out)
        finish_later(out, body, context)

    def on_care(ack: Ack, context: BoltContext) -> None:
        """ "Take a break" (the care screen's primary button): the draft is kept as it is."""
        ack(response_action="clear")
        rt.later(hooks.changed, rt, actor_of(context))

    app.view(views.CALLBACK_STEP)(on_step)
    app.view(views.CALLBACK_CARE)(on_care)

    def on_close(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        sid, step = views.read_metadata(view.get("private_metadata"))
        values = state_values(view)
        reflection.close(rt, actor_of(context), sid, step, values)
        ack()
        rt.later(hooks.changed, rt, actor_of(context))

    app.view_closed(views.CALLBACK_STEP)(on_close)

    def on_closed_quietly(ack: Ack) -> None:
        ack()

    app.view_closed(views.CALLBACK_CARE)(on_closed_quietly)

    def just_ack(ack: Ack) -> None:
        ack()

    def back(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        view = body["view"]
        sid, step = views.read_metadata(view.get("private_metadata"))
        values = state_values(view)
        new = reflection.go_back(rt, actor_of(context), sid, step, values)
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=new)

    def care_continue(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """ "Keep going" on the care screen: the next screen, or the end of the reflection."""
        view = body["view"]
        sid, next_step = views.read_metadata(view.get("private_metadata"))
        out = reflection.continue_after_care(rt, actor_of(context), sid, next_step)
        new = out.view if out.view is not None else views.saved_view()
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=new)
        finish_later(out, body, context)

    def resume(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        sid = clicked_id(body)
        new = reflection.resume_view(rt, actor_of(context), sid) if sid else views.gone_view()
        client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=new)

    def start_over(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        sid = clicked_id(body)
        new = reflection.start_over(rt, actor_of(context), sid) if sid else views.gone_view()
        try:
            client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=new)
        finally:  # the draft is gone either way: the Home must not keep offering it
            hooks.changed(rt, actor_of(context))

    app.action(ACTION_OPEN_JOURNAL)(just_ack)  # a link button: Slack still reports the click
    app.action(views.ACTION_BACK)(ack=just_ack, lazy=[back])
    app.action(views.ACTION_CARE_CONTINUE)(ack=just_ack, lazy=[care_continue])
    app.action(views.ACTION_RESUME)(ack=just_ack, lazy=[resume])
    app.action(views.ACTION_START_OVER)(ack=just_ack, lazy=[start_over])
