"""The promises Setback makes to a person who is hard on themselves, on the real journey.

Ada writes harsh self-talk ("I'm such an idiot.") in What happened, finishes the six
screens, reads her summary, gets a check-in a day later, shares a blameless retro to
#team-retros with the composer's defaults (she picks the channel and the parts: What
happened and The lesson), exports her data, then deletes everything
with the confirmation's defaults. The promise:

* her harsh sentence is not repeated in the summary or in what is shared by default;
* afterwards nothing in the workspace carries her words — no message, thread reply,
  channel post or file, as anyone sees the workspace over the sandbox's HTTP API, and
  nothing in the state the sandbox saves (where Slack's data would live);
* the export files are gone (their links no longer answer);
* the bot's log, run with LOG_LEVEL=DEBUG, carries none of her words at any level —
  also when one of her submissions arrives late and is refused (a stale signature).

The sandbox and the bot run as in ``python -m sandbox``; the journey runs once per module
and each test checks one part of the promise, so a report names exactly which part broke.
"""

from __future__ import annotations

import base64
import html
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import pytest
from playwright.sync_api import expect
from slack_sdk.signature import SignatureVerifier

from tests.sandbox.launch import Launched, clean_env, get, launch

from .conftest import ARTIFACTS, START, WIDE, pick, shoot, wait_for

pytestmark = pytest.mark.browser

ADA = "U0ADA"
BEN = "U0BEN"
RETROS = "C0RETROS"
HARSH = "I'm such an idiot."
TITLE = "Kestrel config push broke checkout"
FACTS = (
    "I pushed the Kestrel flag at 16:40 without waiting for the canary. "
    f"Checkout failed for 40 minutes. {HARSH}"
)
FRIEND = "Anyone could miss the Quokka step on a release afternoon."
MY_PART = "I merged the Kestrel change without running the Quokka migration check."
EXPECTED = "The flag would only touch the Wombat staging cluster."
MADE_SENSE = "The Kestrel flag names matched and the Wombat review was green."
FACTORS = "Staging and production Kestrel flags share a name\nThe Quokka check is manual"
LESSON = "Manual checks like Quokka get skipped on busy Kestrel release days."
PLAN_IF = "I'm about to merge a Kestrel config change"
PLAN_THEN = "run the Quokka migration check first"

# Everything she wrote, and single words of it that survive any encoding (a form body,
# JSON, a URL): a log line or a saved file that holds any of them holds her words.
SENTENCES = (HARSH, TITLE, FACTS, FRIEND, MY_PART, EXPECTED, MADE_SENSE, LESSON, PLAN_IF)
SENTENCES += (PLAN_THEN, *FACTORS.splitlines())
TOKENS = ("such an idiot", "Kestrel", "Quokka", "Wombat")


def forms(text: str) -> set[str]:
    """``text`` as it may appear in a log or a file: raw, JSON-escaped, URL- and HTML-encoded."""
    return {
        text,
        json.dumps(text)[1:-1],
        quote(text),
        quote_plus(text),
        html.escape(text),
        html.escape(text, quote=False),
    }


NEEDLES = sorted({form.lower() for words in (*SENTENCES, *TOKENS) for form in forms(words)})


def her_words_in(text: str) -> list[str]:
    """The forms of her words found in ``text`` (case-insensitive)."""
    lowered = text.lower()
    return [needle for needle in NEEDLES if needle in lowered]


# ---------------------------------------------------------------------------- the journey


@dataclass
class Journey:
    """What the journey saw on the way, and what was left at the end."""

    summary: str = ""
    channel_post: str = ""
    export_urls: list[str] = field(default_factory=list)
    export_contents: list[str] = field(default_factory=list)
    told_it_is_done: bool = False
    state_after: dict[str, str] = field(default_factory=dict)  # person -> page state JSON
    file_status_after: dict[str, int] = field(default_factory=dict)
    saved_state: str = ""
    saved_files: list[str] = field(default_factory=list)  # decoded file contents
    log: str = ""


