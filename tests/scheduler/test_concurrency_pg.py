"""Exactly once across OS processes on the real PostgreSQL: four dispatcher processes
share 2,000 due check-ins; then again with one of them killed (SIGKILL) mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.core.runtime import Runtime
from sandbox.slack_api import SlackApiServer
from sandbox.workspace import Workspace
from scheduler.dispatcher import DispatchReport, run_once
from storage.db import session_scope
from storage.models import Checkin
from tests.conftest import TEST_KEY, drop_postgres, fresh_postgres
from tests.scheduler.conftest import NOW, posts_per_checkin, rows, runtime, seed

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
USERS, PER_USER, WORKERS = 400, 5, 4
LEASE_SECONDS = 30


@pytest.fixture
def pg_url(pg_admin: Engine, pg_template: str) -> Iterator[str]:
    name, url = fresh_postgres(pg_admin, pg_template)
    yield url
    drop_postgres(pg_admin, name)


@pytest.fixture
def pg_rt(tmp_path: Path, pg_url: str, api: SlackApiServer) -> Iterator[Runtime]:
    rt = runtime(tmp_path, pg_url, api.url, setback_lease_seconds=LEASE_SECONDS)
    yield rt
    rt.engine.dispose()


def seed_many(rt: Runtime, ws: Workspace) -> list[int]:
    """2,000 due check-ins, five per person, in person-major due order, so each claimed
    batch holds several posts per DM channel and a pass spends time pacing them."""
    ids: list[int] = []
    step = 0
    for u in range(USERS):
        due = []
        for _ in range(PER_USER):
            due.append(NOW - timedelta(seconds=USERS * PER_USER - step))
            step += 1
        ids += seed(rt, ws, f"U{u:05d}", due=due).checkin_ids
    return ids


def spawn(rt: Runtime, api: SlackApiServer, tmp_path: Path, name: str) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "tests.scheduler.dispatch_worker",
        "--db",
        str(rt.settings.database_url),
        "--api",
        api.url,
        f"--key={TEST_KEY.decode()}",  # one word: a key may begin with "-"
        "--data-dir",
        str(tmp_path / name),
        "--worker",
        name,
        "--now",
        NOW.isoformat(),
        "--lease",
        str(LEASE_SECONDS),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def start_together(procs: list[subprocess.Popen[str]]) -> None:
    """Wait until every worker is ready, then let them all go at once: a worker whose
    interpreter started late must not find the work already done."""
    for proc in procs:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline().strip() == "ready", f"worker exited with {proc.poll()}"
    for proc in procs:
        proc.stdin.write("go\n")  # type: ignore[union-attr]  # why: started with stdin=PIPE (asserted in the loop above)
        proc.stdin.flush()  # type: ignore[union-attr]  # why: started with stdin=PIPE (asserted in the loop above)


def finish(proc: subprocess.Popen[str]) -> dict[str, int]:
    out, _ = proc.communicate(timeout=240)
    assert proc.returncode == 0, f"worker exited with {proc.returncode}"
    return json.loads(out.strip().splitlines()[-1])


def held_by(rt: Runtime, worker: str) -> list[Checkin]:
    """The rows ``worker`` has claimed and not yet recorded."""
    with session_scope(rt.engine, readonly=True) as s:
        query = select(Checkin).where(Checkin.lease_owner == worker, Checkin.status == "claimed")
        return list(s.exec(query).all())


def settle(rt: Runtime) -> DispatchReport:
    """Later ticks, all on one clock: retries that backed off (the sandbox resets a few
    connections under this load, as networks do) and leases that ran out come back."""
    total = DispatchReport()
    for tick in range(1, 30):
        if not any(c.status in ("scheduled", "claimed") for c in rows(rt).values()):
            break
        at = NOW + timedelta(minutes=2 * tick)
        while (report := run_once(rt, at, worker_id="later")).claimed:
            for name in ("claimed", "sent", "recovered"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
    return total


def test_four_processes_post_2000_checkins_exactly_once(
    pg_rt: Runtime, ws: Workspace, api: SlackApiServer, tmp_path: Path
) -> None:
    ids = seed_many(pg_rt, ws)
    assert len(ids) == USERS * PER_USER == 2000
    procs = [spawn(pg_rt, api, tmp_path, f"proc{i}") for i in range(WORKERS)]
    start_together(procs)
    totals = [finish(p) for p in procs]
    later = settle(pg_rt)
    assert posts_per_checkin(ws) == {cid: 1 for cid in ids}
    # Every check-in posted once: sent now, or found already posted after a connection
    # error hid the answer (the sandbox resets connections under load, as networks do).
    assert sum(t["sent"] + t["recovered"] for t in totals) + later.sent + later.recovered == 2000
    assert all(t["claimed"] > 0 for t in totals), totals  # all four took part
    states = rows(pg_rt)
    assert {c.status for c in states.values()} == {"sent"}
    assert all(c.message_ts for c in states.values())


def test_a_worker_killed_mid_run_loses_nothing_and_duplicates_nothing(
    pg_rt: Runtime, ws: Workspace, api: SlackApiServer, tmp_path: Path
) -> None:
    ids = seed_many(pg_rt, ws)
    procs = [spawn(pg_rt, api, tmp_path, f"proc{i}") for i in range(WORKERS)]
    start_together(procs)
    deadline = time.monotonic() + 120
    # Mid-run: a fifth of the posts are out and the victim holds claimed rows right now
    # (between two of its passes it holds none; that instant is not the case to test).
    # The victim is frozen before the check, so it cannot finish its pass and give its
    # rows back between "it holds rows" and the kill.
    victim = procs[0]
    while True:
        assert time.monotonic() < deadline, "the workers did not get going"
        if sum(posts_per_checkin(ws).values()) >= 400:
            victim.send_signal(signal.SIGSTOP)
            if held_by(pg_rt, "proc0"):
                break
            victim.send_signal(signal.SIGCONT)
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    held = held_by(pg_rt, "proc0")
    assert held, "the killed worker held no lease; it was not killed mid-run"
    for p in procs[1:]:
        finish(p)
    # The survivors are done with everything claimable now; the killed worker's rows
    # come back once its leases have run out (the clock is moved, nothing sleeps).
    later = settle(pg_rt)
    assert later.claimed >= len(held)
    assert posts_per_checkin(ws) == {cid: 1 for cid in ids}
    states = rows(pg_rt)
    assert {c.status for c in states.values()} == {"sent"}
