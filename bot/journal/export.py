"""Export: everything Setback keeps about one person, as a file in their DM.

Two files in one upload: JSON for machines (every stored field of every row of theirs,
decrypted, as stored) and Markdown for people (the reflection in the words they typed,
with their plans and check-ins): a document to read, with names where the rows hold
ids (asked of Slack when the export is made), dates in their zone and statuses in
words. Only the acting team + user's rows are read.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import SQLModel

from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.core.slack_client import error_code
from bot.reflection.answers import Answers
from bot.reflection.screens import MAX_COMMITMENTS, TOTAL_STEPS, FormField
from storage import journal as journal_store
from storage import members as member_store
from storage import sent as sent_store
from storage.db import session_scope
from storage.models import (
    Checkin,
    CheckinResponse,
    CheckinStatus,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Reflection,
    SafetyFlag,
    Setback,
    SetbackStatus,
    Share,
    ShareStatus,
)

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
HIDDEN = frozenset({"team_id", "enterprise_id"})  # the same for every row: shown once


def _row(model: SQLModel) -> dict[str, Any]:
    """Every stored field of a row (decrypted by the column types), JSON-ready."""
    return {k: _plain(v) for k, v in model.model_dump().items() if k not in HIDDEN}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def collect(rt: Runtime, actor: Actor) -> dict[str, Any]:
    """All of this person's data in this workspace, as one JSON-ready document."""
    team, user = actor.team_id, actor.user_id
    with session_scope(rt.engine, readonly=True) as s:
        member = member_store.get_member(s, team, user)
        setbacks = []
        for sb in journal_store.rows_of_person(s, Setback, team, user):
            item = _row(sb)
            item["answers"] = {
                str(r.step): r.answers for r in journal_store.rows_of_setback(s, Reflection, sb)
            }
            item["commitments"] = [
                _row(c) for c in journal_store.rows_of_setback(s, Commitment, sb)
            ]
            item["checkins"] = [_row(c) for c in journal_store.rows_of_setback(s, Checkin, sb)]
            item["shares"] = [_row(sh) for sh in journal_store.rows_of_setback(s, Share, sb)]
            setbacks.append(item)
        flags = [_row(f) for f in journal_store.rows_of_person(s, SafetyFlag, team, user)]
    return {
        "format": "setback-export",
        "version": FORMAT_VERSION,
        "exported_at": rt.clock.now().isoformat(),
        "team_id": team,
        "user_id": user,
        "settings": _row(member) if member else None,
        "setbacks": setbacks,
        "safety_flags": flags,
    }


# --- Markdown -----------------------------------------------------------------------------
#
# A document a person reads: no internal codes. People and channels by the names Slack
# gives them (`Names`; the id only when Slack cannot say), instants and days in the
# person's own time zone with the year, statuses in words, each check-in under the plan
# it follows up, and a plan left empty on the growth screen not shown at all. The JSON
# file beside it keeps every stored field as stored.

PLAN_FIELDS = re.compile(r"^(if|then|schedule)_(\d+)$")
MENTION = re.compile(r"<@([UW][A-Z0-9]{2,20})>")
SETBACK_STATUS = {
    SetbackStatus.DRAFT: "In progress",
    SetbackStatus.COMPLETE: "Finished",
    SetbackStatus.ARCHIVED: "Archived",
}
COMMITMENT_STATUS = {
    CommitmentStatus.ACTIVE: "still open",
    CommitmentStatus.DONE: "done",
    CommitmentStatus.LET_GO: "let go",
    CommitmentStatus.CANCELLED: "closed when the reflection was archived",
}
CHECKIN_STATUS = {
    CheckinStatus.SCHEDULED: "planned",
    CheckinStatus.CLAIMED: "planned",
    CheckinStatus.SENT: "sent, not answered",
    CheckinStatus.ANSWERED: "answered",
    CheckinStatus.CANCELLED: "not sent: the plan had ended",
    CheckinStatus.FAILED: "could not be delivered",
}
CHECKIN_RESPONSE = {  # the button the person pressed
    CheckinResponse.DONE: "answered “Done”",
    CheckinResponse.WORKING: "answered “Still working on it”",
    CheckinResponse.SNOOZED: "snoozed",
    CheckinResponse.LET_GO: "answered “Let it go”",
}
SHARE_STATUS = {
    ShareStatus.DRAFT: "not posted",
    ShareStatus.QUEUED: "being posted",
    ShareStatus.POSTING: "being posted",
    ShareStatus.POSTED: "posted",
    ShareStatus.FAILED: "could not be posted",
    ShareStatus.DELETED: "posted, then deleted",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Names:
    """What the Markdown calls the people and channels it mentions, by id: the names
    Slack gave when asked. An id Slack could not name is shown as it is."""

    people: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)

    def person(self, user_id: str) -> str:
        return self.people.get(user_id) or user_id

    def channel(self, channel_id: str) -> str:
        return self.channels.get(channel_id) or channel_id


