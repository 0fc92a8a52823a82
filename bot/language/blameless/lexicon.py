"""A general lexicon of negative evaluation, read once from VADER's rated word list.

Hand-made word lists catch the words their authors thought of; real write-ups judge
people with words no list anticipated ("lame", "pathetic", "selfish", "a bully"). VADER
(Hutto and Gilbert, 2014) ships a list of about 7,500 English words and slang, each
rated for valence by ten people; the ``vaderSentiment`` package (MIT licence) carries it
as a data file. This module reads that file once, at import, and never runs VADER's
analyser: a sentence's overall tone says nothing about whom it blames.

Protocol: a word rated at or below ``THRESHOLD`` is *negative*. Two kinds of negative
words are set aside because they are not verdicts on a person:

* feelings, the writer's own state ("I was upset", "I panicked");
* words for what happens to systems, data and people from outside ("failed", "crash",
  "attack", "outage", "killed", "lost"), which postmortems use in every paragraph.

What remains (``JUDGEMENTS``: adjectives and nouns such as "pathetic", "selfish",
"bully"; ``JUDGING_ADVERBS``: "stupidly", "foolishly"; ``ACTS``: past-tense acts such as
"belittled", "cheated"; ``UNFIT``: competence denied, "inexperienced", "unqualified") is
used by ``evaluation`` only in frames whose target is a
person (which writes them into patterns with ``literals.trie``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources

from bot.language.blameless.context import words_set

THRESHOLD = -1.0

# Feelings: the writer's state, not a verdict on anyone.
FEELINGS = words_set(
    "angry anger sad sadness upset nervous worried worry worrying scared afraid frightened "
    "terrified terror fear fearful guilty guilt sorry embarrassed embarrassing "
    "embarrassment ashamed shame frustrated frustrating frustration annoyed annoying "
    "annoyance irritated devastated disappointed disappointing disappointment depressed "
    "depressing depression stressed stress stressful tired exhausted exhaustion lonely "
    "miserable hurt hurting confused confusing confusion shocked shock shocking panic "
    "panicked panicking heartbroken anxious anxiety grief grieving jealous bitter mad "
    "furious outraged horrified unhappy desperate helpless sick ill sorrow regret "
    "regretful regrets uncomfortable awkward nervousness distressed distress dread "
    "dreadful dreading crying cry cried tears scary weary unsure doubt doubtful "
    "overwhelmed pissed bored boring lost alone homesick hate hated dislike disliked "
    "disgusted disgust mortified humiliated humiliation agony pain painful suffering "
    "suffer suffered victim victims poor unlucky misfortune unfortunate unfortunately "
    "sadly alas hesitant hesitation reluctant irate livid enraged infuriated resentful "
    "wreck"
)
# What happens to systems, data or people from outside; postmortems use these as facts.
EVENTS = words_set(
    "error errors problem problems issue issues block blocked blocking block failed fail "
    "fails failing failure failures attack attacks attacked attacker attackers negative "
    "broken broke break breaks breaking crash crashed crashes crashing overload overloaded "
    "degraded degradation unhealthy spam spamming abuse abused fraud fraudulent difficult "
    "difficulty isolation isolated suspicious suspicion argument arguments wrong harm harmed "
    "harmful destroy destroyed destroying destruction destructive killed kill killing kills "
    "dead death died die dies dying steal stolen stole stealing theft fatal insecure "
    "dangerous danger rejected reject rejects rejection problematic starved unstable "
    "instability mistake mistakes severe severely war lose loses losing loss lost "
    "conflicting conflict conflicts drained drain disruption disrupted disabling disabled "
    "struggle struggles struggled struggling forced force misleading exploited exploit "
    "exploits banned ban denied deny denial blind weak weakness weaknesses suspended "
    "suspend unsuccessful interruption interrupted damage damaged damaging trouble "
    "troubles threat threats threatened threatening emergency disaster disasters disastrous "
    "catastrophe catastrophic alarm alarms fire fired risk risks risky corrupt corrupted "
    "corruption bug bugs buggy outage outages down downtime delay delayed slow worse worst "
    "bad badly terrible terribly horrible awful serious seriously critical warning warnings "
    "vulnerable vulnerability vulnerabilities malicious malware virus violation violations "
    "violated illegal unauthorized fake phishing scam scams hack hacked hacker hackers "
    "compromise compromised leak leaked leaking expired expire stale obsolete missing "
    "miss missed misses limited limit limitation unavailable unreachable offline dropped "
    "drop drops defect defects defective fault faults faulty collapse collapsed "
    "chaos chaotic mess messy noisy noise hard harder hardest unable impossible cancel "
    "exhaust exhausts erroneous erroneously "
    "cancelled canceled ugly gross hell damn dumped dump weird strange odd "
    "unexpected urgent pressure panic stuck hang hung freeze frozen disconnected "
    "unresponsive crisis concern concerns concerned complaint complaints complain "
    "complained excuse excuses blame blamed blames blaming accused accuse accusation "
    "guilty punish punished punishment penalty fine fines lawsuit sued sue war wars short "
    "shortage lack lacking avoid avoided low lower lowest stop stopped charges charged "
    "cover shoot shot discord fallen fall struck strike loose combat collision slash "
    "lag inconvenience disruptive disruptions distractions contradiction confrontation "
    "uncertain uncertainty unclear inability questionable funeral corpse darkness dirty "
    "battle fight fights injustice anti nfc bfe accident accidents accidental "
    "accidentally accidently"
)


def _read_valences() -> dict[str, float]:
    """VADER's words and their mean rated valence, from the packaged data file."""
    text = (
        resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    )
    valences: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and re.fullmatch(r"[a-z][a-z'-]*[a-z]", parts[0]):
            try:
                valences[parts[0]] = float(parts[1])
            except ValueError:
                continue
    return valences


