"""Crisis language screen for free-text answers.

Safe-messaging guidance asks a wellbeing tool to notice words of despair before doing
anything else with a person's text, and to do it with a fixed, inspectable list rather
than a model whose behaviour drifts (WHO/IASP, *Preventing suicide: a resource for media
professionals*, 2023 update; Samaritans, *Online safety guidelines* for platforms, 2020).
This module is only the detection. What the person then sees (a calm screen with the
workspace's own resources, a plain "this app is not a crisis service" line, and the
choice to go on) is built elsewhere, and nothing escalates on its own.

Design choices:

* The list favours recall for unmistakable phrases (``kill myself``, ``want to die``,
  ``no reason to live``) because a missed crisis costs far more than a false alarm,
  which the person simply dismisses.
* Work idioms that merely borrow violent words are left alone: "this bug is killing me",
  "kill the process", "dead code", "deadline", "I'm dying to see the results", "that
  meeting was murder", "the build died", "suicide squeeze", "career suicide". None of the
  patterns below match a bare ``kill``, ``dead``, ``die`` or ``dying``; each needs a
  first-person or reflexive frame.
* "I hate myself" is harsh self-judgement, not crisis language on its own; it is handled
  by :mod:`bot.language.kindness`. If it comes with any phrase below, this screen fires.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from bot.language import literals

# Typographic apostrophes are folded to ASCII before matching ("can’t" == "can't").
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})

# "can't", "cant", "cannot", "can not"; "don't", "dont", "do not"; and so on.
_CANT = r"(?:can'?t|cannot|can not)"
_DONT = r"(?:don'?t|do not|didn'?t|did not)"
_I_AM = r"(?:i'?m|i am)"
_SELF = r"(?:myself|himself|herself|themselves|themself|yourself)"

# Idioms that contain "suicide" but are not about a person: sports, career, product talk.
_SUICIDE_IDIOMS_AFTER = r"(?:squeezes?|missions?|runs?|drills?|sprints?|doors?|lanes?|burn|linux)"
_SUICIDE_IDIOMS_BEFORE = "".join(
    f"(?<!{word} )" for word in ("career", "political", "commercial", "professional", "social")
)

CRISIS_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(source, re.IGNORECASE)
    for source in (
        # Suicide named directly, minus idioms ("suicide squeeze", "career suicide").
        rf"{_SUICIDE_IDIOMS_BEFORE}\bsuicid(?:e|es|al|ality)\b(?!\s+{_SUICIDE_IDIOMS_AFTER}\b)",
        r"\bunalive\b",
        # Killing or ending one's own life.
        rf"\bkill(?:ing|ed|s)?\s+{_SELF}\b",
        r"\b(?:end|ending|ended|take|taking|took)\s+(?:my|his|her|their|your)\s+(?:own\s+)?life\b",
        r"\bend(?:ing)?\s+it\s+all\b",
        r"\bwant(?:s|ed)?\s+(?:it\s+all|everything|my\s+life)\s+to\s+end\b",
        # Wanting to die or not to exist.
        r"\b(?:want(?:s|ed)?\s+to|wanna)\s+die\b",
        r"\bwish(?:ed)?\s+(?:i|he|she|they)\s+(?:was|were|had\s+been)\s+dead\b",
        r"\bwish(?:ed)?\s+i\s+(?:had\s+)?never\s+(?:been\s+born|existed)\b",
        r"\b(?:better\s+off|rather\s+be)\s+dead\b",
        r"\brather\s+die\b(?!\s+than\b)",
        r"\b(?:everyone|everybody|they|you|the\s+world)\s+(?:would\s+be|'d\s+be|are|is)\s+"
        r"better\s+off\s+without\s+me\b",
        rf"\b{_DONT}\s+want\s+to\s+(?:be\s+alive|live|exist|wake\s+up)\b",
        rf"\b{_DONT}\s+want\s+to\s+be\s+(?:here|around)\s+(?:any\s?more|any\s+longer)\b",
        r"\b(?:not|never)\s+(?:be|being)\s+(?:here|around|alive)\s+(?:any\s?more|any\s+longer)\b",
        r"\b(?:hope|wish)\s+i\s+(?:don'?t|do\s+not|never|won'?t)\s+wake\s+up\b",
        r"\bgo\s+to\s+sleep\s+and\s+(?:never|not)\s+wake\s+up\b",
        # Hopelessness about living.
        r"\bno\s+(?:reason|point)\s+(?:to|in)\s+"
        r"(?:live|living|go(?:ing)?\s+on|be(?:ing)?\s+alive)\b",
        r"\bnothing\s+(?:left\s+)?to\s+live\s+for\b",
        r"\b(?:life|living)\s+(?:is\s*n'?t|is\s+not|isnt|was\s*n'?t|is\s+no\s+longer)\s+"
        r"worth\s+(?:it|living)\b",
        r"\bnot\s+worth\s+living\b",
        rf"\b{_CANT}\s+go\s+on\b(?=\s*(?:$|[.!?,;:)]|like\s+this|living|any\s?more|any\s+longer))",
        r"\b(?:tired|sick)\s+of\s+(?:living|being\s+alive|life)\b",
        r"\bdone\s+with\s+(?:life|living|being\s+alive)\b",
        r"\bg(?:ive|ave|iving)\s+up\s+on\s+(?:life|living)\b",
        # Self-harm.
        rf"\b(?:hurt|hurting|harm|harming|cut|cutting)\s+{_SELF}\b",
        r"\bself[- ]?harm(?:ing|ed)?\b",
        r"\b(?:hang|hanging|shoot|shooting|drown|drowning|starve|starving)\s+myself\b",
        r"\bslit(?:ting)?\s+my\s+wrists?\b",
        r"\b(?:take|taking|took)\s+(?:an\s+)?overdose\b",
        r"\boverdos(?:e|ed|ing)\s+on\s+(?:pills|my\s+meds|medication|tablets)\b",
        r"\bjump(?:ing)?\s+(?:off|from)\s+(?:a|the)\s+(?:bridge|roof|building|cliff|balcony)\b",
        rf"\b{_I_AM}\s+(?:a\s+)?burden\s+(?:to|on)\s+(?:everyone|everybody|my\s+family|them|all)\b",
    )
)
# The strings each phrase cannot match without (`bot.language.literals`), found in one
# scan of the text: a phrase is searched for only where they are. Most answers hold
# none, and 33 searches of a long answer cost more than the rest of a step.
_SCREEN = literals.Screen(CRISIS_PATTERNS)


def _normalise(text: str) -> str:
    """Fold apostrophes and whitespace so one pattern covers the ways people type."""
    return " ".join(text.translate(_APOSTROPHES).split())


def screen(text: str) -> bool:
    """Return True when ``text`` contains crisis language.

    Runs before anything else touches a free-text answer, so the person can be offered
    support first. Deterministic on purpose: the same words always give the same answer,
    which keeps the behaviour reviewable against safe-messaging guidance.
    """
    if not text:
        return False
    normalised = _normalise(text)
    candidates = _SCREEN.candidates(literals.fold(normalised))
    return any(CRISIS_PATTERNS[index].search(normalised) for index in candidates)


def iter_strings(value: object) -> Iterator[str]:
    """Yield every string inside an answers value: lists, tuples, sets and nested dicts.

    Shared by the screens here and in :mod:`bot.language.kindness`, so both look at
    exactly the same text; non-text values (numbers, None, booleans) are skipped.
    """
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from iter_strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from iter_strings(item)


def screen_answers(answers: Mapping[str, object]) -> bool:
    """Return True when any string in a step's answers contains crisis language.

    A modal step stores free text, multi-select values and lists of commitments side by
    side; screening every string (nested ones included) means no field is the one that
    slips through.
    """
    return any(screen(text) for text in iter_strings(answers))
