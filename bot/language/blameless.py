"""Blameless language check for retro summaries the author may share with a channel.

The share preview runs :func:`check` and shows each flagged phrase with a reframe idea;
the author edits or posts as is. The check advises, it never blocks. The twenty rule
groups draw on Google's SRE book (postmortem
culture), John Allspaw on blameless postmortems and "the infinite hows", PagerDuty's
postmortem guide, the Learning from Incidents community (counterfactual, normative and
mechanistic reasoning), Dekker on "human error", and Neff on over-identification.

Precision matters more than recall here: a preview that flags plain work sentences
("we should add a canary stage", "the alert fired twice", "the root of the repo") teaches
people to ignore it. So most patterns need a frame around the trigger word, not the word
alone; the choices are noted next to each rule.

How overlaps are resolved, so one phrase gets one reframe:

* within a rule, overlapping matches keep the earliest, then the longest;
* across rules 1-19, a flag lying inside a longer flag of another rule is dropped
  ("QA should have" is blame moved to others, not also a bare counterfactual);
* private detail (rule 20) is never dropped, since it has to be redacted whatever else
  the sentence says, and it hides any other flag inside it (a word inside an address).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_PRIVATE_RULE = 20


@dataclass(frozen=True)
class Rule:
    """One rule group: what to look for and the reframe idea shown beside it.

    ``unless`` lets a rule step back when the same sentence already contains what the
    rule asks for (an ownerless action that does name an owner or a date).
    """

    number: int
    rule: str
    title: str
    patterns: tuple[re.Pattern[str], ...]
    reframe: str
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Flag:
    """A phrase in the text that one rule flagged, with where it is and a reframe idea."""

    rule: str
    number: int
    title: str
    phrase: str
    start: int
    end: int
    reframe: str
    line: int


def _p(*sources: str, flags: int = re.IGNORECASE) -> tuple[re.Pattern[str], ...]:
    """Compile a rule's patterns; case-insensitive unless a rule needs capitals."""
    return tuple(re.compile(source, flags) for source in sources)


def _alternatives(words: Iterable[str]) -> str:
    """Join words into a non-capturing alternation for use inside a pattern."""
    return "(?:" + "|".join(words) + ")"


# --- shared fragments ------------------------------------------------------------------

