"""What the share flow answers, and the problems a post can meet, in plain words.

A view submission is answered with field errors or the next screen (`ShareOutcome`).
A reason not to post is a Slack-style error code (`ShareProblem`); the author reads it
as what happened and what to do (`problem_text`). For the codes in `UNSURE` the post
may have gone out after all, so the author is asked to look rather than told that
nothing was posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from slack_sdk.models.views import View

PROBLEMS = {
    "channel_not_found": "Setback can't see that channel. If it's private, invite @Setback "
    "to it first (/invite @Setback), then post.",
    "not_in_channel": "Invite @Setback to that channel first (/invite @Setback), then post.",
    "method_not_supported_for_channel_type": "Invite @Setback to that channel first "
    "(/invite @Setback), then post.",
    "is_archived": "That channel is archived, so nothing can be posted there. "
    "Please pick another one.",
    "not_member": "You're not a member of that channel. Please pick a channel you're in.",
    "not_a_channel": "Please pick a channel rather than a direct message.",
    "ratelimited": "Slack asked Setback to slow down for a moment. Wait a minute, then try again.",
    "restricted_action": "This workspace's settings don't let Setback post in that channel. "
    "Pick another one, or ask a workspace admin.",
    "msg_too_long": "The post is too long for Slack. Shorten a part with *Edit the text*, "
    "then try again.",
    "interrupted": "Setback was interrupted before it could finish, so nothing went out. "
    "Your draft is kept — open it again whenever you'd like to share it.",
    "unconfirmed": "Slack couldn't be reached to check. Please have a look in the channel; "
    "if it isn't there, open the draft again to share it.",
}
UNSURE = ("unconfirmed",)  # codes where the post may have gone out after all
DEFAULT_PROBLEM = "Slack couldn't take the post just now. Please try again in a moment."


def problem_text(code: str | None) -> str:
    """What happened and what to do, in plain words, for a Slack error code."""
    return PROBLEMS.get(code or "", DEFAULT_PROBLEM)


# How a share modal's submission is answered: Slack's `response_action`.
ShareAction = Literal["errors", "update"]


@dataclass(frozen=True)
class ShareOutcome:
    """How to answer a view submission: field errors, or the next screen."""

    action: ShareAction
    view: View | None = None
    errors: dict[str, str] | None = None


class ShareProblem(Exception):
    """A reason not to post, as a Slack-style error code (see `PROBLEMS`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
