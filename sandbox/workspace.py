"""The in-memory state of the sandbox Slack workspace.

Slack is the one collaborator the bot cannot run locally, so the sandbox keeps its own
copy of what Slack would hold: users, channels, messages and threads, modal view stacks,
Home tabs, trigger ids, response URLs and uploaded files. This module holds *state and the
rules that depend on state* (membership, archived channels, who wrote a message, how deep
a view stack is, whether a trigger id is still fresh). Block Kit validation and the wire
format live in :mod:`sandbox.slack_api`; outgoing requests to the bot live in
:mod:`sandbox.delivery`.

Everything is guarded by one re-entrant lock because the Web API server answers on many
threads at once, exactly like Slack answers a bot's thread pool. Readers get deep copies so
nobody can mutate the workspace behind the lock's back. Listeners registered with
:meth:`Workspace.subscribe` are called *after* the lock is released, so a browser page that
reacts to a change can read the workspace again without deadlocking.
"""

import base64
import binascii
import copy
import logging
import marshal
import mimetypes
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypedDict, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

_T = TypeVar("_T")
_ATOMS = (str, int, float, bool, type(None), bytes)


def _copied(value: _T) -> _T:
    """A deep copy of what the workspace keeps and hands out. JSON-shaped data (dicts,
    lists, strings, numbers, bytes) goes through `marshal`, which writes and reads those
    exact types in C, many times faster than walking them; anything marshal refuses (a
    subclass, an object) is walked, and what the walk cannot copy is left to
    `copy.deepcopy`."""
    try:
        return cast(_T, marshal.loads(marshal.dumps(cast(Any, value))))
    except ValueError:
        return _walked(value)


def _walked(value: _T) -> _T:
    kind = type(value)
    if kind is dict:
        return cast(_T, {key: _walked(item) for key, item in cast(dict[Any, Any], value).items()})
    if kind is list:
        return cast(_T, [_walked(item) for item in cast(list[Any], value)])
    if kind in _ATOMS:
        return value
    return copy.deepcopy(value)


Listener = Callable[[str, dict[str, Any]], None]

TRIGGER_TTL_SECONDS = 3.0
VIEW_STACK_LIMIT = 3
RESPONSE_URL_TTL_SECONDS = 30 * 60.0
RESPONSE_URL_MAX_USES = 5
RECORD_LIMIT = 5000
EPHEMERAL_LIMIT = 500  # "only visible to you" messages held for clicks on them
SNAPSHOT_RECORDS = 200  # rejections and calls kept across a restart
_CALL_FIELDS_KEPT = ("method", "ok", "error", "at")  # what a restart keeps of a call
_SNAPSHOT_PARTS = (
    "im_by_user",
    "messages",
    "views",
    "view_owner",
    "view_errors",
    "view_stacks",
    "home_views",
    "files",
    "rejections",
    "calls",
    "limits",
)

# Slack labels time zones with long names; zoneinfo only knows abbreviations.
_TZ_LABELS = {
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "UTC": "Coordinated Universal Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "IST": "India Standard Time",
    "JST": "Japan Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
}


