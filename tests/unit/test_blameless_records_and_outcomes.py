"""The blameless check on what fresh postmortems hold and a guide would leave alone:
handles in credits and timeline entries, the team reasoning about its own gap, a verdict
on an outage, a technique named "lazy", a system failing its health check. Each clean
sentence has a twin, a person judged the same way, that must still be flagged.

The sentences are our own, shaped after what a batch of published postmortems held.
"""

from __future__ import annotations

import pytest

from bot.language.blameless import check

CLEAN = [
    # handles credited or recorded, not contact details
    "**Author**: @ada\n\nThe release went out with a broken engine hash.",
    "Reviewers: @bo, @cy and @dee",
    "The outage was reported on Gitter by @ada, and the investigation started.",
    "We added an @emergency role on Discord that pings the maintainers.",
    "@bo on Discord pinged the team.",
    "outage.<br> 04:27 - @ada sees and acknowledges the message.<br> 05:07 - fix merged",
    # the team reasoning about its own gap
    "We could have detected the issue before the release went out.",
    "The platform came up and we missed the HA step.",
    # a verdict on what happened, not on anyone
    "Such outages are unacceptable, and we apologise to everyone affected.",
    "The delay was inexcusable for a service this many teams rely on.",
    # a technique, not a trait
    "The join avoids later lazy DB lookups.",
    "Lazy loading of the relationship hid the N+1 query.",
    # a system failing a check
    "The PCF Operations Manager failed a health check and reprovisioned the VM.",
    # a postmortem with sections names people by their public handles
    "# Outage\n\n## Timeline\n\n- [03-26 07:37] @liggitt finds the cause.\n"
    "- Thanks @random-liu for root-causing this.",
    # mailing lists and an author's own credit are not a person's contact detail
    "A statement was sent to etcd-dev@googlegroups.com and dev@kubernetes.io.",
    "The report went to bounty@ethereum.org the same day.",
    "Created By: Ada Lovelace <ada@example.com>",
    # "should have" owning something, not wishing the past away
    "We should have alerting on config load failures.",
    "Actions fall under three types, and we should have at least one item per type.",
    # an environment, a security list, an authors' section
    "We deployed each version of our infrastructure to dev until we found what broke.",
    "It was reported to the security team at vulnerabilities@discuss.example.io.",
    "## Authors\n\nada@example.com\n\n## Summary\n\nThe proxy crashed.",
    # a quoted chat message goes on past its first line (a lazy continuation)
    ">Ada [5:17 PM]\nand by 80 I mean 55 because I forgot the quota we asked for",
    # every author under the heading, not only the first
    "## Author(s)\n\n- Ana Diaz <ana@example.com>\n- Bo Chen <bo@example.com>\n\n## Summary",
    # the event weighed, the team reasoning about itself, a measure whose subject is left out
    "This was a planning failure, and could have been avoided with a load test.",
    "Had we performed a load test before launch, the queue would have held.",
    "Running it in CI would have been a lot of work, but also would have caught this bug.",
    "The crash came from a known issue which this release (v4.x) would have addressed.",
    # an outcome weighed, and a story breaking
    "A testnet shared with clients introduces unacceptable risk.",
    "It started as the news of the takeover of Twitter broke.",
    # what could have followed, a state, something to own, a picture's caption
    "Left in place, the URLs could have been used to mislead people.",
    "A user could have concluded that the upload had failed.",
    "Some members of the dev team did not have access to the beta site.",
    "Rows were written to the table without TTLs when they should have TTLs.",
    "We ran it again.\n\n![Fork Bomb Failed](../res/fork-bomb-failed.png)\n\nThe host held.",
    # a team's planned step, not damage someone did
    "Since the subdomains are no longer in use, the Lab team deleted the DNS records.",
    # a template's headings and table labels, an outcome weighed, something to own
    "### Who did it affect and how?",
    "| Customers Impacted | Support Cases Raised | Customer Data Loss |\n|---|---|---|",
    "The length of this outage was unacceptable, and we are changing how we report.",
    "We should have synchronization jobs for everything that webhooks touch.",
    # an outcome denied, a role to take on, a motive, a loss weighed
    "We looked into it, and to our knowledge no private data was shared inappropriately.",
    "Nothing was deleted inappropriately during the clean-up.",
    "We want every team to use these tools and be careful stewards of the data.",
    "The vendor didn't want to tell the other bidders about the change.",
    "Losing your saved settings is unacceptable, and we are sorry.",
    # a heading ends its sentence: its last words are not the next line's subject
    "## Corrective and Preventative Measure\nfailed. The bug made the scheduler retry.",
    # a slip denied
    "We went through the checklist twice and forgot nothing.",
    # the team speaking as the service, words for what happens to systems
    "During the outage we failed to process 74.7% of received requests.",
    "The spam was meant to exhaust maintainer triage time.",
    "The graphs take us from queue health to the erroneous worker.",
    # a state, an outcome, a means to tell
    "Most users would have likely had their dependencies cached already.",
    "With modules from other registries you would have seen no impact.",
    "We logged every write, so we could clearly see whether a change helped.",
    # a step chosen during the incident, content described, a system's failure weighed,
    # the team asking itself why
    "- 4:59 Tobias deleted the read replica in an attempt to give the DB room to catch up.",
    "Visitors were served malicious/inappropriate content for an hour.",
    "It is absolutely unacceptable when a reboot of one machine affects the site.",
    "4. **Why haven't we seen this before?**",
    # a vendor named as a five-whys asks about it
    "4. **Why did Fastly create validation DNS for the backend origin?**",
    # the writer's own prompt, on a line of its own, that the next lines answer
    "The proxy sent a 502.\nWhy didn't I know about this sooner?\nThere was no alert on it.",
    # a general risk, not this incident's cause
    "Without config management, user error and manual mis-configurations can affect security.",
]

