"""Soak: minutes of mixed traffic against the real bot, with its latency and memory.

    .venv/bin/python benchmarks/soak.py [--minutes 10] [--people 6] [--postgres URL]

The bot is `setback run --http` as its own process (waitress, the dispatcher and
housekeeping beside it, SQLite unless `--postgres`), so its resident memory (RSS) is
its own; the sandbox Slack (Web API, trigger ids, response URLs) runs in a second
process with the load: `--people` simulated people, each in a loop — `/setback`, the
six screens of a reflection, the Home tab opened, a reply in the reflection's thread,
"Share a blameless retro" opened and closed, `/setback help`, and "Done" on any check-in
waiting for them. A clock thread there moves the bot's clock every `CLOCK_EVERY`
seconds (a third of the run, if shorter) through the sandbox's signed time-travel hook
— to the next weekday's late morning in the people's zone, then a week further each
time — each move running a check-in dispatch pass, so check-ins come due and are posted
during the run.

Prints the bot's RSS every 30 s and, per kind of request (command, step, button,
close, event, check-in pass), the count, p50, p90, p99 and max latency as the client
saw it, and how many answers Slack would not have accepted (an error, or later than
3 s). A pass posts into one conversation a second apart (Slack's rate), so its time
grows with the check-ins due per person. All loops end at the deadline; everything
listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402

SECRET = "soak-signing-secret-0123456789abcdef"
TOKEN = "xoxb-sandbox"
RSS_EVERY = 30.0  # seconds between memory samples
CLOCK_EVERY = 20.0  # seconds between check-in passes (a week forward each)
THINK = 0.1  # seconds a person pauses between actions
PACE = 5.0  # seconds a person rests after each round
ANSWERS = 3  # check-ins a person answers per round
WAIT = 10.0  # longest wait for a modal or a DM before the person moves on
READY_SECONDS = 90.0
ZONE = "Europe/London"  # the people's time zone
WEEK = 7 * 86400
STEPS: tuple[dict[str, dict[str, dict[str, Any]]], ...] = (
    {
        "title": {"title": {"value": "Soak: config push"}},
        "facts": {"facts": {"value": "I pushed a config change; checkout failed for a while."}},
        "when": {"when": {"selected_date": "2026-11-24"}},
    },
    {
        "feelings": {"feelings": {"selected_options": [{"value": "anxious"}]}},
        "intensity": {"intensity": {"selected_option": {"value": "3"}}},
        "friend": {"friend": {"value": "It makes sense to be shaken; you fixed it fast."}},
    },
    {
        "my_part": {"my_part": {"value": "I merged without running the migration check."}},
        "affected": {"affected": {"value": "Customers at checkout."}},
        "apology": {"apology": {"selected_option": {"value": "no"}}},
        "repair": {"repair": {"value": "Walk support through what happened."}},
        "repair_by": {"repair_by": {"selected_date": "2026-11-27"}},
    },
    {
        "expected": {"expected": {"value": "Only staging would change."}},
        "made_sense": {"made_sense": {"value": "The flag names matched."}},
        "factors": {"factors": {"value": "Shared flag names\nA manual check"}},
        "limited": {"limited": {"value": "The alert fired quickly."}},
        "change": {"change": {"value": "Put the check in CI."}},
    },
    {"support_kinds": {"support_kinds": {"selected_options": [{"value": "peer"}]}}},
    {
        "lesson": {"lesson": {"value": "Checks that rely on memory fail on busy days."}},
        "if_1": {"if_1": {"value": "I'm about to merge a config change"}},
        "then_1": {"then_1": {"value": "run the migration check first"}},
        "schedule_1": {"schedule_1": {"selected_option": {"value": "short"}}},
    },
)


def working_offset(now: datetime, zone: str = ZONE) -> float:
    """Seconds from `now` to the next weekday at 11:00 in `zone`: check-ins are posted
    only inside working hours, and the clock then moves whole weeks, so it stays so."""
    local = now.astimezone(ZoneInfo(zone))
    target = local.replace(hour=11, minute=0, second=0, microsecond=0)
    while target <= local or target.weekday() >= 5:
        target += timedelta(days=1)
    return (target - local).total_seconds()


# --- the sandbox Slack and the load (their own process) ----------------------------------


def _load(conn: Any, people: int, seconds: float) -> None:
    """Serve the sandbox Web API, wait for the bot's URL, run the load, send results."""
    from sandbox.delivery import SlackDelivery
    from sandbox.slack_api import SlackApiServer
    from sandbox.workspace import Workspace

    ws = Workspace(bot_token=TOKEN)
    users = [f"U0SOAK{i:03d}" for i in range(people)]
    for user in users:
        ws.add_user(user, user.lower(), f"Person {user[-3:]}", tz=ZONE)
    api = SlackApiServer(ws).start()
    conn.send(api.url)
    bot_url = conn.recv()
    slack = SlackDelivery(ws, f"{bot_url}/slack/events", SECRET, api)
    load = Load(ws, slack, bot_url, time.monotonic() + seconds)
    threads = [threading.Thread(target=load.person, args=(u,), daemon=True) for u in users]
    threads.append(threading.Thread(target=load.clock, daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    posted = sum(1 for c in ws.calls if c["method"] == "chat.postMessage" and c["ok"])
    conn.send((dict(load.latency), dict(load.refused), dict(load.counts), posted))
    conn.recv()
    api.stop()


class Load:
    """What the simulated people do, and how long each answer took."""

    def __init__(self, ws: Any, slack: Any, bot_url: str, deadline: float) -> None:
        self.ws, self.slack, self.bot_url, self.deadline = ws, slack, bot_url, deadline
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.refused: dict[str, int] = defaultdict(int)
        self.counts: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def _time(self, kind: str, response: Any) -> Any:
        if response is None:
            return None
        with self._lock:
            self.latency[kind].append(response.elapsed * 1000)
            if response.error is not None:
                self.refused[kind] += 1
        time.sleep(THINK)
        return response

    def _wait(self, found: Callable[[], Any]) -> Any:
        until = min(self.deadline, time.monotonic() + WAIT)
        while time.monotonic() < until:
            result = found()
            if result:
                return result
            time.sleep(0.05)
        return None

    def _going(self) -> bool:
        return time.monotonic() < self.deadline

    def person(self, user: str) -> None:
        """One person's loop, until the deadline (each step checks it)."""
        while self._going():
            self._reflect(user)
            if not self._going():
                break
            self._look_around(user)

    def _reflect(self, user: str) -> None:
        before = len(self.ws.history(self.ws.im_channel_for(user)))
        self._time("command", self.slack.command(user))
        for step, values in enumerate(STEPS):
            view = self._wait(lambda s=step: self._modal(user, "setback_step", s))
            if view is None or not self._going():
                return
            self._time("step", self.slack.submit_view(user, view["id"], values))
        dm = self._wait(lambda: self._newer(user, before))
        if dm:
            with self._lock:
                self.counts["summary DMs"] += 1

    def _look_around(self, user: str) -> None:
        channel = self.ws.im_channel_for(user)
        self._time("event", self.slack.app_home_opened(user))
        summaries = [m for m in self.ws.history(channel) if "Your reflection" in _text(m)]
        if summaries:
            latest = summaries[-1]["ts"]
            note = "Done the walkthrough with support today."
            self._time("event", self.slack.message_im(user, note, thread_ts=latest))
            self._share_and_close(user, channel, latest)
        self._answer_checkins(user, channel)
        self._time("command", self.slack.command(user, "help"))
        pause = min(self.deadline, time.monotonic() + PACE)
        while time.monotonic() < pause:
            time.sleep(0.1)

    def _share_and_close(self, user: str, channel: str, ts: str) -> None:
        try:
            click = self.slack.click(user, "setback_share_open", message=(channel, ts))
        except LookupError:  # not offered (nothing shareable yet)
            return
        self._time("button", click)
        view = self._wait(lambda: self._modal(user, "setback_share_compose"))
        if view is not None:
            self._time("close", self.slack.close_view(user, view["id"]))

    def _answer_checkins(self, user: str, channel: str) -> None:
        """ "Done" on up to `ANSWERS` check-ins waiting in the person's DM threads."""
        waiting = [
            m
            for m in self.ws.channel_messages(channel)
            if "setback_checkin_done" in json.dumps(m.get("blocks") or [])
        ]
        for message in waiting[:ANSWERS]:
            try:
                done = self.slack.click(
                    user, "setback_checkin_done", message=(channel, message["ts"])
                )
            except LookupError:
                continue
            self._time("button", done)
            with self._lock:
                self.counts["check-ins answered"] += 1

    def clock(self) -> None:
        """A check-in pass every `CLOCK_EVERY` seconds: first to the next weekday's late
        morning, then a week forward each time."""
        offset = working_offset(datetime.now(UTC))
        every = min(CLOCK_EVERY, (self.deadline - time.monotonic()) / 3)
        while self._going():
            until = min(self.deadline, time.monotonic() + every)
            while self._going() and time.monotonic() < until:
                time.sleep(0.2)
            if not self._going():
                return
            body = json.dumps({"offset_seconds": offset}).encode()
            offset += WEEK
            request = urllib.request.Request(
                f"{self.bot_url}/dev/clock",
                data=body,
                headers={"Content-Type": "application/json", **self.slack.sign(body)},
                method="POST",
            )
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as reply:
                    report = json.loads(reply.read()).get("dispatch") or {}
                ok = True
            except OSError:
                report, ok = {}, False
            with self._lock:
                self.latency["check-in pass"].append((time.perf_counter() - started) * 1000)
                if not ok:
                    self.refused["check-in pass"] += 1
                self.counts["check-in passes"] += 1
                self.counts["check-ins posted"] += int(report.get("sent", 0) or 0)

    def _modal(self, user: str, callback: str, step: int | None = None) -> Any:
        view = self.ws.top_view(user)
        if not view or view.get("callback_id") != callback:
            return None
        if step is not None and f'"step":{step}' not in (view.get("private_metadata") or ""):
            return None
        return view

    def _newer(self, user: str, before: int) -> Any:
        history = self.ws.history(self.ws.im_channel_for(user))
        return history[-1] if len(history) > before else None


def _text(message: dict[str, Any]) -> str:
    return str(message.get("text") or "")


# --- the bot, and what the soak prints ---------------------------------------------------


def start_bot(
    api_url: str, folder: Path, postgres: str | None
) -> tuple[subprocess.Popen[bytes], str]:
    from tests.sandbox.launch import clean_env, free_port

    port = free_port()
    env = clean_env(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        DATABASE_URL=postgres or f"sqlite:///{folder / 'soak.db'}",
        SETBACK_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SETBACK_DATA_DIR=str(folder / ".setback"),
        SETBACK_DEV_HOOKS="true",
        HOST="127.0.0.1",
        PORT=str(port),
        LOG_LEVEL="WARNING",
    )
    log = (folder / "bot.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--http"],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the bot did not start:\n" + (folder / "bot.log").read_text()[-3000:])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def report(latency: dict[str, list[float]], refused: dict[str, int]) -> None:
    print("latency by kind, as the client saw it (ms):")
    order = ("command", "step", "button", "close", "event", "check-in pass")
    for kind in sorted(latency, key=lambda k: order.index(k) if k in order else len(order)):
        values = latency[kind]
        print(
            f"  {kind:<14} n={len(values):>6}  p50={statistics.median(values):8.2f} ms"
            f"  p90={percentile(values, 90):8.2f} ms  p99={percentile(values, 99):8.2f} ms"
            f"  max={max(values):8.2f} ms  not accepted={refused.get(kind, 0)}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--people", type=int, default=6)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL instead of SQLite")
    args = parser.parse_args()
    seconds = max(1.0, args.minutes * 60)

    conn, child = mp.Pipe()
    load = mp.get_context("spawn").Process(
        target=_load, args=(child, args.people, seconds), daemon=True
    )
    load.start()
    api_url = conn.recv()
    with tempfile.TemporaryDirectory() as tmp:
        bot, bot_url = start_bot(api_url, Path(tmp), args.postgres)
        try:
            store = "PostgreSQL" if args.postgres else "SQLite"
            print(
                f"soak: {args.minutes:g} min, {args.people} people, bot pid {bot.pid} "
                f"(setback run --http, {store}), sandbox Slack and load pid {load.pid}"
            )
            started = time.monotonic()
            conn.send(bot_url)
            print(f"  t={0:>5.0f}s  rss={rss_mb(bot.pid):7.1f} MB", flush=True)
            next_sample = started + RSS_EVERY
            while not conn.poll(0.5):
                if time.monotonic() >= next_sample:
                    elapsed = time.monotonic() - started
                    print(f"  t={elapsed:>5.0f}s  rss={rss_mb(bot.pid):7.1f} MB", flush=True)
                    next_sample += RSS_EVERY
                if time.monotonic() > started + seconds + 120:
                    raise SystemExit("the load did not finish")
            latency, refused, counts, posted = conn.recv()
            elapsed = time.monotonic() - started
            print(f"  t={elapsed:>5.0f}s  rss={rss_mb(bot.pid):7.1f} MB (end)", flush=True)
            report(latency, refused)
            print(
                f"done: {counts.get('summary DMs', 0)} reflections finished, "
                f"{counts.get('check-in passes', 0)} check-in passes posting "
                f"{counts.get('check-ins posted', 0)} check-ins, "
                f"{counts.get('check-ins answered', 0)} answered; "
                f"{posted} messages posted in all"
            )
            conn.send("stop")
        finally:
            bot.terminate()
            try:
                bot.wait(timeout=20)
            except subprocess.TimeoutExpired:
                bot.kill()
            load.join(timeout=10)
            if os.environ.get("SOAK_SHOW_LOG"):
                print((Path(tmp) / "bot.log").read_text()[-5000:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