def state_of(running: Launched, user: str) -> dict[str, Any]:
    """What a freshly opened page shows ``user``: the sandbox's HTTP API, as the page reads it."""
    status, body = get(f"{running.url}/sandbox/state?user={user}")
    assert status == 200
    found: dict[str, Any] = json.loads(body)
    return found


def dm_of(state: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in state["conversations"] if c["is_im"])


def status_of(url: str) -> int:
    try:
        return get(url)[0]
    except urllib.error.HTTPError as exc:
        return exc.code


def write_the_reflection(tab: Any) -> None:
    modal = tab.locator("#modal")
    box = tab.locator("#composer-input")
    box.fill("/setback")
    box.press("Enter")
    expect(modal).to_contain_text("Step 1 of 6")
    tab.get_by_label("A short title").fill(TITLE)
    tab.get_by_label("What happened, step by step").fill(FACTS)
    tab.get_by_label("When did it happen?").fill("2026-11-24")
    shoot(tab, "promise-01-harsh-self-talk")
    tab.locator("#modal-submit").click()

    expect(modal).to_contain_text("Step 2 of 6")
    pick(modal, "How do you feel about it?", "Embarrassed", "Anxious")
    tab.get_by_label("3 · noticeably").check()
    tab.get_by_label("What would you tell a friend this happened to?").fill(FRIEND)
    tab.locator("#modal-submit").click()

    expect(modal).to_contain_text("Step 3 of 6")
    tab.get_by_label("Your part, in one sentence").fill(MY_PART)
    tab.get_by_label("Yes", exact=True).check()
    tab.locator("#modal-submit").click()

    expect(modal).to_contain_text("Step 4 of 6")
    tab.get_by_label("What did you expect to happen?").fill(EXPECTED)
    tab.get_by_label("Why did your choice make sense at that moment?").fill(MADE_SENSE)
    tab.get_by_label("Contributing factors — at least two, one per line").fill(FACTORS)
    tab.locator("#modal-submit").click()

    expect(modal).to_contain_text("Step 5 of 6")
    pick(modal, "Who could you talk to?", "Ben Okafor")
    tab.get_by_label("A peer").check()
    tab.locator("#modal-submit").click()

    expect(modal).to_contain_text("Step 6 of 6")
    tab.get_by_label("The lesson you take from this").fill(LESSON)
    tab.get_by_label("Plan 1: if…").fill(PLAN_IF)
    tab.get_by_label("Plan 1: then I will…").fill(PLAN_THEN)
    tab.locator("#modal-submit").click()
    expect(tab.locator("#modal-overlay")).to_be_hidden()


def a_late_delivery_of_her_answers(running: Launched, cwd: Path) -> None:
    """Her submission, well signed but delivered late (a clock skew, a slow network): the
    bot refuses it, and must not write what it carried into its log while doing so."""
    secret = json.loads((cwd / ".setback" / "sandbox.json").read_text())["signing_secret"]
    payload = {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX"},
        "user": {"id": ADA},
        "view": {"state": {"values": {"what": {"facts": {"value": FACTS}}}}},
        "response_urls": [{"response_url": f"{running.url}/response/late"}],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    stamp = str(int(time.time()) - 600)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    request = urllib.request.Request(
        f"http://127.0.0.1:{running.bot_port}/slack/events",
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature or "",
        },
    )
    try:
        urllib.request.urlopen(request, timeout=10)
        status = 200
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status == 401  # refused, as Slack's late deliveries are


def read_the_summary(tab: Any, seen: Journey) -> Any:
    summary = tab.locator("#messages .message.from-app").filter(
        has=tab.get_by_role("button", name="Share a blameless retro")
    )
    expect(summary).to_contain_text(LESSON)
    shoot(tab, "promise-02-summary")
    seen.summary = summary.inner_text()
    return summary


