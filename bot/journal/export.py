"""Export: everything Setback keeps about one person, as a file in their DM.

Two files in one upload: JSON for machines (every stored field of every row of theirs,
decrypted) and Markdown for people (the reflection in the words they typed, with their
plans and check-ins). Only the acting team + user's rows are read.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlmodel import SQLModel

from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.core.timefmt import local
from bot.reflection.answers import Answers
from bot.reflection.screens import FormField
from storage import journal as journal_store
from storage import members as member_store
from storage.db import session_scope
from storage.models import Checkin, Commitment, Reflection, SafetyFlag, Setback, Share

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


def _answer_text(f: FormField, value: str | tuple[str, ...]) -> str:
    if isinstance(value, tuple):
        if f.kind == "users":
            return ", ".join(str(v) for v in value)
        labels = {c.value: c.label for c in f.choices}
        return ", ".join(labels.get(v, str(v)) for v in value)
    if f.choices:
        return next((c.label for c in f.choices if c.value == value), str(value))
    return str(value)


def _md_answers(stored: dict[str, dict[str, Any]]) -> list[str]:
    """The answers under their screens' titles, read by field name (the JSON keeps the
    rows as stored, keyed by screen)."""
    answers = Answers.from_steps({int(step): saved for step, saved in stored.items()})
    lines: list[str] = []
    for screen in answers.screens:
        filled = [(f, v) for f in screen.fields if (v := answers.value(f.name)) is not None]
        if not filled:
            continue
        lines += [f"### {screen.title}", ""]
        for f, value in filled:
            text = _answer_text(f, value).replace("\n", "\n  ")
            lines.append(f"- **{f.label}**\n  {text}")
        lines.append("")
    return lines


def _when(iso: str | None, tz: str) -> str:
    return local(datetime.fromisoformat(iso), tz) if iso else "—"


def _md_setback(item: dict[str, Any], tz: str) -> list[str]:
    lines = [
        f"## {item.get('title') or 'Untitled reflection'}",
        "",
        f"Status: {item['status']} · started {_when(item.get('created_at'), tz)}"
        + (f" · finished {_when(item['completed_at'], tz)}" if item.get("completed_at") else ""),
        "",
    ]
    lines += _md_answers(item["answers"])
    if item["commitments"]:
        lines += ["### Commitments", ""]
        for c in item["commitments"]:
            lines.append(f"- {c['text']} ({c['kind']}, {c['status']})")
        lines.append("")
    if item["checkins"]:
        lines += ["### Check-ins", ""]
        for c in item["checkins"]:
            line = f"- {_when(c.get('due_at'), tz)}: {c['status']}"
            if c.get("response"):
                line += f", answered “{c['response']}”"
            if c.get("note"):
                line += f" — note: {c['note']}"
            lines.append(line)
        lines.append("")
    for sh in item["shares"]:
        how = " anonymously" if sh.get("anonymous") else ""
        lines.append(f"Shared{how} in channel {sh['channel']} ({sh['status']}).")
    return lines


def to_markdown(data: dict[str, Any]) -> str:
    """A readable copy of the export, in the person's own time zone."""
    settings = data.get("settings") or {}
    tz = settings.get("tz_override") or settings.get("tz") or "UTC"
    lines = [
        "# Your Setback journal",
        "",
        f"Exported {_when(data['exported_at'], tz)} ({tz}). "
        "Everything Setback keeps about you is in this file and in the JSON file beside it.",
        "",
    ]
    if not data["setbacks"]:
        lines += ["You have no reflections stored.", ""]
    for item in data["setbacks"]:
        lines += _md_setback(item, tz) + [""]
    if settings:
        lines += [
            "## Settings",
            "",
            f"- Time zone: {tz}",
            f"- Working hours: {_hhmm(settings['work_start_min'])}–"
            f"{_hhmm(settings['work_end_min'])}",
            f"- Workdays (Monday = 0): {settings['workdays']}",
            f"- Check-ins paused until: {_when(settings.get('paused_until'), tz)}",
            "",
        ]
    if data["safety_flags"]:
        lines += [
            f"Support screens shown: {len(data['safety_flags'])} (only the time is kept).",
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
    files = [
        {
            "content": json.dumps(data, ensure_ascii=False, indent=2),
            "filename": f"setback-export-{stamp}.json",
            "title": "Setback export (JSON)",
        },
        {
            "content": to_markdown(data),
            "filename": f"setback-export-{stamp}.md",
            "title": "Setback journal (Markdown)",
        },
    ]
    n = len(data["setbacks"])
    client = rt.web_client()
    try:
        channel = client.conversations_open(users=actor.user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=channel,
            file_uploads=files,
            initial_comment=f"Here is everything Setback keeps about you ({n} "
            f"reflection{'s' if n != 1 else ''}): a JSON file for other tools and a "
            "Markdown copy to read. Only you can see this conversation.",
        )
    except SlackApiError as exc:
        log.warning("export upload failed: %s", exc.response.get("error"))
        return False
    except Exception as exc:  # noqa: BLE001 - network trouble: the person can try again
        log.warning("export upload failed: %s", type(exc).__name__)
        return False
    log.info("export sent to %s/%s (%s setbacks)", actor.team_id, actor.user_id, n)
    return True