def mentioned(data: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The user ids and channel ids the export names: the people picked on the support
    screen (and in the support plan built from them), and the channels shared in."""
    people: set[str] = set()
    channels: set[str] = set()
    for item in data["setbacks"]:
        for saved in item["answers"].values():
            people.update(str(u) for u in saved.get("people") or [])
        for c in item["commitments"]:
            people.update(MENTION.findall(c.get("text") or ""))
        channels.update(str(sh["channel"]) for sh in item["shares"] if sh.get("channel"))
    return people, channels


def look_up_names(client: WebClient, data: dict[str, Any]) -> Names:
    """Ask Slack for the name of each person and channel the export mentions (one call
    each). A refusal or a network failure leaves that id unnamed: the export still goes."""
    people, channels = mentioned(data)
    return Names(
        people={u: name for u in sorted(people) if (name := _user_name(client, u))},
        channels={c: name for c in sorted(channels) if (name := _channel_name(client, c))},
    )


def _user_name(client: WebClient, user_id: str) -> str | None:
    """The name Slack shows for a person: their display name, else their real name."""
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except Exception as exc:  # noqa: BLE001 - unnamed, not unsent
        log.info("users.info for the export failed: %s", error_code(exc))
        return None
    profile = user.get("profile") or {}
    for name in (profile.get("display_name"), profile.get("real_name"), user.get("real_name")):
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None


def _channel_name(client: WebClient, channel_id: str) -> str | None:
    try:
        channel = client.conversations_info(channel=channel_id).get("channel") or {}
    except Exception as exc:  # noqa: BLE001 - unnamed, not unsent
        log.info("conversations.info for the export failed: %s", error_code(exc))
        return None
    name = channel.get("name")
    return f"#{name}" if isinstance(name, str) and name else None


def _moment(iso: str | None, tz: str) -> str:
    """An instant as the person would say it, in their zone, with the year."""
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(tz)).strftime("%a %-d %b %Y, %H:%M")


def _day(iso: str | None, tz: str) -> str:
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(tz)).strftime("%a %-d %b %Y")


def _calendar_day(value: str) -> str:
    """A date answer (a day, not an instant: no zone applies)."""
    try:
        return date.fromisoformat(value).strftime("%a %-d %b %Y")
    except ValueError:
        return value


def _answer_text(f: FormField, value: str | tuple[str, ...], names: Names) -> str:
    if isinstance(value, tuple):
        if f.kind == "users":
            return ", ".join(names.person(str(v)) for v in value)
        labels = {c.value: c.label for c in f.choices}
        return ", ".join(labels.get(v, str(v)) for v in value)
    if f.kind == "date":
        return _calendar_day(value)
    if f.choices:
        return next((c.label for c in f.choices if c.value == value), str(value))
    return str(value)


def _plan_numbers(answers: Answers) -> dict[int, int]:
    """Which growth-screen plans were written (either half), numbered as shown: a plan
    left empty (its check-in choice keeps a default) is not a plan, and the plans after
    it close the gap."""
    written = [
        i
        for i in range(1, MAX_COMMITMENTS + 1)
        if answers.text(f"if_{i}") or answers.text(f"then_{i}")
    ]
    return {i: n for n, i in enumerate(written, start=1)}


def _shown_label(f: FormField, numbers: dict[int, int]) -> str | None:
    """A field's label, renumbered for a plan; None for a field of a plan not written."""
    found = PLAN_FIELDS.match(f.name)
    if found is None:
        return f.label
    i = int(found.group(2))
    if i not in numbers:
        return None
    return f.label.replace(f"Plan {i}:", f"Plan {numbers[i]}:", 1)


def _md_answers(stored: dict[str, dict[str, Any]], names: Names) -> list[str]:
    """The answers under their screens' titles, read by field name (the JSON keeps the
    rows as stored, keyed by screen)."""
    answers = Answers.from_steps({int(step): saved for step, saved in stored.items()})
    numbers = _plan_numbers(answers)
    lines: list[str] = []
    for screen in answers.screens:
        filled = [
            (label, f, v)
            for f in screen.fields
            if (v := answers.value(f.name)) is not None
            and (label := _shown_label(f, numbers)) is not None
        ]
        if not filled:
            continue
        lines += [f"### {screen.title}", ""]
        for label, f, value in filled:
            text = _answer_text(f, value, names).replace("\n", "\n  ")
            lines.append(f"- **{label}**\n  {text}")
        lines.append("")
    return lines


def _plan_name(c: dict[str, Any], growth_number: int) -> str:
    if c["kind"] == CommitmentKind.AMENDS:
        return "Repair"
    if c["kind"] == CommitmentKind.SUPPORT:
        return "Reaching out"
    return f"Plan {growth_number}"


def _checkin_line(k: dict[str, Any], tz: str) -> str:
    """One check-in, as the person met it: when, which of how many, what came of it."""
    line = f"  - {_moment(k.get('due_at'), tz)}"
    if (k.get("total") or 1) > 1:
        line += f" · check-in {int(k.get('seq') or 0) + 1} of {k['total']}"
    response = k.get("response")
    if response:
        line += f": {CHECKIN_RESPONSE.get(response, response)}"
    else:
        line += f": {CHECKIN_STATUS.get(k['status'], k['status'])}"
    if k.get("note"):
        line += f" — your note: {k['note']}"
    return line


def _md_plans(item: dict[str, Any], tz: str, names: Names) -> list[str]:
    """Each commitment in words, with its check-ins under it, in the order they come."""
    if not item["commitments"]:
        return []
    lines = ["### Plans and check-ins", ""]
    growth = 0
    for c in sorted(item["commitments"], key=lambda c: c.get("position") or 0):
        growth += c["kind"] == CommitmentKind.GROWTH
        text = MENTION.sub(lambda m: names.person(m.group(1)), c["text"])
        status = COMMITMENT_STATUS.get(c["status"], c["status"])
        line = f"- **{_plan_name(c, growth)}:** {text} — {status}"
        if c["kind"] != CommitmentKind.GROWTH and c.get("due_at"):
            line += f", by {_day(c['due_at'], tz)}"
        lines.append(line)
        mine = [k for k in item["checkins"] if k.get("commitment_id") == c.get("id")]
        mine.sort(key=lambda k: (k.get("due_at") or "", k.get("id") or 0))
        lines += [_checkin_line(k, tz) for k in mine]
    lines.append("")
    return lines


def _md_shares(item: dict[str, Any], tz: str, names: Names) -> list[str]:
    if not item["shares"]:
        return []
    lines = ["### Shared", ""]
    for sh in item["shares"]:
        how = "anonymously" if sh.get("anonymous") else "under your name"
        status = SHARE_STATUS.get(sh["status"], sh["status"])
        line = f"- In {names.channel(sh['channel'])}, {how}: {status}"
        if sh.get("posted_at"):
            line += f" {_moment(sh['posted_at'], tz)}"
        if sh.get("deleted_at"):
            line += f", deleted {_moment(sh['deleted_at'], tz)}"
        lines.append(line)
    lines.append("")
    return lines


def _md_setback(item: dict[str, Any], tz: str, names: Names) -> list[str]:
    status = SETBACK_STATUS.get(item["status"], item["status"])
    if item["status"] == SetbackStatus.DRAFT:
        status += f" (stopped at screen {int(item.get('current_step') or 0) + 1} of {TOTAL_STEPS})"
    started = f"started {_moment(item.get('created_at'), tz)}"
    finished = (
        f" · finished {_moment(item['completed_at'], tz)}" if item.get("completed_at") else ""
    )
    lines = [
        f"## {item.get('title') or 'Untitled reflection'}",
        "",
        f"{status} · {started}{finished}",
        "",
    ]
    lines += _md_answers(item["answers"], names)
    lines += _md_plans(item, tz, names)
    lines += _md_shares(item, tz, names)
    return lines


def _workdays(raw: str) -> str:
    """'0,1,2,3,4' (Monday = 0, as stored) in words: 'Monday to Friday'."""
    try:
        days = sorted({int(d) for d in raw.split(",") if d.strip()})
    except ValueError:
        return raw
    if not days or any(not 0 <= d < 7 for d in days):
        return "none" if not days else raw
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAYS[days[0]]} to {WEEKDAYS[days[-1]]}"
    return ", ".join(WEEKDAYS[d] for d in days)


