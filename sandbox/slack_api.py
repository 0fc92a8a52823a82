"""Slack's Web API, served from the sandbox workspace over HTTP.

The bot talks to this exactly as it talks to Slack: ``SLACK_API_URL`` (or
``WebClient(base_url=...)``) points at :attr:`SlackApiServer.url` and every call is a POST
to ``/api/<method>``. Requests are checked the way Slack checks them (token, Block Kit
validity and sizes, membership, trigger ids, view hashes, rate limits) so a bug that Slack
would refuse is refused here first, with Slack's own error string.

Three layers, each usable without the next:

* :func:`call` — the method table as a pure function ``(workspace, method, params, token)
  -> (status, body, headers)``; another HTTP front (the sandbox page) can call it directly.
* :func:`route` — one HTTP request (``/api/…``, ``/upload/…``, ``/response/…``,
  ``/files/…``) to one HTTP answer, again without owning a socket.
* :class:`SlackApiServer` — a stdlib ``ThreadingHTTPServer`` in a daemon thread around
  :func:`route`.
"""

import base64
import binascii
import contextlib
import json
import logging
import math
import secrets
import socket
import threading
from collections.abc import Callable, Mapping
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from sandbox.oauth import client_credentials
from sandbox.org import Org
from sandbox.workspace import SlackError, Workspace

log = logging.getLogger(__name__)

MESSAGE_BLOCKS_LIMIT = 50
VIEW_BLOCKS_LIMIT = 100
INPUT_MAX_LENGTH = 3000
MESSAGE_TEXT_LIMIT = 40_000
JSON_FIELDS = ("blocks", "view", "metadata", "attachments", "files")

Params = dict[str, Any]
Handler = Callable[[Workspace, "_Args"], dict[str, Any]]
_METHODS: dict[str, Handler] = {}
# Methods about the app and its install rather than one workspace's contents.
AppHandler = Callable[[Org, "_Args", str | None, str | None], dict[str, Any]]
_APP_METHODS: dict[str, AppHandler] = {}


# ---------------------------------------------------------------------------- arguments


class _Args:
    """Typed access to a call's parameters, answering missing ones with Slack's errors."""

    def __init__(self, params: Params) -> None:
        self.params = params

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.params.get(name)
        return default if value is None or value == "" else str(value)

    def required(self, name: str, error: str = "invalid_arguments") -> str:
        value = self.text(name)
        if value is None:
            raise SlackError(error, f"missing {name}", messages=[_missing(name)])
        return value

    def flag(self, name: str) -> bool:
        value = self.params.get(name)
        return value is True or str(value).lower() in ("true", "1")

    def number(self, name: str, default: int) -> int:
        value = self.params.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise SlackError("invalid_arguments", f"{name} must be a number") from exc

    def json(self, name: str, error: str = "invalid_arguments") -> Any:
        """A JSON argument: already decoded (JSON body) or a JSON string (form field)."""
        value = self.params.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError as exc:
            raise SlackError(error, f"{name} is not valid JSON") from exc


def _missing(name: str) -> str:
    return f"[ERROR] missing required field: {name}"


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a Web API method handler under Slack's method name."""

    def register(handler: Handler) -> Handler:
        _METHODS[name] = handler
        return handler

    return register


def app_method(name: str) -> Callable[[AppHandler], AppHandler]:
    """Register a method answered for the app as a whole (OAuth, uninstall)."""

    def register(handler: AppHandler) -> AppHandler:
        _APP_METHODS[name] = handler
        return handler

    return register


def methods() -> list[str]:
    """The Web API methods the sandbox answers."""
    return sorted([*_METHODS, *_APP_METHODS])


# ---------------------------------------------------------------------------- validation


def _problem(message: str, pointer: str) -> str:
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def _checked_blocks(
    blocks: list[Any], pointer: str, limit: int
) -> tuple[list[str], list[dict[str, Any]]]:
    """The problems of a list of blocks, and each valid block as slack_sdk writes it back
    (defaults filled in, as Slack stores it): each block is parsed once for both."""
    problems: list[str] = []
    normalised: list[dict[str, Any]] = []
    if len(blocks) > limit:
        problems.append(_problem(f"no more than {limit} items allowed", pointer))
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        found, written = _one_block(block, where)
        problems += found
        if written is not None:
            normalised.append(written)
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id in seen:
            problems.append(_problem(f"duplicate block_id {block_id!r}", f"{where}/block_id"))
        if block_id:
            seen.add(block_id)
    return problems, normalised


