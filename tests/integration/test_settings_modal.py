"""`/setback settings` over HTTP: the modal, its validation, and check-ins that move
when working hours, workdays, the time zone or a pause change."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from bot.core.actor import Actor
from bot.members import settings as member_settings
from scheduler.dispatcher import run_once
from storage.db import session_scope
from storage.models import Checkin, Member
from tests.integration.harness import ADA, BEN, START, Harness, wait_for
from tests.integration.test_checkins import finish, posted_checkins
from tests.integration.test_home import open_home


def settings_form(
    start: str = "09:00",
    end: str = "17:00",
    days: tuple[int, ...] = (0, 1, 2, 3, 4),
    zone: str | None = None,
    pause: str | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    values: dict[str, dict[str, dict[str, Any]]] = {
        "work_start": {"work_start": {"selected_time": start}},
        "work_end": {"work_end": {"selected_time": end}},
        "workdays": {"workdays": {"selected_options": [{"value": str(d)} for d in days]}},
    }
    if zone is not None:
        values["tz_override"] = {"tz_override": {"value": zone}}
    if pause is not None:
        values["paused_until"] = {"paused_until": {"selected_date": pause}}
    return values


class HomeGate:
    """Holds the sandbox's answer to `views.publish` for one user until the test opens
    the gate. A Home refresh made before the bot answers a submission then keeps that
    answer waiting; one queued for after the answer does not. `limit` only stops a
    broken bot from hanging the test."""

    def __init__(self, h: Harness, user: str, limit: float = 5.0) -> None:
        self.h, self.user, self.limit = h, user, limit
        self.opened = threading.Event()
        self.held = 0
        self.timed_out = False

    def _on_change(self, kind: str, data: dict[str, Any]) -> None:
        if kind != "home_published" or data.get("user") != self.user:
            return
        self.held += 1
        if not self.opened.wait(self.limit):
            self.timed_out = True

    def __enter__(self) -> HomeGate:
        self.h.settle()  # earlier refreshes are done: only what follows meets the gate
        self._unsubscribe = self.h.ws.subscribe(self._on_change)
        return self

    def open(self) -> None:
        self.opened.set()

    def __exit__(self, *exc: object) -> None:
        self.opened.set()
        self._unsubscribe()


def open_settings(h: Harness, user: str = ADA) -> dict[str, Any]:
    assert h.command(user, "settings").error is None
    return h.wait_modal(user, "setback_settings")


def element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)["element"]


def member(h: Harness, user: str = ADA) -> Member:
    with session_scope(h.rt.engine, readonly=True) as s:
        return s.exec(select(Member).where(Member.user_id == user)).one()


def scheduled(h: Harness) -> list[Checkin]:
    with session_scope(h.rt.engine, readonly=True) as s:
        rows = s.exec(select(Checkin).where(Checkin.status == "scheduled").order_by(Checkin.id))
        return list(rows)


def test_the_modal_shows_the_current_settings(harness: Harness) -> None:
    h = harness
    finish(h)
    view = open_settings(h)
    assert element(view, "work_start")["initial_time"] == "09:00"
    assert element(view, "work_end")["initial_time"] == "17:00"
    days = [o["value"] for o in element(view, "workdays")["initial_options"]]
    assert days == ["0", "1", "2", "3", "4"]
    zone = next(b for b in view["blocks"] if b.get("block_id") == "tz_override")
    assert "Europe/London" in zone["hint"]["text"]
    assert "initial_date" not in element(view, "paused_until")
    assert (
        "Your next check-in: *Thu 26 Nov, 10:00 (Europe/London)*"
        in view["blocks"][0]["text"]["text"]
    )


def test_bad_values_get_kind_field_errors(harness: Harness) -> None:
    h = harness
    view = open_settings(h)
    resp = h.submit(ADA, settings_form(start="17:00", end="09:00", zone="Mars/Olympus"))
    assert resp.error is None
    errors = h.ws.view_errors[view["id"]]
    assert errors == {
        "work_end": "Pick an end time after the start time.",
        "tz_override": "I don't know that time zone. Try a name like Europe/Berlin or "
        "America/New_York.",
    }
    # Slack's client refuses to submit with no workday ticked; a crafted payload that
    # gets through anyway meets the same kind of error.
    crafted = member_settings.save_settings(h.rt, Actor(h.ws.team_id, ADA), settings_form(days=()))
    assert crafted.errors is not None
    assert crafted.errors["workdays"].startswith("Pick at least one day")
    assert h.modal(ADA) is not None  # still open, nothing saved
    with session_scope(h.rt.engine, readonly=True) as s:
        stored = s.exec(select(Member).where(Member.user_id == ADA)).first()
    assert stored is None or stored.work_start_min == 9 * 60


def test_saving_moves_the_checkins_still_to_come(harness: Harness) -> None:
    h = harness
    root = finish(h)
    before = {c.id: c.due_at for c in scheduled(h)}
    # Thu 26 Nov 10:00 UTC (two plans' day 1) and Fri 27 Nov 09:00 UTC (the repair).
    assert datetime(2026, 11, 27, 9, 0, tzinfo=UTC) in before.values()
    open_settings(h)
    resp = h.submit(ADA, settings_form("13:00", "17:30", (0, 1, 2, 3), zone="America/New_York"))
    assert resp.error is None
    saved = h.wait_modal(ADA, "setback_settings_saved")
    saved_text = " ".join(
        b.get("text", {}).get("text", "") if b["type"] == "section" else b["elements"][0]["text"]
        for b in saved["blocks"]
    )
    assert "13:00–17:30, Mon, Tue, Wed, Thu, in America/New_York" in saved_text
    assert "Your next check-in: Thu 26 Nov, 13:00." in saved_text
    m = member(h)
    assert (m.work_start_min, m.work_end_min, m.workdays, m.tz_override) == (
        780,
        1050,
        "0,1,2,3",
        "America/New_York",
    )
    after = {c.id: c.due_at for c in scheduled(h)}
    assert after.keys() == before.keys()
    # Day-1 check-ins: Thu 13:00 New York (18:00 UTC). The repair was due on a Friday,
    # no longer a workday: Monday 13:00 New York.
    assert sorted(set(after.values()))[:2] == [
        datetime(2026, 11, 26, 18, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 18, 0, tzinfo=UTC),
    ]
    # The dispatcher follows: nothing at Thursday 10:00 UTC, both plans at 18:00 UTC.
    assert run_once(h.rt, datetime(2026, 11, 26, 10, 0, tzinfo=UTC)).sent == 0
    assert run_once(h.rt, datetime(2026, 11, 26, 18, 0, tzinfo=UTC)).sent == 2
    assert len(posted_checkins(h, root)) == 2


def test_a_pause_holds_every_checkin_until_it_ends(harness: Harness) -> None:
    h = harness
    finish(h)
    open_settings(h)
    assert h.submit(ADA, settings_form(pause="2026-12-07")).error is None
    h.wait_modal(ADA, "setback_settings_saved")
    m = member(h)
    assert m.paused_until == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # midnight in London
    dues = sorted(c.due_at for c in scheduled(h))
    assert dues[0] == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert all(d >= datetime(2026, 12, 7, 9, 0, tzinfo=UTC) for d in dues)
    # The reopened modal shows the pause; clearing it resumes (times already moved stay).
    view = open_settings(h)
    assert element(view, "paused_until")["initial_date"] == "2026-12-07"
    assert h.submit(ADA, settings_form()).error is None
    h.wait_modal(ADA, "setback_settings_saved")
    assert member(h).paused_until is None


def test_saving_answers_slack_before_the_home_is_refreshed(harness: Harness) -> None:
    h = harness
    finish(h)
    open_home(h, ADA)  # her Home is open: the answer is followed by its refresh
    open_settings(h)
    with HomeGate(h, ADA) as gate:
        resp = h.submit(ADA, settings_form("13:00", "17:30"))
        # Answered while the Home refresh (if started) is still held at the gate.
        assert not gate.timed_out, "the answer waited for views.publish"
        assert resp.error is None, resp.error
        assert resp.json()["response_action"] == "update"
        gate.open()
        h.settle()
    assert gate.held >= 1, "the Home was refreshed after the answer"
    assert not gate.timed_out
    assert "13:00–17:30" in str(h.ws.home_view(ADA)["blocks"])


def test_a_past_pause_date_means_no_pause(harness: Harness) -> None:
    h = harness
    open_settings(h)
    assert h.submit(ADA, settings_form(pause="2026-11-20")).error is None
    h.wait_modal(ADA, "setback_settings_saved")
    assert member(h).paused_until is None
    assert h.clock.now() == START


def test_saving_changes_only_the_person_saving(harness: Harness) -> None:
    h = harness
    finish(h)
    open_settings(h, BEN)
    assert h.submit(BEN, settings_form("07:00", "11:00", (6,))).error is None
    h.wait_modal(BEN, "setback_settings_saved")
    assert member(h, BEN).workdays == "6"
    assert (member(h).work_start_min, member(h).workdays) == (540, "0,1,2,3,4")


def test_the_home_tab_button_opens_the_same_modal(harness: Harness) -> None:
    h = harness
    finish(h)
    assert h.slack.app_home_opened(ADA).error is None
    home = wait_for(
        lambda: (
            (v := h.ws.home_view(ADA))
            and any(
                e.get("action_id") == "setback_open_settings"
                for b in v["blocks"]
                for e in [b.get("accessory") or {}, *(b.get("elements") or [])]
            )
            and v
        ),
        what="home with a settings button",
    )
    resp = h.slack.click(ADA, "setback_open_settings", view_id=home["id"])
    assert resp.error is None
    view = h.wait_modal(ADA, "setback_settings")
    assert element(view, "work_start")["initial_time"] == "09:00"
