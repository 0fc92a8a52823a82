"""Where ``setback check`` reads its configuration, and what the configuration may say.

Protocol:

* ``--config PATH`` names the file; otherwise the command walks up from the current
  directory and, in the first directory that has either, takes ``.setback-check.toml``
  (which wins) or a ``pyproject.toml`` holding a ``[tool.setback.check]`` table. A
  ``pyproject.toml`` without that table is passed over. No file: the defaults.
* ``.setback-check.toml`` holds the keys at its top level; ``pyproject.toml`` holds them
  under ``[tool.setback.check]``. The keys::

      disable = ["root-cause", 20]              # rules off: id, number or title
      severity = { counterfactual = "note" }    # error | warning | note
      exclude = ["drafts/**", "CHANGELOG.md"]   # glob patterns, see excludes.py

* Anything else — an unknown key or rule, a severity that is not one of the three, a
  file that is not TOML — is a configuration error: one line naming the file, exit 2.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.cli.check.rules import SEVERITIES, Severity, is_severity, lookup

OWN_FILE = ".setback-check.toml"
PYPROJECT = "pyproject.toml"
_KEYS = ("disable", "severity", "exclude")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Config:
    """The settled configuration: rules off, severities by rule id, excluded paths."""

    base: Path  # exclude patterns are relative to this directory
    path: Path | None = None
    disabled: frozenset[str] = frozenset()
    severities: Mapping[str, Severity] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror or error})") from None


def _pyproject_table(document: dict[str, Any]) -> dict[str, Any] | None:
    """The ``[tool.setback.check]`` table of a pyproject document, if it has one."""
    table: Any = document
    for key in ("tool", "setback", "check"):
        if not isinstance(table, dict) or key not in table:
            return None
        table = table[key]
    if not isinstance(table, dict):
        raise ConfigError("[tool.setback.check] must be a table")
    return table


def _table_of(path: Path) -> dict[str, Any]:
    """The configuration table a named file holds (all of it, or its pyproject table)."""
    document = _read_toml(path)
    if path.name != PYPROJECT:
        return document
    try:
        table = _pyproject_table(document)
    except ConfigError as problem:
        raise ConfigError(f"{path}: {problem}") from None
    return table if table is not None else {}


def discover(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """Walk up from ``start`` to the nearest configuration; None when there is none."""
    for folder in (start, *start.parents):
        own = folder / OWN_FILE
        if own.is_file():
            return own, _read_toml(own)
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            try:
                table = _pyproject_table(_read_toml(pyproject))
            except ConfigError as problem:
                raise ConfigError(f"{pyproject}: {problem}") from None
            if table is not None:
                return pyproject, table
    return None


def _rule_ids(names: Any, key: str) -> list[str]:
    if not isinstance(names, list) or not all(isinstance(n, str | int) for n in names):
        raise ConfigError(f"{key} must be a list of rule ids")
    ids = []
    for name in names:
        info = lookup(name)
        if info is None:
            raise ConfigError(f"unknown rule {name!r} in {key} (setback check --help lists them)")
        ids.append(info.id)
    return ids


def _severities(table: Any) -> dict[str, Severity]:
    if not isinstance(table, dict):
        raise ConfigError('severity must be a table, e.g. severity = { counterfactual = "note" }')
    levels: dict[str, Severity] = {}
    for rule_id, level in zip(_rule_ids(list(table), "severity"), table.values(), strict=True):
        if not is_severity(level):
            raise ConfigError(f"severity of {rule_id} must be one of {', '.join(SEVERITIES)}")
        levels[rule_id] = level
    return levels


def _patterns(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError("exclude must be a list of glob patterns")
    return tuple(value)


def parse(table: Mapping[str, Any], path: Path | None, base: Path) -> Config:
    """Validate a configuration table; a problem raises ``ConfigError`` naming the file."""
    try:
        unknown = sorted(set(table) - set(_KEYS))
        if unknown:
            raise ConfigError(f"unknown key {unknown[0]!r} (known: {', '.join(_KEYS)})")
        return Config(
            base=base,
            path=path,
            disabled=frozenset(_rule_ids(table.get("disable", []), "disable")),
            severities=_severities(table.get("severity", {})),
            exclude=_patterns(table.get("exclude", [])),
        )
    except ConfigError as problem:
        raise ConfigError(f"{path}: {problem}" if path else str(problem)) from None


def load(named: str | None, cwd: Path) -> Config:
    """The configuration for this run: the named file, the nearest one, or the defaults."""
    if named is not None:
        path = Path(named)
        return parse(_table_of(path), path, path.resolve().parent)
    found = discover(cwd.resolve())
    if found is None:
        return Config(base=cwd)
    path, table = found
    return parse(table, path, path.parent)
