"""``setback check``: the blameless language check as a lint tool for files in a repository.

Runs the same check as Slack's share preview on postmortems and retro summaries, in a
terminal, an editor, a pre-commit hook or CI. The protocol, module by module:

* ``options``: the command line and ``--help`` (which documents the exit codes);
* ``config``: ``.setback-check.toml`` or ``[tool.setback.check]`` in ``pyproject.toml``
  — rules to disable, severities, paths to exclude;
* ``inputs``: files, directories and standard input, all decoded the same way;
* ``findings``: positions (``line:col``, 1-based), ``setback: ignore[…]`` comments,
  severities;
* ``formats``: text, JSON, SARIF 2.1.0 and GitHub workflow commands.

Exit status: 0 when nothing is flagged at warning or error severity (or ``--exit-zero``),
1 when something is, 2 when an input cannot be read or the command line or configuration
is wrong. Every input that can be read is checked and reported even when another cannot.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from bot.cli.check.config import ConfigError, load
from bot.cli.check.excludes import Excluder
from bot.cli.check.findings import Finding, check_text
from bot.cli.check.formats import RENDERERS, Report
from bot.cli.check.inputs import InputError, expand, read
from bot.cli.check.options import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FLAGGED,
    ParserExit,
    parse,
)

__all__ = ["run"]


def run(argv: list[str], stdin: TextIO, stdout: TextIO, stderr: TextIO | None = None) -> int:
    """Run ``setback check`` and return its exit status instead of exiting.

    Returning the status (rather than calling ``sys.exit``) keeps the command testable
    with in-memory streams and lets the top-level CLI decide how to exit. Problems with
    an input or the configuration are reported on one line each on ``stderr`` (the
    process's by default), never as a traceback, because the reader is a person or a
    CI log.
    """
    err = stderr if stderr is not None else sys.stderr
    try:
        options = parse(argv, stdout, err)
    except ParserExit as done:
        return done.status
    try:
        config = load(options.config, Path.cwd())
    except ConfigError as problem:
        err.write(f"setback check: {problem}\n")
        return EXIT_ERROR
    sources = expand(options.paths, Excluder(config.exclude, config.base), options.stdin_filename)
    found: list[Finding] = []
    problems: list[str] = []
    checked = 0
    for source in sources:
        try:
            text = read(source, stdin)
        except InputError as problem:
            problems.append(str(problem))
            err.write(f"setback check: {problem}\n")
            continue
        checked += 1
        found.extend(check_text(source.name, text, config))
    if checked or not problems:
        report = Report(found, checked, problems, config.severities, config.disabled)
        stdout.write(RENDERERS[options.format](report))
    if problems:
        return EXIT_ERROR
    failing = any(finding.severity != "note" for finding in found)
    return EXIT_FLAGGED if failing and not options.exit_zero else EXIT_CLEAN
