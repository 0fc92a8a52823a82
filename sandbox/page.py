"""What a person does on the sandbox page, turned into what Slack would do.

Typing ``/setback`` becomes a signed slash command to the bot, a button becomes
``block_actions``, Submit becomes ``view_submission``, a message in the app's DM becomes
a ``message.im`` event, deleting one's own message there a ``message_deleted`` one — all
through :class:`sandbox.delivery.SlackDelivery`, over HTTP, exactly as Slack sends them.
A few things Slack's own client does without the app are done here directly: a plain
message in a channel (or deleting it), ``/invite @setback``.

Where the app is not installed (``Workspace.app_installed``), ``/setback`` is not a
command and the Home does not open, as in Slack; removing the app from a workspace
sends the bot Slack's ``app_uninstalled`` and ``tokens_revoked`` events.

Every method returns a small JSON-ready outcome ``{"ok": bool, ...}``; ``error`` is a
plain sentence for the page to show. The bot's own failures (slow answers, invalid
views) are also in ``workspace.rejections``, which the page shows on its own.
"""

import logging
import secrets
from typing import Any

from sandbox.delivery import Response, SlackDelivery, SubmissionBlocked
from sandbox.limits import apply_slack_limits
from sandbox.timetravel import HookError, TimeMachine
from sandbox.workspace import SlackError, Workspace

log = logging.getLogger(__name__)

Outcome = dict[str, Any]
APP_COMMAND = "/setback"
MAX_ADVANCE_SECONDS = 366 * 24 * 3600


def _answered(response: Response) -> Outcome:
    if response.error:
        return {
            "ok": False,
            "error": f"Setback did not answer as Slack expects ({response.error}).",
        }
    return {"ok": True}


def _refused(exc: Exception) -> Outcome:
    if isinstance(exc, SlackError):
        return {"ok": False, "error": f"Slack would refuse that: {exc.error}."}
    return {"ok": False, "error": str(exc)}


