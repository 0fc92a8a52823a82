"""Browser tests: the real sandbox and bot (``python -m sandbox``), driven with Playwright.

Debian's Chromium is used (``/usr/bin/chromium``; ``.ci/run`` installs it when missing),
launched headless with the flags a container needs. On a newcomer's machine without it
the tests skip with a reason; under CI=true a skip fails the run (tests/conftest.py).
Screenshots of each stage go to ``test-artifacts/browser/`` (gitignored); a failing test
leaves a screenshot of what the page showed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import needs
from tests.sandbox.launch import Launched, clean_env, launch

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
DOCS = ROOT / "docs"
# Wednesday 25 November 2026, 10:00 UTC: inside Ada's London working hours, so the
# journey (and its screenshots) read the same whatever day the tests run.
START = "2026-11-25T10:00:00Z"
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 780}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        needs(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        needs("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def sandbox(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Launched]:
    """A fresh sandbox + bot for one test module, in its own working directory."""
    # Only the clock buttons dispatch in these tests: the bot's own 30 s tick could
    # otherwise deliver a check-in between the clock moving and the hook's pass.
    running = launch(
        tmp_path_factory.mktemp("sandbox"),
        ["--start", START],
        env=clean_env(SETBACK_DISPATCH_INTERVAL="86400"),
    )
    try:
        running.wait_open()
        yield running
    finally:
        running.interrupt()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)  # what the bot and sandbox printed
        (ARTIFACTS / f"{request.module.__name__.rsplit('.', 1)[-1]}.log").write_text(running.text())


@pytest.fixture
def page(browser: Any, sandbox: Launched, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport=WIDE, reduced_motion="reduce")
    context.set_default_timeout(15_000)
    (ARTIFACTS / f"FAILED-{request.node.name}.png").unlink(missing_ok=True)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"))
    context.close()
    assert not errors, f"the page raised JavaScript errors: {errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]  # why: pytest's documented way to hand a test's report to its fixtures


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll until ``predicate()`` is truthy and return it (the bot works after its ack)."""
    deadline = time.monotonic() + timeout
    while True:
        found = predicate()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def pick(scope: Any, label: str, *options: str) -> None:
    """Use a multi-select as in Slack: click its box, pick each option from the list that
    opens, then close the list (Escape closes the list only, never the modal)."""
    box = scope.get_by_label(label)
    box.click()
    listbox = scope.locator(f"#{box.get_attribute('aria-controls')}")
    for option in options:
        listbox.get_by_role("option", name=option, exact=True).click()
    box.press("Escape")


def shoot(tab: Any, name: str, *, docs: str | None = None, frame: Any = None) -> Path:
    """Save a screenshot of this stage under test-artifacts/browser/.

    With ``docs`` and SETBACK_UPDATE_DOCS=1 it also refreshes that picture in docs/ (the
    README shows it), cropped to ``frame`` (a locator) and a margin so it stays small.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path))
    if docs and os.environ.get("SETBACK_UPDATE_DOCS") == "1":
        clip = None
        if frame is not None:
            box, size, margin = frame.bounding_box(), tab.viewport_size, 16
            x, y = max(0, box["x"] - margin), max(0, box["y"] - margin)
            right = min(size["width"], box["x"] + box["width"] + margin)
            bottom = min(size["height"], box["y"] + box["height"] + margin)
            clip = {"x": x, "y": y, "width": right - x, "height": bottom - y}
        tab.screenshot(path=str(DOCS / docs), clip=clip)
    return path
