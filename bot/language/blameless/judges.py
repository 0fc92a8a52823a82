"""Which matches are blame: one judge per rule, reading the clause around the match.

A judge gets the context, the match's span and the index of the pattern that matched,
and returns the flag's severity or ``None`` to drop it. What every rule shares (nothing
inside quoted speech or a chat log but private detail) is applied by the engine before a
judge is asked; what is particular to a rule is here, next to why:

* a counterfactual or a wish is blame when a person is its subject; about a system
  ("the alert should have fired") or in the passive it is a fact about the system;
* a judgement, a fault or an insult that is negated ("not your fault"), supposed ("if it
  happens to be your fault") or reported ("he said it was my fault") is not the writer's;
* a root cause is how postmortems are written: only a person named as the root cause
  ("the root cause was the intern") warns, and only a claim that one cause was all there
  was ("the sole cause") is a note; a heading or a search ("find the root cause") is not;
* "human error" that a system should handle, or that is "a symptom" or "never a root
  cause", is the blameless reframe itself;
* a wish about a system ("a canary would have caught it") is a plain statement about the
  system, and the consequent of a supposition ("if the alert had fired, we would have
  seen it") is not a second wish;
* an action needs an owner only where the text presents it as an action item.
"""

from __future__ import annotations

import re

from bot.language.blameless.context import (
    FIRST_PERSON,
    PERSON_NOUNS,
    PERSON_PRONOUNS,
    Context,
    Subject,
    deliberate_removal,
    is_name,
    words,
)
from bot.language.blameless.context import (
    words_set as _set,
)
from bot.language.blameless.markdown import LineKind
from bot.language.blameless.model import Severity

WARNING, NOTE = Severity.WARNING, Severity.NOTE