# Blocks found valid, by their JSON, each with the JSON slack_sdk writes back: a message
# or view repeats most of its blocks (headers, footers, dividers, buttons), and parsing
# one with slack_sdk's models costs far more than writing it out as JSON to look it up.
_VALID_BLOCKS: dict[str, str] = {}
_VALID_BLOCKS_KEPT = 2048


def _one_block(block: Any, where: str) -> tuple[list[str], dict[str, Any] | None]:
    """A block's problems, or none and the block as slack_sdk writes it back (a fresh
    copy each time: callers add ids to it)."""
    if not isinstance(block, dict):
        return [_problem("must be an object", where)], None
    try:
        key = json.dumps(block, sort_keys=True)
    except (TypeError, ValueError):  # not JSON-shaped: slack_sdk says what is wrong
        key = None
    known = _VALID_BLOCKS.get(key) if key is not None else None
    if known is not None:
        return [], json.loads(known)
    problems, written = _parsed_block(block, where)
    if written is not None and key is not None:
        if len(_VALID_BLOCKS) >= _VALID_BLOCKS_KEPT:
            _VALID_BLOCKS.clear()
        _VALID_BLOCKS[key] = json.dumps(written)
    return problems, written


def _parsed_block(block: dict[str, Any], where: str) -> tuple[list[str], dict[str, Any] | None]:
    problems = _input_problems(block, where) + _action_id_problems(block, where)
    if problems:  # clearer than the TypeError slack_sdk raises for the same mistakes
        return problems, None
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return [
                _problem(f"unsupported block type {block.get('type')!r}", f"{where}/type")
            ], None
        return [], parsed.to_dict()
    except Exception as exc:  # slack_sdk raises formation errors, type and key errors alike
        return [_problem(str(exc) or type(exc).__name__, where)], None


def _input_problems(block: dict[str, Any], where: str) -> list[str]:
    """Rules of input blocks that slack_sdk does not check itself."""
    if block.get("type") != "input":
        return []
    problems = [
        _problem(f"missing required field: {key}", f"{where}/{key}")
        for key in ("label", "element")
        if not block.get(key)
    ]
    element = block.get("element") or {}
    for key in ("max_length", "min_length"):
        value = element.get(key) if isinstance(element, dict) else None
        if isinstance(value, int) and value > INPUT_MAX_LENGTH:
            message = f"must be less than {INPUT_MAX_LENGTH + 1}"
            problems.append(_problem(message, f"{where}/element/{key}"))
    return problems


def _action_id_problems(block: dict[str, Any], where: str) -> list[str]:
    seen: set[str] = set()
    problems = []
    for index, element in enumerate(block.get("elements") or []):
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if action_id in seen:
            pointer = f"{where}/elements/{index}/action_id"
            problems.append(_problem(f"duplicate action_id {action_id!r}", pointer))
        if action_id:
            seen.add(action_id)
    return problems