# "should have", "should've", the common misspelling "should of".
_HAVE = r"(?:\s+have|'ve|\s+of)"
# "should have a canary stage" is about owning something in future, not a counterfactual.
_NOT_POSSESSION = (
    r"(?!\s+(?:a|an|the|some|any|more|less|fewer|better|no|enough|our|their|my|your|his|"
    r"her|its|this|that|these|those|access|time|one|two|\d)\b)"
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

# Capitalised words that begin sentences or name systems and teams, not people.
_NOT_NAMES = _alternatives(
    (
        "The|This|That|These|Those|It|Its|We|They|He|She|You|Our|Their|His|Her|My|Your",
        "Who|What|Which|When|Where|Why|How|There|Then|Also|And|But|So|Yet|Or|If|Once",
        "Someone|Somebody|Nobody|Everyone|Everybody|Anyone|Anybody|Everything|Something",
        "Nothing|One|Each|Both|All|Some|Any|Another|Later|Yesterday|Today|Tomorrow",
        "Eventually|Finally|Initially|First|Next|Again|Nearly|Almost|Never|Only|Still",
        "Accidentally|Apparently|Unfortunately|Meanwhile|Previously|Sadly|Luckily",
        "Deploy|Deploys|Deployment|Build|Builds|Test|Tests|Testing|Job|Jobs|Backup|Backups",
        "Migration|Migrations|Release|Releases|Server|Servers|Service|Services|Check|Checks",
        "Alert|Alerts|Alerting|Monitoring|Cron|Pipeline|Pipelines|Script|Scripts|System",
        "Cache|Database|Node|Nodes|Pod|Pods|Cluster|Request|Requests|Query|Update|Upgrade",
        "Rollback|Rollout|Sync|Login|Auth|Staging|Production|Prod|Canary|Replication",
        "Failover|Healthcheck|Probe|Validation|Linter|Review|Code|Config|Change|Patch",
        "Commit|Merge|Feature|Network|Proxy|Queue|Worker|Workers|Scheduler|Import|Export",
        "Upload|Payment|Payments|Billing|Email|Search|Dashboard|Automation|Retry|Process",
        "Step|Tool|Tooling|Team|Ops|Support|Security|Infra|Product|Design|Sales|Finance",
        "Legal|Platform|Engineering|Management|Marketing|Customer|Customers|Client|User",
        "Users|Vendor|Jenkins|Terraform|Kubernetes|Docker|Postgres|Redis|Kafka|Nginx",
        "Ansible|Helm|Renovate|Dependabot|Sentry|Datadog|Grafana|Prometheus|Vault",
        "Consul|Cloudflare|Heroku|Vercel|Netlify|Chrome|Safari|Firefox|Windows|Linux",
        "Amazon|Google|Microsoft|Apple|Azure|Stripe|Twilio|Okta|Slack|Zoom|Jira|Confluence",
        "PagerDuty|Opsgenie|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday",
        "January|February|March|April|May|June|July|August|September|October|November",
        "December|Tonight|Overnight|Morning|Afternoon|Evening",
    )
)
_FAILURE_VERB = (
    r"(?i:failed(?:\s+to)?|broke|missed|forgot(?:\s+to)?|messed\s+up|screwed\s+up|botched|"
    r"overlooked|dropped\s+the\s+ball)\b"
)
# What a person, not a page or a product, is said to have failed at: the person-only
# verbs, "failed" with an object ("failed the migration"), and "failed to" before
# anything but what systems fail to do ("failed to load", "failed to respond").
_SYSTEM_FAILURE = (
    r"(?:load|start|boot|connect|render|respond|return|resolve|complete|finish|run|"
    r"build|compile|parse|sync|upload|download|send|deliver|fetch|open|close|save|"
    r"acquire|allocate|mount|launch|initiali[sz]e|authenticate|validate|confirm|"
    r"process|register|scale|restart|recover|trigger|fire|update|apply|install|"
    r"import|export|match|reach|execute|read|write|lock|release|retry)"
)
_PERSON_FAILURE = (
    r"(?i:broke|missed|forgot(?:\s+to)?|messed\s+up|screwed\s+up|botched|overlooked|"
    r"dropped\s+the\s+ball|failed\s+(?:the|a|an|his|her|their|our|my)\b|"
    rf"failed\s+to\s+(?!{_SYSTEM_FAILURE}\b)[a-z]+)\b"
)
_MENTION = r"<@[UW][A-Z0-9]{2,}(?:\|[^>]*)?>"
_HANDLE = r"(?<![\w.<@])@(?!(?:here|channel|everyone)\b)[A-Za-z](?:[\w.-]*\w)?"

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
    _CLEARLY_MANNER_BEFORE + r"\bclearly\b(?!\s+(?:label|mark|nam|format|structur|separat|"
    r"comment|signpost|word|writ|laid|organi[sz]|present|split|defin)\w*)"
)

