"""Check-in dispatch: throughput per worker, claim latency at 1M rows, rate-limit share.

    .venv/bin/python benchmarks/dispatch.py [--checkins 2000] [--rows 1000000]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

The Web API is the sandbox Slack, served from its own process (as Slack is), so the
worker's figures are not shared with the server's work. PostgreSQL parts need
``--postgres`` (or SETBACK_TEST_POSTGRES_URL): an admin URL on which a throwaway
database is created and dropped.

1. **Throughput** — one worker (`run_once` passes of the default batch, 8 sender
   threads) against a Web API with no rate limit: check-ins claimed, rendered, posted
   and recorded per second, on SQLite and on PostgreSQL. Target ≥ 300/s.
2. **Claim latency** — the claim statement's p50/p99 with 1,000,000 scheduled rows on
   PostgreSQL (10% of them due), as the dispatcher claims (CLAIM_CHUNK rows a statement,
   each chunk then recorded as sent), with a whole default batch in one statement for
   comparison; and the plan (EXPLAIN ANALYZE), which must use the indexes. The table is
   vacuumed and checkpointed after the bulk fill, as a table grown over months would
   be. Target p99 < 5 ms.
3. **Rate limits** — a Web API that allows one post per second per channel (429 +
   Retry-After past that): the share of the allowed rate one worker achieves per
   channel, with nothing lost or doubled; once with the dispatcher's own pacing and
   once leaning on 429s alone. Target ≥ 90%.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from slack_sdk import WebClient  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.checkins.views import CHECKIN_EVENT  # noqa: E402
from bot.core.clock import FixedClock  # noqa: E402
from bot.core.runtime import Runtime, build_runtime  # noqa: E402
from bot.core.settings import Settings  # noqa: E402
from scheduler.dispatcher import CHANNEL_GAP, CLAIM_CHUNK, run_once  # noqa: E402
from storage import checkins as store  # noqa: E402
from storage.db import DbTimeouts, make_engine, session_scope  # noqa: E402
from storage.models import Checkin, Commitment, Setback  # noqa: E402

TEAM = "T0SANDBOX"
TOKEN = "xoxb-sandbox"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday, inside working hours
TEXT = "If a review comes in after 16:00, then I will ask for a second reviewer"


# --- the Web API, in its own process --------------------------------------------------------


def _serve(conn: Any, users: int, per_channel_seconds: float | None) -> None:
    import sandbox.slack_api as slack_api
    from sandbox.workspace import Workspace

    # http.server listens with a backlog of 5; eight concurrent senders overflow it and
    # the kernel drops or resets connections, which Slack's front end never does.
    slack_api._Server.request_queue_size = 128
    ws = Workspace(team_id=TEAM, bot_token=TOKEN)
    threads = []
    for i in range(users):
        user = f"U{i:06d}"
        ws.add_user(user, user.lower(), tz="Europe/London")
        channel = ws.im_channel_for(user)
        threads.append((user, channel, ws.post_message(channel, text="Your reflection")["ts"]))
    if per_channel_seconds:
        ws.set_rate_limit("chat.postMessage", per_channel_seconds, per="channel", burst=1)
    server = slack_api.SlackApiServer(ws).start()
    conn.send((server.url, threads))
    conn.recv()  # stop
    server.stop()


@contextmanager
def web_api(users: int, per_channel_seconds: float | None = None) -> Iterator[tuple[str, list]]:
    """(base URL, [(user, DM channel, thread ts)]) of a sandbox Slack in a child process."""
    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(
        target=_serve, args=(child, users, per_channel_seconds), daemon=True
    )
    proc.start()
    url, threads = parent.recv()
    try:
        yield url, threads
    finally:
        parent.send("stop")
        proc.join(timeout=10)


def posts(url: str, threads: list[tuple[str, str, str]]) -> dict[int, list[float]]:
    """Post times per check-in id, read back from the threads' message metadata."""
    client = WebClient(token=TOKEN, base_url=url)
    found: dict[int, list[float]] = {}
    for _, channel, ts in threads:
        replies = client.conversations_replies(
            channel=channel, ts=ts, include_all_metadata=True, limit=1000
        )
        for m in replies["messages"]:
            meta = m.get("metadata") or {}
            if meta.get("event_type") == CHECKIN_EVENT:
                cid = int(meta["event_payload"]["checkin_id"])
                found.setdefault(cid, []).append(float(m["ts"]))
    return found


