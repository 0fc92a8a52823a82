"""The reflection modal: one view per screen, the resume chooser, the care screen.

Built with `slack_sdk.models` so Slack's size limits are checked before a view leaves
the process. Every screen is replaced in place (the view stack is only 3 deep).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.core.mrkdwn import escape, truncate
from bot.core.settings import SupportResource
from bot.reflection.screens import TOTAL_STEPS, Choice, FormField, Screen, screen

CALLBACK_STEP = "setback_step"
CALLBACK_CARE = "setback_care"
CALLBACK_RESUME = "setback_resume_choice"
CALLBACK_GONE = "setback_gone"
CALLBACK_NOTHING_TO_RESUME = "setback_nothing_to_resume"
ACTION_BACK = "setback_back"
ACTION_CARE_CONTINUE = "setback_care_continue"
ACTION_RESUME = "setback_resume"
ACTION_START_OVER = "setback_start_over"


def metadata(setback_id: int | None, step: int) -> str:
    """private_metadata: which setback and step this view shows. Never trusted alone —
    listeners re-check ownership of the setback it names."""
    return json.dumps({"sid": setback_id, "step": step}, separators=(",", ":"))


def read_metadata(raw: str | None) -> tuple[int | None, int]:
    """Parse private_metadata defensively: a crafted value yields (None, 0)."""
    try:
        data = json.loads(raw or "{}")
        sid = data.get("sid")
        step = int(data.get("step", 0))
        return (int(sid) if sid is not None else None), step
    except (ValueError, TypeError, AttributeError):
        return None, 0


def _options(choices: tuple[Choice, ...]) -> list[Option]:
    return [Option(value=c.value, text=c.label) for c in choices]


def _option_for(choices: tuple[Choice, ...], value: Any) -> Option | None:
    for c in choices:
        if c.value == value:
            return Option(value=c.value, text=c.label)
    return None


def _element(f: FormField, value: Any) -> Any:
    """The input element for a field, prefilled with a saved value when there is one."""
    if f.kind in ("text", "multiline"):
        return PlainTextInputElement(
            action_id=f.name,
            multiline=f.kind == "multiline",
            max_length=f.max_length,
            placeholder=f.placeholder,
            initial_value=value or None,
        )
    if f.kind == "date":
        return DatePickerElement(action_id=f.name, initial_date=value or None)
    if f.kind == "select":
        initial = _option_for(f.choices, value if value is not None else f.default)
        return StaticSelectElement(
            action_id=f.name,
            options=_options(f.choices),
            initial_option=initial,
            placeholder="Choose…",
        )
    if f.kind == "radio":
        return RadioButtonsElement(
            action_id=f.name,
            options=_options(f.choices),
            initial_option=_option_for(f.choices, value),
        )
    if f.kind in ("multi_select", "checkboxes"):
        chosen = [o for o in (_option_for(f.choices, v) for v in value or []) if o]
        cls = StaticMultiSelectElement if f.kind == "multi_select" else CheckboxesElement
        kwargs: dict[str, Any] = {"placeholder": "Choose any"} if f.kind == "multi_select" else {}
        return cls(
            action_id=f.name, options=_options(f.choices), initial_options=chosen or None, **kwargs
        )
    if f.kind == "users":
        return UserMultiSelectElement(
            action_id=f.name, placeholder="Pick people", initial_users=value or None
        )
    raise ValueError(f"unknown field kind {f.kind}")


def _input(f: FormField, value: Any) -> InputBlock:
    return InputBlock(
        block_id=f.name,
        label=f.label,
        element=_element(f, value),
        optional=not f.required,
        hint=f.hint,
    )


def _header_blocks(s: Screen, kind_note: str | None) -> list[Block]:
    """Step, heading, then one paragraph: the screen's intro, or the kind note in its
    place (both speak of the same thing; said twice, they filled a phone's first view)."""
    intro: Block = (
        SectionBlock(text=MarkdownTextObject(text=f":seedling: {kind_note}"))
        if kind_note
        else SectionBlock(text=PlainTextObject(text=s.intro))
    )
    return [
        ContextBlock(elements=[MarkdownTextObject(text=f"*Step {s.step + 1} of {TOTAL_STEPS}*")]),
        HeaderBlock(text=s.heading),
        intro,
    ]


def step_view(
    step: int,
    setback_id: int | None,
    answers: Mapping[str, Any] | None = None,
    *,
    kind_note: str | None = None,
) -> View:
    """One screen of the reflection, prefilled with `answers`.

    `kind_note` is the self-compassion reflection shown when the previous screen held
    harsh self-judgement; it never repeats the person's words. Crisis resources are not
    shown here: an ordinary screen is no place for helplines (they belong to the care
    screen, `care_view`).
    """
    s = screen(step)
    answers = answers or {}
    blocks: list[Block] = _header_blocks(s, kind_note)
    blocks.append(DividerBlock())
    blocks += [_input(f, answers.get(f.name)) for f in s.fields]
    if step > 0:
        blocks.append(
            ActionsBlock(
                block_id="nav",
                elements=[ButtonElement(text="← Back", action_id=ACTION_BACK, value=str(step))],
            )
        )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Fields without “(optional)” are required. Each step is saved when "
                    "you continue; close any time and `/setback resume` picks up here."
                )
            ]
        )
    )
    last = step == TOTAL_STEPS - 1
    return View(
        type="modal",
        callback_id=CALLBACK_STEP,
        title=s.title,
        submit="Finish" if last else "Continue",
        close="Close",
        private_metadata=metadata(setback_id, step),
        notify_on_close=True,
        blocks=blocks,
    )


