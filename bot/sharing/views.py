"""The share surface: the modal screens, the channel post and the author's DMs.

One modal, replaced in place (the view stack is only 3 deep): choose a reflection (when
there are several) → compose (channel, parts, title, intro, anonymous) → preview, with
"Edit the text" and "Back" reachable from the preview. The preview renders the very
blocks the post will use, so what the author sees is what the channel gets.

User text reaches mrkdwn escaped (`&`, `<`, `>`) and in `verbatim` text objects, so
neither `<!channel>` nor a bare `@here` or URL in an answer turns into a mention or a
link. Titles go into plain_text headers, where Slack parses nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.core.mrkdwn import escape, split_for_sections, truncate
from bot.core.settings import SupportResource
from bot.language.kindness import harsh_sentences, without_harsh
from bot.sharing.draft import (
    CHANNEL_ID,
    SECTION_BY_KEY,
    SECTIONS,
    Draft,
    FoundFlag,
    PostContent,
    ShareMeta,
    metadata,
)

CALLBACK_PICK = "setback_share_pick"
CALLBACK_COMPOSE = "setback_share_compose"
CALLBACK_EDIT = "setback_share_edit"
CALLBACK_PREVIEW = "setback_share_preview"
CALLBACK_INFO = "setback_share_info"
ACTION_SHARE_DELETE = "setback_share_delete"  # the Home tab reuses it (value = share id)
ACTION_SHARE_RESUME = "setback_share_resume"
ACTION_TO_COMPOSE = "setback_share_to_compose"
ACTION_TO_EDIT = "setback_share_to_edit"

# Block ids (= action ids) of the inputs, read back by the service.
FIELD_SETBACK = "setback"
FIELD_CHANNEL = "channel"
FIELD_TITLE = "title"
FIELD_SECTIONS = "sections"
FIELD_INTRO = "intro"
FIELD_ANONYMOUS = "anonymous"
FIELD_KEEP_HARSH = "keep_harsh"
EDIT_PREFIX = "text_"
ANONYMOUS_VALUE = "anonymous"
KEEP_HARSH_VALUE = "keep"
KEEP_HARSH_LABEL = "Include the sentences Setback left out"
ALL_LEFT_OUT = (
    "Every sentence in the parts you ticked is harsh on you, so Setback left them "
    f"out. Tick another part, or tick “{KEEP_HARSH_LABEL}” to put them back."
)

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
SECTION_LIMIT = 3000
TITLE_MAX = 150
INTRO_MAX = 300
TEXT_MAX = 3000
USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")


# --- the channel post --------------------------------------------------------------------


def _mrkdwn(text: str) -> MarkdownTextObject:
    """A mrkdwn text object that Slack will not auto-link or auto-mention."""
    return MarkdownTextObject(text=text, verbatim=True)


def split_escaped(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Escape user text and split it into chunks of at most `limit` characters.

    Escaping makes text longer (`<` becomes `&lt;`), so a 3,000-character answer may
    need several sections; the split is made on the escaped text at entity boundaries
    (`split_for_sections`), so no `&lt;` is ever cut in two.
    """
    return split_for_sections(escape(text), limit)


def list_lines(text: str) -> list[str]:
    """The items of a one-per-line answer, without bullets people typed themselves."""
    items = []
    for line in text.splitlines():
        item = re.sub(r"^\s*(?:[•*\-–]\s+|\d+[.)]\s+)", "", line).strip()
        if item:
            items.append(item)
    return items


def _section_blocks(label: str | None, text: str, listed: bool) -> list[Block]:
    raw = "\n".join(f"• {line}" for line in list_lines(text)) if listed else text.strip()
    head = f"*{label}*\n" if label else ""
    chunks = split_escaped(raw, SECTION_LIMIT - len(head))
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(head + chunks[0]))]
    blocks += [SectionBlock(text=_mrkdwn(c)) for c in chunks[1:]]
    return blocks


