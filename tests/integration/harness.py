"""The integration harness: the real bot over HTTP, the sandbox Slack over HTTP.

`Harness` starts the sandbox Web API (the bot's SLACK_API_URL), builds the bot exactly
as `setback run --http` does (settings → runtime → Bolt app → waitress), and drives it
with signed requests through `sandbox.delivery`. Nothing of the bot is mocked; only
Slack itself is stood in for.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import create_app
from bot.core.clock import FixedClock
from bot.core.runtime import Runtime, build_runtime, start_writer, stop_writer
from bot.core.web import make_wsgi, serve
from sandbox.delivery import Response, SlackDelivery
from sandbox.slack_api import SlackApiServer
from sandbox.workspace import Workspace
from tests.conftest import SIGNING_SECRET, make_settings

ADA = "U0ADA"
BEN = "U0BEN"
# Wednesday 25 November 2026, 10:00 UTC: inside London working hours.
START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

Values = dict[str, dict[str, dict[str, Any]]]


def text(v: str) -> dict[str, Any]:
    return {"value": v}


def day(v: str) -> dict[str, Any]:
    return {"selected_date": v}


def choice(v: str) -> dict[str, Any]:
    return {"selected_option": {"value": v}}


def choices(*vs: str) -> dict[str, Any]:
    return {"selected_options": [{"value": v} for v in vs]}


def users(*ids: str) -> dict[str, Any]:
    return {"selected_users": list(ids)}


def form(**fields: dict[str, Any]) -> Values:
    """State values for inputs whose block_id and action_id are both the field name."""
    return {name: {name: value} for name, value in fields.items()}


SAMPLE_STEPS: tuple[Values, ...] = (
    form(
        title=text("Config push broke checkout"),
        facts=text("I pushed a config change at 16:40. Checkout failed for 20 minutes."),
        when=day("2026-11-24"),
    ),
    form(
        feelings=choices("embarrassed", "anxious"),
        intensity=choice("3"),
        friend=text("It makes sense you're shaken; you caught it and fixed it fast."),
    ),
    form(
        my_part=text("I merged the change without running the migration check."),
        affected=text("Customers at checkout and the support team."),
        apology=choice("yes"),
        apology_draft=text("I caused the checkout outage; here is what changed."),
        repair=text("Walk support through what happened and what to tell customers."),
        repair_by=day("2026-11-27"),
    ),
    form(
        expected=text("The flag would only affect the staging tenant."),
        made_sense=text("The flag name matched the staging one and the review was green."),
        factors=text("Staging and production flags share a name\nThe check is manual"),
        limited=text("The alert fired within two minutes."),
        change=text("Make the migration check part of CI."),
    ),
    form(
        people=users(BEN),
        support_kinds=choices("peer"),
    ),
    form(
        lesson=text("Checks that rely on memory fail on busy days."),
        if_1=text("I'm about to merge a config change"),
        then_1=text("run the migration check first"),
        schedule_1=choice("default"),
        if_2=text("a review comes in after 16:00"),
        then_2=text("ask for a second reviewer"),
        schedule_2=choice("short"),
    ),
)


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll until `predicate()` is truthy (lazy listeners run after the ack)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@dataclass
class Harness:
    """A running bot + sandbox Slack, and shortcuts for what a person does."""

    tmp_path: Path
    database_url: str | None = None
    settings_overrides: dict[str, Any] = field(default_factory=dict)
    # `setback run` sends the step writes to a writer process on an SQLite file; most
    # tests keep them in this process, which spares each a process start.
    writer_process: bool = False
    ws: Workspace = field(init=False)
    api: SlackApiServer = field(init=False)
    rt: Runtime = field(init=False)
    clock: FixedClock = field(init=False)
    slack: SlackDelivery = field(init=False)
    url: str = field(init=False)

    def start(self) -> Harness:
        self.ws = Workspace()
        self.ws.add_user(ADA, "ada", "Ada Lovelace", tz="Europe/London")
        self.ws.add_user(BEN, "ben", "Ben Okafor", tz="America/New_York")
        self.ws.add_channel("C0GENERAL", "general", members=(ADA, BEN))
        self.ws.add_channel("C0RETROS", "team-retros", members=(ADA, BEN), bot_member=False)
        self.ws.add_channel("G0LEADS", "leads", is_private=True, members=(BEN,), bot_member=False)
        self.api = SlackApiServer(self.ws).start()
        overrides: dict[str, Any] = {"slack_api_url": self.api.url}
        if self.database_url:
            overrides["database_url"] = self.database_url
        overrides.update(self.settings_overrides)
        settings = make_settings(self.tmp_path, **overrides)
        self.clock = FixedClock(START)
        self.rt = build_runtime(settings, clock=self.clock)
        if self.writer_process:
            start_writer(self.rt)
        app = create_app(self.rt)
        self._server = serve(make_wsgi(app, self.rt), "127.0.0.1", 0, threads=8)
        self.url = f"http://127.0.0.1:{self._server.effective_port}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self.slack = SlackDelivery(self.ws, f"{self.url}/slack/events", SIGNING_SECRET, self.api)
        return self

    def _serve(self) -> None:
        with contextlib.suppress(OSError):  # waitress's select() sees the socket stop() closed
            self._server.run()

    def stop(self) -> None:
        self.rt.drain(timeout=5)
        self._server.close()
        self._thread.join(timeout=5)
        self.api.stop()
        stop_writer(self.rt)
        self.rt.engine.dispose()

    # --- what a person sees -------------------------------------------------------------

    def modal(self, user: str) -> dict[str, Any] | None:
        return self.ws.top_view(user)

    def wait_modal(self, user: str, callback_id: str, step: int | None = None) -> dict[str, Any]:
        def ready() -> dict[str, Any] | None:
            view = self.ws.top_view(user)
            if not view or view.get("callback_id") != callback_id:
                return None
            if step is not None and f'"step":{step}' not in (view.get("private_metadata") or ""):
                return None
            return view

        return wait_for(ready, what=f"modal {callback_id} step {step}")

    def dm(self, user: str) -> list[dict[str, Any]]:
        """Top-level messages in the user's DM with the app (oldest first)."""
        return self.ws.history(self.ws.im_channel_for(user))

    def thread(self, user: str, ts: str) -> list[dict[str, Any]]:
        return self.ws.thread(self.ws.im_channel_for(user), ts)

    # --- what a person does ----------------------------------------------------------------

    def command(self, user: str, text: str = "", channel: str | None = None) -> Response:
        return self.slack.command(user, text, channel_id=channel)

    def submit(self, user: str, values: Values) -> Response:
        view = self.ws.top_view(user)
        assert view is not None, "no modal open"
        return self.slack.submit_view(user, view["id"], values)

    def open_reflection(self, user: str) -> dict[str, Any]:
        self.command(user)
        return self.wait_modal(user, "setback_step", 0)

    def finish_setback(self, user: str, steps: tuple[Values, ...] = SAMPLE_STEPS) -> str:
        """Walk all six screens and wait for the summary DM; returns its ts.

        The sample answers pick Ben to talk to; a person cannot pick themselves, so when
        Ben walks the sample he picks Ada instead."""
        steps = tuple(self._not_picking_self(user, values) for values in steps)
        before = len(self.dm(user))
        self.open_reflection(user)
        for i, values in enumerate(steps):
            resp = self.submit(user, values)
            assert resp.error is None, resp.error
            if i < len(steps) - 1:
                self.wait_modal(user, "setback_step", i + 1)
        msgs = wait_for(lambda: len(self.dm(user)) > before and self.dm(user), what="summary DM")
        self.settle()
        return msgs[-1]["ts"]

    @staticmethod
    def _not_picking_self(user: str, values: Values) -> Values:
        picked = values.get("people", {}).get("people", {}).get("selected_users", [])
        if user not in picked:
            return values
        others = [ADA if u == user else u for u in picked]
        return {**values, "people": {"people": {"selected_users": others}}}

    def settle(self) -> None:
        """Wait for the bot's follow-up work after acks (summary DMs, Home refreshes)."""
        assert self.rt.drain(), "background work did not finish"
