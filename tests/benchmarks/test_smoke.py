"""Every benchmark runs at small sizes and prints its figures.

Benchmarks are run by hand at full size (`make bench`); these smoke runs only prove that
each one still completes and reports what it measures, so a refactor cannot leave one
broken until the next time someone needs its figures. Values are never asserted: the
machine's speed is not a property of the code.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import needs, postgres_url

ROOT = Path(__file__).resolve().parents[2]
FIGURE = r"\d+(\.\d+)?"


def run_benchmark(*args: str) -> str:
    """Run one benchmark script as a person would, returning what it printed."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / args[0]), *args[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


def test_the_ack_benchmark_prints_ack_and_step_figures_beside_the_bare_app() -> None:
    out = run_benchmark("ack.py", "--requests", "20", "--clients", "2", "--rounds", "1")
    assert re.search(rf"setback\b.*p50=\s*{FIGURE} ms\s+p99=\s*{FIGURE} ms", out, re.I), out
    assert re.search(rf"bare\b.*p50=\s*{FIGURE} ms\s+p99=\s*{FIGURE} ms", out, re.I), out
    assert "step submission" in out, out
    assert re.search(r"modal lane took \d+ commands and turned \d+ away", out), out
    for floor in ("Bolt's defaults", "process_before_response=True"):  # both ack floors
        assert re.search(rf"ack latency.*{re.escape(floor)}:\n.*\n.*\n  ratio", out), out


def test_the_ack_benchmark_measures_the_steps_alone_when_asked() -> None:
    out = run_benchmark(
        "ack.py", "--requests", "20", "--clients", "2", "--rounds", "1", "--only", "steps"
    )
    assert re.search(rf"Setback view_submission\s+n=\s*\d+\s+p50=\s*{FIGURE} ms", out), out
    assert "/setback ack latency" not in out, out
    assert "modals opened" not in out, out


def test_the_dispatch_benchmark_completes_at_a_thousand_rows() -> None:
    url = postgres_url()
    if not url:
        needs("SETBACK_TEST_POSTGRES_URL is not set (the claim part runs on PostgreSQL)")
    out = run_benchmark(
        "dispatch.py",
        "--checkins",
        "40",
        "--rows",
        "1000",
        "--channels",
        "2",
        "--per-channel",
        "2",
        "--postgres",
        str(url),
    )
    assert re.search(rf"{FIGURE} check-ins/s", out) or re.search(rf"{FIGURE}/s", out), out
    assert re.search(rf"claim of\s+\d+ rows, statement\s*: p50 {FIGURE} ms", out), out
    assert re.search(r"plan of one claim .*\n\s+Update on checkin", out), out
    assert "rate limit" in out, out


def test_the_check_corpus_benchmark_prints_quality_and_speed_figures() -> None:
    out = run_benchmark("check_corpus.py", "--quick")
    for part in ("dev", "held-out"):
        assert re.search(rf"^{part}: \d+ documents", out, re.M), out
    quality = rf"precision={FIGURE} .*recall={FIGURE} .*{FIGURE} flags/1k words.*docs exit 1"
    assert len(re.findall(quality, out)) == 4, out  # warnings and all flags, both parts
    assert re.search(rf"{FIGURE} MB/s on ordinary prose", out), out
    assert re.search(rf"one {FIGURE} MB line in {FIGURE} s", out), out
    assert re.search(rf"pathological \d+-character inputs: {FIGURE} s .*{FIGURE}x the time", out)


def test_the_soak_prints_memory_over_time_and_latency_by_kind() -> None:
    out = run_benchmark("soak.py", "--minutes", "0.25", "--people", "2")
    assert len(re.findall(rf"t=\s*\d+s\s+rss=\s*{FIGURE} MB", out)) >= 2, out
    for kind in ("command", "step", "button", "event", "check-in pass"):
        figures = rf"p50=\s*{FIGURE} ms\s+p90=\s*{FIGURE} ms\s+p99=\s*{FIGURE} ms"
        assert re.search(rf"^\s+{kind}\s+n=\s*\d+\s+{figures}", out, re.M), out
    assert re.search(r"\d+ reflections finished, \d+ check-in passes", out), out


def test_the_web_api_benchmark_prints_both_clients_and_their_ratio() -> None:
    out = run_benchmark("web_api.py", "--calls", "5", "--rounds", "1")
    for client in ("slack_sdk WebClient", "Setback KeptAliveClient"):
        assert re.search(rf"{client}.*{FIGURE} ms a call\s+{FIGURE} ms CPU a call", out), out
    assert re.search(rf"ratio kept/floor: wall {FIGURE}x\s+CPU {FIGURE}x", out), out


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "benchmarks").glob("*.py")))
def test_every_benchmark_has_a_smoke_run_here(script: str) -> None:
    source = Path(__file__).read_text()
    assert f'"{script}"' in source, f"benchmarks/{script} has no smoke run in this module"
