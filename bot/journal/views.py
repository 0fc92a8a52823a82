"""The App Home (the growth journal) and the "Delete everything" confirmation modal.

Built with `slack_sdk.models`, which refuses a Home of more than 100 blocks before it
leaves the process; `bot.journal.home` bounds every list so the worst case stays well inside
(`MAX_BLOCKS` below is asserted by the tests). User text is escaped and marked verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.core.mrkdwn import escape, split_for_sections, truncate
from bot.core.timefmt import local, local_date
from bot.reflection.quoting import commitment_shown, quotable, title_shown, with_mentions
from bot.reflection.screens import TOTAL_STEPS, FormField
from bot.reflection.summary_view import KIND_LABEL
from storage.models import CommitmentStatus, SetbackStatus

if TYPE_CHECKING:
    from bot.journal.home import (
        ActiveSetback,
        Draft,
        Journal,
        MemberSettings,
        PastSetback,
        Reading,
        SharedSummary,
    )

ACTION_START = "setback_home_start"
ACTION_RESUME = "setback_home_resume"
ACTION_ARCHIVE = "setback_home_archive"
ACTION_DELETE = "setback_home_delete"
ACTION_OLDER = "setback_home_older"
ACTION_NEWER = "setback_home_newer"
ACTION_EXPORT = "setback_home_export"
ACTION_ERASE = "setback_home_erase"
ACTION_OPEN = "setback_home_open"
# Owned by other surfaces: the settings modal and deleting a shared summary.
ACTION_SETTINGS = "setback_open_settings"
ACTION_SHARE_DELETE = "setback_share_delete"

CALLBACK_ERASE = "setback_erase_all"
CALLBACK_READ = "setback_read"
ERASE_OPTIONS = "erase_options"
OPTION_SHARED = "shared"
OPTION_DIRECT = "direct"

# Closes the Home. Unlike the summary's line it claims nothing was just done: it must read
# true for someone who has not reflected yet and right after Delete everything alike.
HOME_CLOSING_LINE = (
    "A mistake says nothing about your worth. It's something to learn from, at your own pace."
)

MAX_BLOCKS = 100
TEXT_SHOWN = 400
LESSON_SHOWN = 300
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_CHANNEL_ID = re.compile(r"^[A-Z0-9]{2,32}$")


def _md(text: str) -> MarkdownTextObject:
    """mrkdwn for text that holds escaped user text: verbatim, so nothing auto-links."""
    return MarkdownTextObject(text=text, verbatim=True)


def _title(title: str | None) -> str:
    return escape(truncate(title_shown(title), 80))  # no harsh self-judgement quoted


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


# --- sections ---------------------------------------------------------------------------


def _welcome() -> list[Block]:
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text="Made a mistake at work? It happens to everyone who does real work. "
                "Type `/setback` (or press *Start a reflection*) for six short screens: be "
                "kind to yourself, own your part, see how it made sense at the time, find "
                "support, and turn the lesson into a plan. Setback then checks in on your "
                "plans, gently, inside your working hours."
            )
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text=":lock: *Private by default.* Your answers are encrypted and only you can "
                "see them. Nothing is shared unless you choose to post a blameless summary. "
                "You can export or delete everything at any time, right here."
            )
        ),
    ]


def _drafts(journal: Journal) -> list[Block]:
    if not journal.drafts:
        return []
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text="In progress")]
    for d in journal.drafts:
        blocks += _draft(d, journal)
    if journal.more_drafts:
        blocks.append(
            _context(
                f"{_count(journal.more_drafts, 'older draft')} not shown. `/setback resume` "
                "opens the latest."
            )
        )
    return blocks


def _draft(d: Draft, journal: Journal) -> list[Block]:
    saved = f" · saved {local(d.updated_at, journal.settings.tz)}" if d.updated_at else ""
    return [
        SectionBlock(
            block_id=f"draft_{d.id}",
            text=_md(f"*{_title(d.title)}*\nStopped at step {d.step + 1} of {TOTAL_STEPS}{saved}"),
        ),
        ActionsBlock(
            block_id=f"draft_{d.id}_actions",
            elements=[
                ButtonElement(
                    text="Resume", action_id=ACTION_RESUME, value=str(d.id), style="primary"
                ),
                _delete_button(d.id, "draft"),
            ],
        ),
    ]


DELETE_DRAFT = "The answers you saved so far are deleted. This can't be undone."
DELETE_REFLECTION = (
    "Its answers, plans and check-ins are deleted, and its summary, check-in messages and "
    "any shared retro are removed from Slack. This can't be undone."
)


def _delete_button(
    setback_id: int, what: Literal["draft", "reflection"] = "reflection"
) -> ButtonElement:
    return ButtonElement(
        text="Delete",
        action_id=ACTION_DELETE,
        value=str(setback_id),
        style="danger",
        confirm=ConfirmObject(
            title=f"Delete this {what}?",
            text=DELETE_DRAFT if what == "draft" else DELETE_REFLECTION,
            confirm="Delete",
            deny="Keep it",
        ),
    )


def _active(journal: Journal) -> list[Block]:
    if not journal.active:
        return []
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text="Your plans in progress")]
    for a in journal.active:
        blocks += _active_one(a, journal.settings.tz)
    if journal.more_active:
        blocks.append(
            _context("More reflections with open plans are listed under Past reflections.")
        )
    return blocks


def _active_one(a: ActiveSetback, tz: str) -> list[Block]:
    lines = [f"*{_title(a.title)}*"]
    for c in a.commitments:
        label = KIND_LABEL.get(c.kind, "Plan")
        said = truncate(commitment_shown(c.kind, c.text), TEXT_SHOWN)  # harsh words left out
        line = f"• *{label}:* {with_mentions(c.kind, escape(said))}"
        if c.next_checkin is not None:
            line += f"\n   _next check-in {local(c.next_checkin, tz)}_"
        lines.append(line)
    return [
        SectionBlock(block_id=f"active_{a.id}", text=_md("\n".join(lines))),
        ActionsBlock(
            block_id=f"active_{a.id}_actions",
            elements=[
                _open_button(a.id),
                ButtonElement(
                    text="Archive",
                    action_id=ACTION_ARCHIVE,
                    value=str(a.id),
                    confirm=ConfirmObject(
                        title="Archive this reflection?",
                        text="Its open plans are closed and no more check-ins are sent. It "
                        "stays in your journal under Past reflections.",
                        confirm="Archive",
                        deny="Keep it going",
                    ),
                ),
                _delete_button(a.id),
            ],
        ),
    ]


def _lessons(journal: Journal) -> list[Block]:
    if not journal.lessons:
        return []
    shown = [(lesson.title, quotable(lesson.text)) for lesson in journal.lessons]
    lines = [
        f"• *{_title(title)}:* {escape(truncate(text, LESSON_SHOWN))}"
        for title, text in shown
        if text
    ]
    if not lines:
        return []
    return [
        DividerBlock(),
        HeaderBlock(text="Recent lessons"),
        SectionBlock(block_id="lessons", text=_md("\n".join(lines))),
    ]


def _channel(channel: str) -> str:
    return f"<#{channel}>" if _CHANNEL_ID.match(channel) else escape(channel)


def _shares(journal: Journal) -> list[Block]:
    if not journal.shares:
        return []
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text="Shared summaries")]
    blocks += [_share(sh, journal.settings.tz) for sh in journal.shares]
    return blocks


def _share(sh: SharedSummary, tz: str) -> SectionBlock:
    when = f" on {local_date(sh.posted_at, tz)}" if sh.posted_at else ""
    how = " (anonymously)" if sh.anonymous else ""
    return SectionBlock(
        block_id=f"share_{sh.id}",
        text=_md(f"*{_title(sh.title)}*\nShared in {_channel(sh.channel)}{when}{how}"),
        accessory=ButtonElement(
            text="Delete",
            action_id=ACTION_SHARE_DELETE,
            value=str(sh.id),
            style="danger",
            confirm=ConfirmObject(
                title="Delete this shared summary?",
                text="It is removed from the channel for everyone. Your own reflection stays.",
                confirm="Delete",
                deny="Keep it",
            ),
        ),
    )


def _history(journal: Journal) -> list[Block]:
    if not journal.history and not journal.offset:
        return []
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text="Past reflections")]
    for p in journal.history:
        blocks += _past(p, journal.settings.tz)
    if not journal.history:
        blocks.append(_context("Nothing further back."))
    nav: list[ButtonElement] = []
    if journal.newer_offset is not None:
        nav.append(
            ButtonElement(text="← Newer", action_id=ACTION_NEWER, value=str(journal.newer_offset))
        )
    if journal.older_offset is not None:
        nav.append(
            ButtonElement(
                text="Show older", action_id=ACTION_OLDER, value=str(journal.older_offset)
            )
        )
    if nav:
        blocks.append(ActionsBlock(block_id="history_pages", elements=nav))
    return blocks


def _past(p: PastSetback, tz: str) -> list[Block]:
    verb = "Archived" if p.status == SetbackStatus.ARCHIVED else "Finished"
    when = f" · {verb} {local_date(p.when, tz)}" if p.when else ""
    return [
        SectionBlock(block_id=f"past_{p.id}", text=_md(f"*{_title(p.title)}*{when}")),
        ActionsBlock(
            block_id=f"reflection_{p.id}_actions",
            elements=[_open_button(p.id), _delete_button(p.id)],
        ),
    ]


def _open_button(setback_id: int) -> ButtonElement:
    """Open a finished reflection to read it again, as it was saved."""
    return ButtonElement(text="Open", action_id=ACTION_OPEN, value=str(setback_id))


def _hhmm(minutes: int) -> str:
    minutes = max(0, min(minutes, 24 * 60))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days(days: Sequence[int]) -> str:
    if list(days) == [0, 1, 2, 3, 4]:
        return "Monday to Friday"
    return ", ".join(DAYS[d] for d in days if 0 <= d < 7) or "none"


def settings_text(st: MemberSettings, now: datetime) -> str:
    """The person's check-in settings as a short, readable list."""
    until = st.paused_until
    state = f"paused until {local(until, st.tz)}" if until is not None and until > now else "on"
    return (
        f"*Time zone:* {escape(st.tz)}\n"
        f"*Working hours:* {_hhmm(st.work_start_min)}–{_hhmm(st.work_end_min)}\n"
        f"*Workdays:* {_days(st.workdays)}\n"
        f"*Check-ins:* {state}"
    )