def _md_settings(settings: dict[str, Any], tz: str) -> list[str]:
    zone = f"{tz} (set by you)" if settings.get("tz_override") else f"{tz} (from Slack)"
    paused = settings.get("paused_until")
    checkins = f"paused until {_moment(paused, tz)}" if paused else "on"
    return [
        "## Settings",
        "",
        f"- Time zone: {zone}",
        f"- Working hours: {_hhmm(settings['work_start_min'])}–{_hhmm(settings['work_end_min'])}",
        f"- Workdays: {_workdays(str(settings['workdays']))}",
        f"- Check-ins: {checkins}",
        "",
    ]


def to_markdown(data: dict[str, Any], names: Names | None = None) -> str:
    """A readable copy of the export, in the person's own time zone, with the names of
    the people and channels it mentions (`look_up_names`; ids when none are given)."""
    names = names or Names()
    settings = data.get("settings") or {}
    tz = settings.get("tz_override") or settings.get("tz") or "UTC"
    lines = [
        "# Your Setback journal",
        "",
        f"Exported {_moment(data['exported_at'], tz)} ({tz}). "
        "Everything Setback keeps about you is in this file and in the JSON file beside it.",
        "",
    ]
    if not data["setbacks"]:
        lines += ["You have no reflections stored.", ""]
    for item in data["setbacks"]:
        lines += _md_setback(item, tz, names) + [""]
    if settings:
        lines += _md_settings(settings, tz)
    if data["safety_flags"]:
        n = len(data["safety_flags"])
        lines += [
            f"The support screen was shown to you {n} time{'s' if n != 1 else ''}. "
            "Setback keeps only when, never what was written.",
            "",
        ]
    return "\n".join(lines)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- sending ----------------------------------------------------------------------------


