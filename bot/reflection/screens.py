"""The six screens of the reflection, as data.

Each screen lists its fields once; the modal builder renders them, the flow validates
them and reads their values from `view.state.values` by the same names. Prompts are the
product's own words, grounded in published research (cited per screen).

Field names are unique across screens: everything downstream reads a saved answer by
its field name (`bot.reflection.answers.Answers`), never by screen number, so a field
can move to another screen without any reader noticing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.checkins.planning import SCHEDULE_LABELS

FieldKind = Literal[
    "text", "multiline", "date", "select", "multi_select", "radio", "checkboxes", "users"
]

TOTAL_STEPS = 6


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One input on a screen; `name` is both its block_id and its action_id."""

    name: str
    label: str
    kind: FieldKind
    required: bool = False
    hint: str | None = None
    placeholder: str | None = None
    max_length: int = 3000
    choices: tuple[Choice, ...] = ()
    default: str | None = None


@dataclass(frozen=True)
class Screen:
    step: int
    title: str  # modal title, <= 24 chars (Slack's limit), never the same as the heading
    heading: str
    intro: str
    fields: tuple[FormField, ...]
    notes: tuple[str, ...] = field(default=())


FEELINGS = tuple(
    Choice(v, v.capitalize())
    for v in (
        "embarrassed",
        "frustrated",
        "anxious",
        "disappointed",
        "guilty",
        "sad",
        "angry",
        "overwhelmed",
        "tired",
        "relieved",
        "calm",
    )
)
INTENSITY = tuple(
    Choice(str(i), label)
    for i, label in enumerate(
        ("1 · barely", "2 · a little", "3 · noticeably", "4 · strongly", "5 · overwhelmingly"),
        start=1,
    )
)
SUPPORT_KINDS = (
    Choice("peer", "A peer"),
    Choice("manager", "My manager"),
    Choice("mentor", "A mentor"),
    Choice("professional", "A professional (EAP, counsellor, therapist)"),
)
APOLOGY = (
    Choice("yes", "Yes"),
    Choice("no", "No"),
    Choice("unsure", "Not sure yet"),
)
SCHEDULE_CHOICES = tuple(Choice(k, v) for k, v in SCHEDULE_LABELS.items())
MAX_COMMITMENTS = 3


def _growth_fields() -> tuple[FormField, ...]:
    fields: list[FormField] = [
        FormField(
            "lesson",
            "The lesson you take from this",
            "multiline",
            required=True,
            placeholder="What you understand now that you didn't before",
        )
    ]
    for i in range(1, MAX_COMMITMENTS + 1):
        first = i == 1
        fields += [
            FormField(
                f"if_{i}",
                f"Plan {i}: if…",
                "text",
                required=first,
                max_length=300,
                placeholder="If I'm about to deploy on a Friday afternoon",
            ),
            FormField(
                f"then_{i}",
                f"Plan {i}: then I will…",
                "text",
                required=first,
                max_length=300,
                placeholder="then I will ask a teammate to pair on the rollback plan",
            ),
            FormField(
                f"schedule_{i}",
                f"Plan {i}: check in with me",
                "select",
                required=first,
                choices=SCHEDULE_CHOICES,
                default="default",
            ),
        ]
    return tuple(fields)


