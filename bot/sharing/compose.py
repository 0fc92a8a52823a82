"""The share modal's middle screens: compose, then preview, with edit and back between.

Compose saves the author's choices as a draft on a share row, so the preview, the edit
screen, "Back" and a failed post's "Open the draft again" all read the same draft, and
only the owner's own draft (re-checked on every screen). The preview renders the very
blocks the post will use, with the blameless language check under them. The channel is
checked while the modal is open (see `bot.sharing.channels`), so its usual problems
come back as a field error on the picker.

Sentences of harsh self-judgement ("I'm such an idiot.") in the parts taken from the
reflection stay out of the draft by default: the preview says how many were left out
(never which), and ticking "Include the sentences Setback left out" on compose puts them
back on purpose. A part the author edited by hand keeps their words either way.

Closing the modal forgets a draft that was never posted. Crisis language in any text
written for the post puts the whole setback on safety hold: its drafts are dropped and
it is never offered again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.views import View
from sqlmodel import Session

from bot.core import hooks
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.language import blameless, safety
from bot.language.kindness import without_harsh
from bot.sharing import views
from bot.sharing.channels import quick_channel_problem
from bot.sharing.draft import CHANNEL_ID, SECTION_BY_KEY, SECTIONS, Draft, FoundFlag, ShareMeta
from bot.sharing.offer import Loaded, load_setback, refusal_view
from bot.sharing.outcome import ShareOutcome, problem_text
from storage import reflections as reflection_store
from storage import shares as share_store
from storage.db import session_scope
from storage.models import Share, ShareStatus
from storage.rows import row_id

# A share whose text can still change and be posted.
EDITABLE = (ShareStatus.DRAFT, ShareStatus.FAILED)


# --- compose -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Compose:
    channel: str | None
    title: str
    chosen: list[str]
    intro: str
    anonymous: bool
    keep_harsh: bool


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
    ok_channel = isinstance(channel, str) and CHANNEL_ID.fullmatch(channel)
    picked = _picked(values, views.FIELD_SECTIONS)
    return _Compose(
        channel=channel if ok_channel else None,
        title=_text(values, views.FIELD_TITLE, views.TITLE_MAX),
        chosen=[s.key for s in SECTIONS if s.key in picked and s.key in offered],
        intro=_text(values, views.FIELD_INTRO, views.INTRO_MAX),
        anonymous=views.ANONYMOUS_VALUE in _picked(values, views.FIELD_ANONYMOUS),
        keep_harsh=views.KEEP_HARSH_VALUE in _picked(values, views.FIELD_KEEP_HARSH),
    )


def as_offered(text: str, keep_harsh: bool) -> tuple[str, int]:
    """A part's text as a draft takes it from the reflection: without its sentences of
    harsh self-judgement unless the author puts them back, and how many were left out."""
    return (text, 0) if keep_harsh else without_harsh(text)


def section_texts(
    offered: dict[str, str], form: _Compose, before: Draft | None
) -> tuple[dict[str, str], int]:
    """The texts of the chosen parts, and how many harsh sentences were left out of them.

    A part the author edited by hand (its text in the earlier draft is not what that
    draft took from the reflection) keeps the edit; the others are taken afresh with
    this submission's choice. A part left with no sentence at all is dropped."""
    texts: dict[str, str] = {}
    left_out = 0
    for key in form.chosen:
        earlier = before.sections.get(key) if before else None
        if before and earlier and earlier != as_offered(offered[key], before.keep_harsh)[0]:
            texts[key] = earlier
            continue
        text, dropped = as_offered(offered[key], form.keep_harsh)
        left_out += dropped
        if text:
            texts[key] = text
    return texts, left_out


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
        loaded = load_setback(s, actor, meta.setback_id)
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
    sections, left_out = section_texts(loaded.offered, form, before)
    if form.chosen and not sections:
        errors[views.FIELD_SECTIONS] = views.ALL_LEFT_OUT
    if errors:
        return ShareOutcome("errors", errors=errors)
    assert form.channel is not None
    problem = quick_channel_problem(rt, actor, form.channel)
    if problem:
        return ShareOutcome("errors", errors={views.FIELD_CHANNEL: problem_text(problem)})
    draft = Draft(
        channel=form.channel,
        title=form.title,
        sections=sections,
        intro=form.intro,
        anonymous=form.anonymous,
        keep_harsh=form.keep_harsh,
        left_out=left_out,
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
        if setback is None or refusal_view(setback) is not None:
            return None
        share = _editable_share(s, actor, meta) if meta.share_id else None
        if meta.share_id and share is None:
            return None
        if share is None:
            share = Share(
                team_id=actor.team_id,
                user_id=actor.user_id,
                setback_id=row_id(setback),
                channel=draft.channel,
                status=ShareStatus.DRAFT,
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
    """Run the blameless check on every part of the post, remembering where each flag is.

    A person or role named as the cause comes first, with its reframe; then other blame,
    then notes on the account's form; in the order of the post within each.
    """
    parts = [("the title", draft.title), ("the intro", draft.intro)]
    parts += [(SECTION_BY_KEY[k].label, text) for k, text in draft.sections.items()]
    found = [FoundFlag(part, flag) for part, text in parts for flag in blameless.check(text)]
    return sorted(found, key=lambda found_flag: blameless.priority(found_flag.flag))


def preview(actor: Actor, meta: ShareMeta, draft: Draft, notice: str | None = None) -> View:
    """The preview screen: the post's own blocks, then the flags with reframe ideas."""
    content = views.post_content(draft, None if draft.anonymous else actor.user_id)
    return views.preview_view(meta, draft, content, blameless_flags(draft), notice=notice)


# --- edit, back, resume --------------------------------------------------------------------


def load_draft(rt: Runtime, actor: Actor, meta: ShareMeta) -> tuple[Loaded, Share, Draft] | View:
    """The owner's shareable setback, its share and the draft still open for editing, as the
    modal's metadata names them; otherwise a view for why not. Every screen after compose,
    Post included, starts here."""
    with session_scope(rt.engine, readonly=True) as s:
        loaded = load_setback(s, actor, meta.setback_id)
        if isinstance(loaded, View):
            return loaded
        share = _editable_share(s, actor, meta)
        draft = Draft.from_json(share.draft) if share else None
        if share is None or draft is None:
            return views.gone_view()
        return loaded, share, draft


def to_compose(rt: Runtime, actor: Actor, meta: ShareMeta) -> View:
    """ "← Channel or parts" on the preview: compose again, keeping every choice."""
    found = load_draft(rt, actor, meta)
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
        keep_harsh=draft.keep_harsh,
    )


def to_edit(rt: Runtime, actor: Actor, meta: ShareMeta) -> View:
    """ "Edit the text" on the preview: one input per chosen part, prefilled."""
    found = load_draft(rt, actor, meta)
    if isinstance(found, View):
        return found
    return views.edit_view(meta, found[2])


def submit_edit(rt: Runtime, actor: Actor, meta: ShareMeta, values: dict[str, Any]) -> ShareOutcome:
    """Save the edited texts (the post's, never the reflection's) and preview again."""
    found = load_draft(rt, actor, meta)
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
    found = load_draft(rt, actor, meta)
    if isinstance(found, View):
        return found
    _, share, draft = found
    notice = f"Last time it wasn't posted: {problem_text(share.error)}" if share.error else None
    return preview(actor, meta, draft, notice=notice)


# --- closing, and crisis language ----------------------------------------------------------


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
