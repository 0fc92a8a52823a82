"""Every `# type: ignore` in the repository names its error code and says why.

mypy runs in strict mode over the project packages (`make test`); an ignore is a claim
that the checker is wrong or cannot know, so it has to say which error it silences and
why, where the next reader will look: on the same line, as `# type: ignore[code]  # why: …`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("bot", "handlers", "scheduler", "storage", "sandbox", "tests", "benchmarks")
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<rest>.*)$")
WELL_FORMED = re.compile(r"^\[[a-z-]+(,\s*[a-z-]+)*\]\s+#\s*why:\s*\S")


def ignores() -> list[tuple[str, int, str]]:
    found = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                match = IGNORE.search(line)
                if match and path.name != Path(__file__).name:
                    found.append((str(path.relative_to(ROOT)), number, match.group("rest")))
    return found


def test_the_scan_finds_the_project_sources() -> None:
    assert (ROOT / "bot" / "app.py").is_file()


@pytest.mark.parametrize("where, number, rest", ignores() or [("none", 0, "[x]  # why: none")])
def test_each_type_ignore_names_its_code_and_says_why(where: str, number: int, rest: str) -> None:
    assert WELL_FORMED.match(rest), f"{where}:{number}: '# type: ignore{rest}'"


def test_a_bare_or_unexplained_ignore_is_caught() -> None:
    assert not WELL_FORMED.match("")
    assert not WELL_FORMED.match("[arg-type]")
    assert not WELL_FORMED.match("  # why: no code")
    assert WELL_FORMED.match("[arg-type]  # why: slack_sdk types the dict loosely")
