"""The twenty rule groups: patterns, trigger words, severity, judge and reframe idea.

The groups draw on Google's SRE book (postmortem culture), John Allspaw on blameless
postmortems and "the infinite hows", PagerDuty's postmortem guide, the Learning from
Incidents community (counterfactual, normative and mechanistic reasoning), Dekker on
"human error", and Neff on over-identification.

Precision matters more than recall: a check that flags plain work sentences ("we should
add a canary stage", "the alert fired twice", "the root of the repo") teaches people to
ignore it. So patterns need a frame around the trigger word, and a judge (``judges``)
reads the clause before a match becomes a flag.

Every pattern is linear: no unbounded repetition can run over a stretch that a later
part of the pattern then rejects at every starting point. Runs of word characters are
anchored at their start (``(?<![\\w-])``) or bounded (``{1,40}``), and lookaheads that
read to the end of a sentence are bounded too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.language.blameless import evaluation, judges
from bot.language.blameless.context import NOT_NAMES, TRADES
from bot.language.blameless.model import Rule, Severity

WARNING, NOTE = Severity.WARNING, Severity.NOTE


def _p(*sources: str, flags: int = re.IGNORECASE) -> tuple[re.Pattern[str], ...]:
    """Compile a rule's patterns; case-insensitive unless a rule needs capitals."""
    return tuple(re.compile(source, flags) for source in sources)


def _alternatives(words: Iterable[str]) -> str:
    """Join words into a non-capturing alternation for use inside a pattern."""
    return "(?:" + "|".join(words) + ")"


def _t(words: str) -> tuple[str, ...]:
    """Trigger words, lower case, separated by spaces."""
    return tuple(words.split())


# --- shared fragments ------------------------------------------------------------------

# "should have", "should've", the common misspelling "should of".
_HAVE = r"(?:\s+have|'ve|\s+of)"
# "should have a canary stage" is about owning something in future, not a counterfactual;
# so are a plural noun ("should have TTLs") and a noun on -tion, -ment and the like
# ("should have synchronization jobs"), where a counterfactual takes a participle.
_NOT_POSSESSION = (
    r"(?!\s+(?:a|an|the|some|any|more|less|fewer|better|no|enough|our|their|my|your|his|"
    r"her|its|this|that|these|those|access|time|one|two|priority|precedence|\d|at\s+least|"
    r"much|many|little|few|lots|plenty|very\s+(?:little|few|much|many)|"
    r"\w+ing)\b)"
    r"(?!\s+(?!(?:us|was|has|is|its|this|thus|always|perhaps|sometimes|afterwards|besides|"
    r"unless|towards)\b)[A-Za-z]{2,30}s\b(?<!ss))"
    r"(?!\s+[A-Za-z]{3,30}(?:tion|sion|ment|ness|ance|ence|ity)\b)"
)
# "it could have been worse" weighs impact; it is not a wish about the past.
_NOT_IMPACT_ESTIMATE = (
    r"(?!\s+been\s+(?:(?:much|far|a\s+lot|way|even)\s+)?(?:worse|impossible|hard|"
    r"difficult|unlikely)\b)"
)
# Past participles that follow "had I ..." / "if we had ...".
_PARTICIPLE = (
    r"(?:\w+ed|known|seen|done|been|caught|run|written|taken|made|gone|told|read|kept|"
    r"left|set|put|thought|got|gotten|built|sent|found|brought|given|shown|hit|chosen)"
)
_PRONOUN = r"(?:I|we|you|he|she|they|someone|somebody|anyone|anybody)"
_NAME = rf"(?<!\w)(?=[A-Z][a-z])(?!{_alternatives(sorted(NOT_NAMES))}\b)[A-Z][a-z]{{1,30}}"

# "broke into the command", "broke out" are not failures.
_BROKE = r"broke(?!\s+(?:into|in|out|off|through|even|free|away)\b)"
_FAILURE_VERB = (
    rf"(?i:failed(?:\s+to)?|{_BROKE}|missed|forgot(?:\s+to)?|messed\s+up|screwed\s+up|botched|"
    r"overlooked|dropped\s+the\s+ball|misjudged)\b"
)
# What a person, not a page or a product, is said to have failed at: the person-only
# verbs, "failed" with an object ("failed the migration"), and "failed to" before
# anything but what systems fail to do ("failed to load", "failed to respond").
_SYSTEM_FAILURE = (
    r"(?:load|start|boot|connect|render|respond|return|resolve|complete|finish|run|"
    r"build|compile|parse|sync|upload|download|send|deliver|fetch|open|close|save|"
    r"acquire|allocate|mount|launch|initiali[sz]e|authenticate|validate|confirm|"
    r"process|register|scale|restart|recover|trigger|fire|update|apply|install|"
    r"import|export|match|reach|execute|read|write|lock|release|retry|push|work|detect)"
)
_PERSON_FAILURE = (
    rf"(?i:{_BROKE}|missed|forgot(?:\s+to)?|messed\s+up|screwed\s+up|botched|overlooked|"
    r"misjudged|dropped\s+the\s+ball|failed\s+(?:the|a|an|his|her|their|our|my)\b|"
    rf"failed\s+to\s+(?!{_SYSTEM_FAILURE}\b)[a-z]+)\b"
)
_MENTION = r"<@[UW][A-Z0-9]{2,20}(?:\|[^>\n]{0,80})?>"
_HANDLE = r"(?<![\w.<@])@(?!(?:here|channel|everyone)\b)[A-Za-z](?:[\w.-]{0,38}\w)?"
# People named by their role: "the developer", "our on-call engineer", "the CTO".
_ROLE = (
    # The words between never hold a preposition: "our infrastructure to dev" is a place.
    r"(?:the|a|an|our|their|that|this|one|some|my|his|her)\s+"
    r"(?:(?!(?:to|on|in|into|onto|from|for|of)\s)[\w-]{1,20}\s+){0,2}?"
    r"(?:engineer|developer|dev|admin|administrator|operator|reviewer|intern|contractor|"
    r"employee|guy|person|coworker|co-worker|colleague|manager|boss|CTO|CEO|COO|lead|"
    r"maintainer|author|programmer|sysadmin|DBA|SRE|technician|physician|doctor|nurse|"
    r"teacher|trader|cashier|dispatcher|"
    + "|".join(sorted(TRADES, key=lambda trade: (-len(trade), trade)))
    + ")"
    # "the dev cluster", "the admin panel", "the lead time": the word names a thing.
    r"(?!\s+(?:cluster|clusters|environment|env|server|servers|branch|box|stack|instance|"
    r"build|site|db|database|panel|console|page|account|accounts|tools?|portal|machine|time|"
    r"api|keys?|tokens?|roles?|rights|access|ui|dashboard|mode|settings|config|teams?)\b)"
)
_ROLE_FAILURE = (
    rf"(?:forgot|misjudged|{_BROKE}|messed\s+up|screwed\s+up|mess\s+up|screw\s+up|botched|"
    r"overlooked|dropped\s+the\s+ball|nuked|trashed|wiped\s+out|made\s+(?:an?\s+)?(?:(?:big|"
    r"huge|serious|stupid|silly|careless|costly|basic|simple|major)\s+)?(?:error|mistake|"
    r"blunder|typo)s?|"
    rf"(?:should(?:n't|\s+not)?(?:\s+have|'ve)|ought\s+to\s+have){_NOT_POSSESSION}|"
    r"bypassed|sidestepped|ignored|neglected)"
)

# "I clearly labelled the dashboard" describes how something was done, not hindsight.
_CLEARLY_MANNER_BEFORE = "".join(
    f"(?<!{word} )"
    for word in (
        "labelled",
        "labeled",
        "marked",
        "named",
        "written",
        "worded",
        "formatted",
        "explain",
        "explained",
        "write",
        "wrote",
        "speak",
        "spoke",
        "communicate",
        "see",
        "saw",
        "think",
    )
)
_CLEARLY = (
    r"\b(?=clearly\b)"
    + _CLEARLY_MANNER_BEFORE
    + r"clearly\b(?!\s+(?:label|mark|nam|format|structur|separat|"
    r"comment|signpost|word|writ|laid|organi[sz]|present|split|defin|communicat|state|"
    r"document|explain|describ|indicat|show|identif|visible|separate)\w*)"
)

