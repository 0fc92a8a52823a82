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
* "Always"/"never" count only with a verb of failing ("I always mess up", "I never get anything
  right"); habits such as "I always run the tests first" or "I never deploy on Fridays"
  are not judgements.
* An act judged harshly ("that was a stupid mistake") is behaviour-focused, so it is not
  flagged here; the blameless check still flags the word in shared text.

Never repeated: outside the modal (the summary DM, check-ins, the growth recap, a shared
retro unless its author puts them back) Setback quotes a person's text through
:func:`without_harsh`, which drops each *sentence* that holds such a verdict, so "I'm such
an idiot." said once while it stung is not handed back days later. The person's own copy
(the export) keeps every word. A sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by
white space, or at a line break; "v1.2" and "e.g.x" do not end one.
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

# One pass over the text instead of one per pattern: every screen of every reflection is
# read with it, on the request path.
_ANY_HARSH = re.compile("|".join(f"(?:{p.pattern})" for p in HARSH_PATTERNS), re.IGNORECASE)

# Shown in place of the self-compassion screen's intro, so each one is short enough to
# leave the first question in a phone's first view, and says in its own words what the
# intro would have said: Neff's kindness, common humanity and naming the feeling.
REFLECTIONS: tuple[str, ...] = (
    "That sounds heavy, and it stings because it matters to you. Everyone who builds "
    "things has had a day like this. Notice the feeling, and speak to yourself as you "
    "would to a friend.",
    "Go gently for a moment. Every team you admire has a story like this one. Notice what "
    "you feel right now, and let it be a feeling that will pass, not a fact about you.",
    "It's fine to feel rattled. Capable people make mistakes every day; this is one event "
    "in your week, not a measure of your worth. Take a slow breath and notice what is here.",
    "Being hard on yourself is a common first reaction, and you are far from alone in it. "
    "A mistake describes something that happened, not who you are. Name the feeling, and "
    "give yourself a teammate's patience.",
)


def find_harsh_self_judgement(text: str) -> bool:
    """Return True when ``text`` passes a harsh verdict on the writer's own self.

    Used to answer with warmth on the next screen, not to score or store anything; it
    errs towards the clear first-person cases so a kind note never feels misplaced.
    """
    if not text:
        return False
    normalised = " ".join(text.translate(_APOSTROPHES).split())
    return _ANY_HARSH.search(normalised) is not None


_SENTENCE = re.compile(r"[^\s][^\n]*?(?:[.!?\u2026]+(?=\s|$)|(?=\n)|$)")


def harsh_sentences(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` spans of the sentences in ``text`` that judge the self.

    Spans index ``text`` itself (``text[start:end]`` is the sentence with its closing
    punctuation, without surrounding white space), in order and never overlapping, so a
    caller can drop them, or show which words were left out. Same rule as
    :func:`find_harsh_self_judgement`, applied one sentence at a time.
    """
    if not text:
        return []
    return [
        (match.start(), match.end())
        for match in _SENTENCE.finditer(text)
        if find_harsh_self_judgement(match.group())
    ]


def without_harsh(text: str) -> tuple[str, int]:
    """Return ``text`` without its sentences of harsh self-judgement, and how many went.

    What Setback writes outside the modal quotes a person through this, so a verdict on
    themselves is never repeated back to them or their team. The white space after a
    removed sentence goes with it (and its line, when it was a line of its own), and the
    result is stripped; text with no such sentence comes back unchanged. The result may
    be empty when every sentence was a verdict: callers then say nothing rather than
    quote an empty answer.
    """
    spans = harsh_sentences(text)
    if not spans:
        return text, 0
    kept: list[str] = []
    cursor = 0
    for start, end in spans:
        kept.append(text[cursor:start])
        cursor = end
        while cursor < len(text) and text[cursor] in " \t":
            cursor += 1
        line_start = start == 0 or text[start - 1] == "\n"
        if line_start and text.startswith("\n", cursor):
            cursor += 1  # the sentence was a whole line: its line goes too
    kept.append(text[cursor:])
    joined = "".join(kept)
    tidy = "\n".join(line.rstrip() for line in joined.split("\n")).strip()
    return re.sub(r"\n{3,}", "\n\n", tidy), len(spans)


def answers_have_harsh_self_judgement(answers: Mapping[str, object]) -> bool:
    """Return True when any string in a step's answers holds harsh self-judgement.

    A verdict can hide in any field (a feeling note, "what you'd tell a friend", a
    commitment), so every string is looked at, including those inside lists.
    """
    return any(find_harsh_self_judgement(text) for text in iter_strings(answers))


def self_compassion_reflection(variant: int = 0) -> str:
    """Return one short self-compassion reflection, cycling through the variants.

    Each one carries Neff's three moves in the product's own words: a kind tone instead
    of a verdict, a reminder that mistakes happen to everyone, and naming the feeling
    without becoming it. Variants exist because the same line shown every time stops
    being read. The text never includes the person's own words.
    """
    return REFLECTIONS[variant % len(REFLECTIONS)]