_WHO_VERB = (
    r"(?:did\s+(?:this|that|it)|broke|pushed|deployed|merged|approved|caused|wrote|changed|"
    r"forgot|missed|messed\s+up|screwed\s+up|dropped|touched|signed\s+off|reviewed|let|"
    r"allowed|shipped|committed|deleted|removed)"
)
_OTHER_TEAM = (
    r"(?:QA|ops|devops|SREs?|infra|DBAs?|the\s+vendor|the\s+other\s+team|"
    r"(?:the\s+)?(?!our\b|my\b|the\b|a\b|this\b|that\b|whole\b|entire\b|same\b)[\w-]+\s+team)"
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
    r"dropping\s+the\s+ball)"
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
_DAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|"
    r"fri|sat|sun)"
)
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)"
)
_PERIOD = rf"(?:week|sprint|month|quarter|release|year|iteration|cycle|{_DAY})"
# An owner or a date in the same sentence turns an action item into a concrete one.
_OWNER_OR_DATE = re.compile(
    "|".join(
        (
            # an owner: a mention, "owner:", "assigned to", or the writer ("I'll")
            r"@\w|<@[UW]|\bowner\s*[:=-]|\bowned\s+by\b|\bassigned\s+to\b|\bI(?:'ll|\s+will)\b",
            # a date: "by Friday", "due: 3 June", "before the next release", "by 2024-06-01"
            rf"\b(?:by|before|due|until|on)\s*:?\s+(?:{_DAY}|{_MONTH})\b",
            rf"\b(?:by|before|due)\s+(?:the\s+)?(?:(?:end\s+of\s+(?:the\s+)?|next\s+|this\s+)"
            rf"{_PERIOD}|tomorrow|tonight|eod|eow|q[1-4])\b",
            r"\b(?:by|before|due)\s+\d+(?![\d.]*\s*(?:%|percent))",
            r"\bdue\s*[:=]|\b\d{4}-\d{2}-\d{2}\b",
        )
    ),
    re.IGNORECASE,
)
_HEALTH = (
    r"sick\s+leave|medical\s+leave|off\s+sick|called\s+in\s+sick|in\s+(?:the\s+)?hospital|"
    r"diagnosed\s+with|surgery|medication|chemo(?:therapy)?|pregnan(?:t|cy)|miscarriage|"
    r"panic\s+attacks?|migraines?|therapist|mental\s+health\s+(?:issues?|crisis|condition)|"
    r"depression|anxiety\s+disorder|ADHD|diabetes|cancer"
)

