"""Judgements of a person: a negative evaluation whose target is a person or a role.

Word lists of insults catch the labels people expect ("idiot", "careless"); real
write-ups judge people in open-ended ways ("Teresa is not a good manager", "a co-worker
lied to our boss", "developers are barbarians", "he threw you under the bus"). This
detector reads such sentences as two parts, each general:

* **a negative evaluation**, from a small lexicon of evaluative words (adjectives and
  nouns that judge character or competence, verbs of wrongdoing that only people do,
  nouns that call speech false) in a few frames: a predicate ("X is/are/seems [a] EVAL"),
  a label ("a toxic manager", "fucking coders"), a praise denied ("X is not a good
  manager"), a fault owned by someone ("his errors", "my fellow worker's fault"), nobody
  doing the obvious ("noone thought to"), and an act ("X lied", "X threw me under the
  bus", "X screwed up");
* **a target that is a person**: the subject of the clause read by ``context`` (a
  pronoun, a name, a role noun), or the role noun inside the label. A system as the
  subject ("the dashboard lied", "the runbook is useless") is not a judgement of anyone.

The lexicon is our own, built from the evaluative vocabulary of public word lists
(sentiment lexicons list these words as negative) restricted to words that judge a
person; words that describe systems as often as people ("failed", "broken", "slow",
"wrong") are left out, which keeps blameless postmortems quiet. The frames are bounded
(a few filler words at most), so each runs in linear time on a sentence window, and
every frame holds a trigger word so the engine only runs them where one occurs.

The detector is part of the "character" rule (labels for people); its judge drops
negated, supposed and reported judgements, as the other judgement rules do, except
that calling someone's words "slander" or "lies" is the writer's own verdict even
though "wrote" or "said" comes before it.
"""

from __future__ import annotations

import re

from bot.language.blameless.context import (
    PERSON_NOUNS,
    PERSON_PRONOUNS,
    Context,
    is_name,
    words,
    words_set,
)
from bot.language.blameless.model import Judge, Severity

# Adjectives that judge a person's character or competence (not a system's state).
EVALUATIVE_ADJECTIVES = words_set(
    "incompetent useless hopeless clueless inept sloppy lazy careless stupid dumb ignorant "
    "arrogant rude dishonest deceitful untrustworthy unreliable unprofessional "
    "irresponsible reckless negligent selfish toxic petty vindictive spiteful "
    "manipulative condescending dismissive abusive hostile obnoxious insufferable "
    "pathetic lousy crappy shitty hypocritical sneaky cowardly spineless gutless shady "
    "crooked corrupt biased nasty cruel evil unqualified unfit delusional entitled "
    "horrible terrible awful incapable unbearable disrespectful lying backstabbing "
    "passive-aggressive two-faced power-hungry mediocre unfair"
)
# Nouns that label a person.
EVALUATIVE_NOUNS = words_set(
    "liar liars barbarian barbarians bully bullies snake snakes weasel weasels "
    "backstabber backstabbers hypocrite hypocrites coward cowards psychopath psychopaths "
    "sociopath sociopaths narcissist narcissists tyrant tyrants menace slacker slackers "
    "loser losers parasite parasites leech leeches savage savages incompetents "
    "amateurs hacks deadweight liability nightmare disgrace joke"
)
# Nouns that call what someone said or wrote false.
FALSE_SPEECH = words_set(
    "slander libel defamation lies lie untruths untruth falsehoods fabrication"
)
# Praise that, denied, judges a person ("not a good manager").
PRAISE = words_set(
    "good great competent capable decent nice honest reliable trustworthy fair smart "
    "qualified professional strong"
)
# Expletives and slurs used as a label before a role ("fucking coders").
EXPLETIVES = words_set("fucking fuckin effing bloody goddamn damn damned")
# People the check knows as such: the context's role nouns and a few more jobs.
PEOPLE = PERSON_NOUNS | words_set(
    "person persons individual individuals leader leaders supervisor supervisors coworker "
    "assistant assistants secretary secretaries clerk clerks receptionist technician "
    "technicians tech techs director directors executive executives owner owners hire "
    "hires kid kids worker workers newbie newbies sysadmin sysadmins webmaster "
    "programmer colleague boss officer officers"
)
# Roles a label can land on; "ops", "qa" and the like also modify things, so they are out.
ROLE_NOUNS = PEOPLE - words_set(
    "ops devops qa sre sres dba dbas on-call oncall team teams staff folks management "
    "leadership vendor lead leads members member tech techs owner owners"
)


