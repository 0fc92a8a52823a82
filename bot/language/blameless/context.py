"""Reading the words around a match: who the subject is, negation, conditions, speech.

Rules find phrases; whether a phrase is blame depends on its clause. "We should have
rolled back" puts a person in the past tense of a duty; "the alert should have fired"
and "it should have been corrected" do not (a system, a passive). "This was not your
fault" negates; "if a future problem happens to be your fault" supposes; "he said it was
my fault" reports. Every helper here looks at a bounded stretch before or around the
match (a clause is at most ``_CLAUSE`` characters, a sentence at most ``_SENTENCE`` on
each side), so the cost of a judgement never grows with the length of the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from enum import Enum
from itertools import islice

from bot.language.blameless.markdown import Layout, LineKind

_CLAUSE = 160
_SENTENCE = 300

_WORD = re.compile(r"[A-Za-z][\w'-]*")
_SENTENCE_END = re.compile(r"[.!?]+(?=[\s\"')\]*_]|$)")
# A bracketed aside closing the text, with at most an auxiliary or an adverb after it.
_ASIDE = re.compile(r"\([^()\n]{1,80}\)([^\S\n]*(?:[a-z']{1,12}[^\S\n]*)?)$")
_CLAUSE_MARK = re.compile(r"[,;:()\u2014\u2013\"\u201c\u201d]|\s-\s|\*\*")
# Bound once: an enum member read through its class costs a metaclass lookup each time.
_HEADING = LineKind.HEADING


def words_set(words: str) -> frozenset[str]:
    """A set of words written as one string."""
    return frozenset(words.split())


class Subject(Enum):
    """Who does the verb: a person (or people), a thing, or nobody written."""

    PERSON = "person"
    THING = "thing"
    NONE = "none"


PERSON_PRONOUNS = words_set(
    "i we you he she they someone somebody anyone anybody everyone everybody who nobody whoever"
)
# The writer speaking of themself.
FIRST_PERSON = words_set("i i'm i've i'd i'll me my myself")
# Acts that take something away: damage, unless told with a purpose (``deliberate_removal``).
_REMOVAL = re.compile(
    r"\b(?:deleted|removed|dropped|killed|stopped|disabled|terminated)\b", re.IGNORECASE
)
# A purpose after the object: the act was a step someone chose, not damage they did.
_PURPOSE = re.compile(
    r"[^.;!?]{0,60}?\b(?:in\s+an\s+attempt\s+to|in\s+order\s+to|so\s+that|to\s+(?:give|free|"
    r"make|reduce|relieve|speed|unblock|restore|recover|mitigate|stop|limit)\b)",
    re.IGNORECASE,
)

# People named by their trade in write-ups from outside software: a sentence's subject
# ("a smarter reporter would have looked") is a person whatever the trade. Words that also
# name software ("driver", "server", "editor", "supervisor", "builder", "dispatcher",
# "installer", "waitress", "chef", "painter", "mover", "agent") are left out: in a
# postmortem they are components. These are roles too (``rules``' "the reporter forgot").
TRADES = words_set(
    "dude reporter journalist electrician plumber mechanic accountant bookkeeper waiter "
    "bartender clerk trainer trainee preparer roofer apprentice teller referee umpire "
    "dentist hygienist veterinarian photographer postdoc sitter"
)
PERSON_NOUNS = (
    words_set(
        "engineer engineers developer developers dev devs admin admins administrator "
        "administrators operator operators reviewer reviewers maintainer maintainers "
        "contributor contributors author authors intern interns contractor contractors "
        "employee employees manager managers boss bosses cto ceo coo cio ciso vp lead leads "
        "colleague colleagues coworker coworkers co-worker co-workers guy guys gal person "
        "people team teams staff folks qa ops devops sre sres dba dbas on-call oncall "
        "responder responders member members management leadership programmer programmers "
        "coder coders teammate teammates junior seniors senior newbie founder founders "
        "consultant consultants vendor analyst architect architects tester testers "
        # More trades that name no role in ``rules``, and "officials" ("official" alone is
        # also an adjective).
        "nurse nurses doctor doctors physician physicians surgeon surgeons pharmacist "
        "pharmacists paramedic paramedics teacher teachers student students pupil pupils "
        "professor lecturer tutor carpenter carpenters handyman lawyer lawyers attorney "
        "attorneys cashier cashiers cook cooks landlord landlords homeowner homeowners "
        "neighbour neighbours neighbor neighbors roommate roommates coach coaches foreman "
        "janitor janitors salesman salesperson recruiter recruiters employer employers "
        "officials labmate labmates babysitter babysitters hire hires recruit recruits "
        "supervisor supervisors advisor advisors adviser advisers professors coauthor "
        "coauthors co-author co-authors "
        # Roles and kin the write-ups blame that name no software component.
        "instructor instructors trader traders volunteer volunteers commander commanders "
        "nephew nephews niece nieces referees umpires"
    )
    | TRADES
    | {f"{trade}s" for trade in TRADES}
)
# Words that stand between a subject and its verb without being the subject.
_SKIPPED = words_set(
    "just really also probably definitely clearly ideally honestly simply then still all "
    "both certainly obviously actually totally absolutely literally maybe perhaps surely "
    "never not ever only even already again so too really truly likely arguably 've have "
    "had has 'd would could should might must may can will shall do does did and or but "
    "was were is am 'm kept keeps"
)
_DETERMINERS = words_set(
    "the a an our their this that these those its my your his her some any each every no another"
)
_GERUND = re.compile(r"[A-Za-z]{3,30}ing")
_NOT_GERUNDS = words_set("nothing something anything everything during morning evening king thing")
_NEGATORS = words_set("not never no nobody none nothing neither nor without")
_CONDITIONS = words_set("if unless whether suppose supposing imagine")
_IMAGINE_SUPPOSES = (["if"], ["that"], ["what"], ["how"], ["someone"], ["somebody"], ["you"])
# Reporting words for what was said aloud or written (not thought): the writer's own
# count as the writer's voice.
_SPOKEN = words_set("said says say told tells tell wrote messaged emailed texted pinged replied")
_REPORTING = _SPOKEN | words_set(
    "claimed claims claim thinks thought think accused accuses insisted insists argued "
    "argues asked asks complained complains suggested suggests alleged alleges reckon "
    "reckons implying implied implies implication insinuated insinuating considered "
    "deemed"
)

# A yes/no question the writer asks of themself or their team ("Did I screw up?",
# "Was it me?"): its auxiliary, then "I" or "we"; words that may lead in before it.
_QUESTION_AUX = words_set("did do does am was were is are have has had should could would")
_SELF = words_set("i we")
_LEAD_INS = words_set("so but and or then now also")
# Words that open an embedded question with "if" or "whether" ("wondering if you should
# have ...", "not sure whether I ..."): the clause asks, it does not assert.
_ASKING = words_set(
    "wonder wonders wondered wondering ask asks asked asking sure unsure know knows decide "
    "deciding question questioning debating"
)

# Before a reporting word, the writer as the one it was said to: "I was told ...".
_PASSIVE_REPORT = words_set("was were been being am is are get got")
# Who opens a sentence that reports speech: "she said ...", "my boss claimed ...".
_REPORTERS = words_set("he she they someone somebody boss manager everyone people")
# Capitalised words that begin sentences or name systems and teams, not people.
NOT_NAMES = words_set(
    "The This That These Those It Its We They He She You Our Their His Her My Your I Who "
    "What Which When Where Why How There Then Also And But So Yet Or If Once Someone "
    "Somebody Nobody Everyone Everybody Anyone Anybody Everything Something Nothing One "
    "Each Both All Some Any Another Later Yesterday Today Tomorrow Eventually Finally "
    "Initially First Next Again Nearly Almost Never Only Still Accidentally Apparently "
    "Unfortunately Meanwhile Previously Sadly Luckily Deploy Deploys Deployment Build "
    "Builds Test Tests Testing Job Jobs Backup Backups Migration Migrations Release "
    "Releases Server Servers Service Services Check Checks Alert Alerts Alerting "
    "Monitoring Cron Pipeline Pipelines Script Scripts System Cache Database Node Nodes "
    "Pod Pods Cluster Request Requests Query Update Upgrade Rollback Rollout Sync Login "
    "Auth Staging Production Prod Canary Replication Failover Healthcheck Probe "
    "Validation Linter Review Code Config Change Patch Commit Merge Feature Network Proxy "
    "Queue Worker Workers Scheduler Import Export Upload Payment Payments Billing Email "
    "Search Dashboard Automation Retry Process Step Tool Tooling Team Ops Support "
    "Security Infra Product Design Sales Finance Legal Platform Engineering Management "
    "Marketing Customer Customers Client User Users Vendor Jenkins Terraform Kubernetes "
    "Docker Postgres Redis Kafka Nginx Ansible Helm Renovate Dependabot Sentry Datadog "
    "Grafana Prometheus Vault Consul Cloudflare Heroku Vercel Netlify Chrome Safari "
    "Firefox Windows Linux Amazon Google Microsoft Apple Azure Stripe Twilio Okta Slack "
    "Zoom Jira Confluence PagerDuty Opsgenie Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday January February March April May June July August September October "
    "November December Tonight Overnight Morning Afternoon Evening GitHub Github Git "
    "Traefik Flux Cargo Rustup Crates Docs Index Yes No Oh Well Now Here Thanks Note "
    "Summary Impact Timeline Resolution Root Cause Action Actions Lessons Why Because "
    "While Since After Before During Until Unless Although Though However Instead Also "
    "Nobody Not Don Do Did Does Is Was Were Are Be Been Has Had Have Will Would Could "
    "Should Might Must Can May Please Let Make Many Most Much More Less Few Several "
    # Vendors and services a postmortem names as often as it names people.
    "Fastly Akamai Cloudfront CloudFront Aws Gcp DigitalOcean Linode Hetzner Ovh Backblaze "
    "Elastic Elasticsearch Mongo MongoDB Mysql MySQL Mailgun Sendgrid SendGrid Auth0 "
    "Firebase Supabase Render Railway Cloudinary Algolia Segment Mixpanel Intercom Zendesk "
    "Salesforce Shopify PayPal Braintree CircleCI Travis Buildkite Bitbucket GitLab Gitlab "
    "Quay Artifactory Ubuntu Debian Fedora RabbitMQ Celery Sidekiq Nomad Istio Envoy "
    "Varnish HAProxy Apache Tomcat Rails Django Laravel Cassandra Memcached Zookeeper Ceph "
    "Proxmox VMware OpenStack Letsencrypt Sectigo DigiCert Namecheap GoDaddy Gandi Discord "
    "Mastodon Telegram Gmail Outlook Notion Figma Trello Asana"
)


def words(text: str) -> list[str]:
    """The words of a stretch of text, in order, as written."""
    return _WORD.findall(text)


def is_name(word: str, before: str | None) -> bool:
    """True when a capitalised word reads as a person's name in its place."""
    if len(word) < 2 or not word[0].isupper() or word in NOT_NAMES:
        return False
    if not word.isalpha() or not (word[1:].islower() or _MC_NAME.fullmatch(word)):
        return False  # "McDonald" is a surname; "GitHub" and "iOS" are not names
    return before is None or before.lower() not in _DETERMINERS