class SlackError(Exception):
    """An answer Slack gives with ``ok: false``.

    Raised by workspace rules and Web API validation alike, so one ``except`` in the
    method dispatcher turns every refusal into Slack's response shape and a recorded
    rejection the sandbox page can show.
    """

    def __init__(
        self,
        error: str,
        detail: str = "",
        *,
        messages: list[str] | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{error}: {detail}" if detail else error)
        self.error = error
        self.detail = detail
        self.messages = messages or []
        self.status = status
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        """Slack's JSON body for this error."""
        body: dict[str, Any] = {"ok": False, "error": self.error, **self.extra}
        if self.messages:
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


class RateLimit(TypedDict):
    """One method's token bucket: ``burst`` calls, refilled one per ``per_seconds``,
    counted per channel or for the whole method."""

    per_seconds: float
    per: Literal["channel", "method"]
    burst: int


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    tz: str
    tz_offset: int | None
    is_bot: bool
    deleted: bool
    display_name: str | None = None  # what the person chose to be called; else ``name``


@dataclass
class _Channel:
    id: str
    name: str
    is_private: bool
    is_im: bool
    is_archived: bool
    created: int
    members: list[str] = field(default_factory=list)
    im_user: str | None = None


class Workspace:
    """One Slack workspace with the Setback bot installed, held in memory.

    ``clock`` is injected so tests can age trigger ids, response URLs and rate limits
    without sleeping.
    """

    def __init__(
        self,
        team_id: str = "T0SANDBOX",
        team_name: str = "Sandbox",
        bot_token: str = "xoxb-sandbox",
        bot_user_id: str = "U0SETBACK",
        bot_id: str = "B0SETBACK",
        app_id: str = "A0SETBACK",
        clock: Callable[[], float] = time.time,
        *,
        bot_name: str = "setback",
        web_url: str | None = None,
        id_base: int = 0,
        app_installed: bool = True,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = "".join(c for c in team_name.lower() if c.isalnum()) or "sandbox"
        self.bot_token = bot_token
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.bot_name = bot_name
        self.clock = clock
        # The Enterprise Grid org this workspace belongs to (set by sandbox.org.Org).
        self.enterprise_id: str | None = None
        self.enterprise_name: str | None = None
        # Whether the app is installed here: Slack delivers nothing of it otherwise.
        self.app_installed = app_installed
        # Where this Slack is reachable over HTTP (permalinks, upload and response URLs).
        # SlackApiServer fills it in on start unless someone chose a URL already.
        self.web_url = web_url
        self._lock = threading.RLock()
        self._depth = 0
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self._listeners: list[Listener] = []
        self._seq = id_base  # ids never repeat across workspaces of one sandbox
        self._last_ts_micros = 0
        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        self._im_by_user: dict[str, str] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.view_owner: dict[str, str] = {}
        self.view_errors: dict[str, dict[str, str]] = {}
        self.view_stacks: dict[str, list[str]] = {}
        self.home_views: dict[str, str] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.calls: list[dict[str, Any]] = []
        self.rejections: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self._file_content: dict[str, bytes] = {}
        self._triggers: dict[str, dict[str, Any]] = {}
        self._response_urls: dict[str, dict[str, Any]] = {}
        self._faults: dict[str, list[dict[str, Any]]] = {}
        self._limits: dict[str, RateLimit] = {}
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self.add_user(bot_user_id, bot_name, real_name="Setback", is_bot=True)

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the lock; flush queued change notifications once the outermost holder leaves."""
        with self._lock:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                pending: list[tuple[str, dict[str, Any]]] = []
                if self._depth == 0:
                    pending, self._pending = self._pending, []
        for kind, data in pending:
            self._notify(kind, data)

    def _emit(self, kind: str, data: dict[str, Any]) -> None:
        self._pending.append((kind, _copied(data)))

    def _notify(self, kind: str, data: dict[str, Any]) -> None:
        for listener in list(self._listeners):
            try:
                listener(kind, data)
            except Exception:  # a broken page must never break the Web API
                log.exception("sandbox listener failed on %s", kind)

    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Call ``callback(kind, data)`` after every state change; returns an unsubscribe."""
        with self._locked():
            self._listeners.append(callback)

        def unsubscribe() -> None:
            with self._locked():
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return unsubscribe

    def now(self) -> float:
        """The workspace's idea of the current time (the injected clock)."""
        return float(self.clock())

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def new_id(self, prefix: str) -> str:
        """A fresh Slack-looking id such as ``V000000007`` (unique within this workspace)."""
        with self._locked():
            return f"{prefix}{self._next_seq():09d}"

    def next_ts(self) -> str:
        """A message ts from the clock, strictly increasing like Slack's."""
        with self._locked():
            micros = max(int(self.now() * 1_000_000), self._last_ts_micros + 1)
            self._last_ts_micros = micros
            return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    # ------------------------------------------------------------------ records

    def record_call(self, method: str, params: dict[str, Any], ok: bool, error: str | None) -> None:
        """Remember a Web API call so tests and the page can see what the bot asked for."""
        entry = {"method": method, "params": _copied(params), "ok": ok, "error": error}
        with self._locked():
            self._append_record(self.calls, {**entry, "at": self.now()})

    def record_rejection(self, method: str, error: str, detail: str = "") -> None:
        """Remember something Slack refused, so a developer sees *why* it was refused."""
        with self._locked():
            entry = {"method": method, "error": error, "detail": detail, "at": self.now()}
            self._append_record(self.rejections, entry)
            self._emit("rejection", entry)

    def recent(self, kind: str, limit: int = 200) -> list[dict[str, Any]]:
        """The last ``limit`` entries of ``"calls"`` or ``"rejections"``, oldest first."""
        if kind not in ("calls", "rejections"):
            raise ValueError("kind must be 'calls' or 'rejections'")
        with self._locked():
            return _copied(getattr(self, kind)[-limit:])

    @staticmethod
    def _append_record(records: list[dict[str, Any]], entry: dict[str, Any]) -> None:
        records.append(entry)
        if len(records) > RECORD_LIMIT:  # a long sandbox session must not grow forever
            del records[: len(records) - RECORD_LIMIT]

    # ------------------------------------------------------------------ faults and rates

    def fail_next(
        self, method: str, *, error: str | None = None, status: int | None = None, times: int = 1
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with a Slack error or an HTTP status."""
        if error is None and status is None:
            raise ValueError("fail_next needs an error or a status")
        with self._locked():
            queue = self._faults.setdefault(method, [])
            queue.extend({"error": error, "status": status} for _ in range(times))

    def take_fault(self, method: str) -> dict[str, Any] | None:
        """Consume the next injected fault for ``method``, if any."""
        with self._locked():
            queue = self._faults.get(method)
            return queue.pop(0) if queue else None

    def set_rate_limit(
        self,
        method: str,
        per_seconds: float,
        per: Literal["channel", "method"] = "channel",
        *,
        burst: int = 1,
    ) -> None:
        """Allow ``burst`` calls, refilled at one per ``per_seconds``, per channel or per method."""
        if per not in ("channel", "method"):
            raise ValueError("per must be 'channel' or 'method'")
        with self._locked():
            self._limits[method] = {"per_seconds": per_seconds, "per": per, "burst": burst}
            self._buckets = {k: v for k, v in self._buckets.items() if k[0] != method}

    def clear_rate_limit(self, method: str) -> None:
        """Switch rate limiting for ``method`` off again."""
        with self._locked():
            self._limits.pop(method, None)

    def check_rate_limit(self, method: str, channel: str | None) -> float | None:
        """Spend one call from the token bucket; return seconds to wait when it is empty."""
        with self._locked():
            limit = self._limits.get(method)
            if limit is None:
                return None
            key = (method, (channel or "") if limit["per"] == "channel" else "")
            now, rate, burst = self.now(), limit["per_seconds"], limit["burst"]
            tokens, last = self._buckets.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - last) / rate) if rate > 0 else burst
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) * rate

    # ------------------------------------------------------------------ users

    def add_user(
        self,
        user_id: str,
        name: str,
        real_name: str | None = None,
        tz: str = "Europe/London",
        tz_offset: int | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        display_name: str | None = None,
    ) -> dict[str, Any]:
        """Add (or replace) a member; ``tz_offset`` is derived from ``tz`` unless given,
        the profile's ``display_name`` is ``name`` unless given."""
        user = _User(user_id, name, real_name or name, tz, tz_offset, is_bot, deleted, display_name)
        with self._locked():
            self._users[user_id] = user
            return self._render_user(user)

    def user(self, user_id: str) -> dict[str, Any] | None:
        """The user as ``users.info`` returns it, or None."""
        with self._locked():
            user = self._users.get(user_id)
            return self._render_user(user) if user else None

    def user_ids(self) -> list[str]:
        """Every user id, in the order they were added."""
        with self._locked():
            return list(self._users)

    def _tz_now(self, user: _User) -> tuple[int, str]:
        try:
            moment = datetime.fromtimestamp(self.now(), UTC).astimezone(ZoneInfo(user.tz))
        except (ZoneInfoNotFoundError, ValueError):
            return user.tz_offset or 0, user.tz
        offset = moment.utcoffset()
        seconds = int(offset.total_seconds()) if offset else 0
        abbreviation = moment.tzname() or ""
        return seconds, _TZ_LABELS.get(abbreviation, abbreviation)

    def _render_user(self, user: _User) -> dict[str, Any]:
        offset, label = self._tz_now(user)
        if user.tz_offset is not None:
            offset = user.tz_offset
        profile = {
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.display_name or user.name,
            "display_name_normalized": user.display_name or user.name,
            "team": self.team_id,
        }
        if user.is_bot and user.id == self.bot_user_id:
            profile.update({"bot_id": self.bot_id, "api_app_id": self.app_id})
        return {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "deleted": user.deleted,
            "real_name": user.real_name,
            "tz": user.tz,
            "tz_label": label,
            "tz_offset": offset,
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
        }

    # ------------------------------------------------------------------ channels

    def add_channel(
        self,
        channel_id: str,
        name: str,
        is_private: bool = False,
        members: tuple[str, ...] | list[str] = (),
        bot_member: bool = True,
        is_archived: bool = False,
    ) -> None:
        """Add (or replace) a public or private channel; the bot joins it unless told not to."""
        member_list = list(dict.fromkeys(members))
        if bot_member and self.bot_user_id not in member_list:
            member_list.append(self.bot_user_id)
        with self._locked():
            created = int(self.now())
            self._channels[channel_id] = _Channel(
                channel_id, name, is_private, False, is_archived, created, member_list
            )
            self.messages.setdefault(channel_id, [])

    def archive_channel(self, channel_id: str, archived: bool = True) -> None:
        """Archive (or unarchive) a channel, as an admin would in Slack."""
        with self._locked():
            self._channel(channel_id).is_archived = archived

    def im_channel_for(self, user_id: str) -> str:
        """The bot's direct-message channel with ``user_id``, created on first use."""
        with self._locked():
            existing = self._im_by_user.get(user_id)
            if existing:
                return existing
            if user_id not in self._users:
                raise SlackError("user_not_found", user_id)
            channel_id = "D" + user_id[1:]
            while channel_id in self._channels:
                channel_id = self.new_id("D")
            members = [user_id, self.bot_user_id]
            self._channels[channel_id] = _Channel(
                channel_id, user_id, True, True, False, int(self.now()), members, user_id
            )
            self._im_by_user[user_id] = channel_id
            self.messages.setdefault(channel_id, [])
            return channel_id

    def has_im(self, user_id: str) -> bool:
        """Whether the bot's DM with ``user_id`` exists already."""
        with self._locked():
            return user_id in self._im_by_user

    def _channel(self, channel_id: str) -> _Channel:
        channel = self._channels.get(channel_id)
        if channel is None:
            raise SlackError("channel_not_found", channel_id)
        return channel

    def resolve_channel(self, ref: str) -> str:
        """Turn what a bot passes as ``channel`` (id, user id, ``#name``) into a channel id."""
        with self._locked():
            if ref.startswith("#"):
                return self._channel_by_name(ref[1:])
            if ref[:1] in ("U", "W") and ref in self._users:
                if self._users[ref].is_bot:
                    raise SlackError("cannot_dm_bot", ref)
                return self.im_channel_for(ref)
            if ref not in self._channels:
                raise SlackError("channel_not_found", ref)
            return ref

    def _channel_by_name(self, name: str) -> str:
        for channel in self._channels.values():
            if channel.name == name and not channel.is_im:
                return channel.id
        raise SlackError("channel_not_found", f"#{name}")

    def channel(self, channel_id: str) -> dict[str, Any] | None:
        """A plain description of the channel (for the page), or None."""
        with self._locked():
            found = self._channels.get(channel_id)
            return _copied(found.__dict__) if found else None

    def channel_ids(self) -> list[str]:
        """Every channel id, IMs included."""
        with self._locked():
            return list(self._channels)

    def channel_info(self, channel_id: str) -> dict[str, Any]:
        """The channel as ``conversations.info`` shows it to the bot."""
        with self._locked():
            channel = self._visible_channel(channel_id)
            if channel.is_im:
                return self._render_im(channel)
            return self._render_channel(channel)

    def _visible_channel(self, channel_id: str) -> _Channel:
        """A channel the bot can see: private channels it is not in do not exist for it."""
        channel = self._channel(channel_id)
        if channel.is_private and self.bot_user_id not in channel.members:
            raise SlackError("channel_not_found", channel_id)
        return channel

    def _render_im(self, channel: _Channel) -> dict[str, Any]:
        user = self._users.get(channel.im_user or "")
        return {
            "id": channel.id,
            "created": channel.created,
            "is_archived": channel.is_archived,
            "is_im": True,
            "is_org_shared": False,
            "context_team_id": self.team_id,
            "user": channel.im_user,
            "is_user_deleted": bool(user and user.deleted),
            "priority": 0,
        }

    def _render_channel(self, channel: _Channel) -> dict[str, Any]:
        return {
            "id": channel.id,
            "name": channel.name,
            "name_normalized": channel.name,
            "is_channel": not channel.is_private,
            "is_group": channel.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": channel.is_private,
            "created": channel.created,
            "is_archived": channel.is_archived,
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "is_member": self.bot_user_id in channel.members,
            "context_team_id": self.team_id,
            "creator": "",
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }

    def channel_members(self, channel_id: str) -> list[str]:
        """Member ids of a channel the bot can see."""
        with self._locked():
            return list(self._visible_channel(channel_id).members)

    def join_channel(self, channel_id: str) -> tuple[dict[str, Any], bool]:
        """Let the bot join a public channel; returns (channel info, was already a member)."""
        with self._locked():
            channel = self._visible_channel(channel_id)
            if channel.is_im or channel.is_private:
                raise SlackError("method_not_supported_for_channel_type", channel_id)
            if channel.is_archived:
                raise SlackError("is_archived", channel_id)
            already = self.bot_user_id in channel.members
            if not already:
                channel.members.append(self.bot_user_id)
                self._emit("channel_joined", {"channel": channel_id, "user": self.bot_user_id})
            return self._render_channel(channel), already

    def require_readable(self, channel_id: str) -> None:
        """Refuse history/replies where a bot token could not read them."""
        with self._locked():
            channel = self._visible_channel(channel_id)
            if self.bot_user_id not in channel.members:
                raise SlackError("not_in_channel", channel_id)

    def _require_postable(self, channel: _Channel, author: str | None) -> None:
        if channel.is_private and author is None and self.bot_user_id not in channel.members:
            raise SlackError("channel_not_found", channel.id)
        if channel.is_archived:
            raise SlackError("is_archived", channel.id)
        if author is None and self.bot_user_id not in channel.members:
            raise SlackError("not_in_channel", channel.id)

    # ------------------------------------------------------------------ messages

    def post_message(
        self,
        channel_id: str,
        *,
        text: str = "",
        blocks: list[dict[str, Any]] | None = None,
        user: str | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        files: list[dict[str, Any]] | None = None,
        reply_broadcast: bool = False,
        require_member: bool = True,
    ) -> dict[str, Any]:
        """Add a message; ``user=None`` means the bot wrote it (with bot_id and app_id).

        ``thread_ts`` naming a reply threads under that reply's parent and an unknown
        ``thread_ts`` posts to the channel, both as Slack does.
        """
        with self._locked():
            channel = self._channel(channel_id)
            if require_member:
                self._require_postable(channel, user)
            elif channel.is_archived:
                raise SlackError("is_archived", channel_id)
            message = self._new_message(text, blocks, user, metadata, attachments, files)
            parent = self._find(channel_id, thread_ts) if thread_ts else None
            if parent is not None:
                message["thread_ts"] = parent.get("thread_ts", parent["ts"])
                message["parent_user_id"] = parent.get("user", "")
                if reply_broadcast:
                    message["subtype"] = "thread_broadcast"
            self.messages.setdefault(channel_id, []).append(message)
            if parent is not None:
                self._refresh_thread(channel_id, message["thread_ts"])
            self._emit("message_posted", {"channel": channel_id, "message": message})
            return _copied(message)

    def _new_message(
        self,
        text: str,
        blocks: list[dict[str, Any]] | None,
        user: str | None,
        metadata: dict[str, Any] | None,
        attachments: list[dict[str, Any]] | None,
        files: list[dict[str, Any]] | None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {"type": "message", "text": text}
        if user is None:
            message.update(
                user=self.bot_user_id,
                bot_id=self.bot_id,
                app_id=self.app_id,
                bot_profile={
                    "id": self.bot_id,
                    "app_id": self.app_id,
                    "name": self.bot_name,
                    "deleted": False,
                    "team_id": self.team_id,
                },
            )
        else:
            message["user"] = user
        message["ts"] = self.next_ts()
        message["team"] = self.team_id
        optional = {"blocks": blocks, "metadata": metadata, "attachments": attachments}
        message.update({k: _copied(v) for k, v in optional.items() if v})
        if files:
            message.update(files=_copied(files), upload=True, display_as_bot=False)
        return message

    def _find(self, channel_id: str, ts: str | None) -> dict[str, Any] | None:
        for message in self.messages.get(channel_id, []):
            if message["ts"] == ts:
                return message
        return None

    def _refresh_thread(self, channel_id: str, parent_ts: str) -> None:
        """Recompute a parent's reply summary from its replies (derived, never counted by hand)."""
        parent = self._find(channel_id, parent_ts)
        if parent is None:
            return
        replies = self._replies(channel_id, parent_ts)
        for key in ("reply_count", "reply_users", "reply_users_count", "latest_reply"):
            parent.pop(key, None)
        if not replies:
            parent.pop("thread_ts", None)
            return
        users = list(dict.fromkeys(r.get("user", "") for r in replies))
        parent.update(
            thread_ts=parent_ts,
            reply_count=len(replies),
            reply_users=users,
            reply_users_count=len(users),
            latest_reply=replies[-1]["ts"],
        )

    def _replies(self, channel_id: str, parent_ts: str) -> list[dict[str, Any]]:
        return [
            m
            for m in self.messages.get(channel_id, [])
            if m.get("thread_ts") == parent_ts and m["ts"] != parent_ts
        ]

    def get_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        """A copy of one message (parent or reply), or None."""
        with self._locked():
            found = self._find(channel_id, ts)
            return _copied(found) if found else None

    def _own_message(self, channel_id: str, ts: str, refusal: str) -> dict[str, Any]:
        self._channel(channel_id)
        message = self._find(channel_id, ts)
        if message is None:
            raise SlackError("message_not_found", f"{channel_id}/{ts}")
        if message.get("bot_id") != self.bot_id:
            raise SlackError(refusal, f"{channel_id}/{ts} was not posted by the bot")
        return message

    def update_message(
        self,
        channel_id: str,
        ts: str,
        *,
        text: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
        attachments: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Edit one of the bot's messages, as ``chat.update`` does."""
        with self._locked():
            message = self._own_message(channel_id, ts, "cant_update_message")
            if self._channel(channel_id).is_archived:
                raise SlackError("is_archived", channel_id)
            changes = {"text": text, "blocks": blocks, "metadata": metadata}
            changes["attachments"] = attachments
            message.update({k: _copied(v) for k, v in changes.items() if v is not None})
            message["edited"] = {"user": self.bot_user_id, "ts": self.next_ts()}
            self._emit("message_updated", {"channel": channel_id, "message": message})
            return _copied(message)

    def delete_message(self, channel_id: str, ts: str) -> None:
        """Delete one of the bot's messages; a parent with replies leaves a tombstone."""
        with self._locked():
            message = self._own_message(channel_id, ts, "cant_delete_message")
            self._remove(channel_id, message)

    def delete_person_message(self, channel_id: str, ts: str, user_id: str) -> dict[str, Any]:
        """A person deletes a message they wrote (Slack's "Delete message"); returns it.

        Only its author may: another person's message and the app's are refused with
        ``cant_delete_message``, as Slack's client refuses them.
        """
        with self._locked():
            self._channel(channel_id)
            message = self._find(channel_id, ts)
            if message is None:
                raise SlackError("message_not_found", f"{channel_id}/{ts}")
            if message.get("bot_id") or message.get("user") != user_id:
                raise SlackError("cant_delete_message", f"{channel_id}/{ts} is not theirs")
            deleted = _copied(message)
            self._remove(channel_id, message)
            return deleted

    def _remove(self, channel_id: str, message: dict[str, Any]) -> None:
        ts, parent_ts = message["ts"], message.get("thread_ts")
        if parent_ts == ts and self._replies(channel_id, ts):
            summary = {k: message[k] for k in message if k.startswith(("reply", "latest"))}
            message.clear()
            message.update(
                type="message",
                subtype="tombstone",
                text="This message was deleted.",
                user="USLACKBOT",
                hidden=True,
                ts=ts,
                thread_ts=ts,
                **summary,
            )
        else:
            self.messages[channel_id].remove(message)
            if parent_ts and parent_ts != ts:
                self._refresh_thread(channel_id, parent_ts)
        self._emit("message_deleted", {"channel": channel_id, "ts": ts})
        parent = self._find(channel_id, parent_ts) if parent_ts and parent_ts != ts else None
        if parent and parent.get("subtype") == "tombstone" and not parent.get("reply_count"):
            self._remove(channel_id, parent)  # a deleted message's last reply went: all gone

    def history(self, channel_id: str) -> list[dict[str, Any]]:
        """Top-level messages (and thread broadcasts), oldest first."""
        with self._locked():
            return [
                _copied(m)
                for m in self.messages.get(channel_id, [])
                if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
            ]

    def channel_messages(self, channel_id: str) -> list[dict[str, Any]]:
        """Every message of a channel, thread replies included, in the order posted."""
        with self._locked():
            return _copied(self.messages.get(channel_id, []))

    def thread(self, channel_id: str, ts: str) -> list[dict[str, Any]]:
        """A thread: the parent first, then its replies in ts order.

        ``ts`` may name a reply; like Slack, the whole thread it belongs to is returned.
        """
        with self._locked():
            message = self._find(channel_id, ts)
            if message is None:
                raise SlackError("thread_not_found", f"{channel_id}/{ts}")
            parent_ts = message.get("thread_ts", ts)
            parent = self._find(channel_id, parent_ts) or message
            return [_copied(m) for m in [parent, *self._replies(channel_id, parent_ts)]]

    def post_ephemeral(
        self,
        channel_id: str,
        user_id: str,
        *,
        text: str = "",
        blocks: list[dict[str, Any]] | None = None,
        require_member: bool = True,
    ) -> dict[str, Any]:
        """Show a message only ``user_id`` can see; it is never part of the history."""
        with self._locked():
            channel = self._channel(channel_id)
            if require_member:
                self._require_postable(channel, None)
            if user_id not in channel.members:
                raise SlackError("user_not_in_channel", f"{user_id} in {channel_id}")
            message = self._new_message(text, blocks, None, None, None, None)
            message.update(channel=channel_id, to_user=user_id, is_ephemeral=True)
            self.ephemerals.append(message)
            del self.ephemerals[:-EPHEMERAL_LIMIT]
            self._emit("ephemeral_posted", message)
            return _copied(message)

    def ephemeral_messages(
        self, user_id: str | None = None, *, after: str | None = None
    ) -> list[dict[str, Any]]:
        """Ephemeral messages shown so far, optionally only those for one user, and only
        those posted after the ts ``after`` (what a page opened at that moment may show).

        They live in memory only, as in Slack's client: a restart forgets them and
        :meth:`snapshot` never writes them.
        """
        with self._locked():
            return [
                _copied(m)
                for m in self.ephemerals
                if (user_id is None or m["to_user"] == user_id)
                and (after is None or _ts_key(m["ts"]) > _ts_key(after))
            ]

    def latest_ts(self) -> str:
        """The newest message ts issued so far ("0.000000" before the first one)."""
        with self._locked():
            micros = self._last_ts_micros
            return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def find_any_message(self, channel_id: str, ts: str) -> tuple[dict[str, Any], bool] | None:
        """A message or an ephemeral one by ts: (copy, is_ephemeral), or None."""
        with self._locked():
            found = self._find(channel_id, ts)
            if found is not None:
                return _copied(found), False
            for message in self.ephemerals:
                if message["channel"] == channel_id and message["ts"] == ts:
                    return _copied(message), True
            return None

    # ------------------------------------------------------------------ trigger ids

    def issue_trigger_id(self, user_id: str) -> str:
        """A trigger id for ``user_id``: valid for 3 seconds of the clock, once."""
        with self._locked():
            now = self.now()
            trigger_id = f"{int(now)}.{self._next_seq()}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = {"user": user_id, "issued": now, "used": False}
            return trigger_id

    def use_trigger_id(self, trigger_id: str) -> str:
        """Spend a trigger id and return its user; expired, reused or unknown ones are refused."""
        with self._locked():
            trigger = self._triggers.get(trigger_id)
            if trigger is None:
                raise SlackError("invalid_trigger_id", trigger_id)
            if trigger["used"]:
                raise SlackError("exchanged_trigger_id", trigger_id)
            age = self.now() - trigger["issued"]
            if age > TRIGGER_TTL_SECONDS:
                raise SlackError("expired_trigger_id", f"{trigger_id} is {age:.1f}s old")
            trigger["used"] = True
            return str(trigger["user"])

    # ------------------------------------------------------------------ views

    def _new_hash(self) -> str:
        return f"{int(self.now())}.{secrets.token_hex(4)}"

    def _store_view(
        self,
        user_id: str,
        view: dict[str, Any],
        *,
        view_id: str | None = None,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> dict[str, Any]:
        """Store an app-built view with the fields Slack adds (id, hash, state, ...)."""
        view_id = view_id or self.new_id("V")
        external_id = view.get("external_id", "")
        if external_id and self._external_view(external_id) not in (None, view_id):
            raise SlackError("duplicate_external_id", external_id)
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": _copied(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": self._new_hash(),
            "title": _copied(view.get("title")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": _copied(view.get("close")),
            "submit": _copied(view.get("submit")),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id or view_id,
            "app_id": self.app_id,
            "external_id": external_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        self.views[view_id] = stored
        self.view_owner[view_id] = user_id
        self.view_errors.pop(view_id, None)
        return stored

    def _external_view(self, external_id: str) -> str | None:
        for view_id, view in self.views.items():
            if view.get("external_id") == external_id and self._is_live(view_id):
                return view_id
        return None

    def _is_live(self, view_id: str) -> bool:
        owner = self.view_owner.get(view_id, "")
        return view_id in self.view_stacks.get(owner, []) or self.home_views.get(owner) == view_id

    def open_view(self, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """Open a modal for ``user_id``; a modal already open is replaced, as in the client."""
        with self._locked():
            for old in self.view_stacks.get(user_id, []):
                self._emit("view_closed", {"user": user_id, "view_id": old})
            stored = self._store_view(user_id, view)
            self.view_stacks[user_id] = [stored["id"]]
            self._emit("view_opened", {"user": user_id, "view": stored})
            return _copied(stored)

    def push_view(self, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """Push a modal on the user's stack: at most 3 deep (open + 2 pushes)."""
        with self._locked():
            stack = self.view_stacks.get(user_id, [])
            if not stack:
                raise SlackError("not_found", f"{user_id} has no open modal to push onto")
            if len(stack) >= VIEW_STACK_LIMIT:
                raise SlackError("push_limit_reached", f"stack of {user_id} is {len(stack)} deep")
            stored = self._store_view(
                user_id, view, root_view_id=stack[0], previous_view_id=stack[-1]
            )
            stack.append(stored["id"])
            self._emit("view_pushed", {"user": user_id, "view": stored})
            return _copied(stored)

    def update_view(
        self,
        view: dict[str, Any],
        *,
        view_id: str | None = None,
        external_id: str | None = None,
        hash: str | None = None,
    ) -> dict[str, Any]:
        """Replace an open view in place: same id, new hash, inputs kept where ids still match."""
        with self._locked():
            target = view_id or (self._external_view(external_id) if external_id else None)
            if target is None or target not in self.views or not self._is_live(target):
                raise SlackError("not_found", str(view_id or external_id))
            current = self.views[target]
            if hash is not None and hash != current["hash"]:
                raise SlackError("hash_conflict", f"{hash} != {current['hash']}")
            if view["type"] != current["type"]:
                raise SlackError("invalid_arguments", "a view cannot change its type")
            stored = self._store_view(
                self.view_owner[target],
                view,
                view_id=target,
                root_view_id=current["root_view_id"],
                previous_view_id=current["previous_view_id"],
            )
            stored["state"] = {"values": _kept_values(current, stored)}
            self._emit("view_updated", {"user": self.view_owner[target], "view": stored})
            return _copied(stored)

    def publish_home(
        self, user_id: str, view: dict[str, Any], hash: str | None = None
    ) -> dict[str, Any]:
        """Publish ``user_id``'s Home tab; the home view keeps its id across publishes."""
        with self._locked():
            if user_id not in self._users:
                raise SlackError("user_not_found", user_id)
            current_id = self.home_views.get(user_id)
            current = self.views.get(current_id) if current_id else None
            if current is not None and hash is not None and hash != current["hash"]:
                raise SlackError("hash_conflict", f"{hash} != {current['hash']}")
            stored = self._store_view(user_id, view, view_id=current_id)
            self.home_views[user_id] = stored["id"]
            self._emit("home_published", {"user": user_id, "view": stored})
            return _copied(stored)

    def close_view(self, view_id: str, *, clear: bool = False) -> list[str]:
        """Close a modal and everything above it (or the whole stack); returns closed ids."""
        with self._locked():
            user_id = self.view_owner.get(view_id, "")
            stack = self.view_stacks.get(user_id, [])
            if view_id not in stack:
                return []
            cut = 0 if clear else stack.index(view_id)
            closed, self.view_stacks[user_id] = stack[cut:], stack[:cut]
            for closed_id in closed:
                self._emit("view_closed", {"user": user_id, "view_id": closed_id})
            return closed

    def clear_views(self, user_id: str) -> list[str]:
        """Close every modal of ``user_id`` (``response_action: clear``)."""
        with self._locked():
            stack = self.view_stacks.get(user_id, [])
            return self.close_view(stack[0], clear=True) if stack else []

    def set_view_state(self, view_id: str, values: dict[str, dict[str, dict[str, Any]]]) -> None:
        """Merge what the user typed or picked into the view's ``state.values``."""
        with self._locked():
            state = self._view(view_id)["state"]["values"]
            for block_id, actions in values.items():
                state.setdefault(block_id, {}).update(_copied(actions))

    def set_view_errors(self, view_id: str, errors: dict[str, str]) -> None:
        """Show ``response_action: errors`` under the named input blocks."""
        with self._locked():
            self._view(view_id)
            self.view_errors[view_id] = dict(errors)
            self._emit("view_errors", {"view_id": view_id, "errors": errors})

    def _view(self, view_id: str) -> dict[str, Any]:
        view = self.views.get(view_id)
        if view is None:
            raise SlackError("not_found", view_id)
        return view

    def errors_of(self, view_id: str) -> dict[str, str]:
        """The field errors the bot last asked to show on a view (block_id -> message)."""
        with self._locked():
            return dict(self.view_errors.get(view_id, {}))

    def view(self, view_id: str) -> dict[str, Any] | None:
        """A copy of a stored view (open or closed), or None."""
        with self._locked():
            found = self.views.get(view_id)
            return _copied(found) if found else None

    def view_stack(self, user_id: str) -> list[dict[str, Any]]:
        """The user's open modals, root first."""
        with self._locked():
            return [_copied(self.views[v]) for v in self.view_stacks.get(user_id, [])]

    def top_view(self, user_id: str) -> dict[str, Any] | None:
        """The modal the user is looking at, or None."""
        stack = self.view_stack(user_id)
        return stack[-1] if stack else None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The published Home tab of ``user_id``, or None."""
        with self._locked():
            view_id = self.home_views.get(user_id)
            return _copied(self.views[view_id]) if view_id else None

    def is_open(self, view_id: str) -> bool:
        """Whether a modal is still on its user's stack (or a home tab is published)."""
        with self._locked():
            return self._is_live(view_id)

    # ------------------------------------------------------------------ response URLs

    def issue_response_url(
        self, user_id: str, channel_id: str, message_ts: str | None = None
    ) -> str:
        """Register a response URL id; the HTTP front serves it at ``response/<id>``."""
        with self._locked():
            response_id = f"{self.team_id}/{self._next_seq()}/{secrets.token_urlsafe(12)}"
            self._response_urls[response_id] = {
                "user": user_id,
                "channel": channel_id,
                "message_ts": message_ts,
                "issued": self.now(),
                "uses": 0,
            }
            return response_id

    def respond(self, response_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Apply a POST to a response URL (blocks already validated by the HTTP front)."""
        with self._locked():
            target = self._spend_response_url(response_id)
            entry = {"response_id": response_id, "payload": _copied(payload), **target}
            self._append_record(self.responses, {**entry, "at": self.now()})
            return self._apply_response(target, payload)

    def _spend_response_url(self, response_id: str) -> dict[str, Any]:
        target = self._response_urls.get(response_id)
        if target is None:
            raise SlackError("no_service", response_id, status=404)
        if self.now() - target["issued"] > RESPONSE_URL_TTL_SECONDS:
            raise SlackError("expired_url", response_id, status=404)
        if target["uses"] >= RESPONSE_URL_MAX_USES:
            raise SlackError("used_url", response_id, status=404)
        target["uses"] += 1
        return {k: target[k] for k in ("user", "channel", "message_ts")}

    def _apply_response(self, target: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        channel, ts = target["channel"], target["message_ts"]
        original = self._find(channel, ts) if ts else None
        if payload.get("delete_original") and original is not None:
            self._remove(channel, original)
            return {"deleted": ts}
        text, blocks = payload.get("text", ""), payload.get("blocks")
        if payload.get("replace_original") and original is not None:
            original.update(text=text, blocks=_copied(blocks or []))
            original["edited"] = {"user": self.bot_user_id, "ts": self.next_ts()}
            self._emit("message_updated", {"channel": channel, "message": original})
            return _copied(original)
        if payload.get("response_type") == "in_channel":
            return self.post_message(
                channel,
                text=text,
                blocks=blocks,
                thread_ts=payload.get("thread_ts"),
                require_member=False,
            )
        return self.post_ephemeral(
            channel, target["user"], text=text, blocks=blocks, require_member=False
        )

    # ------------------------------------------------------------------ files

    def reserve_file(self, filename: str, length: int, user_id: str | None = None) -> str:
        """Start an external upload (``files.getUploadURLExternal``); returns the file id."""
        with self._locked():
            file_id = self.new_id("F")
            now = int(self.now())
            self.files[file_id] = {
                "id": file_id,
                "created": now,
                "timestamp": now,
                "name": filename,
                "title": filename,
                "mimetype": _mimetype(filename),
                "filetype": filename.rsplit(".", 1)[-1] if "." in filename else "text",
                "user": user_id or self.bot_user_id,
                "size": length,
                "mode": "hosted",
                "is_external": False,
                "channels": [],
                "uploaded": False,
                "completed": False,
            }
            return file_id

    def store_file_content(self, file_id: str, content: bytes) -> None:
        """Receive the bytes posted to an upload URL."""
        with self._locked():
            record = self.files.get(file_id)
            if record is None or record["completed"]:
                raise SlackError("file_not_found", file_id, status=404)
            self._file_content[file_id] = bytes(content)
            record.update(uploaded=True, size=len(content))

    def complete_upload(
        self,
        files: list[dict[str, Any]],
        channel_id: str | None = None,
        initial_comment: str = "",
        thread_ts: str | None = None,
    ) -> list[dict[str, Any]]:
        """Finish uploads; with a channel, share them there in one message."""
        with self._locked():
            records = [self._uploaded_file(f) for f in files]
            if channel_id:
                self._require_postable(self._channel(channel_id), None)
            for record, wanted in zip(records, files, strict=True):
                record.update(title=wanted.get("title") or record["name"], completed=True)
                record["url_private"] = f"{self.web_url or '/'}files/{record['id']}"
                record["permalink"] = record["url_private"]
            if channel_id:
                for record in records:
                    record["channels"] = [channel_id]
                shared = [self._public_file(r) for r in records]
                self.post_message(
                    channel_id, text=initial_comment, files=shared, thread_ts=thread_ts
                )
            return [self._public_file(r) for r in records]

    def _uploaded_file(self, wanted: dict[str, Any]) -> dict[str, Any]:
        record = self.files.get(str(wanted.get("id", "")))
        if record is None or not record["uploaded"]:
            raise SlackError("file_not_found", str(wanted.get("id")))
        if record["completed"]:
            raise SlackError("file_upload_already_completed", record["id"])
        return record

    @staticmethod
    def _public_file(record: dict[str, Any]) -> dict[str, Any]:
        hidden = ("uploaded", "completed")
        return {k: _copied(v) for k, v in record.items() if k not in hidden}

    def file_info(self, file_id: str) -> dict[str, Any] | None:
        """The file object Slack would show for ``file_id``, or None."""
        with self._locked():
            record = self.files.get(file_id)
            return self._public_file(record) if record else None

    def file_content(self, file_id: str) -> bytes:
        """The bytes of an uploaded file (KeyError if nothing was uploaded)."""
        with self._locked():
            return self._file_content[file_id]

    def delete_file(self, file_id: str) -> None:
        """Delete a file the bot uploaded, as ``files.delete`` does: it is gone (its link
        answers 404), and every message that shared it keeps a tombstone in its place
        (Slack shows "This file was deleted."); the messages themselves stay."""
        with self._locked():
            record = self.files.get(file_id)
            if record is None:
                raise SlackError("file_not_found", file_id)
            if record["user"] != self.bot_user_id:
                raise SlackError("cant_delete_file", f"{file_id} was not uploaded by the bot")
            del self.files[file_id]
            self._file_content.pop(file_id, None)
            for channel_id, messages in self.messages.items():
                for message in messages:
                    files = message.get("files") or []
                    if not any(f.get("id") == file_id for f in files):
                        continue
                    message["files"] = [
                        {"id": file_id, "mode": "tombstone"} if f.get("id") == file_id else f
                        for f in files
                    ]
                    self._emit("message_updated", {"channel": channel_id, "message": message})
            self._emit("file_deleted", {"file_id": file_id})

    # ------------------------------------------------------------------ members

    def add_member(self, channel_id: str, user_id: str) -> bool:
        """Add someone to a channel (what ``/invite @setback`` does); False if already in."""
        with self._locked():
            channel = self._channel(channel_id)
            if user_id not in self._users:
                raise SlackError("user_not_found", user_id)
            if channel.is_im:
                raise SlackError("method_not_supported_for_channel_type", channel_id)
            if channel.is_archived:
                raise SlackError("is_archived", channel_id)
            if user_id in channel.members:
                return False
            channel.members.append(user_id)
            self._emit("member_joined", {"channel": channel_id, "user": user_id})
            return True

    def install_app(self) -> None:
        """The app is added to this workspace: it is listed under Apps, with a DM for
        every person (Slack opens the app's Messages tab for each)."""
        with self._locked():
            self.app_installed = True
            for user in list(self._users.values()):
                if not user.is_bot and not user.deleted:
                    self.im_channel_for(user.id)
            self._emit("app_installed", {"team": self.team_id})

    def uninstall_app(self) -> None:
        """The app is removed from this workspace: Slack sends it nothing more."""
        with self._locked():
            self.app_installed = False
            self._emit("app_uninstalled", {"team": self.team_id})

    def rate_limits(self) -> dict[str, RateLimit]:
        """The rate limits switched on, by method."""
        with self._locked():
            return _copied(self._limits)

    # ------------------------------------------------------------------ persistence

    def snapshot(self) -> dict[str, Any]:
        """Everything a restart must keep, as JSON-ready data (see :meth:`restore`).

        Only what Slack itself keeps: trigger ids and response URLs live seconds and
        minutes in Slack too, "only visible to you" messages live in the client and
        vanish on a reload, and a closed modal (with what was typed in it) is gone. The
        Web API log keeps which method was called and how it went, never its
        parameters, so a person's words never stay in the file behind their messages.
        """
        with self._locked():
            live = [v for v in self.views if self._is_live(v)]
            return _copied(
                {
                    "team_id": self.team_id,
                    "app_installed": self.app_installed,
                    "seq": self._seq,
                    "last_ts_micros": self._last_ts_micros,
                    "users": [u.__dict__ for u in self._users.values()],
                    "channels": [c.__dict__ for c in self._channels.values()],
                    "im_by_user": self._im_by_user,
                    "messages": self.messages,
                    "views": {v: self.views[v] for v in live},
                    "view_owner": {v: self.view_owner[v] for v in live},
                    "view_errors": {v: e for v, e in self.view_errors.items() if v in live},
                    "view_stacks": self.view_stacks,
                    "home_views": self.home_views,
                    "files": self.files,
                    "file_content": {
                        k: base64.b64encode(v).decode() for k, v in self._file_content.items()
                    },
                    "rejections": self.rejections[-SNAPSHOT_RECORDS:],
                    "calls": [
                        {k: c.get(k) for k in _CALL_FIELDS_KEPT}
                        for c in self.calls[-SNAPSHOT_RECORDS:]
                    ],
                    "limits": self._limits,
                }
            )

    def restore(self, state: dict[str, Any]) -> None:
        """Replace this workspace's contents with a :meth:`snapshot` of the same team.

        Raises ValueError for a snapshot of another team or with a missing part, so a
        damaged file is reported instead of half-loaded.
        """
        if state.get("team_id") != self.team_id:
            raise ValueError(f"snapshot is of team {state.get('team_id')!r}, not {self.team_id!r}")
        try:
            users = {u["id"]: _User(**u) for u in state["users"]}
            channels = {c["id"]: _Channel(**c) for c in state["channels"]}
            contents = {k: base64.b64decode(v) for k, v in state["file_content"].items()}
            parts = {key: _copied(state[key]) for key in _SNAPSHOT_PARTS}
            seq, last = int(state["seq"]), int(state["last_ts_micros"])
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise ValueError(f"snapshot is incomplete or damaged: {exc!r}") from exc
        with self._locked():
            self._users, self._channels, self._file_content = users, channels, contents
            self._seq, self._last_ts_micros = seq, last
            self.app_installed = bool(state.get("app_installed", True))  # older files: it was
            self._im_by_user = parts.pop("im_by_user")
            self._limits = parts.pop("limits")
            self._buckets = {}
            self.ephemerals = []
            for key, value in parts.items():
                setattr(self, key, value)
            self._emit("restored", {})


def _kept_values(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """State values that survive an update: same block_id and action_id in an input block."""
    kept: dict[str, dict[str, Any]] = {}
    old_values = old.get("state", {}).get("values", {})
    for block in new.get("blocks", []):
        element = block.get("element") if block.get("type") == "input" else None
        if not element:
            continue
        value = old_values.get(block.get("block_id"), {}).get(element.get("action_id"))
        if value is not None:
            kept[block["block_id"]] = {element["action_id"]: _copied(value)}
    return kept


def _ts_key(ts: str) -> tuple[int, int]:
    """A message ts as numbers, so "10.5" and "9.9" compare as times, not as text."""
    seconds, _, fraction = ts.partition(".")
    return int(seconds or 0), int((fraction + "000000")[:6] or 0)


def _mimetype(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "text/plain"
