"""`/setback` and its subcommands: ack at once, then open the modal.

The ack carries no work (a trigger_id lives 3 s and Slack wants an answer within 3 s);
the follow-up opens the view first and refreshes the member's time zone after. When
Slack no longer accepts the trigger (a busy moment ate the 3 s), the person is told
privately to type the command again instead of being left with nothing.

Other surfaces plug in `/setback <name>` with `add_subcommand`, into the runtime's table;
`/setback help` gets the help message, listing them, as the ack itself, and any other
text the same message opening with "I don't know `/setback <text>`". `/setback resume`
with no reflection in progress says so, in a small modal whose button starts one.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.runtime import Runtime, Subcommand, SubcommandRun
from bot.reflection import flow as reflection
from bot.reflection.help_view import help_message
from bot.reflection.summary_view import TRIGGER_EXPIRED
from bot.reflection.views import CALLBACK_NOTHING_TO_RESUME
from handlers.payload import actor_of

log = logging.getLogger(__name__)


def add_subcommand(rt: Runtime, name: str, description: str, run: SubcommandRun) -> None:
    """Let another surface (settings, share, export…) plug in a `/setback <name>`. The
    table lives on the runtime the app is built for (`Runtime.subcommands`)."""
    rt.subcommands[name] = Subcommand(description, run)


TRIGGER_GONE = ("expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id")


def _say_again(respond: Respond | None) -> None:
    """Tell the person privately (Bolt's `respond`, the command's response URL) that
    the modal could not open and what to do. Nothing else to do when that fails too."""
    if respond is None:
        return
    try:
        respond(text=TRIGGER_EXPIRED, response_type="ephemeral")
    except Exception as exc:  # noqa: BLE001 - the person can still type it again
        log.info("response_url failed: %s", type(exc).__name__)


def first_word(text: str | None) -> str:
    """The first word of the command's text as typed, or ""."""
    words = (text or "").split(maxsplit=1)
    return words[0] if words else ""


def subcommand_of(text: str | None) -> str:
    return first_word(text).lower()


def register(app: App, rt: Runtime) -> None:
    """Wire `/setback`."""

    def ack_command(
        ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        sub = subcommand_of(command.get("text"))
        if sub in ("", "resume") or sub in rt.subcommands:
            ack()
            # Follow-up work runs off the request thread (unlike a Bolt lazy listener it
            # does not copy the whole request first), in the lane kept for deadlines.
            rt.soon(run_command, command, client, context)
            return
        extra = tuple((f"/setback {n}", s.description) for n, s in rt.subcommands.items())
        unknown = None if sub == "help" else first_word(command.get("text"))
        text, blocks = help_message(extra, unknown=unknown)
        ack(text=text, blocks=blocks, response_type="ephemeral")

    def start_instead(ack: Ack, context: BoltContext) -> None:
        """The nothing-to-resume modal's button: what `/setback` opens (the first
        screen, or the resume chooser if a draft appeared meanwhile) takes its place."""
        actor = actor_of(context)
        opening = reflection.open_view(rt, actor)
        ack(response_action="update", view=opening.view)
        rt.later(reflection.refresh_member, rt, actor, stale=opening.zone_stale)

    def run_command(command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        sub = subcommand_of(command.get("text"))
        actor = actor_of(context)
        if sub in rt.subcommands:
            rt.subcommands[sub].run(rt, actor, command, client)
            return
        if sub not in ("", "resume"):
            return
        if sub == "":
            opening = reflection.open_view(rt, actor)
            view, stale = opening.view, opening.zone_stale
        else:
            view, stale = reflection.resume_view(rt, actor), None
        try:
            client.views_open(trigger_id=command["trigger_id"], view=view)
        except SlackApiError as exc:
            code = exc.response.get("error")
            if code not in TRIGGER_GONE:
                raise
            # Slack gives a modal 3 s from the command; at a busy moment that can pass.
            log.info("views.open refused (%s); asking the person to type it again", code)
            _say_again(context.respond)
            return
        reflection.refresh_member(rt, actor, stale=stale)

    app.command("/setback")(ack_command)
    app.view(CALLBACK_NOTHING_TO_RESUME)(start_instead)
