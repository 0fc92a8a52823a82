"""The sandbox's notices on a phone: a notice sits over the top of the conversation, so a
tap anywhere on it puts it away (the Dismiss button still works, and errors stay until
dismissed or their time runs out)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import NARROW, shoot

pytestmark = pytest.mark.browser


def test_a_notice_on_a_phone_goes_away_when_tapped_anywhere(page: Any, sandbox: Any) -> None:
    page.set_viewport_size(NARROW)
    page.goto(sandbox.url)
    page.get_by_role("button", name="+1 day").click()
    notice = page.locator(".toast-notice").filter(has_text="It's now")
    expect(notice).to_be_visible()
    shoot(page, "notice-on-a-phone")
    notice.locator(".toast-message").click()
    expect(notice).to_have_count(0, timeout=2000)  # long before it would time out
