"""While the database is down: answer at once, kindly, and keep the HTTP threads free.

Protocol. `WhenDatabaseDown` is a global Bolt middleware (after `put_actor`). While
the runtime knows the database is not answering (`Runtime.health.known_down`, which
never waits), a request that would need it is answered without touching it:

- a modal's submission pushes a small "try again in a few minutes" modal on top (the
  person's modal stays beneath it with everything they typed; closing ours returns
  to it);
- a button gets an empty ack, then the same words: privately in the conversation (its
  response URL) when it has one, else as a small modal (its trigger id);
- an event gets 503, so Slack delivers it again later (a reply in a check-in's
  thread is not lost);
- a modal closed, or anything else, gets an empty ack.

Slash commands pass through: `/setback help` needs no database, and the command's own
ack says the database is down (`handlers.commands`). `url_verification` never reaches
a middleware (Bolt answers it first). So a hung database never holds an HTTP thread
for the requests the runtime already knows about, and what needs no database keeps
answering.

`on_error` wraps the global error handler (`handlers.errors`): a listener that met the
database down (the first request to find out) is logged as usual, the runtime is told
(`Runtime.health.failed`), and a submission is answered with the same modal instead of
an HTTP 500.

That first submission answers in time too: a modal's submission is acked by its
listener on the request thread, and Slack waits 3 s for it. `bound_submissions` runs
those listeners under `answer_within(ACK_DB_SECONDS)` (`bot.core.health`), so a database that
hangs or stops makes the transaction fail by then (a ping cut short, no reconnect, a
statement cut off) and the same modal is pushed. A button's work after its ack says
so too (`handlers.clicks`).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View
from slack_sdk.webhook import WebhookClient

from bot.core.health import answer_within, unavailable
from bot.core.runtime import Runtime
from handlers import errors
from handlers.payload import view_of

log = logging.getLogger(__name__)

DATABASE_DOWN = (
    "Setback can't reach its database right now, so that couldn't be saved or opened. "
    "Please try again in a few minutes; nothing you've already saved is lost."
)
ACK_DB_SECONDS = 2.0  # a submission's database work, inside Slack's 3 s for the answer
IN_A_MODAL = (
    "Setback can't reach its database right now, so this screen couldn't be saved. "
    "Close this message to get back to what you wrote, and try again in a few minutes."
)


def down_view(text: str = DATABASE_DOWN) -> View:
    """The small modal that says so."""
    return View(
        type="modal",
        title="Setback",
        close="Close",
        blocks=[SectionBlock(text=text)],
    )


def _json(body: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=200, body=json.dumps(body), headers={"content-type": "application/json"}
    )


def _push_down_view() -> BoltResponse:
    return _json({"response_action": "push", "view": down_view(IN_A_MODAL).to_dict()})


class WhenDatabaseDown(Middleware):
    """The global middleware of the module docstring; class-based, so Bolt hands it the
    request without looking up listener arguments for it on every request."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],  # noqa: A002 - the name Bolt passes it by
    ) -> BoltResponse | None:
        body = req.body
        if "command" in body or not self._rt.health.known_down():
            return next()
        kind = body.get("type")
        if kind == "view_submission":
            return _push_down_view()
        if kind == "block_actions":
            self._rt.later(_tell_after_click, req.context.client, body)
            return BoltResponse(status=200, body="")
        if kind == "event_callback":
            return BoltResponse(status=503, body="")
        return BoltResponse(status=200, body="")


def register(app: App, rt: Runtime) -> None:
    """Install the middleware and the error handler (see the module docstring)."""

    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        errors.on_error(error, body)
        if not unavailable(error):
            return None
        rt.health.failed()
        if (body or {}).get("type") == "view_submission":
            return _push_down_view()
        return None

    app.use(WhenDatabaseDown(rt))
    app.error(on_error)
    bound_submissions(app)


def bound_submissions(app: App, seconds: float = ACK_DB_SECONDS) -> None:
    """Run each modal submission's listener (its ack, on the request thread) with its
    database waits bounded to `seconds` (module docstring). Bolt offers no hook around a
    listener (a middleware's `next` returns before the listener runs), so the runner's
    `run` is wrapped, once."""
    runner = app.listener_runner
    run = runner.run
    if getattr(run, "bounded", False):
        return

    @functools.wraps(run)
    def bounded(request: BoltRequest, *args: Any, **kwargs: Any) -> BoltResponse | None:
        kind = (request.body or {}).get("type")
        with answer_within(seconds if kind == "view_submission" else None):
            return run(request, *args, **kwargs)

    bounded.bounded = True  # type: ignore[attr-defined]  # why: marks the wrapper as installed
    runner.run = bounded  # type: ignore[method-assign]  # why: no public hook around a listener


def _tell_after_click(client: WebClient, body: dict[str, Any]) -> None:
    """After a button's ack: the words in the conversation, or as a small modal."""
    response_url = body.get("response_url")
    if response_url:
        WebhookClient(response_url).send(
            text=DATABASE_DOWN, response_type="ephemeral", replace_original=False
        )
        return
    trigger_id = body.get("trigger_id")
    if not trigger_id:
        return
    if view_of(body).get("type") == "modal":
        client.views_push(trigger_id=trigger_id, view=down_view(IN_A_MODAL))
    else:
        client.views_open(trigger_id=trigger_id, view=down_view())
