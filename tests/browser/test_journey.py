"""The whole journey in a browser, as a newcomer would take it in the sandbox.

Type `/setback`, fill the six screens (closing once and resuming), read the summary DM,
move the clock a day, answer the check-in, reply in its thread, share a blameless retro
to #team-retros (with a flagged phrase in the preview), open Home, then switch to Ben and
find nothing of Ada's. Every step goes page → sandbox → signed request → the real bot →
Web API → sandbox → page, exactly as it would with Slack.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import pick, shoot

pytestmark = pytest.mark.browser

TITLE = "Config push broke checkout"
FLAGGED = "should have"  # a counterfactual: the share preview's blameless check flags it
FACTS = f"I pushed a config change at 16:40 and I {FLAGGED} waited for the canary."
NOTE = "Added the migration check to the PR template today."


def type_in_composer(tab: Any, text: str) -> None:
    box = tab.locator("#composer-input")
    box.fill(text)
    box.press("Enter")


def modal_at(tab: Any, step: int) -> Any:
    modal = tab.locator("#modal")
    expect(modal).to_be_visible()
    expect(modal).to_contain_text(f"Step {step} of 6")
    return modal


def press_submit(tab: Any, name: str = "Continue") -> None:
    tab.locator("#modal-submit").filter(has_text=name).click()


def screen_what_happened(tab: Any) -> None:
    modal_at(tab, 1)
    tab.get_by_label("A short title").fill(TITLE)
    tab.get_by_label("What happened, step by step").fill(FACTS)
    tab.get_by_label("When did it happen?").fill("2026-11-24")
    press_submit(tab)


def screen_self_compassion(tab: Any) -> None:
    modal_at(tab, 2)
    pick(tab.locator("#modal"), "How do you feel about it?", "Embarrassed", "Anxious")
    tab.get_by_label("3 · noticeably").check()
    tab.get_by_label("What would you tell a friend this happened to?").fill(
        "It makes sense you're shaken; you caught it and fixed it fast."
    )
    shoot(tab, "02-modal-self-compassion", docs="sandbox-modal.png", frame=tab.locator("#modal"))
    press_submit(tab)


def screen_accountability(tab: Any) -> None:
    modal_at(tab, 3)
    tab.get_by_label("Your part, in one sentence").fill(
        "I merged the change without running the migration check."
    )
    tab.get_by_label("Yes", exact=True).check()
    press_submit(tab)


def close_and_resume(tab: Any) -> None:
    modal_at(tab, 4)
    tab.keyboard.press("Escape")  # Esc closes the modal, like Slack's ×
    expect(tab.locator("#modal-overlay")).to_be_hidden()
    type_in_composer(tab, "/setback")
    expect(tab.locator("#modal")).to_contain_text("You have a reflection in progress")
    expect(tab.locator("#modal")).to_contain_text(TITLE)
    shoot(tab, "03-resume-choice")
    tab.locator("#modal").get_by_role("button", name="Resume").click()
    modal_at(tab, 4)


def screen_self_reflection(tab: Any) -> None:
    tab.get_by_label("What did you expect to happen?").fill("The flag would only touch staging.")
    tab.get_by_label("Why did your choice make sense at that moment?").fill(
        "The flag name matched the staging one and the review was green."
    )
    tab.get_by_label("Contributing factors — at least two, one per line").fill(
        "Staging and production flags share a name\nThe check is manual"
    )
    press_submit(tab)


def screen_support(tab: Any) -> None:
    modal_at(tab, 5)
    pick(tab.locator("#modal"), "Who could you talk to?", "Ben Okafor")
    tab.get_by_label("A peer").check()
    press_submit(tab)


def screen_growth(tab: Any) -> None:
    modal_at(tab, 6)
    tab.get_by_label("The lesson you take from this").fill(
        "Checks that rely on memory fail on busy days."
    )
    tab.get_by_label("Plan 1: if…").fill("I'm about to merge a config change")
    tab.get_by_label("Plan 1: then I will…").fill("run the migration check first")
    expect(tab.get_by_label("Plan 1: check in with me")).to_have_value("default")
    press_submit(tab, "Finish")
    expect(tab.locator("#modal-overlay")).to_be_hidden()


def see_the_summary(tab: Any) -> Any:
    summary = tab.locator("#messages .message.from-app").filter(
        has_text=f"Your reflection: {TITLE}"
    )
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Checks that rely on memory fail on busy days.")
    expect(summary.get_by_role("button", name="Share a blameless retro")).to_be_visible()
    shoot(tab, "04-summary-dm")
    return summary


def a_day_later_the_check_in(tab: Any, summary: Any) -> Any:
    tab.get_by_role("button", name="+1 day").click()
    delivered = tab.locator(".toast").filter(has_text="1 check-in delivered")
    expect(delivered).to_be_visible()
    delivered.get_by_role("button", name="Dismiss").click()
    expect(tab.locator("#clock-now")).to_contain_text("Thu 26 Nov")
    summary.get_by_role("button", name=re.compile(r"^1 reply")).click()
    thread = tab.locator("#thread")
    expect(thread).to_be_visible()
    question = thread.locator(".message.from-app").filter(has_text="Has it had a chance")
    expect(question.get_by_role("button", name="Done")).to_be_visible()
    expect(question).to_contain_text("run the migration check first")
    shoot(tab, "05-check-in", docs="sandbox-checkin.png", frame=thread)
    return thread.locator(f'li[data-ts="{question.get_attribute("data-ts")}"]')


def answer_done_and_add_a_note(tab: Any, checkin: Any) -> None:
    checkin.get_by_role("button", name="Done").click()
    expect(checkin).to_contain_text("Marked done — nice work.")
    expect(checkin.get_by_role("button", name="Done")).to_have_count(0)
    reply = tab.locator("#thread-input")
    reply.fill(NOTE)
    reply.press("Enter")
    thread = tab.locator("#thread")
    expect(thread.locator(".message").filter(has_text=NOTE)).to_be_visible()
    expect(checkin).to_contain_text("Note saved")
    shoot(tab, "06-done-and-note")


def share_to_team_retros(tab: Any, summary: Any) -> None:
    tab.locator("#thread-close").click()
    summary.get_by_role("button", name="Share a blameless retro").click()
    modal = tab.locator("#modal")
    expect(modal).to_contain_text("Post in")
    modal.get_by_label("Post in").select_option(label="#team-retros")
    modal.get_by_role("checkbox", name="What happened").check()
    modal.get_by_role("checkbox", name="The lesson").check()
    press_submit(tab, "Preview")
    expect(modal).to_contain_text(f"“{FLAGGED}”")  # the flagged phrase, with a reframe idea
    shoot(tab, "07-share-preview")
    press_submit(tab, "Post")
    # "Posting…" turns into the outcome once the post lands, while the modal is open.
    expect(modal).to_contain_text("Your blameless retro is posted in #team-retros")
    modal.get_by_role("button", name="Close", exact=True).click()
    expect(tab.locator("#modal-overlay")).to_be_hidden()
    tab.locator("#sidebar").get_by_role("link", name="team-retros").click()
    post = tab.locator("#messages .message.from-app").filter(has_text=TITLE)
    expect(post).to_be_visible()
    expect(post).to_contain_text("Checks that rely on memory fail on busy days.")
    expect(post).not_to_contain_text("It makes sense you're shaken")  # feelings stay private
    shoot(tab, "08-retro-in-channel")


def open_home(tab: Any) -> None:
    tab.locator("#sidebar").get_by_role("link", name="Setback").click()
    tab.get_by_role("tab", name="Home").click()
    home = tab.locator("#home-body .home-view")
    expect(home).to_contain_text(TITLE)
    shoot(tab, "09-home")


def ben_sees_nothing_of_adas(tab: Any) -> None:
    tab.get_by_label("Signed in as").select_option(label="Ben Okafor")
    expect(tab.get_by_role("tab", name="Messages")).to_have_attribute("aria-selected", "true")
    expect(tab.locator("#messages .intro")).to_be_visible()
    expect(tab.locator("#messages .message")).to_have_count(0)
    tab.get_by_role("tab", name="Home").click()
    expect(tab.locator("#home-body .home-view")).to_be_visible()
    expect(tab.locator("#home-body")).not_to_contain_text(TITLE)
    expect(tab.locator("#home-body")).not_to_contain_text("migration check")
    shoot(tab, "10-ben-home")
    for name in ("general", "leads"):
        tab.locator("#sidebar").get_by_role("link", name=name).click()
        expect(tab.locator("#messages")).not_to_contain_text(TITLE)


def test_the_whole_journey(page: Any, sandbox: Any) -> None:
    page.goto(sandbox.url)
    expect(page.locator("#messages .intro")).to_contain_text("private space with Setback")
    shoot(page, "01-workspace")

    type_in_composer(page, "/setback")
    screen_what_happened(page)
    screen_self_compassion(page)
    screen_accountability(page)
    close_and_resume(page)
    screen_self_reflection(page)
    screen_support(page)
    screen_growth(page)

    summary = see_the_summary(page)
    checkin = a_day_later_the_check_in(page, summary)
    answer_done_and_add_a_note(page, checkin)
    share_to_team_retros(page, summary)
    open_home(page)
    ben_sees_nothing_of_adas(page)