def _assign_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give blocks and interactive elements the ids Slack generates when the app omits them."""
    for block in blocks:
        block.setdefault("block_id", secrets.token_urlsafe(3))
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        elements += [block[k] for k in ("element", "accessory") if isinstance(block.get(k), dict)]
        for element in elements:
            if element.get("type") not in ("image", None):
                element.setdefault("action_id", secrets.token_urlsafe(4))
    return blocks


def validate_message_blocks(blocks: Any) -> list[dict[str, Any]]:
    """Validate a message's blocks like Slack: ≤ 50, each a valid Block Kit block.

    Returns the blocks normalised by slack_sdk, with generated ids where missing.
    """
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError as exc:
            raise SlackError("invalid_blocks_format", "blocks is not JSON") from exc
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format", "blocks must be an array")
    problems, normalised = _checked_blocks(blocks, "/blocks", MESSAGE_BLOCKS_LIMIT)
    if problems:
        errors = [p.removeprefix("[ERROR] ") for p in problems]
        raise SlackError(
            "invalid_blocks", "; ".join(errors), messages=problems, extra={"errors": errors}
        )
    return _assign_ids(normalised)


def validate_view(view: Any, *, kinds: tuple[str, ...] = ("modal", "home")) -> dict[str, Any]:
    """Validate a view like Slack (``invalid_arguments`` with ``[ERROR]`` messages).

    slack_sdk's ``View(**view).to_dict()`` checks title/submit/close lengths, block count
    and ``private_metadata``; this adds what it leaves out (input labels, plain text input
    lengths, a title on modals, unknown blocks, duplicate ids).
    """
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            view = None
    if not isinstance(view, dict):
        raise _invalid_view([_problem("must be a JSON object", "/view")])
    problems, blocks = _view_problems(view, kinds)
    if problems:
        raise _invalid_view(problems)
    try:  # the view's own fields: its blocks were checked and written back just above,
        # so only the first goes along, for slack_sdk's "between 1 and 100 blocks" rule
        normalised = View(**{**view, "blocks": blocks[:1]}).to_dict()
    except Exception as exc:
        raise _invalid_view([_problem(str(exc) or type(exc).__name__, "/view")]) from exc
    normalised["blocks"] = _assign_ids(blocks)
    return normalised


def _view_problems(
    view: dict[str, Any], kinds: tuple[str, ...]
) -> tuple[list[str], list[dict[str, Any]]]:
    """The view's problems, and its blocks as slack_sdk writes them back."""
    kind = view.get("type")
    if kind not in kinds:
        return [_problem(f"must be one of {', '.join(kinds)}", "/view/type")], []
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return [_problem("missing required field: blocks", "/view/blocks")], []
    problems, normalised = _checked_blocks(blocks, "/view/blocks", VIEW_BLOCKS_LIMIT)
    if kind == "modal":
        if not view.get("title"):
            problems.append(_problem("missing required field: title", "/view/title"))
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if has_input and not view.get("submit"):
            problems.append(_problem("must provide submit when using input blocks", "/view"))
    return problems, normalised


def _invalid_view(problems: list[str]) -> SlackError:
    detail = "; ".join(p.removeprefix("[ERROR] ") for p in problems)
    return SlackError("invalid_arguments", detail, messages=problems)


def _metadata(args: _Args) -> dict[str, Any] | None:
    metadata = args.json("metadata", "invalid_metadata_format")
    if metadata is None:
        return None
    valid = (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and bool(metadata["event_type"])
        and isinstance(metadata.get("event_payload"), dict)
    )
    if not valid:
        raise SlackError("invalid_metadata_format", "needs event_type and event_payload")
    return {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}


def _content(args: _Args, *, require: bool = True) -> dict[str, Any]:
    """Text, blocks and attachments of a message, validated; ``no_text`` when all are empty."""
    blocks_arg = args.json("blocks", "invalid_blocks_format")
    blocks = validate_message_blocks(blocks_arg) if blocks_arg is not None else None
    attachments = args.json("attachments", "invalid_attachments")
    if attachments is not None and not isinstance(attachments, list):
        raise SlackError("invalid_attachments", "attachments must be an array")
    text = args.text("text")
    if require and not text and not blocks and not attachments:
        raise SlackError("no_text", "neither text nor blocks")
    content: dict[str, Any] = {"blocks": blocks or None, "attachments": attachments or None}
    content["text"] = text[:MESSAGE_TEXT_LIMIT] if text is not None else None
    return content


# ---------------------------------------------------------------------------- helpers


def _base_url(workspace: Workspace) -> str:
    return workspace.web_url or f"https://{workspace.team_domain}.slack.com/"


def _paginate(items: list[Any], args: _Args, default_limit: int) -> tuple[list[Any], str]:
    """Slack's cursor pagination: an opaque cursor, an empty ``next_cursor`` on the last page."""
    limit = max(1, min(args.number("limit", default_limit), 1000))
    start = 0
    cursor = args.text("cursor")
    if cursor:
        try:
            start = int(base64.b64decode(cursor).decode().removeprefix("next:"))
        except (ValueError, binascii.Error) as exc:
            raise SlackError("invalid_cursor", cursor) from exc
    page = items[start : start + limit]
    more = start + limit < len(items)
    next_cursor = base64.b64encode(f"next:{start + limit}".encode()).decode() if more else ""
    return page, next_cursor


def _listed(messages: list[dict[str, Any]], include_metadata: bool) -> list[dict[str, Any]]:
    if not include_metadata:
        for message in messages:
            message.pop("metadata", None)
    return messages


def _permalink(workspace: Workspace, channel: str, message: dict[str, Any]) -> str:
    ts = message["ts"]
    link = f"{_base_url(workspace)}archives/{channel}/p{ts.replace('.', '')}"
    thread_ts = message.get("thread_ts")
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link


