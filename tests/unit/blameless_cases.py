"""Assertions the blameless check's case tables share: a hit is a warning that covers its
phrase, a clean sentence gives nothing, and both give the same flags with and without the
engine's fast paths."""

from __future__ import annotations

from bot.language.blameless import Severity, check
from bot.language.blameless.engine import run


def assert_warned(text: str, phrase: str) -> None:
    """Every flag warns, one of them covers `phrase` (or lies inside it)."""
    flags = check(text)
    assert any(phrase in flag.phrase or flag.phrase in phrase for flag in flags), flags
    assert all(flag.severity is Severity.WARNING for flag in flags)
    assert run(text) == run(text, windowed=False)


def assert_quiet(text: str) -> None:
    """No flag at all, whichever way the engine reads the text."""
    assert check(text) == []
    assert run(text) == run(text, windowed=False)