def _settings(journal: Journal) -> list[Block]:
    if not journal.has_member:
        return _settings_to_come(journal.settings)
    return [
        DividerBlock(),
        HeaderBlock(text="Check-in settings"),
        SectionBlock(
            block_id="settings",
            text=MarkdownTextObject(text=settings_text(journal.settings, journal.now)),
            accessory=ButtonElement(text="Change settings", action_id=ACTION_SETTINGS),
        ),
    ]


def _settings_to_come(st: MemberSettings) -> list[Block]:
    """For someone with nothing stored (new, or after deleting everything): no settings
    block that reads as if something were kept, only when check-ins would come."""
    return [
        DividerBlock(),
        SectionBlock(
            block_id="settings",
            text=MarkdownTextObject(
                text="When you make a plan, Setback checks in inside your working hours: "
                f"{_days(st.workdays)}, {_hhmm(st.work_start_min)}–{_hhmm(st.work_end_min)}, "
                f"in your Slack time zone ({escape(st.tz)}). You can change that any time."
            ),
            accessory=ButtonElement(text="Change settings", action_id=ACTION_SETTINGS),
        ),
    ]


def _data(journal: Journal) -> list[Block]:
    if not journal.has_data:
        return []
    return [
        DividerBlock(),
        HeaderBlock(text="Your data"),
        SectionBlock(
            text=MarkdownTextObject(
                text="*Export my data* sends you a file in our DM with everything Setback "
                "keeps about you (JSON and a readable Markdown copy). *Delete everything* "
                "removes it all for good."
            )
        ),
        ActionsBlock(
            block_id="data_actions",
            elements=[
                ButtonElement(text="Export my data", action_id=ACTION_EXPORT),
                ButtonElement(text="Delete everything", action_id=ACTION_ERASE, style="danger"),
            ],
        ),
    ]