_MC_NAME = re.compile(r"Mc[A-Z][a-z]{2,20}")


class Context:
    """The text being checked, its layout, and the clause-reading helpers judges use."""

    def __init__(self, text: str, layout: Layout) -> None:
        self.text = text
        self.layout = layout
        self.scan = layout.scan
        ends = [match.end() for match in _SENTENCE_END.finditer(self.scan)]
        self.bounds = sorted(set(ends) | set(layout.breaks))
        # A document with headings has sections (lessons, actions, timeline); a retro
        # pasted into Slack usually has none.
        self.has_sections = any(kind & _HEADING for kind in layout.kinds)
        self._pipes: dict[int, int] = {}

    # --- where things are ----------------------------------------------------------

    def line_index(self, offset: int) -> int:
        """0-based index of the line holding an offset."""
        return bisect_right(self.layout.line_starts, offset) - 1

    def kind(self, offset: int) -> LineKind:
        """What the line holding an offset is (heading, timeline, chat, ...)."""
        return self.layout.kinds[self.line_index(offset)]

    def line(self, offset: int) -> str:
        """The whole line holding an offset, as scanned."""
        index = self.line_index(offset)
        start = self.layout.line_starts[index]
        end = self.scan.find("\n", start)
        return self.scan[start : end if end != -1 else len(self.scan)]

    def line_before(self, offset: int) -> str:
        """The part of the line before an offset, as scanned."""
        start = self.layout.line_starts[self.line_index(offset)]
        return self.scan[start:offset]

    def line_start(self, offset: int) -> int:
        """Where the line holding an offset starts: lets a judge match in place, no copy."""
        return self.layout.line_starts[self.line_index(offset)]

    def pipes(self, offset: int) -> int:
        """How many "|" the line holding an offset has, counted once per line.

        A table row is told by its pipes; counting them again for every match on a long
        line would make each judgement cost the length of the line.
        """
        index = self.line_index(offset)
        count = self._pipes.get(index)
        if count is None:
            count = self._pipes[index] = self.line(offset).count("|")
        return count

    def quoted(self, start: int, end: int) -> bool:
        """True when the stretch lies inside quoted speech ("..." or “...”)."""
        quotes = self.layout.quotes
        index = bisect_right(quotes, (start, len(self.scan))) - 1
        return index >= 0 and quotes[index][0] <= start and end <= quotes[index][1]

    def sentence_span(self, start: int, end: int) -> tuple[int, int]:
        """The sentence (or block) around a stretch, at most ``_SENTENCE`` each side."""
        before = bisect_right(self.bounds, start)
        left = self.bounds[before - 1] if before else 0
        after = bisect_left(self.bounds, end)
        right = self.bounds[after] if after < len(self.bounds) else len(self.scan)
        return max(left, start - _SENTENCE), min(right, end + _SENTENCE)

    def sentence(self, start: int, end: int) -> str:
        left, right = self.sentence_span(start, end)
        return self.scan[left:right]

    def before_in_sentence(self, start: int) -> str:
        """From the start of the sentence to the match."""
        left, _ = self.sentence_span(start, start)
        return self.scan[left:start]

    def clause_before(self, start: int) -> str:
        """The clause leading up to a match: back to a comma, colon, dash or sentence.

        An aside in brackets just before the match is left out, so the clause reaches its
        subject: "my coworker (hired a year ago) has made ..." is the coworker's clause.
        """
        text = self.before_in_sentence(start)[-_CLAUSE:]
        aside = _ASIDE.search(text)
        if aside:
            text = text[: aside.start()] + " " + aside.group(1)
        marks = list(_CLAUSE_MARK.finditer(text))
        return text[marks[-1].end() :] if marks else text

    def after(self, end: int, size: int = 60) -> str:
        """A short stretch after a match, within its sentence."""
        _, right = self.sentence_span(end, end)
        return self.scan[end : min(right, end + size)]

    # --- what the clause says ------------------------------------------------------

    def subject_word(self, start: int) -> tuple[list[str], int | None]:
        """The words of the clause before ``start`` and the index of its subject word.

        The subject is the last word that is not an adverb, an auxiliary or a
        conjunction; ``None`` when there is none, or when the clause opens with a gerund
        ("Appointing an incident manager could have helped": an act, not a person).
        """
        tokens = words(self.clause_before(start))
        if tokens and _GERUND.fullmatch(tokens[0]) and tokens[0].lower() not in _NOT_GERUNDS:
            return tokens, None
        for index in range(len(tokens) - 1, -1, -1):
            if tokens[index].lower().removesuffix("'s") not in _SKIPPED:
                return tokens, index
        return tokens, None

    def subject(self, start: int) -> Subject:
        """Who does the verb at ``start``: a person, a thing, or nobody written.

        A subject that is a relative clause about someone ("whoever built those shelves
        could have ...", "the engineer who approved the change should have ...") has a
        person at its head, though its last word is a thing.
        """
        tokens = words(self.clause_before(start))
        if tokens and _GERUND.fullmatch(tokens[0]) and tokens[0].lower() not in _NOT_GERUNDS:
            return Subject.THING  # "Appointing an incident manager could have helped"
        if _relative_person(tokens):
            return Subject.PERSON
        for index in range(len(tokens) - 1, -1, -1):
            word = tokens[index]
            lower = word.lower()
            if lower.endswith("'s"):
                lower, word = lower[:-2], word[:-2]
            if lower in _SKIPPED:
                continue
            if lower in PERSON_PRONOUNS:
                return Subject.PERSON
            if lower in PERSON_NOUNS or (lower.endswith("s") and lower[:-1] in PERSON_NOUNS):
                return Subject.PERSON
            if len(word) == 1 and word.isupper():
                return Subject.PERSON  # "X told me", a person kept anonymous
            if is_name(word, tokens[index - 1] if index else None):
                return Subject.PERSON
            return Subject.THING
        return Subject.NONE

    def negated(self, start: int, reach: int = 6) -> bool:
        """True when a negation stands in the few words before the match."""
        tokens = [word.lower() for word in words(self.clause_before(start))][-reach:]
        return any(
            (word in _NEGATORS or word.endswith("n't"))
            and not (word == "not" and tokens[index + 1 : index + 2] == ["only"])
            for index, word in enumerate(tokens)
        )

    def supposed(self, start: int) -> bool:
        """True when the sentence so far is a condition ("if ...", "unless ...").

        "Imagine" supposes only before "if", "that", "what", "how" or someone; "imagine
        a nitwit who ..." describes, and "if you will" is an aside, not a condition.
        """
        tokens = [word.lower() for word in words(self.before_in_sentence(start))]
        return any(
            word in _CONDITIONS
            and tokens[index + 1 : index + 2] != ["only"]
            and (word != "imagine" or tokens[index + 1 : index + 2] in _IMAGINE_SUPPOSES)
            and tokens[index + 1 : index + 3] != ["you", "will"]  # "if you will": an aside
            for index, word in enumerate(tokens)
        )

    def asks_of_self(self, start: int, end: int) -> bool:
        """True when the match sits in a yes/no question the writer asks of themself or
        their team ("Did I screw up?", "Am I at fault here?"): a doubt put to the reader,
        asking for a view, not a verdict given."""
        tokens = [word.lower() for word in words(self.before_in_sentence(start))]
        tokens += [word.lower() for word in words(self.scan[start:end])[:1]]
        while tokens and tokens[0] in _LEAD_INS:
            tokens = tokens[1:]
        if len(tokens) < 2 or tokens[0] not in _QUESTION_AUX or tokens[1] not in _SELF:
            return False
        return self.sentence(start, end).rstrip(" \t*_)\"'”").endswith("?")

    def embedded_question(self, start: int) -> bool:
        """True when the clause is an embedded question ("you're wondering if you should
        have spoken up", "not sure whether I missed it"): it asks, it does not assert."""
        tokens = [word.lower() for word in words(self.before_in_sentence(start))]
        return any(
            word in ("if", "whether") and place > 0 and tokens[place - 1] in _ASKING
            for place, word in enumerate(tokens)
        )

    def asks(self, start: int, end: int) -> bool:
        """True when the clause asks rather than asserts: a question of the writer's own
        (`asks_of_self`) or an embedded one (`embedded_question`)."""
        return self.asks_of_self(start, end) or self.embedded_question(start)

    def reported(self, start: int) -> bool:
        """True when the clause reports someone's words or thoughts ("he said it was ...").

        A sentence that opens with a report ("She said it was my job, and I should have
        known better") reports every clause in it.
        """
        tokens = [word.lower() for word in words(self.clause_before(start))]
        if any(
            word in _REPORTING
            and not _set_phrase(tokens, place)
            and not _own_report(tokens, place)
            and not _relative_verb(tokens, place)
            for place, word in enumerate(tokens)
        ):
            return True
        sentence = self.before_in_sentence(start)
        opening = [match.group().lower() for match in islice(_WORD.finditer(sentence), 3)]
        return any(
            word in _REPORTING and place > 0 and opening[place - 1] in _REPORTERS
            for place, word in enumerate(opening)
        )

    def previous_words(self, start: int, count: int = 4) -> list[str]:
        """The last few words before a match, lower case."""
        return [word.lower() for word in words(self.clause_before(start))][-count:]


