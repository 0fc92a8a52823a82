"""``setback check --format``: positions as editors count them, JSON, SARIF 2.1.0, GitHub."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.cli.check import run
from bot.cli.check.formats import escape_data, escape_property
from bot.language.blameless import RULES

SHOULD = "We should have waited.\n"


@pytest.fixture(autouse=True)
def _no_configuration_around(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty directory, so no configuration file above the tree applies."""
    monkeypatch.chdir(tmp_path)


def _run(argv: list[str], stdin_text: str = "") -> tuple[int, str, str]:
    stdin, stdout, stderr = io.StringIO(stdin_text), io.StringIO(), io.StringIO()
    status = run(argv, stdin, stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    return path


# --- positions -------------------------------------------------------------------------


def test_text_lines_carry_line_and_column_as_editors_count(tmp_path: Path) -> None:
    # a tab and an emoji count one character each, as an editor's column does
    path = _write(tmp_path / "retro.md", "Intro line.\n\t\U0001f642 We should have waited.\n")
    status, out, _ = _run([str(path)])
    assert status == 1
    assert out.splitlines()[0].startswith(f'{path}:2:7: "should have" — counterfactual — ')


def test_json_positions_agree_with_the_text_and_the_offsets(tmp_path: Path) -> None:
    text = "Intro line.\r\n\t\U0001f642 We should have waited.\r\n"
    path = _write(tmp_path / "retro.md", text)
    _, out, _ = _run(["--format", "json", str(path)])
    (row,) = json.loads(out)
    assert (row["line"], row["column"], row["end_line"], row["end_column"]) == (2, 7, 2, 18)
    assert text[row["start"] : row["end"]] == "should have"
    assert row["path"] == str(path)
    assert row["severity"] == "warning"


def test_a_flag_across_a_line_break_ends_on_the_next_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "retro.md", "We should\nhave waited.\n")
    _, out, _ = _run(["--json", str(path)])
    (row,) = json.loads(out)
    assert (row["line"], row["column"], row["end_line"], row["end_column"]) == (1, 4, 2, 5)
    status, text_out, _ = _run([str(path)])
    assert text_out.splitlines()[0].startswith(f'{path}:1:4: "should have" — ')


def test_summary_counts_files_when_there_are_several(tmp_path: Path) -> None:
    one = _write(tmp_path / "one.md", SHOULD)
    two = _write(tmp_path / "two.md", "The alert fired twice.\n")
    _, out, _ = _run([str(one), str(two)])
    assert out.splitlines()[-1] == "1 phrase flagged in 1 of 2 files"
    _, out, _ = _run([str(two), str(two)])  # named twice, read once
    assert out == "no blame flagged\n"
    _, out, _ = _run([str(two), "-"], "Fine.\n")
    assert out == "no blame flagged in 2 files\n"


# --- SARIF -----------------------------------------------------------------------------

