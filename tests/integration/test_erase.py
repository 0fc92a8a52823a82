"""Delete everything: a confirm modal that says what goes; afterwards no table holds
anything of the person (scanned generically, decrypted), and everyone else's data stays."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import SQLModel

from bot.journal import views
from scheduler import jobs
from storage import reflections as reflection_store
from storage.db import session_scope
from storage.models import Checkin, MessageRemoval, Setback
from tests.integration.harness import ADA, BEN, SAMPLE_STEPS, form, text, wait_for
from tests.integration.test_export import BEN_STEPS
from tests.integration.test_home import add_share, make_draft, open_home, texts

ADA_CANARY = "ada-canary-7"
ADA_STEPS = (
    {**SAMPLE_STEPS[0], **form(facts=text(f"I pushed a config change. {ADA_CANARY}"))},
    *SAMPLE_STEPS[1:],
)


def scan(h, needle: str) -> list[str]:
    """Every table, every row, every column (decrypted by the column types): where does
    `needle` occur? Returns `table.column` hits."""
    hits: list[str] = []
    with h.rt.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                for column, value in row.items():
                    shown = value if isinstance(value, str) else json.dumps(value, default=str)
                    if needle in shown:
                        hits.append(f"{table.name}.{column}")
    return hits


def rows_per_table(h, user: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    with h.rt.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if "user_id" in table.c:
                n = len(conn.execute(select(table).where(table.c.user_id == user)).all())
                counts[table.name] = n
    return counts


def ada_with_everything(h) -> dict[str, Any]:
    summary_ts = h.finish_setback(ADA, ADA_STEPS)
    (done,) = [s for s in rows(h, Setback) if s.user_id == ADA]
    make_draft(h, ADA)
    add_share(h, ADA, done.id, replies=2)
    with session_scope(h.rt.engine) as s:
        reflection_store.add_safety_flag(s, h.ws.team_id, ADA, h.clock.now())
    h.finish_setback(BEN, BEN_STEPS)
    assert scan(h, ADA) and scan(h, ADA_CANARY), "the scan finds Ada before the erasure"
    assert any(c.status == "scheduled" for c in rows(h, Checkin) if c.user_id == ADA)
    return {"summary_ts": summary_ts}


def rows(h, model) -> list[Any]:
    with session_scope(h.rt.engine, readonly=True) as s:
        return list(s.execute(select(model)).scalars())


def erase_from_home(h, user: str, options: list[str]) -> None:
    view = open_home(h, user)
    h.slack.click(user, views.ACTION_ERASE, view_id=view["id"])
    modal = h.wait_modal(user, views.CALLBACK_ERASE)
    body = texts(modal)
    for what in ("reflection", "commitments", "check-ins", "settings", "summaries you shared"):
        assert what in body, what
    chosen = {"selected_options": [{"value": o} for o in options]}
    resp = h.submit(user, {views.ERASE_OPTIONS: {views.ERASE_OPTIONS: chosen}})
    assert resp.error is None
    assert h.modal(user) is None, "the modal closes at once"


def test_delete_everything_leaves_no_row_of_the_person(harness, caplog) -> None:
    h = harness
    before = ada_with_everything(h)
    ben_before = rows_per_table(h, BEN)
    assert ben_before["setback"] == 1 and ben_before["checkin"] > 0

    with caplog.at_level(logging.INFO):
        erase_from_home(h, ADA, [views.OPTION_SHARED])
        # The confirmation DM comes last: rows, Slack messages and the Home are done by then.
        wait_for(
            lambda: any(
                "Everything you kept in Setback is deleted" in m["text"] for m in h.dm(ADA)
            ),
            what="the confirmation DM",
        )

    assert scan(h, ADA) == []
    assert scan(h, ADA_CANARY) == []
    assert scan(h, "Missed the standup") == [], "the draft went too"
    assert rows_per_table(h, BEN) == ben_before, "Ben's data is untouched"
    assert scan(h, "ben-canary-3"), "and still readable"

    assert all(m.get("text") != "A blameless retro" for m in h.ws.history("C0GENERAL"))
    assert not any(m.get("text") == "…continued" for m in h.ws.messages["C0GENERAL"]), (
        "a long post's thread replies went too"
    )
    dm = h.ws.im_channel_for(ADA)
    assert any(m["ts"] == before["summary_ts"] for m in h.ws.history(dm)), "DM kept: not ticked"
    assert "Private by default" in texts(h.ws.home_view(ADA)), "the Home starts afresh"
    assert ADA_CANARY not in caplog.text and "Config push" not in caplog.text
    assert "erased everything of" in caplog.text
    assert scan(h, ADA) == [], "publishing the empty Home stored nothing"


def test_delete_everything_can_also_remove_the_dm_messages(harness) -> None:
    h = harness
    before = ada_with_everything(h)

    erase_from_home(h, ADA, [views.OPTION_DIRECT])

    dm = h.ws.im_channel_for(ADA)
    wait_for(
        lambda: all(m["ts"] != before["summary_ts"] for m in h.ws.history(dm)),
        what="the summary DM to be removed",
    )
    wait_for(lambda: not scan(h, ADA), what="Ada's rows to be gone")
    assert any(m.get("text") == "A blameless retro" for m in h.ws.history("C0GENERAL"))
    wait_for(
        lambda: any("Everything you kept" in m["text"] for m in h.dm(ADA)),
        what="the confirmation DM, posted after the summary was removed",
    )


def test_a_message_slack_could_not_remove_is_removed_later_by_housekeeping(harness) -> None:
    h = harness
    ada_with_everything(h)
    dm = h.ws.im_channel_for(ADA)
    ours = {m["ts"] for m in h.ws.history(dm) if m.get("user") == h.ws.bot_user_id}
    assert ours, "the summary and check-ins are in Ada's DM"
    h.ws.fail_next("chat.delete", error="fatal_error")  # Slack fails one of them

    erase_from_home(h, ADA, [views.OPTION_DIRECT])
    wait_for(
        lambda: any("Setback keeps trying" in m["text"] for m in h.dm(ADA)),
        what="a confirmation that says one message is still to go",
    )
    left = [m for m in h.ws.history(dm) if m["ts"] in ours]
    assert len(left) == 1, "the other messages went at once"
    [queued] = rows(h, MessageRemoval)
    assert (queued.channel, queued.ts, queued.attempts) == (dm, left[0]["ts"], 1)
    assert queued.error == "fatal_error"
    assert scan(h, ADA_CANARY) == [], "the queue holds where the message is, not what it said"

    jobs.housekeep(h.rt, h.clock.now())  # too early: its retry time has not come
    assert [m["ts"] for m in h.ws.history(dm) if m["ts"] in ours] == [left[0]["ts"]]

    jobs.housekeep(h.rt, h.clock.now() + timedelta(minutes=30))
    assert not [m for m in h.ws.history(dm) if m["ts"] in ours], "housekeeping removed it"
    assert rows(h, MessageRemoval) == []


def test_a_message_slack_will_never_let_go_is_not_retried(harness) -> None:
    h = harness
    ada_with_everything(h)
    h.ws.fail_next("chat.delete", error="cant_delete_message")

    erase_from_home(h, ADA, [views.OPTION_DIRECT])
    wait_for(
        lambda: any("ask a workspace admin" in m["text"] for m in h.dm(ADA)),
        what="a confirmation that names the message left behind",
    )
    assert not any("keeps trying" in m["text"] for m in h.dm(ADA))
    assert rows(h, MessageRemoval) == [], "nothing queued for a refusal that will not change"
