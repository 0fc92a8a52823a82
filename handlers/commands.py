"""`/setback` and its subcommands: ack at once, then open the modal.

The ack carries no work (a trigger_id lives 3 s and Slack wants an answer within 3 s);
the follow-up opens the view first and refreshes the member's time zone after.

Every wait ends in a message (the person never types a command into silence):

- The follow-up races the trigger id on the runtime's `soon` lane with a deadline of
  `TRIGGER_BUDGET` after the command arrived. If no thread took it in time it never
  runs, and the person is told privately (the command's response URL) to type the
  command again; a task that runs checks the deadline before `views.open`, through a
  client that refuses to spend an expired trigger id (`TriggerClient`), and Slack's own
  refusal of a trigger says the same.
- When the lane is full even after shedding late work, the ack itself says Setback is
  busy and to try again in a few seconds.
- When the database is known to be down (`Runtime.health`), the ack says so at once;
  when the follow-up meets it down, the person is told the same right away. Anything
  else that fails says something went wrong, and is logged.

Other surfaces plug in `/setback <name>` with `add_subcommand`, into the runtime's table;
a subcommand that opens no modal (`opens_modal=False`: export) runs on the `later`
lane with no deadline. `/setback help` gets the help message, listing them, as the ack
itself (it needs no database), and any other text the same message opening with "I
don't know `/setback <text>`". `/setback resume` with no reflection in progress says
so, in a small modal whose button starts one.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.core.actor import Actor
from bot.core.health import unavailable
from bot.core.lanes import Deadline
from bot.core.runtime import Runtime, Subcommand, SubcommandRun
from bot.core.slack_http import KeptAliveClient
from bot.reflection import flow as reflection
from bot.reflection.help_view import help_message
from bot.reflection.summary_view import TRIGGER_EXPIRED
from bot.reflection.views import CALLBACK_NOTHING_TO_RESUME
from handlers.payload import actor_of

log = logging.getLogger(__name__)


def add_subcommand(
    rt: Runtime, name: str, description: str, run: SubcommandRun, *, opens_modal: bool = True
) -> None:
    """Let another surface (settings, share, export…) plug in a `/setback <name>`. The
    table lives on the runtime the app is built for (`Runtime.subcommands`)."""
    rt.subcommands[name] = Subcommand(description, run, opens_modal)


TRIGGER_GONE = ("expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id")
# Slack gives a modal 3 s from the command; views.open must start well inside them.
TRIGGER_BUDGET = 2.5

DATABASE_DOWN = (
    "Setback can't reach its database right now, so that couldn't open. Please try "
    "again in a few minutes; nothing you've saved is lost."
)
SOMETHING_WRONG = (
    "Something went wrong on Setback's side, so that couldn't open. Please try again "
    "in a moment; nothing you've saved is lost."
)


def busy(sub: str) -> str:
    """The ack when the follow-up lane is full: try the same command again shortly."""
    typed = f"/setback {sub}".rstrip()
    return (
        f"Setback is very busy this moment, so that couldn't open. Type `{typed}` again "
        "in a few seconds; nothing was lost."
    )


def too_late(sub: str) -> str:
    """The note when the trigger id ran out before the modal could open."""
    if sub in ("", "resume"):
        return TRIGGER_EXPIRED
    return (
        "Slack took a moment too long to open that, so it didn't appear. Type "
        f"`/setback {sub}` again whenever you're ready; nothing was lost."
    )


class TriggerExpired(Exception):
    """`views.open` was not attempted: the trigger id's deadline had passed."""


class TriggerClient(KeptAliveClient):
    """The command's Web API client, refusing to spend a trigger id past its deadline
    (`TriggerExpired`) — so a modal that could no longer open is never attempted,
    whichever subcommand opens it."""

    def __init__(self, base: WebClient, deadline: Deadline) -> None:
        # The base client's settings as they stand (token, URL, timeout, proxy, retry
        # handlers, headers with its User-Agent), copied rather than built again: a new
        # client formats a User-Agent and reads the proxy environment, once per command.
        self.__dict__.update(base.__dict__)
        self.headers = dict(base.headers)
        self.default_params = dict(base.default_params)
        self.retry_handlers = list(base.retry_handlers)
        self.deadline = deadline

    def views_open(self, **kwargs: Any) -> SlackResponse:
        if self.deadline.passed():
            raise TriggerExpired
        return super().views_open(**kwargs)


