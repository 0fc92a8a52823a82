"""From a text to the findings ``setback check`` reports: positions, ignores, severities.

Positions are 1-based, as editors count: a line is ended by ``\\n``; a column counts the
characters (code points) of its line before the flag, plus one, so a tab counts one.
An end column is exclusive: the column just after the flag's last character, as SARIF
defines it.

An ignore comment silences flags that start on its line: ``setback: ignore`` (every
rule) or ``setback: ignore[rule, …]`` (ids, numbers or titles), written inside a comment
— after ``<!--``, ``#`` or ``//`` on that line.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from bot.cli.check.config import Config
from bot.cli.check.rules import DEFAULT_SEVERITY, Severity, as_severity, lookup
from bot.language.blameless import Flag, check

_MARKER = re.compile(r"setback:[ \t]*ignore(?![\w-])(?:\[([^\]\n]*)\])?")
_OPENERS = ("<!--", "#", "//")
_NAME_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Finding:
    """One flag as reported: where (path, line, column, end) and how severe."""

    path: str
    flag: Flag
    severity: Severity
    line: int
    column: int
    end_line: int
    end_column: int


class Positions:
    """Line and column of any offset in one text, from an index of its newlines."""

    def __init__(self, text: str) -> None:
        self._newlines = [match.start() for match in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        """1-based line of the character at ``offset``."""
        return bisect_left(self._newlines, offset) + 1

    def line_start(self, line: int) -> int:
        """Offset of the first character of a 1-based line."""
        return 0 if line == 1 else self._newlines[line - 2] + 1

    def start(self, offset: int) -> tuple[int, int]:
        """(line, column) of the character at ``offset``."""
        line = self.line(offset)
        return line, offset - self.line_start(line) + 1

    def end(self, start: int, end: int) -> tuple[int, int]:
        """(line, exclusive column) just after the span ``start:end``."""
        last = max(start, end - 1)
        line, column = self.start(last)
        return line, column + (1 if end > start else 0)


def _names(inside: str | None) -> frozenset[str] | None:
    """Rule ids named in ``ignore[...]``; None (every rule) for a bare ``ignore``."""
    if inside is None:
        return None
    infos = (lookup(name) for name in _NAME_SEPARATORS.split(inside) if name)
    return frozenset(info.id for info in infos if info is not None)


def ignores(text: str, positions: Positions) -> dict[int, frozenset[str] | None]:
    """Lines carrying an ignore comment, each with the rule ids it silences (None: all).

    Linear in the text: the markers are found in one pass and each line's prefix is
    scanned for a comment opener at most once, however many markers share the line.
    """
    found: dict[int, frozenset[str] | None] = {}
    line_seen, scanned_to, commented = 0, 0, False
    for match in _MARKER.finditer(text):
        line = positions.line(match.start())
        line_start = positions.line_start(line)
        if line != line_seen:
            line_seen, scanned_to, commented = line, line_start, False
        if not commented:
            window = text[max(line_start, scanned_to - 3) : match.start()]
            commented = any(opener in window for opener in _OPENERS)
            scanned_to = match.start()
        if not commented:
            continue
        names = _names(match.group(1))
        previous = found.get(line, frozenset())
        found[line] = None if names is None or previous is None else previous | names
    return found


def _severity(flag: Flag, config: Config) -> Severity:
    """The configured severity of the flag's rule, else the engine's, else a warning."""
    configured = config.severities.get(flag.rule)
    if configured is not None:
        return configured
    engine = as_severity(getattr(flag, "severity", None))
    if engine is not None:
        return engine
    info = lookup(flag.rule)
    return info.severity if info is not None else DEFAULT_SEVERITY


def check_text(path: str, text: str, config: Config) -> list[Finding]:
    """Check one text and keep what the configuration and ignore comments leave."""
    flags = [flag for flag in check(text) if flag.rule not in config.disabled]
    if not flags:
        return []
    positions = Positions(text)
    silenced = ignores(text, positions)
    kept = []
    for flag in flags:
        line, column = positions.start(flag.start)
        rules = silenced.get(line, frozenset())
        if rules is None or flag.rule in rules:
            continue
        end_line, end_column = positions.end(flag.start, flag.end)
        kept.append(
            Finding(path, flag, _severity(flag, config), line, column, end_line, end_column)
        )
    return kept
