"""Sharing a blameless retro summary in a channel (DESIGN §6).

The author opts in per finished setback, picks a channel they are in and the parts to
share, sees a preview with the blameless language check, and posts; later they can
delete the post. Every function here takes the acting team + user and re-checks that
they own the setback and the share a payload names; a mismatch looks like "gone".

What may be offered is decided here, once: what happened, contributing factors, what
limited the damage, the lesson, and the commitments with their status. Feelings and
self-talk (step 1), the apology draft (step 2), support (step 4), any text that trips
the crisis screen, and every setback on safety hold are never offered.

Where the work happens, and why:

* The compose step checks the channel while the modal is open (`conversations.info`,
  then `conversations.members`), so the usual problems — a private channel without the
  app, a channel the author is not in, an archived one — come back as a field error on
  the channel picker. These calls are read-only and run under a short time budget with
  no 429 waits; anything inconclusive is left to the post step, which checks again.
* The post itself runs after the modal has answered (a lazy listener). It can need a
  join, several pages of members and 429 waits honouring Retry-After — more than the
  3 seconds Slack gives a view_submission — and a post that succeeded after Slack gave
  up on the ack would show an error for something that worked. So Post answers at once
  with a "Posting…" screen, and the outcome arrives as a DM: a link and a Delete button,
  or what went wrong, what to do, and a button to reopen the kept draft.
* The post is all-or-nothing: if a continuation reply or the record fails, the parts
  already posted are deleted and the row is marked failed.
* Every part carries message metadata naming only the share's id. When Slack's answer
  to a post is lost (posts are never retried: a retry could post twice), or the process
  stops between answering Slack and posting or between posting and recording,
  `recover_stale` (run by housekeeping) finds the post in the channel by that metadata
  and records it — or, when it is not there, marks the share failed and tells the author.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from sqlmodel import Session, select

from bot.core import hooks
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.core.slack_client import error_code
from bot.core.timefmt import local_date
from bot.language import blameless, safety
from bot.members import zone as members
from bot.sharing import views
from bot.sharing.views import SECTION_BY_KEY, SECTIONS, Draft, FoundFlag, ShareMeta
from storage import members as member_store
from storage import reflections as reflection_store
from storage import shares as share_store
from storage.db import session_scope
from storage.models import Commitment, Setback, Share

log = logging.getLogger(__name__)

EDITABLE = ("draft", "failed")  # a share whose text can still change and be posted
SHARE_EVENT = "setback_share"  # message metadata event type on every part of a post
STALE_AFTER = timedelta(minutes=15)  # longer than any post takes, 429 waits included
GIVE_UP_AFTER = timedelta(days=1)  # a channel that cannot be searched for this long
CLOCK_SKEW = timedelta(minutes=5)  # between our clock and Slack's message timestamps
RECOVER_PER_RUN = 20
HISTORY_PAGES = 5
HISTORY_PAGE = 200
NOT_THERE = ("channel_not_found", "not_in_channel")  # history the post cannot be in
QUICK_BUDGET_SECONDS = 2.0  # Slack calls made before a modal answers (3 s deadline)
QUICK_CALL_MARGIN = 0.05  # kept back from each call's timeout for our own work after it
QUICK_CALL_MIN = 0.05  # not worth starting a call with less time than this
QUICK_MEMBER_PAGES = 2
MEMBER_PAGE = 1000
STATUS_LABEL = {"active": "in progress", "done": "done", "let_go": "let go"}

PROBLEMS = {
    "channel_not_found": "Setback can't see that channel. If it's private, invite @Setback "
    "to it first (/invite @Setback), then post.",
    "not_in_channel": "Invite @Setback to that channel first (/invite @Setback), then post.",
    "method_not_supported_for_channel_type": "Invite @Setback to that channel first "
    "(/invite @Setback), then post.",
    "is_archived": "That channel is archived, so nothing can be posted there. "
    "Please pick another one.",
    "not_member": "You're not a member of that channel. Please pick a channel you're in.",
    "not_a_channel": "Please pick a channel rather than a direct message.",
    "ratelimited": "Slack asked Setback to slow down for a moment. Wait a minute, then try again.",
    "restricted_action": "This workspace's settings don't let Setback post in that channel. "
    "Pick another one, or ask a workspace admin.",
    "msg_too_long": "The post is too long for Slack. Shorten a part with *Edit the text*, "
    "then try again.",
    "interrupted": "Setback was interrupted before it could finish, so nothing went out. "
    "Your draft is kept — open it again whenever you'd like to share it.",
    "unconfirmed": "Slack couldn't be reached to check. Please have a look in the channel; "
    "if it isn't there, open the draft again to share it.",
}
UNSURE = ("unconfirmed",)  # codes where the post may have gone out after all
DEFAULT_PROBLEM = "Slack couldn't take the post just now. Please try again in a moment."


def problem_text(code: str | None) -> str:
    """What happened and what to do, in plain words, for a Slack error code."""
    return PROBLEMS.get(code or "", DEFAULT_PROBLEM)


@dataclass(frozen=True)
class ShareOutcome:
    """How to answer a view submission: field errors, or the next screen."""

    action: str  # "errors" | "update"
    view: View | None = None
    errors: dict[str, str] | None = None


class ShareProblem(Exception):
    """A reason not to post, as a Slack-style error code (see `PROBLEMS`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- what may be offered -------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def commitments_text(commitments: Sequence[Commitment]) -> str:
    """Repairs and if-then plans with their status, one a line. Support commitments
    (step 4) and cancelled ones are never included, nor any that trips the crisis screen."""
    lines = []
    for c in commitments:
        if c.kind not in ("growth", "amends") or c.status not in STATUS_LABEL:
            continue
        if safety.screen(c.text):
            continue
        prefix = "Repair: " if c.kind == "amends" else ""
        lines.append(f"{prefix}{_one_line(c.text).rstrip('. ')} — {STATUS_LABEL[c.status]}")
    return "\n".join(lines)


def offered_sections(
    answers: dict[int, dict[str, Any]], commitments: Sequence[Commitment]
) -> dict[str, str]:
    """The parts of a reflection that may be offered for sharing, by section key.

    Read from named answers only — never step 1, step 2's apology draft or step 4 — and
    a part whose text trips the crisis screen is left out entirely.
    """
    texts = {
        "happened": answers.get(0, {}).get("facts"),
        "factors": answers.get(3, {}).get("factors"),
        "limited": answers.get(3, {}).get("limited"),
        "lesson": answers.get(5, {}).get("lesson"),
        "commitments": commitments_text(commitments),
    }
    return {
        key: text.strip()
        for key, text in texts.items()
        if isinstance(text, str) and text.strip() and not safety.screen(text)
    }


def _default_title(setback: Setback, answers: dict[int, dict[str, Any]]) -> str:
    title = setback.title or answers.get(0, {}).get("title") or ""
    return "" if safety.screen(title) else title.strip()[: views.TITLE_MAX]


def _refusal(setback: Setback | None) -> View | None:
    """The view that explains why this setback cannot be shared, or None if it can."""
    if setback is None:
        return views.gone_view()
    if setback.safety_hold:
        return views.held_view()
    if setback.status != "complete":
        return views.info_view(
            "Only finished reflections can be shared. Finish this one first — "
            "`/setback resume` takes you back to it."
        )
    return None


@dataclass
class _Loaded:
    setback: Setback
    offered: dict[str, str]
    title: str


def _load_setback(s: Session, actor: Actor, setback_id: int | None) -> _Loaded | View:
    setback = reflection_store.get_owned_setback(s, actor.team_id, actor.user_id, setback_id)
    refusal = _refusal(setback)
    if refusal is not None:
        return refusal
    assert setback is not None
    answers = reflection_store.load_answers(s, setback)
    offered = offered_sections(answers, reflection_store.commitments_of(s, setback))
    return _Loaded(setback, offered, _default_title(setback, answers))


# --- opening -------------------------------------------------------------------------------


def origin_channel(channel_id: str | None, channel_name: str | None) -> str | None:
    """The channel a command was typed in, when it is one a retro could be posted to."""
    if not channel_id or not views.CHANNEL_ID.fullmatch(channel_id):
        return None
    if (channel_name or "") == "directmessage" or (channel_name or "").startswith("mpdm-"):
        return None
    return channel_id


def open_for_setback(
    rt: Runtime, actor: Actor, setback_id: int | None, origin: str | None = None
) -> View:
    """The compose screen for one setback ("Share a blameless retro" buttons), or a kind
    explanation of why it cannot be shared."""
    with session_scope(rt.engine, readonly=True) as s:
        loaded = _load_setback(s, actor, setback_id)
    if isinstance(loaded, View):
        return loaded
    if not loaded.offered:
        return views.info_view(
            "There's nothing in this reflection that can be shared. Feelings, self-talk, "
            "apology drafts and support always stay private."
        )
    meta = ShareMeta(loaded.setback.id, None, origin)
    return views.compose_view(meta, loaded.title, loaded.offered)


def open_from_command(rt: Runtime, actor: Actor, origin: str | None) -> View:
    """`/setback share`: straight to compose with one shareable setback, a chooser with
    several, a kind word with none."""
    with session_scope(rt.engine, readonly=True) as s:
        done = reflection_store.list_setbacks(
            s, actor.team_id, actor.user_id, ("complete",), limit=100
        )
        member = member_store.get_member(s, actor.team_id, actor.user_id)
    if not done:
        return views.info_view(
            "You don't have a finished reflection to share yet. Type `/setback` to start one."
        )
    shareable = [sb for sb in done if not sb.safety_hold]
    if not shareable:
        return views.held_view()
    if len(shareable) == 1:
        return open_for_setback(rt, actor, shareable[0].id, origin)
    tz = members.effective_tz(member)
    choices = [
        (sb.id, sb.title or "Untitled", _when(sb.completed_at, tz))
        for sb in shareable
        if sb.id is not None
    ]
    return views.pick_view(choices, origin)


def _when(at: datetime | None, tz: str) -> str:
    try:
        return local_date(at, tz) if at else ""
    except Exception:  # noqa: BLE001 - an unknown zone name only loses the date
        return ""


def submit_pick(rt: Runtime, actor: Actor, meta: ShareMeta, values: dict[str, Any]) -> ShareOutcome:
    """The chooser was submitted: on to compose for the chosen (owned) setback."""
    raw = ((values.get(views.FIELD_SETBACK) or {}).get(views.FIELD_SETBACK) or {}).get(
        "selected_option"
    ) or {}
    try:
        sid = int(raw.get("value"))
    except (TypeError, ValueError):
        return ShareOutcome("errors", errors={views.FIELD_SETBACK: "Please choose a reflection."})
    return ShareOutcome("update", open_for_setback(rt, actor, sid, meta.origin))


# --- compose ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Compose:
    channel: str | None
    title: str
    chosen: list[str]
    intro: str
    anonymous: bool


def _value(values: dict[str, Any], name: str) -> dict[str, Any]:
    found = (values.get(name) or {}).get(name)
    return found if isinstance(found, dict) else {}


def _text(values: dict[str, Any], name: str, limit: int) -> str:
    value = _value(values, name).get("value")
    return value.strip()[:limit] if isinstance(value, str) else ""


def _picked(values: dict[str, Any], name: str) -> set[str]:
    return {
        str(o.get("value"))
        for o in _value(values, name).get("selected_options") or []
        if isinstance(o, dict)
    }


def read_compose(values: dict[str, Any], offered: dict[str, str]) -> _Compose:
    """The compose screen's answers, coerced: only offered parts can be chosen."""
    channel = _value(values, views.FIELD_CHANNEL).get("selected_conversation")
    ok_channel = isinstance(channel, str) and views.CHANNEL_ID.fullmatch(channel)
    picked = _picked(values, views.FIELD_SECTIONS)
    return _Compose(
        channel=channel if ok_channel else None,
        title=_text(values, views.FIELD_TITLE, views.TITLE_MAX),
        chosen=[s.key for s in SECTIONS if s.key in picked and s.key in offered],
        intro=_text(values, views.FIELD_INTRO, views.INTRO_MAX),
        anonymous=views.ANONYMOUS_VALUE in _picked(values, views.FIELD_ANONYMOUS),
    )


def _compose_errors(form: _Compose) -> dict[str, str]:
    errors = {}
    if form.channel is None:
        errors[views.FIELD_CHANNEL] = "Please pick a channel to post in."
    if not form.chosen:
        errors[views.FIELD_SECTIONS] = "Tick at least one part to share."
    if not form.title:
        errors[views.FIELD_TITLE] = "Please give the post a short title."
    return errors


def _editable_share(s: Session, actor: Actor, meta: ShareMeta) -> Share | None:
    share = share_store.get_owned_share(s, actor.team_id, actor.user_id, meta.share_id)
    if share is None or share.status not in EDITABLE or share.setback_id != meta.setback_id:
        return None
    return share


def submit_compose(
    rt: Runtime, actor: Actor, meta: ShareMeta, values: dict[str, Any]
) -> ShareOutcome:
    """Channel + parts chosen: check them, save the draft, show the preview.

    Channel problems come back as a field error on the picker while the modal is open.
    """
    with session_scope(rt.engine, readonly=True) as s:
        loaded = _load_setback(s, actor, meta.setback_id)
        if isinstance(loaded, View):
            return ShareOutcome("update", loaded)
        previous = _editable_share(s, actor, meta) if meta.share_id else None
        if meta.share_id and previous is None:
            return ShareOutcome("update", views.gone_view())
        before = Draft.from_json(previous.draft) if previous else None
    form = read_compose(values, loaded.offered)
    if safety.screen(form.title) or safety.screen(form.intro):
        return ShareOutcome("update", hold(rt, actor, meta.setback_id))
    errors = _compose_errors(form)
    if errors:
        return ShareOutcome("errors", errors=errors)
    assert form.channel is not None
    problem = quick_channel_problem(rt, form.channel, actor.user_id)
    if problem:
        return ShareOutcome("errors", errors={views.FIELD_CHANNEL: problem_text(problem)})
    edited = before.sections if before else {}
    draft = Draft(
        channel=form.channel,
        title=form.title,
        sections={k: edited.get(k) or loaded.offered[k] for k in form.chosen},
        intro=form.intro,
        anonymous=form.anonymous,
    )
    share_id = _save_draft(rt, actor, meta, draft)
    if share_id is None:
        return ShareOutcome("update", views.gone_view())
    return ShareOutcome(
        "update", preview(actor, ShareMeta(meta.setback_id, share_id, meta.origin), draft)
    )


def _save_draft(rt: Runtime, actor: Actor, meta: ShareMeta, draft: Draft) -> int | None:
    """Create or update the share row holding the draft; None if it is not ours any more."""
    now = rt.clock.now()
    with session_scope(rt.engine) as s:
        setback = reflection_store.get_owned_setback(
            s, actor.team_id, actor.user_id, meta.setback_id
        )
        if _refusal(setback) is not None:
            return None
        share = _editable_share(s, actor, meta) if meta.share_id else None
        if meta.share_id and share is None:
            return None
        if share is None:
            share = Share(
                team_id=actor.team_id,
                user_id=actor.user_id,
                setback_id=meta.setback_id,  # type: ignore[arg-type]
                channel=draft.channel,
                status="draft",
                created_at=now,
            )
            s.add(share)
        share.channel = draft.channel
        share.anonymous = draft.anonymous
        share.draft = draft.to_json()
        share.updated_at = now
        s.flush()
        return share.id


def blameless_flags(draft: Draft) -> list[FoundFlag]:
    """Run the blameless check on every part of the post, remembering where each flag is."""
    parts = [("the title", draft.title), ("the intro", draft.intro)]
    parts += [(SECTION_BY_KEY[k].label, text) for k, text in draft.sections.items()]
    return [FoundFlag(part, flag) for part, text in parts for flag in blameless.check(text)]


def preview(actor: Actor, meta: ShareMeta, draft: Draft, notice: str | None = None) -> View:
    """The preview screen: the post's own blocks, then the flags with reframe ideas."""
    content = views.post_content(draft, None if draft.anonymous else actor.user_id)
    return views.preview_view(meta, draft, content, blameless_flags(draft), notice=notice)


# --- edit, back, resume -----------------------------------------------------------------------


def _load_draft(rt: Runtime, actor: Actor, meta: ShareMeta) -> tuple[_Loaded, Share, Draft] | View:
    with session_scope(rt.engine, readonly=True) as s:
        loaded = _load_setback(s, actor, meta.setback_id)
        if isinstance(loaded, View):
            return loaded
        share = _editable_share(s, actor, meta)
        draft = Draft.from_json(share.draft) if share else None
        if share is None or draft is None:
            return views.gone_view()
        return loaded, share, draft


def to_compose(rt: Runtime, actor: Actor, meta: ShareMeta) -> View:
    """ "← Channel or parts" on the preview: compose again, keeping every choice."""
    found = _load_draft(rt, actor, meta)
    if isinstance(found, View):
        return found
    loaded, _, draft = found
    return views.compose_view(
        meta,
        draft.title,
        loaded.offered,
        chosen=list(draft.sections),
        channel=draft.channel,
        intro=draft.intro,
        anonymous=draft.anonymous,
    )


def to_edit(rt: Runtime, actor: Actor, meta: ShareMeta) -> View:
    """ "Edit the text" on the preview: one input per chosen part, prefilled."""
    found = _load_draft(rt, actor, meta)
    if isinstance(found, View):
        return found
    return views.edit_view(meta, found[2])


def submit_edit(rt: Runtime, actor: Actor, meta: ShareMeta, values: dict[str, Any]) -> ShareOutcome:
    """Save the edited texts (the post's, never the reflection's) and preview again."""
    found = _load_draft(rt, actor, meta)
    if isinstance(found, View):
        return ShareOutcome("update", found)
    _, _, draft = found
    title = _text(values, views.FIELD_TITLE, views.TITLE_MAX)
    texts = {key: _text(values, views.EDIT_PREFIX + key, views.TEXT_MAX) for key in draft.sections}
    if safety.screen(title) or any(safety.screen(t) for t in texts.values()):
        return ShareOutcome("update", hold(rt, actor, meta.setback_id))
    errors = {
        views.EDIT_PREFIX + key: "Please add some text, or go back and untick this part."
        for key, text in texts.items()
        if not text
    }
    if not title:
        errors[views.FIELD_TITLE] = "Please give the post a short title."
    if errors:
        return ShareOutcome("errors", errors=errors)
    draft.title, draft.sections = title, texts
    if _save_draft(rt, actor, meta, draft) is None:
        return ShareOutcome("update", views.gone_view())
    return ShareOutcome("update", preview(actor, meta, draft))


def resume(rt: Runtime, actor: Actor, share_id: int | None) -> View:
    """ "Open the draft again" after a failed post: the preview, with what went wrong."""
    with session_scope(rt.engine, readonly=True) as s:
        share = share_store.get_owned_share(s, actor.team_id, actor.user_id, share_id)
        if share is None:
            return views.gone_view()
        meta = ShareMeta(share.setback_id, share.id)
    found = _load_draft(rt, actor, meta)
    if isinstance(found, View):
        return found
    _, share, draft = found
    notice = f"Last time it wasn't posted: {problem_text(share.error)}" if share.error else None
    return preview(actor, meta, draft, notice=notice)


def discard(rt: Runtime, actor: Actor, meta: ShareMeta) -> None:
    """The modal was closed: forget a draft that was never posted."""
    with session_scope(rt.engine) as s:
        share = _editable_share(s, actor, meta) if meta.share_id else None
        if share is not None and share.message_ts is None:
            s.delete(share)


def hold(rt: Runtime, actor: Actor, setback_id: int | None) -> View:
    """Text written for the post holds crisis language: keep the whole setback private
    from now on, drop its drafts, store only a flag and a time, and offer support.

    Called while a submission waits for its answer, so the Home refresh (a Web API call)
    is queued for after the answer."""
    now = rt.clock.now()
    with session_scope(rt.engine) as s:
        setback = reflection_store.get_owned_setback(s, actor.team_id, actor.user_id, setback_id)
        if setback is not None:
            setback.safety_hold = True
            setback.updated_at = now
            for share in share_store.shares_of_setback(s, setback, EDITABLE):
                s.delete(share)
        reflection_store.add_safety_flag(s, actor.team_id, actor.user_id, now)
    rt.later(hooks.changed, rt, actor)
    return views.care_view(rt.settings.support_resources)


# --- channel checks --------------------------------------------------------------------------


def _members_include(
    client: WebClient, channel: str, user_id: str, max_pages: int | None
) -> tuple[bool, bool]:
    """(author found, every page read) from `conversations.members`."""
    cursor, pages = None, 0
    while max_pages is None or pages < max_pages:
        resp = client.conversations_members(channel=channel, limit=MEMBER_PAGE, cursor=cursor)
        pages += 1
        if user_id in (resp.get("members") or []):
            return True, True
        cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return False, True
    return False, False


def channel_problem(
    client: WebClient, channel: str, user_id: str, max_pages: int | None = None
) -> tuple[str | None, dict[str, Any]]:
    """(problem code or None, channel info). Raises SlackApiError for Slack's refusals
    (`channel_not_found` for a private channel the app is not in, for example)."""
    info = client.conversations_info(channel=channel)["channel"]
    if info.get("is_im") or info.get("is_mpim"):
        return "not_a_channel", info
    if info.get("is_archived"):
        return "is_archived", info
    found, complete = _members_include(client, channel, user_id, max_pages)
    if not found and complete:
        return "not_member", info
    return None, info


class _BudgetClient(WebClient):
    """A client for calls made before a modal answers: no retries, no 429 waits, and each
    call's timeout shrinks to what is left of a small budget of real (network) time.

    The timeout stays a float (urllib takes fractions of a second): rounding it up to
    whole seconds would let a call run up to a second past the budget, and so past
    Slack's 3-second deadline for the modal's answer."""

    def __init__(self, base: WebClient, seconds: float) -> None:
        super().__init__(token=base.token, base_url=base.base_url, retry_handlers=[])
        self._deadline = time.monotonic() + seconds

    def api_call(self, *args: Any, **kwargs: Any) -> Any:
        left = self._deadline - time.monotonic() - QUICK_CALL_MARGIN
        if left < QUICK_CALL_MIN:
            raise TimeoutError("quick check budget spent")
        self.timeout = left  # type: ignore[assignment]
        return super().api_call(*args, **kwargs)


def quick_channel_problem(rt: Runtime, channel: str, user_id: str) -> str | None:
    """A definite problem with posting there, found fast; None when fine or unknown.

    Unknown (a slow Slack, a 429, a huge channel) is not an error here: the post step
    checks everything again, with patience.
    """
    client = _BudgetClient(rt.web_client(), QUICK_BUDGET_SECONDS)
    try:
        problem, _ = channel_problem(client, channel, user_id, max_pages=QUICK_MEMBER_PAGES)
        return problem
    except SlackApiError as exc:
        code = exc.response.get("error")
        return code if code in ("channel_not_found", "is_archived") else None
    except Exception as exc:  # noqa: BLE001 - timeouts and network trouble: check at post
        log.info("quick channel check inconclusive: %s", type(exc).__name__)
        return None


def ensure_postable(client: WebClient, channel: str, user_id: str) -> None:
    """Full check before posting: the author is a member (every page of members), the
    channel is open, and the app is in it — joining a public channel when it is not."""
    problem, info = channel_problem(client, channel, user_id)
    if problem:
        raise ShareProblem(problem)
    if not info.get("is_member"):
        if info.get("is_private"):
            raise ShareProblem("not_in_channel")
        client.conversations_join(channel=channel)


# --- posting ---------------------------------------------------------------------------------


def submit_post(rt: Runtime, actor: Actor, meta: ShareMeta) -> ShareOutcome:
    """Post was pressed: claim the draft (a second click claims nothing) and answer with
    the "Posting…" screen; `post_share` does the work after the ack."""
    found = _load_draft(rt, actor, meta)
    if isinstance(found, View):
        return ShareOutcome("update", found)
    _, share, draft = found
    with session_scope(rt.engine) as s:
        claimed = share_store.claim_share(
            s,
            actor.team_id,
            actor.user_id,
            share.id,  # type: ignore[arg-type]
            EDITABLE,
            "queued",
            rt.clock.now(),
        )
    if not claimed:
        return ShareOutcome("update", views.gone_view())
    return ShareOutcome("update", views.posting_view(draft.channel))


@dataclass(frozen=True)
class _ToPost:
    share_id: int
    draft: Draft
    thread: tuple[str, str] | None


def _claim_for_posting(rt: Runtime, actor: Actor, share_id: int | None) -> _ToPost | None:
    """queued → posting, for the owner only, with the setback still shareable."""
    now = rt.clock.now()
    with session_scope(rt.engine) as s:
        share = share_store.get_owned_share(s, actor.team_id, actor.user_id, share_id)
        if share is None or share.status != "queued":
            return None
        setback = reflection_store.get_owned_setback(
            s, actor.team_id, actor.user_id, share.setback_id
        )
        draft = Draft.from_json(share.draft)
        if _refusal(setback) is not None or draft is None or not draft.sections:
            share.status, share.updated_at = "failed", now
            return None
        assert setback is not None and share.id is not None
        if not share_store.claim_share(
            s, actor.team_id, actor.user_id, share.id, ("queued",), "posting", now
        ):
            return None
        thread = (setback.dm_channel, setback.thread_ts) if setback.thread_ts else None
        return _ToPost(share.id, draft, thread)  # type: ignore[arg-type]


def share_metadata(share_id: int) -> dict[str, Any]:
    """Message metadata put on every part of a post, so a post whose recording was cut
    short can be found again in the channel. Only the share's id: it names no one, so
    an anonymous post stays anonymous."""
    return {"event_type": SHARE_EVENT, "event_payload": {"share_id": share_id}}


class _Unsure(Exception):
    """`chat.postMessage` gave no clear answer (a dropped connection, a timeout, a 5xx):
    the message may have landed. Nothing is deleted or retried; the channel is searched."""


def post_share(rt: Runtime, actor: Actor, share_id: int | None) -> bool:
    """Post a queued share in its channel, record it, and DM the author the outcome.

    All or nothing: a failure leaves no message behind and the row marked failed, with
    the draft kept so the author can reopen it from the DM. When Slack's answer to a
    post is lost, the row stays `posting` and the channel is searched for the post by
    its metadata — now, and by `recover_stale` in housekeeping if that is inconclusive.
    """
    job = _claim_for_posting(rt, actor, share_id)
    if job is None:
        return False
    client = rt.web_client()
    author = None if job.draft.anonymous else actor.user_id
    content = views.post_content(job.draft, author)
    try:
        ensure_postable(client, job.draft.channel, actor.user_id)
        parts = _post_parts(client, job.draft.channel, content, job.share_id)
    except _Unsure as exc:
        log.warning("share %s: Slack did not confirm the post (%s)", job.share_id, exc)
        return _settle_if_found(rt, actor, job, rt.clock.now())
    except (ShareProblem, SlackApiError) as exc:
        code = exc.code if isinstance(exc, ShareProblem) else exc.response.get("error")
        _failed(rt, actor, job, str(code or "unknown"))
        return False
    except Exception as exc:  # noqa: BLE001 - network trouble before posting: nothing posted
        _failed(rt, actor, job, type(exc).__name__.lower()[:64])
        return False
    return _settle_posted(rt, actor, job, parts, delete_if_lost=True)


def _settle_posted(
    rt: Runtime, actor: Actor, job: _ToPost, parts: Sequence[str], *, delete_if_lost: bool
) -> bool:
    """Record a complete post and send the confirmation DM.

    If the record cannot be written and `delete_if_lost` (this process posted it), the
    post is taken down again so nothing is left behind — unless housekeeping already
    recorded this very post, which then stays. If even that cannot be read, the post
    stays and the row stays `posting` for `recover_stale`."""
    try:
        _record_posted(rt, actor, job.share_id, parts)
    except Exception:
        log.exception("recording share %s failed", job.share_id)
        if delete_if_lost and not _recorded_as(rt, actor, job.share_id, parts[0]):
            _delete_parts(rt.web_client(), job.draft.channel, parts)
            _failed(rt, actor, job, "record_failed")
        return False
    _confirm(rt, actor, job, parts[0])
    hooks.changed(rt, actor)
    return True


def _post_parts(
    client: WebClient, channel: str, content: views.PostContent, share_id: int
) -> list[str]:
    """Post the message and any continuation replies; on a refusal delete what was
    posted. Raises `_Unsure` (deleting nothing) when Slack's answer to a post was lost."""
    posted: list[str] = []
    try:
        for blocks in content.as_dicts():
            resp = client.chat_postMessage(
                channel=channel,
                text=content.text,
                blocks=blocks,
                thread_ts=posted[0] if posted else None,
                unfurl_links=False,
                unfurl_media=False,
                parse="none",
                link_names=False,
                metadata=share_metadata(share_id),
            )
            posted.append(resp["ts"])
    except SlackApiError as exc:
        if exc.response.status_code >= 500:
            raise _Unsure(f"http {exc.response.status_code}") from exc
        _delete_parts(client, channel, posted)
        raise
    except Exception as exc:
        raise _Unsure(type(exc).__name__) from exc
    return posted


def _delete_parts(client: WebClient, channel: str, parts: Sequence[str]) -> None:
    for ts in reversed(parts):
        try:
            client.chat_delete(channel=channel, ts=ts)
        except Exception as exc:  # noqa: BLE001 - keep going; report what is left behind
            log.warning("could not remove part %s of a failed share: %s", ts, type(exc).__name__)


def _record_posted(rt: Runtime, actor: Actor, share_id: int, parts: Sequence[str]) -> None:
    """posting → posted in one conditional UPDATE, so the poster and housekeeping can
    never both record (and confirm) the same share."""
    now = rt.clock.now()
    with session_scope(rt.engine) as s:
        if not share_store.claim_share(
            s, actor.team_id, actor.user_id, share_id, ("posting",), "posted", now
        ):
            raise RuntimeError("share changed while posting")
        share = share_store.get_owned_share(s, actor.team_id, actor.user_id, share_id)
        assert share is not None
        share.message_ts = parts[0]
        share.extra_ts = ",".join(parts[1:]) or None
        share.posted_at = now
        share.error = None
        share.draft = None  # the post is in Slack now; keep no second copy of the text


def _recorded_as(rt: Runtime, actor: Actor, share_id: int, ts: str) -> bool:
    """Whether the share is already recorded as posted with this message."""
    with session_scope(rt.engine, readonly=True) as s:
        share = share_store.get_owned_share(s, actor.team_id, actor.user_id, share_id)
        return share is not None and share.status == "posted" and share.message_ts == ts


def _failed(
    rt: Runtime, actor: Actor, job: _ToPost, code: str, from_status: str = "posting"
) -> bool:
    """Mark the share failed and tell the author, kindly, with the draft to reopen.
    Only the request that moves the row says so: a share settled elsewhere gets no
    second message."""
    log.info("share %s not posted: %s", job.share_id, code)
    with session_scope(rt.engine) as s:
        moved = share_store.claim_share(
            s, actor.team_id, actor.user_id, job.share_id, (from_status,), "failed", rt.clock.now()
        )
        share = share_store.get_owned_share(s, actor.team_id, actor.user_id, job.share_id)
        if moved and share is not None:
            share.error = code[:64]
    if moved:
        text, blocks = views.failure_message(
            job.share_id, job.draft.channel, problem_text(code), unsure=code in UNSURE
        )
        _dm(rt, actor, job.thread, text, blocks)
    return moved


def _dm(
    rt: Runtime,
    actor: Actor,
    thread: tuple[str, str] | None,
    text: str,
    blocks: list[dict[str, Any]],
) -> tuple[str, str] | None:
    """A message to the author: in the setback's thread when it has one, else the DM."""
    client = rt.web_client()
    try:
        if thread:
            channel, thread_ts = thread
        else:
            channel = client.conversations_open(users=actor.user_id)["channel"]["id"]
            thread_ts = None
        resp = client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(resp["channel"]), str(resp["ts"])
    except Exception as exc:  # noqa: BLE001 - the share itself is already settled
        log.warning("DM to the author failed: %s", error_code(exc))
        return None


def _confirm(rt: Runtime, actor: Actor, job: _ToPost, ts: str) -> None:
    """The DM with a link and a Delete button; its ts is kept so deleting can update it."""
    permalink = None
    try:
        permalink = rt.web_client().chat_getPermalink(channel=job.draft.channel, message_ts=ts)[
            "permalink"
        ]
    except Exception as exc:  # noqa: BLE001 - the confirmation still goes out, without a link
        log.info("no permalink for share %s: %s", job.share_id, type(exc).__name__)
    text, blocks = views.confirmation_message(
        job.share_id, job.draft.channel, permalink, job.draft.anonymous
    )
    sent = _dm(rt, actor, job.thread, text, blocks)
    if sent is None:
        return
    with session_scope(rt.engine) as s:
        share = share_store.get_owned_share(s, actor.team_id, actor.user_id, job.share_id)
        if share is not None:
            share.confirm_channel, share.confirm_ts = sent


# --- shares whose post was interrupted ----------------------------------------------------------


def _is_part(message: dict[str, Any], share_id: int, bot_id: str | None) -> bool:
    """A message this app posted for this share (by its metadata)."""
    meta = message.get("metadata") or {}
    payload = meta.get("event_payload") or {}
    return (
        meta.get("event_type") == SHARE_EVENT
        and str(payload.get("share_id")) == str(share_id)
        and (bot_id is None or message.get("bot_id") == bot_id)
    )


def _thread_parts(
    client: WebClient, channel: str, root: str, share_id: int, bot_id: str | None
) -> list[str]:
    """The continuation replies of a long post, in the order they were posted."""
    found: list[str] = []
    cursor = None
    for _ in range(HISTORY_PAGES):
        resp = client.conversations_replies(
            channel=channel, ts=root, include_all_metadata=True, limit=HISTORY_PAGE, cursor=cursor
        )
        found += [
            m["ts"]
            for m in resp.get("messages") or []
            if m.get("ts") != root and _is_part(m, share_id, bot_id)
        ]
        cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            break
    return sorted(found, key=float)


def find_posted_parts(
    client: WebClient, channel: str, share_id: int, since: datetime, bot_id: str | None
) -> list[str] | None:
    """The ts of every part of this share found in the channel (the post first, then its
    continuation replies); [] when it is not there; None when the search could not finish
    (too many newer messages to page through)."""
    oldest = f"{(since - CLOCK_SKEW).timestamp():.6f}"
    cursor = None
    for _ in range(HISTORY_PAGES):
        resp = client.conversations_history(
            channel=channel,
            include_all_metadata=True,
            oldest=oldest,
            limit=HISTORY_PAGE,
            cursor=cursor,
        )
        for message in resp.get("messages") or []:
            if _is_part(message, share_id, bot_id):
                root = message["ts"]
                return [root, *_thread_parts(client, channel, root, share_id, bot_id)]
        cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return []
    return None


def _search(rt: Runtime, job: _ToPost, since: datetime, bot_id: str | None) -> list[str] | None:
    """`find_posted_parts`, with Slack's answers read: a channel the app cannot read (or
    that is gone) cannot hold the post; any other trouble leaves the question open."""
    try:
        return find_posted_parts(rt.web_client(), job.draft.channel, job.share_id, since, bot_id)
    except SlackApiError as exc:
        code = exc.response.get("error")
        if code in NOT_THERE:
            return []
        log.info("share %s: could not search the channel: %s", job.share_id, code)
    except Exception as exc:  # noqa: BLE001 - network trouble: look again next time
        log.info("share %s: could not search the channel: %s", job.share_id, type(exc).__name__)
    return None


def _bot_id(rt: Runtime) -> str | None:
    """This app's bot id, so only its own messages count as a share's parts."""
    try:
        return rt.web_client().auth_test().get("bot_id")
    except Exception as exc:  # noqa: BLE001 - without it, the metadata alone decides
        log.info("auth.test failed: %s", type(exc).__name__)
        return None


def _expected_parts(job: _ToPost, actor: Actor) -> int:
    author = None if job.draft.anonymous else actor.user_id
    return len(views.post_content(job.draft, author).messages)


def _settle_if_found(rt: Runtime, actor: Actor, job: _ToPost, since: datetime) -> bool:
    """Right after a lost answer: record the post if all of it is in the channel. Anything
    less is left to `recover_stale`, which looks again once a late message has landed."""
    parts = _search(rt, job, since, _bot_id(rt))
    if parts and len(parts) == _expected_parts(job, actor):
        return _settle_posted(rt, actor, job, parts, delete_if_lost=False)
    return False


@dataclass(frozen=True)
class _Stale:
    actor: Actor
    job: _ToPost
    status: str
    since: datetime


def _stale_shares(rt: Runtime, now: datetime) -> list[_Stale]:
    """Shares left `queued` or `posting` for longer than any post takes, oldest first."""
    with session_scope(rt.engine, readonly=True) as s:
        shares = s.exec(
            select(Share)
            .where(
                Share.status.in_(("queued", "posting")),  # type: ignore[attr-defined]
                Share.updated_at < now - STALE_AFTER,  # type: ignore[operator]
            )
            .order_by(Share.updated_at)  # type: ignore[arg-type]
            .limit(RECOVER_PER_RUN)
        ).all()
        found = []
        for share in shares:
            setback = reflection_store.get_owned_setback(
                s, share.team_id, share.user_id, share.setback_id
            )
            draft = Draft.from_json(share.draft) or Draft(channel=share.channel, title="")
            if setback is None or share.id is None:
                continue
            thread = (setback.dm_channel, setback.thread_ts) if setback.thread_ts else None
            actor = Actor(share.team_id, share.user_id, setback.enterprise_id)
            since = share.updated_at or now
            found.append(_Stale(actor, _ToPost(share.id, draft, thread), share.status, since))
    return found


def _recover_one(rt: Runtime, stale: _Stale, now: datetime, bot_id: str | None) -> bool:
    """Settle one interrupted share; True when it is settled (posted or failed)."""
    actor, job = stale.actor, stale.job
    if stale.status == "queued":  # the post never started: only `posting` rows post
        return _failed(rt, actor, job, "interrupted", from_status="queued")
    parts = _search(rt, job, stale.since, bot_id)
    if parts is None:
        if now - stale.since < GIVE_UP_AFTER:
            return False  # look again at the next housekeeping
        return _failed(rt, actor, job, "unconfirmed")
    if parts and len(parts) == _expected_parts(job, actor):
        return _settle_posted(rt, actor, job, parts, delete_if_lost=False)
    _delete_parts(rt.web_client(), job.draft.channel, parts)  # a post cut short: take it down
    return _failed(rt, actor, job, "interrupted")


def recover_stale(rt: Runtime, now: datetime) -> int:
    """Housekeeping: settle shares stuck in `queued` or `posting` because the process
    stopped between answering Slack and posting, or between posting and recording it.

    The channel's recent history is searched for the post by its metadata: found whole,
    the share is recorded and the author gets the usual confirmation with a Delete
    button; not found (or only part of a long post, which is then removed), the share is
    marked failed and the author is told, kindly, that it did not go out and that the
    kept draft can be shared again. Returns how many shares were settled.
    """
    stale = _stale_shares(rt, now)
    if not stale:
        return 0
    bot_id = _bot_id(rt) if any(s.status == "posting" for s in stale) else None
    settled = 0
    for one in stale:
        try:
            settled += _recover_one(rt, one, now, bot_id)
        except Exception:  # noqa: BLE001 - one share must not stop the others
            log.exception("recovering share %s failed", one.job.share_id)
    if settled:
        log.info("settled %d interrupted share(s)", settled)
    return settled


# --- deleting --------------------------------------------------------------------------------


def delete_share(rt: Runtime, actor: Actor, share_id: int | None) -> bool:
    """Remove a posted share from its channel and mark it deleted. True when it is gone.

    Refuses (False, nothing changes) unless the acting team + user own both the share and
    its setback. Thread replies go first, so no tombstone is left; a message Slack no
    longer has counts as deleted. The confirmation DM is updated so no live button stays.
    """
    with session_scope(rt.engine, readonly=True) as s:
        share = share_store.get_owned_share(s, actor.team_id, actor.user_id, share_id)
        if share is None or share.status != "posted" or not share.message_ts:
            return False
        setback = reflection_store.get_owned_setback(
            s, actor.team_id, actor.user_id, share.setback_id
        )
        if setback is None:
            return False
        thread = (setback.dm_channel, setback.thread_ts) if setback.thread_ts else None
        channel, parts = share.channel, [share.message_ts, *(share.extra_ts or "").split(",")]
        confirm = (share.confirm_channel, share.confirm_ts) if share.confirm_ts else None
    client = rt.web_client()
    for ts in reversed([p for p in parts if p]):
        try:
            client.chat_delete(channel=channel, ts=ts)
        except SlackApiError as exc:
            code = exc.response.get("error")
            if code == "message_not_found":
                continue
            text, blocks = views.delete_failed_message(channel, _delete_problem(code))
            _dm(rt, actor, thread, text, blocks)
            return False
    now = rt.clock.now()
    with session_scope(rt.engine) as s:
        row = share_store.get_owned_share(s, actor.team_id, actor.user_id, share_id)
        if row is not None:
            row.status, row.deleted_at, row.updated_at = "deleted", now, now
    if confirm:
        _mark_confirmation_deleted(client, confirm, channel)
    hooks.changed(rt, actor)
    return True


def _delete_problem(code: str | None) -> str:
    if code == "is_archived":
        return "The channel is archived; a workspace admin can unarchive it, then try again."
    if code == "ratelimited":
        return "Slack asked Setback to slow down. Wait a minute, then press Delete again."
    return "Please try again in a moment."


def _mark_confirmation_deleted(
    client: WebClient, confirm: tuple[str | None, str | None], channel: str
) -> None:
    text, blocks = views.deleted_message(channel)
    try:
        client.chat_update(channel=confirm[0], ts=confirm[1], text=text, blocks=blocks)
    except Exception as exc:  # noqa: BLE001 - the post is gone either way
        log.info("could not update the share confirmation: %s", type(exc).__name__)
