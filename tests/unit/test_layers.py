"""The import rules of docs/ARCHITECTURE.md ("Layers"), checked on the source.

handlers → bot → storage, scheduler → bot → storage; storage imports nothing of ours;
only the composition root (bot/app.py, bot/cli) imports handlers and scheduler;
bot/core imports no domain package; bot/language and the planning rules are pure.
(The sandbox's side of the boundary is checked in tests/sandbox/test_boundaries.py.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("bot", "handlers", "scheduler", "storage", "sandbox")
DOMAINS = ("reflection", "checkins", "sharing", "journal", "members")


def imports_of(path: Path) -> set[str]:
    """Every module of ours this file imports, at any depth (lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found.update(n for n in names if n.split(".")[0] in OURS)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] in OURS)
    return found


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def offending(folder: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    bad = []
    for path in sources(folder):
        rel = path.relative_to(ROOT).as_posix()
        if any(rel.startswith(a) for a in allowed):
            continue
        for name in imports_of(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{rel} imports {name}")
    return bad


def test_the_scan_sees_real_imports() -> None:
    assert "bot.core.runtime" in imports_of(ROOT / "bot" / "app.py")
    assert "handlers" in {n.split(".")[0] for n in imports_of(ROOT / "bot" / "app.py")}


def test_storage_imports_nothing_of_ours() -> None:
    assert offending("storage", ("bot", "handlers", "scheduler", "sandbox")) == []


def test_only_the_composition_root_imports_handlers_and_scheduler() -> None:
    assert offending("bot", ("handlers", "scheduler"), allowed=("bot/app.py", "bot/cli/")) == []


def test_handlers_and_scheduler_do_not_import_each_other() -> None:
    assert offending("handlers", ("scheduler",)) == []
    assert offending("scheduler", ("handlers",)) == []


def test_plumbing_imports_no_domain_package() -> None:
    assert offending("bot/core", tuple(f"bot.{d}" for d in DOMAINS)) == []


@pytest.mark.parametrize("folder", ["bot/language"])
def test_the_language_checks_are_pure(folder: str) -> None:
    forbidden = ("storage", "handlers", "scheduler", "sandbox", "bot.core") + tuple(
        f"bot.{d}" for d in DOMAINS
    )
    assert offending(folder, forbidden) == []


def test_nothing_of_the_bot_imports_the_sandbox() -> None:
    for folder in ("bot", "handlers", "scheduler", "storage"):
        assert offending(folder, ("sandbox",)) == []