def a_day_later_a_check_in(tab: Any, running: Launched) -> None:
    tab.get_by_role("button", name="+1 day").click()
    expect(tab.locator(".toast").filter(has_text="1 check-in delivered")).to_be_visible()
    wait_for(
        lambda: PLAN_THEN in json.dumps(dm_of(state_of(running, ADA))["messages"]),
        what="the check-in quoting her plan",
    )


def share_with_the_defaults(tab: Any, running: Launched, summary: Any, seen: Journey) -> None:
    summary.get_by_role("button", name="Share a blameless retro").click()
    modal = tab.locator("#modal")
    # Where, and which parts, are hers to choose (nothing is ticked for her); the rest,
    # what the composer does with what she wrote, stays as it comes.
    modal.get_by_label("Post in").select_option(label="#team-retros")
    modal.get_by_role("checkbox", name="What happened").check()
    modal.get_by_role("checkbox", name="The lesson").check()
    shoot(tab, "promise-03-share-defaults")
    tab.locator("#modal-submit").click()  # to the preview
    expect(tab.locator("#modal-submit")).to_have_text("Post")
    shoot(tab, "promise-04-share-preview")
    tab.locator("#modal-submit").click()

    def posted() -> bool:
        state = state_of(running, ADA)
        retros = next(c for c in state["conversations"] if c["id"] == RETROS)
        return any(m.get("bot_id") for m in retros["messages"])

    wait_for(posted, timeout=20, what="the retro in #team-retros")
    if tab.locator("#modal-overlay").is_visible():  # the "Posting…" modal, if still open
        tab.keyboard.press("Escape")
        expect(tab.locator("#modal-overlay")).to_be_hidden()
    tab.locator("#sidebar").get_by_role("link", name="team-retros").click()
    post = tab.locator("#messages .message.from-app").last
    expect(post).to_be_visible()
    seen.channel_post = post.inner_text()
    shoot(tab, "promise-05-retro-in-channel")


def open_home(tab: Any) -> Any:
    tab.locator("#sidebar").get_by_role("link", name="Setback").click()
    tab.get_by_role("tab", name="Home").click()
    home = tab.locator("#home-body .home-view")
    expect(home.get_by_role("button", name="Delete everything")).to_be_visible()
    return home


def export_her_data(tab: Any, running: Launched, seen: Journey) -> None:
    open_home(tab).get_by_role("button", name="Export my data").click()

    def files() -> list[str]:
        return [
            f["url_private"]
            for m in dm_of(state_of(running, ADA))["messages"]
            for f in m.get("files") or []
        ]

    seen.export_urls = wait_for(files, timeout=20, what="the export files in her DM")
    seen.export_contents = [get(url)[1].decode("utf-8", "replace") for url in seen.export_urls]
    tab.get_by_role("tab", name="Messages").click()
    expect(tab.locator("#messages .file-card").first).to_be_visible()
    shoot(tab, "promise-06-export")


def delete_everything_with_the_defaults(tab: Any, running: Launched, seen: Journey) -> None:
    before = max(m["ts"] for m in dm_of(state_of(running, ADA))["messages"])
    tab.get_by_role("tab", name="Home").click()
    open_home(tab).get_by_role("button", name="Delete everything").click()
    expect(tab.locator("#modal")).to_contain_text("Delete everything")
    shoot(tab, "promise-07-delete-defaults")
    tab.locator("#modal-submit").click()  # the boxes as they came
    expect(tab.locator("#modal-overlay")).to_be_hidden()

    def told_it_is_done() -> bool:
        return any(
            m["ts"] > before and m.get("bot_id") and not m.get("thread_ts")
            for m in dm_of(state_of(running, ADA))["messages"]
        )

    try:  # a failure here is one broken promise: the others are still checked
        wait_for(told_it_is_done, timeout=30, what="the message saying everything was deleted")
        seen.told_it_is_done = True
    except AssertionError:
        seen.told_it_is_done = False
    tab.get_by_role("tab", name="Messages").click()
    shoot(tab, "promise-08-after-delete")


