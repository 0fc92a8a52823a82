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

Hand lists overfit the words of the write-ups they were made from, so the detector
also has **general frames**, written for shapes of blame rather than words:

* the rated lexicon of ``lexicon`` (thousands of words people rated negative, without
  feelings and words for events) after a copula ("she was a bully", "I felt like a
  fool"), before a role ("a lame boss") and as a manner adverb ("he shamelessly
  skipped it"); these frames take any word and the judge looks it up in the set, which
  keeps each pattern small and linear;
* a mistake weighed and owned: the writer's ("I made a silly mistake", "my own dumb
  error", "the worst blunder I have ever made", "I didn't test the restore") or
  someone else's ("the consultant who made this error", "an error she had made");
* the story of an act that did the damage, a slip or a duty dropped, told about someone
  else ("the contractor accidentally wiped the shared drive", "the intern managed to
  crash the server", "a contractor misconfigured the firewall", "she ignored the
  warning", "he never even tested it"; these speak through the "named-person" rule),
  and praise used as mockery ("some genius decided to ...");
* a person's work, conduct or competence judged ("his sloppy code", "her half-baked fix",
  "toxic behavior", "poor quality workmanship", "a director with no understanding of
  backups", "her lack of integrity", "he did something
  wrong", "I lost all respect for him");
* a person as the cause ("he was the problem", "because of her", "caused by the new
  developer"; these speak through the "named-person" rule), the writer laying the
  blame ("I still blame the contractor"), blame laid on a role ("he blamed the
  developers"), a rated act done to a person ("he belittled
  me") and others leaving the writer uninformed ("nobody told us");
* an act done without the check or the word to others ("somebody merged without running
  the tests", "pushed files without letting anyone know"), broken work pushed ("commit
  broken untested code"), an effort weighed as too little ("he didn't bother to"), and a
  person still counted among those to blame ("isn't the only one to blame"); these speak
  through the "named-person" rule;
* slips told as a habit ("kept messing up orders"), what a person did to others told as
  a story ("started the blame game", "blew me off", "exploded in my face"), a superlative
  that ranks a person at the bottom of their trade ("the worst bank teller"), and a
  gerund whose doer is left out, read as the person the clause penalises ("payback for
  being a smartass", "called out for committing broken code").

In the frames about acts, "we" (the team owning its own story) and "they" (often a
vendor) are not targets, and a narrated act of the writer's own ("I deleted the old
version") is an account, not a verdict.

The detector is part of the "character" rule (labels for people); its judge drops
negated, supposed and reported judgements, as the other judgement rules do, except
that calling someone's words "slander" or "lies" is the writer's own verdict even
though "wrote" or "said" comes before it.
"""

from __future__ import annotations

import re

from bot.language import literals
from bot.language.blameless import lexicon
from bot.language.blameless.context import (
    PERSON_NOUNS,
    PERSON_PRONOUNS,
    Context,
    deliberate_removal,
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
    "passive-aggressive two-faced power-hungry mediocre unfair lax snarky offending naive"
    # Person-only words the rated lexicon lacks or sets aside by their ending ("-ing",
    # "-ed"): "he seemed oblivious", "I was downright brash", "he was irritating to
    # everyone", "the refs are culpable".
    " oblivious hysterical brash culpable opinionated insubordinate egotistical psychotic"
    " uninformed snide clumsy inconsiderate irritating unmotivated"
)
# Nouns that label a person.
EVALUATIVE_NOUNS = words_set(
    "liar liars barbarian barbarians bully bullies snake snakes weasel weasels "
    "backstabber backstabbers hypocrite hypocrites coward cowards psychopath psychopaths "
    "sociopath sociopaths narcissist narcissists tyrant tyrants menace slacker slackers "
    "loser losers parasite parasites leech leeches savage savages incompetents "
    "amateurs hacks deadweight liability nightmare disgrace joke psycho psychos lunatic "
    "lunatics screw-up screw-ups screwup screwups fuck-up fuck-ups fuckup fuckups"
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
    "programmer colleague boss officer officers woman women lady ladies gentleman"
)
# Roles a label can land on; "ops", "qa" and the like also modify things, so they are out.
ROLE_NOUNS = PEOPLE - words_set(
    "ops devops qa sre sres dba dbas on-call oncall team teams staff folks management "
    "leadership vendor lead leads members member tech techs owner owners"
)


def _alt(items: frozenset[str]) -> str:
    """A non-capturing alternation of words, shaped as a trie (longer words first).

    A flat alternation of a hundred words tries each in turn at every position; the trie
    follows one branch per letter.
    """
    return literals.trie(items)


_COPULA = (
    r"(?:is|was|are|were|am|'s|'re|'m|seems?|seemed|looks?\s+like|looked\s+like|"
    r"sounds?\s+like|acts?\s+like|acted\s+like|being|been|be|became|becomes?)"
)
_FILLER = (
    r"(?:such|so|really|very|totally|completely|utterly|just|quite|pretty|incredibly|"
    r"extremely|a|an|the|one\s+of\s+the|bit|little|kind\s+of|sort\s+of|real|absolute|"
    r"complete|total|most|more|truly|clearly|obviously|always|still|also|simply|fucking|"
    r"damn|bunch\s+of|pack\s+of|bloody|actually|basically|honestly|plain|outright|pure|"
    r"utter|lot\s+of|downright)"
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
# Whose fault or slip: the roles, and the words for a group or a trade that a label
# leaves out because they also modify things ("the tech's fault", "the team's mistakes",
# "the owner's error"); with the possessive they name people.
_POSSESSOR = _alt(PEOPLE)
# A role that names a person, for other rules' frames ("the fault of the manager").
ROLE_PATTERN = _ROLE_PLURAL

# What a person did to others: "he belittled her", "she yelled at me", "he bullied them".
_HARMS = (
    r"\b(?:sabotag(?:ed|es|ing)|backstabb(?:ed|ing)|stabbed\s+(?:\w+\s+){1,2}in\s+the\s+back|"
    r"betrayed|scapegoat(?:ed|ing)|slander(?:ed|ing)|bad-?mouth(?:ed|ing|s)|"
    r"belittl(?:ed|es|ing)|humiliat(?:ed|es|ing)|bull(?:ied|ies|ying)|overstepp(?:ed|ing)|"
    r"(?:yell|scream|shout)(?:ed|s|ing)\s+at)\b"
)
# Acts only people do, each a judgement of the doer.
_ACT = (
    r"\b(?:lied|lies|lying|lie)\s+(?:to|about)\b",
    r"\blied\b",
    r"\b(?:threw|throw|throws|thrown|throwing)\s+(?:[\w-]{1,20}\s+){1,3}under\s+the\s+bus\b",
    _HARMS,
    r"\b(?:took|takes|taking|take)\s+(?:all\s+)?(?:the\s+)?credit\s+for\b",
    r"\b(?:screw|fuck|f\*+k|f\*+)(?:ed|s|ing)?\s+(?:(?:it|this|that|things|everything|"
    r"something)\s+)?up\b",
    r"\b(?:royally|totally|completely|badly)\s+(?:screw|fuck|f\*+k|f\*+|mess)(?:ed)?\s+up\b",
    # "he started with the blame game", "she blew me off", "he exploded in my face":
    # what a person did to others, told as a story that judges it.
    r"\b(?:start(?:ed|s|ing)?|play(?:ed|s|ing)?)\s+(?:with\s+|at\s+)?(?:the\s+|a\s+)?"
    r"blame[- ]game\b",
    r"\b(?:(?:kind|sort)\s+of\s+|just\s+)?(?:blew|blow|blows|blowing)\s+(?:me|us|him|her|them)\s+"
    r"off\b",
    r"\b(?:(?:kind|sort)\s+of\s+|just\s+)?(?:exploded|explodes|blew\s+up|flew\s+off\s+the\s+"
    r"handle)\s+(?:at|on|in)\s+(?:me|us|him|her|them|everyone|my\s+face|our\s+faces)\b",
    # "one of the cashiers kept messing up orders": a person's slips told as a habit.
    r"\b(?:kept|keeps|keep|always|constantly|forever)\s+(?:on\s+)?(?:messing|screwing|"
    r"fucking)\s+(?:(?:it|things|everything|stuff)\s+)?up\b",
    r"\b(?:screw|fuck|f\*+k|f\*+)ed\s+(?:it|this|that|everything)\b(?!\s+up\b)",
    r"\bdropped\s+the\s+ball\b",
    r"\b(?:makes?|making|made)\s+(?:(?:a\s+lot\s+of|lots\s+of|so\s+many|many|constant|"
    r"repeated|careless|stupid|silly|basic|minor|the\s+same)\s+){1,3}(?:mistakes|errors)\b",
    r"\bkilled\s+(?:the\s+|our\s+|my\s+)?(?:site|website|server|database|db|prod|production|"
    r"build|app)\b",
)

_OWN_FAULT = (
    r"(?:mistakes?|errors?|faults?|blunders?|screw-?ups?|f(?:uck|\*+)-?ups?|"
    r"(?:cock|balls|foul)-ups?|negligence|"
    r"incompetence)\b(?!\s+(?:rates?|budgets?|logs?|handling|messages?|codes?|counts?|"
    r"pages?|paths?|reporting|tracking|tolerance|domains?|lines?)\b)"
)
# --- general frames over the rated lexicon (``lexicon``) and the story of an act -------
_FILLER_WORDS = words_set(re.sub(r"\\s\+|[()?:|\\]", " ", _FILLER)) | words_set("and or but")
_RATED = lexicon.JUDGEMENTS | lexicon.UNFIT | EVALUATIVE_ADJECTIVES | EVALUATIVE_NOUNS
# Words for poor work that the rated lexicon files under events ("buggy", "rushed").
_POOR_WORK = words_set(
    "garbage crap crappy junk trash spaghetti sloppy shoddy half-assed half-baked buggy "
    "rushed awful terrible horrible bad"
)
# How bad a mistake is said to be: the rated words and the plain words of size.
_SEVERITY = literals.trie(
    lexicon.JUDGEMENTS
    | EVALUATIVE_ADJECTIVES
    | words_set(
        "big bigger biggest huge major massive bad worse worst terrible horrible awful costly "
        "serious grave stupid stupidest dumb dumbest silly careless basic rookie embarrassing "
        "colossal catastrophic"
    )
)
_SLIP_NOUN = (
    r"(?:mistakes?|errors?|blunders?|screw-?ups?|f(?:uck|\*+)-?ups?|(?:cock|balls|foul)-ups?|"
    r"oversights?)"
)
# Words for how a person treats others, which judge conduct ("toxic behavior", "his ill
# behaviour"); words a system's behaviour also takes ("bad", "hostile", "abusive" traffic,
# "lazy" loading) are left out.
_CONDUCT = literals.trie(
    words_set(
        "ill toxic rude disrespectful unprofessional childish appalling obnoxious "
        "disgraceful shameful inexcusable arrogant condescending dishonest selfish "
        "irresponsible insubordinate boorish petulant"
    )
)
# Superlatives that rank a person at the bottom of their trade: "the worst bank teller in
# the bank's history", "the laziest contractor we ever hired". The rated lexicon files
# "worst" under events (the worst outage); before a role it is a verdict on the person.
_SUPERLATIVES = words_set(
    "worst lousiest crappiest sloppiest laziest dumbest stupidest clumsiest rudest meanest"
)
# What a role noun can modify instead of naming someone: "a weak admin password".
_NOT_A_PERSON = (
    r"(?!\s+(?:passwords?|credentials?|tokens?|keys?|rights|privileges|permissions|panels?|"
    r"interfaces?|roles?|levels?|users?|accounts?|access|settings|area|page|pages)\b)"
)
_DAMAGE = literals.trie(
    words_set(
        "deleted wiped unplugged truncated overwrote overwritten erased nuked trashed "
        "destroyed crashed bricked corrupted spilled spilt"
    )
    | {"wiped out", "knocked out"}
)
_MIS = words_set(
    "misconfigured mistyped misread misjudged mislabeled mislabelled misplaced misrouted "
    "misnamed misspelled misspelt misclicked misapplied misunderstood misinterpreted misused "
    "mishandled misreported misaligned misconfigures"
)
_MIS_VERBS = literals.trie(_MIS)
_DAMAGE_MANNER = literals.trie(
    words_set("accidentally mistakenly inadvertently unknowingly somehow just then also had has")
    | {"went and"}
)
# Space between two words of one paragraph: at most one line break.
_ONE_BREAK = r"(?:[^\S\n]+\n?[^\S\n]*|\n[^\S\n]*)"
_GENERAL = (
    # "he is pathetic", "she was a bully", "I felt like a fool": a rated word after a
    # copula. The lexicon has thousands of words, so the pattern takes any word and the
    # judge looks it up.
    rf"\b(?:{_COPULA}|fe(?:el|els|lt)\s+like)\s+(?:{_FILLER}\s+){{0,4}}[a-z][a-z'-]{{1,30}}"
    rf"(?:,?\s+(?:and|or|but)\s+(?:{_FILLER}\s+){{0,2}}[a-z][a-z'-]{{1,30}})?\b(?![-'])",
    # "a lame boss", "these selfish managers": a rated word labelling a role, within one
    # paragraph (a line break, not a blank line, may come between), as the fast path's
    # windows read it.
    rf"\b[a-z][a-z'-]{{1,30}}{_ONE_BREAK}(?:[\w-]{{1,20}}{_ONE_BREAK})?{_ROLE_PLURAL}\b"
    rf"{_NOT_A_PERSON}",
    # "I stupidly forgot", "he foolishly trusted it": an act judged by its manner.
    r"\b[a-z]{2,30}ly\b(?=\s+[a-z])",
    # "my horrible mistake", "my own stupid error".
    rf"\bmy\s+(?:own\s+)?(?:(?:{_SEVERITY}|very|really|so)\s+){{1,2}}{_SLIP_NOUN}",
    # "the worst mistake I have ever made".
    rf"\b(?=[a-z]{{2,30}}\s+(?:mistake|error|blunder|screw|f))"
    rf"{_SEVERITY}\s+{_SLIP_NOUN}\s+(?:that\s+)?I(?:'ve|\s+have|\s+had|'d)?\s+"
    r"(?:ever\s+)?(?:made|done|committed)\b",
    # "I made a mistake", "has made a terrible mistake", "the woman who made this error".
    rf"\b(?:made|make|makes|making|committed)\s+(?:a|an|this|that|such\s+an?|the|one|"
    rf"another)\s+(?:(?:{_SEVERITY}|real|really|very|so|truly)\s+){{0,2}}{_SLIP_NOUN}",
    # "an error he had made".
    rf"\b{_SLIP_NOUN}\s+(?:that\s+|which\s+)?(?:he|she)\s+(?:had\s+|has\s+|'d\s+)?"
    r"(?:just\s+)?made\b",
    # "some genius decided to", "our rocket scientist of a manager": praise as mockery.
    r"\b(?:some|our|the|this|that|a|one)\s+(?:absolute\s+|real\s+|resident\s+)?(?:genius|"
    r"geniuses|rocket\s+scientists?|bright\s+sparks?|einsteins?|brainiacs?|wizards?)\s+"
    r"(?:who\s+|had\s+|then\s+|just\s+|here\s+)?(?:decided|thought|figured|came\s+up|chose|"
    r"wanted|insisted|went|managed|did|set|ran|pushed|deployed|forgot)\b",
    # "his sloppy code", "her half-assed fix": a person's work judged; "my mediocre career",
    # "my sloppy bookkeeping": the writer's verdict on their own.
    r"\b(?:his|her|your|my)\s+(?:own\s+)?(?:[\w-]{1,20}\s+){1,2}(?:code|work|job|commits?|PRs?|"
    r"pull\s+requests?|fix|fixes|patch|patches|scripts?|design|config|changes?|documentation|"
    r"docs|tests?|handover|notes|career|skills|performance|bookkeeping|workmanship|"
    r"behaviou?rs?|conduct|attitude|manners|work\s+ethic)\b",
    # "a director with no understanding of backups", "he has no clue how DNS works".
    r"\b(?:no|zero)\s+(?:real\s+)?(?:clue|understanding)\s+"
    r"(?:of|about|what|how|whatsoever)\b",
    # "he belittled me", "she undermined us": a rated act done to a person.
    r"\b[a-z]{3,30}ed\s+(?:me|us|him|her|them|everyone|everybody|my\s+[a-z]{2,20})\b(?![-'])",
    # "I blame myself", "I still blame the contractor": the writer laying the blame.
    r"\bI\s+(?:(?:still|really|totally|fully|partly|mostly|personally|honestly|do|kind\s+of)\s+)?"
    r"blame\s+(?:myself|yourself|him|her|them|you|(?:the|my|our|that|this|his|her)\s+"
    rf"(?:[\w-]{{1,20}}\s+)?{_ROLE}\b|(?-i:(?=[A-Z][a-z])[A-Z][a-z]{{1,30}})\b)",
    # "Rachel's mistakes", "Dana's typo": a fault owned by someone named.
    rf"(?-i:\b(?=[A-Z][a-z])[A-Z][a-z]{{1,30}})(?:'s|\u2019s)\s+(?:(?:big|huge|stupid|silly|"
    rf"obvious|careless|minor|many|repeated|constant|own|latest|usual)\s+){{0,2}}{_OWN_FAULT}",
    # "her lack of integrity", "his complete absence of judgement": a lack laid on someone.
    r"\b(?:his|her|your|my)\s+(?:complete\s+|total\s+|utter\s+|apparent\s+|obvious\s+)?"
    r"(?:lack|absence)\s+of\b",
    # "I lost all respect for him": a verdict on a person.
    r"\blost\s+(?:all\s+|any\s+|my\s+|every\s+)?respect\s+for\s+(?:him|her|them|my|his|your)\b",
    # "he did something wrong", "I did it all wrong": a person's act called wrong.
    r"\bdid\s+(?:something|everything|it|this|that|things|it\s+all|so\s+much)\s+"
    r"(?:all\s+|completely\s+|totally\s+)?wrong\b",
    # "he blamed the developers", "the outage was blamed on the contractor": blame laid
    # on a role or a group of people (a system blamed, "blamed the network", is not).
    r"\b(?:blamed|blames|scapegoated)\s+(?:(?:it|this|that|everything)\s+(?:all\s+)?)?"
    r"(?:on\s+)?(?:the|my|our|his|her|their|those|these|all\s+the|a|an)\s+"
    rf"(?:[\w-]{{1,20}}\s+)?{_ROLE_PLURAL}\b{_NOT_A_PERSON}",
    # "that one bit of toxic behavior", "poor quality workmanship", "I find this behavior
    # extremely disrespectful": conduct or craft judged, which only people have. A
    # system's "bad behavior" or "strange behaviour" is how it ran: before "behavior" only
    # words for how people treat others count, before a person's craft also poor work.
    rf"\b(?:{_CONDUCT}\s+(?:behaviou?rs?|conduct|attitudes?|manners)|(?:{_CONDUCT}|poor|bad|"
    r"sloppy|shoddy|lousy|terrible|awful|shitty|crappy|careless|lazy)\s+(?:quality\s+)?"
    r"(?:workmanship|work\s+ethic|attitudes?))\b"
    r"|\b(?:this|that|his|her|your|such)\s+(?:kind\s+of\s+)?(?:behaviou?r|conduct|attitude)\s+"
    r"(?:(?:is|was|extremely|really|very|so|quite|totally|completely|utterly|absolutely|"
    rf"frankly|pretty|rather|deeply|incredibly)\s+){{1,3}}{_CONDUCT}\b",
    # "she had made a few crucial mistakes", "my coworker has made numerous mistakes in
    # his work": someone else's slips counted or weighed (the writer's and the team's
    # are their own account, a system's errors its output).
    r"\b(?:makes?|making|made|committed)\s+(?:(?:a\s+few|a\s+couple\s+of|a\s+number\s+of|"
    r"a\s+series\s+of|numerous|several|multiple|countless|few|some|two|three|many|more|"
    r"crucial|critical|serious|major|huge|big|costly|fatal|grave|glaring|obvious|"
    r"elementary|amateur|beginner|rookie|basic|careless|sloppy)\s+){1,3}"
    r"(?:mistakes|errors|blunders)\b",
    # "no one let me know", "nobody told us": others leaving the writer uninformed.
    r"\b(?:no\s?-?one|nobody)\s+(?:(?:even|ever|actually|really|bothered\s+to)\s+){0,3}"
    r"(?:let\s+(?:me|us)\s+"
    r"know|told\s+(?:me|us)|informed\s+(?:me|us)|warned\s+(?:me|us))\b",
)

# A person as the cause, and a person's act told as the story of what went wrong: these
# frames speak through the "named-person" rule (a person or a role as the cause), whose
# flags the share preview ranks first.
CAUSE_SOURCES: tuple[str, ...] = (
    # "he was the problem", "Sam is the whole reason": a person as the cause.
    r"\b(?:was|is|were|are|'s|'re|'m|am)\s+(?:the\s+)?(?:(?:whole|main|real|only|sole|actual|"
    r"entire|biggest|root)\s+)?(?:reason|cause|problem)\b(?![\w-])(?!\s+(?:for|why|of|that)\b)",
    # "because of him", "due to my carelessness", "caused by the new developer".
    r"\b(?:because\s+of|due\s+to|caused\s+by|(?<!the\s)blame\s+(?:it\s+)?on)\s+(?:(?:him|her|me|you)\b"
    rf"(?![\w-])|(?:his|her|my|your)\s+(?:own\s+)?(?:[\w-]{{1,20}}\s+)?(?:{_SLIP_NOUN}|negligence|"
    r"carelessness|laziness|incompetence|stupidity|ignorance|typo|decision|actions?)\b|"
    rf"(?:the|a|an|that|this|some|our)\s+(?:[\w-]{{1,20}}\s+){{0,2}}{_ROLE}\b(?!\s+(?:team|teams|"
    r"tooling|tools?|accounts?|access|credentials?|process)\b))",
    # "he didn't check the data", "she never even tried it": a check skipped by a
    # person (the team's "we didn't test" and the writer's "I didn't check" are their own
    # accounts).
    r"\b(?:didn['\u2019]t|did\s+not|never|wouldn['\u2019]t|would\s+not|forgot\s+to|"
    r"neglected\s+to)\s+(?:even\s+)?(?:bother\s+to\s+)?(?:check|test|"
    r"try|tried|tested|checked|verify|read|review|proofread|confirm|validate|compile|"
    r"look\s+at|back\s+up)\b"
    # "he didn't bother to pick them up", "she never bothered to reply": a person's effort
    # weighed as too little, whatever the act.
    r"|\b(?:didn['\u2019]t|did\s+not|never|couldn['\u2019]t|could\s+not|wouldn['\u2019]t|"
    r"would\s+not)\s+(?:even\s+)?bother(?:ed)?\s+to\s+[a-z]{2,20}\b",
    # "the intern managed to crash the server": a narrated act told as an achievement.
    r"\b(?:somehow\s+)?managed\s+to\s+(?:[a-z]{2,20}\s+)?(?:crash|break|delete|wipe|destroy|"
    r"lose|spill|kill|brick|corrupt|screw|mess|take\s+down|bring\s+down|knock|unplug|erase|"
    r"drop|nuke|trash|ruin|flood|overwrite|set\s+off|trip|blow)\w*\b",
    # "the contractor accidentally wiped the shared drive", "Priya had truncated the
    # table": a person's act that did the damage, told by someone else.
    rf"\b(?:{_DAMAGE_MANNER}\s+){{0,2}}{_DAMAGE}(?=\s+(?:the|a|an|our|all|his|her|their|"
    r"every|entire|whole|production|prod|\d)\b)",
    # "a contractor misconfigured the firewall": a slip told by its verb, about someone
    # else.
    rf"\b(?:{_DAMAGE_MANNER}\s+|simply\s+){{0,2}}(?:{_MIS_VERBS}|mis-[a-z]{{3,20}}(?:ed|ood|ead|ook))"
    r"\b",
    # "she ignored the warning", "the admin simply skipped the checklist": a duty
    # dropped, told about someone else.
    rf"\b(?:{_DAMAGE_MANNER}\s+|completely\s+|conveniently\s+|totally\s+|simply\s+){{0,2}}"
    r"(?:ignored|skipped|disregarded|overlooked|bypassed|neglected|dismissed|brushed\s+off)"
    r"(?=\s+(?:the|a|an|our|my|all|every|his|her|their|this|that|these|those|it|them|me|us)\b)",
    # "somebody merged without running the tests first", "a developer had pushed files
    # without letting anyone know": a person's act told with the check or the word to
    # others it went without (the team's "we merged without ..." and the writer's "I merged
    # without ..." are their own accounts).
    r"\b(?:[a-z]{2,20}ed|ran|did|went|made|sent|took|wrote|put|set|cut)\s+"
    r"(?:[^\s.!?;:]{1,40}\s+){0,5}?without\s+(?:first\s+|even\s+|properly\s+|ever\s+)?"
    r"(?:running|testing|checking|reading|reviewing|verifying|asking|telling|consulting|"
    r"notifying|warning|informing|realizing|realising|thinking|looking|letting\s+"
    r"(?:anyone|anybody|us|me|them|the\s+\w+)\s+know)\b",
    # "he would commit broken untested code", "she merged buggy changes": a person's work
    # judged by what it did to the shared code (the team's "we shipped untested code" and
    # the writer's "I pushed untested code" are their own accounts).
    r"\b(?:merg(?:e|ed|es|ing)|commit(?:s|ted|ting)?|push(?:ed|es|ing)?|ship(?:s|ped|ping)?|"
    r"deploy(?:s|ed|ing)?|check(?:ed|s|ing)?\s+in)\s+(?:(?:some|the|his|her|their|this|that|"
    r"more)\s+)?(?:(?:completely|totally|obviously|clearly)\s+)?(?:(?:broken|untested|buggy|"
    r"half-baked|sloppy|unreviewed|non-compiling)\s+){1,2}(?:code|changes?|commits?|"
    r"patch(?:es)?|builds?|features?|stuff)\b",
    # "Christopher, who isn't the only one to blame": a person still counted among those
    # to blame, the negation only widening the blame.
    r"\b(?:isn't|is\s+not|wasn't|was\s+not|aren't|are\s+not|weren't|were\s+not|not)\s+"
    r"the\s+only\s+ones?\s+to\s+blame\b",
)
(
    PERSON_AS_CAUSE,
    CAUSED_BY_PERSON,
    UNCHECKED,
    MANAGED_TO,
    NARRATED_DAMAGE,
    MIS_ACT,
    DUTY_DROPPED,
    WENT_WITHOUT,
    BROKEN_WORK,
    NOT_ONLY_ONE,
) = range(len(CAUSE_SOURCES))
CAUSE_TRIGGERS = (
    words_set(
        "reason cause problem because due caused blame didn't didn\u2019t never wouldn't "
        "wouldn\u2019t forgot neglected managed deleted wiped unplugged truncated overwrote "
        "overwritten erased nuked trashed destroyed crashed bricked corrupted spilled spilt "
        "knocked ignored skipped disregarded overlooked bypassed dismissed brushed mis "
        "bother bothered without broken untested buggy half baked unreviewed compiling"
    )
    | _MIS
)

# Index of each frame in ``PATTERNS``; the judge reads the target differently for each.
PREDICATE, DENIED_PRAISE, FALSE_WORDS, LABEL, EXPLETIVE_LABEL, OWNED, NOBODY = range(7)
HARM_DONE = 7 + _ACT.index(_HARMS)
_FIRST_GENERAL = 7 + len(_ACT)
(
    RATED_PREDICATE,
    RATED_LABEL,
    JUDGED_MANNER,
    OWN_SLIP,
    WORST_SLIP,
    MADE_SLIP,
    SLIP_MADE,
    MOCK_PRAISE,
    WORK_JUDGED,
    NO_CLUE,
    ACT_ON_PERSON,
    WRITER_BLAMES,
    NAMED_FAULT,
    LACK_LAID,
    LOST_RESPECT,
    DID_WRONG,
    ROLE_BLAMED,
    CONDUCT_JUDGED,
    SLIPS_COUNTED,
    NOBODY_TOLD,
) = range(_FIRST_GENERAL, _FIRST_GENERAL + len(_GENERAL))
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
    # "an incompetent manager", "my lazy coworkers", "an arrogant, controlling coworker".
    rf"\b{_alt(EVALUATIVE_ADJECTIVES)}(?:,?\s+(?:and\s+)?[\w-]{{1,20}})?\s+{_ROLE_PLURAL}\b",
    # "Fucking coders".
    rf"\b{_alt(EXPLETIVES)}\s+{_ROLE_PLURAL}\b",
    # "his mistakes", "my fellow worker's fault": a fault owned by someone ("your fault"
    # alone is the blame-shift rule's). The word before the role stays on its line, as a
    # window of the fast path does.
    rf"\b(?:(?:his|her|their|your)\s+(?!faults?\b)|(?:[\w-]{{1,20}}[^\S\n]+)?{_POSSESSOR}"
    rf"(?:'s|\u2019s|s')\s+)(?:(?:big|huge|stupid|silly|obvious|careless|minor|many|"
    rf"repeated|constant|own)\s+){{0,2}}{_OWN_FAULT}",
    # "Noone thought to roll back the code": nobody did what anyone should have.
    r"\b(?:no\s?-?one|nobody)\s+(?:even\s+|ever\s+)?(?:thought|bothered|cared|cares)\s+to\b",
    *_ACT,
    *_GENERAL,
)
PATTERNS = tuple(re.compile(source, re.IGNORECASE) for source in SOURCES)
# The slip frames write out ``_SEVERITY`` (thousands of rated words): too long for the
# engine to read for required words, they would run in every window of the rule. Read
# with the lexicon as "any text", they still need "my", "made" or a slip noun, which
# the lexicon cannot remove: the stand-in matches every string the frame matches.
for _source in SOURCES:
    if _SEVERITY in _source:
        literals.read_as(_source, _source.replace(_SEVERITY, r"[\s\S]+"))


def _split(items: frozenset[str]) -> frozenset[str]:
    """Trigger words for a word set; a hyphenated word by its longest part ("short" of
    "short-sighted" or "two" of "two-faced" would wake the rule in every sentence)."""
    return frozenset(max(re.split(r"[-']", item), key=len) for item in items)


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
        | _split(lexicon.JUDGEMENTS | lexicon.UNFIT | lexicon.JUDGING_ADVERBS | lexicon.ACTS)
        | words_set(
            "nobody noone told informed warned let oversight oversights blame blamed blames clue "
            "understanding prone lack absence respect wrong genius geniuses rocket "
            "scientist scientists bright sparks einstein einsteins brainiac brainiacs wizard "
            "wizards garbage crap crappy junk trash spaghetti sloppy shoddy "
            "half buggy rushed behavior behaviour behaviors behaviours conduct attitude "
            "attitudes manners workmanship ethic"
        )
        | _SUPERLATIVES
        | words_set(
            "lied lies lying lie bus sabotaged sabotages sabotaging backstabbed backstabbing "
            "betrayed scapegoated scapegoating slandered slandering badmouthed "
            "badmouthing badmouths mouthed mouthing mouths belittled belittles belittling "
            "humiliated humiliates humiliating bullied bullies bullying overstepped "
            "overstepping yelled yells yelling screamed screams screaming shouted shouts "
            "shouting credit ball killed screw screwed screws screwing fuck fucked fucks "
            "fucking f royally mistake mistakes error errors fault faults blunder blunders "
            "messing game exploded explodes blew blow blows blowing flew "
            "screwup screwups fuckup fuckups cock balls foul negligence incompetence noone "
            "nobody thought bothered cared cares totally completely badly mess messed stabbed"
        )
    )
)

_CONJUNCTIONS = words_set("and who then but")
_NEVER = words_set("never not no nobody")
# Object pronouns that name who does an act after "let", "having", "watched": people.
_OBJECT_SUBJECTS = words_set("him her me")
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
    if tokens[index].lower() == "to" and index >= 2:
        index -= 2  # "she tends to make ...": the subject before a verb with "to"
    if tokens[index].lower() in _OBJECT_SUBJECTS:
        return True  # "the risk of having him fuck it up": a person doing the act
    if tokens[index].lower() == "for":
        # "he got called out for commit(ting) broken code", "fired for being lazy": the
        # act's doer is left out, and is the person the clause penalises ("she never made
        # me feel bad for making a mistake" penalises no one).
        before = range(max(0, index - 8), index)
        if any(tokens[k].lower() in _NEVER or tokens[k].lower().endswith("n't") for k in before):
            return False
        return any(_person_word(tokens, k) for k in before)
    heads = _head_chain(tokens, index)
    if any(_person_word(tokens, head) for head in heads):
        return True
    if any(word.lower() in _OWNERS for head in heads for word in tokens[max(0, head - 3) : head]):
        return True  # "his preferential treatment was unfair": a person's act judged
    recent = [token.lower() for token in tokens[-12:]]
    offset = len(tokens) - len(recent)
    cuts = [place for place, word in enumerate(recent) if word in _CONJUNCTIONS]
    if not cuts or offset + cuts[-1] < index:
        return False  # "..., but it was still a terrible week": the new clause has its own
    return any(_person_word(tokens, offset + k) for k in range(cuts[-1]))


def _speaker_before(ctx: Context, start: int) -> bool:
    """True when a person is named in the clause before (whose words are called false)."""
    tokens = words(ctx.clause_before(start))
    return any(
        token.lower() in _SPEAKERS or _person_word(tokens, index)
        for index, token in enumerate(tokens)
    )


_EVERYONE = re.compile(
    r"\b(?:we\s+all|all\s+of\s+us|everyone|everybody|every\s+one\s+of\s+us)\s*$",
    re.IGNORECASE,
)
_PAST_SLIP = re.compile(r"\w+ed\b")


_SHY_OF = re.compile(r"shy\s+of\b", re.IGNORECASE)
# A gerund whose subject is left out: "payback for being a smartass", "fired for being
# lazy". Only a person is judged "for being" a rated word; a system is "known for being"
# slow, which the lexicon does not rate.
_FOR_BEING = re.compile(r"\bfor\s+(?:ever\s+)?being\s", re.IGNORECASE)


# Rated words that are also verbs of belief, after "I" or "we" ("I suspect", "we doubt").
_BELIEF_VERB = re.compile(r"(?:suspect|doubt|fear)\b", re.IGNORECASE)


def judge(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """A warning when the evaluation at ``index`` (a frame of ``PATTERNS``) targets a person.

    Negated ("he is not a liar"), supposed ("if you are careless") and reported ("she
    said I was lazy") evaluations are not the writer's verdict and are dropped, as are
    labels in a heading.
    """
    if not _rated(ctx.scan[start:end], index):
        return None  # the frames that take any word: most words are not rated
    if index in (HARM_DONE, RATED_PREDICATE) and _suffered_unnamed(ctx, start, end, index):
        return None  # "I was yelled at": what happened to the writer, no one named
    if index == RATED_LABEL and _verb_before_role(ctx, start, end):
        return None  # "things that would pique students' interest": a verb, not a label
    if index == RATED_PREDICATE and _SHY_OF.match(ctx.scan, max(start, end - 3)):
        return None  # "just shy of 120 thousand lines": short of a number
    if _BELIEF_VERB.match(ctx.scan, start) and ctx.previous_words(start, 1) in (["i"], ["we"]):
        return None  # "I suspect for engineers, ...": a belief, the rated word its verb
    if ctx.supposed(start) or ctx.negated(start, 3) or ctx.asks_of_self(start, end):
        return None  # ... or asked of oneself: "Did I screw up?"
    if _EVERYONE.search(ctx.clause_before(start)) and not _PAST_SLIP.search(ctx.scan, start, end):
        return None  # "we all screw up": the reframe itself, everyone's slips, not a verdict
    if index == FALSE_WORDS:
        return Severity.WARNING if _speaker_before(ctx, start) else None
    if ctx.reported(start) or _speech_tag(ctx, start):
        return None
    if index == ROLE_BLAMED and ctx.previous_words(start, 1) in (["who"], ["that"]):
        return None  # "the manager who blamed the developers": which manager, told again
    if index in _TARGET_IN_FRAME:
        return Severity.WARNING  # the role, the owner, the writer or "nobody" is the target
    if index == RATED_PREDICATE and _FOR_BEING.search(ctx.scan, max(0, start - 12), end):
        return Severity.WARNING  # "payback for being a smartass": a person, left unsaid
    if index == NO_CLUE and _person_with(ctx, start):
        return Severity.WARNING  # "a director with no understanding of ..."
    if not _person_target(ctx, start):
        return None
    if index == SLIPS_COUNTED and set(ctx.previous_words(start, 2)) & _GENERIC:
        return None  # "you will make some mistakes": what anyone may do, not a record
    if index in _OTHERS_ACT and _writer_or_team(ctx, start, index == SLIPS_COUNTED):
        return None  # "we made several mistakes", "I made a few mistakes": their own account
    return Severity.WARNING


_SUFFERED = re.compile(
    r"\b(?:I|we)\s+(?:was|were|got|get|am|are|had\s+been|have\s+been|'ve\s+been|kept\s+being|"
    r"remember\s+being)\s+(?:(?:[a-z]{2,20}ly|then|also|just|often|always)\s+){0,2}"
    r"(?:(?:[\w-]{1,20}\s+){1,4}and\s+)?$",
    re.IGNORECASE,
)
_AGENT_AFTER = re.compile(r"\s*(?:me|us)?\s*by\b", re.IGNORECASE)


def _suffered_unnamed(ctx: Context, start: int, end: int, index: int) -> bool:
    """True when the writer tells what was done to them in the passive and names no one
    ("I was yelled at", "I was pulled into a room and yelled at"): an account of what
    happened, like "I was reprimanded"; "I was yelled at by my manager" names who did it.
    In the predicate frame ("was humiliated") the act is its last word, one of the rated
    acts; a rated state ("I was careless") is a verdict and stays."""
    if _AGENT_AFTER.match(ctx.scan, end):
        return False
    if index == RATED_PREDICATE:
        act = words(ctx.scan[start:end])[-1]
        if act.lower() not in lexicon.ACTS:
            return False
        start = end - len(act)
    return bool(_SUFFERED.search(ctx.clause_before(start)[-80:]))


# Words after which the rated word of a label frame is a verb ("would pique students").
_VERB_MARKERS = words_set("would could will can might may should must to did does do")


def _verb_before_role(ctx: Context, start: int, end: int) -> bool:
    """True when a label frame's rated word follows a modal or "to" and takes the role as
    its object: then it says what something would do to people, not what they are
    ("things that would pique students' interest", "to suspect the guy"). "I do hate lazy
    developers" still labels them: the word before the role is a second rated word."""
    before = [word.lower() for word in words(ctx.scan[start:end])[:-1]]
    if not before:
        return False
    if before[0] in _VERB_MARKERS:
        return True
    object_follows = len(before) == 1 or before[1] in _DETERMINERS
    return object_follows and bool(set(ctx.previous_words(start, 1)) & _VERB_MARKERS)


def _person_with(ctx: Context, start: int) -> bool:
    """True when the match follows "a person with": "a director with no clue of ..."."""
    tokens = words(ctx.clause_before(start))
    return (
        len(tokens) >= 2 and tokens[-1].lower() == "with" and _person_word(tokens, len(tokens) - 2)
    )


def _rated(phrase: str, index: int) -> bool:
    """For the frames that take any word, whether the word is in the rated lexicon.

    The predicate frame ends with the word, the label frame has it in one of the (at
    most two) words before the role, the manner frame is the adverb itself; the other
    frames carry their own words.
    """
    tokens = [word.lower() for word in words(phrase)]
    if index == RATED_PREDICATE:  # "was young and inexperienced": either word may judge
        return any(word in _RATED and word not in _FILLER_WORDS for word in tokens[1:])
    if index == JUDGED_MANNER:
        return bool(tokens) and tokens[0] in lexicon.JUDGING_ADVERBS
    if index == ACT_ON_PERSON:
        return bool(tokens) and tokens[0] in lexicon.ACTS
    if index == WORK_JUDGED:
        return any(word in _RATED or word in _POOR_WORK for word in tokens[1:-1])
    if index == RATED_LABEL:
        return any(
            word in _RATED or word in _SUPERLATIVES or word.endswith("-prone")
            for word in tokens[:-1]
        )
    if index == NAMED_FAULT:  # a name, not a product or a weekday ("Monday's error")
        first = words(phrase)[0]
        return is_name(first.removesuffix("'s").removesuffix("\u2019s"), None)
    return True


# Frames whose words name their target: a role, an owner, the writer, or "nobody".
_TARGET_IN_FRAME = frozenset(
    {
        LABEL,
        EXPLETIVE_LABEL,
        OWNED,
        NOBODY,
        RATED_LABEL,
        OWN_SLIP,
        WORST_SLIP,
        SLIP_MADE,
        WRITER_BLAMES,
        WORK_JUDGED,
        MOCK_PRAISE,
        NAMED_FAULT,
        LACK_LAID,
        LOST_RESPECT,
        ROLE_BLAMED,
        CONDUCT_JUDGED,
        NOBODY_TOLD,
    }
)
# Frames about an act, where "we" (the team telling its own story) or "they" (often a
# vendor or a system) is not a person to blame, and a narrated act is blame only when
# someone else tells it.
_OTHERS_ACT = frozenset(
    {RATED_PREDICATE, JUDGED_MANNER, MADE_SLIP, NO_CLUE, DID_WRONG, ACT_ON_PERSON, SLIPS_COUNTED}
)
_TEAM = words_set("we us they them our their")
# Modals and "to" before "make mistakes": slips anyone may make, told as advice.
_GENERIC = words_set("will 'll would may might can could to")
_PRONOUN_SUBJECTS = words_set("i we they")
_WRITER = words_set("i me my")
_GROUPS = words_set("team teams")


def _writer_or_team(ctx: Context, start: int, writer_too: bool, groups: bool = False) -> bool:
    """True when the act's subject is the team or a vendor (or, if asked, the writer).

    "We made a mistake" is an organisation owning its fault; "I accidentally deleted
    the table" is the writer's factual account of their own step.
    """
    tokens, index = ctx.subject_word(start)
    if index is None:
        return False
    word = tokens[index].lower()
    if word in _TEAM or (writer_too and word in _WRITER) or (groups and word in _GROUPS):
        return True  # with `groups`, a team deleting or wiping: as often a plan as damage
    # "I removed the token and deleted the version": the writer's own second step.
    return writer_too and any(token.lower() in _PRONOUN_SUBJECTS for token in tokens[:2])


def cause_judge(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """A warning when a person (not the team, a vendor or a thing) is named as the cause,
    or as the doer of the act that went wrong.

    ``index`` is a frame of ``CAUSE_SOURCES``. "Because of him" names its person; the
    other frames need a person as the subject: "we were the reason" is the team owning
    its part, and the writer's own narrated step ("I deleted the old version") is an
    account, not blame.
    """
    if ctx.supposed(start) or ctx.reported(start):
        return None
    if index == NOT_ONLY_ONE:
        return Severity.WARNING if _person_target(ctx, start) else None
    if index != UNCHECKED and ctx.negated(start, 3):
        return None  # "didn't test" is a negation by design; "nobody deleted it" is not blame
    if index == CAUSED_BY_PERSON:
        return Severity.WARNING
    if not _person_target(ctx, start):
        return None
    if index == NARRATED_DAMAGE and deliberate_removal(ctx, start, end):
        return None  # "Tobias deleted the read replica in an attempt to ...": a chosen step
    # Every act told is the writer's own account when the writer did it; only "I was the
    # problem" (a person as the cause) is a verdict the writer passes on themself.
    told = index != PERSON_AS_CAUSE
    groups = index == NARRATED_DAMAGE  # "the Lab team deleted the DNS records": a step
    return None if _writer_or_team(ctx, start, told, groups) else Severity.WARNING


def with_causes(own: Judge, count: int) -> Judge:
    """A rule's judge for its ``count`` own patterns followed by ``CAUSE_SOURCES``."""

    def combined(ctx: Context, start: int, end: int, index: int) -> Severity | None:
        if index < count:
            return own(ctx, start, end, index)
        return cause_judge(ctx, start, end, index - count)

    return combined


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