def tell(respond: Respond | None, text: str) -> None:
    """Tell the person privately (Bolt's `respond`, the command's response URL). Nothing
    else to do when that fails too."""
    if respond is None:
        return
    try:
        respond(text=text, response_type="ephemeral")
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
        if sub not in ("", "resume") and sub not in rt.subcommands:
            extra = tuple((f"/setback {n}", s.description) for n, s in rt.subcommands.items())
            unknown = None if sub == "help" else first_word(command.get("text"))
            text, blocks = help_message(extra, unknown=unknown)
            ack(text=text, blocks=blocks, response_type="ephemeral")
            return
        if rt.health.known_down():
            ack(text=DATABASE_DOWN, response_type="ephemeral")
            return
        if not follow_up(sub, command, client, context):
            ack(text=busy(sub), response_type="ephemeral")
            return
        ack()

    def follow_up(
        sub: str, command: dict[str, Any], client: WebClient, context: BoltContext
    ) -> bool:
        """Queue the work after the ack (it does not copy the whole request, unlike a
        Bolt lazy listener); False when the lane is full."""
        actor, respond = actor_of(context), context.respond
        if sub in rt.subcommands and not rt.subcommands[sub].opens_modal:
            work = functools.partial(run_command, sub, actor, command, client, respond)
            return rt.later(work) is not None
        deadline = rt.deadline(TRIGGER_BUDGET)
        guarded = TriggerClient(client, deadline)
        work = functools.partial(run_command, sub, actor, command, guarded, respond)
        note = functools.partial(tell, respond, too_late(sub))
        return rt.race(deadline, work, note) is not None

    def start_instead(ack: Ack, context: BoltContext) -> None:
        """The nothing-to-resume modal's button: what `/setback` opens (the first
        screen, or the resume chooser if a draft appeared meanwhile) takes its place."""
        actor = actor_of(context)
        opening = reflection.open_view(rt, actor)
        ack(response_action="update", view=opening.view)
        rt.later(reflection.refresh_member, rt, actor, stale=opening.zone_stale)

    def run_command(
        sub: str,
        actor: Actor,
        command: dict[str, Any],
        client: WebClient,
        respond: Respond | None,
    ) -> None:
        """The follow-up: whatever happens, the person hears how it ended."""
        try:
            open_for(sub, actor, command, client)
        except TriggerExpired:
            log.info("views.open not attempted: the trigger id ran out while waiting")
            tell(respond, too_late(sub))
        except SlackApiError as exc:
            code = exc.response.get("error")
            if code not in TRIGGER_GONE:
                tell(respond, SOMETHING_WRONG)
                raise
            log.info("views.open refused (%s); asking the person to type it again", code)
            tell(respond, too_late(sub))
        except Exception as exc:
            if not unavailable(exc):
                tell(respond, SOMETHING_WRONG)
                raise
            log.warning("/setback: the database is unavailable (%s)", type(exc).__name__)
            rt.health.failed()
            tell(respond, DATABASE_DOWN)

    def open_for(sub: str, actor: Actor, command: dict[str, Any], client: WebClient) -> None:
        if sub in rt.subcommands:
            rt.subcommands[sub].run(rt, actor, command, client)
            return
        if sub == "":
            opening = reflection.open_view(rt, actor)
            view, stale = opening.view, opening.zone_stale
        else:
            view, stale = reflection.resume_view(rt, actor), None
        client.views_open(trigger_id=command["trigger_id"], view=view)
        reflection.refresh_member(rt, actor, stale=stale)

    app.command("/setback")(ack_command)
    app.view(CALLBACK_NOTHING_TO_RESUME)(start_instead)
