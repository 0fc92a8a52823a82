"""Buttons: what a click's follow-up says when it cannot do what was asked.

Protocol. Every wait ends in a message within seconds, for a button as for `/setback`:

- **A button that opens a modal** is wired with `modal_button`, never with a Bolt lazy
  listener (whose pool has no bound and no deadline). Its ack is empty; the opening
  races the click's trigger id on the runtime's `soon` lane with a deadline of
  `TRIGGER_BUDGET` after the click (`Runtime.race`), through a client that refuses to
  spend an expired trigger id (`handlers.commands.TriggerClient`). When no thread took
  it in time, the lane is full, the deadline passed before `views.open`, or Slack
  refuses the trigger (`TRIGGER_GONE`), the person is told to click again
  (`CLICK_AGAIN`). A database that fails says so (`DATABASE_DOWN`) and tells the
  runtime (`Runtime.health.failed`); anything else says something went wrong, and is
  logged.
- **Any other button's lazy listener** (and a submission's work after its ack) runs
  under `KindLazyRunner`, installed on the app by `tell_when_down`: when it fails
  because the database is unavailable — the first click to find out, before the
  runtime knows — the person is told the same `DATABASE_DOWN` words and the runtime is
  told. Other failures are only logged, as before (`handlers.errors`).

Where the words go (`tell_clicker`): privately in the conversation the button was in
(`chat.postEphemeral`), else — a Home tab or a modal, or when that fails — as a DM.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.lazy_listener.thread_runner import ThreadLazyListenerRunner
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.actor import Actor
from bot.core.health import unavailable
from bot.core.runtime import Runtime
from handlers.availability import DATABASE_DOWN
from handlers.commands import (
    SOMETHING_WRONG,
    TRIGGER_BUDGET,
    TRIGGER_GONE,
    TriggerClient,
    TriggerExpired,
)
from handlers.payload import actor_of

log = logging.getLogger(__name__)

Opener = Callable[[dict[str, Any], WebClient, Actor], None]
"""Opens a button's modal: the click's payload, a client guarding its trigger id, and
the acting person. It calls `client.views_open` first (the trigger id lives 3 s)."""

CLICK_AGAIN = (
    "Slack took a moment too long to open that, so it didn't appear. Click the button "
    "again whenever you're ready; nothing was lost."
)


def clicked_in(body: dict[str, Any]) -> str | None:
    """The conversation the clicked button was in (a message's channel), or None for a
    button on the Home tab or in a modal."""
    channel = body.get("channel")
    if isinstance(channel, dict) and isinstance(channel.get("id"), str):
        return str(channel["id"])
    container = body.get("container")
    if isinstance(container, dict) and isinstance(container.get("channel_id"), str):
        return str(container["channel_id"])
    return None


def tell_clicker(client: WebClient, body: dict[str, Any], text: str) -> None:
    """Tell the person who clicked, privately where they clicked, else in a DM. Nothing
    more to do when Slack refuses both."""
    user = (body.get("user") or {}).get("id")
    if not isinstance(user, str):
        return
    channel = clicked_in(body)
    if channel is not None:
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
            return
        except Exception as exc:  # noqa: BLE001 - a DM is the next place to say it
            log.info("chat.postEphemeral failed (%s); sending a DM", type(exc).__name__)
    try:
        dm = client.conversations_open(users=user)["channel"]["id"]
        client.chat_postMessage(channel=dm, text=text)
    except Exception as exc:  # noqa: BLE001 - the person can still click again
        log.warning("could not tell the person after a click: %s", type(exc).__name__)


def modal_button(app: App, rt: Runtime, action_id: str, opener: Opener) -> None:
    """Wire a button that opens a modal (module docstring)."""

    def ack_click(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        deadline = rt.deadline(TRIGGER_BUDGET)
        guarded = TriggerClient(client, deadline)
        work = functools.partial(
            open_after_click, rt, opener, body, guarded, client, actor_of(context)
        )
        note = functools.partial(tell_clicker, client, body, CLICK_AGAIN)
        if rt.race(deadline, work, note) is None:
            log.warning("button %s: the follow-up lane is full", action_id)
            if rt.later(note) is None:
                note()

    ack_click.__name__ = f"ack_{action_id}"
    app.action(action_id)(ack_click)


def open_after_click(
    rt: Runtime,
    opener: Opener,
    body: dict[str, Any],
    guarded: WebClient,
    client: WebClient,
    actor: Actor,
) -> None:
    """The follow-up of `modal_button`: whatever happens, the person hears how it ended."""
    try:
        opener(body, guarded, actor)
    except TriggerExpired:
        log.info("views.open not attempted after a click: the trigger id ran out")
        tell_clicker(client, body, CLICK_AGAIN)
    except SlackApiError as exc:
        code = exc.response.get("error")
        if code not in TRIGGER_GONE:
            tell_clicker(client, body, SOMETHING_WRONG)
            raise
        log.info("views.open refused after a click (%s); asking to click again", code)
        tell_clicker(client, body, CLICK_AGAIN)
    except Exception as exc:
        if not unavailable(exc):
            tell_clicker(client, body, SOMETHING_WRONG)
            raise
        log.warning("a button: the database is unavailable (%s)", type(exc).__name__)
        rt.health.failed()
        tell_clicker(client, body, DATABASE_DOWN)


class KindLazyRunner(ThreadLazyListenerRunner):
    """Bolt's lazy-listener runner, telling the person when the database failed the work
    (module docstring). Bolt still logs the failure (rewritten by `handlers.errors`)."""

    def __init__(self, base: ThreadLazyListenerRunner, rt: Runtime) -> None:
        super().__init__(base.logger, base.executor)
        self.rt = rt

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        @functools.wraps(function)  # Bolt reads the wrapped function's argument names
        def telling(**kwargs: Any) -> None:
            try:
                function(**kwargs)
            except Exception as error:
                if unavailable(error):
                    self.database_failed(request)
                raise

        super().start(telling, request)

    def database_failed(self, request: BoltRequest) -> None:
        self.rt.health.failed()
        body = request.body or {}
        client = request.context.client
        if body.get("type") in ("block_actions", "view_submission") and client is not None:
            tell_clicker(client, body, DATABASE_DOWN)


def tell_when_down(app: App, rt: Runtime) -> None:
    """Install `KindLazyRunner` in place of Bolt's own (once)."""
    runner = app.listener_runner
    base = runner.lazy_listener_runner
    if isinstance(base, ThreadLazyListenerRunner) and not isinstance(base, KindLazyRunner):
        runner.lazy_listener_runner = KindLazyRunner(base, rt)