def _without_internal(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if k not in ("to_user", "channel")}


# ---------------------------------------------------------------------------- methods


@method("auth.test")
def _auth_test(ws: Workspace, args: _Args) -> dict[str, Any]:
    return {
        "ok": True,
        "url": _base_url(ws),
        "team": ws.team_name,
        "user": ws.bot_name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
        **({"enterprise_id": ws.enterprise_id} if ws.enterprise_id else {}),
    }


def _oauth(org: Org) -> Any:
    if org.oauth is None:
        raise SlackError("invalid_client_id", "this sandbox has no app set up for OAuth")
    return org.oauth


@app_method("oauth.v2.access")
def _oauth_v2_access(
    org: Org, args: _Args, authorization: str | None, token: str | None
) -> dict[str, Any]:
    """A code or a refresh token for a bot token (sandbox.oauth); no token needed."""
    body: dict[str, Any] = _oauth(org).access(args.params, authorization, org.teams())
    return body


@app_method("auth.revoke")
def _auth_revoke(
    org: Org, args: _Args, authorization: str | None, token: str | None
) -> dict[str, Any]:
    """The calling token stops working (a one-token set-up's fixed token cannot)."""
    org.by_token(token)
    revoked = org.oauth is not None and bool(org.oauth.revoke(str(token)))
    return {"ok": True, "revoked": revoked}


@app_method("apps.uninstall")
def _apps_uninstall(
    org: Org, args: _Args, authorization: str | None, token: str | None
) -> dict[str, Any]:
    """The app removes itself from the token's workspace: every token there ends."""
    ws = org.by_token(token)
    oauth = _oauth(org)
    client_id, secret = client_credentials(args.params, authorization)
    if client_id != oauth.app.client_id:
        raise SlackError("invalid_client_id", "unknown client_id")
    if secret != oauth.app.client_secret:
        raise SlackError("bad_client_secret", "client_secret does not match")
    oauth.uninstall(ws.team_id)
    ws.uninstall_app()
    return {"ok": True}


@method("chat.postMessage")
def _chat_post_message(ws: Workspace, args: _Args) -> dict[str, Any]:
    channel = ws.resolve_channel(args.required("channel", "channel_not_found"))
    content = _content(args)
    message = ws.post_message(
        channel,
        text=content["text"] or "",
        blocks=content["blocks"],
        attachments=content["attachments"],
        thread_ts=args.text("thread_ts"),
        metadata=_metadata(args),
        reply_broadcast=args.flag("reply_broadcast"),
    )
    return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}


@method("chat.update")
def _chat_update(ws: Workspace, args: _Args) -> dict[str, Any]:
    channel = ws.resolve_channel(args.required("channel", "channel_not_found"))
    ts = args.required("ts", "message_not_found")
    metadata = _metadata(args)
    content = _content(args, require=metadata is None)
    message = ws.update_message(channel, ts, metadata=metadata, **content)
    return {"ok": True, "channel": channel, "ts": ts, "text": message["text"], "message": message}


@method("chat.delete")
def _chat_delete(ws: Workspace, args: _Args) -> dict[str, Any]:
    channel = ws.resolve_channel(args.required("channel", "channel_not_found"))
    ts = args.required("ts", "message_not_found")
    ws.delete_message(channel, ts)
    return {"ok": True, "channel": channel, "ts": ts}


@method("chat.getPermalink")
def _chat_get_permalink(ws: Workspace, args: _Args) -> dict[str, Any]:
    channel = ws.resolve_channel(args.required("channel", "channel_not_found"))
    ts = args.required("message_ts", "message_not_found")
    message = ws.get_message(channel, ts)
    if message is None:
        raise SlackError("message_not_found", f"{channel}/{ts}")
    return {"ok": True, "channel": channel, "permalink": _permalink(ws, channel, message)}


@method("chat.postEphemeral")
def _chat_post_ephemeral(ws: Workspace, args: _Args) -> dict[str, Any]:
    channel = ws.resolve_channel(args.required("channel", "channel_not_found"))
    user = args.required("user", "user_not_found")
    if ws.user(user) is None:
        raise SlackError("user_not_found", user)
    content = _content(args)
    message = ws.post_ephemeral(channel, user, text=content["text"] or "", blocks=content["blocks"])
    return {"ok": True, "message_ts": message["ts"]}


