"""`settle_heap`: what startup built is frozen out of the collector's walks before the
server serves, and the garbage requests make is still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.core.runtime import settle_heap


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the suite runs with an ordinary heap


def test_startup_objects_are_frozen_and_later_garbage_is_still_collected(unfrozen: None) -> None:
    built_at_startup = _Node()
    settle_heap()
    assert gc.get_freeze_count() > 0
    assert not gc.is_tracked(built_at_startup) or built_at_startup not in gc.get_objects()
    made_by_a_request = _Node()
    gone = weakref.ref(made_by_a_request)
    del made_by_a_request
    gc.collect()
    assert gone() is None
