"""``setback check`` configuration (pyproject.toml, .setback-check.toml, --config) and
inline ``setback: ignore`` comments."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from bot.cli.check import run
from bot.cli.check.excludes import Excluder
from bot.cli.check.findings import Positions, ignores

SHOULD = "We should have waited.\n"
TWO_RULES = "Obviously we should have waited."  # hindsight-certainty, then counterfactual


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from an empty directory, so no configuration file above the tree applies."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(argv: list[str], stdin_text: str = "") -> tuple[int, str, str]:
    stdin, stdout, stderr = io.StringIO(stdin_text), io.StringIO(), io.StringIO()
    status = run(argv, stdin, stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _rules(argv: list[str], stdin_text: str = "") -> list[str]:
    _, out, _ = _run(["--json", *argv], stdin_text)
    return [row["rule"] for row in json.loads(out)]


# --- where the configuration comes from ------------------------------------------------


@pytest.mark.parametrize("name", ["counterfactual", "1", "Counterfactual", "COUNTERFACTUAL"])
def test_pyproject_table_disables_a_rule_by_id_number_or_title(tmp_path: Path, name: str) -> None:
    _write(tmp_path / "pyproject.toml", f'[tool.setback.check]\ndisable = ["{name}"]\n')
    assert _rules(["-"], TWO_RULES) == ["hindsight-certainty"]


def test_a_rule_number_may_be_a_toml_integer(tmp_path: Path) -> None:
    _write(tmp_path / ".setback-check.toml", "disable = [1, 8]\n")
    assert _run(["-"], TWO_RULES) == (0, "no blame flagged\n", "")


def test_own_file_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", '[tool.setback.check]\ndisable = ["counterfactual"]\n')
    _write(tmp_path / ".setback-check.toml", 'disable = ["hindsight-certainty"]\n')
    assert _rules(["-"], TWO_RULES) == ["counterfactual"]


def test_configuration_is_found_walking_up_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / ".setback-check.toml", 'disable = ["counterfactual"]\n')
    _write(tmp_path / "docs" / "pyproject.toml", '[project]\nname = "no-table-here"\n')
    (tmp_path / "docs" / "deep").mkdir()
    monkeypatch.chdir(tmp_path / "docs" / "deep")
    assert _rules(["-"], TWO_RULES) == ["hindsight-certainty"]


def test_the_nearest_configuration_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / ".setback-check.toml", 'disable = ["counterfactual"]\n')
    _write(tmp_path / "docs" / "pyproject.toml", "[tool.setback.check]\n")
    monkeypatch.chdir(tmp_path / "docs")
    assert _rules(["-"], TWO_RULES) == ["hindsight-certainty", "counterfactual"]


@pytest.mark.parametrize("name", ["team.toml", "pyproject.toml"])
def test_config_option_names_the_file(tmp_path: Path, name: str) -> None:
    _write(tmp_path / ".setback-check.toml", 'disable = ["hindsight-certainty"]\n')
    table = "[tool.setback.check]\n" if name == "pyproject.toml" else ""
    named = _write(tmp_path / "elsewhere" / name, table + 'disable = ["counterfactual"]\n')
    assert _rules(["--config", str(named), "-"], TWO_RULES) == ["hindsight-certainty"]


# --- severities ------------------------------------------------------------------------


def test_notes_are_shown_but_do_not_fail(tmp_path: Path) -> None:
    _write(tmp_path / ".setback-check.toml", 'severity = { counterfactual = "note" }\n')
    status, out, _ = _run(["-"], SHOULD)
    assert status == 0
    assert out.splitlines()[1:] == ["1 phrase flagged (1 note)"]
    assert out.startswith('-:1:4: note: "should have" — counterfactual — ')
    assert json.loads(_run(["--json", "-"], SHOULD)[1])[0]["severity"] == "note"


def test_an_error_severity_is_named_on_the_line_and_fails(tmp_path: Path) -> None:
    _write(tmp_path / ".setback-check.toml", "[severity]\ncounterfactual = 'error'\n")
    status, out, _ = _run(["-"], SHOULD)
    assert status == 1
    assert out.startswith('-:1:4: error: "should have" — ')
    _, github, _ = _run(["--format", "github", "-"], SHOULD)
    assert github.startswith("::error file=-,line=1,col=4,")
    _, sarif, _ = _run(["--format", "sarif", "-"], SHOULD)
    log = json.loads(sarif)["runs"][0]
    assert log["results"][0]["level"] == "error"
    first_rule = log["tool"]["driver"]["rules"][0]
    assert first_rule["defaultConfiguration"] == {"level": "error", "enabled": True}


def test_exit_zero_reports_but_succeeds() -> None:
    status, out, _ = _run(["--exit-zero", "-"], SHOULD)
    assert status == 0
    assert out.endswith("1 phrase flagged\n")


# --- exclude ---------------------------------------------------------------------------


def test_excluded_paths_are_skipped_when_walked_or_named(tmp_path: Path) -> None:
    _write(
        tmp_path / ".setback-check.toml",
        'exclude = ["drafts", "docs/old/**", "*.txt", "notes/[!k]*.md"]\n',
    )
    for name in ("drafts/a.md", "docs/drafts/b.md", "docs/old/x/c.md", "d.txt", "notes/l.md"):
        _write(tmp_path / name, SHOULD)
    kept = [_write(tmp_path / name, SHOULD) for name in ("docs/new.md", "notes/k.md")]
    _, out, _ = _run(["--json", "."])
    assert [row["path"] for row in json.loads(out)] == ["docs/new.md", "notes/k.md"]
    status, out, _ = _run(["drafts/a.md", "d.txt"])
    assert (status, out) == (0, "no blame flagged\n")
    assert all(path.exists() for path in kept)


def test_a_directory_whose_files_are_all_excluded_is_not_an_error(tmp_path: Path) -> None:
    _write(tmp_path / ".setback-check.toml", 'exclude = ["*.md"]\n')
    _write(tmp_path / "docs" / "a.md", SHOULD)
    assert _run(["docs"]) == (0, "no blame flagged\n", "")


def test_patterns_are_relative_to_the_configuration_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / ".setback-check.toml", 'exclude = ["docs/old"]\n')
    _write(tmp_path / "docs" / "old" / "a.md", SHOULD)
    monkeypatch.chdir(tmp_path / "docs")
    assert _run(["old"]) == (0, "no blame flagged\n", "")


@pytest.mark.parametrize(
    "pattern, path, excluded",
    [
        ("drafts", "drafts/a.md", True),
        ("drafts", "x/drafts/a.md", True),
        ("drafts", "drafts-old/a.md", False),
        ("docs/old", "docs/old/a.md", True),
        ("docs/old", "x/docs/old/a.md", False),
        ("**/old/*.md", "a/b/old/c.md", True),
        ("*.md", "a/b/c.md", True),
        ("a/*.md", "a/b/c.md", False),
        ("a/**/*.md", "a/c.md", True),
        ("/CHANGELOG.md", "CHANGELOG.md", True),
        ("./CHANGELOG.md", "docs/CHANGELOG.md", False),
        ("retro-?.md", "retro-1.md", True),
        ("retro-[0-9].md", "retro-x.md", False),
    ],
)
def test_exclude_patterns_read_like_gitignore(
    tmp_path: Path, pattern: str, path: str, excluded: bool
) -> None:
    assert Excluder([pattern], tmp_path)(str(tmp_path / path)) is excluded


# --- configuration errors --------------------------------------------------------------


@pytest.mark.parametrize(
    "content, words",
    [
        ("disabel = []\n", "unknown key 'disabel'"),
        ('disable = ["no-such-rule"]\n', "unknown rule 'no-such-rule'"),
        ('severity = { counterfactual = "fatal" }\n', "error, warning, note"),
        ('severity = { nope = "note" }\n', "unknown rule 'nope'"),
        ('exclude = "drafts"\n', "exclude must be a list"),
        ("disable = [\n", "not valid TOML"),
    ],
)
def test_a_bad_configuration_is_one_line_naming_the_file_and_exit_2(
    tmp_path: Path, content: str, words: str
) -> None:
    _write(tmp_path / ".setback-check.toml", content)
    status, out, err = _run(["-"], SHOULD)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    assert ".setback-check.toml" in err
    assert words in err


def test_a_missing_config_file_is_a_usage_error(tmp_path: Path) -> None:
    status, out, err = _run(["--config", str(tmp_path / "nope.toml"), "-"], SHOULD)
    assert (status, out) == (2, "")
    assert "nope.toml: no such file" in err


# --- inline ignores --------------------------------------------------------------------


def test_markdown_comment_silences_the_named_rule_on_its_line_only() -> None:
    text = f"{TWO_RULES} <!-- setback: ignore[counterfactual] -->\n{TWO_RULES}\n"
    _, out, _ = _run(["--json", "-"], text)
    assert [(row["line"], row["rule"]) for row in json.loads(out)] == [
        (1, "hindsight-certainty"),
        (2, "hindsight-certainty"),
        (2, "counterfactual"),
    ]


@pytest.mark.parametrize(
    "comment",
    [
        "# setback: ignore",
        "<!-- setback: ignore -->",
        "// setback:ignore",
        "<!-- setback: ignore[counterfactual, hindsight-certainty] -->",
        "# setback: ignore[1 8]",
    ],
)
def test_comments_that_silence_every_flag_on_the_line(comment: str) -> None:
    assert _run(["-"], f"{TWO_RULES} {comment}\n") == (0, "no blame flagged\n", "")


@pytest.mark.parametrize(
    "text",
    [
        f"{TWO_RULES} setback: ignore\n",  # not in a comment
        f"{TWO_RULES} # setback: ignored\n",
        f"{TWO_RULES} # setback: ignore-file\n",
        f"# setback: ignore\n{TWO_RULES}\n",  # another line
        f"{TWO_RULES} # setback: ignore[no-such-rule]\n",
    ],
)
def test_markers_that_silence_nothing(text: str) -> None:
    assert len(_rules(["-"], text)) == 2


def test_ignores_are_linear_in_many_markers_on_one_long_line() -> None:
    text = "x" * 1_000_000 + " setback: ignore" * 30_000
    started = time.perf_counter()
    found = ignores(text, Positions(text))
    assert time.perf_counter() - started < 0.5
    assert found == {}
