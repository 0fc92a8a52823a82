"""Which matches are blame: one judge per rule, reading the clause around the match.

A judge gets the context, the match's span and the index of the pattern that matched,
and returns the flag's severity or ``None`` to drop it. What every rule shares (nothing
inside quoted speech or a chat log but private detail) is applied by the engine before a
judge is asked; what is particular to a rule is here, next to why:

* a counterfactual or a wish is blame when a person is its subject; about a system
  ("the alert should have fired") or in the passive it is a fact about the system;
* a judgement, a fault or an insult that is negated ("not your fault"), supposed ("if it
  happens to be your fault") or reported ("he said it was my fault") is not the writer's;
* "root cause" as a heading, a field label or the object of an investigation ("find the
  root cause") names a section or a task, not a single-cause claim;
* "human error" that a system should handle is the blameless reframe itself.
"""

from __future__ import annotations

import re

from bot.language.blameless.context import (
    PERSON_PRONOUNS,
    Context,
    Subject,
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
_PREVENTED = re.compile(
    r"\s+(?:stopped|caught|prevented|avoided|detected|noticed|saved|helped|alerted|flagged|"
    r"blocked|protected|spotted|mitigated|limited|reduced|shortened|warned)\b|"
    r"\s+been\s+(?:(?:much|far|a\s+lot|so)\s+)?(?:nice|better|good|great|helpful|useful|"
    r"ideal|preferable|wise|smart|safer|easier)\b"
)
_ESTIMATE = re.compile(r"\b(?:later|sooner|earlier|faster|slower|worse|longer|shorter|instead)\b")
_REFRAME = re.compile(
    r"\b(?:not\s+(?:an?\s+)?individual|collective\s+(?:failure|responsibility)|rather\s+than\s+"
    r"(?:blam\w*|the\s+individual|individuals|(?:a\s+)?person|people)|never\s+(?:a|the)\s+root\s+"
    r"cause|blameless|blame-?free|without\s+blame|not\s+(?:about\s+)?blam\w*|no\s+one\s+(?:is|was)\s+"
    r"to\s+blame|systems?\s+(?:failure|problem|issue))\b",
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
    r"git|bot|notifications|careers|jobs)@",
    re.IGNORECASE,
)
_CLEARLY_HINDSIGHT = re.compile(
    r"\s*(?:,|$|should|shouldn't|ought|was|were|wasn't|weren't|didn't|did|had|hadn't|is|are|"
    r"a\b|an\b|the\b|his\b|her\b|their\b|my\b|our\b|wrong|obvious|broken|at\s+fault|to\s+"
    r"blame|not\b|never\b|knew|know|saw|see|there\b|visible|missed|ignored|forgot)",
    re.IGNORECASE,
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
_ADDRESS_LEAD = re.compile(r"[\s>*\-+\u2022]*")
_HYPOTHESIS = _set("assumed assuming suspected suspecting ruled rule")
_PROMISE = _set("will 'll must to should going promise promised")
_OBVIOUS_STATE = _set("was were is are been be being very so not nothing")
_ENSURE = _set("sure ensure let so")


def _drop_in_heading(ctx: Context, start: int) -> bool:
    return bool(ctx.kind(start) & LineKind.HEADING)


def counterfactual(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """'should have': blame when a person did (or did not do) it; not a passive."""
    if _PASSIVE.match(ctx.scan, end):
        return None
    return None if ctx.subject(start) is Subject.THING else WARNING


def hindsight_wish(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Wishes about the past: a person's are blame, a system's only a note."""
    if index == 0:  # could / would have
        subject = ctx.subject(start)
        word = ctx.scan[start:end].lower()
        if subject is Subject.THING:
            return NOTE if _PREVENTED.match(ctx.scan, end) else None
        if _ESTIMATE.search(ctx.after(end, 40)):
            return None  # "we could have noticed it later": an estimate, not a wish
        if word.startswith("would") and {"we", "they"} & set(ctx.previous_words(start, 2)):
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
    if index == 3:  # if we had done
        phrase = ctx.scan[start:end].lower()
        if re.search(r"\b(?:only|just|simply)\b", phrase):
            return WARNING
        return NOTE if re.search(r"\b(?:we|they)\b", phrase) else WARNING
    return WARNING


def omission(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """'forgot to', 'failed to': about a person; not advice ("don't forget to")."""
    before = ctx.previous_words(start, 2)
    if before and before[-1] in ("don't", "not", "never", "remember") and index in (0, 4):
        return None
    return None if ctx.subject(start) is Subject.THING and index in (0, 4) else WARNING


def human_error(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Human error as the cause; not the reframe ("systems robust to human error")."""
    if _REFRAME.search(ctx.sentence(start, end)):
        return None
    before = ctx.previous_words(start, 3)
    if before and (before[-1] in _HANDLED or "not" in before or "never" in before):
        return None
    if set(ctx.previous_words(start, 4)) & _HYPOTHESIS:
        return None  # "assumed user error at the time": a hypothesis being ruled out
    return WARNING


def root_cause(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """A single-cause claim is a note; a heading, a label or a search for one is not."""
    if _drop_in_heading(ctx, start):
        return None
    if index in (0, 2):
        before = ctx.previous_words(start, 4)
        if any(word in _INVESTIGATE for word in before):
            return None
        if index == 0 and _FOUND_AFTER.match(ctx.scan, end):
            return None
    return NOTE


def person_judgement(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Judgements and labels: the writer's own, not negated, supposed or reported."""
    if ctx.negated(start, 4) or ctx.reported(start) or ctx.supposed(start):
        return None
    if ctx.scan[start:end].lower() == "fools" and ctx.previous_words(start, 1) == ["april"]:
        return None
    if _drop_in_heading(ctx, start) and ctx.subject(start) is Subject.THING:
        return None
    return WARNING


def normative(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Verdicts on people's actions; not on a default or a design fit for a purpose."""
    after = ctx.after(end, 12).lower()
    if index in (3, 4) and re.match(r"\s+for\s+(?:our|the|this|a|an|its|their)\b", after):
        return None  # "the defaults were inappropriate for our setup"
    return person_judgement(ctx, start, end, index)


def hindsight_certainty(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """'Obviously', 'clearly' as hindsight; not as manner ("clearly communicate")."""
    phrase = ctx.scan[start:end].lower()
    before = ctx.previous_words(start, 1)
    if phrase == "obviously" and before and before[0] in _OBVIOUS_STATE:
        return None  # "nothing was obviously compromised": a state, not hindsight
    if phrase == "clearly":
        if before and before[0] in _OBVIOUS_STATE | {"to"}:
            return None
        if not _CLEARLY_HINDSIGHT.match(ctx.scan, end):
            return None
    if phrase.endswith("knows") and set(ctx.previous_words(start, 3)) & _ENSURE:
        return None  # "make sure everyone knows": a plan, not hindsight
    return person_judgement(ctx, start, end, index)


def named_person(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """A person or role as the subject of a failure: the writer's, not reported."""
    if ctx.reported(start) and index >= 4:
        return None
    if ctx.negated(start, 1):
        return None
    return WARNING


def blame_shift(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Fault put on others; not 'not their fault', 'if it is your fault', reported."""
    if ctx.negated(start, 8) or ctx.supposed(start) or ctx.reported(start):
        return None
    return WARNING


def punitive(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Penalties; 'nobody got fired' is the opposite."""
    return None if ctx.negated(start, 4) else WARNING


def note(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Advice on the account's form: a note, never in a heading."""
    return None if _drop_in_heading(ctx, start) else NOTE


def vague_action(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """A promise to try harder; "we try our best to ..." describes a practice instead."""
    if index == 1 and not set(ctx.previous_words(start, 3)) & _PROMISE:
        return None
    return note(ctx, start, end, index)


def ownerless(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """An action with no owner: a note, unless its sentence or table row names one."""
    kind = ctx.kind(start)
    if kind & LineKind.HEADING or _OWNER_OR_DATE.search(ctx.sentence(start, end)):
        return None
    if kind & LineKind.TABLE and ctx.line(start).count("|") >= 3:
        return None  # an action table: owner and date have their own columns
    return NOTE


def private_detail(ctx: Context, start: int, end: int, index: int) -> Severity | None:
    """Contact and health details; not role addresses, nor handles in records."""
    phrase = ctx.scan[start:end]
    if index == 0:
        return None if _ROLE_ADDRESS.match(phrase) else WARNING
    if index == 2:  # @handle
        if ctx.scan[end : end + 1] == "/" or ctx.scan[max(0, start - 1) : start] == "[":
            return None  # a package scope ("@scope/pkg") or a linked profile
        records = LineKind.TIMELINE | LineKind.TABLE | LineKind.CHAT | LineKind.OWNER
        if ctx.kind(start) & (records | LineKind.QUOTE | LineKind.HEADING):
            return None
        if _ADDRESS_LEAD.fullmatch(ctx.line_before(start)):
            return None  # "@dana the logs are here": addressing someone in a thread
    return WARNING
