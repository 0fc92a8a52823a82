"""Job leases: one process at a time runs a named job (housekeeping).

A lease is a row with an owner and an expiry; a process that died lets it lapse.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    or_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import (
    JobLease,
)


def take_job_lease(s: Session, name: str, owner: str, now: datetime, until: datetime) -> bool:
    """Hold the named job until ``until`` unless someone else holds it now.

    The row is created on first use; a concurrent first use by two processes lets one
    insert win and the other lose, as a unique key should.
    """
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    s.exec(insert(JobLease).values(name=name).on_conflict_do_nothing())
    result = s.exec(
        update(JobLease)
        .where(
            col(JobLease.name) == name,
            or_(
                col(JobLease.lease_until).is_(None),
                col(JobLease.lease_until) < now,
                col(JobLease.owner) == owner,
            ),
        )
        .values(owner=owner, lease_until=until)
    )
    return bool(result.rowcount == 1)


def drop_job_lease(s: Session, name: str, owner: str) -> None:
    s.exec(
        update(JobLease)
        .where(col(JobLease.name) == name, col(JobLease.owner) == owner)
        .values(lease_until=None)
    )
