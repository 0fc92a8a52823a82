"""Housekeeping with an injected clock: retention purges old finished setbacks, and an
uninstalled workspace is erased once its grace period is over — on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import func, select
from sqlmodel import SQLModel

from bot.core.clock import FixedClock
from bot.core.runtime import Runtime
from bot.journal import erase
from storage import events as event_store
from storage import members as member_store
from storage import reflections as reflection_store
from storage.db import session_scope
from storage.installations import SqlInstallationStore
from storage.models import (
    Checkin,
    Commitment,
    Member,
    ProcessedEvent,
    SafetyFlag,
    Setback,
    Share,
    Workspace,
)
from tests import factories
from tests.conftest import make_settings

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _runtime(tmp_path, engine, **settings) -> Runtime:
    return Runtime(
        settings=make_settings(tmp_path, database_url=str(engine.url), **settings),
        engine=engine,
        clock=FixedClock(NOW),
    )


def _setback(
    s,
    team: str,
    user: str,
    *,
    status: str,
    created: datetime,
    completed: datetime | None = None,
    checkin_status: str = "answered",
    due: datetime | None = None,
    title: str = "a title",
) -> int:
    sb = factories.create_setback(s, team, user, created)
    sb.status, sb.completed_at, sb.title = status, completed, title
    reflection_store.save_answers(s, sb, 0, {"facts": f"facts of {title}"}, created)
    c = Commitment(
        team_id=team,
        user_id=user,
        setback_id=sb.id,
        kind="growth",
        text="if x then y",
        created_at=created,
    )
    checkin = Checkin(
        team_id=team,
        user_id=user,
        setback_id=sb.id,
        commitment_id=0,
        due_at=due or created + DAY,
        status=checkin_status,
    )
    factories.add_commitment(s, c, [checkin])
    s.add(Share(team_id=team, user_id=user, setback_id=sb.id, channel="C1", status="posted"))
    s.flush()
    return sb.id


def _ids(engine) -> set[int]:
    with session_scope(engine, readonly=True) as s:
        return set(s.execute(select(Setback.id)).scalars())


def _count(engine, model, team: str | None = None) -> int:
    query = select(func.count()).select_from(model)
    if team is not None:
        query = query.where(model.team_id == team)
    with session_scope(engine, readonly=True) as s:
        return int(s.execute(query).scalar_one())


# --- retention -------------------------------------------------------------------------


def test_retention_purges_old_finished_setbacks_with_everything_under_them(
    tmp_path, engine, caplog
) -> None:
    with session_scope(engine) as s:
        old_done = _setback(
            s,
            "T1",
            "U1",
            status="complete",
            created=NOW - 50 * DAY,
            completed=NOW - 40 * DAY,
            title="zebra old done",
        )
        old_archived = _setback(s, "T1", "U2", status="archived", created=NOW - 45 * DAY)
        recent = _setback(
            s, "T1", "U1", status="complete", created=NOW - 12 * DAY, completed=NOW - 10 * DAY
        )
        still_planned = _setback(
            s,
            "T1",
            "U1",
            status="complete",
            created=NOW - 60 * DAY,
            completed=NOW - 59 * DAY,
            checkin_status="scheduled",
            due=NOW + 20 * DAY,
        )
        old_draft = _setback(s, "T1", "U1", status="draft", created=NOW - 400 * DAY)
        other_team = _setback(
            s, "T2", "U1", status="complete", created=NOW - 90 * DAY, completed=NOW - 80 * DAY
        )
    rt = _runtime(tmp_path, engine, setback_retention_days=30)

    with caplog.at_level(logging.INFO):
        counts = erase.purge_expired(rt, NOW)

    assert _ids(engine) == {recent, still_planned, old_draft}
    assert old_done not in _ids(engine) and old_archived not in _ids(engine)
    assert other_team not in _ids(engine), "retention applies to every workspace"
    assert counts == {"setback": 3, "reflection": 3, "commitment": 3, "checkin": 3, "share": 3}
    assert _count(engine, Share) == 3 and _count(engine, Checkin) == 3
    assert "zebra" not in caplog.text, "logs carry counts, never content"
    assert "setback" in caplog.text
    assert erase.purge_expired(rt, NOW) == {}, "idempotent"


def test_without_retention_nothing_is_purged(tmp_path, engine) -> None:
    with session_scope(engine) as s:
        sid = _setback(
            s,
            "T1",
            "U1",
            status="complete",
            created=NOW - 5000 * DAY,
            completed=NOW - 4999 * DAY,
        )
    rt = _runtime(tmp_path, engine)
    assert rt.settings.setback_retention_days is None
    assert erase.purge_expired(rt, NOW) == {}
    assert _ids(engine) == {sid}


def test_retention_works_through_more_than_one_batch(tmp_path, engine) -> None:
    n = 520  # more than one batch of 500
    with session_scope(engine) as s:
        for i in range(n):
            s.add(
                Setback(
                    team_id="T1",
                    user_id=f"U{i}",
                    status="complete",
                    created_at=NOW - 100 * DAY,
                    completed_at=NOW - 99 * DAY,
                )
            )
    rt = _runtime(tmp_path, engine, setback_retention_days=30)
    assert erase.purge_expired(rt, NOW) == {"setback": n}
    assert _ids(engine) == set()


# --- uninstall grace -------------------------------------------------------------------


NOTHING = {"uninstalled": {}, "stale_shares": {}, "expired": {}, "message_removals": {}}


def _workspace_rows(engine, team: str) -> int:
    total = 0
    with session_scope(engine, readonly=True) as s:
        for table in SQLModel.metadata.sorted_tables:
            if "team_id" in table.c:
                query = select(func.count()).select_from(table).where(table.c.team_id == team)
                total += int(s.execute(query).scalar_one())
    return total


def _populate_team(engine, team: str) -> None:
    with session_scope(engine) as s:
        _setback(s, team, "U1", status="complete", created=NOW - 3 * DAY, completed=NOW)
        _setback(s, team, "U2", status="draft", created=NOW - DAY)
        member_store.ensure_member(s, team, "U1", NOW)
        reflection_store.add_safety_flag(s, team, "U2", NOW)
        event_store.mark_event_processed(s, f"Ev-{team}", team, NOW)


def test_uninstalled_workspace_is_erased_after_the_grace_period(tmp_path, engine) -> None:
    _populate_team(engine, "T1")
    _populate_team(engine, "T2")
    rt = _runtime(tmp_path, engine, setback_uninstall_grace_days=7)
    installs = SqlInstallationStore(engine)
    installs.save(Installation(team_id="T1", bot_token="xoxb-t1", user_id="U1"))
    rt.clock.set(NOW - 2 * DAY)
    assert erase.record_uninstall(rt, "T1", "EvUninstall1") is True
    assert erase.record_uninstall(rt, "T1", "EvUninstall1") is False  # a retried delivery
    with session_scope(engine, readonly=True) as s:
        ws = s.get(Workspace, "T1")
        assert ws.uninstalled_at == NOW - 2 * DAY and installs.find_bot_for_workspace("T1") is None

    assert erase.housekeeping(rt, NOW) == NOTHING
    assert _workspace_rows(engine, "T1") > 0, "still inside the grace period"

    result = erase.housekeeping(rt, NOW + 6 * DAY)
    assert result["uninstalled"]["setback"] == 2
    assert result["uninstalled"]["workspace"] == 1
    assert _workspace_rows(engine, "T1") == 0
    assert _count(engine, Member, "T2") == 1 and _count(engine, Setback, "T2") == 2
    assert _count(engine, SafetyFlag, "T2") == 1 and _count(engine, ProcessedEvent, "T2") == 1
    assert erase.housekeeping(rt, NOW + 7 * DAY) == NOTHING


def test_a_workspace_heard_from_again_is_not_erased(tmp_path, engine) -> None:
    _populate_team(engine, "T1")
    rt = _runtime(tmp_path, engine, setback_uninstall_grace_days=7)
    erase.record_uninstall(rt, "T1", "EvUninstall2")

    assert erase.note_active(rt, "T1") is True  # the app was reinstalled
    assert erase.note_active(rt, "T1") is False

    assert erase.purge_uninstalled(rt, NOW + 30 * DAY) == {}
    assert _count(engine, Setback, "T1") == 2


def test_with_no_grace_the_uninstall_erases_at_once(tmp_path, engine) -> None:
    _populate_team(engine, "T1")
    _populate_team(engine, "T2")
    rt = _runtime(tmp_path, engine)
    assert rt.settings.setback_uninstall_grace_days == 0

    counts = erase.handle_uninstall(rt, "T1", "EvUninstall3")

    assert counts["setback"] == 2 and counts["member"] == 1
    assert _workspace_rows(engine, "T1") == 0
    assert _workspace_rows(engine, "T2") > 0
    assert erase.housekeeping(rt, NOW) == NOTHING