def _alt(items: frozenset[str]) -> str:
    """A non-capturing alternation, longest words first."""
    return "(?:" + "|".join(re.escape(item) for item in sorted(items, key=len, reverse=True)) + ")"


_COPULA = (
    r"(?:is|was|are|were|am|'s|'re|'m|seems?|seemed|looks?\s+like|looked\s+like|"
    r"sounds?\s+like|acts?\s+like|acted\s+like|being|been|be|became|becomes?)"
)
_FILLER = (
    r"(?:such|so|really|very|totally|completely|utterly|just|quite|pretty|incredibly|"
    r"extremely|a|an|the|one\s+of\s+the|bit|little|kind\s+of|sort\s+of|real|absolute|"
    r"complete|total|most|more|truly|clearly|obviously|always|still|also|simply|fucking|"
    r"damn|bunch\s+of|pack\s+of|bloody|actually|basically|honestly|plain|outright|pure|"
    r"utter|lot\s+of)"
)
_EVAL = _alt(EVALUATIVE_ADJECTIVES | EVALUATIVE_NOUNS)
_ROLE = _alt(ROLE_NOUNS)
# "a terrible developer experience" judges the tooling: a role noun must end its phrase.
_COMPOUND = (
    r"(?!\s+(?:experience|tooling|tools?|productivity|environment|portal|docs|account|"
    r"accounts|access|guide|mode|api|console|velocity|onboarding|satisfaction|workflows?|"
    r"rotation|schedule|handover|shift|pager|channel|process|queue)\b)"
)
_ROLE_PLURAL = rf"{_ROLE}(?:s|es)?(?![\w-]){_COMPOUND}"

# Acts only people do, each a judgement of the doer.
_ACT = (
    r"\b(?:lied|lies|lying|lie)\s+(?:to|about)\b",
    r"\blied\b",
    r"\b(?:threw|throw|throws|thrown|throwing)\s+(?:[\w-]{1,20}\s+){1,3}under\s+the\s+bus\b",
    r"\b(?:sabotag(?:ed|es|ing)|backstabb(?:ed|ing)|stabbed\s+(?:\w+\s+){1,2}in\s+the\s+back|"
    r"betrayed|scapegoat(?:ed|ing)|slander(?:ed|ing)|bad-?mouth(?:ed|ing|s)|"
    r"belittl(?:ed|es|ing)|humiliat(?:ed|es|ing)|bull(?:ied|ies|ying)|overstepp(?:ed|ing)|"
    r"(?:yell|scream|shout)(?:ed|s|ing)\s+at)\b",
    r"\b(?:took|takes|taking|take)\s+(?:all\s+)?(?:the\s+)?credit\s+for\b",
    r"\b(?:screw|fuck|f\*+k|f\*+)(?:ed|s|ing)?\s+(?:(?:it|this|that|things|everything|"
    r"something)\s+)?up\b",
    r"\b(?:royally|totally|completely|badly)\s+(?:screw|fuck|f\*+k|f\*+|mess)(?:ed)?\s+up\b",
    r"\b(?:screw|fuck|f\*+k|f\*+)ed\s+(?:it|this|that|everything)\b(?!\s+up\b)",
    r"\bdropped\s+the\s+ball\b",
    r"\b(?:makes?|making|made)\s+(?:(?:a\s+lot\s+of|lots\s+of|so\s+many|many|constant|"
    r"repeated|careless|stupid|silly|basic|minor|the\s+same)\s+){1,3}(?:mistakes|errors)\b",
    r"\bkilled\s+(?:the\s+|our\s+|my\s+)?(?:site|website|server|database|db|prod|production|"
    r"build|app)\b",
)

