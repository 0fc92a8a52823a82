"""Time travel: the sandbox's clock buttons move the real bot's clock through its dev hook.

The bot here is the real one (settings → runtime → Bolt → waitress) with the hook mounted
as ``setback run`` mounts it when SETBACK_DEV_HOOKS is on, and the real dispatcher; the
sandbox talks to it only over HTTP.
"""

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.app import create_app
from bot.core import devhooks
from bot.core.clock import SystemClock
from bot.core.runtime import Runtime, build_runtime
from bot.core.web import make_wsgi, serve
from sandbox.clock import SandboxClock
from sandbox.delivery import SlackDelivery
from sandbox.seed import ADA, seed
from sandbox.slack_api import SlackApiServer
from sandbox.timetravel import HOOK_PATH, BotClockLink, HookError, TimeMachine
from sandbox.workspace import Workspace
from scheduler.dispatcher import run_once
from tests.conftest import SIGNING_SECRET, make_settings
from tests.integration.harness import SAMPLE_STEPS, wait_for

# Wednesday 25 November 2026, 10:00 UTC: inside Ada's London working hours.
START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
DAY = 86_400


@dataclass
class Bot:
    ws: Workspace
    clock: SandboxClock
    rt: Runtime
    url: str
    slack: SlackDelivery

    def machine(self, secret: str = SIGNING_SECRET) -> TimeMachine:
        return TimeMachine(self.clock, BotClockLink(self.url + HOOK_PATH, secret, timeout=30))

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
        request = urllib.request.Request(self.url + HOOK_PATH, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def signed(self, payload: dict, secret: str = SIGNING_SECRET, stamp: int | None = None):
        body = json.dumps(payload).encode()
        stamp_text = str(int(time.time()) if stamp is None else stamp)
        signature = SignatureVerifier(secret).generate_signature(timestamp=stamp_text, body=body)
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": stamp_text,
            "X-Slack-Signature": signature or "",
        }
        return self.post(body, headers)


def _start(tmp_path: Path, *, hooks: bool = True) -> Iterator[Bot]:
    clock = SandboxClock()
    clock.start_at(START)
    ws = Workspace(clock=clock)
    seed(ws)
    api = SlackApiServer(ws).start()
    settings = make_settings(tmp_path, slack_api_url=api.url, setback_dev_hooks=hooks)
    rt = build_runtime(settings, clock=SystemClock())
    extra = devhooks.routes(rt, dispatch=run_once) if devhooks.enabled(settings) else None
    server = serve(make_wsgi(create_app(rt), rt, extra=extra), "127.0.0.1", 0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}"
    slack = SlackDelivery(ws, url + "/slack/events", SIGNING_SECRET, api)
    try:
        yield Bot(ws, clock, rt, url, slack)
    finally:
        server.close()
        thread.join(timeout=5)
        api.stop()
        rt.engine.dispose()


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[Bot]:
    yield from _start(tmp_path)


def finish_reflection(bot: Bot) -> str:
    """Ada walks all six screens; returns the summary DM's ts."""
    dm = bot.ws.im_channel_for(ADA)
    bot.slack.command(ADA, "")
    for step, values in enumerate(SAMPLE_STEPS):
        view = wait_for(
            lambda s=step: (
                (v := bot.ws.top_view(ADA)) and f'"step":{s}' in v["private_metadata"] and v
            ),
            what=f"screen {step}",
        )
        assert bot.slack.submit_view(ADA, view["id"], values).error is None
    return wait_for(lambda: bot.ws.history(dm) and bot.ws.history(dm)[-1]["ts"], what="summary")


def test_sync_puts_the_bots_clock_at_the_workspaces_time(bot: Bot) -> None:
    answer = bot.machine().sync()
    assert answer is not None and answer["dispatch"] is None
    assert abs((bot.rt.clock.now() - bot.clock.now()).total_seconds()) < 5
    assert bot.rt.clock.now() < START + timedelta(minutes=5)


