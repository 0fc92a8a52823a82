"""Adding Setback to a second workspace from the sandbox page, as a Slack admin would.

Ada's workspace has Setback from the start. Switch to Northwind (same org, its own
people and channels): Setback is not there, and `/setback` is not a command there. Add
it through the bot's "Add to Slack" page and the sandbox's authorize page (Cancel
first: nothing is installed; then Allow), open it from the bot's success page, and
complete a reflection as Cleo. Then switch back to Ada: nothing of Cleo's shows, and
neither workspace's Slack log holds a refused call (a token used for the wrong
workspace would be refused there). Last, Setback is removed from Northwind (Slack tells
the bot) and Ada's workspace goes on working. Every step goes through the real bot
over HTTP.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import pick, shoot
from .test_journey import modal_at, press_submit, type_in_composer

pytestmark = pytest.mark.browser

TITLE = "Launch email went to the wrong list"
LESSON = "A second pair of eyes on audience lists before sending."


def state_of(sandbox: Any, user: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{sandbox.url}/sandbox/state?user={user}", timeout=10) as reply:
        return dict(json.load(reply))


def switch_to_northwind(tab: Any) -> None:
    tab.get_by_label("Switch workspace").select_option(label="Northwind")
    expect(tab.get_by_label("Signed in as")).to_have_value("U0CLEO")
    expect(tab.locator("#team-name")).to_have_text("Northwind")
    expect(tab.locator("#home-body")).to_contain_text("Setback isn't installed in Northwind yet")
    shoot(tab, "install-00-not-installed")


def not_a_command_before_install(tab: Any) -> None:
    tab.locator("#sidebar").get_by_role("link", name="general").click()
    type_in_composer(tab, "/setback")
    expect(tab.locator("#toasts")).to_contain_text("not a valid command here")


def cancel_on_the_authorize_page(tab: Any) -> None:
    tab.locator("#sidebar").get_by_role("link", name="Add Setback").click()
    expect(tab.get_by_role("heading", name="Add Setback to your Slack workspace")).to_be_visible()
    tab.get_by_role("link", name="Add to Slack").click()
    expect(tab.get_by_label("Workspace to install in")).to_have_value("T0NORTHWIND")
    expect(tab.locator("body")).to_contain_text("Signed in as Cleo Achebe.")
    expect(tab.locator("body")).to_contain_text("Send messages as @setback")
    shoot(tab, "install-01-authorize")
    tab.get_by_role("button", name="Cancel").click()
    expect(tab.get_by_role("heading", name="Setback was not installed")).to_be_visible()
    expect(tab.locator("body")).to_contain_text("cancelled")


def allow_on_the_authorize_page(tab: Any) -> None:
    tab.get_by_role("link", name="Try again").first.click()
    tab.get_by_role("link", name="Add to Slack").click()
    expect(tab.get_by_label("Workspace to install in")).to_have_value("T0NORTHWIND")
    tab.get_by_role("button", name="Allow").click()
    expect(tab.get_by_role("heading", name="Setback is installed in Northwind")).to_be_visible()
    shoot(tab, "install-02-installed")
    tab.get_by_role("link", name="Open Setback in Slack").click()
    expect(tab.locator("#team-name")).to_have_text("Northwind")
    expect(tab.get_by_label("Signed in as")).to_have_value("U0CLEO")
    expect(tab.locator("#messages .intro")).to_be_visible()


def reflect_as_cleo(tab: Any) -> None:
    type_in_composer(tab, "/setback")
    modal_at(tab, 1)
    tab.get_by_label("A short title").fill(TITLE)
    tab.get_by_label("What happened, step by step").fill(
        "I picked the all-customers list instead of the beta list and sent the launch email."
    )
    tab.get_by_label("When did it happen?").fill("2026-11-24")
    press_submit(tab)
    modal_at(tab, 2)
    pick(tab.locator("#modal"), "How do you feel about it?", "Embarrassed")
    tab.get_by_label("3 · noticeably").check()
    tab.get_by_label("What would you tell a friend this happened to?").fill(
        "Anyone can pick the wrong list from two that look alike."
    )
    press_submit(tab)
    modal_at(tab, 3)
    tab.get_by_label("Your part, in one sentence").fill("I sent without checking the list.")
    tab.get_by_label("Yes", exact=True).check()
    press_submit(tab)
    modal_at(tab, 4)
    tab.get_by_label("What did you expect to happen?").fill("The beta list was the default.")
    tab.get_by_label("Why did your choice make sense at that moment?").fill(
        "The two lists have almost the same name."
    )
    tab.get_by_label("Contributing factors — at least two, one per line").fill(
        "Lists with similar names\nNo review step before sending"
    )
    press_submit(tab)
    modal_at(tab, 5)
    pick(tab.locator("#modal"), "Who could you talk to?", "Dev Raman")
    tab.get_by_label("A peer").check()
    press_submit(tab)
    modal_at(tab, 6)
    tab.get_by_label("The lesson you take from this").fill(LESSON)
    tab.get_by_label("Plan 1: if…").fill("I'm about to send a campaign")
    tab.get_by_label("Plan 1: then I will…").fill("ask Dev to check the list")
    press_submit(tab, "Finish")
    expect(tab.locator("#modal-overlay")).to_be_hidden()
    summary = tab.locator("#messages .message.from-app").filter(
        has_text=f"Your reflection: {TITLE}"
    )
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(LESSON)
    tab.get_by_role("tab", name="Home").click()
    expect(tab.locator("#home-body")).to_contain_text(TITLE)
    shoot(tab, "install-03-cleo-home")


def ada_sees_none_of_it(tab: Any) -> None:
    tab.get_by_label("Switch workspace").select_option(label="Sandbox")
    expect(tab.get_by_label("Signed in as")).to_have_value("U0ADA")
    expect(tab.locator("#team-name")).to_have_text("Sandbox")
    expect(tab.get_by_role("tab", name="Messages")).to_have_attribute("aria-selected", "true")
    expect(tab.locator("#messages .intro")).to_be_visible()
    expect(tab.locator("#messages")).not_to_contain_text(TITLE)
    tab.get_by_role("tab", name="Home").click()
    expect(tab.locator("#home-body .home-view")).to_be_visible()
    expect(tab.locator("#home-body")).not_to_contain_text(TITLE)
    expect(tab.locator("#home-body")).not_to_contain_text(LESSON)
    for name in ("general", "team-retros", "leads"):
        tab.locator("#sidebar").get_by_role("link", name=name).click()
        expect(tab.locator("#messages")).not_to_contain_text(TITLE)
    shoot(tab, "install-04-ada-home")


def remove_from_northwind(tab: Any) -> None:
    tab.get_by_label("Switch workspace").select_option(label="Northwind")
    expect(tab.get_by_label("Signed in as")).to_have_value("U0CLEO")
    tab.locator("#log-toggle").click()
    tab.get_by_role("button", name="Remove Setback from this workspace").click()
    tab.locator("#confirm-yes").click()
    expect(tab.locator("#toasts")).to_contain_text("Setback was removed from Northwind.")
    expect(tab.locator("#home-body")).to_contain_text("Setback isn't installed in Northwind yet")
    tab.locator("#log-close").click()


def ada_still_reflects(tab: Any) -> None:
    tab.get_by_label("Switch workspace").select_option(label="Sandbox")
    expect(tab.get_by_label("Signed in as")).to_have_value("U0ADA")
    tab.get_by_role("tab", name="Messages").click()
    type_in_composer(tab, "/setback")
    modal_at(tab, 1)
    tab.locator("#modal-cancel").click()
    expect(tab.locator("#modal-overlay")).to_be_hidden()


def test_add_setback_to_the_second_workspace_and_reflect_there(page: Any, sandbox: Any) -> None:
    page.goto(sandbox.url)
    expect(page.locator("#messages .intro")).to_contain_text("private space with Setback")
    switch_to_northwind(page)
    not_a_command_before_install(page)
    cancel_on_the_authorize_page(page)
    assert state_of(sandbox, "U0CLEO")["app_installed"] is False  # Cancel installed nothing
    allow_on_the_authorize_page(page)
    reflect_as_cleo(page)
    ada_sees_none_of_it(page)
    for person in ("U0ADA", "U0CLEO"):
        assert state_of(sandbox, person)["rejections"] == []
    remove_from_northwind(page)
    ada_still_reflects(page)
    assert state_of(sandbox, "U0ADA")["rejections"] == []
