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

# Each phrase with the words it cannot match without (any one of them, in the text
# folded as IGNORECASE folds it): a search runs only when one is there, since most
# answers hold none of them and 33 searches of a long answer cost milliseconds.
CRISIS_PHRASES: tuple[tuple[tuple[str, ...], str], ...] = (
    # Suicide named directly, minus idioms ("suicide squeeze", "career suicide").
    (
        ("suicid",),
        rf"{_SUICIDE_IDIOMS_BEFORE}\bsuicid(?:e|es|al|ality)\b(?!\s+{_SUICIDE_IDIOMS_AFTER}\b)",
    ),
    (("unalive",), r"\bunalive\b"),
    # Killing or ending one's own life.
    (("kill",), rf"\bkill(?:ing|ed|s)?\s+{_SELF}\b"),
    (
        ("life",),
        r"\b(?:end|ending|ended|take|taking|took)\s+(?:my|his|her|their|your)\s+(?:own\s+)?life\b",
    ),
    (("it all",), r"\bend(?:ing)?\s+it\s+all\b"),
    (("to end",), r"\bwant(?:s|ed)?\s+(?:it\s+all|everything|my\s+life)\s+to\s+end\b"),
    # Wanting to die or not to exist.
    (("die",), r"\b(?:want(?:s|ed)?\s+to|wanna)\s+die\b"),
    (("dead",), r"\bwish(?:ed)?\s+(?:i|he|she|they)\s+(?:was|were|had\s+been)\s+dead\b"),
    (("never",), r"\bwish(?:ed)?\s+i\s+(?:had\s+)?never\s+(?:been\s+born|existed)\b"),
    (("dead",), r"\b(?:better\s+off|rather\s+be)\s+dead\b"),
    (("die",), r"\brather\s+die\b(?!\s+than\b)"),
    (
        ("without me",),
        r"\b(?:everyone|everybody|they|you|the\s+world)\s+(?:would\s+be|'d\s+be|are|is)\s+"
        r"better\s+off\s+without\s+me\b",
    ),
    (("want to",), rf"\b{_DONT}\s+want\s+to\s+(?:be\s+alive|live|exist|wake\s+up)\b"),
    (
        ("want to",),
        rf"\b{_DONT}\s+want\s+to\s+be\s+(?:here|around)\s+(?:any\s?more|any\s+longer)\b",
    ),
    (
        ("any",),
        r"\b(?:not|never)\s+(?:be|being)\s+(?:here|around|alive)\s+(?:any\s?more|any\s+longer)\b",
    ),
    (("wake",), r"\b(?:hope|wish)\s+i\s+(?:don'?t|do\s+not|never|won'?t)\s+wake\s+up\b"),
    (("wake",), r"\bgo\s+to\s+sleep\s+and\s+(?:never|not)\s+wake\s+up\b"),
    # Hopelessness about living.
    (
        ("no reason", "no point"),
        r"\bno\s+(?:reason|point)\s+(?:to|in)\s+"
        r"(?:live|living|go(?:ing)?\s+on|be(?:ing)?\s+alive)\b",
    ),
    (("live for",), r"\bnothing\s+(?:left\s+)?to\s+live\s+for\b"),
    (
        ("worth",),
        r"\b(?:life|living)\s+(?:is\s*n'?t|is\s+not|isnt|was\s*n'?t|is\s+no\s+longer)\s+"
        r"worth\s+(?:it|living)\b",
    ),
    (("worth",), r"\bnot\s+worth\s+living\b"),
    (
        ("go on",),
        rf"\b{_CANT}\s+go\s+on\b(?=\s*(?:$|[.!?,;:)]|like\s+this|living|any\s?more|any\s+longer))",
    ),
    (("tired of", "sick of"), r"\b(?:tired|sick)\s+of\s+(?:living|being\s+alive|life)\b"),
    (("done with",), r"\bdone\s+with\s+(?:life|living|being\s+alive)\b"),
    (("up on",), r"\bg(?:ive|ave|iving)\s+up\s+on\s+(?:life|living)\b"),
    # Self-harm.
    (("self", "selves"), rf"\b(?:hurt|hurting|harm|harming|cut|cutting)\s+{_SELF}\b"),
    (("harm",), r"\bself[- ]?harm(?:ing|ed)?\b"),
    (("myself",), r"\b(?:hang|hanging|shoot|shooting|drown|drowning|starve|starving)\s+myself\b"),
    (("wrist",), r"\bslit(?:ting)?\s+my\s+wrists?\b"),
    (("overdose",), r"\b(?:take|taking|took)\s+(?:an\s+)?overdose\b"),
    (("overdos",), r"\boverdos(?:e|ed|ing)\s+on\s+(?:pills|my\s+meds|medication|tablets)\b"),
    (
        ("jump",),
        r"\bjump(?:ing)?\s+(?:off|from)\s+(?:a|the)\s+(?:bridge|roof|building|cliff|balcony)\b",
    ),
    (
        ("burden",),
        rf"\b{_I_AM}\s+(?:a\s+)?burden\s+(?:to|on)\s+(?:everyone|everybody|my\s+family|them|all)\b",
    ),
)

CRISIS_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(source, re.IGNORECASE) for _needs, source in CRISIS_PHRASES
)
_SCREENS = tuple(
    (needs, pattern)
    for (needs, _source), pattern in zip(CRISIS_PHRASES, CRISIS_PATTERNS, strict=True)
)
# The letters IGNORECASE matches to an ASCII letter that lower() does not turn into it.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


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
    folded = normalised.translate(_FOLD).lower()
    return any(
        any(word in folded for word in needs) and pattern.search(normalised)
        for needs, pattern in _SCREENS
    )


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
