"""The rules ``setback check`` knows, as the command line names them.

A rule is named in configuration, in ``setback: ignore[...]`` comments and in SARIF by
its id (``counterfactual``); its number (``1``) and its title (``Counterfactual``) are
accepted too, in any case. This module is the one place that reads the engine's rule
table, so the rest of the command depends only on :class:`RuleInfo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal, TypeGuard

from bot.language.blameless import RULES

Severity = Literal["error", "warning", "note"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "note")
DEFAULT_SEVERITY: Severity = "warning"


@dataclass(frozen=True)
class RuleInfo:
    """What the command line shows about one rule: its id, number, title and advice."""

    id: str
    number: int
    title: str
    reframe: str
    # The rule's default; a flag may carry another (a person named as the root cause warns).
    severity: Severity


@cache
def catalogue() -> tuple[RuleInfo, ...]:
    """Every rule of the engine, in its own order (SARIF's ``ruleIndex`` counts on it)."""
    return tuple(
        RuleInfo(
            rule.rule,
            rule.number,
            rule.title,
            rule.reframe,
            as_severity(getattr(rule, "severity", None)) or DEFAULT_SEVERITY,
        )
        for rule in RULES
    )


@cache
def _aliases() -> dict[str, RuleInfo]:
    table: dict[str, RuleInfo] = {}
    for info in catalogue():
        for alias in (info.id, str(info.number), info.title):
            table[alias.casefold()] = info
    return table


def lookup(name: str | int) -> RuleInfo | None:
    """The rule a person means by an id, a number or a title; None when there is none."""
    return _aliases().get(str(name).strip().casefold())


def is_severity(value: object) -> TypeGuard[Severity]:
    """True for the three levels SARIF and GitHub annotations share."""
    return type(value) is str and value in SEVERITIES


def as_severity(value: object) -> Severity | None:
    """A level as plain text (the engine's may be a ``StrEnum``); None if it is none."""
    text = str(value) if isinstance(value, str) else None
    return text if is_severity(text) else None


def ids_line() -> str:
    """``1 counterfactual, 2 hindsight-wish, …`` for ``--help``."""
    return ", ".join(f"{info.number} {info.id}" for info in catalogue())
