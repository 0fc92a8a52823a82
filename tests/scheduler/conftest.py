"""Fixtures for dispatcher tests: the sandbox Web API, a runtime pointed at it, and
check-ins seeded straight into the database under real DM threads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.checkins.views import CHECKIN_EVENT
from bot.core.clock import FixedClock
from bot.core.runtime import Runtime, build_runtime
from sandbox.slack_api import SlackApiServer
from sandbox.workspace import Workspace
from storage.db import session_scope
from storage.models import Checkin, Commitment, Member, Setback
from tests.conftest import make_settings

TEAM = "T0SANDBOX"
# Wednesday 25 November 2026, 10:00 UTC: inside working hours in London and UTC.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def ws() -> Workspace:
    return Workspace(team_id=TEAM)


@pytest.fixture
def api(ws: Workspace) -> Iterator[SlackApiServer]:
    server = SlackApiServer(ws).start()
    yield server
    server.stop()


def runtime(tmp_path: Path, db_url: str, api_url: str, **overrides: Any) -> Runtime:
    settings = make_settings(tmp_path, database_url=db_url, slack_api_url=api_url, **overrides)
    return build_runtime(settings, clock=FixedClock(NOW), upgrade=False)


@pytest.fixture
def rt(tmp_path: Path, db_url: str, api: SlackApiServer) -> Iterator[Runtime]:
    r = runtime(tmp_path, db_url, api.url)
    yield r
    r.engine.dispose()


@dataclass
class Seeded:
    user_id: str
    channel: str
    thread_ts: str
    setback_id: int
    commitment_id: int
    checkin_ids: list[int]


def seed(
    rt: Runtime,
    ws: Workspace,
    user_id: str = "U0ADA",
    *,
    due: list[datetime] | None = None,
    tz: str = "Europe/London",
    kind: str = "growth",
    text: str = "If a review comes in late, then I will ask for a second reviewer",
    with_thread: bool = True,
    summary_attempts: int = 1,
) -> Seeded:
    """One person's finished setback with one commitment and check-ins due at ``due``,
    and (unless told not to) its summary DM posted in the sandbox as the thread root."""
    if ws.user(user_id) is None:
        ws.add_user(user_id, user_id.lower(), tz=tz)
    channel = ws.im_channel_for(user_id)
    root = ws.post_message(channel, text="Your reflection is saved.")["ts"] if with_thread else None
    due = due if due is not None else [NOW - timedelta(minutes=1)]
    with session_scope(rt.engine) as s:
        if s.exec(select(Member).where(Member.user_id == user_id)).first() is None:
            s.add(Member(team_id=TEAM, user_id=user_id, tz=tz, tz_checked_at=NOW, created_at=NOW))
        setback = Setback(
            team_id=TEAM,
            user_id=user_id,
            status="complete",
            current_step=5,
            title="A slip",
            dm_channel=channel if with_thread else None,
            thread_ts=root,
            summary_attempts=summary_attempts,
            created_at=NOW - timedelta(days=1),
            completed_at=NOW - timedelta(days=1),
        )
        s.add(setback)
        s.flush()
        commitment = Commitment(
            team_id=TEAM,
            user_id=user_id,
            setback_id=setback.id,  # type: ignore[arg-type]  # why: flushed above, so the id is set
            kind=kind,
            text=text,
            created_at=NOW - timedelta(days=1),
        )
        s.add(commitment)
        s.flush()
        rows = [
            Checkin(
                team_id=TEAM,
                user_id=user_id,
                setback_id=setback.id,  # type: ignore[arg-type]  # why: flushed above, so the id is set
                commitment_id=commitment.id,  # type: ignore[arg-type]  # why: flushed above, so the id is set
                kind="followup" if kind == "growth" else kind,
                seq=i,
                total=len(due),
                due_at=at,
            )
            for i, at in enumerate(due)
        ]
        s.add_all(rows)
        s.flush()
        return Seeded(
            user_id,
            channel,
            root or "",
            setback.id,  # type: ignore[arg-type]  # why: flushed above, so the id is set
            commitment.id,  # type: ignore[arg-type]  # why: flushed above, so the id is set
            [int(r.id) for r in rows],  # type: ignore[arg-type]  # why: rows read back from the database have ids
        )


def posts_per_checkin(ws: Workspace) -> Counter[int]:
    """How many messages the bot posted for each check-in id (from message metadata)."""
    counts: Counter[int] = Counter()
    for channel in ws.channel_ids():
        for message in ws.channel_messages(channel):
            meta = message.get("metadata") or {}
            if meta.get("event_type") == CHECKIN_EVENT:
                counts[int(meta["event_payload"]["checkin_id"])] += 1
    return counts


def rows(rt: Runtime) -> dict[int, Checkin]:
    with session_scope(rt.engine, readonly=True) as s:
        return {int(c.id): c for c in s.exec(select(Checkin))}  # type: ignore[arg-type]  # why: rows read back from the database have ids