_PASSIVE = re.compile(
    r"\s+been\s+(?!(?:more|less|so|very|a|an|the|much|far|extra|too|really|)\s*(?:careful|"
    r"vigilant|aware|thorough|cautious|alert|clearer|obvious|better|patient)\b)"
    r"(?:[a-z]+ed|known|seen|done|caught|run|written|taken|made|told|kept|left|set|put|"
    r"built|sent|found|given|shown|hit|chosen|held|paid|spent|split|shut|laid|bound)\b"
)
# A supposition about the past earlier in the sentence: "if the alert had fired", "had we".
_POSSIBLE_HARM = re.compile(
    r"\s+(?:(?:also|potentially|possibly|even|easily)\s+)?(?:been\s+)?(?:accessed|exposed|"
    r"captured|stolen|exploited|leaked|read|used|obtained|exfiltrated|compromised|affected|"
    r"impacted|caused|resulted|led|hit|reached|harmed|abused|hijacked|misused|concluded|"
    r"assumed|believed)\b",
    re.IGNORECASE,
)
# What "would have" or "could have" says of a wish or of an outcome, not of a choice.
_NOT_A_CHOICE = re.compile(
    r"\s+(?:(?:ever|probably|likely|still)\s+)?(?:have\s+)?(?:wanted|liked|loved|preferred|"
    r"wished|hoped|died|survived|happened|occurred|had\s+(?!to\b)|(?:seen|experienced|noticed|"
    r"felt)\s+(?:no|little|nothing)\b)",
    re.IGNORECASE,
)
_ANYONE_COULD = re.compile(
    r"\b(?:anyone|anybody|everyone|everybody)\s+could(?:\s+have|'ve)\s+(?:done|fixed|solved|"
    r"made)\s+(?:it|this|that)\b",
    re.IGNORECASE,
)
_SUPPOSED_PAST = re.compile(
    r"\bif\b[^.!?]{0,200}\b(?:had|'d|were)\b|\bhad\s+(?:I|we|you|he|she|they|it|the)\b",
    re.IGNORECASE,
)
_ELLIPTIC_QUESTION = re.compile(r"\s*\?")
_BEEN_A = re.compile(r"\s+been\s+(?:a|an|the|just|simply)\b", re.IGNORECASE)
_ESTIMATE = re.compile(r"\b(?:later|sooner|earlier|faster|slower|worse|longer|shorter|instead)\b")
_EVENT_PASSIVE = re.compile(
    r"\s+been\s+(?:\w+ly\s+)?(?:avoided|prevented|averted|caught|detected|spotted|noticed|"
    r"identified|mitigated|reduced|limited|minimi[sz]ed|shortened|contained|resolved|fixed)\b",
    re.IGNORECASE,
)
_SYSTEM_ACT = re.compile(
    r"\s+(?:caught|detected|flagged|surfaced|revealed|exposed|shown|prevented|avoided|"
    r"mitigated|reduced|blocked|stopped|saved|addressed|fixed|helped|allowed)\b",
    re.IGNORECASE,
)
_WORSE_IT = re.compile(r"\b(?:worse|better)\s+(?:it|this|that|things)\s*$", re.IGNORECASE)
_REFRAME = re.compile(
    r"\b(?:not\s+(?:an?\s+)?individual|collective\s+(?:failure|responsibility)|rather\s+than\s+"
    r"(?:blam\w*|the\s+individual|individuals|(?:a\s+)?person|people)|never\s+(?:a|the)\s+root\s+"
    r"cause|blameless|blame-?free|without\s+blame|not\s+(?:about\s+)?blam\w*|no\s+one\s+(?:is|was)\s+"
    r"to\s+blame|systems?\s+(?:failure|problem|issue)|(?:a|the)\s+symptom|(?:a|the)\s+starting\s+"
    r"point|not\s+(?:the|an?)\s+(?:explanation|root\s+cause|cause))\b",
    re.IGNORECASE,
)
_EMPHASIS = re.compile(r"[*_]+")
_INEVITABLE = re.compile(
    r"\s+(?:is|are|will\s+(?:always\s+)?(?:be|happen)|happens?)\s*(?:(?:inevitable|normal|expected|"
    r"a\s+given|unavoidable|bound\s+to\s+happen|going\s+to\s+happen)\b|[.;,])",
    re.IGNORECASE,
)
# "human error can ...", "user error and manual mis-configurations can affect ...".
_GENERAL_CLAIM = re.compile(
    r"(?:\s+(?:and|or)\s+[\w-]+(?:\s+[\w-]+){0,2}?)?\s+(?:can|could|may|might|often|sometimes|"
    r"always)\b",
    re.IGNORECASE,
)
_HANDLED = _set(
    "handle handles handling tolerate tolerates resilient robust against prevent prevents "
    "reduce reduces minimise minimize catch catches absorb withstand protect guard "
    "compensate forgive forgiving forgives expect expects for of to"
)
_INVESTIGATE = _set(
    "find finding found identify identified identifying determine determined understand "
    "investigate investigating investigated address addressing addressed fix fixing get "
    "dig discover discovered analyse analyze analysing analyzing establish pinpoint trace "
    "traced know knew unknown uncover isolate locate search searching hunt seek confirm "
    "confirmed than rather mitigate what whatever which knows know"
)
_FOUND_AFTER = re.compile(
    r"\s*(?:\*\*|\*|_)?\s*(?::|(?:was|were|is|has|had|been)?\s*(?:not\s+|yet\s+|still\s+|"
    r"then\s+|finally\s+|conclusively\s+)*(?:identified|found|clear|unclear|unknown|"
    r"determined|confirmed|discovered|isolated|fixed|addressed)\b|\s+analys[ie]s)",
    re.IGNORECASE,
)
_ROLE_ADDRESS = re.compile(
    r"(?:help|security|support|info|contact|abuse|postmaster|noreply|no-reply|webmaster|"
    r"hostmaster|admin|press|legal|privacy|sales|billing|team|hello|feedback|incidents?|"
    r"status|infra(?:structure)?|root|ops|sre|oncall|on-call|dev|devs|maintainers|core|"
    r"git|bot|notifications|careers|jobs|sponsors?|donations?|donate|partners?|partnerships?|"
    r"community|events?|conduct|coc|board|media|marketing|hr|recruiting|office|accounts?|"
    r"finance|payments?|orders?|staff|editors?|news|newsletter|dmca|copyright|trademarks?|"
    r"licensing|compliance|dpo|gdpr|ethics|reports?|phishing|spam|webmaster|psf|foundation|"
    r"hello|hi|contact|enquiries|inquiries|questions|service|services|admin|administrator)@",
    re.IGNORECASE,
)
_CLEARLY_HINDSIGHT = re.compile(
    r"\s*(?:,|$|should|shouldn't|ought|was|were|wasn't|weren't|didn't|did|had|hadn't|is|are|"
    r"a\b|an\b|the\b|his\b|her\b|their\b|my\b|our\b|wrong|obvious|broken|at\s+fault|to\s+"
    r"blame|not\b|never\b|knew|know|saw|see|there\b|visible|missed|ignored|forgot)",
    re.IGNORECASE,
)
_CLEARLY_TELL = re.compile(
    r"\s+(?:see|tell|show|distinguish)\s+(?:whether|if|which|what|how|when)\b", re.IGNORECASE
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
# What joins a cause to its complement: "was", "is", ":", "=", a dash.
_LINK = re.compile(
    r"[\s*_]*(?:(?:was|is|were|are|seems\s+to\s+(?:be|have\s+been)|appears\s+to\s+"
    r"(?:be|have\s+been))\b|:|=|-|\u2014|\u2013)[\s*_]*(?:(?:that|simply|just|clearly|"
    r"obviously|basically)\s+)*",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[,;:()\u2014\u2013]|\s(?:and|but|which|who|because|so|while)\s")
_AGENT = re.compile(r"\bby\s+", re.IGNORECASE)
# "Dana was the root cause": the copula just before the match.
_COPULA_BEFORE = re.compile(
    r"(?:\b(?:was|is|were|are|am)|'m|\u2019m)\s+(?:(?:the|a|an|our)\s+)?(?:(?:real|main|actual|"
    r"true|only|sole|single|underlying)\s+)?$",
    re.IGNORECASE,
)
_CULPRIT_PRONOUNS = _set(
    "i me he him she her they them you someone somebody myself himself herself"
)
_POSSESSIVES = _set("my his her their your")
_CAUSE_DETERMINERS = _set("the a an our their one that this some")
_ROLES = _set(
    "engineer developer dev admin administrator reviewer intern contractor "
    "employee guy person colleague coworker co-worker manager boss cto ceo lead maintainer "
    "programmer sysadmin dba sre on-call oncall responder newbie junior hire tester analyst "
    "consultant founder"
)
_ROLE_FOLLOWERS = _set("who not had has was did didn't forgot ran made broke")
_ACTS = _set(
    "mistake mistakes error errors fault typo typos oversight carelessness change changes "
    "commit commits push deploy deployment script command decision call laziness negligence"
)
_PERSON_ONLY_VERBS = _set(
    "forgot typed mistyped misread misjudged ignored skipped decided chose assumed neglected "
    "messed screwed fat-fingered clicked approved accidentally mistakenly didn't"
)
_RARELY = _set("rarely seldom hardly")
_ABOUT_INCIDENT = re.compile(
    r"\s+(?:for|of|behind)\s+(?:the|this|that|our|an?)\s+(?:outage|incident|failure|problem|"
    r"issue|downtime|bug|breakage|mistake|crash|data\s+loss)\b",
    re.IGNORECASE,
)
# "Action: improve monitoring", "- [ ] TODO: better alerting", "Next steps - more tests".
_ACTION_LABEL = re.compile(
    r"\b(?:action(?:\s+items?)?|AI|follow[- ]?ups?|to-?dos?|to\s+do|next\s+steps?|next)[*_]*"
    r"\s*(?::|-|\u2013|\u2014)[\s*_]*$",
    re.IGNORECASE,
)
# What may stand before a vague action that is the whole sentence: a list marker, "we need".
_BARE_ACTION_LEAD = re.compile(
    r"[\s>*_\-+\u2022\d.)\[\]x]*(?:(?:we|you|they|the\s+team)\s+(?:really\s+)?(?:need|must|should|"
    r"have\s+to|ought\s+to)(?:\s+to)?\s+|let's\s+|need\s+)?",
    re.IGNORECASE,
)
_PUBLIC_ACCOUNT = re.compile(
    r"\s+on\s+(?:twitter|x|mastodon|bluesky|threads|github|gitlab|instagram|linkedin|"
    r"the\s+fediverse|discord|gitter|irc|matrix|discourse|zulip|reddit|hacker\s+news)\b",
    re.IGNORECASE,
)
# The labels of a document's credits: "**Author**:", "Reviewers -", "Created by:".
_CREDITS = (
    r"(?:authors?|author\(s\)|reporters?|reviewers?|editors?|approvers?|contributors?|"
    r"incident\s+(?:commanders?|leads?)|(?:written|reviewed|created|prepared)\s+by)"
)
# The start of a credit line, whatever follows: "Created by: Ada <ada@…>".
_CREDIT_LABEL = re.compile(
    rf"[\s>*_#\-+\u2022]*{_CREDITS}[*_\s]*(?::|-|\u2013|\u2014)", re.IGNORECASE
)
# A handle among the credits: "**Author**: @ada", "Reviewers: @bo, @cy and @dee".
_CREDIT_LEAD = re.compile(
    rf"{_CREDIT_LABEL.pattern}[*_\s]*(?:@[\w.-]+[*_\s]*(?:,|&|and)?[*_\s]*)*", re.IGNORECASE
)
# A credits heading just above a line: "## Authors" then the authors' addresses.
_CREDIT_HEADING = re.compile(
    rf"(?:^|\n)[ \t]{{0,3}}#{{1,6}}[ \t]+{_CREDITS}[ \t#]*\n(?:[ \t]*\n){{0,2}}"
    r"(?:[ \t]*[-*+][^\n]{0,120}\n){0,6}$",
    re.IGNORECASE,
)
# A mailing list or a project's role address, by its name or its host.
_LIST_ADDRESS = re.compile(
    r"^(?:[\w.+-]*-(?:announce|dev|devel|users|discuss|security|core|team|maintainers|"
    r"admins?|ops|infra|private|public|help|list|steering)|bounty|tsc|steering|council|"
    r"committee|announce|lists?|vulnerabilit(?:y|ies)|cve|psirt|disclosures?)@|"
    r"@(?:googlegroups\.com$|lists\.|discuss\.)",
    re.IGNORECASE,
)
# A handle credited for noticing or reporting: "reported on Gitter by @ada".
_CREDITED_BY = re.compile(
    r"\b(?:reported|raised|noticed|spotted|flagged|found|filed|opened|posted|written|"
    r"authored|submitted|suggested|proposed|investigated|fixed)\b[\w\s]{0,30}\bby\s+$",
    re.IGNORECASE,
)
# A handle that names a group or a bot, not a person: "an @emergency role on Discord".
_GROUP_HANDLE = re.compile(r"\s+(?:role|group|team|alias|bot|channel)\b", re.IGNORECASE)
# A timeline entry that starts mid-line after a line break written as HTML: "…<br> 04:27 -
# @ada sees the page" (each entry of such a timeline is a record, like a timeline line).
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ENTRY_STAMP = re.compile(r"[\s*_]*\d{1,2}:\d{2}(?::\d{2})?\b")
_FOLLOW = re.compile(r"\bfollow(?:s|ing)?\W{1,3}$", re.IGNORECASE)  # read right before a handle
# A relative clause just before the failure verb: "the engineer who (had) broke(n)".
_RELATIVE = re.compile(
    r"\bwho\s+(?:(?:had|has|have|just|then|accidentally|actually)\s+)?\S+(?:\s+up)?$"
)
_HONORIFICS = (["mr"], ["mrs"], ["ms"], ["miss"], ["dr"], ["mx"])
_ADDRESS_LEAD = re.compile(r"[\s>*\-+\u2022]*")
# An action label's match is spaces, marks and separators plus at most 11 letters
# ("action items"); a stretch before a match with more than 11 other characters cannot
# lie wholly inside a label, so a label ending at the match starts within the stretch.
_LABEL_REACH = 120
_NOT_LABEL_FILLER = re.compile(r"[^\s*_:\-\u2013\u2014]")
# Bound once: an enum member read through its class costs a metaclass lookup each time.
_HEADING = LineKind.HEADING
_TABLE = LineKind.TABLE
_RECORDS = LineKind.TIMELINE | LineKind.TABLE | LineKind.CHAT | LineKind.OWNER
_NOT_ADDRESSED = _RECORDS | LineKind.QUOTE | LineKind.HEADING
_HYPOTHESIS = _set("assumed assuming suspected suspecting ruled rule")
_PROMISE = _set("will 'll must to should going promise promised")
_OBVIOUS_STATE = _set("was were is are been be being very so not nothing")
_PASSIVE_AUX = _set("was were been being is are be")
_PARTICIPLE_VERDICTS = frozenset({13, 14, 15})  # normative: misjudged, misused, botched
# A verb in the past (or a modal looking back) somewhere in the sentence.
_PAST = re.compile(
    r"\b(?:was|were|had|did|didn't|wasn't|weren't|hadn't|would|should|could|saw|knew|went|"
    r"broke|took|made|ran|got|showed|shown|fell|grew|came|left|told|said|thought|caught|found|"
    r"[a-z]{2,30}ed)\b",
    re.IGNORECASE,
)
# What may stand before the first word of a sentence: spaces, list and quote markers.
_SENTENCE_LEAD = re.compile(r"[\s*_>\-\u2022#\d.)(\[\]]*")
# Mid-sentence, "obviously" is hindsight before what could be seen or foreseen: "the graph
# obviously showed it", "it was obviously going to fail".
_SIGN_AFTER = re.compile(
    r"\s+(?:showed|shows|show|pointed|indicated|signalled|signaled|meant|was\s+going|were\s+going|"
    r"should|shouldn't|would|wouldn't|could|knew|know|saw|wrong|broken|failing|visible|there)\b",
    re.IGNORECASE,
)
_GERUND = re.compile(r"\s+[a-z]{2,30}ing\b")
# hindsight-certainty's patterns of a bare word of certainty: "obviously", "is obvious",
# "clearly"; the rest ("should have known", "anyone would have seen") look back themselves.
_CERTAIN_WORDS = frozenset({0, 1, 2})
# Where the clause after a word of certainty ends: a mark, or a clause of its own.
_CLAUSE_AHEAD = re.compile(
    r"[,;:()\u2014\u2013]|\s-\s|\s(?:that|which|because|since|while|when)\s", re.IGNORECASE
)
_LINKS = _set("and but so yet or then")
_ENSURE = _set("sure ensure let so")
# An opening "Obviously," set off by a comma, unless what follows judges someone's step.
_ASIDE = re.compile(
    r",(?![^.!?;\n]{0,80}\b(?:should|shouldn't|ought|could've|should've|would've|have\s+known|"
    r"have\s+seen|have\s+noticed)\b)",
    re.IGNORECASE,
)


def _drop_in_heading(ctx: Context, start: int) -> bool:
    return bool(ctx.kind(start) & _HEADING)


# "have" with nothing after it in its clause, its object before it: "the skills people
# ought to have." ("We should have." alone answers a question, and stays.)
_POSSESSED = re.compile(r"\s*[,.;:!?)]")
_OBJECT_BEFORE = re.compile(r"\b(?:what|which|whatever)\b[^,.;:!?]*$", re.IGNORECASE)


def counterfactual(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """'should have': blame when a person did (or did not do) it; not a passive, and not
    someone else's words reported ("she said I should have known")."""
    if _PASSIVE.match(ctx.scan, end) or _ELLIPTIC_QUESTION.match(ctx.scan, end):
        return None
    if _POSSESSED.match(ctx.scan, end) and _OBJECT_BEFORE.search(ctx.clause_before(start)):
        return None  # "what skills people ought to have, ...": "have" is to possess
    if ctx.reported(start) or ctx.asks(start, end):
        return None  # "you're wondering if you should have spoken up": a question asked
    subject = ctx.subject(start)
    if subject is not Subject.PERSON and _BEEN_A.match(ctx.scan, end):
        return None  # "(it) should have been a routine deploy": an expectation of a thing
    return None if subject is Subject.THING else WARNING


# A better way told after "could have", within its clause: "made it more interesting",
# "gone more quickly", "explained it better"; a state ("been more careful", like "been
# calmer") is a verdict on oneself, not a way.
_DONE_BETTER = re.compile(
    r"(?!\s+been\b)[^.!?;:\n]{0,60}?\b(?:more|better|less|fewer)\b", re.IGNORECASE
)


def hindsight_wish(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Wishes about the past: a person's are blame; a system's, or the writing team's own
    ("if we had deployed it sooner"), are how a team reasons about causes."""
    if index == 4 and ctx.previous_words(start, 1) in (["what"], ["things"]):
        return None  # "what I wish someone had told me": advice, not a wish about the past
    if index == 0 and _POSSIBLE_HARM.match(ctx.scan, end):
        return None  # "an attacker could have read the cache": what was possible, not a wish
    if index == 0 and _NOT_A_CHOICE.match(ctx.scan, end):
        return None  # "the last person I would have wanted", "he would have died anyway"
    if index == 0 and _ANYONE_COULD.search(ctx.scan, max(0, start - 12), end + 24):
        return None  # "anyone could've done this": how easy it was, not a wish
    if index == 0:  # could / would have
        subject = ctx.subject(start)
        word = ctx.scan[start:end].lower()
        if subject is Subject.THING:
            return None  # "a canary would have caught it": a statement about a system
        if _SUPPOSED_PAST.search(ctx.before_in_sentence(start)):
            return None  # the consequent of "if the alert had fired, we would have ..."
        if _ESTIMATE.search(ctx.after(end, 40)):
            return None  # "we could have noticed it later": an estimate, not a wish
        if _WORSE_IT.search(ctx.before_in_sentence(start)[-40:]):
            return None  # "how much worse it could have been": impact weighed, not a wish
        if _EVENT_PASSIVE.match(ctx.scan, end):
            return None  # "(this) could have been avoided": about the event, no one's wish
        if subject is Subject.NONE and _SYSTEM_ACT.match(ctx.scan, end):
            return None  # "..., but also would have caught this bug": the subject left out
            # is the measure being weighed (a person's act is "could have checked")
        previous = set(ctx.previous_words(start, 2))
        if "so" in ctx.previous_words(start, 3)[:2]:
            return None  # "... so they could have tested it too": what a change would allow
        if "i" in previous and word.startswith("could") and _DONE_BETTER.match(ctx.scan, end):
            return None  # "I could have made it more interesting": the writer's own lesson
            # of what to do better next time, which the reflection asks for; not a verdict
        if "we" in previous:
            return None  # "we would have caught it sooner", "we could have detected it
            # before release": the writing team reasoning about itself (docstring)
        clause = ctx.previous_words(start, 6)
        if "our" in clause and "team" in clause:
            return None  # "Ideally any one of our team could have upgraded the account":
            # the writing team again, reasoning about its set-up
        if word.startswith("would") and "they" in previous:
            return NOTE
        return WARNING
    if index == 1:  # if only
        following = words(ctx.after(end, 30))
        if not following:
            return WARNING
        first = following[0]
        if first.lower() in PERSON_PRONOUNS or is_name(first, None):
            return WARNING
        return None
    if index == 2 and re.fullmatch(r"had\s+we\s+\w+", ctx.scan[start:end], re.IGNORECASE):
        return None  # "had we run a load test": the writing team reasoning about itself
        # ("had we just checked", like "if we had only ...", still wishes)
    if index == 3:  # if we had done
        phrase = ctx.scan[start:end].lower()
        if re.search(r"\b(?:only|just|simply)\b", phrase):
            return WARNING
        if re.search(r"\b(?:we|i)\b", phrase):
            return None  # "if we had deployed it sooner", "if I had known": the team or the
            # writer reasoning about their own step ("if only I had ..." still wishes)
        return NOTE if re.search(r"\bthey\b", phrase) else WARNING
    return WARNING


_ELIDED_FORGOT = 6  # "..., but forgot": the subject is the sentence's first


_FAILED_TO = 2  # omission's "<someone> failed to"
_SERVICE_FAILED = re.compile(
    r"we\s+(?:had\s+|have\s+)?failed\s+to\s+(?:process|serve|deliver|respond|handle|return|"
    r"load|accept|send|store|route|resolve|complete)\b",
    re.IGNORECASE,
)
_NOTHING_AFTER = re.compile(r"\s+(?:nothing|none|no\s+one|nobody)\b", re.IGNORECASE)


_FORGOT = (0, 4, 5)  # omission's "forgot to", "failed to" and "forgets to"


def omission(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """'forgot to', 'failed to': about a person; not advice ("don't forget to")."""
    if index == _ELIDED_FORGOT:
        opening = words(ctx.before_in_sentence(start))[:1]
        person = bool(opening) and (
            opening[0].lower() in PERSON_PRONOUNS or is_name(opening[0], None)
        )
        return WARNING if person and not ctx.reported(start) else None
    before = ctx.previous_words(start, 2)
    if before and before[-1] in ("don't", "not", "never", "remember") and index in _FORGOT:
        return None
    if ctx.reported(start):
        return None  # "the implication being she forgot to ...": someone else's account
    if ctx.asks(start, end):
        return None  # "Did we forget to renew it?": a question asked, not a slip told
    if _NOTHING_AFTER.match(ctx.scan, end):
        return None  # "we forgot nothing": the slip denied
    if index == _FAILED_TO and _SERVICE_FAILED.match(ctx.scan, start, end + 40):
        return None  # "we failed to process 74% of requests": the team speaking as the service
    return None if ctx.subject(start) is Subject.THING and index in _FORGOT else WARNING


def human_error(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Human error as the cause; not the reframe ("systems robust to human error")."""
    if _REFRAME.search(_EMPHASIS.sub("", ctx.sentence(start, end))):
        return None
    before = ctx.previous_words(start, 3)
    if (before and before[-1] in _HANDLED) or ctx.negated(start, 3):
        return None  # handled, or denied: "This wasn't user error. It was a legit bug."
    if set(ctx.previous_words(start, 4)) & _HYPOTHESIS:
        return None  # "assumed user error at the time": a hypothesis being ruled out
    if _INEVITABLE.match(ctx.scan, end) or _GENERAL_CLAIM.match(ctx.scan, end):
        return None  # "human error is inevitable", "human error can wreak havoc": general
    return WARNING


def root_cause(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """A person as the root cause warns; a claim of one cause only is a note; else nothing.

    Patterns 0-2 ("root cause", "root of the problem", "the real cause") are how
    postmortems name a technical cause, so they flag only when the cause they name is a
    person. Patterns 3-4 ("the only cause", "caused solely by") claim a single cause.
    """
    if _drop_in_heading(ctx, start):
        return None
    person = _person_as_cause(ctx, start, end)
    if index <= 2:
        task = any(word in _INVESTIGATE for word in ctx.previous_words(start, 4))
        if task and not (person and _COPULA_BEFORE.search(ctx.clause_before(start))):
            return None  # "find the root cause": a task; "I know I was the root cause" is not
        return WARNING if person else None
    if ctx.negated(start) or set(ctx.previous_words(start, 3)) & _RARELY:
        return None  # "there is never a single root cause": the reframe itself
    reason = index == 3 and ctx.scan[start:end].lower().endswith("reason")
    if reason and not (person or _ABOUT_INCIDENT.match(ctx.scan, end)):
        return None  # "the only reason we noticed": not about the incident's cause
    return WARNING if person else NOTE


def _person_as_cause(ctx: Context, start: int, end: int) -> bool:
    """True when the cause named around a match is a person or a role, not a thing.

    Reads the complement ("the root cause was the intern", "root cause: I ran ...") or
    the subject ("the intern was the root cause"), and an agent anywhere in the
    complement ("a change made by the on-call engineer"). "We" is the team, not a
    culprit.
    """
    link = _LINK.match(ctx.scan, end)
    if link:
        clause = _CLAUSE_END.split(ctx.after(link.end(), 80), maxsplit=1)[0]
        if _names_person(words(clause)):
            return True
        agent = _AGENT.search(clause)
        if agent and _names_person(words(clause[agent.end() :])):
            return True
    before = ctx.clause_before(start)
    copula = _COPULA_BEFORE.search(before)
    if copula:
        tokens = words(before[: copula.start()])
        last = tokens[-1].lower() if tokens else ""
        return last in _CULPRIT_PRONOUNS or _strip_s(last) in _ROLES
    return False


def _strip_s(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word


def _names_person(tokens: list[str]) -> bool:
    """True when the words where a cause begins name a person or a role.

    A pronoun ("I ran the script"), a possessive before an act ("his change"), a role as
    the head of its phrase ("the on-call engineer restarted ...", but not "the developer
    tooling"), or a name doing what only people do ("Dana forgot", "Dana's typo").
    Product names are capitalised too, so a bare name needs such a verb or act.
    """
    if not tokens:
        return False
    lower = [word.lower() for word in tokens[:5]]
    first = lower[0]
    if first in _CULPRIT_PRONOUNS:
        return True
    if first in _POSSESSIVES:
        return len(lower) > 1 and (lower[1] in _ACTS or _strip_s(lower[1]) in _ROLES)
    if first in _CAUSE_DETERMINERS:
        for index in range(1, min(len(lower), 4)):
            if _strip_s(lower[index]) in _ROLES:
                return _ends_role(lower, index)
        return False
    if first.endswith("'s"):
        return is_name(tokens[0][:-2], None) and len(lower) > 1 and lower[1] in _ACTS
    if is_name(tokens[0], None) and len(lower) > 1:
        return lower[1] in _PERSON_ONLY_VERBS or lower[1:3] == ["did", "not"]
    return False


def _names_agent(tokens: list[str]) -> bool:
    """True when the agent of a passive ("botched by Sam") is a person or a role."""
    if not tokens:
        return False
    return (
        _names_person(tokens) or is_name(tokens[0], None) or tokens[0].lower() in _CULPRIT_PRONOUNS
    )


def _ends_role(lower: list[str], index: int) -> bool:
    """True when the role word at ``index`` heads its phrase: nothing or a verb follows."""
    while index + 1 < len(lower) and _strip_s(lower[index + 1]) in _ROLES:
        index += 1  # "the on-call engineer"
    if lower[index].endswith("'s"):
        return index + 1 < len(lower) and lower[index + 1] in _ACTS
    if index + 1 >= len(lower):
        return True
    following = lower[index + 1]
    return following.endswith("ed") or following in _PERSON_ONLY_VERBS | _ROLE_FOLLOWERS


def person_judgement(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Judgements and labels: the writer's own, not negated, supposed or reported, and
    not asked of themself ("Did I screw up?")."""
    if ctx.negated(start, 4) or ctx.reported(start) or ctx.supposed(start):
        return None
    if ctx.asks_of_self(start, end):
        return None
    if ctx.scan[start:end].lower() == "fools" and ctx.previous_words(start, 1) == ["april"]:
        return None
    if ctx.scan[start].isupper() and ctx.previous_words(start, 1) in _HONORIFICS:
        return None  # "Mr Careless": a name
    if _LAZY_TECHNIQUE.match(ctx.scan, start):
        return None  # "lazy loading", "lazy DB lookups": a technique, not a trait
    if _drop_in_heading(ctx, start) and ctx.subject(start) is Subject.THING:
        return None
    if _feared_look(ctx, start):
        return None  # "I don't want to come off as unprofessional": a worry, not a verdict
    return WARNING


# How a person may come across ("come off as", "seem", "look like"), and the words that
# make it a worry rather than a verdict ("I don't want to", "I'm afraid I'll").
_COMING_ACROSS = re.compile(
    r"\b(?:come|comes|came|coming)\s+(?:off|across)\s+as\b|\b(?:seem|seeming|look|looking|"
    r"appear|appearing|sound|sounding)(?:\s+like)?\b",
    re.IGNORECASE,
)
_NOT_WANTING = re.compile(
    r"\b(?:don't|do\s+not|didn't|did\s+not|never)\s+want(?:ed)?\s+to\b", re.IGNORECASE
)


def _feared_look(ctx: Context, start: int) -> bool:
    """True when a verdict is how the writer fears they come across: the verdict follows
    "come off as", "seem" or "look like" in its clause, after a fear or "I don't want
    to"."""
    clause = ctx.clause_before(start)[-80:]
    looks = list(_COMING_ACROSS.finditer(clause))
    if not looks or len(words(clause[looks[-1].end() :])) > 3:
        return False
    before = clause[: looks[-1].start()]
    return bool(_NOT_WANTING.search(before)) or bool(set(words(before.lower())) & _FEARS)


# "no data was shared inappropriately", "nobody acted recklessly": the clause's subject
# denies the verdict that follows its verb ("No, ..." answers a question instead, and "no
# review, and Ana acted ..." denies something else).
_DENYING_SUBJECT = re.compile(
    r"\b(?:no|nothing|nobody|none)\b(?!\s*,)(?:\s+(?!and\b|but\b|or\b)[\w'-]+){0,3}\s+"
    r"(?:was|were|is|are|been|got|acted|behaved|did)(?:\s+[\w'-]+)?\s*$",
    re.IGNORECASE,
)


_CONTENT_AFTER = re.compile(
    r"\s+(?:content|material|materials|images?|videos?|language|messages?|posts?|ads?|links?|"
    r"files?|pictures?|photos?|jokes?|comments?)\b",
    re.IGNORECASE,
)
# "... when a reboot of one machine ...": the noun phrase a when-clause opens with.
_WHEN_A = re.compile(r"\s+(?:when|if)\s+(?:a|an|the|one|any)\s+([\w-]+)(?:\s+([\w-]+))?")


def _when_a_thing(ctx: Context, end: int) -> bool:
    """True when a when-clause follows, opening with a thing, not a person or a role
    ("when a reboot ..."; "when a developer skips ..." judges the developer)."""
    found = _WHEN_A.match(ctx.scan, end)
    if found is None:
        return False
    return not any(
        word and (word.lower() in PERSON_NOUNS or is_name(word, None)) for word in found.groups()
    )


def _denied(ctx: Context, start: int) -> bool:
    """True when the clause before ``start`` is a denying subject and its verb ("nothing
    was deleted", "nobody acted")."""
    return _DENYING_SUBJECT.search(ctx.clause_before(start)) is not None


def why_question(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """'Why did you ...?' judges a person; "why haven't we seen this before?" is the team
    asking itself, as a five-whys does, and so is a writer's "Why didn't I know sooner?"
    standing alone on its line, the prompt the next lines answer (alone in the text, "Why
    did I skip the dry run?" still judges)."""
    if index == _UNINVERTED_WHY and not _asks_of_person(ctx, start, end):
        return None  # "why the job didn't retry": a thing, or the team asking itself
    if index == _UNINVERTED_WHY:
        return person_judgement(ctx, start, end, index)
    asker = words(ctx.scan[start:end])[-1:]
    if index == 0 and asker == ["we"]:
        return None
    if index == 0 and asker == ["you"] and _SELF_BLAME_ASKED.match(ctx.scan, end):
        return None  # "Why do you blame yourself?": the self-blame questioned, in kindness
    if index == 0 and asker == ["I"] and _answered_prompt(ctx, start):
        return None
    if (
        index == 0
        and _PURPOSE_ASKED.match(ctx.scan, end)
        and "would" in words(ctx.scan[start:end].lower())
    ):
        return None  # "Why would you want to use these tools?": what a thing is for
    return person_judgement(ctx, start, end, index)


# What a "why would you ...?" asks when it asks what something is for, not why a person
# did it: "want to use these tools", "need a queue here".
_PURPOSE_ASKED = re.compile(r"\s+(?:ever\s+)?(?:want|need)\s+(?:to|a|an)\b", re.IGNORECASE)


# What a kind "why do you ...?" questions: the person's blame of themself.
_SELF_BLAME_ASKED = re.compile(
    r"\s+(?:still\s+|even\s+|always\s+)?(?:blame\s+yourself|beat\s+yourself\s+up|be\s+so\s+"
    r"hard\s+on\s+yourself|feel\s+(?:so\s+)?(?:bad|guilty|terrible|awful)|think\s+(?:it's|it\s+"
    r"is|it\s+was|this\s+is)\s+(?:all\s+)?your\s+fault)\b",
    re.IGNORECASE,
)
# Rule 12's question told without inversion ("why this woman couldn't have called").
_UNINVERTED_WHY = 7
_WHY_VERBS = _set(
    "couldn't could wouldn't would can't cannot won't didn't did doesn't does hadn't want wants "
    "insist insists not to on"
)
_ASKED_OF = _set("he she you they someone somebody woman women man men lady girl boy kid kids")


def _asks_of_person(ctx: Context, start: int, end: int) -> bool:
    """True when the word before the verb of an uninverted why-question names a person
    other than the writer or the team: "why this woman couldn't ...", not "why we didn't"."""
    tokens = words(ctx.scan[start:end])
    while tokens and tokens[-1].lower() in _WHY_VERBS:
        tokens.pop()
    if len(tokens) < 2:
        return False
    who = tokens[-1]
    lower = who.lower()
    if lower in _ASKED_OF or lower in PERSON_NOUNS or lower.rstrip("s") in PERSON_NOUNS:
        return True
    return len(tokens) == 2 and is_name(who, None)


_QUESTION_LINE = re.compile(r"[\s>*_#\-+\d.)]*why\b[^\n?]{0,160}\?[*_\s]*", re.IGNORECASE)


def _answered_prompt(ctx: Context, start: int) -> bool:
    """True when the question at ``start`` is the whole of its line and more lines follow
    (its answer): a prompt in the writer's analysis, not a lone "Why did I skip it?"."""
    line = ctx.line(start)
    if not ctx.scan[ctx.line_start(start) + len(line) :].strip():
        return False  # nothing after it: a lone question, not a prompt
    return _QUESTION_LINE.fullmatch(line) is not None


def normative(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Verdicts on people's actions; not on a default or a design fit for a purpose.

    A verdict in the passive ("why was the impact misjudged?") names no one, like a
    passive counterfactual.
    """
    after = ctx.after(end, 12).lower()
    if index in _PARTICIPLE_VERDICTS and _PASSIVE_AUX & set(ctx.previous_words(start, 5)):
        agent = re.match(r"\s+by\s+", ctx.after(end, 40))
        named = agent and _names_agent(words(ctx.after(end, 40)[agent.end() :]))
        if ctx.subject(start) is not Subject.PERSON and not named:
            return None  # "the impact was misjudged", "why was the impact misjudged?"
    if _denied(ctx, start):
        return None  # "no data was shared inappropriately": the verdict is denied
    if index in (3, 4) and re.match(r"\s+for\s+(?:our|the|this|a|an|its|their)\b", after):
        return None  # "the defaults were inappropriate for our setup"
    if index == 4 and _CONTENT_AFTER.match(ctx.scan, end):
        return None  # "served malicious/inappropriate content": what was shown, not a verdict
    if index == 3 and _when_a_thing(ctx, end):
        return None  # "it is unacceptable when a reboot of one machine affects the site"
    if index in (3, 7) and _outcome_judged(ctx, start):
        return None  # "such outages are unacceptable": a verdict on what happened
    if index in _CHOICE_JUDGED and not _a_person_chose(ctx, start):
        return None  # "we made the wrong call", "the model made bad calls"
    if index == _NOT_ALLOWED and not _one_person_subject(ctx, start):
        return None  # "developers should not be allowed to push to main": a rule
    if index == 3 and next(iter(words(ctx.after(end, 24))), "").lower() in _OUTCOMES:
        return None  # "introduces unacceptable risk": the adjective weighs an outcome
    if index == _OTHERS_WORK and _does_own_work(ctx, start, end):
        return None  # "They did their work until now assuming ...": their own work, told
    if index == _NO_BUSINESS and ctx.previous_words(start, 1) == ["we"]:
        return None  # "we had no business running it on a Friday": the team owning a choice
    if index == _SKIPPED_CHECK and ctx.subject(start) is Subject.THING:
        return None  # "the linter doesn't check their code style": a tool's design
    return person_judgement(ctx, start, end, index)


# The normative rule's last frames (``rules``): a person's choice judged, and a person's
# fitness denied ("should never be allowed to").
_CHOICE_JUDGED = frozenset({34, 35})
_NOT_ALLOWED = 36
# A person's habit of skipping the check on their own work ("Nex doesn't test their code").
_SKIPPED_CHECK = 38
_NO_BUSINESS = 41  # "(someone) had no business doing it"
_OTHERS_WORK = 22  # "(I had to) do his work"
# A doer and the owner of the work they did, when they are the same: "they did their work".
_SAME_OWNER = {"he": "his", "she": "her", "they": "their"}
_TEAM_CHOOSERS = _set("we us our")
_ONE_PERSON = _set("i he she you")


def _does_own_work(ctx: Context, start: int, end: int) -> bool:
    """True when who does the work is its owner ("they did their work"): the frame judges
    doing someone else's work for them ("I've had to do his work")."""
    owner = words(ctx.scan[start:end])[-2].lower()
    doer = ctx.previous_words(start, 1)
    return bool(doer) and _SAME_OWNER.get(doer[0]) == owner


def _a_person_chose(ctx: Context, start: int) -> bool:
    """True when someone other than the team made the choice judged at ``start``: a
    person or a role as the subject, or a possessive ("his bad calls") in the match."""
    if ctx.scan[start : start + 4].lower() in ("his ", "her ", "your"):
        return True
    tokens, index = ctx.subject_word(start)
    if index is not None and tokens[index].lower() in _TEAM_CHOOSERS:
        return False
    return ctx.subject(start) is Subject.PERSON


def _one_person_subject(ctx: Context, start: int) -> bool:
    """True when the subject is one person: "I", "he", a name or a role in the singular
    ("developers should not be allowed to ..." states a rule for everyone)."""
    tokens, index = ctx.subject_word(start)
    if index is None:
        return False
    word = tokens[index].lower()
    if word in _ONE_PERSON:
        return True
    return ctx.subject(start) is Subject.PERSON and not word.endswith("s")


def _outcome_judged(ctx: Context, start: int) -> bool:
    """True when the clause's subject is an outcome ("outages", "the delay"), with no
    person's own in front of it ("Bob's delay" judges Bob)."""
    tokens, index = ctx.subject_word(start)
    if index is None and tokens and tokens[0].lower() in _LOSING:
        return True  # "Losing your data is unacceptable": the loss is what is weighed
    while index is not None and index > 0 and tokens[index].lower() in _COPULAS:
        index -= 1
    if index is None or not any(t.lower() in _OUTCOMES for t in tokens[: index + 1]):
        return False  # "the length of this outage ... was unacceptable" names an outcome too
    return not any(t.lower().endswith("'s") or t.lower() in _POSSESSIVES for t in tokens[:index])


def hindsight_certainty(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """'Obviously', 'clearly' as hindsight; not as manner ("clearly communicate")."""
    phrase = ctx.scan[start:end].lower()
    before = ctx.previous_words(start, 1)
    if phrase == "obviously" and before and before[0] in _OBVIOUS_STATE:
        return None  # "nothing was obviously compromised": a state, not hindsight
    if phrase == "obviously" and _GERUND.match(ctx.scan, end):
        return None  # "..., obviously taking the server down with it": a consequence
    if index in _CERTAIN_WORDS and not _looks_back(ctx, start, end):
        return None  # "this clearly isn't working": certainty about now, not hindsight
    opening = _SENTENCE_LEAD.fullmatch(ctx.before_in_sentence(start))
    if phrase == "obviously" and not opening and not _SIGN_AFTER.match(ctx.scan, end):
        return None  # "at some point he obviously committed it": a manner of speaking
    if phrase == "obviously" and _ASIDE.match(ctx.scan, end):
        return None  # "Obviously, they were gonna figure it out": set off by a comma, it
        # comments on the telling ("of course"); hindsight names what was plain to see
    if phrase == "clearly":
        if before and before[0] in _OBVIOUS_STATE | {"to"}:
            return None
        if _CLEARLY_TELL.match(ctx.scan, end):
            return None  # "so we could clearly see whether a change helped": a means to tell
        if not _CLEARLY_HINDSIGHT.match(ctx.scan, end):
            return None
    if phrase.endswith("knows") and set(ctx.previous_words(start, 3)) & _ENSURE:
        return None  # "make sure everyone knows": a plan, not hindsight
    return person_judgement(ctx, start, end, index)


def _looks_back(ctx: Context, start: int, end: int) -> bool:
    """True when the clause an "obviously", a "clearly" or an "is obvious" sits in tells
    of the past. Hindsight looks back ("Obviously the graph was red", "it was obvious");
    said of now ("This clearly isn't working", "clearly, English is my second language",
    "obviously it makes sense that ...") it is certainty about the present, and blames no
    one for what they could not see."""
    said = ctx.scan[start:end]
    if len(words(ctx.sentence(start, end))) == len(words(said)):
        return bool(_PAST.search(_obviously_about(ctx, start, end)))  # "Obviously." alone
    ahead = ctx.after(end, 120)
    cut = _CLAUSE_AHEAD.search(ahead)
    after = ahead[: cut.start()] if cut else ahead
    before = ctx.clause_before(start)
    if cut and not words(after) and not set(map(str.lower, words(before))) - _LINKS:
        rest = ahead[cut.end() :]  # "and, clearly, English is ...": the clause comes next
        beyond = _CLAUSE_AHEAD.search(rest)
        after = rest[: beyond.start()] if beyond else rest
    return bool(_PAST.search(f"{before} {said} {after}"))


def _obviously_about(ctx: Context, start: int, end: int) -> str:
    """The sentence an "obviously" speaks of: its own, or, said alone, the one before."""
    left, right = ctx.sentence_span(start, end)
    sentence = ctx.scan[left:right]
    if len(words(sentence)) > 1 or left == 0:
        return sentence
    return ctx.sentence(left - 1, left - 1) + sentence


_TO_BLAME = 7  # "(someone) is to blame"
_AT_FAULT = 10  # "(someone) was at fault"
_RESPONSIBLE_FOR = 11  # "(someone) is responsible for breaking ..."
_RESPONSIBLE_FOR_EVENT = 14  # "(someone) was responsible for the outage"
# A one-word name that "broke" with nothing after it: a product or a story breaking.
_BROKE_ALONE = re.compile(r"\S+\s+broke\s*(?:[.,;:!?)]|$)")
_BROKE_DOWN = re.compile(r"\s+(?:(?:it|this|that|things|them|everything)\s+)?down\b", re.IGNORECASE)


def named_person(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """A person or role as the subject of a failure: the writer's, not reported.

    "Utility companies are to blame" lays the blame on an organisation, as the labels
    of the corpus count it: not a person.
    """
    if ctx.reported(start) and index >= 4:
        return None
    if (
        index in (_TO_BLAME, _AT_FAULT, _RESPONSIBLE_FOR, _RESPONSIBLE_FOR_EVENT)
        and ctx.subject(start) is Subject.THING
    ):
        return None
    if index == 1 and _BROKE_ALONE.match(ctx.scan, start, end + 2):
        return None  # "as the news of the takeover of Twitter broke.": a thing broke
    broke = ctx.scan.lower().rfind("broke", start, end)
    if broke != -1 and _BROKE_DOWN.match(ctx.scan, broke + len("broke")):
        return None  # "she broke it down for me": explained, nothing broken
    if deliberate_removal(ctx, start, end):
        return None  # "Tobias deleted the replica in an attempt to ...": a deliberate step
    if index == 5 and _RELATIVE.search(ctx.scan[start:end]):
        return None  # "make sure the developer who broke it fixes it": who, not blame
    if index == _OWN_SLIP and _TEAM_MISSED.match(ctx.scan, start, end):
        return None  # "we missed the HA step": the team owning a gap, as "our mistake"
    if index == _OWN_SLIP and (ctx.asks_of_self(start, end) or ctx.supposed(start)):
        return None  # "Did I screw up?", "a memory leak, unless I missed the cleanup": the
        # writer asking for a view, or supposing a slip ("wondering if I ..." too)
    if _HEALTH_CHECK.match(ctx.scan, end):
        return None  # "the Operations Manager failed a health check": checks test systems
    if ctx.negated(start, 1):
        return None
    if index in (0, 1) and _title_case_verb(ctx.scan[start:end], index):
        return None  # "High Missed Block Rate Incident": a title, not Mr High's slip
    return WARNING


def _title_case_verb(phrase: str, index: int) -> bool:
    """True when the verb after the name (one word, or two for a full name) is
    capitalised, as every word of a title is."""
    tokens = phrase.split()
    verb = 2 if index == 0 else 1
    return len(tokens) > verb and tokens[verb][:1].isupper()


_OUTCOMES = _set(
    "outage outages downtime delay delays disruption disruptions interruption interruptions "
    "slowdown slowdowns latency errors failures incident incidents impact loss losses "
    "situation experience performance breakage breakages degradation unavailability risk risks"
)
_LOSING = _set("losing")  # a clause that opens with a loss names an outcome
_POSSESSIVES = _set("his her their your my")
_COPULAS = _set("is are was were be been being seem seems seemed remain remains remained")
_LAZY_TECHNIQUE = re.compile(
    r"(?:lazy|lazily)[\s-]+(?:(?:db|database|sql|orm)\s+)?(?:load|loads|loading|loaded|"
    r"evaluat\w*|init\w*|instantiat\w*|lookups?|imports?|importing|fetch\w*|queries|query|"
    r"iterators?|sequences?|propert\w*|attributes?|binding|allocation|deletion|expansion|"
    r"parsing|compil\w*|computation|copies|copy|mode|option|column|relationship|joins?|"
    r"upgrades?|updates?|migrations?|writes?)\b",
    re.IGNORECASE,
)
_UNDER_THE_BUS = 6  # "threw me under the bus"
_OWN_SLIP = 6  # named-person's "I screwed up", "we missed the step"
_TEAM_MISSED = re.compile(r"we(?:'d|'ve)?\s+(?:[\w-]+\s+){0,3}?missed\b", re.IGNORECASE)
_HEALTH_CHECK = re.compile(
    r"\s+(?:a|the|its|their|one|two|several|multiple)?\s*(?:\w+\s+)?"
    r"(?:health[- ]?checks?|liveness|readiness|probes?)\b",
    re.IGNORECASE,
)


_STATE_AFTER = re.compile(
    r"\s+(?:have|had|know\s+about|yet\s+have|want|wanted|wish|intend|expect|need)\b",
    re.IGNORECASE,
)


def blame_shift(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Fault put on others; not 'not their fault', 'if it is your fault', reported.

    "The company threw him under the bus" tells what an organisation did; the labels
    count blame on people only.
    """
    if ctx.negated(start, 8) or ctx.supposed(start) or ctx.reported(start):
        return None
    if index == _UNDER_THE_BUS and ctx.subject(start) is Subject.THING:
        return None
    if _STATE_AFTER.match(ctx.scan, end):
        return None  # "the dev team did not have access", "didn't want to": a state or a
        # motive, not a fault
    return WARNING


def punitive(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Penalties; 'nobody got fired' is the opposite, and a penalty someone else threatens
    ("she said I would be fired") or supposes ("if it happens again, ...") is reported. A
    penalty the writer feared ("I was afraid I'd be fired") is a feeling told, not a
    penalty called for: the person who had it needs no reframe for it."""
    if ctx.negated(start, 4) or ctx.reported(start) or ctx.supposed(start):
        return None
    if set(ctx.previous_words(start, 5)) & _FEARS:
        return None
    if index in (0, 1, 3, 4) and _penalty_told(ctx, start, end):
        return None  # "I was reprimanded", "he got fired": what happened, told
    return WARNING


# A penalty told as what happened ("I was fired", "he was getting fired"), and the words
# that make the telling approve of it ("rightfully, I was written up").
_PENALTY_TOLD = re.compile(
    r"\b(?:was|were|got|gotten|was\s+getting|were\s+getting)\s+(?:\w+\s+)?(?:fired|sacked|"
    r"canned|let\s+go|punished|disciplined|reprimanded|written\s+up)\b",
    re.IGNORECASE,
)
_APPROVING = _set("rightfully rightly deservedly justly finally deserved deserve")


def _penalty_told(ctx: Context, start: int, end: int) -> bool:
    """True when the match tells a penalty that was given, in the past, with no word
    approving of it: an account of what happened, not a penalty called for."""
    told = _PENALTY_TOLD.search(ctx.scan, max(0, start - 16), end)
    if told is None or told.end() < end - 1:
        return False
    return not {word.lower() for word in words(ctx.sentence(start, end))} & _APPROVING


_FEARS = _set(
    "fear feared fearing fears afraid worried worry worrying scared terrified frightened "
    "anxious nervous dread dreaded dreading panicked panicking"
)


def note(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Advice on the account's form: a note, never in a heading."""
    return None if _drop_in_heading(ctx, start) else NOTE


_ROLE_NOUN_AFTER = re.compile(
    r"\s+(?:\w+(?:ers|ors|ards|ists|ians|ants|ents|ees)|people|citizens|guardians)\b",
    re.IGNORECASE,
)


def vague_action(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """A promise to try harder; "we try our best to ..." describes a practice instead, and
    "be careful stewards of the data" a role to take on."""
    if index == 1 and not set(ctx.previous_words(start, 3)) & _PROMISE:
        return None
    if index == 0 and _ROLE_NOUN_AFTER.match(ctx.scan, end):
        return None
    before = ctx.previous_words(start, 2)
    if len(before) == 2 and before[1] == "to" and before[0] in _PRACTICE:
        return None  # "we would train and practice to stay alert": what a practice is for
    return note(ctx, start, end, index)


# Practices whose purpose a vague intention can name: "practice to stay alert".
_PRACTICE = _set("practice practise practiced practised train trained training drill drilled")


def _action_label(ctx: Context, start: int) -> bool:
    """True when an action label ("Action:", "TODO -") ends the line just before ``start``.

    Only the last ``_LABEL_REACH`` characters are searched, so a judgement on a long
    line does not cost the length of the line (a word boundary still sees the character
    before them). The whole line is searched only when those characters could be the
    tail of a longer label (nearly all spaces, marks and separators), so the answer is
    the one a search of the whole line gives.
    """
    line_start = ctx.line_start(start)
    window = max(line_start, start - _LABEL_REACH)
    if _ACTION_LABEL.search(ctx.scan, window, start):
        return True
    if window == line_start or len(_NOT_LABEL_FILLER.findall(ctx.scan, window, start)) > 11:
        return False
    return bool(_ACTION_LABEL.search(ctx.scan, line_start, start))


def ownerless(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """An action item with no owner or date: a note, where the text presents one.

    An action label on the line ("Action:", "Follow-up:", "TODO:") makes it an action
    item; so does a bare sentence that is nothing but the vague action ("Improve
    monitoring.", "We need more testing.") in a text without sections, such as a retro
    in Slack. In a structured postmortem the same words are a lesson or a description
    of work under way, and public postmortems seldom name owners.
    """
    kind = ctx.kind(start)
    if kind & _HEADING or _OWNER_OR_DATE.search(ctx.sentence(start, end)):
        return None
    if kind & _TABLE and ctx.pipes(start) >= 3:
        return None  # an action table: owner and date have their own columns
    if _action_label(ctx, start):
        return NOTE
    if ctx.has_sections:
        return None
    left, right = ctx.sentence_span(start, end)
    lead = ctx.scan[left:start]
    tail = words(ctx.scan[end:right])
    return NOTE if _BARE_ACTION_LEAD.fullmatch(lead) and len(tail) <= 6 else None


def private_detail(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Contact and health details; not role addresses, nor handles in records."""
    phrase = ctx.scan[start:end]
    if index == 0:
        if _ROLE_ADDRESS.match(phrase) or _LIST_ADDRESS.search(phrase):
            return None  # "security@…", "etcd-dev@googlegroups.com": not a person's
        line_start = ctx.line_start(start)
        if start - line_start <= _LEAD_REACH and _CREDIT_LABEL.match(ctx.scan, line_start):
            return None  # "Created by: Ada Lovelace <ada@…>": the author's own credit
        if _CREDIT_HEADING.search(ctx.scan, max(0, line_start - _LEAD_REACH), line_start):
            return None  # an address listed under an "## Authors" heading
        return WARNING
    if index == 7 and set(ctx.previous_words(start, 6)) & FIRST_PERSON:
        return None  # the writer's own health, in their own account, is theirs to share
    if index == 2:  # @handle
        if ctx.has_sections:
            return None  # a postmortem with sections names people by their public
            # handles (timeline, credits, thanks); blame on them is other rules' to flag
        if ctx.scan[end : end + 1] == "/" or ctx.scan[max(0, start - 1) : start] == "[":
            return None  # a package scope ("@scope/pkg") or a linked profile
        if ctx.scan[start - 1 : start] == "(" and ctx.scan[end : end + 1] == ")":
            return None  # "Ada Lovelace (@ada)": a public post cited with its account
        if _PUBLIC_ACCOUNT.match(ctx.scan, end) or _FOLLOW.search(
            ctx.scan, max(0, start - 24), start
        ):
            return None  # "follow @status on Twitter": an account published to be followed
        if ctx.kind(start) & _NOT_ADDRESSED:
            return None
        if _GROUP_HANDLE.match(ctx.scan, end):
            return None  # "the @emergency role": a group, not a person
        line_start = ctx.line_start(start)
        if start - line_start <= _LEAD_REACH:
            if _ADDRESS_LEAD.fullmatch(ctx.scan, line_start, start):
                return None  # "@dana the logs are here": addressing someone in a thread
            if _CREDIT_LEAD.fullmatch(ctx.scan, line_start, start):
                return None  # "Author: @ada": a document's credits
        before = ctx.scan[max(line_start, start - _LEAD_REACH) : start]
        if before.rstrip()[-2:].lower() == "by" and _CREDITED_BY.search(before[-60:]):
            return None  # "reported on Gitter by @ada"
        raw = ctx.text[start - len(before) : start]  # the scan blanks HTML tags
        if "<" in raw and _in_timeline_entry(raw):
            return None
    return WARNING


# How far back from a handle its line is read: what marks it (a list marker, a credit
# label, a timeline entry's stamp) stands near it, and a bounded look keeps a long line
# full of handles linear.
_LEAD_REACH = 200


def _in_timeline_entry(before: str) -> bool:
    """True when the text just before a handle opens a timeline entry after an HTML line
    break on the same line ("<br> 04:27 - @ada sees the page")."""
    breaks = list(_BREAK.finditer(before))
    return bool(breaks) and _ENTRY_STAMP.match(before, breaks[-1].end()) is not None
