"""The help's account of the reflection and the modal titles, checked on the data."""

from __future__ import annotations

import json

from bot.reflection.help_view import SCREEN_TOPICS, help_message
from bot.reflection.screens import SCREENS, TOTAL_STEPS
from bot.reflection.views import step_view

SLACK_TITLE_LIMIT = 24


def test_the_help_names_one_topic_per_screen() -> None:
    assert len(SCREEN_TOPICS) == TOTAL_STEPS == len(SCREENS)


def test_every_modal_title_fits_and_differs_from_its_heading() -> None:
    titles = [s.title for s in SCREENS]
    assert len(set(titles)) == len(titles), "each screen has its own title"
    for s in SCREENS:
        assert len(s.title) <= SLACK_TITLE_LIMIT, s.title
        assert s.title.casefold() != s.heading.casefold(), s.title
        view = step_view(s.step, None).to_dict()  # slack_sdk checks Slack's limits
        assert view["title"]["text"] == s.title


def test_an_unknown_word_is_escaped_and_cut() -> None:
    text, blocks = help_message(unknown="<@U123>" + "x" * 100)
    first = blocks[0]["text"]["text"]
    assert first.startswith("I don't know `/setback &lt;@U123&gt;")
    assert "<@U123>" not in json.dumps(blocks) and "<@U123>" not in text
    assert len(first) < 200