@method("conversations.open")
def _conversations_open(ws: Workspace, args: _Args) -> dict[str, Any]:
    existing = args.text("channel")
    if existing:
        info = ws.channel_info(existing)
        return {"ok": True, "channel": info if args.flag("return_im") else {"id": existing}}
    users = [u for u in args.required("users", "users_list_not_supplied").split(",") if u]
    if len(users) != 1:
        raise SlackError("invalid_arguments", "the sandbox opens DMs with one user only")
    user = ws.user(users[0])
    if user is None:
        raise SlackError("user_not_found", users[0])
    if user["is_bot"]:
        raise SlackError("cannot_dm_bot", users[0])
    already = ws.has_im(users[0])
    channel_id = ws.im_channel_for(users[0])
    channel = ws.channel_info(channel_id) if args.flag("return_im") else {"id": channel_id}
    body: dict[str, Any] = {"ok": True, "channel": channel}
    if already:
        body.update(no_op=True, already_open=True)
    return body


@method("conversations.info")
def _conversations_info(ws: Workspace, args: _Args) -> dict[str, Any]:
    channel_id = args.required("channel", "channel_not_found")
    info = ws.channel_info(channel_id)
    if args.flag("include_num_members") and not info.get("is_im"):
        info["num_members"] = len(ws.channel_members(channel_id))
    return {"ok": True, "channel": info}


@method("conversations.members")
def _conversations_members(ws: Workspace, args: _Args) -> dict[str, Any]:
    members = ws.channel_members(args.required("channel", "channel_not_found"))
    page, next_cursor = _paginate(members, args, 100)
    return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}


@method("conversations.join")
def _conversations_join(ws: Workspace, args: _Args) -> dict[str, Any]:
    info, already = ws.join_channel(args.required("channel", "channel_not_found"))
    body: dict[str, Any] = {"ok": True, "channel": info}
    if already:
        body.update(
            warning="already_in_channel",
            response_metadata={"warnings": ["already_in_channel"]},
        )
    return body


@method("conversations.history")
def _conversations_history(ws: Workspace, args: _Args) -> dict[str, Any]:
    channel = args.required("channel", "channel_not_found")
    ws.require_readable(channel)
    newest_first = list(reversed(ws.history(channel)))
    page, next_cursor = _paginate(newest_first, args, 100)
    return {
        "ok": True,
        "messages": _listed(page, args.flag("include_all_metadata")),
        "has_more": bool(next_cursor),
        "pin_count": 0,
        "response_metadata": {"next_cursor": next_cursor},
    }


@method("conversations.replies")
def _conversations_replies(ws: Workspace, args: _Args) -> dict[str, Any]:
    channel = args.required("channel", "channel_not_found")
    ts = args.required("ts", "thread_not_found")
    ws.require_readable(channel)
    page, next_cursor = _paginate(ws.thread(channel, ts), args, 1000)
    return {
        "ok": True,
        "messages": _listed(page, args.flag("include_all_metadata")),
        "has_more": bool(next_cursor),
        "response_metadata": {"next_cursor": next_cursor},
    }


@method("users.info")
def _users_info(ws: Workspace, args: _Args) -> dict[str, Any]:
    user_id = args.required("user", "user_not_found")
    user = ws.user(user_id)
    if user is None:
        raise SlackError("user_not_found", user_id)
    return {"ok": True, "user": user}


@method("views.open")
def _views_open(ws: Workspace, args: _Args) -> dict[str, Any]:
    view = validate_view(args.json("view"), kinds=("modal",))
    user_id = ws.use_trigger_id(args.required("trigger_id", "invalid_trigger_id"))
    return {"ok": True, "view": ws.open_view(user_id, view)}


@method("views.push")
def _views_push(ws: Workspace, args: _Args) -> dict[str, Any]:
    view = validate_view(args.json("view"), kinds=("modal",))
    user_id = ws.use_trigger_id(args.required("trigger_id", "invalid_trigger_id"))
    return {"ok": True, "view": ws.push_view(user_id, view)}


@method("views.update")
def _views_update(ws: Workspace, args: _Args) -> dict[str, Any]:
    view_id, external_id = args.text("view_id"), args.text("external_id")
    if not view_id and not external_id:
        raise SlackError("invalid_arguments", "view_id or external_id is required")
    view = validate_view(args.json("view"))
    stored = ws.update_view(view, view_id=view_id, external_id=external_id, hash=args.text("hash"))
    return {"ok": True, "view": stored}