def credit_line(author_id: str | None) -> str:
    """The context line: a mention we build ourselves, or no one at all."""
    if author_id and USER_ID.fullmatch(author_id):
        return f"Shared by <@{author_id}> with /setback"
    return "Shared anonymously with /setback"


def post_content(
    draft: Draft, author_id: str | None, block_limit: int = MESSAGE_BLOCK_LIMIT
) -> PostContent:
    """The channel post for a draft. `author_id=None` posts anonymously: then no user id
    or name appears anywhere in the text or blocks.

    Never fails on size: long parts become several sections, and past `block_limit`
    blocks the post continues in thread replies.
    """
    header = HeaderBlock(text=truncate(draft.title.strip() or "A blameless retro", TITLE_MAX))
    body: list[Block] = []
    if draft.intro.strip():
        body += _section_blocks(None, draft.intro, listed=False)
    for key, text in draft.sections.items():
        section = SECTION_BY_KEY.get(key)
        if section is not None and text.strip():
            body += _section_blocks(section.label, text, section.listed)
    credit = credit_line(author_id)
    room = block_limit - 2  # the header and the credit line
    first, rest = body[:room], body[room:]
    if rest:
        credit += " · continued in the thread"
    messages = [[header, *first, ContextBlock(elements=[_mrkdwn(credit)])]]
    messages += [rest[i : i + block_limit] for i in range(0, len(rest), block_limit)]
    text = f"Blameless retro: {escape(truncate(draft.title.strip() or 'untitled', 150))}"
    return PostContent(text=text, messages=messages)


# --- modal screens -------------------------------------------------------------------------


def _modal(
    callback_id: str,
    title: str,
    blocks: Sequence[Block],
    meta: ShareMeta | None = None,
    *,
    submit: str | None = None,
    close: str = "Cancel",
    notify_on_close: bool = False,
) -> View:
    return View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close=close,
        private_metadata=metadata(meta) if meta else None,
        notify_on_close=notify_on_close or None,
        blocks=list(blocks),
    )


def info_view(text: str, title: str = "Share a retro") -> View:
    """A one-message modal (nothing to share, kept private, not available any more)."""
    return _modal(
        CALLBACK_INFO, title, [SectionBlock(text=MarkdownTextObject(text=text))], close="Close"
    )


def gone_view() -> View:
    """For a payload naming something this person does not own (or that is gone); it says
    nothing about whether it exists."""
    return info_view(
        "This isn't available any more. Type `/setback share` to share a finished reflection."
    )


def held_view() -> View:
    """The kind refusal for a setback that met crisis language: it is never shareable."""
    return info_view(
        "This reflection stays private. Parts of it touched on something heavy, so Setback "
        "keeps it just for you and never offers it for sharing.\n\nIf it's still weighing on "
        "you, talking it through with someone you trust can help."
    )


def _choice_label(title: str, when: str) -> str:
    suffix = f" · {when}" if when else ""
    return truncate(title or "Untitled", 75 - len(suffix)) + suffix


def pick_view(choices: Sequence[tuple[int, str, str]], origin: str | None) -> View:
    """Choose which finished reflection to share: (setback id, title, when) each."""
    options = [  # select options show no description line, so the date joins the text
        Option(value=str(sid), text=_choice_label(title, when))
        for sid, title, when in choices[:100]
    ]
    blocks: list[Block] = [
        SectionBlock(text=PlainTextObject(text="Which reflection would you like to share?")),
        InputBlock(
            block_id=FIELD_SETBACK,
            label="Reflection",
            element=StaticSelectElement(
                action_id=FIELD_SETBACK, options=options, placeholder="Choose one"
            ),
        ),
    ]
    return _modal(
        CALLBACK_PICK, "Share a retro", blocks, ShareMeta(None, None, origin), submit="Next"
    )


def sentences(count: int) -> str:
    """ "1 sentence", "2 sentences"."""
    return f"{count} sentence" if count == 1 else f"{count} sentences"


