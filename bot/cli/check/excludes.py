"""Glob patterns of paths ``setback check`` leaves alone (``exclude`` in its configuration).

Patterns read like ``.gitignore`` lines, relative to the directory of the configuration
file (the current directory when there is none):

* ``*`` and ``?`` stay within one path segment, ``**`` crosses segments, ``[a-z]`` and
  ``[!a-z]`` are character classes;
* a pattern without a ``/`` (``drafts``, ``*.txt``) matches a file or directory name at
  any depth; one with a ``/`` (``docs/old``, ``postmortems/**/draft-*.md``) is anchored;
* a pattern that matches a directory excludes everything below it.

Files named on the command line are excluded too, so a pre-commit hook, which names
each changed file, follows the same configuration as a walk of the tree.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath


def _translate(pattern: str) -> re.Pattern[str]:
    """Compile one glob pattern into a regular expression over ``/``-separated paths."""
    text = pattern.strip().replace("\\", "/")
    anchored = "/" in text.rstrip("/")  # "./x" and "/x" are anchored too
    if text.startswith("./"):
        text = text[2:]
    text = text.strip("/")
    if not anchored:
        text = "**/" + text
    parts: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("**/", i):
            parts.append("(?:[^/]+/)*")
            i += 3
        elif text.startswith("**", i):
            parts.append(".*")
            i += 2
        elif text[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif text[i] == "?":
            parts.append("[^/]")
            i += 1
        elif text[i] == "[" and (close := text.find("]", i + 2)) != -1:
            body = text[i + 1 : close].replace("\\", "\\\\")
            parts.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = close + 1
        else:
            parts.append(re.escape(text[i]))
            i += 1
    return re.compile("".join(parts))


class Excluder:
    """Answers "is this path excluded?" for the patterns of one configuration."""

    def __init__(self, patterns: Iterable[str], base: Path) -> None:
        self._patterns = tuple(_translate(pattern) for pattern in patterns if pattern.strip())
        self._base = os.path.abspath(base)

    def _relative(self, path: str) -> PurePosixPath:
        """The path relative to the base, or as written when it lies outside the base."""
        absolute = os.path.abspath(path)
        relative = os.path.relpath(absolute, self._base)
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            relative = os.path.normpath(path)
        return PurePosixPath(relative.replace(os.sep, "/"))

    def __call__(self, path: str) -> bool:
        """True when a pattern matches the path or one of the directories holding it."""
        if not self._patterns:
            return False
        relative = self._relative(path)
        candidates = [relative, *relative.parents]
        return any(
            pattern.fullmatch(str(candidate))
            for candidate in candidates
            if str(candidate) not in (".", "")
            for pattern in self._patterns
        )