SCREENS: tuple[Screen, ...] = (
    Screen(
        0,
        "The facts",
        "What happened",
        "Tell it forward, in the order it happened: facts first, judgement later. "
        "Only you can see this.",
        (
            FormField(
                "title",
                "A short title",
                "text",
                required=True,
                max_length=80,
                placeholder="Config change took down checkout for 20 minutes",
            ),
            FormField(
                "facts",
                "What happened, step by step",
                "multiline",
                required=True,
                placeholder="First… then… then…",
            ),
            FormField("when", "When did it happen?", "date"),
        ),
    ),
    # Neff (2003): self-kindness, common humanity, mindfulness. Kept short on purpose:
    # Keiser & Arthur (2021) — the learning comes from the review, not a long emotional phase.
    Screen(
        1,
        "Self-compassion",
        "Be as kind to yourself as you would be to a friend",
        "Mistakes come with doing real work, and everyone who builds things makes them. "
        "Notice how you feel, without needing to fix it yet.",
        (
            FormField("feelings", "How do you feel about it?", "multi_select", choices=FEELINGS),
            FormField(
                "intensity",
                "How strong is it right now?",
                "radio",
                hint="Skip this if you didn't pick a feeling above.",
                choices=INTENSITY,
            ),
            FormField(
                "friend",
                "What would you tell a friend this happened to?",
                "multiline",
                required=True,
                max_length=1500,
                placeholder="It makes sense you're shaken. You cared about getting it right…",
            ),
        ),
    ),
    # Lewicki, Polin & Lount (2016): acknowledging responsibility matters most, then repair.
    Screen(
        2,
        "Accountability",
        "Own your part — only your part",
        "Name what you did, not who you are. Owning it is what makes repair possible.",
        (
            FormField(
                "my_part",
                "Your part, in one sentence",
                "text",
                required=True,
                max_length=300,
                placeholder="I merged the change without running the migration check",
            ),
            FormField("affected", "Who was affected, and how?", "multiline", max_length=1500),
            FormField("apology", "Is an apology due?", "radio", required=True, choices=APOLOGY),
            FormField(
                "apology_draft",
                "A draft apology (private)",
                "multiline",
                max_length=1500,
                hint="Say what happened, its impact, and what you'll do. "
                "No 'sorry if…' or 'sorry, but…'.",
            ),
            FormField(
                "repair",
                "The repair you will offer",
                "multiline",
                max_length=500,
                placeholder="Walk the support team through what changed and what to tell customers",
            ),
            FormField(
                "repair_by", "Repair by", "date", hint="We'll check in with you on that day."
            ),
        ),
    ),
    # After Action Review + blameless postmortems: contributing factors, local rationality.
    Screen(
        3,
        "Self-reflection",
        "How it made sense at the time",
        "Look at the conditions, not just the choice. There is rarely a single cause.",
        (
            FormField("expected", "What did you expect to happen?", "multiline", required=True),
            FormField(
                "made_sense",
                "Why did your choice make sense at that moment?",
                "multiline",
                required=True,
                hint="What did you know, what were you juggling, what looked normal?",
            ),
            FormField(
                "factors",
                "Contributing factors — at least two, one per line",
                "multiline",
                required=True,
                # One factor per line, exactly the format the check on this field wants.
                placeholder="Staging data didn't match production\nThe review came late",
            ),
            FormField("limited", "What limited the damage?", "multiline"),
            FormField("change", "What would you change next time?", "multiline"),
        ),
    ),
    # Neff's common humanity; Harkin et al. (2016): progress shared with others sticks better.
    Screen(
        4,
        "Support",
        "You don't have to carry it alone",
        "Talking it through brings new perspective. Your choices here stay private.",
        (
            FormField(
                "people",
                "Who could you talk to? (private, they won't be notified)",
                "users",
            ),
            FormField(
                "support_kinds",
                "What kind of support would help?",
                "checkboxes",
                choices=SUPPORT_KINDS,
            ),
            FormField(
                "reach_out_by",
                "Reach out by",
                "date",
                hint="Pick a day and we'll ask how it went.",
            ),
        ),
    ),
    # Gollwitzer & Sheeran (2006): if-then plans (implementation intentions).
    Screen(
        5,
        "Growth",
        "Turn the lesson into a plan",
        "Write up to three plans as “if <situation>, then I will <action>”. "
        "We'll check in at the times you choose — never to scold.",
        _growth_fields(),
    ),
)


def screen(step: int) -> Screen:
    """The screen for a step number, 0–5."""
    if not 0 <= step < TOTAL_STEPS:
        raise ValueError(f"no step {step}")
    return SCREENS[step]