def step_view_dict(
    step: int,
    setback_id: int | None,
    answers: Mapping[str, Any] | None = None,
    *,
    kind_note: str | None = None,
) -> dict[str, Any]:
    """`step_view` as a dict, memoised for screens with nothing prefilled.

    Validating a whole modal through `slack_sdk.models` costs about a millisecond, most of
    a step submission's work; a blank screen differs only by its private_metadata, so its
    validated dict is built once and reused. The copy is shallow: its blocks are shared
    between answers, which only serialise them (nothing edits a built view in place).
    Prefilled screens (holding a person's answers) are never cached.
    """
    if answers:
        return step_view(step, setback_id, answers, kind_note=kind_note).to_dict()
    return {**_blank_step(step, kind_note), "private_metadata": metadata(setback_id, step)}


@lru_cache(maxsize=64)
def _blank_step(step: int, kind_note: str | None) -> dict[str, Any]:
    return step_view(step, None, None, kind_note=kind_note).to_dict()


def _resource_lines(resources: list[SupportResource]) -> str:
    links = "\n".join(f"• <{escape(r.url)}|{escape(r.label)}>" for r in resources)
    return f"*Places that can help:*\n{links}"


def care_view(setback_id: int, next_step: int, resources: list[SupportResource]) -> View:
    """The calm care screen shown when an answer holds crisis language.

    Safe-messaging guidance (WHO/IASP 2023, Samaritans 2020): answer calmly, no diagnosis,
    show the workspace's own resources, say plainly this is not a crisis service, and let
    the person choose whether to go on. The primary (submit) button is the calm choice,
    "Take a break" (the draft is kept); going on with the reflection is a plain button,
    so nothing nudges the person back into the work.
    """
    blocks: list[Block] = [
        HeaderBlock(text="Pausing for a moment"),
        SectionBlock(
            text=PlainTextObject(
                text="Some of what you wrote sounds really heavy. Thank you for putting it "
                "into words. You deserve support from a person right now, not just an app."
            )
        ),
        SectionBlock(text=MarkdownTextObject(text=_resource_lines(resources))),
        SectionBlock(
            text=PlainTextObject(
                text="If you might act on thoughts of harming yourself, please contact your "
                "local emergency number or someone you trust now."
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Setback is not a crisis service. Nothing from this reflection will be "
                    "shared, and no one is notified. What you wrote so far is kept: take a "
                    "break, and `/setback resume` brings you back whenever you like."
                )
            ]
        ),
        ActionsBlock(
            block_id="care_continue",
            elements=[
                ButtonElement(
                    text="Keep going with the reflection",
                    action_id=ACTION_CARE_CONTINUE,
                    value=str(next_step),
                )
            ],
        ),
    ]
    return View(
        type="modal",
        callback_id=CALLBACK_CARE,
        title="A moment of care",
        submit="Take a break",
        close="Close",
        private_metadata=metadata(setback_id, next_step),
        notify_on_close=True,
        blocks=blocks,
    )


def resume_view(setback_id: int, title: str | None, step: int) -> View:
    """Offered by `/setback` when a draft is open: resume it, or start over."""
    name = escape(truncate(title or "Untitled reflection", 150))
    return View(
        type="modal",
        callback_id=CALLBACK_RESUME,
        title="Setback",
        close="Close",
        private_metadata=metadata(setback_id, step),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"You have a reflection in progress:\n*{name}* — "
                    f"at step {step + 1} of {TOTAL_STEPS}."
                )
            ),
            ActionsBlock(
                block_id="resume",
                elements=[
                    ButtonElement(
                        text="Resume",
                        action_id=ACTION_RESUME,
                        value=str(setback_id),
                        style="primary",
                    ),
                    ButtonElement(
                        text="Start over",
                        action_id=ACTION_START_OVER,
                        value=str(setback_id),
                        confirm=ConfirmObject(
                            title="Start over?",
                            text="The draft in progress will be deleted.",
                            confirm="Delete and start over",
                            deny="Keep it",
                        ),
                    ),
                ],
            ),
        ],
    )


def saved_view() -> View:
    """Shown when "Keep going" on the care screen finished the reflection: a button
    cannot close a modal, so it says where the summary went."""
    return View(
        type="modal",
        callback_id=CALLBACK_GONE,
        title="Setback",
        close="Close",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="Your reflection is saved. Its summary is in your messages with "
                    "Setback, and check-ins for your plans will arrive there."
                )
            )
        ],
    )


def nothing_to_resume_view() -> View:
    """`/setback resume` when no reflection is in progress: say so, rather than open a
    new one as if it were the old, and offer to start one (the submit button)."""
    return View(
        type="modal",
        callback_id=CALLBACK_NOTHING_TO_RESUME,
        title="Setback",
        submit="Start a reflection",
        close="Not now",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="You have no reflection in progress, so there is nothing to "
                    "resume. Would you like to start a new one?"
                )
            )
        ],
    )


def gone_view() -> View:
    """Shown when a payload names a setback this person does not own (or that is gone);
    it says nothing about whether that setback exists."""
    return View(
        type="modal",
        callback_id=CALLBACK_GONE,
        title="Setback",
        close="Close",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="This reflection isn't available any more. "
                    "Type `/setback` to start a new one."
                )
            )
        ],
    )