# --- the rule table --------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    Rule(
        1,
        "counterfactual",
        "Counterfactual",
        # Only the past form: "we should add a canary stage" looks forward and is fine.
        _p(
            rf"\bshould(?:n't|nt|\s+not)?{_HAVE}\b{_NOT_POSSESSION}",
            rf"\bought(?:n't|\s+not)?\s+to(?:\s+not)?\s+have\b{_NOT_POSSESSION}",
        ),
        "Tell what was actually done and why it looked like a good idea with what was known then.",
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
        ),
        "Describe the choices that could be seen back then, and why the one taken looked right.",
    ),
    Rule(
        3,
        "omission",
        "Omission framing",
        # "failed to" only with a person as subject: "the job failed to start" is a fact.
        _p(
            r"\b(?:forgot|forgotten|forgetting|neglected|neglecting|omitted)\s+to\b",
            rf"\b{_PRONOUN}\s+(?:just\s+|simply\s+)?forgot(?:\s+to)?\b",
            rf"\b(?:{_PRONOUN}|reviewers?|engineers?|operators?|developers?|on-?call|team)\s+"
            r"(?:had\s+|has\s+|have\s+)?failed\s+to\b",
            r"\b(?:didn't|did\s+not|never)\s+bother(?:ed)?\s+to\b",
        ),
        "Describe what was done instead, and what had people's attention at the time.",
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
        "Describe what in the setup made this slip easy to make and hard to spot.",
    ),
    Rule(
        5,
        "root-cause",
        "Single root cause",
        # "the root of the repo" is a place; only "root cause" and "root of the problem".
        _p(
            # "root cause analysis" names a document, not a claim about one cause.
            r"\broot[- ]?caus(?:e|ed)\b(?!\s+analys[ie]s)",
            r"\broot\s+of\s+the\s+(?:problem|issue|incident|outage|failure)\b",
            r"\bthe\s+(?:(?:real|main|only|sole|single|actual|true|underlying)\s+)?cause\s+"
            r"(?:was|is|of\s+(?:the|this|it))\b",
            r"\bthe\s+(?:only|sole|real|single)\s+reason\b",
            r"\b(?:caused|happened)\s+(?:solely|entirely|only|purely)\s+(?:by|because)\b",
        ),
        "Several things lined up; name at least two of them.",
    ),
    Rule(
        6,
        "character",
        "Character words",
        # About people; "lazy loading" and "dumb terminal" are technical terms.
        _p(
            r"\bcareless(?:ly|ness)?\b",
            r"\blaz(?:y|iness)\b(?!\s*-?\s*(?:load|eval|init|import|iterat|propert|static))",
            r"\bstupid(?:ity)?\b",
            r"\bidiot(?:s|ic)?\b",
            r"\bincompeten(?:t|ce)\b",
            r"\bdumb\b(?!\s+(?:terminals?|pipes?|clients?|components?)\b)",
            r"\bmoron(?:s|ic)?\b",
            r"\b(?:clueless|inept|foolish|boneheaded)\b",
            r"\brookie\s+(?:mistake|error|move)\b",
            r"\bamateur(?:ish|\s+hour)\b",
        ),
        "Talk about what was done and the situation around it; leave labels for people out.",
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
            r"\b(?:inexcusable|no\s+excuse)\b",
            r"\b(?:didn't|did\s+not|refused\s+to)\s+follow\s+(?:the\s+)?"
            r"(?:process|procedure|runbook|policy|protocol|rules?)\b",
            r"\b(?:violated|ignored)\s+(?:the\s+)?(?:process|procedure|policy|protocol|rules?)\b",
        ),
        "Set the action against what people were trying to achieve at the time, instead "
        "of passing a verdict.",
    ),
    Rule(
        8,
        "hindsight-certainty",
        "Hindsight certainty",
        _p(
            r"\bobviously\b",
            r"\b(?:was|were|is|it's|seemed|seems|looked|looks|so|blindingly|painfully)\s+"
            r"(?:so\s+|really\s+|completely\s+|totally\s+)?obvious\b",
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
    ),
    Rule(
        9,
        "attention",
        "Attention blame",
        _p(
            r"\b(?:wasn't|was\s+not|weren't|were\s+not|not|isn't)\s+paying\s+"
            r"(?:enough\s+|proper\s+|any\s+)?attention\b",
            r"\b(?:didn't|did\s+not)\s+pay\s+(?:enough\s+|proper\s+|any\s+)?attention\b",
            r"\blost\s+(?:focus|concentration)\b",
            r"\black\s+of\s+(?:focus|attention|concentration|care|diligence)\b",
            r"\bslopp(?:y|iness|ily)\b",
            r"\b(?:was|were|got|being|too)\s+distracted\b",
            r"\binattenti(?:ve|veness|on)\b",
            r"\b(?:zoned|spaced)\s+out\b",
            r"\basleep\s+at\s+the\s+wheel\b",
            r"\b(?:wasn't|was\s+not|weren't|were\s+not)\s+(?:focused|concentrating|careful|"
            r"thinking)\b",
        ),
        "Say what else was pulling on attention at that moment.",
    ),
    Rule(
        10,
        "named-person",
        "A person as the subject of a failure",
        # Case-sensitive: a capitalised name (not a sentence opener, team or tool) or a
        # Slack mention, followed by a failure verb.
        # One capitalised word is as often a product or a page ("Checkout failed") as a
        # name, so after one word "failed" counts only before something people do
        # ("failed to follow the runbook"); a first and last name or a mention takes
        # every failure verb.
        _p(
            rf"\b(?!{_NOT_NAMES}\b)[A-Z][a-z]+\s+(?!{_NOT_NAMES}\b)[A-Z][a-z]+\s+"
            rf"{_FAILURE_VERB}",
            rf"\b(?!{_NOT_NAMES}\b)[A-Z][a-z]+\s+{_PERSON_FAILURE}",
            rf"{_MENTION}\s+{_FAILURE_VERB}",
            rf"{_HANDLE}\s+{_FAILURE_VERB}",
            flags=0,
        ),
        "Let the step, role or system carry the sentence instead of a person's name.",
    ),
    Rule(
        11,
        "who-question",
        "Who-question",
        # A question, not a relative clause: "the engineer who merged it" is fine.
        _p(
            r"\bwho(?:'s|\s+is|\s+was)\s+(?:to\s+blame|at\s+fault)\b",
            r"\bwhose\s+(?:fault|mistake)\b",
            rf"\bwho\s+{_WHO_VERB}\b(?=[^.!?\n]*\?)",
            r"\bwho(?:'s|\s+is|\s+was)\s+responsible\b(?=[^.!?\n]*\?)",
            r"\b(?:find\s+out|figure\s+out|know|ask(?:ed)?|wonder(?:ing)?|track\s+down)\s+"
            rf"who\s+(?:{_WHO_VERB}|(?:is|was)\s+responsible)\b",
            rf"(?:^|(?<=[.!?]\s))who\s+{_WHO_VERB}\b",
            flags=re.IGNORECASE | re.MULTILINE,
        ),
        "Ask how events unfolded rather than hunting for a person.",
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
            rf"(?i:\bwhy\s+(?:did|didn't|did\s+not)\s+)(?!{_NOT_NAMES}\b)[A-Z][a-z]+\b",
            r"(?i:\bwhat\s+(?:were|was)\s+(?:you|I|they|he|she|we)\s+thinking\b)",
            flags=0,
        ),
        "Ask what made that choice look reasonable in the moment.",
    ),
    Rule(
        13,
        "blame-shift",
        "Blame moved to others",
        _p(
            rf"\b{_OTHER_TEAM}\s+{_SHIFT_VERB}\b",
            r"\b(?:their|his|her|your|the\s+vendor's|ops'|QA's)\s+fault\b",
            r"\bnot\s+(?:my|our)\s+(?:fault|problem)\b",
            r"\bblame\s+(?:lies|rests|sits|falls)\s+(?:with|on)\b",
            r"\b(?:threw|throw|thrown)\s+(?:me|us|them|him|her)\s+under\s+the\s+bus\b",
            r"\bpass(?:ed|ing)?\s+the\s+buck\b",
        ),
        "Other teams get the same courtesy: describe the situation they were in, not their fault.",
    ),
    Rule(
        14,
        "punitive",
        "Punitive words",
        # "the alert fired twice" is not about a person; "get fired" / "he was fired" is.
        _p(
            r"\b(?:be|been|being|get|gets|got|getting|gotten)\s+(?:fired|sacked|canned|"
            r"let\s+go|punished|disciplined|reprimanded)\b(?!\s+(?:twice|again|off|every|on|"
            r"at|when|multiple|repeatedly|once|early|late)\b)",
            r"\b(?:I|he|she|they|we|you|someone|somebody)\s+(?:was|were|is|are|am|'m|'re)\s+"
            r"(?:fired|sacked|punished|disciplined|reprimanded)\b",
            r"\bfire\s+(?:him|her|them|me|you|someone|somebody|whoever|the\s+(?:engineer|"
            r"developer|person|intern))\b",
            r"\bpunish(?:ed|es|ing|ment|ments)?\b",
            r"\b(?:disciplinary|reprimand(?:s|ed)?|written\s+warning)\b",
            r"\bhard\s+lessons?\b",
            r"\bheads\s+(?:will|should|must|need\s+to)\s+roll\b",
            r"\bthere\s+(?:will|should|must|need\s+to)\s+be\s+consequences\b",
            r"\bmake\s+an\s+example\s+of\b",
            r"\b(?:performance\s+improvement\s+plan|on\s+a\s+PIP)\b",
        ),
        "Being accountable means telling the story and helping put things right; leave "
        "penalties out.",
    ),
    Rule(
        15,
        "over-generalising",
        "Over-generalising",
        # Habits ("I always run the tests first") are fine; only always/never + a slip.
        _p(
            rf"\b(?:I|we|you|he|she|they)\s+(?:always|constantly)\s+{_SLIP}\b",
            rf"\b(?:I|we|you|he|she|they)\s+(?:keep|always\s+end\s+up)\s+{_SLIPPING}\b",
            r"\b(?:I|we|you|he|she|they)\s+(?:never|can\s+never|can't\s+ever)\s+(?:get|do)\s+"
            r"(?:anything|it|this|things)\s+right\b",
            r"\b(?:I|we)(?:'m|'re|\s+am|\s+are)\s+(?:so\s+|just\s+|really\s+)?(?:terrible|"
            r"hopeless|awful|useless|rubbish|bad|the\s+worst)\s+at\b",
            r"\b(?:I|we)\s+(?:ruin|break|mess\s+up|screw\s+up)\s+everything\b",
            r"\b(?:every\s+single\s+time|this\s+always\s+happens)\b",
        ),
        "Talk about this occasion; a single slip says little about always or never.",
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
            r"\bonly\s+(?:affected|impacted|hit|bothered)\s+(?:a\s+few|a\s+handful|a\s+couple|"
            r"some|\d+)\b",
            r"\b(?:barely|hardly)\s+(?:anyone|anybody|any\s+(?:users|customers|one))\s+"
            r"(?:noticed|was\s+affected|cared)\b",
            r"\b(?:just|only)\s+(?:a\s+few|a\s+couple\s+of|\d+)\s+(?:minutes?|seconds?|mins?)\s+"
            r"of\s+(?:downtime|outage|disruption)\b",
        ),
        "Give the impact in plain terms: who was affected, how, and for how long.",
    ),
    Rule(
        17,
        "conditional-apology",
        "Conditional apology",
        _p(
            r"\b(?:sorry|apologi[sz]e|apologies)\s*,?\s+(?:if|but)\b",
            r"\bsorry\s+(?:that\s+)?(?:you|anyone|people|some\s+people)\s+(?:feel|felt|"
            r"were\s+upset|are\s+upset)\b",
            r"\b(?:sorry|apologi[sz]e|apologies)\s+for\s+any\s+(?:inconvenience|confusion|"
            r"trouble|issues|disruption)\b",
        ),
        "Say plainly what the impact was and on whom; drop the 'if' and the 'but'.",
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
    ),
    Rule(
        19,
        "ownerless-action",
        "Ownerless action",
        # Steps back when the sentence names an owner (@, owner:, I'll) or a date.
        _p(
            r"\b(?:improve|enhance|strengthen|tighten|increase|expand|boost|revisit|rework)\s+"
            rf"(?:our\s+|the\s+|team\s+|existing\s+|overall\s+)?{_ACTION_TOPIC}\b",
            rf"\b(?:better|more|additional|clearer|stronger|tighter|extra)\s+"
            rf"{_ACTION_TOPIC}\b",
        ),
        "Give it a named owner, a due date, and a way to tell when it is finished.",
        unless=_OWNER_OR_DATE,
    ),
    Rule(
        _PRIVATE_RULE,
        "private-detail",
        "Private detail",
        # Case-sensitive where a capital marks a name; keywords use inline (?i:...).
        _p(
            r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b",
            _MENTION,
            _HANDLE,
            r"(?<![\w+])\+\d{1,3}[ .-]?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){2,4}(?![\w-])",
            r"(?<![\w.+-])\(?0\d{2,4}\)?[ -]\d{3,4}[ -]?\d{3,4}(?![\w-]|\.\d)",
            r"(?<![\w.+-])\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}(?![\w-]|\.\d)",
            r"(?i:\b(?:customers?|clients?)\s+(?:named\s+|called\s+)?)"
            r"(?!(?:Success|Support|Service|Services|Experience|Care|Data)\b)[A-Z][a-z][\w&'-]*",
            rf"(?i:\b(?:{_HEALTH})\b)",
            flags=0,
        ),
        "Remove or anonymise this before the summary goes to a channel; refer to roles, "
        "not people, and leave out contact and health details.",
    ),
)