STILL_FLAGGED = [
    ("Ping @dana about the logs.", "@dana"),
    ("The outage started at 04:27 when @dana pushed the change.", "@dana"),
    ("I could have checked the config before merging.", "could have"),
    ("I missed a few edge cases in the migration.", "I missed a few edge"),
    ("They missed the deadline again.", "They missed the deadline"),
    ("Bob's behaviour was unacceptable.", "unacceptable"),
    ("The developer is lazy.", "is lazy"),
    ("Dana Smith failed the review twice.", "Dana Smith failed"),
    ("Thanks @dana for the logs.", "@dana"),
    ("Contact: ana@example.com", "ana@example.com"),
    ("Write to ada.lovelace@example.com for the keys.", "ada.lovelace@example.com"),
    ("We should have waited for the canary.", "should have"),
    ("Our new dev broke the build.", "Our new dev broke"),
    ("## Summary\n\nada@example.com\n\nThe proxy crashed.", "ada@example.com"),
    ("Ada said it was fine.\n\nI forgot the quota we asked for.", "I forgot"),
    ("## Summary\n\n- Ana Diaz <ana@example.com>\n- Bo Chen <bo@example.com>", "bo@example.com"),
    ("She could have avoided it with a load test.", "could have"),
    ("Had they performed a load test, the queue would have held.", "Had they performed"),
    ("Checked the logs, but also could have asked the on-call first.", "could have"),
    ("That was unacceptable behaviour from the new hire.", "unacceptable"),
    ("Ana broke the staging database.", "Ana broke"),
    ("Ana could have asked the on-call first.", "could have"),
    ("The dev team didn't test the patch.", "The dev team didn't"),
    ("They should have waited for the canary.", "should have"),
    ("![Diagram](d.png) Ana Diaz failed the review.", "Ana Diaz failed"),
    ("The new developer deleted the DNS records.", "deleted"),
    ("The ops team ignored the warning.", "ignored"),
    ("Who did this to the cluster?", "Who did this"),
    ("Customer Acme lost a day of data.", "Customer Acme"),
    ("We should have also contacted the affected collectives.", "should have"),
    # an adverb on -s is no plural thing owned
    ("I should have always checked the flag.", "should have"),
    ("I should have perhaps waited for the canary.", "should have"),
    # the twins: a person's act judged, a promise to try harder, a slip
    ("Ana shared the private data inappropriately.", "inappropriately"),
    ("No, Ana shared the private data inappropriately.", "inappropriately"),
    ("There was no review and Ana acted recklessly.", "recklessly"),
    ("Next time we will be careful with the deploy script.", "be careful"),
    ("We should be careful when we merge config.", "be careful"),
    ("The vendor didn't deliver the patch on time.", "The vendor didn't"),
    ("Ana losing the keys was unacceptable.", "unacceptable"),
    ("The review went badly: Dana Smith\nfailed the review twice.", "Dana Smith\nfailed"),
    ("We went through the checklist, but forgot the last step.", "but forgot"),
    ("During the outage we failed to notice the alert.", "we failed to"),
    ("He is a lazy, erroneous developer.", "is a lazy"),
    ("She would have noticed the typo.", "would have"),
    ("You could clearly see the error in the log.", "clearly"),
    ("Tobias deleted the read replica by mistake.", "deleted"),
    ("His comments in the channel were inappropriate.", "inappropriate"),
    ("It is unacceptable when a developer skips the review.", "unacceptable"),
    ("Why didn't you test it before the release?", "Why didn't you"),
    ("4. **Why did Ana create validation DNS for the backend origin?**", "Why did Ana"),
    ("User error and a stale config caused the outage.", "User error"),
    ("I stared at it and thought: why didn't I test it before the release?", "why didn't I"),
    ("The proxy sent a 502.\nWhy didn't you know about this sooner?", "Why didn't you"),
]


@pytest.mark.parametrize("text", CLEAN)
def test_what_a_blameless_postmortem_holds_is_left_alone(text: str) -> None:
    assert [(f.rule, f.phrase) for f in check(text)] == []


@pytest.mark.parametrize(("text", "phrase"), STILL_FLAGGED)
def test_the_same_words_about_a_person_are_still_flagged(text: str, phrase: str) -> None:
    assert phrase in [f.phrase for f in check(text)], [(f.rule, f.phrase) for f in check(text)]