_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_POSITIVE = {"type": "integer", "minimum": 1}
# The parts of the SARIF 2.1.0 schema that code-scanning tools rely on.
SARIF_SUBSET: dict[str, Any] = {
    "type": "object",
    "required": ["version", "$schema", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "pattern": "^https://.*sarif-schema-2\\.1\\.0\\.json$"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "name": {"type": "string", "minLength": 1},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "shortDescription"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "shortDescription": _MESSAGE,
                                                "helpUri": {"type": "string"},
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {
                                                        "level": {
                                                            "enum": [
                                                                "none",
                                                                "note",
                                                                "warning",
                                                                "error",
                                                            ]
                                                        },
                                                        "enabled": {"type": "boolean"},
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "invocations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["executionSuccessful"],
                            "properties": {"executionSuccessful": {"type": "boolean"}},
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "level", "message", "locations"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": 0},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": _MESSAGE,
                                "locations": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation", "region"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                        "properties": {"uri": {"type": "string"}},
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "required": [
                                                            "startLine",
                                                            "startColumn",
                                                            "endLine",
                                                            "endColumn",
                                                        ],
                                                        "properties": {
                                                            "startLine": _POSITIVE,
                                                            "startColumn": _POSITIVE,
                                                            "endLine": _POSITIVE,
                                                            "endColumn": _POSITIVE,
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def _sarif(argv: list[str], stdin_text: str = "") -> tuple[int, dict[str, Any]]:
    status, out, _ = _run(["--format", "sarif", *argv], stdin_text)
    log = json.loads(out)
    jsonschema.Draft202012Validator(SARIF_SUBSET).validate(log)
    return status, log


def test_sarif_log_has_the_required_structure_and_every_rule(tmp_path: Path) -> None:
    _write(tmp_path / "docs" / "my retro.md", "Intro.\n\tObviously we should have waited.\n")
    status, log = _sarif(["docs"])
    assert status == 1
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.rule for rule in RULES]
    assert run_["columnKind"] == "unicodeCodePoints"
    assert run_["invocations"][0]["executionSuccessful"] is True
    results = run_["results"]
    assert [result["ruleId"] for result in results] == ["hindsight-certainty", "counterfactual"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "warning"
    location = results[1]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "docs/my%20retro.md"
    region = location["region"]
    assert (region["startLine"], region["startColumn"]) == (2, 15)
    assert (region["endLine"], region["endColumn"]) == (2, 15 + len("should have"))


def test_sarif_on_clean_input_has_no_results_and_exits_zero() -> None:
    status, log = _sarif(["-"], "The alert fired twice.\n")
    assert status == 0
    assert log["runs"][0]["results"] == []


def test_sarif_reports_an_unreadable_input_as_an_unsuccessful_run(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.md", SHOULD)
    status, log = _sarif([str(good), str(tmp_path / "missing.md")])
    assert status == 2
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "no such file" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    assert len(log["runs"][0]["results"]) == 1


# --- GitHub workflow commands ----------------------------------------------------------

_COMMAND = re.compile(r"^::(?P<kind>error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def _unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def _annotations(out: str) -> list[tuple[str, dict[str, str], str]]:
    parsed = []
    for line in out.splitlines():
        match = _COMMAND.match(line)
        assert match, line
        props = dict(item.split("=", 1) for item in match["props"].split(","))
        parsed.append(
            (match["kind"], {k: _unescape(v) for k, v in props.items()}, match["message"])
        )
    return parsed


def test_escaping_follows_githubs_rules() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext%3A a%2C b"


def test_github_format_prints_one_annotation_per_flag(tmp_path: Path) -> None:
    path = _write(tmp_path / "50%, q1: retro.md", "Obviously we should have waited.\n")
    status, out, err = _run(["--format", "github", path.name])
    assert (status, err) == (1, "")
    (kind, props, message), (kind2, props2, _) = _annotations(out)
    assert (kind, kind2) == ("warning", "warning")
    assert props["file"] == props2["file"] == "50%, q1: retro.md"
    assert (props2["line"], props2["col"], props2["endColumn"]) == ("1", "14", "25")
    assert "Counterfactual" in props2["title"]
    assert message.startswith('"Obviously"')
    assert "no blame" not in out and "flagged" not in out


def test_github_annotation_over_two_lines_names_the_end_line_and_escapes_newlines(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path / "retro.md", "We should\nhave waited.\n")
    _, out, _ = _run(["--format", "github", str(path)])
    ((_, props, message),) = _annotations(out)
    assert (props["line"], props["endLine"]) == ("1", "2")
    assert "col" not in props
    assert message.startswith('"should%0Ahave"')


def test_clean_input_prints_no_annotations() -> None:
    assert _run(["--format", "github"], "The alert fired twice.\n") == (0, "", "")


def test_format_and_json_together_are_a_usage_error() -> None:
    status, out, err = _run(["--json", "--format", "sarif"])
    assert (status, out) == (2, "")
    assert "not allowed with" in err


def test_an_unknown_format_is_a_usage_error() -> None:
    status, _, err = _run(["--format", "xml"])
    assert status == 2
    assert "invalid choice" in err