# --- matching --------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")


@dataclass(frozen=True)
class _Source:
    """The text being checked, with the indexes every rule needs, computed once."""

    text: str  # as written; phrases are cut from here
    folded: str  # same length, apostrophes folded; patterns run on this
    newlines: list[int]  # offsets of "\n", for line numbers
    sentence_ends: list[int]  # offsets just past each sentence or line end

    @classmethod
    def of(cls, text: str) -> _Source:
        folded = text.translate(_APOSTROPHES)
        return cls(
            text=text,
            folded=folded,
            newlines=[match.start() for match in re.finditer("\n", text)],
            sentence_ends=[match.end() for match in _SENTENCE_END.finditer(folded)],
        )

    def line(self, offset: int) -> int:
        """1-based line number of an offset."""
        return bisect_left(self.newlines, offset) + 1

    def sentence(self, start: int, end: int) -> str:
        """The sentence (or line) around a match, for rules that read context."""
        before = bisect_right(self.sentence_ends, start)
        left = self.sentence_ends[before - 1] if before else 0
        after = bisect_left(self.sentence_ends, end + 1)
        right = self.sentence_ends[after] if after < len(self.sentence_ends) else len(self.text)
        return self.folded[left:right]


def _spans(rule: Rule, source: _Source) -> Iterator[tuple[int, int]]:
    """Yield the non-empty match spans of one rule, honouring its ``unless`` context."""
    for pattern in rule.patterns:
        for match in pattern.finditer(source.folded):
            start, end = match.span()
            if start == end:
                continue
            if rule.unless and rule.unless.search(source.sentence(start, end)):
                continue
            yield start, end


