"""The sandbox clock, snapshots of the workspace and the state file that keeps a journey."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sandbox.clock import SandboxClock
from sandbox.seed import ADA, BEN, GENERAL, seed
from sandbox.store import StateStore
from sandbox.timetravel import TimeMachine
from sandbox.workspace import Workspace
from tests.integration.harness import wait_for

from .conftest import ALICE, RANDOM, FakeClock, section
from .conftest import GENERAL as ALICE_GENERAL


class Wall:
    def __init__(self, at: float = 1_000_000.0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


def test_the_clock_is_the_wall_plus_an_offset_that_only_grows() -> None:
    wall = Wall()
    clock = SandboxClock(wall=wall)
    assert clock() == 1_000_000.0
    clock.advance(3600)
    wall.at += 5
    assert clock() == 1_000_000.0 + 3600 + 5
    with pytest.raises(ValueError):
        clock.advance(0)
    with pytest.raises(ValueError):
        clock.advance(-60)
    assert clock.offset == 3600


def test_start_at_makes_now_a_chosen_moment() -> None:
    wall = Wall()
    clock = SandboxClock(wall=wall)
    start = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    clock.start_at(start)
    assert clock.now() == start
    with pytest.raises(ValueError):
        clock.start_at(datetime(2026, 11, 25, 10, 0))


def test_a_snapshot_restores_messages_threads_modals_and_home(
    workspace: Workspace, clock: FakeClock
) -> None:
    parent = workspace.post_message(ALICE_GENERAL, text="summary", blocks=[section()])
    workspace.post_message(ALICE_GENERAL, text="reply", user=ALICE, thread_ts=parent["ts"])
    trigger = workspace.issue_trigger_id(ALICE)
    workspace.use_trigger_id(trigger)
    modal = workspace.open_view(
        ALICE, {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    )
    workspace.set_view_errors(modal["id"], {"title": "Please add a title"})
    home = workspace.publish_home(ALICE, {"type": "home", "blocks": [section("home")]})
    workspace.record_rejection("chat.postMessage", "not_in_channel", "C0RANDOM")

    copy = Workspace(clock=clock)
    copy.restore(json.loads(json.dumps(workspace.snapshot())))

    assert copy.thread(ALICE_GENERAL, parent["ts"])[1]["text"] == "reply"
    assert copy.get_message(ALICE_GENERAL, parent["ts"])["reply_count"] == 1
    assert copy.top_view(ALICE)["id"] == modal["id"]
    assert copy.errors_of(modal["id"]) == {"title": "Please add a title"}
    assert copy.home_view(ALICE)["id"] == home["id"]
    assert copy.recent("rejections")[-1]["error"] == "not_in_channel"
    assert copy.user(ALICE)["real_name"] == "Alice Example"
    # ids and timestamps keep counting from where they were, never reused
    assert copy.new_id("V") > modal["id"]
    assert copy.next_ts() > parent["ts"]


def test_a_snapshot_of_another_team_or_a_damaged_one_is_refused(workspace: Workspace) -> None:
    other = Workspace(team_id="T0OTHER")
    with pytest.raises(ValueError, match="team"):
        other.restore(workspace.snapshot())
    damaged = workspace.snapshot()
    del damaged["channels"]
    with pytest.raises(ValueError, match="incomplete"):
        Workspace().restore(damaged)


def test_the_state_file_keeps_only_what_slack_keeps(tmp_path: Path) -> None:
    """ "Only visible to you" messages, a closed modal with what was typed in it, and the
    parameters of Web API calls live in memory only: a restart forgets them, as Slack does."""
    path = tmp_path / "sandbox-state.json"
    ws, _, store = _fresh(path)
    seed(ws)
    dm = ws.im_channel_for(ADA)
    ws.post_ephemeral(dm, ADA, text="Only Ada sees this", require_member=False)
    ws.use_trigger_id(ws.issue_trigger_id(ADA))
    modal = ws.open_view(
        ADA, {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    )
    typed = {"type": "plain_text_input", "value": "I'm such an idiot."}
    ws.set_view_state(modal["id"], {"what": {"facts": typed}})
    ws.close_view(modal["id"])
    ws.record_call("chat.postMessage", {"channel": dm, "text": "You wrote: idiot"}, True, None)
    store.save()

    written = path.read_text()
    assert "Only Ada sees this" not in written
    assert "I'm such an idiot." not in written
    assert "You wrote: idiot" not in written
    again, _, again_store = _fresh(path)
    assert again_store.load() is True
    assert again.ephemeral_messages(ADA) == []
    assert again.view(modal["id"]) is None
    assert again.recent("calls")[-1] == {
        "method": "chat.postMessage",
        "ok": True,
        "error": None,
        "at": ws.recent("calls")[-1]["at"],
    }


def test_an_open_modal_keeps_what_was_typed_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "sandbox-state.json"
    ws, _, store = _fresh(path)
    seed(ws)
    ws.use_trigger_id(ws.issue_trigger_id(ADA))
    modal = ws.open_view(
        ADA, {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    )
    typed = {"type": "plain_text_input", "value": "Pushed on a Friday"}
    ws.set_view_state(modal["id"], {"what": {"facts": typed}})
    store.save()

    again, _, again_store = _fresh(path)
    assert again_store.load() is True
    assert again.top_view(ADA)["state"]["values"] == {"what": {"facts": typed}}


def test_trigger_ids_do_not_survive_a_restart(workspace: Workspace, clock: FakeClock) -> None:
    trigger = workspace.issue_trigger_id(ALICE)
    copy = Workspace(clock=clock)
    copy.restore(workspace.snapshot())
    with pytest.raises(Exception, match="invalid_trigger_id"):
        copy.use_trigger_id(trigger)


def _fresh(path: Path, offset: float = 0.0) -> tuple[Workspace, SandboxClock, StateStore]:
    clock = SandboxClock(offset)
    ws = Workspace(clock=clock)
    return ws, clock, StateStore(path, ws, clock)


def test_the_state_file_keeps_the_journey_and_the_clock(tmp_path: Path) -> None:
    path = tmp_path / "sandbox-state.json"
    ws, clock, store = _fresh(path)
    seed(ws)
    clock.advance(86_400)
    ws.post_message(ws.im_channel_for(ADA), text="Your reflection is saved")
    store.save()

    again, again_clock, again_store = _fresh(path)
    assert again_store.load() is True
    assert again_clock.offset == 86_400
    assert again.history(again.im_channel_for(ADA))[0]["text"] == "Your reflection is saved"
    assert again.channel(GENERAL)["name"] == "general"


def test_changes_are_written_soon_after_they_happen(tmp_path: Path) -> None:
    path = tmp_path / "sandbox-state.json"
    ws, _, store = _fresh(path)
    seed(ws)
    store.start()
    try:
        ws.post_message(GENERAL, text="hello", user=BEN)
        wait_for(lambda: path.exists() and "hello" in path.read_text(), what="a debounced save")
    finally:
        store.stop()


def test_an_unreadable_state_file_is_set_aside_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "sandbox-state.json"
    path.write_text("{ not json")
    ws, _, store = _fresh(path)
    assert store.load() is False
    assert (tmp_path / "sandbox-state.unreadable").read_text() == "{ not json"
    assert not path.exists()
    assert ws.user(ADA) is None  # nothing half-loaded


def test_add_member_is_what_invite_does(workspace: Workspace) -> None:
    assert workspace.add_member(RANDOM, workspace.bot_user_id) is True
    assert workspace.add_member(RANDOM, workspace.bot_user_id) is False
    assert workspace.bot_user_id in workspace.channel(RANDOM)["members"]


def test_moving_the_clock_asks_for_a_save_even_when_nothing_was_due(tmp_path: Path) -> None:
    path = tmp_path / "sandbox-state.json"
    ws, clock, store = _fresh(path)
    seed(ws)
    store.save()
    store.start()
    try:
        TimeMachine(clock, None, on_move=store.mark_dirty).advance(7 * 86_400)
        wait_for(
            lambda: json.loads(path.read_text())["clock_offset"] == clock.offset,
            what="the new offset on disk",
        )
    finally:
        store.stop()


def test_what_the_workspace_hands_out_is_a_copy_that_cannot_change_what_it_keeps(
    workspace: Workspace,
) -> None:
    posted = workspace.post_message(ALICE_GENERAL, text="hi", blocks=[section("kept")])
    posted["blocks"][0]["text"]["text"] = "changed by a caller"
    posted["blocks"].append(section("added by a caller"))
    stored = workspace.get_message(ALICE_GENERAL, posted["ts"])
    assert stored is not None
    assert [b["text"]["text"] for b in stored["blocks"]] == ["kept"]
    stored["blocks"][0]["text"]["text"] = "changed again"
    again = workspace.get_message(ALICE_GENERAL, posted["ts"])
    assert again is not None and again["blocks"][0]["text"]["text"] == "kept"
