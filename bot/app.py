"""The composition root: builds the Bolt app and wires every surface.

Only this module (and the CLI) imports `handlers` and `scheduler`. Listeners run with
`process_before_response=True`: the ack is written as soon as the listener returns
instead of Bolt polling for it every 10 ms, and slow work (opening views, posting DMs)
runs in lazy listeners after the ack.

Before any listener, a global middleware puts the acting person in Bolt's context
(`handlers.payload`); a failing listener is logged by type and request kind, never with
its payload (`handlers.errors`); while the database is down, requests that need it are
answered kindly at once (`handlers.availability`). The surfaces register their
`/setback` subcommands and the Home tab its after-change listener on the runtime, not
on module globals.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.core import hooks
from bot.core.logs import quiet_libraries
from bot.core.runtime import Runtime
from bot.journal import home
from handlers import availability, clicks, commands, errors, payload
from handlers import checkins as checkin_handlers
from handlers import events as event_handlers
from handlers import home as home_handlers
from handlers import lifecycle as lifecycle_handlers
from handlers import reflection as reflection_handlers
from handlers import settings as settings_handlers
from handlers import share as share_handlers

log = logging.getLogger(__name__)


def _installs(rt: Runtime, logger: logging.Logger) -> dict[str, Any]:
    """With OAuth installs, Bolt's install flow and per-request authorize
    (`bot.core.installs`); with one token, nothing: Bolt uses the client's token."""
    if rt.installs is None:
        return {}
    return {
        "oauth_flow": rt.installs.oauth_flow(rt.web_client(), logger),
        "authorize": rt.installs.authorize(logger),
    }


def create_app(rt: Runtime, *, token_verification: bool = True) -> App:
    """A Bolt app bound to the runtime's token (or, with OAuth installs, each request's
    installation), signing secret and Web API URL.

    Signature verification stays on: forged, unsigned or stale (> 5 min) requests get
    401 from Bolt before any listener runs.
    """
    settings = rt.settings
    quiet_libraries(settings.log_level)
    bolt_log = logging.getLogger("slack_bolt.App")
    app = App(
        signing_secret=settings.slack_signing_secret,
        client=rt.web_client(),
        process_before_response=True,
        listener_executor=rt.lazy_executor(),  # lazy listeners are waited for by `rt.drain`
        token_verification_enabled=token_verification,
        request_verification_enabled=True,
        logger=bolt_log,
        **_installs(rt, bolt_log),
    )
    errors.withhold_lazy_errors(bolt_log)
    app.use(payload.PutActor())
    availability.register(app, rt)  # the error handler, and answers while the database is down
    clicks.tell_when_down(app, rt)  # a lazy listener the database failed says so
    commands.register(app, rt)
    reflection_handlers.register(app, rt)
    share_handlers.register(app, rt)
    home_handlers.register(app, rt)
    lifecycle_handlers.register(app, rt)
    checkin_handlers.register(app, rt)
    settings_handlers.register(app, rt)
    event_handlers.register(app, rt)
    hooks.on_change(rt, home.refresh)  # every change a person makes republishes their Home
    return app