_OWN_FAULT = (
    r"(?:mistakes?|errors?|faults?|blunders?|screw-?ups?|f(?:uck|\*+)-?ups?|negligence|"
    r"incompetence)\b(?!\s+(?:rates?|budgets?|logs?|handling|messages?|codes?|counts?|"
    r"pages?|paths?|reporting|tracking|tolerance|domains?|lines?)\b)"
)
# Index of each frame in ``PATTERNS``; the judge reads the target differently for each.
PREDICATE, DENIED_PRAISE, FALSE_WORDS, LABEL, EXPLETIVE_LABEL, OWNED, NOBODY = range(7)
SOURCES: tuple[str, ...] = (
    # "Developers are barbarians", "he is such a liar", "Teresa seems incompetent".
    rf"\b{_COPULA}\s+(?:{_FILLER}\s+){{0,4}}{_EVAL}\b",
    # "Teresa is not a good manager", "he isn't a competent engineer".
    rf"\b(?:(?:is|was|are|were|'s|'re)\s+(?:not|never)|isn't|wasn't|aren't|weren't)\s+"
    rf"(?:(?:a|an|very|really|particularly|the|most)\s+){{0,3}}{_alt(PRAISE)}\s+"
    rf"(?:[\w-]{{1,20}}\s+)?{_ROLE_PLURAL}\b",
    # "what they wrote about me is slander", "their reasons were untruths".
    rf"\b(?:is|was|are|were|'s|'re)\s+(?:(?:a|an|pure|complete|total|utter|all|just|"
    rf"outright|blatant)\s+){{0,2}}{_alt(FALSE_SPEECH)}\b",
    # "an incompetent manager", "my lazy coworkers", "this toxic boss".
    rf"\b{_alt(EVALUATIVE_ADJECTIVES)}\s+(?:[\w-]{{1,20}}\s+)?{_ROLE_PLURAL}\b",
    # "Fucking coders".
    rf"\b{_alt(EXPLETIVES)}\s+{_ROLE_PLURAL}\b",
    # "his mistakes", "my fellow worker's fault": a fault owned by someone ("your fault"
    # alone is the blame-shift rule's).
    rf"\b(?:(?:his|her|their|your)\s+(?!faults?\b)|(?:[\w-]{{1,20}}\s+)?{_ROLE}"
    rf"(?:'s|\u2019s|s')\s+)(?:(?:big|huge|stupid|silly|obvious|careless|minor|many|"
    rf"repeated|constant|own)\s+){{0,2}}{_OWN_FAULT}",
    # "Noone thought to roll back the code": nobody did what anyone should have.
    r"\b(?:no\s?-?one|nobody)\s+(?:even\s+|ever\s+)?(?:thought|bothered|cared|cares)\s+to\b",
    *_ACT,
)
PATTERNS = tuple(re.compile(source, re.IGNORECASE) for source in SOURCES)

TRIGGERS: tuple[str, ...] = tuple(
    sorted(
        {
            word
            for word in EVALUATIVE_ADJECTIVES | EVALUATIVE_NOUNS | FALSE_SPEECH
            if "-" not in word
        }
        | {part for word in EVALUATIVE_ADJECTIVES if "-" in word for part in word.split("-")}
        | PRAISE
        | EXPLETIVES
        | words_set(
            "lied lies lying lie bus sabotaged sabotages sabotaging backstabbed backstabbing "
            "betrayed scapegoated scapegoating slandered slandering badmouthed "
            "badmouthing badmouths mouthed mouthing mouths belittled belittles belittling "
            "humiliated humiliates humiliating bullied bullies bullying overstepped "
            "overstepping yelled yells yelling screamed screams screaming shouted shouts "
            "shouting credit ball killed screw screwed screws screwing fuck fucked fucks "
            "fucking f royally mistake mistakes error errors fault faults blunder blunders "
            "screwup screwups fuckup fuckups negligence incompetence noone nobody thought "
            "bothered cared cares totally completely badly mess messed stabbed"
        )
    )
)

_CONJUNCTIONS = words_set("and who then but")
_SPEAKERS = PERSON_PRONOUNS | words_set("me him her them us their his my your our")
_DETERMINERS = words_set("the a an our their this that these those my your his her its some")
# Possessives that make a thing someone's act; "our" and "their" name teams and vendors.
_OWNERS = words_set("his her your")
_PREPOSITIONS = words_set("of in at from on with for inside within")
_ABSTRACT = re.compile(r"(?:ology|tion|ment|ness|ity|ance|ence|ism|ics|ware|ing|ure)$")
_AFTER_QUOTE = re.compile(r"[\"\u201d]\s*(?:[\w'-]{1,30}\s+){0,3}$")


