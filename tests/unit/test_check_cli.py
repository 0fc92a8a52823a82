"""``setback check``: output lines, summary, JSON, exit codes and input errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli.check import run
from bot.language.blameless import check

# Two warnings: a counterfactual, and a person named as the root cause (a technical root
# cause such as "the root cause was DNS" is how postmortems are written, and stays clean).
FLAGGED = (
    "What happened: the deploy went out.\nWe should have waited.\nThe root cause was the intern.\n"
)
# Advice on the account's form only: a note, shown with its severity, never failing.
NOTE_ONLY = "What happened: the deploy went out.\nIt was just a small outage.\n"
CLEAN = "We shipped the fix on Tuesday.\nThe alert fired twice.\n"


@pytest.fixture(autouse=True)
def _no_configuration_around(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty directory, so no configuration file above the tree applies."""
    monkeypatch.chdir(tmp_path)


def _run(argv: list[str], stdin_text: str = "") -> tuple[int, str, str]:
    stdin, stdout, stderr = io.StringIO(stdin_text), io.StringIO(), io.StringIO()
    status = run(argv, stdin, stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def flagged_file(tmp_path: Path) -> Path:
    path = tmp_path / "retro.md"
    path.write_text(FLAGGED, encoding="utf-8")
    return path


def test_flagged_file_prints_one_line_per_flag_then_a_summary(flagged_file: Path) -> None:
    status, out, err = _run([str(flagged_file)])
    lines = out.splitlines()
    flags = check(FLAGGED)
    assert status == 1
    assert err == ""
    assert lines == [
        f'{flagged_file}:2:4: "should have" — counterfactual — {flags[0].reframe}',
        f'{flagged_file}:3:5: "root cause" — root-cause — {flags[1].reframe}',
        "2 phrases flagged",
    ]


def test_a_note_is_printed_with_its_severity_and_does_not_fail(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(NOTE_ONLY, encoding="utf-8")
    status, out, err = _run([str(path)])
    (flag,) = check(NOTE_ONLY)
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        f'{path}:2:8: note: "just a small outage" — minimising — {flag.reframe}',
        "1 phrase flagged (1 note)",
    ]


def test_a_single_flag_uses_the_singular(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text("Obviously it was DNS.", encoding="utf-8")
    status, out, _ = _run([str(path)])
    assert status == 1
    assert out.splitlines()[-1] == "1 phrase flagged"
    assert len(out.splitlines()) == 2


def test_clean_file_says_so_and_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "clean.txt"
    path.write_text(CLEAN, encoding="utf-8")
    status, out, err = _run([str(path)])
    assert (status, out, err) == (0, "no blame flagged\n", "")


@pytest.mark.parametrize("argv", [["-"], []])
def test_stdin_is_read_for_dash_or_no_argument(argv: list[str]) -> None:
    status, out, _ = _run(argv, stdin_text=FLAGGED)
    lines = out.splitlines()
    assert status == 1
    assert lines[0].startswith('-:2:4: "should have" — counterfactual — ')
    assert lines[1].startswith('-:3:5: "root cause" — root-cause — ')
    assert lines[-1] == "2 phrases flagged"


def test_clean_stdin_exits_zero() -> None:
    assert _run(["-"], stdin_text=CLEAN) == (0, "no blame flagged\n", "")


def test_empty_input_is_clean() -> None:
    assert _run([], stdin_text="") == (0, "no blame flagged\n", "")


def test_json_prints_only_an_array_of_flags(flagged_file: Path) -> None:
    status, out, err = _run([str(flagged_file), "--json"])
    rows = json.loads(out)
    assert status == 1
    assert err == ""
    assert [row["phrase"] for row in rows] == ["should have", "root cause"]
    first = rows[0]
    assert set(first) == {
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "start",
        "end",
        "phrase",
        "rule",
        "number",
        "title",
        "reframe",
        "severity",
    }
    assert (first["line"], first["rule"], first["number"]) == (2, "counterfactual", 1)
    assert FLAGGED[first["start"] : first["end"]] == "should have"
    assert "flagged" not in out


def test_json_on_clean_input_is_an_empty_array() -> None:
    status, out, _ = _run(["--json", "-"], stdin_text=CLEAN)
    assert status == 0
    assert json.loads(out) == []


def test_json_keeps_non_ascii_text_readable() -> None:
    _, out, _ = _run(["--json"], stdin_text="I shouldn\u2019t have pushed.")
    assert "shouldn\u2019t have" in out
    assert json.loads(out)[0]["phrase"] == "shouldn\u2019t have"


def test_missing_file_is_a_one_line_error_with_status_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.md"
    status, out, err = _run([str(missing)])
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "no such file" in err
    assert "Traceback" not in err


def test_directory_is_rejected_with_status_2(tmp_path: Path) -> None:
    status, out, err = _run([str(tmp_path)])
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    assert "directory" in err


def test_binary_file_is_rejected_with_status_2(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    status, out, err = _run([str(path), "--json"])
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    assert "text" in err


def test_text_with_nul_bytes_is_not_treated_as_text(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(b"should have\x00\x00")
    status, _, err = _run([str(path)])
    assert status == 2
    assert "binary" in err


def test_utf8_bom_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffWe should have waited.".encode())
    status, out, _ = _run([str(path)])
    assert status == 1
    assert f'{path}:1:4: "should have"' in out


def test_unknown_option_is_a_usage_error_with_status_2() -> None:
    status, out, err = _run(["--nope"])
    assert status == 2
    assert out == ""
    assert "setback check" in err
    assert "Traceback" not in err


def test_help_goes_to_stdout_and_exits_zero() -> None:
    status, out, _ = _run(["--help"])
    assert status == 0
    assert out.startswith("usage: setback check")
    assert "--json" in out