# --- the views ---------------------------------------------------------------------------


def home_view(journal: Journal) -> View:
    """The whole Home tab for one person."""
    blocks: list[Block] = [
        HeaderBlock(text="Your growth journal"),
        _context(":lock: Only you can see this page."),
    ]
    if journal.is_new:
        blocks += _welcome()
    blocks.append(
        ActionsBlock(
            block_id="start",
            elements=[
                ButtonElement(text="Start a reflection", action_id=ACTION_START, style="primary")
            ],
        )
    )
    blocks += _drafts(journal)
    blocks += _active(journal)
    blocks += _lessons(journal)
    blocks += _shares(journal)
    blocks += _history(journal)
    blocks += _settings(journal)
    blocks += _data(journal)
    blocks.append(_context(HOME_CLOSING_LINE))
    return View(type="home", callback_id="setback_home", blocks=blocks)


# --- reading a past reflection ------------------------------------------------------------

SECTION_LIMIT = 3000
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
PLAN_STATUS = {
    CommitmentStatus.ACTIVE: "still open",
    CommitmentStatus.DONE: "done",
    CommitmentStatus.LET_GO: "let go",
    CommitmentStatus.CANCELLED: "closed when archived",
}


def reading_modal(r: Reading) -> View:
    """One finished reflection, read-only: every answer as it was saved, under its
    screen's title, and how each plan went. The person's own words are shown in full
    (harsh ones too: only they see this modal), escaped and verbatim."""
    verb = "Archived" if r.status == SetbackStatus.ARCHIVED else "Finished"
    when = f"{verb} {local_date(r.finished_at, r.tz)} · " if r.finished_at else ""
    blocks: list[Block] = [
        SectionBlock(text=_md(f"*{escape(r.title or 'Untitled reflection')}*")),
        _context(f"{when}Only you can see this. It stays as you saved it."),
    ]
    for screen in r.answers.screens:
        shown = [f for f in screen.fields if f.name != "title"]  # the modal's heading
        filled = [(f, v) for f in shown if (v := r.answers.value(f.name))]
        if not filled:
            continue
        blocks.append(HeaderBlock(text=screen.title))
        for f, value in filled:
            blocks += _answer_sections(f, value)
    if r.plans:
        blocks.append(HeaderBlock(text="How your plans went"))
        blocks += [
            SectionBlock(
                text=_md(
                    f"*{KIND_LABEL.get(kind, 'Plan')}:* {escape(truncate(text, 500))} "
                    f"— _{PLAN_STATUS[status]}_"
                )
            )
            for kind, text, status in r.plans
        ]
    if len(blocks) > MAX_BLOCKS:
        blocks = blocks[: MAX_BLOCKS - 1] + [
            _context(
                "This reflection is too long to show here in full; *Export my data* "
                "on your Home has all of it."
            )
        ]
    return View(
        type="modal",
        callback_id=CALLBACK_READ,
        title="Your reflection",
        close="Close",
        blocks=blocks,
    )