def _part_option(key: str, label: str, text: str) -> Option:
    shown = " ".join(without_harsh(text)[0].split())
    return Option(value=key, text=label, description=truncate(shown, 75) if shown else None)


def _keep_harsh_input(count: int, keep: bool) -> InputBlock:
    """The box that puts the harsh sentences back: unticked unless the author ticked it."""
    it, verb = ("it stays", "is") if count == 1 else ("they stay", "are")
    option = Option(
        value=KEEP_HARSH_VALUE,
        text=KEEP_HARSH_LABEL,
        description=f"{sentences(count)} here {verb} harsh on you; {it} out unless you tick this.",
    )
    return InputBlock(
        block_id=FIELD_KEEP_HARSH,
        label="Harsh words about yourself",
        optional=True,
        element=CheckboxesElement(
            action_id=FIELD_KEEP_HARSH, options=[option], initial_options=[option] if keep else None
        ),
    )


def compose_view(
    meta: ShareMeta,
    title: str,
    offered: dict[str, str],
    *,
    chosen: Sequence[str] = (),
    channel: str | None = None,
    intro: str = "",
    anonymous: bool = False,
    keep_harsh: bool = False,
) -> View:
    """Screen 1: channel, the parts to share, a title, an intro line, anonymous or not,
    and — when the parts hold harsh self-judgement — whether to put it back in.

    Only `offered` parts appear; feelings, self-talk, the apology draft, support and
    anything flagged for safety never reach this screen. Each part's description shows
    its start as the post takes it by default, without the harsh sentences.
    """
    options = [_part_option(s.key, s.label, offered[s.key]) for s in SECTIONS if s.key in offered]
    harsh = sum(len(harsh_sentences(text)) for text in offered.values())
    initial = [o for o in options if o.value in chosen]
    picker = ConversationSelectElement(
        action_id=FIELD_CHANNEL,
        placeholder="Pick a channel you're in",
        initial_conversation=channel or meta.origin,
        default_to_current_conversation=True if meta.origin and not channel else None,
        filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
    )
    anon = Option(
        value=ANONYMOUS_VALUE,
        text="Leave my name off the post",
        description="Your name won't appear anywhere in the post.",
    )
    blocks: list[Block] = [
        SectionBlock(
            text=_mrkdwn(
                f"Share what you learned from *{escape(truncate(title, 150))}*. Only the "
                "parts you tick are posted. Your feelings, what you'd tell a friend, your "
                "apology draft and who supports you always stay private."
            )
        ),
        InputBlock(block_id=FIELD_CHANNEL, label="Post in", element=picker),
        InputBlock(
            block_id=FIELD_SECTIONS,
            label="What to share",
            element=CheckboxesElement(
                action_id=FIELD_SECTIONS, options=options, initial_options=initial or None
            ),
        ),
        *([_keep_harsh_input(harsh, keep_harsh)] if harsh else []),
        InputBlock(
            block_id=FIELD_TITLE,
            label="Title",
            element=PlainTextInputElement(
                action_id=FIELD_TITLE, max_length=TITLE_MAX, initial_value=title or None
            ),
        ),
        InputBlock(
            block_id=FIELD_INTRO,
            label="A line to introduce it",
            optional=True,
            element=PlainTextInputElement(
                action_id=FIELD_INTRO,
                max_length=INTRO_MAX,
                initial_value=intro or None,
                placeholder="Sharing what I learned, in case it helps someone else",
            ),
        ),
        InputBlock(
            block_id=FIELD_ANONYMOUS,
            label="Anonymous",  # Slack adds "(optional)": being anonymous is the option
            optional=True,
            element=CheckboxesElement(
                action_id=FIELD_ANONYMOUS,
                options=[anon],
                initial_options=[anon] if anonymous else None,
            ),
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Next comes a preview with a blameless language check. Nothing is "
                    "posted until you press *Post*."
                )
            ]
        ),
    ]
    return _modal(
        CALLBACK_COMPOSE, "Share a retro", blocks, meta, submit="Preview", notify_on_close=True
    )


