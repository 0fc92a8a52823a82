"""The blameless check on what two fresh batches (postmortems AA, write-ups AB) held:
words that look like a person or a slip but name a thing ("the dev cluster should not
have much impact", "just shy of 120 thousand lines", a Title Case heading, "lazy
upgrade"), advice ("don't forget to include your key"), a team judging its own practice
("we are bad at deprecating projects"); and what the check missed: the writer owning the
mistake ("That mistake was mine", "my screw up"), a colleague "throwing me under the bus"
told in the progressive. Each has a twin that must keep its flag or stay quiet.

The sentences are our own, shaped after what the published texts held.
"""

from __future__ import annotations

import pytest

from tests.unit.blameless_cases import assert_quiet, assert_warned

WARNED = [
    ("That mistake was mine, and nobody else's.", "That mistake was mine"),
    ("So, after my screw up today, I went home early.", "my screw up"),
    ("He was throwing me under the bus in every meeting.", "throwing me under the bus"),
    ("She is throwing us under the bus again.", "throwing us under the bus"),
    # the twins: a role with a slip, a name with a slip, the writer's own verdict
    ("The developer should not have deployed on a Friday.", "The developer should not have"),
    ("Bob forgot to rotate the key.", "Bob forgot"),
    ("I'm terrible at estimating.", "I'm terrible at"),
]

QUIET = [
    "Disruptions on the weekly dev cluster should not have much impact on users.",
    "The admin panel should not have many visitors at night.",
    "Ncurses is just shy of 120 thousand lines of code.",
    "If you find a bug, don't forget to include your PGP key.",
    "# Post-Mortem: High Missed Block Rate Incident on 28/11/2024",
    "Users may still have run a cached version with lazy upgrade.",
    " * We are bad at deprecating projects (docker-worker in this case)",
    "The release was throwing us under the bus, one flaky test at a time.",
    "The mistake was easy to make; the fault was in the form.",
]


@pytest.mark.parametrize(("text", "phrase"), WARNED)
def test_the_writer_owning_a_slip_or_a_colleague_blamed_is_flagged(text: str, phrase: str) -> None:
    assert_warned(text, phrase)


@pytest.mark.parametrize("text", QUIET)
def test_a_thing_advice_or_a_teams_practice_is_left_alone(text: str) -> None:
    assert_quiet(text)