# "Needless to say", "safe to say": a saying that introduces the writer's own words.
_SAYING = words_set("needless suffice safe fair so")


def _set_phrase(tokens: list[str], place: int) -> bool:
    """True when a reporting word is part of a set phrase ("Needless to say I failed"),
    so the clause after it is the writer's, not a report of anyone's words."""
    return place >= 2 and tokens[place - 1] == "to" and tokens[place - 2] in _SAYING


def _own_report(tokens: list[str], place: int) -> bool:
    """True when the writer is who says it ("I told them I had goofed"): the writer's own
    words, not someone else's account. The reporter is the nearest person before the
    reporting word, within a few words. A thought stays a hedge ("I think we should have
    seen it"), unless the writer thinks it of themself ("I think I should have known"):
    then it is the writer's own verdict on their own step."""
    reporter = next(
        (
            word
            for word in reversed(tokens[max(0, place - 6) : place])
            if word in PERSON_PRONOUNS or word in _REPORTERS
        ),
        None,
    )
    if reporter != "i":
        return False
    if place and tokens[place - 1] in _PASSIVE_REPORT:
        return False  # "I was told I was a liar": someone else said it to the writer
    if tokens[place] in _SPOKEN:
        return True
    after = tokens[place + 1 : place + 3]
    if after[:1] == ["that"]:
        after = after[1:]
    return after[:1] in (["i"], ["i'm"], ["i'd"], ["i've"])


