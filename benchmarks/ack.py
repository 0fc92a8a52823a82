"""Ack and step-submission latency through the real HTTP server, beside a bare Bolt app.

    .venv/bin/python benchmarks/ack.py [--requests 2000] [--clients 20] [--rounds 3]
                                       [--only commands|steps]

The apps run behind the same server (waitress, 8 threads) in this process; the Web
API is the sandbox Slack over HTTP in a child process (as Slack is remote, its work
must not share this process's interpreter). 20 client threads with keep-alive
connections send signed `/setback` commands, and the six view submissions of whole
reflections. Rounds alternate between Setback and bare Bolt apps so drift hits all:
for commands two bare apps only ack, one with Bolt's defaults (whose listener runner
waits for the ack in 10 ms polls) and one with `process_before_response=True`, as
Setback runs (no poll: the faster floor, shown beside the other so neither flatters);
for steps a bare app acks with the next screen built before the run (the floor of Bolt
and the server). Setback runs as `setback run` serves an SQLite file: its step writes in
the writer process (`--writer thread` keeps them in this process, to compare). Prints
p50/p99 and the ratios Setback / bare (the ack's against both command floors); the
targets are ratios, since absolute times drift with the machine: ack p99 ≤ 1.2× bare
(stretch 0.5×), step submission p50 and p99 ≤ 2.0× bare. Under the closed loop most
commands outrun Setback's modal lane and are acked as busy; the last line counts them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import multiprocessing as mp  # noqa: E402

from cryptography.fernet import Fernet  # noqa: E402
from slack_bolt import App  # noqa: E402
from slack_sdk import WebClient  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

from bot.app import create_app  # noqa: E402
from bot.core.runtime import (  # noqa: E402
    build_runtime,
    settle_heap,
    start_writer,
    stop_writer,
)
from bot.core.settings import Settings  # noqa: E402
from bot.core.web import make_wsgi, serve  # noqa: E402
from bot.reflection.views import step_view_dict  # noqa: E402

SECRET = "bench-signing-secret"
APP_ID = "A0SETBACK"
TEAM = "T0SANDBOX"


def _serve_api(conn: Any, users: list[str], triggers_per_user: int) -> None:
    """The sandbox Web API in its own process, with trigger ids handed out up front.

    Trigger ids normally live 3 s; the benchmark issues them before the run, so their
    lifetime is stretched here (what is measured is the ack, not Slack's trigger check).
    """
    import sandbox.slack_api as slack_api
    import sandbox.workspace as workspace

    slack_api._Server.request_queue_size = 128
    workspace.TRIGGER_TTL_SECONDS = 3600.0
    ws = workspace.Workspace()
    for user in users:
        ws.add_user(user, user.lower())
    triggers = {u: [ws.issue_trigger_id(u) for _ in range(triggers_per_user)] for u in users}
    server = slack_api.SlackApiServer(ws).start()
    conn.send((server.url, ws.bot_token, ws.app_id, triggers))
    conn.recv()
    opened = [c for c in ws.calls if c["method"] == "views.open"]
    conn.send((len(opened), sum(1 for c in opened if c.get("ok"))))
    server.stop()


class Api:
    """Handle on the child-process Web API: its URL and per-user trigger ids."""

    def __init__(self, users: list[str], triggers_per_user: int) -> None:
        self.conn, child = mp.Pipe()
        self.proc = mp.get_context("spawn").Process(
            target=_serve_api, args=(child, users, triggers_per_user), daemon=True
        )
        self.proc.start()
        self.url, self.bot_token, self.app_id, self._triggers = self.conn.recv()

    def take(self, per_user: int) -> dict[str, list[str]]:
        """Hand `per_user` unused trigger ids per user to a load run."""
        out = {}
        for user, ids in self._triggers.items():
            out[user], self._triggers[user] = ids[:per_user], ids[per_user:]
        return out

    def stop(self) -> tuple[int, int]:
        self.conn.send("stop")
        counts = self.conn.recv()
        self.proc.join(timeout=10)
        return counts


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Server:
    """A WSGI app on waitress in a background thread."""

    def __init__(self, wsgi: Any) -> None:
        self.server = serve(wsgi, "127.0.0.1", 0, threads=8)
        self.port = self.server.effective_port
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.close()


def bare_app(api_url: str, token: str, *, process_before_response: bool = False) -> Any:
    """The baseline: a Bolt app whose listeners only ack (Bolt's defaults otherwise).

    `/setback` acks empty. A step submission acks with the next screen, its JSON built
    before the run: what is left is Bolt, the server and the response, the floor under
    any app's step. Bolt's default (`process_before_response=False`) would add its 10 ms
    polling to that floor, so the step baseline runs with `process_before_response=True`
    as Setback does.
    """
    app = App(
        signing_secret=SECRET,
        client=WebClient(token=token, base_url=api_url),
        token_verification_enabled=False,
        process_before_response=process_before_response,
    )

    @app.command("/setback")
    def _ack(ack: Any) -> None:
        ack()

    screens = [json.dumps(step_view_dict(step + 1, 1)) for step in range(5)]

    @app.view("setback_step")
    def _next(ack: Any, view: dict[str, Any]) -> None:
        step = json.loads(view["private_metadata"])["step"]
        if step >= len(screens):
            ack(response_action="clear")
        else:
            ack(response_action="update", view=json.loads(screens[step]))

    from slack_bolt.adapter.wsgi import SlackRequestHandler

    return SlackRequestHandler(app)


def setback_app(api_url: str, token: str, data: Path, writer: str = "process") -> tuple[Any, Any]:
    """Setback as `setback run` serves it: its WSGI app, and the runtime with the SQLite
    writer process started (`writer="thread"` keeps the writes in this process)."""
    settings = Settings(
        _env_file=None,
        slack_bot_token=token,
        slack_signing_secret=SECRET,
        slack_api_url=api_url,
        setback_data_dir=data,
        database_url=f"sqlite:///{data / 'bench.db'}",
        setback_encryption_keys=Fernet.generate_key().decode(),
        log_level="WARNING",
        setback_sqlite_writer=writer,
    )
    rt = build_runtime(settings)
    start_writer(rt)
    return make_wsgi(create_app(rt), rt), rt


class Client:
    """One keep-alive connection that signs and posts form bodies like Slack does."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.verifier = SignatureVerifier(SECRET)

    def post(self, body: bytes) -> tuple[float, int, bytes]:
        ts = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body),
        }
        start = time.perf_counter()
        self.conn.request("POST", "/slack/events", body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read()
        return (time.perf_counter() - start) * 1000, resp.status, data


def command_body(triggers: dict[str, list[str]], user: str) -> bytes:
    return urlencode(
        {
            "team_id": TEAM,
            "user_id": user,
            "user_name": user.lower(),
            "command": "/setback",
            "text": "",
            "channel_id": "D" + user[1:],
            "api_app_id": APP_ID,
            "trigger_id": triggers[user].pop(),
            "response_url": "http://127.0.0.1:9/unused",
        }
    ).encode()


def run_clients(
    n_clients: int, per_client: int, work: Callable[[int, int], list[float]]
) -> list[float]:
    results: list[list[float]] = [[] for _ in range(n_clients)]
    barrier = threading.Barrier(n_clients)

    def go(i: int) -> None:
        barrier.wait()
        results[i] = work(i, per_client)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n_clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [x for r in results for x in r]


def bench_commands(
    port: int, triggers: dict[str, list[str]], n_clients: int, per_client: int
) -> list[float]:
    """Closed-loop `/setback` commands (run in the load process)."""

    def work(i: int, n: int) -> list[float]:
        client, user = Client(port), f"U{i:05d}"
        out = []
        for _ in range(n):
            ms, status, _ = client.post(command_body(triggers, user))
            assert status == 200, status
            out.append(ms)
        return out

    return run_clients(n_clients, per_client, work)


STEP_VALUES: list[dict[str, Any]] = [
    {
        "title": {"title": {"type": "plain_text_input", "value": "Bench slip"}},
        "facts": {"facts": {"type": "plain_text_input", "value": "It happened forward in time."}},
    },
    {
        "intensity": {"intensity": {"type": "radio_buttons", "selected_option": {"value": "2"}}},
        "friend": {"friend": {"type": "plain_text_input", "value": "Be kind to yourself."}},
    },
    {
        "my_part": {"my_part": {"type": "plain_text_input", "value": "I skipped a check."}},
        "apology": {"apology": {"type": "radio_buttons", "selected_option": {"value": "no"}}},
    },
    {
        "expected": {"expected": {"type": "plain_text_input", "value": "No impact."}},
        "made_sense": {"made_sense": {"type": "plain_text_input", "value": "It looked normal."}},
        "factors": {"factors": {"type": "plain_text_input", "value": "Busy day\nManual step"}},
    },
    {},
    {
        "lesson": {"lesson": {"type": "plain_text_input", "value": "Automate the check."}},
        "if_1": {"if_1": {"type": "plain_text_input", "value": "I merge config"}},
        "then_1": {"then_1": {"type": "plain_text_input", "value": "run the check"}},
        "schedule_1": {
            "schedule_1": {"type": "static_select", "selected_option": {"value": "default"}}
        },
    },
]


def submission_body(user: str, sid: int | None, step: int) -> bytes:
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "sandbox"},
        "user": {"id": user, "team_id": TEAM, "name": user.lower()},
        "api_app_id": APP_ID,
        "trigger_id": "0.0.bench",
        "view": {
            "id": f"V{user}",
            "type": "modal",
            "team_id": TEAM,
            "callback_id": "setback_step",
            "private_metadata": json.dumps({"sid": sid, "step": step}),
            "state": {"values": STEP_VALUES[step]},
            "hash": "h",
        },
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def bench_steps(port: int, n_clients: int, reflections: int) -> list[float]:
    """Closed-loop whole reflections, six submissions each (run in the load process)."""

    def work(i: int, n: int) -> list[float]:
        client, user = Client(port), f"U{i:05d}"
        out: list[float] = []
        for _ in range(n):
            sid = None
            for step in range(6):
                ms, status, data = client.post(submission_body(user, sid, step))
                assert status == 200, status
                answer = json.loads(data)
                assert answer["response_action"] in ("update", "clear"), answer
                if step == 0:
                    sid = json.loads(answer["view"]["private_metadata"])["sid"]
                out.append(ms)
        return out

    return run_clients(n_clients, reflections, work)


