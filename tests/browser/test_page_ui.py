"""The page itself: keyboard use in modals, visible focus, field errors, Slack's refusals
shown to the developer, and a layout that works at 1280×800 and in a narrow window."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import NARROW, shoot

pytestmark = pytest.mark.browser

IN_MODAL = "document.getElementById('modal').contains(document.activeElement)"
FOCUS_SHOWN = """() => {
  const s = getComputedStyle(document.activeElement);
  return s.outlineStyle !== 'none' || s.boxShadow !== 'none';
}"""


def start(tab: Any, url: str, who: str = "U0ADA") -> None:
    tab.goto(f"{url}/?as={who}")
    expect(tab.locator("#messages .intro")).to_be_visible()
    if tab.locator("#modal-overlay").is_visible():  # left open by an earlier test
        tab.keyboard.press("Escape")
        expect(tab.locator("#modal-overlay")).to_be_hidden()


def open_reflection(tab: Any) -> Any:
    box = tab.locator("#composer-input")
    expect(box).to_be_focused()  # the page starts in the message box
    tab.keyboard.type("/setback")
    tab.keyboard.press("Enter")
    modal = tab.locator("#modal")
    expect(modal).to_contain_text("Step 1 of 6")
    return modal


def test_keyboard_alone_gets_through_a_modal(page: Any, sandbox: Any) -> None:
    start(page, sandbox.url)
    modal = open_reflection(page)
    expect(page.get_by_label("A short title")).to_be_focused()

    page.keyboard.press("Enter")  # Enter in a one-line input submits; Slack's client checks first
    expect(modal.locator(".field-error").first).to_have_text("Please complete this required field.")
    expect(page.get_by_label("A short title")).to_be_focused()
    expect(page.get_by_label("A short title")).to_have_attribute("aria-invalid", "true")

    page.keyboard.type("Missed the release note")
    page.keyboard.press("Tab")
    expect(page.get_by_label("What happened, step by step")).to_be_focused()
    assert page.evaluate(FOCUS_SHOWN)
    page.keyboard.type("I forgot to post the release note.")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(modal).to_contain_text("Step 2 of 6")
    shoot(page, "ui-01-keyboard-step-2")

    for _ in range(40):  # Tab never leaves the modal
        page.keyboard.press("Tab")
        assert page.evaluate(IN_MODAL)
    page.locator("#modal-submit").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Close dialog")).to_be_focused()
    assert page.evaluate(FOCUS_SHOWN)
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#modal-submit")).to_be_focused()

    page.keyboard.press("Escape")
    expect(page.locator("#modal-overlay")).to_be_hidden()
    expect(page.locator("#composer-input")).to_be_focused()  # focus comes back where it was


def test_the_bots_field_errors_show_under_their_inputs(page: Any, sandbox: Any) -> None:
    start(page, sandbox.url, "U0BEN")
    modal = open_reflection(page)
    page.get_by_label("A short title").fill("Deleted the wrong branch")
    page.get_by_label("What happened, step by step").fill("I deleted a branch someone used.")
    page.locator("#modal-submit").click()
    page.get_by_label("2 · a little").check()
    page.get_by_label("What would you tell a friend this happened to?").fill("Easy to do.")
    page.locator("#modal-submit").click()
    expect(modal).to_contain_text("Step 3 of 6")
    page.get_by_label("Your part, in one sentence").fill("I deleted it without asking.")
    page.get_by_label("Not sure yet").check()
    page.locator("#modal-submit").click()
    expect(modal).to_contain_text("Step 4 of 6")
    page.get_by_label("What did you expect to happen?").fill("That nobody used it.")
    page.get_by_label("Why did your choice make sense at that moment?").fill("It looked stale.")
    factors = page.get_by_label("Contributing factors — at least two, one per line")
    factors.fill("Only one factor")
    page.locator("#modal-submit").click()

    error = modal.locator(".input-block", has=factors).locator(".field-error")
    expect(error).to_contain_text("two")  # the bot's own words, answered as response_action errors
    expect(factors).to_be_focused()
    expect(factors).to_have_attribute("aria-invalid", "true")
    shoot(page, "ui-02-field-error")
    factors.fill("The branch looked stale\nNobody had a lock on it")
    page.locator("#modal-submit").click()
    expect(modal).to_contain_text("Step 5 of 6")


def _web_api(url: str, method: str, token: str, **params: str) -> dict:
    request = urllib.request.Request(
        f"{url}/api/{method}",
        data=json.dumps(params).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())


def test_what_slack_would_refuse_is_shown_on_the_page(page: Any, sandbox: Any) -> None:
    start(page, sandbox.url)
    token = json.loads((sandbox.output.parent / ".setback" / "sandbox.json").read_text())[
        "bot_token"
    ]
    assert _web_api(sandbox.url, "auth.test", "xoxb-wrong")["error"] == "invalid_auth"
    toast = page.locator(".toast-rejection")
    expect(toast.filter(has_text="Slack refused auth.test: invalid_auth")).to_be_visible()

    refused = _web_api(sandbox.url, "chat.postMessage", token, channel="C0RETROS", text="hi")
    assert refused["error"] == "not_in_channel"
    expect(toast.filter(has_text="chat.postMessage: not_in_channel")).to_be_visible()
    too_many = [{"type": "divider"}] * 51
    refused = _web_api(
        sandbox.url, "chat.postMessage", token, channel="C0GENERAL", blocks=json.dumps(too_many)
    )
    assert refused["error"] == "invalid_blocks"
    expect(toast.filter(has_text="chat.postMessage: invalid_blocks")).to_be_visible()

    page.get_by_role("button", name=re.compile(r"^Slack log \(\d+ refused\)")).click()
    log = page.locator("#log")
    expect(log).to_be_visible()
    expect(log.locator("#log-rejections")).to_contain_text("no more than 50 items allowed")
    expect(log.locator("#log-rejections")).to_contain_text("not_in_channel")
    shoot(page, "ui-03-slack-log")
    page.keyboard.press("Escape")
    expect(log).to_be_hidden()


def test_only_visible_to_you_goes_with_the_page_as_in_slack(page: Any, sandbox: Any) -> None:
    """An ephemeral answer shows in the page that was open, and a reload shows none of
    them: it was never part of the conversation, nor of what the sandbox saves."""
    start(page, sandbox.url)
    ephemeral = page.locator("#messages .message.ephemeral")
    expect(ephemeral).to_have_count(0)
    box = page.locator("#composer-input")
    box.fill("/setback help")
    box.press("Enter")
    expect(ephemeral).to_have_count(1)
    expect(ephemeral).to_contain_text("Only visible to you")
    page.locator("#sidebar").get_by_role("link", name="general").click()
    page.locator("#sidebar").get_by_role("link", name="Setback").click()
    expect(ephemeral).to_have_count(1)  # still there while the page is open

    page.reload()
    expect(page.locator("#messages .intro")).to_be_visible()
    page.get_by_role("button", name="+1 hour").click()  # something new arrives, a re-read
    expect(page.locator(".toast-notice").last).to_contain_text("It's now")
    expect(ephemeral).to_have_count(0)
    state = (sandbox.output.parent / ".setback" / "sandbox-state.json").read_text()
    assert "is_ephemeral" not in state  # what the sandbox saves never held it


def test_a_permalink_opens_its_message_on_the_page(page: Any, sandbox: Any) -> None:
    """ "Open it" after a post goes to the message, as in Slack, not to a page that is not there."""
    start(page, sandbox.url)
    token = json.loads((sandbox.output.parent / ".setback" / "sandbox.json").read_text())[
        "bot_token"
    ]
    posted = _web_api(sandbox.url, "chat.postMessage", token, channel="C0GENERAL", text="A retro")
    link = _web_api(
        sandbox.url, "chat.getPermalink", token, channel="C0GENERAL", message_ts=posted["ts"]
    )["permalink"]
    _web_api(sandbox.url, "chat.postMessage", token, channel="U0ADA", text=f"<{link}|Open it>")

    page.locator("#messages").get_by_role("link", name="Open it").click()
    expect(page.locator("#main-header")).to_contain_text("general")
    expect(page.locator(f'#messages li[data-ts="{posted["ts"]}"]')).to_have_class(
        re.compile(r"\blinked\b")
    )


def test_a_person_deletes_what_they_wrote_and_a_deleted_thread_goes_with_it(
    page: Any, sandbox: Any
) -> None:
    """What Slack lets a person do: delete their own reply (the app cannot). A message
    deleted under a reply shows as Slack shows it, and goes once its last reply goes."""
    start(page, sandbox.url)
    token = json.loads((sandbox.output.parent / ".setback" / "sandbox.json").read_text())[
        "bot_token"
    ]
    root = _web_api(sandbox.url, "chat.postMessage", token, channel="U0ADA", text="Root note")
    item = page.locator(f'#messages li[data-ts="{root["ts"]}"]')
    item.hover()
    expect(item).to_contain_text("Root note")
    expect(item.get_by_role("button", name="Delete your message")).to_have_count(0)  # the app's

    _web_api(
        sandbox.url, "chat.postMessage", token, channel="U0ADA", text="Reply", thread_ts=root["ts"]
    )
    item.get_by_role("button", name="1 reply").click()
    reply = page.locator("#thread-input")
    reply.fill("My own words")
    reply.press("Enter")
    mine = page.locator("#thread .message").filter(has_text="My own words")
    expect(mine).to_be_visible()
    _web_api(sandbox.url, "chat.delete", token, channel="D0ADA", ts=root["ts"])
    expect(item).to_contain_text("This message was deleted.")
    expect(item).not_to_contain_text("USLACKBOT")
    shoot(page, "ui-06-deleted-message")

    mine.hover()
    mine.get_by_role("button", name="Delete your message").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("This cannot be undone.")
    dialog.get_by_role("button", name="Delete").click()
    expect(page.locator("#thread .message").filter(has_text="My own words")).to_have_count(0)
    _web_api(sandbox.url, "chat.delete", token, channel="D0ADA", ts=_last_reply(sandbox, root))
    expect(item).to_have_count(0)  # no reply left: the deleted message is gone too


def _last_reply(sandbox: Any, root: dict) -> str:
    state = json.loads(
        urllib.request.urlopen(f"{sandbox.url}/sandbox/state?user=U0ADA", timeout=10).read()
    )
    dm = next(c for c in state["conversations"] if c["is_im"])
    return max(m["ts"] for m in dm["messages"] if m.get("thread_ts") == root["ts"])


def test_nothing_due_is_said_plainly(page: Any, sandbox: Any) -> None:
    start(page, sandbox.url)
    before = page.locator("#clock-now").inner_text()
    page.get_by_role("button", name="+1 hour").click()
    expect(page.locator(".toast-notice").last).to_contain_text("Nothing was due yet.")
    expect(page.locator("#clock-now")).not_to_have_text(before)


def test_a_wide_window_has_sidebar_conversation_and_no_sideways_scroll(
    page: Any, sandbox: Any
) -> None:
    start(page, sandbox.url)
    expect(page.locator("#sidebar")).to_be_visible()
    expect(page.get_by_role("button", name="Channels")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#sidebar").get_by_role("link", name="leads").click()
    expect(page.locator("#main-header")).to_contain_text("Setback isn't in this channel")
    expect(page.locator("#main-header")).not_to_contain_text("null")


def test_a_narrow_window_folds_the_sidebar_away(page: Any, sandbox: Any) -> None:
    page.set_viewport_size(NARROW)
    start(page, sandbox.url)
    sidebar = page.locator("#sidebar")
    menu = page.get_by_role("button", name="Channels")
    expect(menu).to_be_visible()
    assert sidebar.bounding_box()["x"] + sidebar.bounding_box()["width"] <= 0  # off screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "ui-04-narrow")

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.wait_for_function("document.getElementById('sidebar').getBoundingClientRect().x >= 0")
    sidebar.get_by_role("link", name="general").click()
    expect(page.locator("#main-header")).to_contain_text("general")
    expect(menu).to_have_attribute("aria-expanded", "false")

    menu.click()
    page.locator("#app-list a").click()
    page.locator("#composer-input").fill("/setback")
    page.locator("#composer-input").press("Enter")
    modal = page.locator("#modal")
    expect(modal).to_be_visible()  # a new reflection, or the offer to resume one
    box = modal.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"]
    shoot(page, "ui-05-narrow-modal")
    page.keyboard.press("Escape")
