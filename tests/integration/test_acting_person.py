"""The acting person reaches every listener through Bolt's context, over signed HTTP.

A probe middleware registered after the app factory's own records what `put_actor` left
in the context for each request the sandbox Slack sends, then lets the real listeners
run, so the test also sees them act for that person.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App, BoltContext

from bot.app import create_app
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.journal import views as home_views
from handlers.errors import request_kind
from tests.integration import harness as harness_module
from tests.integration.harness import ADA, BEN, SAMPLE_STEPS, Harness, wait_for

Seen = list[tuple[str, Actor | None]]


@pytest.fixture
def probed(tmp_path, monkeypatch) -> Iterator[tuple[Harness, Seen]]:
    seen: Seen = []

    def create_probed_app(rt: Runtime) -> App:
        app = create_app(rt)

        def probe(body: dict[str, Any], context: BoltContext, next_: Any) -> Any:
            seen.append((request_kind(body), context.get("actor")))
            return next_()

        app.use(probe)
        return app

    monkeypatch.setattr(harness_module, "create_app", create_probed_app)
    h = Harness(tmp_path).start()
    yield h, seen
    h.stop()


def test_every_kind_of_request_carries_the_person_acting(probed) -> None:
    h, seen = probed
    ada = Actor(h.ws.team_id, ADA)

    h.slack.app_home_opened(ADA)  # an event: the Home is published for Ada
    home = wait_for(lambda: h.ws.home_view(ADA), what="Ada's Home")
    h.slack.click(ADA, home_views.ACTION_START, view_id=home["id"])  # a block action
    h.wait_modal(ADA, "setback_step", 0)  # …its lazy listener opened Ada's modal
    assert h.submit(ADA, SAMPLE_STEPS[0]).error is None  # a view submission
    h.wait_modal(ADA, "setback_step", 1)
    h.command(ADA, "settings")  # a slash command
    h.wait_modal(ADA, "setback_settings")
    h.slack.message_im(ADA, "hello")  # a message.im event
    h.settle()

    assert seen == [
        ("event:app_home_opened", ada),
        ("block_actions", ada),
        ("view_submission", ada),
        ("slash_command", ada),
        ("event:message", ada),
    ]


def test_each_request_carries_its_own_person(probed) -> None:
    h, seen = probed
    h.command(BEN, "settings")
    h.command(ADA, "settings")
    h.wait_modal(BEN, "setback_settings")
    h.wait_modal(ADA, "setback_settings")
    assert [actor for _, actor in seen] == [Actor(h.ws.team_id, BEN), Actor(h.ws.team_id, ADA)]