# --- databases ------------------------------------------------------------------------------


@contextmanager
def database(kind: str, admin_url: str | None, work: Path) -> Iterator[str]:
    """A fresh database URL: a SQLite file, or a throwaway PostgreSQL database."""
    if kind == "sqlite":
        yield f"sqlite:///{work / f'bench-{uuid.uuid4().hex[:6]}.db'}"
        return
    assert admin_url
    name = f"setback_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(
        make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def runtime(db_url: str, api_url: str, work: Path, key: bytes) -> Runtime:
    settings = Settings(
        _env_file=None,
        slack_bot_token=TOKEN,
        slack_api_url=api_url,
        database_url=db_url,
        setback_encryption_keys=key.decode(),
        setback_data_dir=work,
    )
    return build_runtime(settings, clock=FixedClock(NOW))


def seed(rt: Runtime, threads: list[tuple[str, str, str]], per_thread: int) -> list[int]:
    """``per_thread`` due check-ins per DM thread, due in round-robin order across them."""
    ids: list[int] = []
    with session_scope(rt.engine) as s:
        commitments = []
        for user, channel, ts in threads:
            sb = Setback(
                team_id=TEAM,
                user_id=user,
                status="complete",
                dm_channel=channel,
                thread_ts=ts,
                created_at=NOW,
                completed_at=NOW,
            )
            s.add(sb)
            s.flush()
            c = Commitment(
                team_id=TEAM,
                user_id=user,
                setback_id=sb.id,
                kind="growth",
                text=TEXT,
                created_at=NOW,
            )
            s.add(c)
            s.flush()
            commitments.append((user, sb.id, c.id))
        rows = [
            Checkin(
                team_id=TEAM,
                user_id=user,
                setback_id=sid,
                commitment_id=cid,
                seq=k,
                total=per_thread,
                due_at=NOW - timedelta(seconds=per_thread * len(threads) - (k * len(threads) + i)),
            )
            for k in range(per_thread)
            for i, (user, sid, cid) in enumerate(commitments)
        ]
        s.add_all(rows)
        s.flush()
        ids = [r.id for r in rows]  # type: ignore[misc]  # why: flushed above, so the ids are set
    return ids


def drain(rt: Runtime, **kw: Any) -> tuple[int, float]:
    """Passes until nothing is claimable; (sent, seconds)."""
    sent = 0
    started = time.perf_counter()
    while (report := run_once(rt, NOW, **kw)).claimed:
        sent += report.sent
    return sent, time.perf_counter() - started


# --- 1. throughput --------------------------------------------------------------------------


def throughput(kind: str, admin: str | None, count: int, work: Path, key: bytes) -> None:
    with web_api(count) as (url, threads), database(kind, admin, work) as db:
        rt = runtime(db, url, work, key)
        ids = seed(rt, threads, 1)
        run_once(rt, NOW - timedelta(days=1))  # warm up: connections, compiled statements
        sent, seconds = drain(rt)
        found = posts(url, threads)
        rt.engine.dispose()
    exact = all(len(found.get(i, [])) == 1 for i in ids)
    print(
        f"  {kind:<10} {sent} check-ins in {seconds:.2f} s = {sent / seconds:6.0f}/s per worker"
        f"   (exactly once: {'yes' if exact and sent == len(ids) else 'NO'})"
    )


# --- 2. claim latency at 1M rows -----------------------------------------------------------------


