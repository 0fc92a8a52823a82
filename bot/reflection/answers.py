"""A reflection's answers as one typed record, keyed by field name.

Each screen's answers are stored as a row of their own (one per screen, so a Next
writes one small row), but nothing downstream should care which screen asked a
question. Storage merges a setback's screens into one mapping by field name
(`storage.reflections.answers_by_field`); `Answers` wraps that mapping, and the summary,
the share, the check-in recap, the journal and finishing read it through the typed
properties below.

Every name read is checked against the screens' data (`bot.reflection.screens`):

- a name no screen defines raises `UnknownField`, so a typo cannot silently read None;
- a field read as the wrong shape (a date as text, a list as text) raises `TypeError`;
- nothing here knows screen numbers, so moving a field to another screen changes
  nothing downstream — not even for reflections saved before the move, since the merge
  is by name.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from bot.reflection.screens import MAX_COMMITMENTS, SCREENS, FormField, Screen
from storage.reflections import by_field

ONE_VALUE_KINDS = frozenset({"text", "multiline", "select", "radio"})
DATE_KINDS = frozenset({"date"})
LIST_KINDS = frozenset({"multi_select", "checkboxes", "users"})


class UnknownField(KeyError):
    """A name that no screen defines was read."""


@dataclass(frozen=True)
class Plan:
    """One if-then plan of the growth screen, written in full (both halves)."""

    situation: str  # "if …"
    action: str  # "then I will …"
    schedule: str  # a key of `bot.checkins.planning.SCHEDULE_LABELS`


@functools.cache
def field_index(screens: tuple[Screen, ...] = SCREENS) -> Mapping[str, tuple[int, FormField]]:
    """Every field of the screens by name, with the step of the screen that asks it.

    Field names are unique across screens (storage merges the screens by name, so a
    repeated name would lose an answer): a repeat raises ValueError here, at first use.
    """
    index: dict[str, tuple[int, FormField]] = {}
    for s in screens:
        for f in s.fields:
            if f.name in index:
                raise ValueError(f"field {f.name!r} is on screens {index[f.name][0]} and {s.step}")
            index[f.name] = (s.step, f)
    return MappingProxyType(index)


@dataclass(frozen=True)
class Answers:
    """The saved answers of one reflection, by field name (read-only).

    `saved` is storage's merged mapping; `screens` is the screens' data the names are
    checked against (the real screens unless a test moves a field).
    """

    saved: Mapping[str, Any] = field(default_factory=dict)
    screens: tuple[Screen, ...] = SCREENS
    _fields: Mapping[str, tuple[int, FormField]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "saved", MappingProxyType(dict(self.saved)))
        object.__setattr__(self, "_fields", field_index(self.screens))

    def __reduce__(self) -> tuple[type[Answers], tuple[Any, ...]]:
        # Rebuilt from what it was made of: a finished reflection's summary comes back
        # from the writer process pickled (`storage.writer_process`). The real screens
        # are left out (the other side has them): rebuilding and hashing their data
        # cost more than the whole rest of the summary.
        if self.screens is SCREENS:
            return Answers, (dict(self.saved),)
        return Answers, (dict(self.saved), self.screens)

    @classmethod
    def from_steps(
        cls, steps: Mapping[int, Mapping[str, Any]], screens: tuple[Screen, ...] = SCREENS
    ) -> Answers:
        """The record of per-screen answers as stored (a draft being finished reads its
        screens that way), merged by field name as storage merges them."""
        return cls(by_field(steps), screens)

    # --- reading by name --------------------------------------------------------------

    def text(self, name: str) -> str | None:
        """A one-value field (text, multiline, select, radio); None when not answered."""
        self._field(name, ONE_VALUE_KINDS, "text")
        value = self.saved.get(name)
        return value if isinstance(value, str) else None

    def day(self, name: str) -> date | None:
        """A date field; None when not answered (or not a date)."""
        self._field(name, DATE_KINDS, "day")
        value = self.saved.get(name)
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    def values(self, name: str) -> tuple[str, ...]:
        """A many-value field (multi-select, checkboxes, people); empty when not answered."""
        self._field(name, LIST_KINDS, "values")
        value = self.saved.get(name)
        return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()

    def value(self, name: str) -> str | tuple[str, ...] | None:
        """Any field as saved, for code that renders every field alike (the export)."""
        f = self._field(name, ONE_VALUE_KINDS | DATE_KINDS | LIST_KINDS, "value")
        if f.kind in LIST_KINDS:
            return self.values(name) if name in self.saved else None
        value = self.saved.get(name)
        return value if isinstance(value, str) else None

    def _field(self, name: str, kinds: frozenset[str], reader: str) -> FormField:
        found = self._fields.get(name)
        if found is None:
            raise UnknownField(f"no screen asks for a field named {name!r}")
        f = found[1]
        if f.kind not in kinds:
            raise TypeError(f"field {name!r} is a {f.kind} field; {reader}() cannot read it")
        return f

    # --- what other modules read ------------------------------------------------------

    @property
    def title(self) -> str | None:
        return self.text("title")

    @property
    def facts(self) -> str | None:
        """What happened, step by step."""
        return self.text("facts")

    @property
    def my_part(self) -> str | None:
        return self.text("my_part")

    @property
    def repair(self) -> str | None:
        """The repair the person will offer."""
        return self.text("repair")

    @property
    def repair_by(self) -> date | None:
        return self.day("repair_by")

    @property
    def factors(self) -> str | None:
        """Contributing factors, one per line."""
        return self.text("factors")

    @property
    def limited(self) -> str | None:
        """What limited the damage."""
        return self.text("limited")

    @property
    def reach_out_by(self) -> date | None:
        """The day the person means to reach out for support."""
        return self.day("reach_out_by")

    @property
    def lesson(self) -> str | None:
        return self.text("lesson")

    @property
    def plans(self) -> tuple[Plan, ...]:
        """The if-then plans with both halves written, in order; a plan's schedule is
        "default" when none was picked."""
        plans = []
        for i in range(1, MAX_COMMITMENTS + 1):
            situation, action = self.text(f"if_{i}"), self.text(f"then_{i}")
            if situation and action:
                plans.append(Plan(situation, action, self.text(f"schedule_{i}") or "default"))
        return tuple(plans)