class PageActions:
    """The page's verbs, for one workspace and one bot."""

    def __init__(self, ws: Workspace, delivery: SlackDelivery, time_machine: TimeMachine) -> None:
        self.ws = ws
        self.delivery = delivery
        self.time_machine = time_machine

    # ------------------------------------------------------------------ composer

    def command(self, user: str, channel: str, line: str) -> Outcome:
        """A line starting with ``/`` typed into a composer."""
        name, _, text = line.strip().partition(" ")
        try:
            if name == APP_COMMAND and not self.ws.app_installed:
                return self._not_installed()
            if name == APP_COMMAND:
                return _answered(self.delivery.command(user, text.strip(), name, channel))
            if name == "/invite":
                return self._invite(channel, text)
        except (LookupError, ValueError, SlackError) as exc:
            return _refused(exc)
        return {
            "ok": False,
            "error": f"{name} is not a command in this sandbox. Try {APP_COMMAND} or "
            f"{APP_COMMAND} help.",
        }

    def _not_installed(self) -> Outcome:
        """What Slack says to a command of an app the workspace has not installed."""
        return {
            "ok": False,
            "error": f"{APP_COMMAND} is not a valid command here: Setback is not installed in "
            f"{self.ws.team_name} yet. Add it from Apps in the sidebar.",
        }

    def _invite(self, channel: str, text: str) -> Outcome:
        """``/invite @setback``: Slack adds the app to the channel without asking it."""
        if text.strip().lstrip("@").lower() not in ("setback", self.ws.bot_name):
            return {"ok": False, "error": "In the sandbox you can invite @setback only."}
        added = self.ws.add_member(channel, self.ws.bot_user_id)
        info = self.ws.channel(channel) or {"name": channel}
        verb = "was added to" if added else "is already in"
        return {"ok": True, "notice": f"Setback {verb} #{info['name']}."}

    def message(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> Outcome:
        """A plain message: to the app (a ``message.im`` event) or into a channel."""
        if not text.strip():
            return {"ok": False, "error": "There is nothing to send yet."}
        try:
            info = self.ws.channel(channel)
            if info is None or user not in info["members"]:
                raise LookupError("You are not in that conversation.")
            if info["is_im"]:
                return _answered(self.delivery.message_im(user, text, thread_ts=thread_ts))
            self.ws.post_message(
                channel, text=text, blocks=[_rich_text(text)], user=user, thread_ts=thread_ts
            )
        except (LookupError, SlackError) as exc:
            return _refused(exc)
        return {"ok": True}

    def delete(self, user: str, channel: str, ts: str) -> Outcome:
        """The person deletes a message they wrote (their own only, as in Slack); in
        their DM with the app Slack tells the app with a ``message_deleted`` event."""
        try:
            info = self.ws.channel(channel)
            if info is None or user not in info["members"]:
                raise LookupError("You are not in that conversation.")
            deleted = self.ws.delete_person_message(channel, ts, user)
            if info["is_im"]:
                return _answered(self.delivery.message_deleted_im(user, deleted))
        except (LookupError, SlackError) as exc:
            return _refused(exc)
        return {"ok": True}

    # ------------------------------------------------------------------ modals and buttons

    def submit(self, user: str, view_id: str, values: dict[str, Any]) -> Outcome:
        """Submit the modal on top with what the person typed and picked."""
        try:
            return _answered(self.delivery.submit_view(user, view_id, values))
        except SubmissionBlocked as exc:
            return {"ok": False, "error": f"Slack would not submit this form: {exc}"}
        except (LookupError, SlackError) as exc:
            return _refused(exc)

    def close(self, user: str, view_id: str, values: dict[str, Any] | None = None) -> Outcome:
        """Close the modal on top (Cancel, ×, Esc)."""
        try:
            response = self.delivery.close_view(user, view_id, values or None)
        except (LookupError, ValueError, SlackError) as exc:
            return _refused(exc)
        return _answered(response) if response is not None else {"ok": True}

    def action(self, user: str, spec: dict[str, Any]) -> Outcome:
        """A button, select or picker used in a message, a modal or the Home tab."""
        where: dict[str, Any] = {}
        if spec.get("view_id"):
            where["view_id"] = str(spec["view_id"])
        elif spec.get("channel") and spec.get("ts"):
            where["message"] = (str(spec["channel"]), str(spec["ts"]))
        else:
            return {"ok": False, "error": "An action needs a view or a message."}
        try:
            response = self.delivery.click(
                user,
                str(spec.get("action_id", "")),
                value=spec.get("value"),
                block_id=spec.get("block_id"),
                selected_option=spec.get("selected_option"),
                values=spec.get("values") or None,
                **where,
            )
        except (LookupError, ValueError, SlackError) as exc:
            return _refused(exc)
        return _answered(response)

    def open_home(self, user: str) -> Outcome:
        """The person opens the app's Home tab (``app_home_opened``)."""
        if not self.ws.app_installed:
            return self._not_installed()
        try:
            return _answered(self.delivery.app_home_opened(user))
        except (LookupError, SlackError) as exc:
            return _refused(exc)

    # ------------------------------------------------------------------ workspace tools

    def app_removed(self) -> Outcome:
        """Tell the bot the app was removed from this workspace, as Slack does: an
        ``app_uninstalled`` event, then ``tokens_revoked`` naming its bot. (The caller
        has already ended the tokens and marked the workspace.)"""
        first = self.delivery.event({"type": "app_uninstalled", "event_ts": self._ts()})
        tokens = {"oauth": [], "bot": [self.ws.bot_user_id]}
        second = self.delivery.event(
            {"type": "tokens_revoked", "tokens": tokens, "event_ts": self._ts()}
        )
        failed = first if first.error else second
        if failed.error:
            return _answered(failed)
        return {"ok": True, "notice": f"Setback was removed from {self.ws.team_name}."}

    def _ts(self) -> str:
        return f"{self.ws.now():.6f}"

    def advance(self, seconds: float) -> Outcome:
        """Move the workspace (and the bot) forward and deliver what fell due."""
        if not 0 < seconds <= MAX_ADVANCE_SECONDS:
            return {"ok": False, "error": "The clock moves forward by up to a year at a time."}
        try:
            moved = self.time_machine.advance(seconds)
        except HookError as exc:
            return {"ok": False, "error": f"The clock did not move: {exc}."}
        return {"ok": True, **moved}

    def rate_limits(self, on: bool) -> Outcome:
        """Switch Slack-like rate limits on or off."""
        apply_slack_limits(self.ws, on)
        return {"ok": True, "rate_limits": on}


def _rich_text(text: str) -> dict[str, Any]:
    """The rich_text block Slack's client attaches to what a person types."""
    return {
        "type": "rich_text",
        "block_id": secrets.token_urlsafe(3),
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }
