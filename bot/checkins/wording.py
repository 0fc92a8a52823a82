"""The words of growth check-ins: what the bot says in a setback's DM thread, later.

The rules, each with the research it rests on:

- prompts wear off with repetition (HeartSteps, Klasnja et al. 2019), so every kind and
  stage has several wordings, and later check-ins in a plan are shorter and lighter;
- one missed day does not matter for a habit (Lally et al. 2010), so nothing here ever
  scolds: no "missed", "forgot", "overdue" or "failed", in any variant;
- the talk is about the act and the plan, never about the person's worth (Tangney et
  al. 2014), warm and plain.

Everything returns plain text. The caller escapes it for mrkdwn, so the member's
commitment goes in verbatim here and nothing is escaped twice.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from storage.models import CheckinKind, CheckinResponse

__all__ = [
    "KINDS",
    "NOTED",
    "NOTE_QUESTION",
    "RESPONSES",
    "answered_text",
    "checkin_text",
    "promised_day",
    "recap_closing",
    "recap_intro",
    "undo_line",
]

KINDS = tuple(CheckinKind)
NOTED: Literal["note"] = "note"  # not an answer: the line shown once a note was added
RESPONSES = (*CheckinResponse, NOTED)  # every line `answered_text` has

# {c} is the commitment, verbatim. Stages taper: "first" says why we ask and that any
# answer is fine, "middle" is a short question, "last" is the lightest touch. Within a
# variant index, each stage is no longer than the one before it.
_TEMPLATES: dict[CheckinKind, dict[str, tuple[str, ...]]] = {
    CheckinKind.FOLLOWUP: {
        "first": (
            "Checking in on the plan you made:\n“{c}”\n"
            "Is it in place, and how is it going so far? Any answer helps, even “not yet”.",
            "Here is the if-then plan you wrote after your setback:\n“{c}”\n"
            "Has it had a chance to kick in? Tell me how it's going; small steps count.",
            "A quick look back at your commitment:\n“{c}”\n"
            "Is the plan set up, and how has it gone? Wherever it stands is a fine place "
            "to pick up from.",
        ),
        "middle": (
            "How is this plan going?\n“{c}”\nA tap below is plenty.",
            "Still with you on this one:\n“{c}”\nHow is it working out?",
            "A short check-in on your plan:\n“{c}”\nIs it helping?",
        ),
        "last": (
            "One last look:\n“{c}”\nHow did it go?",
            "Final check-in:\n“{c}”\nWhere has it landed?",
            "Closing the loop:\n“{c}”\nHow was it?",
        ),
    },
    CheckinKind.AMENDS: {
        "first": (
            "Today is the day you set for your repair:\n“{c}”\n"
            "Did it happen? If it's still ahead of you, that's okay; snooze it or tell me "
            "where it stands.",
            "You planned to make this right by today:\n“{c}”\n"
            "Did the repair happen? However it went, a quick answer helps you close the "
            "loop.",
            "About the repair you offered:\n“{c}”\n"
            "Have you had the chance to do it? Whatever the answer, a quick note helps you "
            "close the loop.",
        ),
        "middle": (
            "How is the repair going?\n“{c}”\nA tap below is plenty.",
            "Checking back on your repair:\n“{c}”\nDid it happen?",
            "Any news on this repair?\n“{c}”\nWhere does it stand?",
        ),
        "last": (
            "One last check on your repair:\n“{c}”",
            "One more look:\n“{c}”\nDid it happen?",
            "Closing the loop:\n“{c}”\nHow did it go?",
        ),
    },
    CheckinKind.SUPPORT: {
        "first": (
            "You thought about reaching out for support:\n“{c}”\n"
            "Did you get to talk to someone? A conversation of any size counts.",
            "About getting some support after your setback:\n“{c}”\n"
            "Have you had a chance to talk it through with someone? If not yet, there's "
            "no rush.",
            "A gentle check on your plan to reach out:\n“{c}”\n"
            "Did you get to talk to someone? Talking things over is part of learning "
            "from them.",
        ),
        "middle": (
            "Did you get to talk to someone?\n“{c}”",
            "Checking in on this:\n“{c}”\nHas a conversation happened?",
            "How did reaching out go?\n“{c}”\nA tap below is plenty.",
        ),
        "last": (
            "One last check:\n“{c}”",
            "Closing the loop:\n“{c}”\nDid you talk it through?",
            "Last look:\n“{c}”\nHow did it go?",
        ),
    },
}

# The first check-in on a repair that arrives on another day than the one promised (a
# snooze, a weekend, the bot was down): {day} is `promised_day`'s answer, so nothing
# says "today" about a day that is not today. Same lengths as the "first" wording above.
_AMENDS_DATED: tuple[str, ...] = (
    "Your repair was planned for {day}:\n“{c}”\n"
    "Did it happen? If it's still ahead of you, that's okay; snooze it or tell me "
    "where it stands.",
    "You planned to make this right by {day}:\n“{c}”\n"
    "Did the repair happen? However it went, a quick answer helps you close the "
    "loop.",
    _TEMPLATES[CheckinKind.AMENDS]["first"][2],  # names no day
)

_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

_ANSWERED: dict[str, str] = {
    CheckinResponse.DONE: "Marked done — nice work.",
    CheckinResponse.WORKING: "Still working on it — that counts.",
    CheckinResponse.SNOOZED: "Snoozed — I'll check back later.",
    CheckinResponse.LET_GO: "Let go — that's a fine choice too.",
    NOTED: "Note saved — thanks for adding it.",
}


def _stage(seq: int, total: int) -> str:
    """Which taper stage a check-in is in: the first of a plan gets the full wording,
    the last of a longer plan the lightest, everything between a short question."""
    if total < 1:
        raise ValueError(f"total must be at least 1, got {total}")
    if seq < 0:
        raise ValueError(f"seq is a 0-based index and cannot be negative, got {seq}")
    if seq == 0:
        return "first"
    return "last" if seq >= total - 1 else "middle"


def promised_day(promised: date, delivered: date) -> str | None:
    """How a check-in delivered on ``delivered`` names the day a repair was promised for
    (both the member's local dates): None on the day itself (the wording then says
    "today"), else the date and how far it is, e.g. "Monday 7 December (two days ago)"."""
    days = (delivered - promised).days
    if days == 0:
        return None
    named = f"{promised:%A} {promised.day} {promised:%B}"
    count = _NUMBERS[abs(days)] if abs(days) < len(_NUMBERS) else str(abs(days))
    if days == 1:
        return f"{named} (yesterday)"
    if days == -1:
        return f"{named} (tomorrow)"
    return f"{named} ({count} days ago)" if days > 0 else f"{named} (in {count} days)"


def checkin_text(
    kind: CheckinKind,
    commitment_text: str,
    seq: int,
    total: int,
    variant_seed: int,
    *,
    promised: str | None = None,
) -> str:
    """The check-in message for one commitment, as plain text with the commitment verbatim.

    ``seq`` is the 0-based place of this check-in in the commitment's plan and ``total``
    the plan's length: the first gets the full wording, later ones taper. A one-check-in
    plan (a repair, usually) gets the full wording; a ``seq`` past the end reads as the
    last. ``variant_seed`` (the check-in id, say) picks the wording deterministically, so
    a retried send renders the same words and neighbouring check-ins differ.

    ``promised`` is `promised_day`'s answer for a repair delivered on another day than
    the one promised: its first check-in then names that day instead of "today".
    """
    if kind not in _TEMPLATES:
        raise ValueError(f"unknown check-in kind {kind!r}; expected one of: {', '.join(KINDS)}")
    stage = _stage(seq, total)
    variants = _TEMPLATES[kind][stage]
    if promised and kind == CheckinKind.AMENDS and stage == "first":
        variants = tuple(v.replace("{day}", promised) for v in _AMENDS_DATED)
    template = variants[variant_seed % len(variants)]
    return template.replace("{c}", commitment_text)


def answered_text(
    response: CheckinResponse | Literal["note"], until: str | None = None, *, last: bool = False
) -> str:
    """The short line shown once a check-in is answered, replacing its buttons.

    Every answer is acknowledged kindly, "let go" included: stopping is a fine outcome.
    ``until`` is the caller's already formatted local date and time of the check-in that
    comes next: the snoozed one back, or the plan's next after "still working". ``last``
    says that "still working" was answered to the plan's last planned check-in.
    """
    if response not in _ANSWERED:
        raise ValueError(f"unknown response {response!r}; expected one of: {', '.join(RESPONSES)}")
    if response == CheckinResponse.SNOOZED and until:
        return f"Snoozed until {until}. I'll check back then."
    if response == CheckinResponse.WORKING and until:
        return f"{_ANSWERED[response]} Next check-in: {until}."
    if response == CheckinResponse.WORKING and last:
        return f"{_ANSWERED[response]} That was the last check-in planned for this one."
    return _ANSWERED[response]


# When a reply in a thread could be a note on more than one waiting check-in.
NOTE_QUESTION = (
    "More than one check-in is waiting in this thread. Which plan is your reply about? "
    "I'll keep it as a note there."
)
NOTE_HELD = "Nothing is kept until you pick."
NOTE_SKIPPED = "Okay, your reply was not kept as a note."
NOTE_GONE = "That reply is no longer in the thread, so there was nothing to keep."


def note_kept_on(commitment: str) -> str:
    """After the person picked a plan for their reply (``commitment`` already mrkdwn)."""
    return f"Kept as a note on: “{commitment}”"


def undo_line(until: str) -> str:
    """Under a Done or Let it go that can still be taken back (``until``: local time)."""
    return f"Changed your mind? Undo brings this plan back, until {until}."


def recap_closing(any_let_go: bool) -> str:
    """The recap's last line: letting go is named only when something was let go."""
    if any_let_go:
        return "Letting something go is a fine outcome too. What you learned stays with you."
    return "What you learned stays with you."


def recap_intro(days: int) -> str:
    """The opening line of the growth recap, sent once every commitment of a setback is
    done or let go: it marks the span without judging how long it took."""
    if days < 0:
        raise ValueError(f"days cannot be negative, got {days}")
    if days == 0:
        return (
            "Every commitment from this setback is already done or let go. "
            "Here's a look back at what you learned."
        )
    span = "1 day" if days == 1 else f"{days} days"
    return (
        f"It's been {span} since this setback, and every commitment from it is now done "
        "or let go. Here's a look back at what you learned along the way."
    )