def edit_view(meta: ShareMeta, draft: Draft) -> View:
    """Edit the text of each chosen part. The edit is what gets posted; the saved
    reflection stays as it was."""
    blocks: list[Block] = [
        SectionBlock(
            text=PlainTextObject(
                text="Edit the words for this post. Your saved reflection stays as it is. "
                "To leave a part out, go back and untick it."
            )
        ),
        InputBlock(
            block_id=FIELD_TITLE,
            label="Title",
            element=PlainTextInputElement(
                action_id=FIELD_TITLE, max_length=TITLE_MAX, initial_value=draft.title or None
            ),
        ),
    ]
    for key, text in draft.sections.items():
        section = SECTION_BY_KEY[key]
        blocks.append(
            InputBlock(
                block_id=EDIT_PREFIX + key,
                label=section.label,
                hint="One per line." if section.listed else None,
                element=PlainTextInputElement(
                    action_id=EDIT_PREFIX + key,
                    multiline=True,
                    max_length=TEXT_MAX,
                    initial_value=truncate(text, TEXT_MAX) or None,
                ),
            )
        )
    return _modal(
        CALLBACK_EDIT, "Edit the text", blocks, meta, submit="Preview", notify_on_close=True
    )


def _flag_lines(flags: Sequence[FoundFlag]) -> list[str]:
    return [
        f"• “{escape(truncate(f.flag.phrase, 200))}” in _{escape(f.part)}_ — "
        f"*{escape(f.flag.title)}.* {escape(f.flag.reframe)}"
        for f in flags
    ]


def _check_blocks(flags: Sequence[FoundFlag], room: int) -> list[Block]:
    """The blameless check under the preview, within `room` blocks."""
    if not flags:
        return [
            SectionBlock(
                text=MarkdownTextObject(
                    text="*Blameless check:* nothing flagged. It reads as an account of "
                    "conditions, not culprits."
                )
            )
        ]
    noun, each = ("phrase", "It has") if len(flags) == 1 else ("phrases", "Each has")
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*Blameless check:* {len(flags)} {noun} might read as blame. {each} a "
                "reframe idea — edit the text, or post as it is. It's your call."
            )
        )
    ]
    chunks = split_for_sections("\n".join(_flag_lines(flags)), SECTION_LIMIT)
    if len(chunks) > room - 1:
        chunks = chunks[: max(1, room - 2)]
        blocks += [SectionBlock(text=MarkdownTextObject(text=c)) for c in chunks]
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="…and more.")]))
        return blocks
    return blocks + [SectionBlock(text=MarkdownTextObject(text=c)) for c in chunks]


def preview_view(
    meta: ShareMeta,
    draft: Draft,
    content: PostContent,
    flags: Sequence[FoundFlag],
    *,
    notice: str | None = None,
) -> View:
    """The message as it will appear, then each flagged phrase with its reframe idea.
    When harsh sentences were left out, it says how many and how to put them back."""
    how = "anonymously" if draft.anonymous else "under your name"
    blocks: list[Block] = []
    if notice:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f":warning: {notice}")))
    lines = [f"*Preview* — how it will look in <#{draft.channel}>, posted {how}."]
    if draft.left_out and not draft.keep_harsh:
        lines.append(left_out_note(draft.left_out))
    blocks += [
        ContextBlock(elements=[MarkdownTextObject(text=line) for line in lines]),
        DividerBlock(),
    ]
    shown: list[Block] = []
    for i, message in enumerate(content.messages):
        if i:
            shown.append(
                ContextBlock(elements=[MarkdownTextObject(text="_continues in a thread reply:_")])
            )
        shown += message
    tail = [
        DividerBlock(),
        ActionsBlock(
            block_id="share_nav",
            elements=[
                ButtonElement(text="← Channel or parts", action_id=ACTION_TO_COMPOSE, value="back"),
                ButtonElement(text="Edit the text", action_id=ACTION_TO_EDIT, value="edit"),
            ],
        ),
    ]
    room = VIEW_BLOCK_LIMIT - len(blocks) - len(tail) - 2
    if len(shown) > room - 4:
        shown = shown[: room - 5] + [
            ContextBlock(elements=[MarkdownTextObject(text="_…the rest is posted as shown._")])
        ]
    blocks += shown + [DividerBlock()]
    blocks += _check_blocks(flags, VIEW_BLOCK_LIMIT - len(blocks) - len(tail))
    blocks += tail
    return _modal(CALLBACK_PREVIEW, "Preview", blocks, meta, submit="Post", notify_on_close=True)