def claim_latency(admin: str, rows: int, work: Path, key: bytes) -> None:
    with database("postgresql", admin, work) as db:
        rt = runtime(db, "http://127.0.0.1:9/api/", work, key)
        started = time.perf_counter()
        # The bulk fill and its vacuum run past the statement timeout that guards the
        # bot's own statements: they get an engine without limits, as migrations do.
        bulk = make_engine(db, timeouts=DbTimeouts().unlimited())
        try:
            with bulk.begin() as c:
                _fill(c, rows)
            _settle(bulk)
            print(
                f"  filled {rows:,} scheduled rows, vacuumed and checkpointed,"
                f" in {time.perf_counter() - started:.0f} s"
            )
            _print_plan(rt)
            _settle(bulk)  # EXPLAIN ANALYZE ran the update: the runs start as filled
        finally:
            bulk.dispose()
        # As the dispatcher claims: CLAIM_CHUNK rows per statement, each claimed chunk then
        # recorded as sent (a pass's outcome), so later claims scan past finished rows.
        # A whole default batch in one statement is shown for comparison.
        for batch in (CLAIM_CHUNK, Settings(_env_file=None).setback_dispatch_batch):
            samples = min(1000, rows // 20 // batch)  # half the due rows: claims stay full
            if samples == 0:
                print(
                    f"  claim of {batch:>3} rows: skipped, needs --rows of at least {batch * 20:,}"
                )
                continue
            statement, whole = _claims(rt, batch, samples)
            for label, times in (("statement", statement), ("with commit", whole)):
                print(
                    f"  claim of {batch:>3} rows, {label:<11}:"
                    f" p50 {statistics.median(times):.2f} ms,"
                    f" p99 {_percentile(times, 99):.2f} ms ({len(times)} claims)"
                )
        rt.engine.dispose()


def _print_plan(rt: Runtime) -> None:
    """The plan of one claim while every due row still waits (the runs finish them all),
    rolled back."""
    print("  plan of one claim (EXPLAIN ANALYZE, rolled back):")
    with rt.engine.connect() as c:
        for (line,) in c.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + _claim_sql(CLAIM_CHUNK))):
            print("    " + line)
        c.rollback()


def _settle(engine: Engine) -> None:
    """A steady state, as a table that grew over months would be in: vacuumed (hint
    bits set, visibility map current — autovacuum's job, which may be off on a test
    server) and checkpointed, so the claims do not pay for the bulk fill's write-back."""
    with engine.connect() as c:
        c = c.execution_options(isolation_level="AUTOCOMMIT")
        c.execute(text("VACUUM ANALYZE checkin"))
        c.execute(text("CHECKPOINT"))


def _claims(rt: Runtime, batch: int, samples: int) -> tuple[list[float], list[float]]:
    statement, whole = [], []
    for i in range(samples):
        t0 = time.perf_counter()
        with session_scope(rt.engine) as s:
            s.connection()  # the transaction is open (pool checkout, BEGIN): time the claim
            t1 = time.perf_counter()
            got = store.claim_due(s, NOW, f"bench-{i}", NOW + timedelta(minutes=2), batch)
            statement.append((time.perf_counter() - t1) * 1000)
        whole.append((time.perf_counter() - t0) * 1000)
        assert len(got) == batch
        with rt.engine.begin() as c:
            c.execute(
                text("UPDATE checkin SET status = 'sent', lease_owner = NULL WHERE id = ANY(:ids)"),
                {"ids": got},
            )
    return statement, whole


def _fill(c: Any, rows: int) -> None:
    """``rows`` scheduled check-ins across 10,000 people; 10% due, the rest over 90 days."""
    people = 10_000
    c.execute(
        text(
            "INSERT INTO setback (id, team_id, user_id, status, current_step, summary_attempts,"
            " safety_hold, created_at) SELECT g, 'T', 'U' || g, 'complete', 5, 1, false, now()"
            " FROM generate_series(1, :n) g"
        ),
        {"n": people},
    )
    c.execute(
        text(
            "INSERT INTO commitment (id, team_id, user_id, setback_id, position, kind, text,"
            " schedule, status, created_at) SELECT g, 'T', 'U' || g, g, 0, 'growth', 'x',"
            " 'default', 'active', now() FROM generate_series(1, :n) g"
        ),
        {"n": people},
    )
    c.execute(
        text(
            "INSERT INTO checkin (team_id, user_id, setback_id, commitment_id, kind, seq, total,"
            " due_at, status, attempts) SELECT 'T', 'U' || (g % :p + 1), g % :p + 1,"
            " g % :p + 1, 'followup', 0, 4, :now + (CASE WHEN g % 10 = 0 THEN -1 ELSE 1 END)"
            " * make_interval(secs => (g::bigint * 7919) % 7776000), 'scheduled', 0"
            " FROM generate_series(1, :n) g"
        ),
        {"p": people, "n": rows, "now": NOW.replace(tzinfo=None)},
    )
    c.execute(text("ANALYZE"))