def _negative(valences: dict[str, float]) -> frozenset[str]:
    """The negative words that can be a verdict on a person: no feelings, no events."""
    return frozenset(
        word
        for word, valence in valences.items()
        if valence <= THRESHOLD and word not in FEELINGS and word not in EVENTS
    )


def _adverbs(bases: Iterable[str]) -> frozenset[str]:
    """Manner adverbs formed from judging adjectives: "stupidly", "foolishly", "lazily".

    Only adverbs of a judging adjective count: VADER also rates "reluctantly" or
    "accidentally" as negative, and those say how an act felt or that it was unmeant,
    not that the person acting was at fault.
    """
    found: set[str] = set()
    for base in bases:
        if base.endswith("y"):
            found.add(base[:-1] + "ily")
        elif base.endswith("le"):
            found.add(base[:-1] + "y")
        else:
            found.add(base + "ly")
    return frozenset(found - FEELINGS - EVENTS)


_VALENCES = _read_valences()
_NEGATIVE = _negative(_VALENCES)
# Adjectives and nouns that judge a person; participles ("-ed", "-ing") say what happened
# to someone ("was blamed", "was rejected") more often than what they are.
JUDGEMENTS = frozenset(
    word for word in _NEGATIVE if not word.endswith(("ed", "ing", "ly")) and len(word) > 2
)
JUDGING_ADVERBS = _adverbs(JUDGEMENTS)
# Past-tense acts rated strongly negative ("belittled", "cheated", "undermined"); with a
# person as object they tell what someone did to someone. Feelings stay in ("he
# disappointed me" says who disappointed), words for events do not ("attacked", "blamed"),
# nor do fears, which say what the one who feels them expects ("I feared my days were
# numbered"), not what anyone did.
_FEARS = words_set("feared dreaded regretted")
ACTS = frozenset(
    word
    for word, valence in _VALENCES.items()
    if word.endswith("ed") and valence <= -1.5 and word not in EVENTS and word not in _FEARS
)


# Competence denied: the negative prefixes of words that praise how someone works
# ("inexperienced", "unqualified", "unprepared"); few of them are rated in VADER.
_COMPETENCES = words_set(
    "experienced prepared qualified skilled trained competent capable professional "
    "attentive thorough diligent responsible reliable organized organised equipped"
)
_DENIALS = ("in", "un", "im", "ir", "dis")
UNFIT = frozenset(prefix + stem for prefix in _DENIALS for stem in _COMPETENCES)