_WHO_VERB = (
    r"(?:did\s+(?:this|that|it)(?!\s+(?:affect|impact|hit|reach)\b)|broke|breaks|pushed|pushes|deployed|deploys|merged|merges|"
    r"approved|caused|wrote|changed|forgot|missed|messed\s+up|screwed\s+up|dropped|touched|"
    r"signed\s+off|reviewed|let|allowed|shipped|ships|committed|deleted|removed)"
)
_OTHER_TEAM = (
    r"(?:QA|ops|devops|SREs?|infra|DBAs?|the\s+vendor|the\s+other\s+team|(?<![\w-])"
    r"(?:the\s+)?(?!our\b|my\b|the\b|a\b|this\b|that\b|whole\b|entire\b|same\b)[\w-]{1,40}"
    r"\s+team)"
)
_SHIFT_VERB = (
    r"(?:didn't|did\s+not|should(?:n't|\s+not)?(?:\s+have|'ve)|failed\s+to|never|"
    r"forgot(?:\s+to)?|dropped\s+the\s+ball|messed\s+up|screwed\s+up|broke|missed|"
    r"let\s+(?:us|me)\s+down|(?:was|were)\s+supposed\s+to)"
)
_SLIP = (
    r"(?:mess(?:es)?\s+(?:\w+\s+)?up|screw(?:s)?\s+(?:\w+\s+)?up|break|breaks|forget|forgets|"
    r"miss|misses|ruin|ruins|fail|fails|overlook|get\s+(?:it|this|things|stuff)\s+wrong|"
    r"make\s+(?:the\s+same\s+)?mistakes?|drop\s+the\s+ball)"
)
_SLIPPING = (
    r"(?:messing\s+(?:\w+\s+)?up|screwing\s+(?:\w+\s+)?up|breaking|forgetting|missing|"
    r"getting\s+(?:it|this|things)\s+wrong|making\s+(?:the\s+same\s+)?mistakes?|"
    r"dropping\s+the\s+ball|botching)"
)
_IMPACT = (
    r"(?:blip|hiccup|glitch|outage|issue|incident|bug|mistake|error|problem|thing|typo|"
    r"downtime|slip|oversight|disruption|inconvenience)s?"
)
_ACTION_TOPIC = (
    r"(?:monitoring|alerting|alerts|communication|communications|comms|testing|"
    r"test\s+coverage|documentation|docs|observability|logging|training|oversight|"
    r"visibility|code\s+reviews?|processes|process|tooling|runbooks|handovers?|handoffs?|"
    r"onboarding|checks|validation)"
)
_HEALTH = (
    r"sick\s+leave|medical\s+leave|off\s+sick|called\s+in\s+sick|in\s+(?:the\s+)?hospital|"
    r"diagnosed\s+with|surgery|medication|chemo(?:therapy)?|pregnan(?:t|cy)|miscarriage|"
    r"panic\s+attacks?|migraines?|therapist|mental\s+health\s+(?:issues?|crisis|condition)|"
    r"depression|anxiety\s+disorder|ADHD|diabetes|cancer"
)
_HEALTH_TRIGGERS = (
    "sick medical leave hospital diagnosed surgery medication chemo chemotherapy pregnant "
    "pregnancy miscarriage panic attack attacks migraine migraines therapist mental "
    "depression anxiety adhd diabetes cancer"
)

# --- the rule table --------------------------------------------------------------------

# Rule 6's word list: labels for people; "lazy loading" and "dumb terminal" are technical
# terms. The rule then runs the ``evaluation`` detector: a negative evaluation aimed at a
# person.
_CHARACTER_WORDS = _p(
    r"\bcareless(?:ly|ness)?\b",
    r"\blaz(?:y|iness)\b(?!\s*-?\s*(?:load|eval|init|import|iterat|propert|static))",
    r"\bstupid(?:ity)?\b",
    r"\bidio(?:ts?|tic|tically|cy)\b",
    r"\bincompeten(?:t|ce)\b",
    # "act dumb", "play dumb": a pretence, not a label.
    r"\bdumb\b(?<!\bact dumb)(?<!\bacts dumb)(?<!\bacting dumb)(?<!\bplay dumb)"
    r"(?<!\bplaying dumb)(?!\s+(?:terminals?|pipes?|clients?|components?)\b)",
    r"\bmoron(?:s|ic)?\b",
    r"\b(?:clueless|inept|foolish|boneheaded)\b",
    r"\brookie\s+(?:mistake|error|move)\b",
    r"\brookies?\b",
    r"\bover-?zealous\b",
    r"\bdisagreeable\b",
    r"\bcowboy\s+(?:coder|coders|coding|engineer|developer|dev|deploy|deploys)\b",
    r"\bamateur(?:ish|\s+hour)\b",
    r"\b(?:clowns?|fools?|imbeciles?|buffoons?|jerks?|dimwits?|numpties|numpty|muppets?|"
    r"halfwits?|nitwits?|dunces?|dumbass(?:es)?|dipshits?|assholes?|jackass(?:es)?|"
    r"douche(?:bag)?s?|twats?|tossers?|wankers?|bozos?|dolts?|dingbats?|scumbags?|twits?|"
    r"bastards?|psychos?(?!-))\b"
    # "survivor bias will easily fool you": the verb, deceiving someone, not a label.
    r"(?!\s+(?:you|me|us|them|him|her|people|anyone|everyone|yourself|myself|ourselves|"
    r"themselves|himself|herself)\b)",
    r"\b(?:wasn't|was\s+not|isn't|is\s+not|not)\s+(?:a\s+)?(?:very\s+)?(?:strong|good|"
    r"great|competent|real)\s+(?:software\s+)?(?:engineer|developer|programmer|coder|"
    r"dev)\b",
    r"\black\s+of\s+(?:skills?|competence|talent|ability)\b",
    r"\bover\s?-?confident\b",
    r"\b(?:I|he|she|they|you)(?:'m|'re|'d|\s+had|\s+have)?\s+(?:(?:got|gotten|became|become|"
    r"getting|was|were|am|are)\s+)?(?:way\s+|far\s+|much\s+)?too\s+(?:confident|cocky|complacent|"
    r"sure\s+of\s+(?:myself|himself|herself|themselves))\b",
    r"\b(?:dumbest|stupidest)\b",
    # Judgement in the manner of a person's act: "I smugly assumed", "he hurriedly pushed",
    # "you're acting stupidly" (a script that "stupidly assumed UTC" is a system); and "a
    # big know-it-all".
    r"\b(?:I|we|you|he|she|they)(?:'re|'m|'s)?\s+(?:[a-z']{1,20}\s+){0,2}?(?:smugly|"
    r"stupidly|foolishly|recklessly|sloppily|lazily|arrogantly|negligently|thoughtlessly|"
    r"mindlessly|hurriedly|cluelessly|ineptly)\b",
    r"\b(?:know-it-alls?|smug)\b",
    r"\bmy\s+(?:fair\s+)?share\s+of\s+(?:screw-?ups|mistakes|blunders|fuck-?ups|cock-?ups)\b",
    # "don't be lazy": the label as advice, still a label.
    r"\b(?:don't|do\s+not|never)\s+be\s+(?:so\s+)?(?:lazy|stupid|careless|sloppy|dumb|an?\s+"
    r"idiot)\b",
    # "he didn't even check": the "even" weighs a person's act as beneath the bar ("I
    # wouldn't even call it a solution" weighs the solution, by naming it).
    r"\b(?:I|he|she|they|you)\s+(?:didn't|did\s+not|couldn't|could\s+not|wouldn't|never)\s+"
    r"even\s+(?:bother|check|look|read|test|note|ask|try|think|care|reply|answer|call)\w*\b"
    r"(?!\s+(?:it|this|that|them|these|those)\s+(?:a|an|the|any)\b)"
    # "I didn't even think that comments could be this confusing": a surprise, not a lapse.
    r"(?!(?<=think)\s+(?:that|it\s+(?:was|could|would|might))\b)",
    # "a producer who seemed to have no idea what he was doing", "I didn't exactly know
    # what I was doing": competence denied to a person (a system's "no idea what it was
    # doing" is not a person's).
    r"\b(?:(?:had|has|have|having|with)\s+no\s+(?:idea|clue)|(?:didn't|did\s+not|don't|"
    r"doesn't|never)\s+(?:\w+ly\s+|even\s+)?(?:know|understand))\s+what\s+(?:I|he|she|you)"
    r"(?:'s|'re|'m|\s+(?:was|were|am|is|are))\s+doing\b",
    # "he doesnt know anything about repo or distributed development": a person's
    # knowledge denied by someone else (the writer's "I don't know anything about
    # Kubernetes" states a gap, and a script "doesn't know anything about" a cache).
    r"\b(?:he|she|you|they)\s+(?:doesn't|doesnt|does\s+not|don't|dont|do\s+not|didn't|didnt|"
    r"did\s+not)\s+(?:really\s+|even\s+|actually\s+)?know\s+(?:anything|a\s+thing|the\s+first\s+"
    r"thing|squat|jack)\s+about\b",
    # "I too, became complacent", "he got cocky": a person's state told as a verdict.
    r"\b(?:I|we|you|he|she|they)(?:\s*,?\s*(?:too|also|just|then|quickly|soon))?,?\s+"
    r"(?:got|gotten|became|become|grew|had\s+become|had\s+gotten)\s+(?:a\s+(?:bit|little)\s+|"
    r"too\s+|so\s+|very\s+|really\s+|quite\s+|pretty\s+)?(?:complacent|cocky|overconfident|"
    r"careless|lazy|sloppy|arrogant|reckless)\b",
    # "I don't know what I was thinking": a verdict on the self ("what was I thinking"
    # is rule 15's question).
    r"\b(?:don't|didn't|do\s+not|did\s+not)\s+know\s+what\s+I\s+was\s+thinking\b",
    # A verdict on the self, as `bot.language.kindness` reads it in the reflection.
    r"\bwhat(?:'s|s|\s+is)\s+wrong\s+with\s+me\b",
    r"\b(?:disgusted|sickened)\s+(?:with|by|at)\s+myself\b",
    r"\bI\s+(?:really\s+|just\s+)?(?:hate|despise|loathe)\s+myself\b",
    # "boy do I suck", "what else did I suck at", "I really suck at this".
    r"\b(?:(?:do|did)\s+I|I\s+(?:really\s+|just\s+|totally\s+)?)suck(?:ed)?\b(?!\s+(?:it|in|up|out|the|a|an)\b)",
    r"\btoxic\s+(?:co-?workers?|colleagues?|boss(?:es)?|managers?|people|person|one|"
    r"employees?|team-?mates?|individuals?)\b",
    # An insulting word before a person's role: "a clumsy contractor", "that snotty account
    # manager" ("useless monitors" are things).
    r"\b(?:clumsy|error-?prone|sloppy|snotty|snooty|useless|arrogant)\s+(?:account\s+)?"
    r"(?:co-?workers?|colleagues?|contractors?|engineers?|developers?|techs?|technicians?|"
    r"interns?|employees?|guys?|admins?|operators?|workers?|bookkeepers?|accountants?|coders?|"
    r"programmers?|people|staff|managers?|boss(?:es)?|supervisors?|clerks?|cashiers?|"
    r"teachers?|nurses?|doctors?|mechanics?)\b",
    # "the previous developer was really bad at documenting things", "she's hopeless at
    # it": a person's competence judged ("Postgres is bad at handling many connections"
    # is a tool's fit, "we were bad at ..." the team owning a gap, and the writer's "I'm
    # terrible at estimating" rule 15's over-generalising).
    r"(?:\b(?:he|she|you)|\b(?:the|a|an|our|my|his|her|their|that|this)\s+(?:[\w-]{1,20}\s+)?"
    rf"{evaluation.ROLE_PATTERN}(?:\s+(?:at|in|from|on|of)\s+(?:[\w'-]{{1,25}}\s+){{0,4}}?"
    r"[\w'-]{1,25})?)(?:'m|'re|'s|\s+(?:was|were|am|is|are|has\s+been|have\s+been"
    r"|had\s+been))\s+(?:(?:really|very|so|pretty|quite|terribly|just|always|notoriously|"
    r"truly)\s+){0,2}(?:bad|terrible|awful|hopeless|horrible|lousy|rubbish|useless|crap)\s+at\s+"
    r"(?:[\w-]{1,30}ing|it|this|that|(?:my|his|her|their|your|the)\s+job)\b",
    # The "even" of someone else's act, beyond checks: "he didn't even wear gloves", "she
    # didn't even have the decency to tell me", "he never even tried it". What a person
    # could not have known ("he didn't even notice", "she didn't even have time") is left
    # out, and "they" is as often a vendor as a person.
    r"\b(?:he|she|you)\s+(?:didn't|did\s+not|never|wouldn't|would\s+not)\s+even\s+"
    r"(?:have\s+the\s+(?:decency|courtesy|common\s+sense|sense|guts|balls)\b|(?:wear|wore|"
    r"try|tried|test|tested|run|ran|open|opened|compile|compiled|review|reviewed|look\s+at|"
    r"looked\s+at|tell|told|inform|informed|warn|warned|apologi[sz]e|apologi[sz]ed|acknowledge|"
    r"acknowledged|respond|responded|show\s+up|showed\s+up|turn\s+up|turned\s+up|wait|waited|"
    r"listen|listened)\b)",
)