@pytest.fixture(scope="module")
def journey(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    """The whole journey once, with the bot logging at DEBUG; then the sandbox is stopped
    (Ctrl-C), so its saved state and the bot's whole log can be read."""
    cwd = tmp_path_factory.mktemp("promise")
    running = launch(
        cwd,
        ["--start", START],
        env=clean_env(SETBACK_DISPATCH_INTERVAL="86400", LOG_LEVEL="DEBUG"),
    )
    context = browser.new_context(viewport=WIDE, reduced_motion="reduce")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    seen = Journey()
    try:
        running.wait_open()
        tab.goto(running.url)
        expect(tab.locator("#messages .intro")).to_be_visible()
        write_the_reflection(tab)
        a_late_delivery_of_her_answers(running, cwd)
        summary = read_the_summary(tab, seen)
        a_day_later_a_check_in(tab, running)
        share_with_the_defaults(tab, running, summary, seen)
        export_her_data(tab, running, seen)
        delete_everything_with_the_defaults(tab, running, seen)
        seen.state_after = {who: json.dumps(state_of(running, who)) for who in (ADA, BEN)}
        seen.file_status_after = {url: status_of(url) for url in seen.export_urls}
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "FAILED-promise-journey.png"))
        raise
    finally:
        context.close()
        running.interrupt()
        seen.log = running.text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "test_promises.log").write_text(seen.log)
    saved = Path(cwd) / ".setback" / "sandbox-state.json"
    seen.saved_state = saved.read_text(encoding="utf-8")
    contents = json.loads(seen.saved_state)["workspace"]["file_content"].values()
    seen.saved_files = [base64.b64decode(c).decode("utf-8", "replace") for c in contents]
    yield seen


# ---------------------------------------------------------------------------- the promise


def test_her_words_reached_slack_before_she_deleted_them(journey: Journey) -> None:
    """The journey really put her words in the workspace: the checks below mean something."""
    assert TITLE in journey.summary
    assert "Quokka" in journey.channel_post
    assert journey.export_urls, "the export sent no file"
    assert any(HARSH in text for text in journey.export_contents)  # her own copy keeps all


def test_her_harsh_self_talk_is_not_repeated_in_the_summary_or_the_shared_retro(
    journey: Journey,
) -> None:
    assert "idiot" not in journey.summary.lower()
    assert "idiot" not in journey.channel_post.lower()


def test_she_is_told_when_everything_was_deleted(journey: Journey) -> None:
    assert journey.told_it_is_done, "no message in her DM said the deletion was done"


def test_after_delete_everything_no_message_thread_or_channel_post_carries_her_words(
    journey: Journey,
) -> None:
    found = {who: her_words_in(state) for who, state in journey.state_after.items()}
    assert found == {ADA: [], BEN: []}, f"her words are still in the workspace: {found}"


def test_after_delete_everything_her_export_files_are_gone(journey: Journey) -> None:
    assert journey.file_status_after
    assert set(journey.file_status_after.values()) == {404}, journey.file_status_after


def test_the_state_the_sandbox_saves_carries_none_of_her_words(journey: Journey) -> None:
    found = her_words_in(journey.saved_state) + [
        needle for text in journey.saved_files for needle in her_words_in(text)
    ]
    assert found == [], f"the saved workspace still holds her words: {sorted(set(found))}"


def test_the_bots_log_at_debug_carries_none_of_her_words(journey: Journey) -> None:
    assert "Setback is listening" in journey.log  # this is the bot's own log
    lines = [line for line in journey.log.splitlines() if her_words_in(line)]
    assert lines == [], f"{len(lines)} log line(s) carry her words, first: {lines[0][:400]}"
