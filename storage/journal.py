"""Journal reads: what the Home tab and the export read of one person, read-only.

Every query is scoped by team and user, so a person only ever reads their own rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.models import (
    FINISHED_SETBACKS,
    Commitment,
    CommitmentStatus,
    Reflection,
    Setback,
    SetbackStatus,
    Share,
    ShareStatus,
)
from storage.reflections import by_field
from storage.rows import row_id


class _PersonScoped(Protocol):
    """A table whose rows belong to one person of one workspace."""

    team_id: str
    user_id: str


_Row = TypeVar("_Row", bound=_PersonScoped)


def _owned(model: type[_Row], team_id: str, user_id: str) -> SelectOfScalar[_Row]:
    return select(model).where(col(model.team_id) == team_id, col(model.user_id) == user_id)


def setback_counts(s: Session, team_id: str, user_id: str) -> dict[SetbackStatus, int]:
    """How many setbacks this person has in each status, in one query (the Home shows
    several of these counts on every refresh)."""
    rows = s.exec(
        select(Setback.status, func.count())
        .where(Setback.team_id == team_id, Setback.user_id == user_id)
        .group_by(col(Setback.status))
    )
    return {SetbackStatus(status): int(n) for status, n in rows}


def setback_titles(
    s: Session, team_id: str, user_id: str, setback_ids: Sequence[int]
) -> dict[int, str | None]:
    """Titles of this person's setbacks among `setback_ids`, in one query; ids that are
    not theirs are simply absent."""
    if not setback_ids:
        return {}
    rows = s.exec(
        select(Setback.id, Setback.title).where(
            Setback.team_id == team_id,
            Setback.user_id == user_id,
            col(Setback.id).in_(list(setback_ids)),
        )
    )
    # A stored row always has its id; the model types it optional.
    return {sid: title for sid, title in rows if sid is not None}


def active_setbacks(s: Session, team_id: str, user_id: str, limit: int) -> list[Setback]:
    """Finished setbacks that still have an open commitment, newest first."""
    open_ids = select(Commitment.setback_id).where(
        Commitment.team_id == team_id,
        Commitment.user_id == user_id,
        Commitment.status == CommitmentStatus.ACTIVE,
    )
    return list(
        s.exec(
            _owned(Setback, team_id, user_id)
            .where(Setback.status == SetbackStatus.COMPLETE, col(Setback.id).in_(open_ids))
            .order_by(col(Setback.completed_at).desc(), col(Setback.id).desc())
            .limit(limit)
        )
    )


def past_setbacks(
    s: Session, team_id: str, user_id: str, exclude: Sequence[int], offset: int, limit: int
) -> list[Setback]:
    """Finished and archived setbacks, newest first, one page (`exclude`: shown elsewhere)."""
    query = _owned(Setback, team_id, user_id).where(col(Setback.status).in_(FINISHED_SETBACKS))
    if exclude:
        query = query.where(col(Setback.id).not_in(list(exclude)))
    query = query.order_by(col(Setback.created_at).desc(), col(Setback.id).desc())
    return list(s.exec(query.offset(offset).limit(limit)))


def lessons_of(
    s: Session, team_id: str, user_id: str, limit: int
) -> list[tuple[Setback, dict[str, Any]]]:
    """The latest finished setbacks, each with its answers merged by field name (the
    Home shows their lessons; which screen asks for the lesson is not storage's concern)."""
    setbacks = list(
        s.exec(
            _owned(Setback, team_id, user_id)
            .where(col(Setback.status).in_(FINISHED_SETBACKS))
            .order_by(col(Setback.created_at).desc(), col(Setback.id).desc())
            .limit(limit)
        )
    )
    if not setbacks:
        return []
    rows = s.exec(
        select(Reflection.setback_id, Reflection.step, Reflection.answers).where(
            Reflection.team_id == team_id,
            col(Reflection.setback_id).in_([sb.id for sb in setbacks]),
        )
    )
    steps: dict[int, dict[int, dict[str, Any]]] = {}
    for setback_id, step, answers in rows:
        steps.setdefault(setback_id, {})[step] = dict(answers or {})
    return [(sb, by_field(steps.get(row_id(sb), {}))) for sb in setbacks]


def posted_shares(s: Session, team_id: str, user_id: str, limit: int) -> list[Share]:
    """Shared summaries still in their channel, newest first."""
    return list(
        s.exec(
            _owned(Share, team_id, user_id)
            .where(Share.status == ShareStatus.POSTED)
            .order_by(col(Share.posted_at).desc(), col(Share.id).desc())
            .limit(limit)
        )
    )


def rows_of_person(s: Session, model: Any, team_id: str, user_id: str) -> list[Any]:
    """Every row of a user-scoped table for one person, oldest first (for the export)."""
    return list(s.exec(_owned(model, team_id, user_id).order_by(model.id)))


def rows_of_setback(s: Session, model: Any, setback: Setback) -> list[Any]:
    """Every row of a child table for one setback, in id order (for the export)."""
    return list(
        s.exec(
            select(model)
            .where(model.setback_id == setback.id, model.team_id == setback.team_id)
            .order_by(model.id)
        )
    )
