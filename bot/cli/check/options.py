"""The arguments of ``setback check`` and its ``--help``, which documents the exit codes.

The parser writes to the streams it is given and raises :class:`ParserExit` instead of
ending the process, so ``run`` can be called in-process (tests, the ``setback`` entry
point) and still return argparse's status: 0 after ``--help``, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn, TextIO

from bot.cli.check.formats import FORMATS
from bot.cli.check.inputs import STDIN, SUFFIXES
from bot.cli.check.rules import ids_line

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

EXIT_CLEAN = 0
EXIT_FLAGGED = 1
EXIT_ERROR = 2

_EPILOG = f"""\
exit status:
  0  nothing flagged (notes alone do not count), or --exit-zero
  1  a phrase flagged at warning or error severity
  2  an input could not be read (missing, not UTF-8, binary), or a usage or
     configuration error; the other inputs are still checked and reported

inputs:
  files, directories (walked for {", ".join("*" + s for s in SUFFIXES)}) and '-' for
  standard input, read exactly like a file: a UTF-8 byte-order mark is dropped.

configuration:
  .setback-check.toml (top-level keys) or [tool.setback.check] in pyproject.toml,
  the first found walking up from the current directory (.setback-check.toml wins
  in the same directory), or the file given with --config:
    disable = ["root-cause"]                 rules turned off (id, number or title)
    severity = {{ counterfactual = "note" }}   error, warning (default) or note
    exclude = ["drafts/**", "CHANGELOG.md"]  glob patterns of paths not checked

inline:
  a comment on a line silences the flags on that line:
    <!-- setback: ignore[counterfactual] -->   # setback: ignore   (every rule)

rules:
{textwrap.fill(ids_line(), 78, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False)}
"""


class ParserExit(Exception):
    """Raised instead of ``sys.exit`` so the caller gets a status code back."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An argument parser that writes to the given streams and never exits the process."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        super().__init__(
            prog="setback check",
            description="Flag blame-laden phrases in postmortems and retro summaries, "
            "each with a reframe idea.",
            epilog=_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        self._out = out
        self._err = err

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        super().print_help(file or self._out)

    def print_usage(self, file: SupportsWrite[str] | None = None) -> None:
        super().print_usage(file or self._err)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._err.write(message)
        raise ParserExit(status)

    def error(self, message: str) -> NoReturn:
        self.print_usage(self._err)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


@dataclass(frozen=True)
class Options:
    """The parsed command line."""

    paths: list[str]
    format: str
    config: str | None
    exit_zero: bool
    stdin_filename: str | None


def parse(argv: list[str], out: TextIO, err: TextIO) -> Options:
    """Parse the command line; ``ParserExit`` after ``--help`` or a usage error."""
    parser = _Parser(out, err)
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or directories to check; '-' or nothing reads standard input",
    )
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    shape.add_argument(
        "--json", dest="format", action="store_const", const="json", help="same as --format json"
    )
    parser.add_argument("--config", metavar="FILE", help="read the configuration from FILE")
    parser.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when phrases are flagged"
    )
    parser.add_argument(
        "--stdin-filename", metavar="NAME", help="the name standard input is reported under"
    )
    args = parser.parse_args(argv)
    return Options(
        paths=list(args.paths) or [STDIN],
        format=str(args.format),
        config=args.config,
        exit_zero=bool(args.exit_zero),
        stdin_filename=args.stdin_filename,
    )