def left_out_note(count: int) -> str:
    """How many sentences of harsh self-judgement the post leaves out (never which), and
    how to put them back on purpose."""
    it = "it" if count == 1 else "them"
    return (
        f"Setback left out {sentences(count)} that {'is' if count == 1 else 'are'} harsh on "
        f"you: a retro is about what happened, not a verdict on you. To put {it} back, go to "
        f"*← Channel or parts* and tick “{KEEP_HARSH_LABEL}”."
    )


def posting_view(channel: str) -> View:
    """The modal's last screen: the post happens after the modal answers (see
    bot.sharing.post)."""
    return info_view(
        f"Posting your blameless retro in <#{channel}>…\n\nSetback will send you a DM with a "
        "link to it and a *Delete shared summary* button. You can close this window.",
        title="Posting",
    )


def posted_view(channel: str, permalink: str | None, anonymous: bool) -> View:
    """The "Posting…" screen once the post is in its channel: where, a link, and where
    taking it back lives (the DM's Delete button)."""
    how = "anonymously" if anonymous else "under your name"
    return info_view(
        f":white_check_mark: Your blameless retro is posted in <#{channel}>, {how}."
        f"{_link(permalink)}\n\nSetback also sent you a DM with the link and a *Delete shared "
        "summary* button, in case you change your mind. You can close this window.",
        title="Posted",
    )


def not_posted_view(channel: str, reason: str, *, unsure: bool = False) -> View:
    """The "Posting…" screen once the post has failed: what went wrong, what to do, and
    where the kept draft is (`unsure`: Slack could not be asked whether it went out)."""
    where = f"<#{channel}>" if CHANNEL_ID.fullmatch(channel or "") else "the channel"
    if unsure:
        head = f"Setback couldn't confirm whether your blameless retro was posted in {where}."
    else:
        head = f"Your blameless retro wasn't posted in {where}. Nothing went out."
    return info_view(
        f":warning: {head} {reason}\n\nYour draft is kept: the DM from Setback has an *Open "
        "the draft again* button for when you're ready. You can close this window.",
        title="Not posted",
    )


def unconfirmed_text(channel: str) -> str:
    """What to say when Slack's answer to the post was lost (the modal, or a DM when the
    modal was closed): it may have gone out, so nothing is promised."""
    return (
        f"Slack didn't answer when Setback posted in <#{channel}>, so Setback couldn't "
        "confirm whether your blameless retro went out. It will look for it in the channel "
        "and send you a DM either way: the link if it's there, or your draft to open again "
        "if it isn't."
    )


def unconfirmed_view(channel: str) -> View:
    """The "Posting…" screen when Slack's answer to the post was lost: it may have gone out,
    so nothing is promised; the DM will say how it ended."""
    return info_view(
        f"{unconfirmed_text(channel)} You can close this window.", title="Not confirmed yet"
    )


