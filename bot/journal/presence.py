"""Who has their App Home open, so a change republishes only a Home someone can see.

Slack sends `app_home_opened` each time a person opens the Home tab, and never says when
they leave it. So a Home counts as open for `HOME_OPEN_FOR` after the person last opened
it or used one of its buttons (`seen`): a change made meanwhile republishes it; a change
made otherwise does not, and the next time they open the Home, the publish that answers
`app_home_opened` shows what is true then. Either way the Home is fresh whenever it is
looked at, and nobody's change pays for rendering a Home no one is looking at.

Where it is kept:

- in the database (`storage.home_seen`), so every process answering Slack (`setback web`
  replicas) knows what another one saw. The row is written at most once per
  `MARK_EVERY` per person and process, and goes with the person when they are erased;
- in this process's memory, which answers most questions without a query, and which
  keeps refreshing the Home of a person who just erased everything while they look at
  it (their row went with the rest, and nothing is written back for them).

Times come from the runtime's clock, so the sandbox and tests move them like any other.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bot.core.actor import Actor
from bot.core.runtime import Runtime
from storage import home_seen
from storage.db import read_connection, write_connection

HOME_OPEN_FOR = timedelta(hours=1)
MARK_EVERY = timedelta(minutes=5)
REMEMBERED = 10_000  # people per process before the ones past the window are forgotten

Person = tuple[str, str]


@dataclass(frozen=True)
class _Seen:
    at: datetime  # when this process last saw the Home open (or read that it was)
    stored: datetime | None  # when this process last wrote that to the database


_guard = threading.Lock()
_memory: weakref.WeakKeyDictionary[Engine, dict[Person, _Seen]] = weakref.WeakKeyDictionary()


def _people(rt: Runtime) -> dict[Person, _Seen]:
    """This database's people as this process saw them (the caller holds `_guard`)."""
    return _memory.setdefault(rt.engine, {})


def _recent(at: datetime, now: datetime) -> bool:
    return now - at < HOME_OPEN_FOR


def seen(rt: Runtime, actor: Actor) -> None:
    """This person has their Home open now: they opened it, or used one of its buttons."""
    now, key = rt.clock.now(), (actor.team_id, actor.user_id)
    with _guard:
        people = _people(rt)
        known = people.get(key)
        stored = known.stored if known is not None else None
        write = stored is None or not timedelta(0) <= now - stored < MARK_EVERY
        _remember(people, key, _Seen(now, now if write else stored), now)
    if write:
        with write_connection(rt.engine) as conn:
            home_seen.mark_seen(conn, actor.team_id, actor.user_id, now)


def is_open(rt: Runtime, actor: Actor) -> bool:
    """Whether this person may be looking at their Home now (seen within the window, by
    this process or, read from the database, by another)."""
    now, key = rt.clock.now(), (actor.team_id, actor.user_id)
    with _guard:
        known = _people(rt).get(key)
    if known is not None and _recent(known.at, now):
        return True
    with read_connection(rt.engine) as conn:
        at = home_seen.seen_at(conn, actor.team_id, actor.user_id)
    if at is None or not _recent(at, now):
        return False
    with _guard:
        _remember(_people(rt), key, _Seen(at, at), now)
    return True


def _remember(people: dict[Person, _Seen], key: Person, value: _Seen, now: datetime) -> None:
    """Keep what this process saw of a person; past `REMEMBERED` people, forget the ones
    whose Home is closed, so memory follows the Homes open now, not everyone ever seen."""
    people[key] = value
    if len(people) > REMEMBERED:
        _forget_closed(people, now)


def _forget_closed(people: dict[Person, _Seen], now: datetime) -> None:
    for key in [k for k, v in people.items() if not _recent(v.at, now)]:
        del people[key]
