"""The check-in settings modal: working hours, workdays, time zone, pause.

Opened by `/setback settings` and by the Home tab's settings button. Values are read
back field by field and coerced, so a crafted submission cannot store anything the
form does not offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.core.mrkdwn import escape

CALLBACK_SETTINGS = "setback_settings"
ACTION_OPEN_SETTINGS = "setback_open_settings"

START, END, DAYS, ZONE, PAUSE = "work_start", "work_end", "workdays", "tz_override", "paused_until"
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class SettingsForm:
    """What the modal shows or what was submitted, as plain values."""

    start: str  # "HH:MM"
    end: str  # "HH:MM"
    workdays: frozenset[int]  # Monday=0
    tz_override: str | None
    paused_until: str | None  # "YYYY-MM-DD", the person's local day


def _day(i: int) -> Option:
    return Option(value=str(i), label=DAY_NAMES[i])


def settings_modal(form: SettingsForm, slack_tz: str | None, next_checkin: str | None) -> View:
    """The modal, prefilled with the member's current settings."""
    days = [_day(i) for i in range(7)]
    chosen = [_day(i) for i in sorted(form.workdays)]
    zone_named = f" ({slack_tz})" if slack_tz else ""
    lines = [
        "Check-ins arrive only inside these hours, on these days, in your time zone. "
        "Changing them moves the check-ins still to come."
    ]
    if next_checkin:
        lines.append(f"Your next check-in: *{escape(next_checkin)}*")
    return View(
        type="modal",
        callback_id=CALLBACK_SETTINGS,
        title="Check-in settings",
        submit="Save",
        close="Cancel",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text="\n".join(lines))),
            InputBlock(
                block_id=START,
                label="Working day starts",
                element=TimePickerElement(action_id=START, initial_time=form.start),
            ),
            InputBlock(
                block_id=END,
                label="Working day ends",
                element=TimePickerElement(action_id=END, initial_time=form.end),
            ),
            InputBlock(
                block_id=DAYS,
                label="Workdays",
                element=CheckboxesElement(
                    action_id=DAYS, options=days, initial_options=chosen or None
                ),
            ),
            InputBlock(
                block_id=ZONE,
                label="Time zone",
                optional=True,
                hint=f"Leave empty to use your Slack time zone{zone_named}.",
                element=PlainTextInputElement(
                    action_id=ZONE,
                    placeholder="e.g. Europe/Berlin",
                    initial_value=form.tz_override or None,
                    max_length=64,
                ),
            ),
            InputBlock(
                block_id=PAUSE,
                label="Pause check-ins until",
                optional=True,
                hint="No check-ins before this day. Clear it to resume.",
                element=DatePickerElement(action_id=PAUSE, initial_date=form.paused_until),
            ),
        ],
    )


def saved_view(lines: list[str]) -> View:
    """What the modal turns into after saving: the new settings and the next check-in."""
    return View(
        type="modal",
        callback_id=f"{CALLBACK_SETTINGS}_saved",
        title="Check-in settings",
        close="Done",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text="*Saved.* " + lines[0])),
            *[ContextBlock(elements=[MarkdownTextObject(text=line)]) for line in lines[1:]],
        ],
    )


def _value(values: dict[str, Any], block: str) -> dict[str, Any]:
    found = (values.get(block) or {}).get(block)
    return found if isinstance(found, dict) else {}


def read_form(values: dict[str, Any]) -> SettingsForm:
    """The submitted settings, coerced to the shapes the form offers."""
    days: set[int] = set()
    for option in _value(values, DAYS).get("selected_options") or []:
        raw = option.get("value") if isinstance(option, dict) else None
        if isinstance(raw, str) and raw.isdigit() and int(raw) < 7:
            days.add(int(raw))
    zone = _value(values, ZONE).get("value")
    pause = _value(values, PAUSE).get("selected_date")
    return SettingsForm(
        start=str(_value(values, START).get("selected_time") or ""),
        end=str(_value(values, END).get("selected_time") or ""),
        workdays=frozenset(days),
        tz_override=zone.strip() if isinstance(zone, str) and zone.strip() else None,
        paused_until=pause if isinstance(pause, str) and pause else None,
    )