def care_view(resources: Sequence[SupportResource]) -> View:
    """Shown when text written for the post holds crisis language: nothing is posted."""
    links = "\n".join(f"• <{escape(r.url)}|{escape(r.label)}>" for r in resources)
    blocks: list[Block] = [
        HeaderBlock(text="Pausing for a moment"),
        SectionBlock(
            text=PlainTextObject(
                text="Some of what you wrote sounds really heavy. Thank you for putting it into "
                "words. You deserve support from a person right now, not just an app."
            )
        ),
    ]
    if links:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=f"*Places that can help:*\n{links}"))
        )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Setback is not a crisis service. Nothing has been posted, this "
                    "reflection stays private, and no one is notified."
                )
            ]
        )
    )
    return _modal(CALLBACK_INFO, "A moment of care", blocks, close="Close")


# --- the author's DMs ------------------------------------------------------------------------


def _delete_button(share_id: int) -> ButtonElement:
    return ButtonElement(
        text="Delete shared summary",
        action_id=ACTION_SHARE_DELETE,
        value=str(share_id),
        style="danger",
        confirm=ConfirmObject(
            title="Delete the shared summary?",
            text="It will be removed from the channel for everyone. Your reflection stays.",
            confirm="Delete it",
            deny="Keep it",
        ),
    )


def _link(permalink: str | None) -> str:
    """The "Open it" link to the post, or nothing when Slack gave no usable link."""
    safe = bool(permalink) and re.fullmatch(r"https?://[^\s<>|]+", permalink or "") is not None
    return f" <{permalink}|Open it>" if safe else ""


def confirmation_message(
    share_id: int, channel: str, permalink: str | None, anonymous: bool
) -> tuple[str, list[dict[str, Any]]]:
    """The DM after a post: where it is, a link, and a way to take it back."""
    how = "anonymously" if anonymous else "under your name"
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f":white_check_mark: Your blameless retro is posted in <#{channel}>, "
                f"{how}.{_link(permalink)}"
            )
        ),
        ActionsBlock(block_id="share_posted", elements=[_delete_button(share_id)]),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Thank you for sharing what you learned — it makes it easier for "
                    "others to do the same."
                )
            ]
        ),
    ]
    text = f"Your blameless retro is posted in <#{channel}>."
    return text, [b.to_dict() for b in blocks]


def deleted_message(channel: str) -> tuple[str, list[dict[str, Any]]]:
    """The confirmation DM once the post is gone: no live button left behind."""
    text = f"You deleted the blameless retro you shared in <#{channel}>."
    block = SectionBlock(text=MarkdownTextObject(text=f":wastebasket: {text}"))
    return text, [block.to_dict()]


def failure_message(
    share_id: int | None, channel: str, reason: str, *, unsure: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """A post that did not happen: what went wrong, what to do, and the draft to reopen.

    `unsure`: Slack could not be asked whether it went out, so say that instead of
    promising that nothing was posted."""
    where = f"<#{channel}>" if CHANNEL_ID.fullmatch(channel or "") else "the channel"
    if unsure:
        text = f"Setback couldn't confirm whether your blameless retro was posted in {where}."
    else:
        text = f"Your blameless retro wasn't posted in {where}."
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f":warning: {text} {reason}"))]
    if share_id is not None:
        blocks.append(
            ActionsBlock(
                block_id="share_failed",
                elements=[
                    ButtonElement(
                        text="Open the draft again",
                        action_id=ACTION_SHARE_RESUME,
                        value=str(share_id),
                    )
                ],
            )
        )
    if not unsure:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(text="Nothing was posted, so there's nothing to clean up.")
                ]
            )
        )
    return text, [b.to_dict() for b in blocks]


def delete_failed_message(channel: str, reason: str) -> tuple[str, list[dict[str, Any]]]:
    """Deleting did not work: say why; the confirmation keeps its Delete button."""
    text = f"I couldn't delete the blameless retro in <#{channel}>. {reason}"
    return text, [SectionBlock(text=MarkdownTextObject(text=f":warning: {text}")).to_dict()]