def _person_word(tokens: list[str], index: int) -> bool:
    """True when the word at ``index`` names a person: a pronoun, a role, or a name.

    A capitalised word with the ending of an abstract noun ("Technology", "Management")
    opens a sentence; it is not a name.
    """
    word = tokens[index]
    lower = word.lower().removesuffix("'s")
    if lower in PERSON_PRONOUNS or lower in PEOPLE:
        return True
    if lower.endswith("s") and lower[:-1] in PEOPLE:
        return True
    if len(word) == 1 and word.isupper() and word != "I":
        return True  # "X told me", a person kept anonymous
    if _ABSTRACT.search(lower):
        return False
    return is_name(word.removesuffix("'s"), tokens[index - 1] if index else None)


def _head_chain(tokens: list[str], index: int) -> list[int]:
    """The subject word and the heads of the phrases it is inside, back over prepositions.

    In "one of the assistants in the office royally ..." the word before the verb is
    "office"; the phrase it ends began at "assistants" and at "one".
    """
    chain = [index]
    while True:
        before = chain[-1] - 1
        while before >= 0 and tokens[before].lower() in _DETERMINERS:
            before -= 1
        if before < 1 or tokens[before].lower() not in _PREPOSITIONS:
            return chain
        chain.append(before - 1)


def _speech_tag(ctx: Context, start: int) -> bool:
    """True in a speech tag after a quotation ("...," John lied): it tells who spoke."""
    return _AFTER_QUOTE.search(ctx.before_in_sentence(start)[-80:]) is not None


def _person_target(ctx: Context, start: int) -> bool:
    """True when the clause's subject before ``start`` is a person, not a system.

    The subject word may close a phrase whose head is a person ("the people in the
    datacenter", "one of the assistants in the office"). A second verb of the same
    subject ("a co-worker who overstepped their bounds and threw you under the bus")
    hides the subject behind its object, so after "and" or "who" the few words before
    are read for a person too.
    """
    tokens, index = ctx.subject_word(start)
    if index is None:
        return False
    heads = _head_chain(tokens, index)
    if any(_person_word(tokens, head) for head in heads):
        return True
    if any(word.lower() in _OWNERS for head in heads for word in tokens[max(0, head - 3) : head]):
        return True  # "his preferential treatment was unfair": a person's act judged
    recent = [token.lower() for token in tokens[-12:]]
    offset = len(tokens) - len(recent)
    cuts = [place for place, word in enumerate(recent) if word in _CONJUNCTIONS]
    return bool(cuts) and any(_person_word(tokens, offset + k) for k in range(cuts[-1]))


def _speaker_before(ctx: Context, start: int) -> bool:
    """True when a person is named in the clause before (whose words are called false)."""
    tokens = words(ctx.clause_before(start))
    return any(
        token.lower() in _SPEAKERS or _person_word(tokens, index)
        for index, token in enumerate(tokens)
    )


def judge(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """A warning when the evaluation at ``index`` (a frame of ``PATTERNS``) targets a person.

    Negated ("he is not a liar"), supposed ("if you are careless") and reported ("she
    said I was lazy") evaluations are not the writer's verdict and are dropped, as are
    labels in a heading.
    """
    if ctx.supposed(start) or ctx.negated(start, 3):
        return None
    if index == FALSE_WORDS:
        return Severity.WARNING if _speaker_before(ctx, start) else None
    if ctx.reported(start) or _speech_tag(ctx, start):
        return None
    if index in (LABEL, EXPLETIVE_LABEL, OWNED, NOBODY):
        return Severity.WARNING  # the role, the owner or "nobody" is the target
    return Severity.WARNING if _person_target(ctx, start) else None


def with_evaluation(own: Judge, count: int) -> Judge:
    """A rule's judge for its ``count`` own patterns followed by ``PATTERNS``.

    The "character" rule holds this detector after its word list: matches of its own
    patterns go to its own judge, the rest to :func:`judge` with the frame's index.
    """

    def combined(ctx: Context, start: int, end: int, index: int) -> Severity | None:
        if index < count:
            return own(ctx, start, end, index)
        return judge(ctx, start, end, index - count)

    return combined
