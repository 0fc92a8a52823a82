"""The sandbox and the bot meet only over HTTP, as Slack and an app do (docs/ARCHITECTURE.md).

The sandbox imports nothing of the bot, and nothing of the bot imports the sandbox; the
launcher starts the bot as a separate program.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOT_PACKAGES = {"bot", "handlers", "scheduler", "storage"}


def imported_packages(folder: Path) -> dict[str, set[str]]:
    """Top-level package of every import in every module under ``folder``, by file."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_the_sandbox_imports_nothing_of_the_bot() -> None:
    modules = imported_packages(ROOT / "sandbox")
    assert "sandbox/launcher.py" in modules and "sandbox/server.py" in modules
    offenders = {
        path: names & BOT_PACKAGES for path, names in modules.items() if names & BOT_PACKAGES
    }
    assert offenders == {}


def test_nothing_of_the_bot_imports_the_sandbox() -> None:
    offenders = {
        path: "sandbox"
        for package in sorted(BOT_PACKAGES)
        for path, names in imported_packages(ROOT / package).items()
        if "sandbox" in names
    }
    assert offenders == {}