def in_load_process(fn: Callable[..., list[float]], *args: Any) -> list[float]:
    """Run a load function in its own process, so the clients' Python does not compete
    with the servers' for this interpreter (the servers are what is measured)."""
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def summary(name: str, values: list[float]) -> dict[str, float]:
    p50, p99 = statistics.median(values), percentile(values, 99)
    print(f"  {name:<34} n={len(values):>5}  p50={p50:6.2f} ms  p99={p99:6.2f} ms")
    return {"p50": p50, "p99": p99}


def compare(
    heading: str, bare: tuple[str, list[float]], ours: tuple[str, list[float]], target: str
) -> None:
    """Print both apps' figures under `heading`, then Setback's ratios to the bare floor
    (the figure each target is stated in)."""
    print(heading)
    b, o = summary(*bare), summary(*ours)
    print(
        f"  ratio Setback/bare: p50 {o['p50'] / b['p50']:.2f}x"
        f"  p99 {o['p99'] / b['p99']:.2f}x  ({target})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="commands per app per round")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--reflections", type=int, default=12, help="per client, for steps (over the rounds)"
    )
    parser.add_argument(
        "--writer",
        choices=("process", "thread"),
        default="process",
        help="where Setback's SQLite writes run (SETBACK_SQLITE_WRITER; default as shipped)",
    )
    parser.add_argument(
        "--only",
        choices=("commands", "steps"),
        help="measure one part (its runs alternate with the bare app's as in the whole run)",
    )
    args = parser.parse_args()
    steps_part, commands_part = args.only != "commands", args.only != "steps"

    users = [f"U{i:05d}" for i in range(args.clients)]
    per_client = max(1, args.requests // args.clients)
    api = Api(users, triggers_per_user=per_client * args.rounds * 3 + 20)
    with tempfile.TemporaryDirectory() as tmp:
        setback_wsgi, rt = setback_app(api.url, api.bot_token, Path(tmp), args.writer)
        logging.getLogger("slack_bolt").setLevel(logging.CRITICAL)  # counted below instead
        ours, bare = Server(setback_wsgi), Server(bare_app(api.url, api.bot_token))
        bare_fast = Server(bare_app(api.url, api.bot_token, process_before_response=True))
        settle_heap()  # as `setback run` does before it serves (one process: both apps)
        # Steps first, so the command run's follow-up work (views.open) cannot slow them.
        steps_ms: list[float] = []
        bare_steps_ms: list[float] = []
        if steps_part:
            for port in (ours.port, bare_fast.port):  # warm-up
                in_load_process(bench_steps, port, args.clients, 1)
            rt.drain(timeout=60)
            per_round = max(1, args.reflections // args.rounds)
            for _ in range(args.rounds):
                for port, out in ((bare_fast.port, bare_steps_ms), (ours.port, steps_ms)):
                    out += in_load_process(bench_steps, port, args.clients, per_round)
                rt.drain(timeout=60)  # summary DMs and Home refreshes of the step run
        if commands_part:
            ours_ms: list[float] = []
            bare_ms: list[float] = []
            fast_ms: list[float] = []
            runs = ((bare.port, bare_ms), (bare_fast.port, fast_ms), (ours.port, ours_ms))
            for port, _ in runs:  # warm-up
                in_load_process(bench_commands, port, api.take(5), args.clients, 5)
            rt.drain(timeout=60)
            for _ in range(args.rounds):
                for port, out in runs:
                    triggers = api.take(per_client)
                    out += in_load_process(bench_commands, port, triggers, args.clients, per_client)
                rt.drain(timeout=60)  # Setback's modals: never spilled onto a bare app's run
            heading = f"/setback ack latency, {args.clients} concurrent clients, waitress 8 threads"
            compare(
                f"{heading}, beside a bare app with Bolt's defaults:",
                ("bare Bolt app (ack only)", bare_ms),
                ("Setback", ours_ms),
                "target p99 <= 1.2x, stretch 0.5x",
            )
            compare(
                f"{heading}, beside a bare app with process_before_response=True:",
                ("bare Bolt app (ack only, no poll)", fast_ms),
                ("Setback", ours_ms),
                "target p99 <= 1.2x, stretch 0.5x",
            )
        if steps_part:
            writes = "a writer process" if rt.writer is not None else "the server's threads"
            compare(
                f"step submission latency (SQLite, writes in {writes}), {args.clients} clients:",
                ("bare Bolt app (ack with next screen)", bare_steps_ms),
                ("Setback view_submission", steps_ms),
                "target p50 and p99 <= 2.0x",
            )
        if commands_part:
            time.sleep(3.0)  # let the last modals open before counting
        ours.close()
        bare.close()
        bare_fast.close()
        rt.drain(timeout=30)
        soon = rt.lane_stats().get("soon")
        stop_writer(rt)
        rt.engine.dispose()
    opened, ok = api.stop()
    if commands_part:
        print(f"modals opened after the ack (views.open): {ok} of {opened} succeeded")
        if soon is not None:  # the closed loop outruns the modal lane: most acks say "busy"
            print(
                f"Setback's modal lane took {soon.submitted} commands and turned"
                f" {soon.refused} away (acked as busy, to try again); {soon.late} went late"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