def _without_overlaps(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep the earliest, then longest, of overlapping spans within one rule."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(set(spans), key=lambda span: (span[0], -span[1])):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


def _rule_flags(rule: Rule, source: _Source) -> list[Flag]:
    """Turn one rule's matches into flags carrying the original text and line number."""
    return [
        Flag(
            rule=rule.rule,
            number=rule.number,
            title=rule.title,
            phrase=source.text[start:end],
            start=start,
            end=end,
            reframe=rule.reframe,
            line=source.line(start),
        )
        for start, end in _without_overlaps(_spans(rule, source))
    ]


def _hidden_by(flag: Flag, other: Flag) -> bool:
    """True when ``other`` covers ``flag`` and should speak for that stretch of text."""
    if other.rule == flag.rule or flag.number == _PRIVATE_RULE:
        return False
    if not (other.start <= flag.start and flag.end <= other.end):
        return False
    longer = (other.end - other.start) > (flag.end - flag.start)
    return longer or other.number < flag.number or other.number == _PRIVATE_RULE


def _drop_hidden(flags: list[Flag]) -> list[Flag]:
    """Drop flags covered by another rule's flag; only nearby flags can cover one."""
    ordered = sorted(flags, key=lambda flag: (flag.start, flag.number, flag.end))
    starts = [flag.start for flag in ordered]
    longest = max((flag.end - flag.start for flag in ordered), default=0)
    kept = []
    for flag in ordered:
        low = bisect_left(starts, flag.start - longest)
        high = bisect_right(starts, flag.start)
        if not any(_hidden_by(flag, other) for other in ordered[low:high]):
            kept.append(flag)
    return kept


def check(text: str) -> list[Flag]:
    """Return the phrases in ``text`` that work against a blameless summary.

    Each flag carries the exact phrase, where it is (offsets and 1-based line) and a
    reframe idea, so the share preview can point at it and the author can decide. The
    list is sorted by position; no rule flags the same stretch of text twice.
    """
    if not text:
        return []
    source = _Source.of(text)
    return _drop_hidden([flag for rule in RULES for flag in _rule_flags(rule, source)])
