"""Fixtures for integration tests: a running bot wired to the sandbox Slack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.harness import Harness


@pytest.fixture
def harness(tmp_path) -> Iterator[Harness]:
    h = Harness(tmp_path).start()
    yield h
    h.stop()