@method("views.publish")
def _views_publish(ws: Workspace, args: _Args) -> dict[str, Any]:
    user_id = args.required("user_id", "user_not_found")
    view = validate_view(args.json("view"), kinds=("home",))
    return {"ok": True, "view": ws.publish_home(user_id, view, hash=args.text("hash"))}


@method("files.getUploadURLExternal")
def _files_get_upload_url(ws: Workspace, args: _Args) -> dict[str, Any]:
    filename = args.required("filename")
    length = args.number("length", 0)
    if length <= 0:
        raise SlackError("invalid_arguments", "length must be a positive number of bytes")
    file_id = ws.reserve_file(filename, length)
    return {"ok": True, "upload_url": f"{_base_url(ws)}upload/{file_id}", "file_id": file_id}


@method("files.completeUploadExternal")
def _files_complete_upload(ws: Workspace, args: _Args) -> dict[str, Any]:
    files = args.json("files")
    if not isinstance(files, list) or not files:
        raise SlackError("invalid_arguments", "files must be a non-empty array")
    channels = [c for c in (args.text("channels") or "").split(",") if c]
    channel = args.text("channel_id") or (channels[0] if channels else None)
    if len(channels) > 1:
        raise SlackError("invalid_arguments", "the sandbox shares a file in one channel only")
    shared = ws.complete_upload(
        files,
        ws.resolve_channel(channel) if channel else None,
        initial_comment=args.text("initial_comment", "") or "",
        thread_ts=args.text("thread_ts"),
    )
    return {"ok": True, "files": shared}


@method("files.delete")
def _files_delete(ws: Workspace, args: _Args) -> dict[str, Any]:
    ws.delete_file(args.required("file", "file_not_found"))
    return {"ok": True}


# ---------------------------------------------------------------------------- dispatch

_STATUS_ERRORS = {429: "ratelimited", 503: "service_unavailable"}


def _inject_fault(workspace: Workspace, name: str) -> None:
    fault = workspace.take_fault(name)
    if fault is None:
        return
    status = fault["status"] or 200
    error = fault["error"] or _STATUS_ERRORS.get(status, "fatal_error")
    headers = {"Retry-After": "1"} if status == 429 else {}
    raise SlackError(error, "injected by fail_next", status=status, headers=headers)


def _rate_limit(workspace: Workspace, name: str, params: Params) -> None:
    channel = params.get("channel") or params.get("channel_id")
    wait = workspace.check_rate_limit(name, str(channel) if channel else None)
    if wait is not None:
        retry_after = str(max(1, math.ceil(wait)))
        detail = f"retry after {retry_after}s"
        raise SlackError("ratelimited", detail, status=429, headers={"Retry-After": retry_after})