# Rule 10's own patterns, in the order its judge (`judges.named_person`) counts them; the
# frames of ``evaluation.CAUSE_SOURCES`` follow them.
_NAMED_PERSON_PATTERNS: tuple[str, ...] = (
    rf"{_NAME}\s+(?=[A-Z][a-z])(?!{_alternatives(sorted(NOT_NAMES))}\b)[A-Z][a-z]{{1,30}}\s+"
    rf"{_FAILURE_VERB}",
    rf"{_NAME}\s+{_PERSON_FAILURE}",
    rf"{_MENTION}\s+{_FAILURE_VERB}",
    rf"{_HANDLE}\s+{_FAILURE_VERB}",
    rf"{_NAME}\s+(?i:should(?:n't|\s+not)?(?:\s+have|'ve)|ought\s+to\s+have)\b"
    rf"{_NOT_POSSESSION}",
    rf"(?i:\b{_ROLE}\b(?:\s+[\w'-]{{1,30}}){{0,6}}?\s+{_ROLE_FAILURE})\b",
    # Also with a contraction or a perfect tense: "I'd already nuked", "I had
    # just broken production".
    r"(?i:\b(?:I|we|you|he|she|they|someone|somebody)(?:'d|'ve)?\s+(?:(?:had|has|have|"
    r"just|totally|completely|really|badly|royally|accidentally|actually|already|did|"
    r"kind\s+of|sort\s+of|then)\s+){0,3}(?:screwed\s+up|messed\s+up|mess\s+up|screw\s+up|"
    r"fucked\s+up|dropped\s+the\s+ball|botched|blew\s+it|misjudged|goofed|blundered|"
    r"slipped\s+up|fat-?fingered|(?:broke|broken)\s+"
    r"(?:prod|production|the\s+build|the\s+site|everything|things|it|main|master|the\s+"
    r"database|the\s+app|the\s+deploy(?:ment)?|(?:our|the|my)\s+(?:[\w-]+\s+)?(?:app|"
    r"application|website|site|service|server|database|pipeline|cluster))|(?:nuked|"
    r"trashed|wiped\s+out|took\s+down|taken\s+down|brought\s+down)\s+(?:the|all|half|our|"
    r"my|prod|production|entire|whole|everything)|missed\s+(?:a|an|the|some|several|two|"
    r"three|that|this|those|these)\s+(?:few\s+|couple\s+of\s+)?\w+))\b",
    r"(?i:\b(?:is|are|was|were)\s+(?:(?:solely|entirely|fully|directly|personally|"
    r"definitely|definately|clearly|totally|really)\s+)?to\s+blame)\b",
    r"(?i:\bto\s+blame\s+(?:is|was)\s+(?:the|a|an|our|their|my)\s+[A-Za-z]{1,30})",
    r"(?i:\b(?:solely|entirely|fully|wholly|100%)\s+responsible)\b",
    # "he was at fault", "they were partly at fault"; "responsible for knocking out".
    r"(?i:\b(?:is|are|was|were|am)\s+(?:(?:solely|entirely|fully|directly|partly|"
    r"partially|truly|really|clearly|totally|obviously|more|most|mostly|largely|mainly|"
    r"also)\s+)?(?:at\s+fault|in\s+the\s+wrong(?=\s*(?:[.,;:!?)\n]|$|and\b|but\b|about\b|"
    r"here\b|again\b|too\b|when\b|because\b))))\b",
    r"(?i:\b(?:is|are|was|were|am)\s+(?:(?:solely|entirely|directly|personally)\s+)?"
    r"responsible\s+for\s+(?:breaking|knocking|taking|bringing|deleting|causing|crashing|"
    r"wiping|killing|losing|leaking|screwing|messing))\b",
    # The writer taking the fault: "it was my fault", "that was all my mistake", "my
    # bad" ("before my mistake" only names the event; an organisation's "our
    # mistake" is owning it, not blaming anyone).
    r"(?i:\b(?:my\s+(?:(?:own|big|huge|whole|entire|total|biggest)\s+){0,2}fault|my\s+bad|"
    # A verdict on oneself as a whole: "I failed as a teacher", "Needless to say I failed.",
    # "my failings were many" ("I failed to ..." is an account of a step, not this).
    r"I\s+(?:have\s+|had\s+|totally\s+|completely\s+|utterly\s+)?failed(?=\s*[.!;]|\s+as\s+an?\s+"
    r"\w|\s+(?:miserably|badly|completely|utterly|them|him|her|you|everyone|my\s+team)\b)|"
    r"my\s+(?:many\s+)?failings|(?:furious|angry|mad|disgusted|livid)\s+(?:with|at)\s+myself|"
    # The writer naming their own step a mistake: "My error here was missing that ...".
    r"my\s+(?:(?:biggest|first|real|main|big|only)\s+)?(?:mistake|error)\s+(?:here\s+|there\s+)?"
    r"was\s+(?:in\s+)?[a-z]{2,30}ing\b|"
    r"(?:was|is|'s)\s+(?:all\s+|entirely\s+|"
    r"completely\s+|totally\s+|100%\s+)?my\s+(?:own\s+)?(?:mistake|screw-?up|fuck-?up|"
    r"blunder|doing)|(?:mistake|error|fault|screw-?up|blunder)\s+on\s+my\s+part|"
    r"I\s+(?:was|'ve\s+been|have\s+been|had\s+been)\s+(?:so\s+|completely\s+|totally\s+|"
    r"dead\s+)?wrong(?!\s+(?:about|that|to\s+think)\b)|I\s+(?:did|got|was\s+doing|had\s+done)\s+"
    r"(?:it|that|this|everything|something|things|so\s+much|a\s+lot)\s+(?:\w+\s+)?wrong|I\s+did\s+wrong|"
    r"(?:the|that|this)\s+(?:mistake|error|fault|blame|screw-?up|"
    r"blunder)\s+(?:was|is)\s+(?:all\s+|entirely\s+)?mine|my\s+(?:own\s+)?(?:screw|fuck|"
    r"cock|balls|foul)[- ]?ups?|my\s+(?:[\w-]{1,20}\s+){1,2}(?:screw|fuck|cock|balls|foul)"
    r"[- ]?ups?)\b)",
    rf"(?:{_NAME}|(?i:\b(?:the|an?|our|that|this)\s+(?:new\s+|junior\s+|senior\s+)?"
    r"(?:intern|developer|engineer|dev|admin|contractor|guy|person|manager|boss|vendor|"
    r"operator|sysadmin|employee)))'s\s+(?i:fault)\b",
    r"(?i:(?:\b(?:was|were|is|are|am)|'m|\u2019m)\s+(?:also\s+|solely\s+|fully\s+|directly\s+|"
    r"personally\s+)?responsible\s+for\s+(?:the|this|that|an?)\s+(?:[\w-]{1,20}\s+)?"
    r"(?:outage|incident|mistake|bug|failure|error|breakage|mess|downtime|problem|issue|"
    r"data\s+loss|(?:screw|fuck|foul|cock)[- ]?up))\b",
    # The writer as the cause: "I caused the outage", "I had caused this mess".
    r"(?i:\bI\s+(?:had\s+|have\s+|just\s+)?caused\s+(?:the|this|that|an?|our|the\s+whole)\s+"
    r"(?:outage|incident|issue|problem|mess|downtime|failure|breakage|bug|data\s+loss)\b)",
    # "he let you down", "they really let the team down".
    r"(?i:\b(?:he|she|they|you|I|someone|somebody)\s+(?:really\s+|totally\s+|just\s+)?"
    r"let\s+(?:me|you|us|them|him|her|everyone|everybody|the\s+team)\s+down\b)",
    # The writer's own slip told as picking "the wrong" thing: "I sent the wrong email".
    r"(?i:\bI\s+(?:just\s+|accidentally\s+|then\s+)?(?:sent|ran|deployed|pushed|deleted|"
    r"dropped|picked|used|called\s+out|chose|selected|edited|merged|restarted|emailed|typed|"
    r"clicked|opened|updated)\s+(?:out\s+)?(?:the|a)\s+wrong(?:\s+[\w-]{1,30})?\b)",
    # A name with an auxiliary or an apposition before the slip: "Ana had missed
    # the alert", "Ana, the on-call, forgot to page".
    rf"{_NAME}(?:,\s+(?i:the|our|a|an|my|their|his|her)\s+[\w-]{{1,20}}"
    rf"(?:\s+[\w-]{{1,20}}){{0,2}},\s+(?i:(?:had|has|just|also|then|already)\s+){{0,2}}|"
    rf"\s+(?i:(?:had|has|just|also|then|already)\s+){{1,2}}){_PERSON_FAILURE}",
    rf"(?i:\b(?:bet|guess|suspect|probably|obviously|clearly)\s+it\s+was\s+{_ROLE})\b",
    r"(?i:\b(?:his|her|their)\s+(?:breaking|bad|broken|faulty|buggy|sloppy|careless)\s+"
    r"(?:change|changes|commit|commits|update|deploy|push|merge|PR|config))\b",
    r"(?i:\bit\s+(?:was|is)\s+(?:always\s+|obviously\s+|clearly\s+)?(?:him|her|them|the\s+way\s+"
    r"(?:he|she|they)\s+[a-z]{2,30})\b"
    r"(?!\s+who\s+(?:fixed|found|noticed|saved|caught|spotted|helped)))",
    r"(?i:\b(?:he|she|they|someone|somebody|(?:this|that|the)\s+guy|one\s+(?:man|guy|"
    r"woman|person|businessman|developer|engineer|employee))\s+(?:(?:accidentally|just|"
    r"basically|single-?handedly)\s+)?(?:destroyed|nuked|wiped\s+out|killed|kill|took\s+"
    r"down|brought\s+down|deletes)\s+(?:the|all|an|a|his|her|their|our|entire|whole|"
    r"production|prod)\b)",
    # Someone as the cause, the event left as a pronoun: "he caused it", "a fire I
    # had caused".
    r"(?i:\b(?:I|he|she|they|you)\s+(?:had\s+|have\s+|has\s+|just\s+){0,2}caused\s+"
    r"(?:it|this|that|all\s+(?:of\s+)?(?:it|this|that))\b|\b(?:a|the)\s+(?:fire|mess|"
    r"outage|problem|disaster|incident)\s+(?:that\s+)?I\s+(?:had\s+|have\s+)?caused\b)",
    # What the writer missed, told after it: "the symptom that I missed", "details
    # that I accidentally overlooked".
    r"(?i:\b(?:that|which)\s+I\s+(?:had\s+)?(?:(?:accidentally|completely|totally|"
    r"simply|just)\s+)?(?:missed|overlooked)\b)",
    # The writer's verdict on their own slips: "I shouldn't make these mistakes".
    r"(?i:\bI\s+(?:shouldn't|should\s+not|should\s+never)\s+(?:have\s+)?(?:make|made)\s+"
    r"(?:these|such|this|that|those|a|an|the|so\s+many)\s+(?:[\w-]{1,20}\s+)?"
    r"(?:mistakes?|errors?|blunders?)\b)",
    # A fault laid on a person by a noun phrase: "the fault of the warehouse manager",
    # "the carelessness of one technician" ("the fault of the firmware" is a thing's).
    r"(?i:\b(?:fault|negligence|carelessness|incompetence|laziness|stupidity)\s+of\s+"
    r"(?:the|a|an|that|this|our|my|his|her|their|one|some)\s+(?:[\w-]{1,20}\s+){0,2}?"
    rf"{evaluation.ROLE_PATTERN}\b)",
    # "I let those users down", "she let her whole team down": people let down, named
    # by a noun as well as by a pronoun.
    r"(?i:\b(?:I|he|she|they|you|someone|somebody)\s+(?:really\s+|totally\s+|just\s+)?"
    r"let\s+(?:the|those|these|our|my|his|her|their|all\s+(?:the|our|my|those|these))\s+"
    r"(?:[\w-]{1,20}\s+)?(?:users|customers|clients|team|people|readers|players|fans|members|"
    r"family|colleagues|coworkers|co-workers|students|patients|community|subscribers|viewers|"
    r"listeners|parents|kids|children)\s+down\b)",
    # The damage weighed by its own verb: "How I destroyed the company's DB", "he wrecked
    # the build" (a narrated "I deleted the table" is an account; the team's "we destroyed
    # the old cluster" is a planned step).
    r"(?i:\b(?:I|he|she|you|someone|somebody)(?:'d|'ve)?\s+(?:(?:had|have|has|just|totally|"
    r"completely|accidentally|basically|single-?handedly|then)\s+){0,2}(?:destroyed|wrecked|"
    r"ruined)\s+(?:the|all|our|my|his|her|their|an?|entire|whole|everything|production|"
    r"prod)\b)",
    # "he is plain wrong", "you're dead wrong", "you are really wrong for not asking": a
    # person called wrong ("she was wrong about the cause" corrects a belief, as the
    # writer's "I was wrong about ..." does; "wrong for the job" weighs a fit).
    r"(?i:\b(?:he|she|you)(?:'s|'re|\s+(?:is|was|are|were))\s+(?:just\s+|plain\s+|simply\s+|"
    r"so\s+|dead\s+|completely\s+|totally\s+|flat\s+|flat-out\s+|really\s+)?wrong\b"
    r"(?!\s+(?:about|that|to|with|if|when|in|on)\b)(?!\s+for\s+(?!not\b|[a-z]{2,20}ing\b)))",
    # Idioms that pass a verdict on the one who acted rather than tell the step: "I
    # jumped the gun", "I fell for it", "the traps I fell into", "in over my head", "mea
    # culpa", "I f-ed up" (a censored or playful "-ed up"). The step behind each ("I
    # tagged v1.0 before the last review") is what the accountability screen asks for.
    r"(?i:\b(?:I|he|she|you)\s+(?:(?:had|have|just|totally|really|completely|then|also)\s+)"
    r"{0,2}jumped\s+the\s+gun\b"
    r"|\bI\s+(?:(?:had|have|just|totally|really|completely|then|also)\s+){0,2}fell\s+"
    r"(?:for\s+(?:it|that|this)\b|(?:right\s+|straight\s+)?into\s+(?:the|a|that|this|every)\s+"
    r"(?:[\w-]{1,20}\s+)?trap\b)"
    r"|\btraps?\s+(?:that\s+)?I\s+(?:had\s+)?fell\s+into\b"
    r"|\bin\s+(?:way\s+|well\s+)?over\s+(?:my|his|her|your)\s+head\b"
    r"|\bmea\s+(?:maxima\s+)?culpa\b"
    r"|\bd'oh\b"
    r"|\bI\s+(?:(?:had|have|just|totally|really|royally|completely)\s+){0,2}"
    r"[a-z]{1,20}-ed\s+up\b)",
)
_NAMED_PERSON_OWN = len(_NAMED_PERSON_PATTERNS)