def _answer_sections(f: FormField, value: str | tuple[str, ...]) -> list[SectionBlock]:
    """A field's label and answer; a long answer continues in further sections."""
    label = f"*{escape(f.label)}*\n"
    room = SECTION_LIMIT - len(label)
    if isinstance(value, str) and f.kind in ("text", "multiline"):
        chunks = _escaped_chunks(value, room)
    else:
        chunks = [truncate(_choice_text(f, value), room)]
    return [
        SectionBlock(text=_md(label + chunk if i == 0 else chunk)) for i, chunk in enumerate(chunks)
    ]


def _choice_text(f: FormField, value: str | tuple[str, ...]) -> str:
    """A picked answer as mrkdwn: choices by their labels, people as mentions, a date
    as a day."""
    values = value if isinstance(value, tuple) else (value,)
    if f.kind == "users":
        return ", ".join(f"<@{v}>" if _USER_ID.match(v) else escape(v) for v in values)
    if f.choices:
        labels = {c.value: c.label for c in f.choices}
        return ", ".join(escape(labels.get(v, v)) for v in values)
    if f.kind == "date":
        try:
            day = date.fromisoformat(values[0])
        except ValueError:
            return escape(values[0])
        return f"{day:%a} {day.day} {day:%b %Y}"
    return escape(", ".join(values))


