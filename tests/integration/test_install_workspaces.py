"""Setback installed in two workspaces through OAuth: each workspace's calls use its own
token — check-ins from the dispatcher, follow-ups after an ack — and removing the app
from one leaves the other untouched. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from bot.core.runtime import build_runtime
from scheduler.dispatcher import run_once
from storage.db import session_scope
from storage.models import Checkin, CheckinStatus, Setback
from tests.integration.harness import ADA, START, wait_for
from tests.integration.install_harness import ALPHA, BETA, CY, InstallHarness

DAY = timedelta(days=1)


@pytest.fixture
def h(tmp_path, db_url) -> Iterator[InstallHarness]:
    harness = InstallHarness(tmp_path, database_url=db_url).start()
    yield harness
    harness.stop()


def rows_of(h: InstallHarness, team_id: str) -> int:
    """Rows of this workspace in every table that carries a team id."""
    total = 0
    with h.rt.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if "team_id" in table.c:
                query = select(func.count()).select_from(table).where(table.c.team_id == team_id)
                total += conn.execute(query).scalar_one()
    return total


def posts(h: InstallHarness, team_id: str) -> list[tuple[str, str]]:
    """(team, token) of every check-in or summary post Slack accepted for this team."""
    return [(t, tok) for m, t, tok in h.many.calls if m == "chat.postMessage" and t == team_id]


def setbacks(h: InstallHarness) -> list[Setback]:
    with session_scope(h.rt.engine, readonly=True) as s:
        return list(s.execute(select(Setback)).scalars())


def test_check_ins_of_two_workspaces_go_out_each_with_its_own_token(h) -> None:
    assert h.install(h.alpha).status == 200
    assert h.install(h.beta).status == 200
    alpha_token, beta_token = h.many.grant_of(ALPHA).token, h.many.grant_of(BETA).token
    beta = h.in_workspace(h.beta)

    h.finish_setback(ADA)
    beta.finish_setback(CY)
    assert {(s.team_id, s.user_id) for s in setbacks(h)} == {(ALPHA, ADA), (BETA, CY)}
    assert h.dm(ADA) and beta.dm(CY), "each summary DM is in its own workspace"

    h.clock.set(START + DAY)
    report = run_once(h.rt)
    assert report.sent == 4 and report.held == 0
    assert set(posts(h, ALPHA)) == {(ALPHA, alpha_token)}
    assert set(posts(h, BETA)) == {(BETA, beta_token)}
    assert len(h.thread(ADA, h.dm(ADA)[-1]["ts"])) == 2 + 1  # the root and two check-ins
    assert len(beta.thread(CY, beta.dm(CY)[-1]["ts"])) == 2 + 1


def test_removing_the_app_from_one_workspace_leaves_the_other_untouched(h) -> None:
    h.install(h.alpha)
    h.install(h.beta)
    beta = h.in_workspace(h.beta)
    h.finish_setback(ADA)
    beta.finish_setback(CY)
    beta_rows = rows_of(h, BETA)
    assert h.rt.installs is not None
    store = h.rt.installs.store

    h.many.uninstall(ALPHA)
    assert h.slack.event({"type": "app_uninstalled"}).status == 200
    wait_for(lambda: rows_of(h, ALPHA) == 0, what="Alpha's rows and tokens to be gone")
    assert store.find_bot_for_workspace(ALPHA) is None
    assert store.find_installation(enterprise_id=None, team_id=ALPHA) is None
    assert store.find_bot_for_workspace(BETA) is not None
    assert rows_of(h, BETA) == beta_rows

    h.clock.set(START + DAY)
    report = run_once(h.rt)
    assert report.sent == 2, "Beta's check-ins go out as before"
    assert set(posts(h, BETA)) == {(BETA, h.many.grant_of(BETA).token)}


def test_tokens_go_at_once_even_when_the_data_waits(tmp_path, db_url) -> None:
    h = InstallHarness(
        tmp_path, database_url=db_url, settings_overrides={"setback_uninstall_grace_days": 7}
    ).start()
    try:
        h.install(h.alpha)
        h.finish_setback(ADA)
        assert h.rt.installs is not None
        store = h.rt.installs.store
        h.many.uninstall(ALPHA)
        event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOTA"]}}
        assert h.slack.event(event).status == 200
        wait_for(lambda: store.find_bot_for_workspace(ALPHA) is None, what="the token to go")
        assert store.find_installation(enterprise_id=None, team_id=ALPHA) is None
        assert any(s.team_id == ALPHA for s in setbacks(h)), "the data waits for the grace"

        h.clock.set(START + DAY)
        before = len(h.many.calls)
        report = run_once(h.rt)
        assert report.held == 2 and report.sent == 0
        assert h.many.calls[before:] == [], "no call is made for a workspace with no token"
        with session_scope(h.rt.engine, readonly=True) as s:
            rows = list(s.execute(select(Checkin)).scalars())
        assert {c.status for c in rows} == {CheckinStatus.SCHEDULED}
        assert {c.attempts for c in rows} == {0}, "held untouched: no attempt counted"

        h.install(h.alpha)  # installed again within the grace period: posts resume
        h.clock.set(START + DAY + timedelta(minutes=20))
        assert run_once(h.rt).sent == 2
    finally:
        h.stop()


def test_a_workspace_with_no_installation_waits_untouched(h) -> None:
    h.install(h.alpha)
    h.finish_setback(ADA)
    assert h.rt.installs is not None
    h.rt.installs.store.delete_all(enterprise_id=None, team_id=ALPHA)  # gone, no event

    h.clock.set(START + DAY)
    before = len(h.many.calls)
    report = run_once(h.rt)
    assert report.held == 2 and report.sent == 0
    assert h.many.calls[before:] == [], "nothing is sent to Slack without a token"
    with session_scope(h.rt.engine, readonly=True) as s:
        rows = list(s.execute(select(Checkin)).scalars())
    assert {(c.status, c.attempts) for c in rows} == {(CheckinStatus.SCHEDULED, 0)}


def test_several_workers_send_each_workspaces_check_ins_once_with_its_token(h) -> None:
    h.install(h.alpha)
    h.install(h.beta)
    h.finish_setback(ADA)
    h.in_workspace(h.beta).finish_setback(CY)
    tokens = {ALPHA: h.many.grant_of(ALPHA).token, BETA: h.many.grant_of(BETA).token}
    workers = [build_runtime(h.rt.settings, clock=h.clock, upgrade=False) for _ in range(3)]
    try:
        h.clock.set(START + DAY)
        go = threading.Barrier(len(workers))
        reports = [None] * len(workers)

        def work(i: int) -> None:
            go.wait()
            reports[i] = run_once(workers[i], worker_id=f"worker-{i}", limit=1)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(workers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        while run_once(h.rt).claimed:  # what the three left
            pass
    finally:
        for rt in workers:
            rt.engine.dispose()
    assert sum(r.sent for r in reports if r is not None) == 3, "each worker sent one"
    sent = [(team, tok) for m, team, tok in h.many.calls if m == "chat.postMessage"]
    checkins = sent[2:]  # after the two summary DMs
    assert sorted(checkins) == sorted([(ALPHA, tokens[ALPHA])] * 2 + [(BETA, tokens[BETA])] * 2)