def test_a_day_later_the_check_in_arrives_in_the_thread_once(bot: Bot) -> None:
    machine = bot.machine()
    machine.sync()
    summary = finish_reflection(bot)
    dm = bot.ws.im_channel_for(ADA)
    assert bot.ws.thread(dm, summary) == bot.ws.thread(dm, summary)[:1]  # nothing yet

    moved = machine.advance(DAY)

    # SAMPLE_STEPS makes two if-then plans, each with its first check-in a day later
    assert moved["dispatch"]["sent"] == 2
    replies = bot.ws.thread(dm, summary)[1:]
    assert len(replies) == 2 and all(r["bot_id"] == bot.ws.bot_id for r in replies)
    assert abs(bot.rt.clock.now().timestamp() - bot.clock()) < 5
    again = machine.advance(3600)
    assert again["dispatch"]["sent"] == 0
    assert len(bot.ws.thread(dm, summary)) == 3  # never twice


def test_a_day_later_right_after_finish_still_finds_the_thread(bot: Bot) -> None:
    """The summary DM shows in Slack a moment before the bot has its ts recorded: a clock
    move at that moment lets the summary's follow-up finish before its pass."""
    machine = bot.machine()
    machine.sync()
    held = threading.Event()

    def slow_answer(kind: str, data: dict) -> None:
        metadata = data.get("message", {}).get("metadata") or {}
        if kind == "message_posted" and metadata.get("event_type") == "setback_summary":
            held.set()
            time.sleep(1.0)  # Slack keeps the bot waiting for its answer to the post

    unsubscribe = bot.ws.subscribe(slow_answer)
    try:
        summary = finish_reflection(bot)
        assert held.is_set(), "the summary's answer was held"
        moved = machine.advance(DAY)
    finally:
        unsubscribe()
    assert moved["dispatch"]["sent"] == 2
    assert len(bot.ws.thread(bot.ws.im_channel_for(ADA), summary)) == 3


def test_unsigned_forged_and_stale_requests_cannot_move_the_clock(bot: Bot) -> None:
    before = bot.rt.clock.now()
    body = json.dumps({"offset_seconds": 10 * DAY}).encode()
    assert bot.post(body, {"Content-Type": "application/json"})[0] == 401
    assert bot.signed({"offset_seconds": 10 * DAY}, secret="not-the-secret")[0] == 401
    stale = int(time.time()) - 600
    assert bot.signed({"offset_seconds": 10 * DAY}, stamp=stale)[0] == 401
    assert bot.rt.clock.now() - before < timedelta(minutes=1)
    with pytest.raises(HookError, match="401"):
        bot.machine(secret="not-the-secret").advance(DAY)


def test_bad_requests_are_refused_with_a_reason(bot: Bot) -> None:
    status, answer = bot.signed({"advance_seconds": -60})
    assert status == 400 and "greater than 0" in answer["error"]
    status, answer = bot.signed({"offset_seconds": "soon"})
    assert status == 400 and "numbers" in answer["error"]
    status, answer = bot.signed({"advance_seconds": 3600, "dispatch": False})
    assert status == 200 and answer["dispatch"] is None


def test_when_the_bot_cannot_follow_the_workspace_clock_stays_put(bot: Bot) -> None:
    machine = TimeMachine(bot.clock, BotClockLink("http://127.0.0.1:9/dev/clock", SIGNING_SECRET))
    before = bot.clock.offset
    with pytest.raises(HookError, match="could not be reached"):
        machine.advance(DAY)
    assert bot.clock.offset == before


def test_a_bot_without_dev_hooks_has_no_clock_to_move(tmp_path: Path) -> None:
    for bot in _start(tmp_path, hooks=False):
        with pytest.raises(HookError, match="SETBACK_DEV_HOOKS"):
            bot.machine().advance(DAY)


def test_dev_hooks_are_refused_outside_the_local_sandbox(tmp_path: Path) -> None:
    assert devhooks.enabled(make_settings(tmp_path)) is False
    slack = make_settings(tmp_path, setback_dev_hooks=True, slack_api_url="https://slack.com/api/")
    with pytest.raises(devhooks.DevHooksNotAllowed, match="SETBACK_DEV_HOOKS"):
        devhooks.enabled(slack)
    local = make_settings(
        tmp_path, setback_dev_hooks=True, slack_api_url="http://localhost:3000/api/"
    )
    assert devhooks.enabled(local) is True