RULES: tuple[Rule, ...] = (
    Rule(
        1,
        "counterfactual",
        "Counterfactual",
        # Only the past form: "we should add a canary stage" looks forward and is fine.
        _p(
            rf"\bshould(?:n't|nt|\s+not)?{_HAVE}\b{_NOT_POSSESSION}",
            # "I should never have accepted", "he should really have asked".
            r"\bshould\s+(?:never|really|definitely|certainly|obviously|clearly|absolutely|"
            rf"surely|at\s+least){_HAVE}\b{_NOT_POSSESSION}",
            rf"\bought(?:n't|\s+not)?\s+to(?:\s+not)?\s+have\b{_NOT_POSSESSION}",
        ),
        "Tell what was actually done and why it looked like a good idea with what was known then.",
        WARNING,
        _t("should shouldn't shouldnt should've ought oughtn't"),
        judges.counterfactual,
        own_reframe="Tell what you actually did, and why it looked like a good idea with what "
        "you knew then.",
    ),
    Rule(
        2,
        "hindsight-wish",
        "Hindsight wish",
        # "I could reproduce it" is not a wish; "couldn't have known" states a limit.
        _p(
            rf"\b(?:could|would)(?:\s+have|'ve|\s+of)\b{_NOT_POSSESSION}{_NOT_IMPACT_ESTIMATE}",
            r"\bif\s+only\b",
            rf"\bhad\s+{_PRONOUN}\s+(?:just\s+|only\s+|simply\s+|actually\s+)?{_PARTICIPLE}\b",
            rf"\bif\s+(?:only\s+)?{_PRONOUN}(?:'d|\s+had)\s+"
            rf"(?:just\s+|only\s+|simply\s+)?{_PARTICIPLE}\b",
            r"\b(?:I|we)\s+wish\s+(?:I|we|they|you|someone)(?:'d|\s+had)\b",
            # The same wish with a person named by a role: "had the trainer been paying
            # attention", "if my manager had called the other servers" (a passive, "if the
            # engineer had been paged", tells what the set-up did not do).
            rf"\bhad\s+{_ROLE}\s+(?:just\s+|only\s+|simply\s+)?(?:been\s+[a-z]{{2,30}}ing|"
            rf"(?!been\b){_PARTICIPLE})\b",
            rf"\bif\s+(?:only\s+)?{_ROLE}(?:'d|\s+had)\s+(?:just\s+|only\s+|simply\s+)?"
            rf"(?:been\s+[a-z]{{2,30}}ing|(?!been\b){_PARTICIPLE})\b",
        ),
        "Describe the choices that could be seen back then, and why the one taken looked right.",
        WARNING,
        _t("could would could've would've if had wish"),
        judges.hindsight_wish,
        own_reframe="Describe the choices you could see back then, and why the one you took "
        "looked right.",
    ),
    Rule(
        3,
        "omission",
        "Omission framing",
        # "failed to" only with a person as subject: "the job failed to start" is a fact.
        _p(
            r"\b(?:forgot|forgotten|forgetting|neglected|neglecting|omitted)\s+to\b",
            rf"\b{_PRONOUN}\s+(?:(?:had|'d|just|simply|totally|completely|entirely|and)\s+){{0,4}}"
            r"(?:forgot|forgotten)(?:\s+to)?\b",
            rf"\b(?:{_PRONOUN}|reviewers?|engineers?|operators?|developers?|on-?call|team)\s+"
            r"(?:had\s+|has\s+|have\s+)?failed\s+to\b",
            r"\b(?:didn't|did\s+not|never|hadn't|had\s+not|only|neither\s+\w+\s+had|nobody\s+had)\s+"
            r"(?:even\s+)?bother(?:ed)?\s+to\b",
            r"\b(?:couldn't|could\s+not|can't|cannot)\s+be\s+bothered\b",
            r"\bforgets?\s+to\b",
            # The subject left out after a conjunction: "was testing it, but forgot we had a
            # cache".
            r"\b(?:but|and\s+then)\s+(?:just\s+|completely\s+|totally\s+)?forgot\b",
            # The writer as the subject left out after a conjunction, with something people
            # do: "I made it in a hurry and failed to notice" (a team's "we logged it, but
            # failed to see" owns a gap; "started and failed to load" is a system).
            r"\bI\s+(?:[^\s.!?]+\s+){0,10}?(?:and|but)\s+(?:then\s+)?(?:completely\s+|totally\s+|"
            r"simply\s+)?failed\s+to\s+"
            r"(?:notice|check|see|spot|realise|realize|test|verify|read|tell|inform|catch|ask)\b",
            r"\bI\s+(?:had\s+|have\s+)?never\s+(?:double[- ]?checked|checked|tested|verified|"
            r"confirmed)\b",
            r"\bI\s+(?:just\s+|simply\s+)?(?:didn't|didn’t|did\s+not)\s+think\b"
            r"(?=\s*(?:[,.;!]|and\b|to\b|twice\b))",
        ),
        "Describe what was done instead, and what had people's attention at the time.",
        WARNING,
        _t(
            "forgot forgotten forgetting neglected neglecting omitted failed bother bothered "
            "forget forgets didn't did never"
        ),
        judges.omission,
        own_reframe="Describe what you did instead, and what had your attention at the time.",
    ),
    Rule(
        4,
        "human-error",
        "Human error as the cause",
        _p(
            r"\b(?:human|operator|user|pilot|engineer|developer|admin|manual|personnel|staff)"
            r"\s+errors?\b",
            r"\bhuman\s+mistakes?\b",
            r"\bpebkac\b",
            r"\blayer[- ]8\s+(?:issue|problem|error)\b",
        ),
        "Describe what in the setup made this easy to get wrong and hard to spot.",
        WARNING,
        _t("error errors mistake mistakes pebkac layer"),
        judges.human_error,
    ),
    Rule(
        5,
        "root-cause",
        "Single root cause",
        # Postmortems name technical root causes all the time ("the root cause was a stale
        # DNS entry"): that is the account doing its job. The judge flags a person named
        # as the root cause (a warning) and a claim that one cause was all there was (a
        # note); "the root of the repo" is a place and never matches.
        _p(
            # "root cause analysis" names a document, not a claim about one cause.
            r"\broot[- ]?caus(?:e|es|ed)\b(?!\s+analys[ie]s)",
            r"\broot\s+of\s+the\s+(?:problem|issue|incident|outage|failure)\b",
            r"\bthe\s+(?:real|main|actual|true|underlying)\s+cause\b",
            r"\b(?:the|a|one)\s+(?:only|sole|single)\s+(?:root[- ]?)?(?:cause|reason)\b",
            r"\b(?:caused|happened)\s+(?:solely|entirely|only|purely)\s+(?:by|because)\b",
        ),
        "Several things lined up: name at least two, and set anyone's step in the "
        "situation around it.",
        NOTE,
        _t("root rootcause rootcaused cause causes caused happened reason"),
        judges.root_cause,
        own_reframe="Tell the step you took and what you saw at the time, and name the other "
        "things that lined up with it.",
        own_title="Yourself as the root cause",
    ),
    Rule(
        6,
        "character",
        "Character words",
        _CHARACTER_WORDS + evaluation.PATTERNS,
        "Talk about what was done and the situation around it; leave labels for people out.",
        WARNING,
        _t(
            "careless carelessly carelessness lazy laziness stupid stupidity idiot idiots "
            "idiotic idiocy idiotically suck sucked incompetent incompetence dumb moron morons "
            "moronic clueless inept "
            "foolish boneheaded rookie amateurish amateur clown clowns fool fools imbecile "
            "imbeciles buffoon buffoons jerk jerks dimwit dimwits numpty numpties muppet "
            "muppets halfwit halfwits nitwit nitwits dunce dunces strong good great "
            "competent real skill skills competence talent ability overconfident confident "
            "rookies overzealous zealous cocky complacent disagreeable cowboy dumbass dumbasses "
            "dipshit dipshits "
            "asshole assholes jackass jackasses douche douches douchebag douchebags twat twats "
            "tosser tossers wanker wankers bozo bozos dolt dolts dingbat dingbats scumbag "
            "scumbags twit twits bastard bastards psycho psychos dumbest "
            "stupidest wrong disgusted sickened hate despise loathe toxic clumsy errorprone "
            "error prone smugly stupidly foolishly recklessly sloppily lazily arrogantly "
            "negligently thoughtlessly mindlessly hurriedly cluelessly ineptly smug "
            "know thinking even sloppy snotty snooty useless arrogant share idea clue "
            "understand reckless anything thing squat jack bad terrible awful hopeless horrible "
            "lousy rubbish crap"
        )
        + evaluation.TRIGGERS,
        evaluation.with_evaluation(judges.person_judgement, len(_CHARACTER_WORDS)),
    ),
    Rule(
        7,
        "normative",
        "Normative judgement",
        _p(
            r"\b(?:poor|bad|terrible|awful|questionable)\s+(?:judge?ment|decisions?|choices?)\b",
            r"\bnegligen(?:t|ce|tly)\b",
            r"\breckless(?:ly|ness)?\b",
            r"\bunacceptabl[ey]\b",
            r"\binappropriate(?:ly)?\b",
            r"\birresponsib(?:le|ly|ility)\b",
            r"\bunprofessional(?:ly)?\b",
            r"\b(?:inexcusable|no\s+excuse|(?:lack|absence)\s+of\s+(?:an?\s+|any\s+)?excuse)\b",
            r"\b(?:didn't|did\s+not|refused\s+to)\s+follow\s+(?:the\s+)?"
            r"(?:process|procedure|runbook|policy|protocol|rules?)\b",
            r"\b(?:violated|ignored)\s+(?:the\s+)?(?:process|procedure|policy|protocol|rules?)\b",
            r"\b(?:shoddy|misguided)\b",
            r"\b(?:hurriedly|hastily|blindly|lazily)\s+(?:pushed|deployed|merged|shipped|ran|"
            r"released|rolled|approved|made|wrote|changed|applied)\b",
            r"\bin\s+(?:my|his|her|their|our|your)\s+haste\b",
            r"\bmisjudg(?:ed|ing|ment|ments)\b",
            r"\bmisused\b",
            r"\b(?:botch|bungl)(?:ed|es|ing|e)\b",
            r"\b(?:such\s+a|a\s+(?:huge|big|major|massive|terrible|stupid|silly|dumb|costly))\s+"
            r"blunder\b",
            r"\b(?:huge|massive|big|biggest|total|own|fun|epic|stupid|dumb|royal|major|colossal|"
            r"monumental|giant|worst)\s+(?:fuck|screw|cock|foul|balls)[- ]?ups?\b",
            r"\b(?:makes|made|making|make)\s+excuses\b",
            r"\b(?:my|his|her|their|your)\s+(?:own\s+)?(?:terrible|awful|horrible|poor|lousy|"
            r"pathetic|abysmal|sloppy)\s+(?:performance|work|job|effort|attitude|handling)\b",
            r"\b(?:has|have|had|'ve|'d)\s+made\s+(?:a|an|such\s+a|one)\s+(?:terrible|horrible|"
            r"awful|shameful|stupid|dumb|idiotic|careless|silly|grave|inexcusable|rookie|"
            r"colossal)\s+(?:mistake|error|blunder)\b",
            r"\bbrush(?:es|ed|ing)?\s+(?:it|this|that|them|me|us)\s+off\b",
            r"\b(?:doing|do|did|redo|redoing|redid)\s+(?:his|her|their)\s+work\b",
            r"\bcould(?:n't|\s+not)\s+have\s+(?:possibly\s+)?(?:picked|chosen|found|thought\s+of)\s+"
            r"a\s+worse\b",
            r"\bwithout\s+even\s+(?:checking|testing|looking|asking|thinking|reading|trying)\b",
            r"\bwithout\s+(?:double-?checking|bothering|thinking\s+twice)\b",
            r"\bcardinal\s+sins?\b",
            # "my worst production blunder": a verdict the writer passes on their own slip.
            r"\bmy\s+(?:very\s+)?(?:worst|dumbest|stupidest|most\s+embarrassing)\s+(?:[\w-]+\s+)?"
            r"(?:mistakes?|blunders?|errors?|screw-?ups?|fuck-?ups?)\b",
            # "the copy editor hadn't done his job", "people who don't do their job".
            r"\b(?:don't|doesn't|didn't|hadn't|haven't|hasn't|wasn't|weren't|(?:do|does|did|had|"
            r"have|has)\s+not|never)\s+(?:do|does|did|doing|done)\s+(?:his|her|their|your)\s+"
            r"(?:own\s+)?jobs?\b",
            # A verdict on a slip: "a shameful mistake", "a rookie error".
            r"\b(?:shameful|idiotic|silly|rookie|boneheaded|embarrassing|unforgivable|"
            r"inexcusable|dumbest|stupidest)\s+(?:mistakes?|errors?|blunders?)\b",
            r"\bshould(?:\s+have|'ve)?\s+(?:know|known)\s+better\b",
            r"\b(?:never|doesn't|does\s+not|don't|won't)\s+follows?\s+(?:the\s+)?(?:same\s+)?"
            r"(?:process|procedure|runbook|policy|protocol|rules?|steps|instructions)\b",
            # "No excuses for having mislaid a class": the plural of "no excuse".
            r"\bno\s+excuses\b",
            # A penalty the writer or someone deals themself: "I kicked myself for not
            # noticing", "after two days of beating myself up".
            r"\b(?:kick(?:ed|ing|s)?|beat(?:ing|s)?|berat(?:e|ed|es|ing)|scold(?:ed|ing|s)?|"
            r"punish(?:ed|es|ing)?|curs(?:e|ed|es|ing))\s+(?:myself|yourself|himself|herself|"
            r"themselves)\b",
            # A person's choice judged: "the officials made the wrong call", "he gave terrible
            # advice", "his bad calls" (the team's "we made the wrong call" owns its choice;
            # a model's "wrong call" is a system's output).
            r"\b(?:made|make|makes|making|gave|give|gives|giving)\s+(?:(?:me|us|him|her|them|"
            r"you)\s+)?(?:a|the|some|several|many|one|another|such)?\s*(?:(?:really|very|truly|"
            r"pretty|so)\s+)?(?:wrong|bad|poor|terrible|awful|lousy|horrible|stupid|dumb|crappy)\s+"
            r"(?:calls?|decisions?|choices?|advice)\b",
            r"\b(?:his|her|your)\s+(?:(?:many|constant|usual|repeated)\s+)?(?:wrong|bad|poor|"
            r"terrible|awful|lousy|horrible|stupid|dumb|crappy)\s+(?:calls?|decisions?|choices?|"
            r"advice)\b",
            # "I should not be allowed to invigilate exams", "he should never be allowed near
            # a server": a person's fitness denied ("merges should not be allowed to skip
            # review" is a rule about a step).
            r"\bshould(?:n't|\s+not|\s+never)\s+(?:ever\s+|again\s+)?be\s+allowed\s+"
            r"(?:anywhere\s+)?(?:near|to)\b",
            # The writer's expectation held up to a person: "I do not expect my plumber to
            # leave such stuff lying around", "I'd expect him to clean up after himself"
            # ("we expect clients to retry" describes a system's contract).
            r"\bI(?:'d|\s+would)?\s+(?:(?:do\s+not|don't|did\s+not|didn't|really|certainly|"
            r"honestly|just|also)\s+)?expect(?:ed)?\s+(?:him|her|"
            rf"(?-i:{_NAME})|{_ROLE})\s+to\b",
            # A person's habit of skipping the check on their own work: "Nex doesn't test
            # their code", "he never reviews his changes" (the team's "we don't test our
            # code" owns a gap, and a tool "doesn't check the cache" is a design).
            r"\b(?:doesn't|does\s+not|don't|do\s+not|didn't|did\s+not|never)\s+(?:even\s+|"
            r"bother\s+to\s+|ever\s+)?(?:test|check|review|proofread|read|run|verify)(?:s|ed)?\s+"
            r"(?:his|her|their|your)\s+(?:own\s+)?(?:code|changes?|work|commits?|patch(?:es)?|"
            r"PRs?|pull\s+requests?|scripts?)\b",
            # Someone's act weighed as waste: "you completely wasted the notification
            # period", "scolded for wasting my time" ("we wasted no time" is the team's pace).
            r"\b(?:you|he|she|they)\s+(?:(?:completely|totally|just|really|basically|have|had|has)"
            r"\s+){0,2}wasted\s+(?!no\b|little\b)#?\w{1,30}",
            r"\bfor\s+wasting\s+(?:my|our|everyone's|everybody's|people's|your|his|her|their)\s+"
            r"(?:[\w-]{1,20}\s+)?time\b",
            # A person's conduct ruled out: "he had no business being mean to anyone" ("had
            # no business being there" says who belonged, not what anyone did).
            r"\b(?:had|has|have)\s+no\s+business\s+[a-z]{2,30}ing\b(?!\s+(?:there|here|in)\b)",
            # Someone's work judged by a superlative: "the worst shell script I've ever seen".
            r"\bthe\s+worst\s+(?:[\w-]+\s+){0,2}(?:code|script|commit|pull\s+request|PR|config|"
            r"query|design|docs|documentation|spreadsheet|report)\s+I(?:'ve|\s+have)\s+ever\s+"
            r"(?:seen|read|reviewed|received)\b",
        ),
        "Set the action against what people were trying to achieve at the time, instead "
        "of passing a verdict.",
        WARNING,
        _t(
            "poor bad terrible awful questionable negligent negligence negligently reckless "
            "recklessly recklessness unacceptable unacceptably inappropriate inappropriately "
            "irresponsible irresponsibly irresponsibility unprofessional unprofessionally "
            "inexcusable excuse follow violated ignored shoddy misguided hurriedly hastily "
            "blindly lazily haste misjudged misjudging misjudgment misjudgement misjudgments "
            "misjudgements misused botched botches botching bungle bungled bungles bungling "
            "blunder fuckup fuckups fuck screwup "
            "screwups screw cockup cockups cock excuses checking testing looking asking thinking "
            "reading trying follows brush brushes brushed brushing doing do did redo redoing "
            "redid couldn't could lack absence doublechecking double bothering sin sins should "
            "should've foul foulup foulups balls ballsup made performance work job effort "
            "shameful idiotic silly rookie boneheaded embarrassing unforgivable dumbest "
            "stupidest jobs worst attitude handling excuses kick kicked kicking kicks beat "
            "beating beats berate berated berates berating scold scolded scolding scolds punish "
            "punished punishes punishing curse cursed curses cursing call calls decision "
            "decisions choice choices advice allowed expect expected doesn't don't didn't never "
            "wasted wasting business worst"
        ),
        judges.normative,
    ),
    Rule(
        8,
        "hindsight-certainty",
        "Hindsight certainty",
        _p(
            r"\bobviously\b",
            r"\b(?=[wislbp])(?:was|were|is|it's|seemed|seems|looked|looks|so|blindingly|"
            r"painfully)\s+(?:so\s+|really\s+|completely\s+|totally\s+)?obvious\b",
            _CLEARLY,
            r"\bshould(?:n't|\s+not)?(?:\s+have|'ve)\s+(?:been\s+)?(?:known|seen|noticed|"
            r"spotted|reali[sz]ed|foreseen|predicted|anticipated|guessed|obvious)\b",
            r"\b(?:anyone|anybody|everyone|everybody|any\s+(?:engineer|developer|"
            r"reasonable\s+person))\s+(?:would|could)(?:\s+have|'ve)\s+(?:known|seen|"
            r"noticed|spotted|reali[sz]ed|caught)\b",
            r"\b(?:everyone|everybody|anyone|anybody)\s+knows\b",
            r"\b(?:common\s+sense|no-?brainer|in\s+plain\s+sight)\b",
            r"\bthe\s+(?:warning\s+)?(?:signs|red\s+flags)\s+were\s+(?:all\s+)?(?:there|obvious)\b",
        ),
        "Point to what could be seen at the time and what made it easy to miss.",
        WARNING,
        _t(
            "obviously obvious clearly should shouldn't should've anyone anybody everyone "
            "everybody engineer developer person sense brainer nobrainer plain signs flags"
        ),
        judges.hindsight_certainty,
    ),
    Rule(
        9,
        "attention",
        "Attention blame",
        _p(
            # "wasn't paying close enough attention": up to two degree words between.
            r"\b(?:wasn't|was\s+not|weren't|were\s+not|not|isn't)\s+paying\s+"
            r"(?:(?:close|closer|enough|proper|any|much|full|careful|more)\s+){0,2}attention\b",
            r"\b(?:didn't|did\s+not)\s+pay\s+(?:(?:close|closer|enough|proper|any|much|full|"
            r"careful|more)\s+){0,2}attention\b",
            r"\blost\s+(?:focus|concentration)\b",
            r"\black\s+of\s+(?:focus|attention|concentration|care|diligence)\b",
            r"\blapses?\s+(?:in|of)\s+(?:judge?ment|concentration|attention|focus|memory)\b",
            r"\bslopp(?:y|iness|ily)\b",
            r"\b(?:was|were|got|being|too)\s+distracted\b",
            r"\binattenti(?:ve|veness|on)\b",
            r"\b(?:zoned|spaced)\s+out\b",
            r"\basleep\s+at\s+the\s+wheel\b",
            r"\bmentally\s+(?:checked\s+out|absent|elsewhere|somewhere\s+else)\b",
            r"\bhead\s+(?:wasn't|was\s+not|isn't|is\s+not|was\s+never|not)\s+in\s+the\s+game\b",
            r"\b(?:wasn't|was\s+not|weren't|were\s+not)\s+(?:focused|concentrating|careful|"
            r"thinking)\b",
        ),
        "Say what else was pulling on attention at that moment.",
        WARNING,
        _t(
            "attention focus concentration care diligence sloppy sloppiness sloppily "
            "distracted inattentive inattentiveness inattention zoned spaced asleep focused "
            "concentrating careful thinking mentally head lapse lapses"
        ),
        judges.person_judgement,
    ),
    Rule(
        10,
        "named-person",
        "A person or role as the cause",
        # Case-sensitive: a capitalised name (not a sentence opener, team or tool) or a
        # Slack mention, followed by a failure verb. One capitalised word is as often a
        # product or a page ("Checkout failed") as a name, so after one word "failed"
        # counts only before something people do ("failed to follow the runbook"); a
        # first and last name or a mention takes every failure verb. Then a name with
        # "should have", a role ("the developer forgot"), the writer's own "I screwed up",
        # and blame or sole responsibility put on someone; last, the general frames of a
        # person as the cause ("he was the problem", "because of her") from
        # ``evaluation.CAUSE_SOURCES``.
        _p(
            *_NAMED_PERSON_PATTERNS,
            *(f"(?i:{source})" for source in evaluation.CAUSE_SOURCES),
            flags=0,
        ),
        "Give the step, the role's situation or the system the sentence instead of a "
        "person; say what they saw and why it made sense then.",
        WARNING,
        _t(
            "failed broke missed forgot messed screwed botched overlooked dropped misjudged "
            "should shouldn't should've ought bypassed sidestepped ignored neglected fucked "
            "blew blame responsible destroyed nuked wiped killed kill took brought deletes bet "
            "guess suspect probably obviously clearly breaking bad broken faulty buggy sloppy "
            "careless him her them way mess screw trashed goofed blundered slipped fingered "
            "fatfingered fault mistake screwup fuckup blunder own caused let foul wrong error typo "
            "negligence carelessness incompetence laziness stupidity wrecked ruined down fuck "
            "cock balls failings myself gun fell trap traps head culpa d'oh ed"
        )
        + tuple(sorted(evaluation.CAUSE_TRIGGERS)),
        evaluation.with_causes(judges.named_person, _NAMED_PERSON_OWN),
        own_reframe="Tell the step you took and what you saw at the time, so the sentence is "
        "about the situation, not a verdict on you.",
        own_title="Your own step as the cause",
    ),
    Rule(
        11,
        "who-question",
        "Who-question",
        # A question, not a relative clause: "the engineer who merged it" is fine.
        _p(
            r"\bwho(?:'s|\s+is|\s+was)\s+(?:(?:truly|really|actually|ultimately|most)\s+)?"
            r"(?:to\s+blame|at\s+fault)\b",
            r"\bwhose\s+(?:fault|mistake)\b(?=[^.!\n]{0,200}\?)",
            rf"\bwho\s+{_WHO_VERB}\b(?=[^.!?\n]{{0,200}}[?!])",
            r"\bwho(?:'s|\s+is|\s+was)\s+responsible\b(?=[^.!?\n]{0,200}\?)",
            r"\b(?:find\s+out|figure\s+out|know|ask(?:ed)?|wonder(?:ing)?|track\s+down)\s+"
            rf"who\s+(?:{_WHO_VERB}|(?:is|was)\s+responsible)\b",
            rf"(?:^|(?<=[.!?]\s))who\s+{_WHO_VERB}\b",
            flags=re.IGNORECASE | re.MULTILINE,
        ),
        "Ask how events unfolded rather than hunting for a person.",
        WARNING,
        _t("who who's whose"),
        judges.person_judgement,
    ),
    Rule(
        12,
        "why-you",
        "Why-you question",
        # Only with a person as subject: "why did the cache expire?" is a good question.
        _p(
            r"(?i:\bwhy\s+(?:on\s+earth\s+|the\s+hell\s+)?(?:did|didn't|did\s+not|would|"
            r"wouldn't|do|don't|could|couldn't|hadn't|haven't)\s+(?:you|I|he|she|they|we|"
            r"nobody|no\s+one|no-one|someone|anyone|anybody)\b)",
            rf"(?i:\bwhy\s+(?:did|didn't|did\s+not)\s+){_NAME}\b",
            r"(?i:\bwhat\s+(?:were|was)\s+(?:you|I|they|he|she|we)\s+thinking\b)",
            rf"(?i:\bwhy\s+(?:did|didn't|did\s+not|would|wouldn't|does|doesn't)\s+{_ROLE})\b",
            # The question that is all of a sentence: "BROGAN WHAT DID YOU DO" ("what did
            # you do next?" asks for the story and goes on).
            r"(?i:\bwhat\s+(?:did|have|had)\s+(?:you|he|she|they)\s+(?:just\s+)?(?:do|done)\b)"
            r"(?=[ \t]*(?:[?!.]|\n|$))",
            # "who does Jason think he is".
            r"(?i:\bwho\s+(?:does|did)\s+(?:he|she|they|you|[a-z]{2,30})\s+think\s+"
            r"(?:he|she|they|you)(?:'s|'re|\s+(?:is|are|was|were))\b)",
            # "Is it so hard to organise a printer that works?": a person's effort judged.
            # ("How hard is it to scale a database?" asks, and the text answers.)
            r"(?i:\b(?:is|was)\s+it\s+(?:really\s+)?(?:so|that|too)\s+(?:hard|difficult)\s+"
            r"(?:for\s+(?:you|him|her|them|people)\s+)?to\b)"
            r"(?=[^.!?\n]{0,200}\?)",
            # "Why this woman couldn't have just called me", "Why my dispatcher wants to
            # cause problems": the question told without inverting it, opening its
            # sentence or ending in "?" (the judge wants a person before the verb; "this
            # explains why the job didn't retry" is an explanation).
            r"(?i:(?:^|(?<=[.!?]\s)|(?<=[.!?]\s\s)|(?<=\n))why\s+(?:on\s+earth\s+)?(?:(?:this|that|"
            r"the|my|our|a|your|his|her)\s+(?:[\w-]{1,20}\s+)?)?[\w'-]{2,20}\s+(?:couldn't|"
            r"could\s+not|wouldn't|would\s+not|can't|cannot|won't|didn't|did\s+not|doesn't|"
            r"does\s+not|hadn't|wants?\s+to|insists?\s+on))\b"
            r"|(?i:\bwhy\s+(?:(?:this|that|the|my|your|his|her)\s+(?:[\w-]{1,20}\s+)?)?[\w'-]{2,20}"
            r"\s+(?:couldn't|could\s+not|wouldn't|would\s+not|didn't|did\s+not|doesn't|does\s+"
            r"not|hadn't)\b(?=[^.!?\n]{0,160}\?))",
            # A person's diligence doubted as a question: "Have you ever tested the code?",
            # "Did he even run it?" (the question ends with the work: "have you ever tested
            # the code on ARM?" asks for a report).
            r"(?i:\b(?:have|had|has|did|do|does)\s+(?:you|he|she|they)\s+(?:ever|even)\s+"
            r"(?:tested|test|run|ran|read|checked|check|tried|try|compiled|compile|reviewed|review|"
            r"looked\s+at|opened)\s+(?:it|this|that|them|anything|(?:the|your|his|her|their)\s+"
            r"(?:code|changes?|patch|PR|build|docs?|script|commits?))\s*\?)",
            # "How does he not know that?": what a person should have known, asked.
            r"(?i:\bhow\s+(?:does|did|do|could|can|would)\s+(?:you|he|she|they)\s+(?:still\s+)?"
            r"(?:not|never)\s+(?:know|see|notice|realize|realise|understand|check|test|read)\b)"
            r"(?=[^.!?\n]{0,80}\?)",
            flags=re.MULTILINE,
        ),
        "Ask what made that choice look reasonable in the moment.",
        WARNING,
        _t("why what who is was ever even how"),
        judges.why_question,
    ),
    Rule(
        13,
        "blame-shift",
        "Blame moved to others",
        _p(
            rf"\b{_OTHER_TEAM}\s+{_SHIFT_VERB}\b",
            r"\b(?:their|his|her|your|the\s+vendor's|ops'|QA's)\s+fault\b",
            r"\b(?:not|wasn't|was\s+not|isn't|is\s+not|weren't|aren't)\s+(?:my|our)\s+(?:fault|"
            r"problem|doing)\b",
            r"\b(?:a\s+)?(?:management|leadership)\s+(?:and\s+[\w-]{1,20}\s+)?failures?\b",
            r"\bfault\s+of\s+(?:the\s+)?(?:management|leadership)\b",
            r"\bblame\s+(?:lies|rests|sits|falls)\s+(?:with|on)\b",
            r"\b(?:threw|throw|throws|thrown|throwing)\s+(?:me|us|them|him|her)\s+under\s+the\s+"
            r"bus\b",
            r"\b(?:been|got|get|gets|getting|was|were|being)\s+thrown\s+under\s+the\s+bus\b",
            r"\bpass(?:ed|ing)?\s+the\s+buck\b",
            r"\bshift(?:s|ed|ing)?\s+(?:the\s+|all\s+the\s+)?blame\s+(?:onto|on|to)\b",
        ),
        "Other teams get the same courtesy: describe the situation they were in, not their fault.",
        WARNING,
        _t(
            "team qa ops devops sre sres infra dba dbas vendor fault blame threw throw thrown "
            "throws throwing "
            "buck management leadership shift shifts shifted shifting"
        ),
        judges.blame_shift,
    ),
    Rule(
        14,
        "punitive",
        "Punitive words",
        # "the alert fired twice" is not about a person; "get fired" / "he was fired" is.
        _p(
            r"\b(?:be|been|being|get|gets|got|getting|gotten)\s+(?:fired|sacked|canned|"
            r"let\s+go|punished|disciplined|reprimanded|written\s+up)\b(?!\s+(?:twice|again|off|every|on|"
            r"at|when|multiple|repeatedly|once|early|late)\b)",
            r"\b(?:I|he|she|they|we|you|someone|somebody)\s+(?:was|were|is|are|am|'m|'re)\s+"
            r"(?:so\s+|totally\s+|definitely\s+|getting\s+)?(?:fired|sacked|punished|"
            r"disciplined|reprimanded|written\s+up)\b",
            r"\bfir(?:e|ing)\s+(?:him|her|them|me|you|someone|somebody|whoever|the\s+(?:engineer|"
            r"developer|person|intern|guy|employee)(?:\s+in\s+question|\s+responsible)?)\b",
            r"\bpunish(?:ed|es|ing|ment|ments)?\b",
            r"\b(?:disciplinary|reprimand(?:s|ed)?|written\s+warning)\b",
            r"\bhard\s+lessons?\b",
            r"\bheads\s+(?:will|should|must|need\s+to)\s+roll\b",
            r"\bthere\s+(?:will|should|must|need\s+to)\s+be\s+consequences\b",
            r"\bmake\s+an\s+example\s+of\b",
            r"\b(?:performance\s+improvement\s+plan|on\s+a\s+PIP)\b",
            r"\b(?:lose|loose|lost|losing)\s+(?:their|his|her|my|your|our)\s+jobs?\b",
            r"\b(?:learned|learnt)\s+(?:your|his|her|their)\s+lesson\b",
            # "besides getting rid of the developer": a person let go, told as a remedy.
            rf"\b(?:get|gets|got|getting|gotten)\s+rid\s+of\s+(?:him|her|them|{_ROLE})\b",
        ),
        "Being accountable means telling the story and helping put things right; leave "
        "penalties out.",
        WARNING,
        _t(
            "fired firing sacked canned let written punished disciplined reprimanded fire punish "
            "punishes punishing punishment punishments disciplinary reprimand reprimands warning "
            "lesson lessons heads consequences example plan pip job jobs rid"
        ),
        judges.punitive,
    ),
    Rule(
        15,
        "over-generalising",
        "Over-generalising",
        # Habits ("I always run the tests first") are fine; only always/never + a mistake.
        _p(
            rf"\b(?:I|we|you|he|she|they)\s+(?:always|constantly)\s+{_SLIP}\b",
            rf"\b(?:I|we|you|he|she|they|(?:co-?worker|colleague)s?)\s+(?:(?:just|still|really|"
            rf"always)\s+)?(?:keeps?|always\s+end\s+up)\s+{_SLIPPING}\b",
            r"\b(?:I|we|you|he|she|they)\s+(?:never|can\s+never|can't\s+ever)\s+(?:get|do)\s+"
            r"(?:anything|it|this|things)\s+right\b",
            # The writer's own ("I'm terrible at ..."); a team's "we are bad at deprecating
            # projects" judges a practice of the organisation.
            r"\bI(?:'m|\s+am)\s+(?:so\s+|just\s+|really\s+)?(?:terrible|"
            r"hopeless|awful|useless|rubbish|bad|the\s+worst)\s+at\b",
            r"\b(?:I|we)\s+(?:ruin|break|mess\s+up|screw\s+up)\s+everything\b",
            r"\b(?:every\s+single\s+time|this\s+always\s+happens)\b",
        ),
        "Talk about this occasion; one event says little about always or never.",
        WARNING,
        _t(
            "always constantly keep keeps never terrible hopeless awful useless rubbish bad "
            "worst everything single"
        ),
        judges.person_judgement,
    ),
    Rule(
        16,
        "minimising",
        "Minimising",
        # About impact only: "only a minor version behind" is a fact about a version.
        _p(
            r"\b(?:just|only|merely)\s+(?:a|an)\s+(?:(?:small|minor|tiny|little|quick|brief|"
            rf"short|bit\s+of\s+an?)\s+)*{_IMPACT}\b",
            r"\b(?:not|no)\s+(?:such\s+)?(?:a\s+)?(?:big|huge|major)\s+deal\b",
            r"\b(?:nbd|no\s+harm\s+done)\b",
            r"\bno\s+real\s+(?:harm|damage|impact)\b",
            r"\bnothing\s+(?:too\s+)?serious\b",
            r"\bnot\s+(?:that|too|so)\s+bad\b",
            # "only affected 3 customers" gives the impact in plain numbers; "a few" does not.
            r"\bonly\s+(?:affected|impacted|hit|bothered)\s+(?:a\s+few|a\s+handful|a\s+couple|"
            r"some)\b",
            r"\b(?:barely|hardly)\s+(?:anyone|anybody|any\s+(?:users|customers|one))\s+"
            r"(?:noticed|was\s+affected|cared)\b",
            r"\b(?:just|only)\s+(?:a\s+few|a\s+couple\s+of|\d+)\s+(?:minutes?|seconds?|mins?)\s+"
            r"of\s+(?:downtime|outage|disruption)\b",
        ),
        "Give the impact in plain terms: who was affected, how, and for how long.",
        NOTE,
        _t("just only merely deal nbd harm real nothing bad barely hardly"),
        judges.note,
    ),
    Rule(
        17,
        "conditional-apology",
        "Conditional apology",
        # Only an apology made conditional ("sorry if", "sorry, but", "sorry you feel"):
        # "we apologise for any inconvenience" is a status page's formula, not a hedge
        # on who was affected.
        _p(
            r"\b(?:sorry|apologi[sz]e|apologies)\s*,?\s+(?:if|but)\b",
            r"\bsorry\s+(?:that\s+)?(?:you|anyone|people|some\s+people)\s+(?:feel|felt|"
            r"were\s+upset|are\s+upset)\b",
        ),
        "Say plainly what the impact was and on whom; drop the 'if' and the 'but'.",
        NOTE,
        _t("sorry apologise apologize apologies"),
        judges.note,
    ),
    Rule(
        18,
        "vague-action",
        "Vague action",
        _p(
            r"\b(?:be|being)\s+(?:a\s+(?:bit|lot)\s+|much\s+|extra\s+|more\s+)*(?:careful|"
            r"vigilant|diligent|attentive|thorough|mindful)\b",
            r"\btry\s+(?:harder|my\s+best|our\s+best)\b",
            r"\b(?:double|triple)[- ]?check\s+(?:everything|every\s+\w+|all\s+\w+|things)\b",
            r"\bpay\s+(?:more|closer|better|extra)\s+attention\b",
            r"\btake\s+(?:more|extra|better|greater)\s+care\b",
            r"\b(?:I|we)(?:'ll|\s+will|\s+must|\s+need\s+to|\s+have\s+to|\s+should|"
            r"'re\s+going\s+to|'m\s+going\s+to)?\s+do\s+better\b",
            r"\bmore\s+attention\s+to\s+detail\b",
            r"\bstay\s+(?:more\s+)?(?:focused|alert|sharp)\b",
            r"\bmake\s+sure\s+(?:this|it|that)\s+(?:never\s+happens|(?:doesn't|does\s+not|"
            r"won't|will\s+not)\s+happen)\s+again\b",
            r"\b(?:never|not)\s+let\s+(?:this|it|that)\s+happen\s+again\b",
            r"\bthink\s+(?:twice|harder|more\s+carefully)\b",
        ),
        "Swap the intention for a specific change: a new check, an automated guard, or a "
        "habit with a clear trigger.",
        NOTE,
        _t(
            "careful vigilant diligent attentive thorough mindful harder best check "
            "doublecheck attention care better detail focused alert sharp again twice "
            "carefully"
        ),
        judges.vague_action,
    ),
    Rule(
        19,
        "ownerless-action",
        "Ownerless action",
        # Only where the text presents it as an action item (an "Action:" label, or a
        # bare sentence in a retro without sections) and names no owner or date: in a
        # structured postmortem "we need to improve our test coverage" is a lesson, and
        # public postmortems rarely name owners.
        _p(
            r"\b(?:improve|enhance|strengthen|tighten|increase|expand|boost|revisit|rework)\s+"
            rf"(?:our\s+|the\s+|team\s+|existing\s+|overall\s+)?{_ACTION_TOPIC}\b",
            rf"\b(?:better|more|additional|clearer|stronger|tighter|extra)\s+"
            rf"{_ACTION_TOPIC}\b",
        ),
        "Give it a named owner, a due date, and a way to tell when it is finished.",
        NOTE,
        _t(
            "monitoring alerting alerts communication communications comms testing coverage "
            "documentation docs observability logging training oversight visibility review "
            "reviews processes process tooling runbooks handover handovers handoff handoffs "
            "onboarding checks validation"
        ),
        judges.ownerless,
    ),
    Rule(
        20,
        "private-detail",
        "Private detail",
        # Case-sensitive where a capital marks a name; keywords use inline (?i:...).
        _p(
            r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[A-Za-z]{2,24}\b",
            _MENTION,
            _HANDLE,
            r"(?<![\w+])\+\d{1,3}[ .-]?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){2,4}(?![\w-])",
            r"(?<![\w.+-])\(?0\d{2,4}\)?[ -]\d{3,4}[ -]?\d{3,4}(?![\w-]|\.\d)",
            r"(?<![\w.+-])\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}(?![\w-]|\.\d)",
            r"(?i:\b(?:customers?|clients?)\s+(?:named\s+|called\s+)?)"
            r"(?!(?:Success|Support|Service|Services|Experience|Care|Data|Impact|Impacted|Affected|"
            r"Facing|Communications?|Notifications?|Accounts?|Base|Count|Reports?|Cases?|Requests?|"
            r"Traffic|Names?|Feedback|Journey|Portal|Trust|Sentiment)\b)[A-Z][a-z][\w&'-]{0,40}",
            rf"(?i:\b(?:{_HEALTH})\b)",
            flags=0,
        ),
        "Remove or anonymise this before the summary goes to a channel; refer to roles, "
        "not people, and leave out contact and health details.",
        WARNING,
        _t("customer customers client clients " + _HEALTH_TRIGGERS),
        judges.private_detail,
    ),
)

PRIVATE_RULE = 20
ROOT_CAUSE_RULE = 5
# Rules whose flags name a person or a role as the cause: the preview shows them first,
# with the root-cause flags that warn (those name a person as the root cause).
CAUSE_RULES = frozenset({10, 13})
