"""The Home's closing line is true in every state: for someone who has not reflected
yet, with reflections, and right after Delete everything — it never says "you just did"
when nothing was just done."""

from __future__ import annotations

from typing import Any

from tests.integration.harness import ADA
from tests.integration.test_erase_everything_sent import erase_with_the_defaults
from tests.integration.test_home import open_home


def footer(view: dict[str, Any]) -> str:
    last = view["blocks"][-1]
    assert last["type"] == "context"
    return " ".join(e.get("text", "") for e in last["elements"])


def test_the_homes_closing_line_is_true_in_every_state(harness) -> None:
    h = harness
    seen = {"new": footer(open_home(h, ADA))}
    h.finish_setback(ADA)
    seen["with a reflection"] = footer(open_home(h, ADA))
    erase_with_the_defaults(h)
    seen["after Delete everything"] = footer(open_home(h, ADA))

    for state, line in seen.items():
        assert "nothing about your worth" in line, (state, line)
        assert "just did" not in line, (state, line)
