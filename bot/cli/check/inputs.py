"""What ``setback check`` reads: files, directories and standard input, all as one kind.

Protocol:

* ``-`` is standard input. Every input, standard input included, is read as bytes and
  decoded by :func:`decode`: a UTF-8 byte-order mark is dropped, newlines are kept as
  written, so a flag's offsets, lines and columns are the same whichever way the text
  arrived. Invalid UTF-8 or a NUL byte is an input error naming the input.
* A directory is walked for ``*.md``, ``*.markdown``, ``*.txt`` and ``*.rst`` files, in
  name order, skipping hidden directories (``.git``, ``.venv``), ``node_modules``,
  ``__pycache__``, ``venv`` and ``site-packages``. A directory with no such file is an
  input error (most often a wrong path); one whose files are all excluded is not.
* Excluded paths (``exclude`` in the configuration) are skipped, named or walked;
  standard input is always read. An input named twice is read once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, TextIO

STDIN = "-"
SUFFIXES = (".md", ".markdown", ".txt", ".rst")
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "venv", "site-packages"})
_BOM = b"\xef\xbb\xbf"


class InputError(Exception):
    """An input could not be read as text; carries the one-line message to show."""


@dataclass(frozen=True)
class Source:
    """One input to check: the name shown in the output, and how to get its bytes.

    ``problem`` is set when expanding the arguments already found the input unusable
    (a directory with nothing to check); reading it then raises that problem.
    """

    name: str
    is_stdin: bool = False
    problem: str | None = None


def label(source: Source) -> str:
    """How messages name an input: its path, or "standard input"."""
    return "standard input" if source.is_stdin and source.name == STDIN else source.name


def decode(data: bytes, name: str) -> str:
    """Bytes to text exactly as the check sees them, or ``InputError`` saying why not."""
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file, not text")
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        raise InputError(f"{name}: not UTF-8 text (byte 0x{byte:02x} on line {line})") from None


def _read_stdin(stdin: TextIO) -> str:
    buffer: BinaryIO | None = getattr(stdin, "buffer", None)
    if buffer is not None:
        return decode(buffer.read(), "standard input")
    text = stdin.read()  # an in-memory text stream: already decoded
    if "\x00" in text:
        raise InputError("standard input: looks like a binary file, not text")
    return text.removeprefix("\ufeff")


def _read_file(name: str) -> bytes:
    try:
        with open(name, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a text file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as error:
        raise InputError(f"{name}: cannot be read ({error.strerror or error})") from None


def read(source: Source, stdin: TextIO) -> str:
    """The text of one input, decoded the same way for files and standard input."""
    if source.problem is not None:
        raise InputError(source.problem)
    if source.is_stdin:
        try:
            return _read_stdin(stdin)
        except InputError as problem:
            raise InputError(str(problem).replace("standard input", label(source), 1)) from None
    return decode(_read_file(source.name), source.name)


def _walk(root: str, excluded: Callable[[str], bool]) -> tuple[list[str], bool]:
    """Files under ``root`` to check, in name order, and whether any were excluded."""
    found: list[str] = []
    skipped_any = False
    for folder, dirs, files in os.walk(root):
        kept = []
        for name in sorted(dirs):
            if name.startswith(".") or name in _SKIPPED_DIRS:
                continue
            if excluded(os.path.join(folder, name)):
                skipped_any = True
                continue
            kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            if not name.lower().endswith(SUFFIXES):
                continue
            path = os.path.normpath(os.path.join(folder, name))
            if excluded(path):
                skipped_any = True
            else:
                found.append(path)
    return found, skipped_any


def _expand_one(
    argument: str, excluded: Callable[[str], bool], stdin_name: str | None
) -> Iterator[Source]:
    if argument == STDIN:
        yield Source(stdin_name or STDIN, is_stdin=True)
    elif not os.path.isdir(argument):
        if not excluded(argument):
            yield Source(argument)
    elif excluded(argument):
        return
    else:
        files, skipped_any = _walk(argument, excluded)
        if not files and not skipped_any:
            kinds = ", ".join(f"*{suffix}" for suffix in SUFFIXES)
            yield Source(argument, problem=f"{argument}: a directory with no {kinds} files")
        yield from (Source(path) for path in files)


def expand(
    arguments: list[str], excluded: Callable[[str], bool], stdin_name: str | None = None
) -> list[Source]:
    """The inputs named by the arguments, directories walked, each input once."""
    sources: list[Source] = []
    seen: set[str] = set()
    for argument in arguments:
        for source in _expand_one(argument, excluded, stdin_name):
            key = STDIN if source.is_stdin else os.path.realpath(source.name)
            if source.problem is None and key in seen:
                continue
            seen.add(key)
            sources.append(source)
    return sources
