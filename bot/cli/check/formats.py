"""How ``setback check`` prints its findings: text, JSON, SARIF 2.1.0 or GitHub annotations.

* ``text``: ``path:line:col: "phrase" — rule — reframe``, one line per flag (a severity
  word after the column when it is not the default warning: ``error:`` or ``note:``),
  then one summary line.
* ``json``: an array with one object per flag (path, positions, offsets, the rule and
  its advice, the severity).
* ``sarif``: one SARIF 2.1.0 log for code-scanning tools; columns count code points
  (``columnKind: unicodeCodePoints``), end columns are exclusive.
* ``github``: one workflow command per flag (``::warning file=…,line=…,col=…::…``),
  escaped as GitHub documents, so a workflow step shows each flag on the pull request.

``json``, ``sarif`` and ``github`` print nothing else on standard output.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bot.cli.check.findings import Finding
from bot.cli.check.rules import DEFAULT_SEVERITY, Severity, catalogue

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_GITHUB_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Report:
    """Everything a format needs: the findings, how many inputs were checked, problems."""

    findings: list[Finding]
    checked: int
    problems: list[str]
    severities: Mapping[str, Severity]
    disabled: frozenset[str]


# --- text ------------------------------------------------------------------------------


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _summary(report: Report) -> str:
    """ "2 phrases flagged", "no blame flagged", with files and notes when they matter."""
    count = len(report.findings)
    text = f"{_plural(count, 'phrase')} flagged" if count else "no blame flagged"
    if report.checked > 1:
        files = len({finding.path for finding in report.findings})
        text += f" in {files} of {report.checked} files" if count else f" in {report.checked} files"
    notes = sum(1 for finding in report.findings if finding.severity == "note")
    if notes:
        text += f" ({_plural(notes, 'note')})"
    return text


def as_text(report: Report) -> str:
    """Editor-friendly lines (``path:line:col:``), then the summary."""
    lines = []
    for finding in report.findings:
        flag = finding.flag
        level = "" if finding.severity == DEFAULT_SEVERITY else f"{finding.severity}: "
        phrase = _SPACES.sub(" ", flag.phrase)
        lines.append(
            f'{finding.path}:{finding.line}:{finding.column}: {level}"{phrase}" — '
            f"{flag.rule} — {flag.reframe}"
        )
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


# --- json ------------------------------------------------------------------------------


def _row(finding: Finding) -> dict[str, Any]:
    flag = finding.flag
    return {
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "start": flag.start,
        "end": flag.end,
        "phrase": flag.phrase,
        "rule": flag.rule,
        "number": flag.number,
        "title": flag.title,
        "reframe": flag.reframe,
        "severity": finding.severity,
    }


def as_json(report: Report) -> str:
    """An array of flags for tools; ``start``/``end`` are offsets in the decoded text."""
    return json.dumps([_row(f) for f in report.findings], ensure_ascii=False, indent=2) + "\n"


# --- sarif -----------------------------------------------------------------------------


def _portable(path: str) -> str:
    """The path relative to the current directory when under it, with ``/`` separators."""
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if not relative.startswith(os.pardir):
            path = relative
    elif path != "-":
        path = os.path.normpath(path)
    return path.replace(os.sep, "/")


def _uri(path: str) -> str:
    """A SARIF artifact URI: relative and percent-encoded, or a file URI outside here."""
    portable = _portable(path)
    if os.path.isabs(portable):
        return Path(portable).as_uri()
    return quote(portable, safe="/")


def _version() -> str:
    try:
        return metadata.version("setback")
    except metadata.PackageNotFoundError:
        return "0"


def _sarif_rules(report: Report) -> list[dict[str, Any]]:
    return [
        {
            "id": info.id,
            "name": info.title,
            "shortDescription": {"text": info.title},
            "fullDescription": {"text": info.reframe},
            "help": {"text": info.reframe},
            "defaultConfiguration": {
                "level": report.severities.get(info.id, info.severity),
                "enabled": info.id not in report.disabled,
            },
            "properties": {"number": info.number},
        }
        for info in catalogue()
    ]


def _sarif_result(finding: Finding, index: Mapping[str, int]) -> dict[str, Any]:
    flag = finding.flag
    result: dict[str, Any] = {
        "ruleId": flag.rule,
        "level": finding.severity,
        "message": {"text": f'"{flag.phrase}" ({flag.title}): {flag.reframe}'},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(finding.path)},
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endLine": finding.end_line,
                        "endColumn": finding.end_column,
                        "snippet": {"text": flag.phrase},
                    },
                }
            }
        ],
    }
    if flag.rule in index:
        result["ruleIndex"] = index[flag.rule]
    return result


def as_sarif(report: Report) -> str:
    """One SARIF 2.1.0 log: the tool and its rules, the results, and the run's outcome."""
    rules = _sarif_rules(report)
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    log = {
        "version": "2.1.0",
        "$schema": SARIF_SCHEMA,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "setback check",
                        "version": _version(),
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": not report.problems,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": problem}}
                            for problem in report.problems
                        ],
                    }
                ],
                "results": [_sarif_result(finding, index) for finding in report.findings],
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


# --- github ----------------------------------------------------------------------------


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, ``\\r`` and ``\\n`` percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as a message, and ``:`` and ``,`` too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(finding: Finding) -> str:
    flag = finding.flag
    properties = [("file", _portable(finding.path)), ("line", str(finding.line))]
    if finding.end_line == finding.line:
        properties += [("col", str(finding.column)), ("endColumn", str(finding.end_column))]
    else:
        properties.append(("endLine", str(finding.end_line)))
    properties.append(("title", f"setback check: {flag.title} ({flag.rule})"))
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    message = escape_data(f'"{flag.phrase}": {flag.reframe}')
    return f"::{_GITHUB_COMMAND[finding.severity]} {listed}::{message}"


def as_github(report: Report) -> str:
    """One GitHub Actions workflow command per flag (``::error``/``::warning``/``::notice``)."""
    return "".join(_annotation(finding) + "\n" for finding in report.findings)


RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": as_text,
    "json": as_json,
    "sarif": as_sarif,
    "github": as_github,
}
