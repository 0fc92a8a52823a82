"""Harsh self-judgement detection and a short self-compassion reflection.

Neff (2003) describes self-compassion as three pairs: self-kindness instead of
self-judgement, common humanity instead of isolation, and mindfulness instead of
over-identification. Tangney et al. (2014) found that shame, a verdict on the *self*,
predicts blaming others, while guilt about the *act* predicts repair. So the reflection
notices verdicts on the person ("I'm so stupid", "I always ruin things", "what is wrong
with me") and answers them kindly; it never repeats the person's words back.

The rule for what counts, chosen to be easy to explain and test:

* The judgement must land on the speaker in the first person singular: "I'm useless",
  "I always mess up", "I hate myself". Judgements of things ("the script is stupid",
  "a useless error message", "the stupid cache") are not about the self.
* Team or process statements ("we always mess up the release notes format") are left to
  the blameless check, which flags over-generalising in shared text; here they are not a
  verdict on the person's own worth.
* An explicit negation right after "I'm" cancels the verdict ("I'm not stupid about this
  anymore"): the person is already pushing back, and echoing a concern would be unkind.
* "Always"/"never" count only with a slip verb ("I always mess up", "I never get anything
  right"); habits such as "I always run the tests first" or "I never deploy on Fridays"
  are not judgements.
* An act judged harshly ("that was a stupid mistake") is behaviour-focused, so it is not
  flagged here; the blameless check still flags the word in shared text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.language.safety import iter_strings

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})

_I_AM = r"\bi(?:'m|\s+am|m)"
_INTENSIFIER = (
    r"(?:(?:so|such|really|truly|totally|completely|utterly|just|simply|clearly|"
    r"basically|a|an|the|complete|absolute|total|utter|massive|huge|big|biggest|"
    r"useless|stupid|fucking|bloody|damn)\s+)*"
)
_LABEL = (
    r"(?:stupid|dumb|useless|worthless|hopeless|pathetic|incompetent|idiot|idiots|"
    r"moron|fool|failure|loser|fraud|impostor|imposter|joke|disaster|mess|"
    r"embarrassment|disgrace|waste\s+of\s+space|screw-?up|fuck-?up|liability)\b"
    # "I'm a fraud analyst", "I'm a disaster recovery lead": job titles, not verdicts.
    r"(?!\s+(?:detection|prevention|recovery|analyst|analysis|engineer|team|mode|rate|"
    r"handling|testing|drill|lead|manager)\b)"
)
_AT_WHAT = r"(?:terrible|awful|hopeless|useless|rubbish|crap|garbage|the\s+worst)\s+at\b"
_SLIP = (
    r"(?:mess(?:es)?\s+(?:\w+\s+)?up|screw(?:s)?\s+(?:\w+\s+)?up|fuck(?:s)?\s+(?:\w+\s+)?up|"
    r"ruin|break\s+(?:things|everything|stuff)|get\s+(?:it|things|this|everything|stuff)\s+"
    r"wrong|make\s+(?:the\s+same\s+)?mistakes?|let\s+(?:everyone|people|the\s+team)\s+down)"
)

HARSH_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(source, re.IGNORECASE)
    for source in (
        # A label on the person: "I'm so stupid", "I am a complete failure".
        rf"{_I_AM}\s+{_INTENSIFIER}{_LABEL}",
        rf"{_I_AM}\s+(?:so\s+|really\s+|just\s+)?{_AT_WHAT}",
        rf"{_I_AM}\s+(?:just\s+|really\s+)?(?:the\s+worst|no\s+good|not\s+good\s+enough|"
        r"not\s+good\s+at\s+anything|not\s+cut\s+out\s+for)\b",
        r"\bi\s+feel\s+(?:so\s+|really\s+|like\s+(?:such\s+)?(?:an?\s+)?(?:complete\s+)?)?"
        r"(?:stupid|dumb|useless|worthless|idiot|failure|fraud|loser|moron|incompetent)\b",
        r"\b(?:what\s+an|such\s+an)\s+idiot\s+i\s+(?:am|was)\b",
        r"\bhow\s+(?:could|can)\s+i\s+be\s+so\s+(?:stupid|dumb|useless|careless|incompetent)\b",
        r"\b(?:stupid|dumb|idiot)\s+me\b",
        # Over-generalised failure about the self: "I always mess up", "I ruin everything".
        rf"\bi\s+(?:always|constantly|keep|just\s+keep)\s+{_SLIP}",
        r"\bi\s+keep\s+(?:messing|screwing|fucking)\s+(?:\w+\s+)?up\b",
        r"\bi\s+(?:never|can\s+never|can'?t\s+ever)\s+(?:get|do)\s+(?:anything|a\s+single\s+"
        r"thing|it|things)\s+right\b",
        r"\bi\s+(?:can'?t|cannot|can\s+not)\s+(?:do|get)\s+anything\s+right\b",
        r"\bi\s+(?:ruin|wreck|break|mess\s+up|screw\s+up)\s+everything\b",
        # Global verdicts: "what is wrong with me", "I hate myself".
        r"\bwhat(?:'s|s|\s+is)\s+wrong\s+with\s+me\b",
        r"\bi\s+(?:hate|despise|loathe|can'?t\s+stand)\s+myself\b",
        r"\bi(?:'m|\s+am|m)\s+(?:so\s+)?disgusted\s+with\s+myself\b",
        r"\bi\s+(?:don'?t|do\s+not)\s+deserve\s+(?:this|my|to\s+work|to\s+be\s+here)\b",
        r"\bi\s+(?:deserve|ought)\s+to\s+(?:be\s+)?(?:fired|sacked|punished)\b",
    )
)

REFLECTIONS: tuple[str, ...] = (
    "That sounds heavy, and it makes sense that it stings: it matters to you. Almost "
    "everyone who builds things has had a day like this one, so you are in good company. "
    "Try naming the feeling without letting it become the whole story. What would you say "
    "to a friend in your place? You deserve the same.",
    "Go gently for a moment. Slips are part of how people learn, and every team you "
    "admire has a story like this. Notice what you feel right now, frustration or worry "
    "perhaps, and let it be a feeling that will pass rather than a fact about you. You can "
    "take this seriously and still be on your own side.",
    "It is fine to feel rattled. Capable people make mistakes every day; this is one event "
    "in your week, not a measure of your worth. Take a slow breath and notice what is "
    "here. Then speak to yourself the way a good colleague would: steady, warm, and ready "
    "to help put right what can be put right.",
    "Being hard on yourself is a common first reaction, and you are far from alone in it. "
    "A mistake describes something that happened, not who you are. See if you can hold "
    "the discomfort lightly, name it, and offer yourself the patience you would offer a "
    "teammate who had the same day.",
)


def find_harsh_self_judgement(text: str) -> bool:
    """Return True when ``text`` passes a harsh verdict on the writer's own self.

    Used to answer with warmth on the next screen, not to score or store anything; it
    errs towards the clear first-person cases so a kind note never feels misplaced.
    """
    if not text:
        return False
    normalised = " ".join(text.translate(_APOSTROPHES).split())
    return any(pattern.search(normalised) for pattern in HARSH_PATTERNS)


def answers_have_harsh_self_judgement(answers: Mapping[str, object]) -> bool:
    """Return True when any string in a step's answers holds harsh self-judgement.

    A verdict can hide in any field (a feeling note, "what you'd tell a friend", a
    commitment), so every string is looked at, including those inside lists.
    """
    return any(find_harsh_self_judgement(text) for text in iter_strings(answers))


def self_compassion_reflection(variant: int = 0) -> str:
    """Return one short self-compassion reflection, cycling through the variants.

    Each one carries Neff's three moves in the product's own words: a kind tone instead
    of a verdict, a reminder that slips are shared by everyone, and naming the feeling
    without becoming it. Variants exist because the same line shown every time stops
    being read. The text never includes the person's own words.
    """
    return REFLECTIONS[variant % len(REFLECTIONS)]
