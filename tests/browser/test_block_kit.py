"""Every Block Kit element the bot may send, rendered by the page and read back exactly.

A modal built with ``slack_sdk.models`` holds one of each input and interactive element.
A person fills it in the browser; the stand-in bot then receives the signed
``view_submission`` and ``block_actions`` Slack would send, and the test checks the
state values have Slack's shapes (``selected_option`` objects, ``selected_users``,
``selected_date`` …), that field errors show under their inputs and that a confirm
dialog guards a dangerous button.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    ConversationSelectElement,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    OverflowMenuElement,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from sandbox.clock import SandboxClock
from sandbox.delivery import SlackDelivery
from sandbox.page import PageActions
from sandbox.seed import ADA, BEN, GENERAL, RETROS, seed
from sandbox.server import SandboxServer
from sandbox.timetravel import TimeMachine
from sandbox.workspace import Workspace
from tests.integration.harness import wait_for
from tests.sandbox.test_delivery import SIGNING_SECRET, Receiver

from .conftest import WIDE, pick, shoot

pytestmark = pytest.mark.browser


def options(*values: str) -> list[Option]:
    return [Option(value=v, text=v.capitalize()) for v in values]


def kitchen_sink() -> dict[str, Any]:
    def field(block_id: str, label: str, element: Any, **extra: Any) -> InputBlock:
        return InputBlock(block_id=block_id, label=label, element=element, **extra)

    blocks = [
        HeaderBlock(text="Every element"),
        SectionBlock(
            text=MarkdownTextObject(
                text="*Bold*, _italic_, `code` and <https://example.org|a link>"
            ),
            fields=[
                MarkdownTextObject(text="*Left*\none"),
                MarkdownTextObject(text="*Right*\ntwo"),
            ],
            accessory=OverflowMenuElement(action_id="more", options=options("archive", "rename")),
        ),
        ContextBlock(elements=[MarkdownTextObject(text=":lock: Only you can see this")]),
        DividerBlock(),
        field("title", "Title", PlainTextInputElement(action_id="title", max_length=80)),
        field("facts", "Facts", PlainTextInputElement(action_id="facts", multiline=True)),
        field("count", "How many", NumberInputElement(action_id="count", is_decimal_allowed=False)),
        field(
            "mood", "Mood", StaticSelectElement(action_id="mood", options=options("calm", "tense"))
        ),
        field(
            "tags",
            "Tags",
            StaticMultiSelectElement(
                action_id="tags", options=options("deploy", "config", "review")
            ),
            optional=True,
        ),
        field("owner", "Owner", UserSelectElement(action_id="owner")),
        field("people", "People", UserMultiSelectElement(action_id="people"), optional=True),
        field("where", "Channel", ConversationSelectElement(action_id="where")),
        field(
            "kinds",
            "Kinds",
            CheckboxesElement(action_id="kinds", options=options("peer", "mentor")),
        ),
        field(
            "level", "Level", RadioButtonsElement(action_id="level", options=options("low", "high"))
        ),
        field("day", "Day", DatePickerElement(action_id="day")),
        field("time", "Time", TimePickerElement(action_id="time"), optional=True),
        ActionsBlock(
            block_id="buttons",
            elements=[
                ButtonElement(text="Save draft", action_id="save", value="s1", style="primary"),
                ButtonElement(
                    text="Delete",
                    action_id="delete",
                    value="d1",
                    style="danger",
                    confirm=ConfirmObject(
                        title="Delete it?",
                        text="This cannot be undone.",
                        confirm="Delete",
                        deny="Keep it",
                    ),
                ),
                DatePickerElement(action_id="remind_on"),
            ],
        ),
    ]
    view = View(
        type="modal",
        callback_id="sink",
        title="Kitchen sink",
        submit="Save",
        close="Cancel",
        notify_on_close=True,
        blocks=blocks,
    )
    return view.to_dict()


class Local:
    """The page server in this process, with a stand-in bot that records what it gets."""

    def __init__(self) -> None:
        self.ws = Workspace(clock=SandboxClock())
        seed(self.ws)
        self.bot = Receiver()
        delivery = SlackDelivery(self.ws, self.bot.url, SIGNING_SECRET)
        actions = PageActions(self.ws, delivery, TimeMachine(self.ws.clock, None))
        self.server = SandboxServer(self.ws, actions, port=0).start()
        self.ws.web_url = self.server.url

    def payloads(self, kind: str) -> list[dict[str, Any]]:
        return [r["payload"] for r in self.bot.requests if r["payload"].get("type") == kind]

    def close(self) -> None:
        self.server.stop()
        self.bot.close()


@pytest.fixture
def local() -> Iterator[Local]:
    running = Local()
    yield running
    running.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=WIDE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"the page raised JavaScript errors: {errors}"


def test_every_input_reads_back_in_slacks_shape(local: Local, tab: Any) -> None:
    local.ws.use_trigger_id(local.ws.issue_trigger_id(ADA))
    view = local.ws.open_view(ADA, kitchen_sink())
    tab.goto(local.server.url)
    modal = tab.locator("#modal")
    expect(modal.locator("h3")).to_have_text("Every element")
    expect(modal.locator("strong").first).to_have_text("Bold")
    expect(modal.get_by_role("link", name="a link")).to_have_attribute(
        "href", "https://example.org"
    )
    expect(modal.locator(".section-fields")).to_contain_text("Right")

    modal.get_by_label("Title").fill("Pushed on a Friday")
    modal.get_by_label("Facts").fill("Line one\nLine two")
    modal.get_by_label("How many").fill("3")
    modal.get_by_label("Mood").select_option("tense")
    pick(modal, "Tags", "Config")
    modal.get_by_label("Owner", exact=True).select_option(label="Ben Okafor")
    pick(modal, "People", "Ada Lovelace")
    modal.get_by_label("Channel").select_option(label="#team-retros")
    modal.get_by_role("checkbox", name="Mentor").check()
    modal.get_by_role("radio", name="High").check()
    modal.get_by_label("Day", exact=True).fill("2026-11-27")
    modal.get_by_label("Time (optional)").fill("09:30")
    shoot(tab, "kit-01-every-element")

    local.bot.answer(
        {"response_action": "errors", "errors": {"title": "Use at least 30 characters"}}
    )
    tab.locator("#modal-submit").click()
    error = modal.locator(".input-block", has=tab.get_by_label("Title")).locator(".field-error")
    expect(error).to_have_text("Use at least 30 characters")
    values = wait_for(lambda: local.payloads("view_submission"), what="a submission")[-1]["view"][
        "state"
    ]["values"]
    assert values["title"]["title"] == {"type": "plain_text_input", "value": "Pushed on a Friday"}
    assert values["facts"]["facts"]["value"] == "Line one\nLine two"
    assert values["count"]["count"] == {"type": "number_input", "value": "3"}
    assert values["mood"]["mood"]["selected_option"]["value"] == "tense"
    assert values["mood"]["mood"]["selected_option"]["text"]["text"] == "Tense"
    assert [o["value"] for o in values["tags"]["tags"]["selected_options"]] == ["config"]
    assert values["owner"]["owner"] == {"type": "users_select", "selected_user": BEN}
    assert values["people"]["people"]["selected_users"] == [ADA]
    assert values["where"]["where"]["selected_conversation"] == RETROS
    assert [o["value"] for o in values["kinds"]["kinds"]["selected_options"]] == ["mentor"]
    assert values["level"]["level"]["selected_option"]["value"] == "high"
    assert values["day"]["day"] == {"type": "datepicker", "selected_date": "2026-11-27"}
    assert values["time"]["time"] == {"type": "timepicker", "selected_time": "09:30"}

    local.bot.answer(None)  # an empty ack closes the modal
    tab.get_by_label("Title").fill("Pushed a config change on a Friday afternoon")
    tab.locator("#modal-submit").click()
    expect(tab.locator("#modal-overlay")).to_be_hidden()
    assert not local.ws.is_open(view["id"])


def test_buttons_menus_and_pickers_send_block_actions(local: Local, tab: Any) -> None:
    local.ws.use_trigger_id(local.ws.issue_trigger_id(ADA))
    view = local.ws.open_view(ADA, kitchen_sink())
    tab.goto(local.server.url)
    expect(tab.locator("#modal")).to_be_visible()
    tab.get_by_label("Title").fill("kept while clicking")

    tab.get_by_role("button", name="Save draft").click()
    clicks = wait_for(lambda: local.payloads("block_actions"), what="a click")
    action = clicks[-1]["actions"][0]
    assert (action["action_id"], action["value"], action["block_id"]) == ("save", "s1", "buttons")
    assert clicks[-1]["view"]["id"] == view["id"]
    assert clicks[-1]["view"]["state"]["values"]["title"]["title"]["value"] == "kept while clicking"

    tab.get_by_role("button", name="Delete").click()
    dialog = tab.get_by_role("alertdialog")
    expect(dialog).to_contain_text("This cannot be undone.")
    dialog.get_by_role("button", name="Keep it").click()
    expect(dialog).to_be_hidden()
    tab.get_by_role("button", name="Delete").click()
    tab.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    wait_for(lambda: local.payloads("block_actions")[-1]["actions"][0]["action_id"] == "delete")
    assert [p["actions"][0]["action_id"] for p in local.payloads("block_actions")] == [
        "save",
        "delete",
    ]  # "Keep it" sent nothing

    tab.get_by_role("button", name="More actions").click()
    tab.get_by_role("menuitem", name="Rename").click()
    wait_for(lambda: local.payloads("block_actions")[-1]["actions"][0]["action_id"] == "more")
    assert local.payloads("block_actions")[-1]["actions"][0]["selected_option"]["value"] == "rename"

    tab.locator('[data-action-id="remind_on"]').fill("2026-12-01")
    wait_for(lambda: local.payloads("block_actions")[-1]["actions"][0]["action_id"] == "remind_on")
    assert local.payloads("block_actions")[-1]["actions"][0]["selected_date"] == "2026-12-01"

    tab.get_by_role("button", name="Cancel").click()
    closed = wait_for(lambda: local.payloads("view_closed"), what="view_closed")
    assert closed[-1]["view"]["state"]["values"]["title"]["title"]["value"] == "kept while clicking"


def test_messages_render_mrkdwn_safely(local: Local, tab: Any) -> None:
    local.ws.post_message(
        GENERAL,
        text="*Heads up* <@U0BEN> &lt;script&gt;alert(1)&lt;/script&gt; <!here> ~old~ <https://example.org|docs>",
    )
    tab.goto(local.server.url + "#/c/" + GENERAL)
    message = tab.locator("#messages .message").last
    expect(message.locator("strong")).to_have_text("Heads up")
    expect(message.locator(".mention.user")).to_have_text("@Ben Okafor")
    expect(message.locator(".mention.special")).to_have_text("@here")
    expect(message).to_contain_text("<script>alert(1)</script>")  # shown as text, never run
    expect(message.locator("script")).to_have_count(0)
    expect(message.locator("del")).to_have_text("old")
    expect(message.get_by_role("link", name="docs")).to_have_attribute("rel", "noopener noreferrer")


def picker_modal() -> dict[str, Any]:
    many = [Option(value=f"f{i}", text=f"Feeling {i}") for i in range(1, 13)]
    blocks = [
        InputBlock(
            block_id="feelings",
            label="How do you feel",
            element=StaticMultiSelectElement(
                action_id="feelings",
                options=many,
                placeholder="Choose any",
                max_selected_items=3,
            ),
        ),
        InputBlock(
            block_id="people",
            label="Who could you talk to",
            element=UserMultiSelectElement(action_id="people", placeholder="Pick people"),
            optional=True,
        ),
        InputBlock(
            block_id="note",
            label="Note",
            element=PlainTextInputElement(action_id="note"),
            optional=True,
        ),
    ]
    view = View(type="modal", callback_id="pick", title="Pickers", submit="Save", blocks=blocks)
    return view.to_dict()


def test_multi_selects_are_pickers_as_in_slack(local: Local, tab: Any) -> None:
    """Closed, a multi-select is one box with its placeholder, as heavy as in Slack; a
    click opens a searchable list; picked values are chips in the box, leave the list
    and can be removed; the list never holds more than max_selected_items allows."""
    local.ws.use_trigger_id(local.ws.issue_trigger_id(ADA))
    local.ws.open_view(ADA, picker_modal())
    tab.goto(local.server.url)
    modal = tab.locator("#modal")
    feelings = modal.get_by_label("How do you feel")
    expect(feelings).to_have_attribute("placeholder", "Choose any")
    expect(modal.get_by_role("option")).to_have_count(0)  # no option shows until a click
    expect(modal.get_by_text("Feeling 7")).to_have_count(0)
    box = modal.locator(".multi-select").first.bounding_box()
    assert box["height"] < 60  # one line, however many options it offers

    feelings.click()
    expect(feelings).to_have_attribute("aria-expanded", "true")
    expect(modal.get_by_role("option")).to_have_count(12)
    feelings.press_sequentially("1")  # Feeling 1, 10, 11, 12
    expect(modal.get_by_role("option")).to_have_count(4)
    modal.get_by_role("option", name="Feeling 11").click()
    expect(modal.locator(".ms-chip")).to_have_text(["Feeling 11×"])
    expect(feelings).to_have_value("")
    expect(modal.get_by_role("option", name="Feeling 11")).to_have_count(0)  # picked: gone
    feelings.press("ArrowDown")
    feelings.press("Enter")  # the first option still offered, by keyboard
    modal.get_by_role("option", name="Feeling 5").click()
    expect(modal.locator(".ms-chip")).to_have_count(3)
    expect(modal.get_by_role("option")).to_have_count(0)
    expect(modal.locator(".ms-menu").first).to_contain_text("You can pick up to 3.")
    shoot(tab, "kit-02-picker-open")

    feelings.press("Escape")  # closes the list, not the modal
    expect(feelings).to_have_attribute("aria-expanded", "false")
    expect(modal).to_be_visible()
    modal.get_by_role("button", name="Remove Feeling 5").click()
    feelings.press("Backspace")  # the last chip goes
    expect(modal.locator(".ms-chip")).to_have_text(["Feeling 11×"])

    pick(modal, "Who could you talk to", "Ben Okafor")
    modal.get_by_label("Note").click()  # clicking elsewhere closes any list
    expect(modal.get_by_role("option")).to_have_count(0)
    shoot(tab, "kit-03-picker-chips")

    local.bot.answer(None)
    tab.locator("#modal-submit").click()
    values = wait_for(lambda: local.payloads("view_submission"), what="a submission")[-1]["view"][
        "state"
    ]["values"]
    assert [o["value"] for o in values["feelings"]["feelings"]["selected_options"]] == ["f11"]
    assert values["feelings"]["feelings"]["selected_options"][0]["text"]["text"] == "Feeling 11"
    assert values["people"]["people"] == {"type": "multi_users_select", "selected_users": [BEN]}
