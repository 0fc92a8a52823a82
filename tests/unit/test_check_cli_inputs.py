"""``setback check`` inputs and exit codes: several files, directories, standard input
read exactly like a file, and the command run as a real process and as a pre-commit hook."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import TextIO

import pytest
import yaml

from bot.cli.check import run
from bot.cli.check.inputs import SUFFIXES
from bot.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
SHOULD = "We should have waited.\n"
CLEAN = "The alert fired twice.\n"
# a BOM, CRLF line ends, a tab and a non-ASCII character before the flagged phrase
BOM_TEXT = "\ufeffIntro \u2014 line.\r\n\tWe should have waited.\r\nObviously.\r\n".encode()


@pytest.fixture(autouse=True)
def _no_configuration_around(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty directory, so no configuration file above the tree applies."""
    monkeypatch.chdir(tmp_path)


def _run(argv: list[str], stdin: TextIO | None = None) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run(argv, stdin or io.StringIO(""), stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


def _byte_stdin(data: bytes) -> io.TextIOWrapper:
    """Standard input as the process has it: text over a byte buffer."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")


def _write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _without_path(out: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(out)
    return [{k: v for k, v in row.items() if k != "path"} for row in rows]


# --- several inputs --------------------------------------------------------------------


def test_several_files_in_one_call_are_reported_in_order(tmp_path: Path) -> None:
    one, two = _write(tmp_path / "b.md", SHOULD), _write(tmp_path / "a.txt", SHOULD)
    status, out, _ = _run([str(one), str(two)])
    lines = out.splitlines()
    assert status == 1
    assert lines[0].startswith(f"{one}:1:4: ")
    assert lines[1].startswith(f"{two}:1:4: ")
    assert lines[2] == "2 phrases flagged in 2 of 2 files"


def test_a_directory_is_walked_for_text_documents_in_name_order(tmp_path: Path) -> None:
    for name in ("b.md", "a/c.markdown", "a/d.rst", "e.txt", "f.py", "g.html", "A.MD"):
        _write(tmp_path / "docs" / name, SHOULD)
    for hidden in (".git/h.md", "node_modules/i.md", ".venv/j.txt", "__pycache__/k.md"):
        _write(tmp_path / "docs" / hidden, SHOULD)
    _, out, _ = _run(["--json", "docs"])
    paths = [row["path"] for row in json.loads(out)]
    assert paths == ["docs/A.MD", "docs/b.md", "docs/e.txt", "docs/a/c.markdown", "docs/a/d.rst"]
    assert set(SUFFIXES) == {".md", ".markdown", ".txt", ".rst"}


def test_a_file_named_explicitly_is_checked_whatever_its_extension(tmp_path: Path) -> None:
    path = _write(tmp_path / "retro.html", SHOULD)
    assert _run([str(path)])[0] == 1


def test_a_directory_with_nothing_to_check_is_an_input_error(tmp_path: Path) -> None:
    _write(tmp_path / "code" / "x.py", SHOULD)
    status, out, err = _run(["code"])
    assert (status, out) == (2, "")
    assert err == (
        "setback check: code: a directory with no *.md, *.markdown, *.txt, *.rst files\n"
    )


def test_an_unreadable_input_does_not_hide_the_others(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.md", SHOULD)
    status, out, err = _run([str(tmp_path / "missing.md"), str(good)])
    assert status == 2
    assert out.splitlines()[0].startswith(f"{good}:1:4: ")
    assert err.count("\n") == 1 and "missing.md: no such file" in err


def test_exit_zero_never_hides_an_input_error(tmp_path: Path) -> None:
    status, _, _ = _run(["--exit-zero", str(tmp_path / "missing.md")])
    assert status == 2


# --- standard input behaves exactly like a file ----------------------------------------


def test_stdin_and_file_give_identical_offsets_with_a_bom_and_crlf(tmp_path: Path) -> None:
    path = _write(tmp_path / "retro.md", BOM_TEXT)
    _, from_file, _ = _run(["--json", str(path)])
    _, from_stdin, _ = _run(["--json", "-"], _byte_stdin(BOM_TEXT))
    rows = _without_path(from_file)
    assert rows == _without_path(from_stdin)
    assert [(row["line"], row["column"]) for row in rows] == [(2, 5), (3, 1)]
    text = BOM_TEXT.decode("utf-8-sig")
    assert [text[int(str(r["start"])) : int(str(r["end"]))] for r in rows] == [
        "should have",
        "Obviously",
    ]


def test_text_output_is_identical_but_for_the_name(tmp_path: Path) -> None:
    path = _write(tmp_path / "retro.md", BOM_TEXT)
    _, from_file, _ = _run([str(path)])
    _, from_stdin, _ = _run(["--stdin-filename", str(path), "-"], _byte_stdin(BOM_TEXT))
    assert from_file == from_stdin


@pytest.mark.parametrize("where", ["file", "stdin"])
def test_invalid_utf8_is_exit_2_with_one_line_naming_the_input(tmp_path: Path, where: str) -> None:
    data = b"Fine line.\nWe should have waited \xff\xfe.\n"
    if where == "file":
        path = _write(tmp_path / "latin.md", data)
        status, out, err = _run([str(path)])
        name = str(path)
    else:
        status, out, err = _run(["-"], _byte_stdin(data))
        name = "standard input"
    assert (status, out) == (2, "")
    assert err == f"setback check: {name}: not UTF-8 text (byte 0xff on line 2)\n"


def test_stdin_filename_names_stdin_in_messages() -> None:
    status, _, err = _run(["--stdin-filename", "retro.md", "-"], _byte_stdin(b"\xff"))
    assert status == 2
    assert err.startswith("setback check: retro.md: not UTF-8")


# --- exit codes and --help -------------------------------------------------------------


def test_help_documents_the_exit_codes() -> None:
    status, out, _ = _run(["--help"])
    assert status == 0
    block = out.split("exit status:", 1)[1]
    for code in ("0", "1", "2"):
        assert re.search(rf"^\s+{code}\s+\S", block, re.MULTILINE), code
    for word in ("--format", "--config", "--exit-zero", "setback: ignore", "pyproject.toml"):
        assert word in out


# --- as a process ----------------------------------------------------------------------


def _commands() -> list[list[str]]:
    script = Path(sys.executable).with_name("setback")
    found = [[sys.executable, "-m", "bot.cli", "check"]]
    if script.exists():
        found.append([str(script), "check"])
    return found


@pytest.mark.parametrize("command", _commands(), ids=lambda c: Path(c[0]).name)
def test_the_real_command_reads_files_and_stdin_alike(command: list[str], tmp_path: Path) -> None:
    path = _write(tmp_path / "retro.md", BOM_TEXT)
    as_file = subprocess.run(
        [*command, "--json", str(path)], capture_output=True, cwd=tmp_path, timeout=60
    )
    as_stdin = subprocess.run(
        [*command, "--json", "-"], input=BOM_TEXT, capture_output=True, cwd=tmp_path, timeout=60
    )
    assert (as_file.returncode, as_stdin.returncode) == (1, 1)
    assert _without_path(as_file.stdout.decode()) == _without_path(as_stdin.stdout.decode())
    bad = subprocess.run(
        [*command, "-"], input=b"\xff", capture_output=True, cwd=tmp_path, timeout=60
    )
    assert bad.returncode == 2
    assert bad.stderr.decode().strip() == (
        "setback check: standard input: not UTF-8 text (byte 0xff on line 1)"
    )
    clean = subprocess.run(
        [*command, "--format", "github", "-"],
        input=CLEAN.encode(),
        capture_output=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert (clean.returncode, clean.stdout) == (0, b"")


# --- as a pre-commit hook --------------------------------------------------------------


def _hook() -> dict[str, object]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    (hook,) = [hook for hook in hooks if hook["id"] == "setback-check"]
    assert isinstance(hook, dict)
    return hook


def test_pre_commit_hook_names_the_real_command() -> None:
    hook = _hook()
    assert hook["language"] == "python"
    program, subcommand = str(hook["entry"]).split()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert scripts[program] == "bot.cli.main:main"
    assert build_parser().parse_args([subcommand]).command == subcommand


def test_pre_commit_hook_selects_the_files_a_directory_walk_would() -> None:
    files = re.compile(str(_hook()["files"]))
    for name in ("postmortems/2024-05-01.md", "a.markdown", "b.txt", "c.rst"):
        assert files.search(name), name
    for name in ("app.py", "notes.md.bak", "image.png"):
        assert not files.search(name), name


def test_the_hook_entry_runs_as_pre_commit_would_call_it(tmp_path: Path) -> None:
    """pre-commit appends the changed files to the entry and fails on a non-zero exit."""
    flagged, clean = _write(tmp_path / "a.md", SHOULD), _write(tmp_path / "b.md", CLEAN)
    program = Path(sys.executable).with_name(str(_hook()["entry"]).split()[0])
    if not program.exists():
        pytest.skip("the setback console script is not installed next to this Python")
    entry = [str(program), *str(_hook()["entry"]).split()[1:]]
    env = {**os.environ, "NO_COLOR": "1"}
    failing = subprocess.run(
        [*entry, str(clean), str(flagged)], capture_output=True, cwd=tmp_path, env=env, timeout=60
    )
    passing = subprocess.run(
        [*entry, str(clean)], capture_output=True, cwd=tmp_path, env=env, timeout=60
    )
    assert (failing.returncode, passing.returncode) == (1, 0)
    assert f"{flagged}:1:4: " in failing.stdout.decode()