def send_export(rt: Runtime, actor: Actor) -> bool:
    """Upload the export (JSON + Markdown) into the person's DM. False on a Slack error."""
    data = collect(rt, actor)
    stamp = rt.clock.now().strftime("%Y-%m-%d")
    client = rt.client_for(actor.team_id, actor.enterprise_id)
    files = [
        {
            "content": json.dumps(data, ensure_ascii=False, indent=2),
            "filename": f"setback-export-{stamp}.json",
            "title": "Setback export (JSON)",
        },
        {
            "content": to_markdown(data, look_up_names(client, data)),
            "filename": f"setback-export-{stamp}.md",
            "title": "Setback journal (Markdown)",
        },
    ]
    n = len(data["setbacks"])
    try:
        channel = client.conversations_open(users=actor.user_id)["channel"]["id"]
        uploaded = client.files_upload_v2(
            channel=channel,
            file_uploads=files,
            initial_comment=f"Here is everything Setback keeps about you ({n} "
            f"reflection{'s' if n != 1 else ''}): a JSON file for other tools and a "
            "Markdown copy to read. Only you can see this conversation.",
        )
        # Recorded, so Delete everything deletes the files (and the message sharing them).
        file_ids = [str(f["id"]) for f in uploaded.get("files") or [] if f.get("id")]
        sent_store.record_files(
            rt.engine, actor.team_id, actor.user_id, channel, file_ids, rt.clock.now()
        )
    except SlackApiError as exc:
        log.warning("export upload failed: %s", exc.response.get("error"))
        return False
    except Exception as exc:  # noqa: BLE001 - network trouble: the person can try again
        log.warning("export upload failed: %s", type(exc).__name__)
        return False
    log.info("export sent to %s/%s (%s setbacks)", actor.team_id, actor.user_id, n)
    return True
