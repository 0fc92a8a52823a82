"""Who is acting: the team and user Slack's payload names, the only identity ownership trusts.

Every service that reads or changes a person's rows takes an `Actor` and puts its ids in
the WHERE clause, so a payload naming someone else's record finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who is acting, as Slack's payload says: the only identity ownership trusts."""

    team_id: str
    user_id: str
    enterprise_id: str | None = None
