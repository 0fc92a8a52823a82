"""Operator tools behind `setback checkins list|run` (printing only ids, times, states:
never a commitment's or a note's text)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.clock import FixedClock
from bot.core.runtime import Runtime
from scheduler.dispatcher import DispatchReport, run_once
from storage import checkins as store
from storage.db import session_scope

COLUMNS = ("id", "team", "user", "kind", "n", "due (UTC)", "status", "tries", "error", "lease")


def parse_as_of(raw: str) -> datetime:
    """An ISO 8601 instant; one without an offset is read as UTC."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"--as-of {raw!r} is not an ISO time such as 2026-12-01T10:00:00Z"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def list_lines(rt: Runtime, *, due_only: bool, limit: int = 200) -> list[str]:
    """A table of check-ins not yet answered (or, with ``due_only``, claimable now)."""
    now = rt.clock.now()
    with session_scope(rt.engine, readonly=True) as s:
        rows = store.list_checkins(s, now, due_only=due_only, limit=limit)
    table = [COLUMNS] + [
        (
            str(c.id),
            c.team_id,
            c.user_id,
            c.kind,
            f"{c.seq + 1}/{c.total}",
            c.due_at.strftime("%Y-%m-%d %H:%M") if c.due_at else "-",
            c.status,
            str(c.attempts),
            c.error or "-",
            c.lease_owner or "-",
        )
        for c in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
    if not rows:
        lines.append("(no check-ins are due)" if due_only else "(no check-ins)")
    return lines


def run_pass(rt: Runtime, as_of: datetime | None, limit: int | None = None) -> DispatchReport:
    """One dispatcher pass as of ``as_of`` (the clock is set there for the whole pass)."""
    if as_of is not None:
        rt.clock = FixedClock(as_of)
    return run_once(rt, limit=limit)