# What opens a relative clause about a person ("whoever", "who"), and what starts a new
# clause after it, whose own subject then speaks ("the team who owns it said the job ...").
_RELATIVE_HEADS = words_set("whoever who")
_NEW_CLAUSE = words_set("which whether when because if so since while although")
# "that" opens a clause before a determiner or a pronoun ("noticed that the disk ..."), and
# is a determiner itself before a noun ("signed off on that schema").
_CLAUSE_OPENERS = words_set(
    "the a an it its we they he she i you this these those our their his her my"
)


def _relative_person(tokens: list[str]) -> bool:
    """True when the clause's subject is a relative clause about a person: "whoever" or
    "who" followed by its own verb and object, with no new clause after it. "who" as the
    last word is a question or the subject itself, which ``Context.subject`` reads."""
    lowered = [token.lower() for token in tokens]
    heads = [index for index, word in enumerate(lowered) if word in _RELATIVE_HEADS]
    if not heads or heads[-1] >= len(lowered) - 1:
        return False
    after = lowered[heads[-1] + 1 :]
    return not any(
        word in _NEW_CLAUSE
        or (word == "that" and set(after[place + 1 : place + 2]) & _CLAUSE_OPENERS)
        for place, word in enumerate(after)
    )


def _relative_verb(tokens: list[str], place: int) -> bool:
    """True when the reporting word at ``place`` is the verb of a relative clause about
    the subject ("whoever wrote the runbook should have ..."), with no one named after it
    whose words it could report ("the manager who said I should have ...")."""
    if not any(word in _RELATIVE_HEADS for word in tokens[max(0, place - 2) : place]):
        return False
    return not any(word in PERSON_PRONOUNS or word == "i" for word in tokens[place + 1 :])


def deliberate_removal(ctx: Context, start: int, end: int) -> bool:
    """True when a removal in ``start:end`` ("deleted", "dropped") is followed by its
    purpose ("... in an attempt to give the database room"): a step someone chose during
    the incident, not damage they did."""
    return (
        _REMOVAL.search(ctx.scan, start, end) is not None
        and _PURPOSE.match(ctx.after(end, 100)) is not None
    )
