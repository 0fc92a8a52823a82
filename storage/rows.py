"""The id of a stored row, as the `int` it is once the row is in the database.

SQLModel types every primary key `int | None`, because a row built in Python has no id
until it is flushed. The rows the repositories hand around were read from the database
(or flushed), so their ids are set; `row_id` states that once, for the type checker and
the reader, instead of an ignore at every use, and fails loudly should a row that was
never saved reach code that needs its id.
"""

from __future__ import annotations

from typing import Protocol


class Stored(Protocol):
    """Any table row with an integer primary key named `id` (all of ours but the few
    keyed by a Slack id)."""

    @property
    def id(self) -> int | None: ...


def row_id(row: Stored) -> int:
    """The primary key of a row read from, or flushed to, the database.

    Raises ValueError for a row that was never saved: a bug in the caller, which would
    otherwise write or look up an id of None.
    """
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it was never saved")
    return row.id