def _claim_sql(batch: int) -> str:
    """The dispatcher's claim statement, with its values inlined for EXPLAIN."""
    stmt = store.claim_statement(NOW, "explain", NOW + timedelta(minutes=2), batch)
    compiled = stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    return str(compiled)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


# --- 3. rate limits ---------------------------------------------------------------------------


def rate_limited(channels: int, per_channel: int, gap: float, work: Path, key: bytes) -> None:
    allowed = 1.0  # posts per second per channel, burst 1
    with web_api(channels, 1.0 / allowed) as (url, threads), database("sqlite", None, work) as db:
        rt = runtime(db, url, work, key)
        ids = seed(rt, threads, per_channel)
        sent, seconds = drain(rt, channel_gap=gap, limit=len(ids))
        found = posts(url, threads)
        rows = {c.id: c.status for c in _all(rt)}
        rt.engine.dispose()
    by_channel: dict[str, list[float]] = {channel: [] for _, channel, _ in threads}
    owner = {cid: i % channels for i, cid in enumerate(ids)}
    for cid, times in found.items():
        by_channel[threads[owner[cid]][1]].extend(times)
    shares = []
    for times in by_channel.values():
        times.sort()
        if len(times) > 1:
            shares.append((len(times) - 1) / (times[-1] - times[0]) / allowed)
    lost = [cid for cid in ids if not found.get(cid)]
    doubled = [cid for cid, t in found.items() if len(t) > 1]
    label = f"pacing {gap:.2f} s" if gap else "429s only"
    print(
        f"  {label:<14} {sent} posts into {channels} channels in {seconds:.1f} s;"
        f" share of allowed rate: mean {statistics.mean(shares):.1%}, min {min(shares):.1%};"
        f" lost {len(lost)}, doubled {len(doubled)}, unsent rows"
        f" {sum(1 for s in rows.values() if s != 'sent')}"
    )


def _all(rt: Runtime) -> list[Checkin]:
    from sqlmodel import select

    with session_scope(rt.engine, readonly=True) as s:
        return list(s.exec(select(Checkin)))


# --- main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkins", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=os.environ.get("SETBACK_TEST_POSTGRES_URL"))
    parser.add_argument("--channels", type=int, default=20, help="rate-limit part: DMs")
    parser.add_argument("--per-channel", type=int, default=8, help="rate-limit part: posts per DM")
    parser.add_argument(
        "--only", choices=("throughput", "claim", "rate"), help="run one part (default: all)"
    )
    args = parser.parse_args()
    key = Fernet.generate_key()
    import logging

    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.only in (None, "throughput"):
            print(f"1. throughput, one worker, no rate limit ({args.checkins} check-ins, 1 per DM)")
            throughput("sqlite", None, args.checkins, work, key)
            if args.postgres:
                throughput("postgresql", args.postgres, args.checkins, work, key)
        if args.only in (None, "claim"):
            print(f"2. claim latency, PostgreSQL, {args.rows:,} scheduled rows")
            if args.postgres:
                claim_latency(args.postgres, args.rows, work, key)
            else:
                print("  skipped: pass --postgres or set SETBACK_TEST_POSTGRES_URL")
        if args.only in (None, "rate"):
            print(
                "3. rate limit 1 post/s per channel (429 + Retry-After),"
                f" {args.channels} channels x {args.per_channel} each"
            )
            rate_limited(args.channels, args.per_channel, CHANNEL_GAP, work, key)
            rate_limited(args.channels, args.per_channel, 0.0, work, key)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