def call(
    target: Workspace | Org,
    method: str,
    params: Params,
    token: str | None,
    *,
    authorization: str | None = None,
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Answer one Web API call as Slack would: ``(HTTP status, JSON body, extra headers)``.

    The call is answered in the workspace its token serves (:meth:`Org.by_token`).
    Every call is recorded on that workspace's ``calls`` (the first workspace's when the
    token serves none); every refusal also on its ``rejections`` with the reason, so the
    sandbox page can explain it. ``authorization`` is the HTTP header, for the client
    credentials ``oauth.v2.access`` takes by HTTP Basic.
    """
    params = dict(params)
    org = Org.of(target)
    workspace = org.first
    headers: dict[str, str] = {}
    try:
        app_handler = _APP_METHODS.get(method)
        handler = _METHODS.get(method)
        if app_handler is not None:
            _inject_fault(workspace, method)
            status, body = 200, app_handler(org, _Args(params), authorization, token)
        elif handler is None:
            raise SlackError("unknown_method", method)
        else:
            workspace, refusal = _workspace_of(org, token)
            _inject_fault(workspace, method)
            if refusal is not None:
                raise refusal
            _rate_limit(workspace, method, params)
            status, body = 200, handler(workspace, _Args(params))
    except SlackError as exc:
        status, body, headers = exc.status, exc.body(), dict(exc.headers)
        workspace.record_rejection(method, exc.error, exc.detail or "; ".join(exc.messages))
    kept = {k: v for k, v in params.items() if k not in _SECRET_PARAMS}
    workspace.record_call(method, kept, bool(body.get("ok")), body.get("error"))
    return status, body, headers


_SECRET_PARAMS = ("client_secret", "code", "refresh_token")  # never kept in the call log


def _workspace_of(org: Org, token: str | None) -> tuple[Workspace, SlackError | None]:
    """The token's workspace, or the first one and Slack's refusal of the token."""
    try:
        return org.by_token(token), None
    except SlackError as exc:
        return org.first, exc


# ---------------------------------------------------------------------------- HTTP

Reply = tuple[int, dict[str, str], bytes]
_JSON = {"Content-Type": "application/json; charset=utf-8"}


def _json_reply(status: int, body: dict[str, Any], headers: Mapping[str, str] = {}) -> Reply:
    return status, {**_JSON, **headers}, json.dumps(body).encode()


def _content_type(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def _multipart(headers: Mapping[str, str], body: bytes) -> list[tuple[str, str | None, bytes]]:
    """(field name, filename, bytes) of each part of a multipart/form-data body."""
    head = f"Content-Type: {headers.get('content-type', '')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    parts: list[tuple[str, str | None, bytes]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        payload = part.get_payload(decode=True)  # bytes for a leaf part, None when empty
        parts.append(
            (str(name), part.get_filename(), payload if isinstance(payload, bytes) else b"")
        )
    return parts


def parse_api_request(
    query: str, headers: Mapping[str, str], body: bytes
) -> tuple[Params, str | None]:
    """Parameters and token of an API request, from query, form, multipart or JSON body."""
    params: Params = dict(parse_qsl(query, keep_blank_values=True))
    kind = _content_type(headers)
    if body and kind == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError as exc:
            raise SlackError("invalid_json", "body is not JSON") from exc
        if not isinstance(decoded, dict):
            raise SlackError("invalid_json", "body must be a JSON object")
        params.update(decoded)
    elif body and kind == "multipart/form-data":
        params.update(
            {
                name: data.decode()
                for name, filename, data in _multipart(headers, body)
                if filename is None
            }
        )
    elif body:
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    authorization = headers.get("authorization", "")
    token = params.pop("token", None)
    if authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    return params, token


def _serve_api(org: Org, name: str, query: str, headers: Mapping[str, str], body: bytes) -> Reply:
    try:
        params, token = parse_api_request(query, headers, body)
    except SlackError as exc:
        org.first.record_rejection(name, exc.error, exc.detail)
        return _json_reply(exc.status, exc.body())
    authorization = headers.get("authorization")
    status, answer, extra = call(org, name, params, token, authorization=authorization)
    return _json_reply(status, answer, extra)


def _serve_upload(
    workspace: Workspace, file_id: str, headers: Mapping[str, str], body: bytes
) -> Reply:
    """The upload URL: raw bytes (what slack_sdk sends) or a multipart form with a file."""
    content = body
    if _content_type(headers) == "multipart/form-data":
        files = [data for _, filename, data in _multipart(headers, body) if filename is not None]
        content = files[0] if files else b""
    try:
        workspace.store_file_content(file_id, content)
    except SlackError as exc:
        workspace.record_rejection("upload", exc.error, exc.detail)
        return exc.status, {"Content-Type": "text/plain"}, exc.error.encode()
    return 200, {"Content-Type": "text/plain"}, f"OK - {len(content)}".encode()


def _serve_file(workspace: Workspace, file_id: str) -> Reply:
    """``url_private`` of a shared file, so a page (or a test) can download it."""
    record = workspace.file_info(file_id)
    try:
        content = workspace.file_content(file_id)
    except KeyError:
        return 404, {"Content-Type": "text/plain"}, b"file_not_found"
    mimetype = record["mimetype"] if record else "application/octet-stream"
    return 200, {"Content-Type": mimetype}, content


def _response_payload(headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    text = body.decode() if body else ""
    if _content_type(headers) == "application/x-www-form-urlencoded" and "payload=" in text:
        text = dict(parse_qsl(text)).get("payload", "")
    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise SlackError("invalid_payload", "response body is not JSON", status=400) from exc
    if not isinstance(payload, dict):
        raise SlackError("invalid_payload", "response body must be a JSON object", status=400)
    return payload


def _serve_response(
    workspace: Workspace, response_id: str, headers: Mapping[str, str], body: bytes
) -> Reply:
    """A response URL: post, replace or delete a message in the interaction's channel."""
    try:
        payload = _response_payload(headers, body)
        if not payload.get("delete_original"):
            if payload.get("blocks") is not None:
                payload["blocks"] = validate_message_blocks(payload["blocks"])
            if not payload.get("text") and not payload.get("blocks"):
                raise SlackError("no_text", "neither text nor blocks")
        workspace.respond(response_id, payload)
    except SlackError as exc:
        workspace.record_rejection("response_url", exc.error, exc.detail)
        return _json_reply(exc.status if exc.status != 200 else 400, exc.body())
    return _json_reply(200, {"ok": True})


