"""The engine behind ``setback check [FILE|-] [--json]``.

Runs the blameless language check on a draft retro outside Slack, so a team can lint a
postmortem in a terminal, an editor hook or CI. Output follows the ``file:line:`` shape
that editors already know how to jump to; ``--json`` is for tools. Exit status: 0 when
nothing is flagged, 1 when something is, 2 when the input cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn, TextIO

from bot.language.blameless import Flag, check

STDIN_NAME = "-"


class _InputError(Exception):
    """The input could not be read as text; carries the one-line message to show."""


class _ParserExit(Exception):
    """Raised instead of ``sys.exit`` so the caller gets a status code back."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An argument parser that writes to the given streams and never exits the process."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        super().__init__(
            prog="setback check",
            description="Flag blame-laden phrases in a retro summary, with a reframe idea.",
        )
        self._out = out
        self._err = err

    def print_help(self, file: TextIO | None = None) -> None:
        super().print_help(file or self._out)

    def print_usage(self, file: TextIO | None = None) -> None:
        super().print_usage(file or self._err)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._err.write(message)
        raise _ParserExit(status)

    def error(self, message: str) -> NoReturn:
        self.print_usage(self._err)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parse(argv: list[str], out: TextIO, err: TextIO) -> argparse.Namespace:
    """Parse ``[FILE|-] [--json]``; the file defaults to standard input."""
    parser = _Parser(out, err)
    parser.add_argument(
        "file",
        nargs="?",
        default=STDIN_NAME,
        help="the text to check; '-' or nothing reads standard input",
    )
    parser.add_argument("--json", action="store_true", help="print the flags as a JSON array")
    return parser.parse_args(argv)


def _read(name: str, stdin: TextIO) -> str:
    """Return the text to check, or raise ``_InputError`` with a short reason."""
    if name == STDIN_NAME:
        try:
            text = stdin.read()
        except UnicodeDecodeError:
            raise _InputError("standard input is not UTF-8 text") from None
    else:
        try:
            with open(name, encoding="utf-8-sig") as handle:
                text = handle.read()
        except FileNotFoundError:
            raise _InputError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise _InputError(f"{name}: is a directory, not a text file") from None
        except PermissionError:
            raise _InputError(f"{name}: permission denied") from None
        except UnicodeDecodeError:
            raise _InputError(f"{name}: not UTF-8 text") from None
        except OSError as error:
            raise _InputError(f"{name}: cannot be read ({error.strerror or error})") from None
    if "\x00" in text:
        raise _InputError(f"{name}: looks like a binary file, not text")
    return text


def _as_json(flags: list[Flag]) -> str:
    """Serialise flags for tools: position, phrase and the rule's advice."""
    rows = [
        {
            "line": flag.line,
            "start": flag.start,
            "end": flag.end,
            "phrase": flag.phrase,
            "rule": flag.rule,
            "number": flag.number,
            "title": flag.title,
            "reframe": flag.reframe,
        }
        for flag in flags
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _as_lines(flags: list[Flag], name: str) -> list[str]:
    """One ``file:line:`` line per flag, then a summary people can read at a glance."""
    lines = [
        f'{name}:{flag.line}: "{flag.phrase}" — {flag.rule} — {flag.reframe}' for flag in flags
    ]
    if not flags:
        lines.append("no blame flagged")
    else:
        noun = "phrase" if len(flags) == 1 else "phrases"
        lines.append(f"{len(flags)} {noun} flagged")
    return lines


def run(argv: list[str], stdin: TextIO, stdout: TextIO, stderr: TextIO | None = None) -> int:
    """Run ``setback check`` and return its exit status instead of exiting.

    Returning the status (rather than calling ``sys.exit``) keeps the command testable
    with in-memory streams and lets the top-level CLI decide how to exit. Problems with
    the input are reported on one line on ``stderr`` (the process's by default), never as
    a traceback, because the reader is a person or a CI log.
    """
    err = stderr if stderr is not None else sys.stderr
    try:
        args = _parse(argv, stdout, err)
    except _ParserExit as done:
        return done.status
    try:
        text = _read(args.file, stdin)
    except _InputError as problem:
        err.write(f"setback check: {problem}\n")
        return 2
    flags = check(text)
    if args.json:
        stdout.write(_as_json(flags) + "\n")
    else:
        stdout.write("\n".join(_as_lines(flags, args.file)) + "\n")
    return 1 if flags else 0
