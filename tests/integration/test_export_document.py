"""The export's Markdown is a document a person reads: names, not ids; channel names;
dates in their zone; statuses in words; check-ins under their plan; no empty plan. The
JSON beside it keeps every stored field as stored."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from scheduler.dispatcher import run_once
from tests.integration.harness import (
    ADA,
    BEN,
    SAMPLE_STEPS,
    START,
    Harness,
    choice,
    day,
    form,
    text,
    users,
    wait_for,
)
from tests.integration.test_checkins import click, has_buttons, posted_checkins, shown
from tests.integration.test_export import export_files
from tests.integration.test_share import share

# As Slack sends the growth screen: the third plan's check-in choice keeps its default
# even though no third plan was written.
STEPS = (
    *SAMPLE_STEPS[:4],
    form(people=users(BEN), reach_out_by=day("2026-11-30")),
    {**SAMPLE_STEPS[5], **form(schedule_3=choice("default"))},
)
CODES = ("U0BEN", "C0RETROS", "let_go", "Monday = 0", "0,1,2,3,4", "2026-11-24", "complete")


def _journey(h: Harness) -> None:
    """Finish a reflection, share it in #team-retros, answer the first check-ins."""
    root = h.finish_setback(ADA, STEPS)
    share(h, ADA, root, "C0RETROS")
    h.clock.set(START + timedelta(days=1))
    assert run_once(h.rt).sent == 2
    first, second = posted_checkins(h, root)
    click(h, first, "setback_checkin_working")
    click(h, second, "setback_checkin_let_go")
    for message in (first, second):  # answers are recorded after the ack
        wait_for(lambda m=message: not has_buttons(shown(h, m)), what="answered check-in")
    h.settle()


def _plan_block(md: str, name: str) -> list[str]:
    """The line of one plan and the check-in lines nested under it."""
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"- **{name}:**"))
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("  - "):
            break
        block.append(line)
    return block


def test_the_markdown_reads_as_a_document(harness) -> None:
    h = harness
    _journey(h)
    h.command(ADA, "export")
    files = export_files(h, ADA)
    md = files["md"].decode()

    for code in CODES:
        assert code not in md, f"{code!r} is an internal code"
    assert "Plan 3" not in md, "an empty plan is not a plan"

    assert "- **Who could you talk to? (private, they won't be notified)**\n  ben\n" in md
    assert "In #team-retros, under your name: posted Wed 25 Nov 2026" in md
    assert "- **When did it happen?**\n  Tue 24 Nov 2026\n" in md
    assert "Finished · started Wed 25 Nov 2026, 10:00" in md
    assert "- Workdays: Monday to Friday" in md

    plan_1 = _plan_block(md, "Plan 1")
    assert "run the migration check first — still open" in plan_1[0]
    assert len(plan_1) == 1 + 4  # its four check-ins, under it
    assert "Thu 26 Nov 2026, 10:00 · check-in 1 of 4: answered “Still working on it”" in (plan_1[1])
    plan_2 = _plan_block(md, "Plan 2")
    assert "ask for a second reviewer — let go" in plan_2[0]
    assert "answered “Let it go”" in plan_2[1]
    assert all(re.search(r"\d{4}, \d\d:\d\d", line) for line in plan_1[1:] + plan_2[1:])
    reaching_out = _plan_block(md, "Reaching out")
    assert "ben" in reaching_out[0] and "by Mon 30 Nov 2026" in reaching_out[0]
    repair = _plan_block(md, "Repair")
    assert "by Fri 27 Nov 2026" in repair[0] and len(repair) == 2

    # The JSON keeps every stored field as stored.
    (setback,) = json.loads(files["json"])["setbacks"]
    assert setback["status"] == "complete"
    assert setback["answers"]["4"]["people"] == [BEN]
    assert setback["answers"]["5"]["schedule_3"] == "default"
    assert {sh["channel"] for sh in setback["shares"]} == {"C0RETROS"}
    assert "let_go" in {c["status"] for c in setback["commitments"]}
    assert json.loads(files["json"])["settings"]["workdays"] == "0,1,2,3,4"


def test_a_name_slack_cannot_give_falls_back_to_the_id(harness) -> None:
    h = harness
    h.finish_setback(ADA, STEPS)
    h.ws.fail_next("users.info", error="user_not_found", times=5)
    h.command(ADA, "export")
    md = export_files(h, ADA)["md"].decode()
    assert "- **Who could you talk to? (private, they won't be notified)**\n  U0BEN\n" in md


def test_a_draft_shows_where_it_stopped(harness) -> None:
    h = harness
    h.open_reflection(ADA)
    h.submit(ADA, form(title=text("Half written"), facts=text("Just the facts so far.")))
    h.wait_modal(ADA, "setback_step", 1)
    h.command(ADA, "export")
    md = export_files(h, ADA)["md"].decode()
    assert "In progress (stopped at screen 2 of 6)" in md
    assert "draft" not in md