def route(
    target: Workspace | Org, verb: str, path: str, headers: Mapping[str, str], body: bytes
) -> Reply:
    """Answer one HTTP request to the sandbox Slack; ``headers`` keys must be lower case."""
    org = Org.of(target)
    parts = urlsplit(path)
    where = parts.path
    if where.startswith("/api/") and verb in ("GET", "POST"):
        return _serve_api(org, where[len("/api/") :], parts.query, headers, body)
    if where.startswith("/upload/") and verb == "POST":
        file_id = unquote(where[len("/upload/") :])
        return _serve_upload(org.of_file(file_id), file_id, headers, body)
    if where.startswith("/files/") and verb == "GET":
        file_id = unquote(where[len("/files/") :])
        return _serve_file(org.of_file(file_id), file_id)
    if where.startswith("/response/") and verb == "POST":
        response_id = unquote(where[len("/response/") :])
        return _serve_response(org.of_response_url(response_id), response_id, headers, body)
    return 404, {"Content-Type": "text/plain"}, b"Not Found"


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # bursts of concurrent clients queue instead of resetting
    daemon_threads = True
    org: Org

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def hang_up_all(self) -> None:
        """End every kept connection, so no thread waits on one after the server stops
        and no client's next call reaches a stopped server."""
        with self._lock:
            still_open, self._open = list(self._open), set()
        for sock in still_open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _RequestHandler(BaseHTTPRequestHandler):
    server_version = "SetbackSandboxSlack/1.0"
    protocol_version = "HTTP/1.1"  # keep-alive, as Slack's Web API (every reply has a length)
    disable_nagle_algorithm = True  # a kept connection's reply is not held for an ACK
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def _serve(self, verb: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, reply_headers, payload = route(self.server.org, verb, self.path, headers, body)
        except Exception:  # a sandbox bug must look like Slack's 500, not a dropped socket
            log.exception("sandbox Slack failed on %s %s", verb, self.path)
            status, reply_headers, payload = _json_reply(500, {"ok": False, "error": "fatal_error"})
        self.send_response(status)
        for name, value in reply_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("sandbox Slack: " + format, *args)


class SlackApiServer:
    """The sandbox Web API on ``http://host:port/api/`` in a daemon thread.

    >>> server = SlackApiServer(workspace).start()   # port=0 picks a free port
    >>> client = WebClient(token=workspace.bot_token, base_url=server.url)
    >>> server.stop()
    """

    def __init__(self, target: Workspace | Org, host: str = "127.0.0.1", port: int = 0) -> None:
        self.org = Org.of(target)
        self.workspace = self.org.first
        self.host = host
        self._requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._set_web_url: list[Workspace] = []

    def start(self) -> "SlackApiServer":
        """Bind and serve; points ``workspace.web_url`` here unless a URL was already chosen."""
        if self._server is not None:
            return self
        server = _Server((self.host, self._requested_port), _RequestHandler)
        server.org = self.org
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits for one poll; keep it short
            name="sandbox-slack-api",
            daemon=True,
        )
        self._thread.start()
        self._set_web_url = [w for w in self.org.workspaces if w.web_url is None]
        for ws in self._set_web_url:
            ws.web_url = self.root_url
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        server, self._server = self._server, None
        if server is None:
            return
        for ws in self._set_web_url:  # a later server on another port must not inherit a dead URL
            ws.web_url = None
        self._set_web_url = []
        server.shutdown()
        server.server_close()
        server.hang_up_all()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        """The bound port (the free one chosen when the server was asked for port 0)."""
        if self._server is None:
            raise RuntimeError("SlackApiServer is not started")
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        """``http://host:port/`` — where upload and response URLs live."""
        return f"http://{self.host}:{self.port}/"

    @property
    def url(self) -> str:
        """The Web API base URL for ``SLACK_API_URL`` / ``WebClient(base_url=...)``."""
        return f"{self.root_url}api/"

    def __enter__(self) -> "SlackApiServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
