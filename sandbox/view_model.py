"""What one person sees on the sandbox page, read from the workspace.

The page asks for this after every change and renders it; it never reads the workspace
any other way. Keeping the "who may see what" rules here, in one pure function, is what
lets a test prove that switching from Ada to Ben shows nothing of Ada's: Ben gets the
channels he is a member of, *his* DM with the app, *his* ephemeral messages, *his* modal
and *his* Home tab — never anyone else's.

"Only visible to you" (ephemeral) messages belong to the client that was open when they
arrived, as in Slack: a page asks with ``ephemerals_since`` (the ``cursor`` its first
read returned) and gets only those posted since. A reloaded page starts without one, so
it shows none of the earlier ones; it keeps the ones it got in its own memory.
"""

from typing import Any

from sandbox.workspace import Workspace

PAGE_RECORDS = 200  # rejections and Web API calls shown in the log drawer

# Fields of a stored message the page renders; internal bookkeeping stays behind.
_MESSAGE_FIELDS = (
    "ts",
    "user",
    "bot_id",
    "text",
    "blocks",
    "attachments",
    "files",
    "thread_ts",
    "reply_count",
    "latest_reply",
    "edited",
    "subtype",
)


def _message(message: dict[str, Any]) -> dict[str, Any]:
    return {k: message[k] for k in _MESSAGE_FIELDS if k in message}


def _person(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": user["id"],
        "name": user["name"],
        "real_name": user["real_name"],
        "tz": user["tz"],
        "is_bot": user["is_bot"],
    }


def _conversation(
    ws: Workspace, channel: dict[str, Any], user_id: str, ephemerals_since: str | None
) -> dict[str, Any]:
    shown = ws.ephemeral_messages(user_id, after=ephemerals_since) if ephemerals_since else []
    ephemerals = [
        {**_message(m), "ephemeral": True} for m in shown if m["channel"] == channel["id"]
    ]
    timeline = [_message(m) for m in ws.channel_messages(channel["id"])] + ephemerals
    timeline.sort(key=lambda m: m["ts"])
    return {
        "id": channel["id"],
        "name": "Setback" if channel["is_im"] else channel["name"],
        "is_im": channel["is_im"],
        "is_private": channel["is_private"],
        "is_archived": channel["is_archived"],
        "bot_is_member": ws.bot_user_id in channel["members"],
        "members": list(channel["members"]),
        "messages": timeline,
    }


def _visible_channels(ws: Workspace, user_id: str) -> list[dict[str, Any]]:
    """Channels ``user_id`` is in, and the bot's DM with them (never someone else's DM)."""
    found = []
    for channel_id in ws.channel_ids():
        channel = ws.channel(channel_id)
        if channel is None or user_id not in channel["members"]:
            continue
        if channel["is_im"] and channel["im_user"] != user_id:
            continue
        found.append(channel)
    return found


def _directory(ws: Workspace, user_id: str) -> list[dict[str, Any]]:
    """Conversations a conversations/channels select may offer to ``user_id``.

    Like Slack: every public channel, and private channels only to their members.
    """
    listed = []
    for channel_id in ws.channel_ids():
        channel = ws.channel(channel_id)
        if channel is None or channel["is_im"] or channel["is_archived"]:
            continue
        if channel["is_private"] and user_id not in channel["members"]:
            continue
        listed.append(
            {
                "id": channel["id"],
                "name": channel["name"],
                "is_private": channel["is_private"],
                "is_member": user_id in channel["members"],
            }
        )
    return listed


def _modal(ws: Workspace, user_id: str) -> dict[str, Any] | None:
    stack = ws.view_stack(user_id)
    if not stack:
        return None
    top = stack[-1]
    return {"view": top, "errors": ws.errors_of(top["id"]), "depth": len(stack)}


def page_state(
    ws: Workspace, user_id: str, *, ephemerals_since: str | None = None
) -> dict[str, Any]:
    """Everything the page shows to ``user_id``, as JSON-ready data.

    Ephemeral messages are included only with ``ephemerals_since`` (a ts: those posted
    after it); ``cursor`` is the newest ts now, for a page that has just opened.
    Raises LookupError for an unknown or bot user: the page only signs in people.
    """
    me = ws.user(user_id)
    if me is None or me["is_bot"]:
        raise LookupError(f"{user_id} is not a person in this workspace")
    people = [ws.user(u) for u in ws.user_ids()]
    members = {u["id"]: _person(u) for u in people if u is not None}
    return {
        "team": {"id": ws.team_id, "name": ws.team_name},
        "now": ws.now(),
        "cursor": ws.latest_ts(),
        "me": _person(me),
        "bot_user_id": ws.bot_user_id,
        "members": members,
        "people": [p for p in members.values() if not p["is_bot"]],
        "conversations": [
            _conversation(ws, c, user_id, ephemerals_since) for c in _visible_channels(ws, user_id)
        ],
        "directory": _directory(ws, user_id),
        "modal": _modal(ws, user_id),
        "home": ws.home_view(user_id),
        "rejections": ws.recent("rejections", PAGE_RECORDS),
        "calls": [
            {k: c.get(k) for k in ("method", "ok", "error", "at")}
            for c in ws.recent("calls", PAGE_RECORDS)
        ],
        "rate_limits": bool(ws.rate_limits()),
    }