def _escaped_chunks(raw: str, limit: int) -> list[str]:
    """The person's text, escaped, in pieces that each fit a section: split before
    escaping, so no piece ends inside an `&amp;`, and split finer where escaping made a
    piece too long. Every word is kept."""
    out: list[str] = []
    for piece in split_for_sections(raw, limit):
        safe = escape(piece)
        out += [safe] if len(safe) <= limit else _escaped_chunks(piece, limit // 2)
    return [p for p in out if p]


def erase_modal() -> View:
    """The confirmation for "Delete everything": it says exactly what goes. Both "also
    remove from Slack" boxes start ticked, so the default leaves none of the person's
    words behind; unticking one is the exception."""
    direct = Option(
        value=OPTION_DIRECT,
        label="Everything Setback sent me in our DM",
        description="Summaries, check-ins, recaps, export files: all of it",
    )
    shared = Option(
        value=OPTION_SHARED,
        label="The summaries I shared in channels",
        description="They are removed for everyone in those channels",
    )
    return View(
        type="modal",
        callback_id=CALLBACK_ERASE,
        title="Delete everything",
        submit="Delete everything",
        close="Keep my data",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="This permanently deletes everything Setback keeps about you in "
                    "this workspace:\n"
                    "• every reflection and draft, with all your answers\n"
                    "• your commitments and check-ins, including those still scheduled\n"
                    "• the records of summaries you shared\n"
                    "• your settings: time zone, working hours, workdays, pauses\n\n"
                    "It can't be undone. If you'd like a copy first, close this and press "
                    "*Export my data*."
                )
            ),
            InputBlock(
                block_id=ERASE_OPTIONS,
                label="Also remove from Slack",
                optional=True,
                element=CheckboxesElement(
                    action_id=ERASE_OPTIONS,
                    options=[direct, shared],
                    initial_options=[direct, shared],
                ),
            ),
            _context(
                "Untick a box to leave those messages in Slack as they are. Replies you "
                "typed yourself in our DM stay: Slack lets only you delete those."
            ),
        ],
    )


def read_erase_options(view: dict[str, Any]) -> tuple[bool, bool]:
    """(delete shared, delete direct) as ticked in the submitted modal."""
    values = ((view.get("state") or {}).get("values") or {}).get(ERASE_OPTIONS) or {}
    chosen = (values.get(ERASE_OPTIONS) or {}).get("selected_options") or []
    picked = {o.get("value") for o in chosen if isinstance(o, dict)}
    return OPTION_SHARED in picked, OPTION_DIRECT in picked


@dataclass(frozen=True)
class Removed:
    """A number of messages and files in Slack (the erasure's confirmation counts them)."""

    messages: int = 0
    files: int = 0

    def __bool__(self) -> bool:
        return bool(self.messages or self.files)

    def __str__(self) -> str:
        parts = [_count(self.messages, "message")] if self.messages else []
        if self.files:
            parts.append(_count(self.files, "file"))
        return " and ".join(parts)

    @property
    def one(self) -> bool:
        return self.messages + self.files == 1


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def erased_message(
    rows: int, deleted: Removed, failed: Removed = Removed(), retrying: Removed = Removed()
) -> str:
    """The short DM confirming the erasure: counts only, in plain words."""
    text = f"Everything you kept in Setback is deleted ({_count(rows, 'stored item')})."
    if deleted:
        text += f" {deleted} {'was' if deleted.one else 'were'} removed from Slack."
    if failed:
        text += (
            f" {failed} could not be removed; you can ask a workspace admin to remove "
            f"{'it' if failed.one else 'them'}."
        )
    if retrying:
        text += (
            f" {retrying} could not be removed yet, as Slack did not answer. Setback keeps "
            "trying in the background."
        )
    return text + " If you ever want to reflect again, `/setback` is here."
