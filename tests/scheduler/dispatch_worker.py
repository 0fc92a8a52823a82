"""A dispatcher worker as its own OS process, for the multi-process tests and benchmark.

    python -m tests.scheduler.dispatch_worker --db URL --api URL --key KEY --data-dir DIR \
        --worker NAME --now ISO [--limit N] [--gap SECONDS] [--lease SECONDS]

Prints ``ready`` once it can start (imports done, database reachable) and waits for a
line on stdin, so a test can start every worker at the same moment; then runs
`run_once` as of ``--now`` until a pass claims nothing and prints its totals as one
JSON line. Every worker of a test runs on the same ``--now``: leases only mean
something when the workers' clocks agree (to well within the lease).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import datetime

from bot.core.clock import FixedClock
from bot.core.runtime import build_runtime
from bot.core.settings import Settings
from scheduler.dispatcher import DispatchReport, run_once


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    for name in ("--db", "--api", "--key", "--data-dir", "--worker", "--now"):
        parser.add_argument(name, required=True)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--gap", type=float, default=0.1)
    parser.add_argument("--lease", type=int, default=120)
    args = parser.parse_args(argv)
    now = datetime.fromisoformat(args.now)
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-sandbox",
        slack_api_url=args.api,
        database_url=args.db,
        setback_encryption_keys=args.key,
        setback_data_dir=args.data_dir,
        setback_lease_seconds=args.lease,
    )
    rt = build_runtime(settings, clock=FixedClock(now), upgrade=False)
    with rt.engine.connect():  # connected before saying so
        pass
    print("ready", flush=True)
    sys.stdin.readline()
    total = DispatchReport()
    while True:
        report = run_once(rt, now, worker_id=args.worker, limit=args.limit, channel_gap=args.gap)
        for field in dataclasses.fields(report):
            setattr(total, field.name, getattr(total, field.name) + getattr(report, field.name))
        if report.claimed == 0:
            break
    print(json.dumps(dataclasses.asdict(total)), flush=True)
    rt.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
