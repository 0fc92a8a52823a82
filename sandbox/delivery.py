"""What Slack sends *to* the bot: slash commands, interactions and events, signed.

Every request is built in the shape Slack uses (checked against Slack's payload reference
and what Bolt parses), signed with the app's signing secret (``v0`` HMAC-SHA256 via
``slack_sdk.signature``) and POSTed to the bot's request URL with the stdlib. What the bot
answers is then applied the way Slack applies it: a ``view_submission`` answered with
``response_action: update`` replaces the stored view, ``errors`` shows field errors, a
slash command's ack body becomes an ephemeral message. Answers slower than Slack's
3-second deadline, non-2xx answers and invalid views are recorded as rejections and
reported on :attr:`Response.error`, because in Slack the user would see an error there.
"""

import copy
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from sandbox.slack_api import SlackApiServer, validate_message_blocks, validate_view
from sandbox.workspace import SlackError, Workspace

ACK_DEADLINE_SECONDS = 3.0

Values = dict[str, dict[str, dict[str, Any]]]

# Element types whose choice is one option / several options of the element.
_ONE_OPTION = {"static_select", "external_select", "overflow", "radio_buttons"}
_MANY_OPTIONS = {"checkboxes", "multi_static_select", "multi_external_select"}
# Element types whose choice is a plain value under a type-specific key.
_SELECTED_FIELD = {
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
    "plain_text_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "number_input": "value",
}
# Elements that keep no state in ``view.state.values``.
_STATELESS = {"button", "overflow", "workflow_button"}


class SubmissionBlocked(ValueError):
    """Slack's client would not send this: a required input is empty, a text is too long,
    or values name an element the view does not show (a test out of step with the view)."""


@dataclass
class Response:
    """The bot's HTTP answer, plus what Slack would have made of it.

    ``error`` is None when Slack would be satisfied; otherwise a short reason such as
    ``operation_timeout``, ``http_401`` or ``invalid_arguments: …`` (also recorded in
    ``workspace.rejections``).
    """

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0
    error: str | None = None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The decoded JSON answer; None for an empty body (a bare ``ack()``).

        Raises ValueError when the body is not JSON (e.g. a plain-text ack).
        """
        return json.loads(self.body) if self.body.strip() else None


class SlackDelivery:
    """Deliver signed Slack requests for one workspace to the bot at ``bot_url``."""

    def __init__(
        self,
        workspace: Workspace,
        bot_url: str,
        signing_secret: str,
        api: SlackApiServer | None = None,
        clock: Callable[[], float] = time.time,
        *,
        timeout: float = 10.0,
        verification_token: str = "sandbox-verification-token",
    ) -> None:
        self.workspace = workspace
        self.bot_url = bot_url
        self.api = api
        self.clock = clock
        self.timeout = timeout
        self.verification_token = verification_token
        self._verifier = SignatureVerifier(signing_secret)
        self._event_seq = 0

    # ------------------------------------------------------------------ signing and sending

    def sign(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """Slack's request-signing headers for ``body`` (timestamp defaults to the clock)."""
        stamp = str(int(self.clock()) if timestamp is None else timestamp)
        signature = self._verifier.generate_signature(timestamp=stamp, body=body) or ""
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}

    def raw(self, body: bytes, headers: dict[str, str]) -> Response:
        """POST exactly these bytes and headers (forged, unsigned or stale requests)."""
        return self._post(body, headers, "raw")

    def _post(self, body: bytes, headers: dict[str, str], kind: str) -> Response:
        request = urllib.request.Request(self.bot_url, data=body, headers=headers, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                response = Response(reply.status, reply.read(), dict(reply.headers.items()))
        except urllib.error.HTTPError as exc:
            response = Response(exc.code, exc.read(), dict(exc.headers.items()))
        except OSError as exc:  # refused, reset, timed out: Slack would see no answer
            timed_out = isinstance(getattr(exc, "reason", exc), TimeoutError)
            error = "operation_timeout" if timed_out else f"connection_failed: {exc}"
            response = Response(0, b"", {}, error=error)
        response.elapsed = time.perf_counter() - started
        self._judge(response, kind)
        return response

    def _judge(self, response: Response, kind: str) -> None:
        """Mark an answer Slack would not accept, and record why."""
        if response.error is None and not 200 <= response.status < 300:
            response.error = f"http_{response.status}"
        elif response.error is None and response.elapsed > ACK_DEADLINE_SECONDS:
            response.error = "operation_timeout"
        if response.error is not None:
            detail = f"{kind} answered {response.status} after {response.elapsed:.2f}s"
            self.workspace.record_rejection(kind, response.error, detail)

    def _send(
        self, body: bytes, content_type: str, kind: str, extra: dict[str, str] | None = None
    ) -> Response:
        headers = {"Content-Type": content_type, **self.sign(body), **(extra or {})}
        return self._post(body, headers, kind)

    def _send_form(self, fields: dict[str, str], kind: str) -> Response:
        return self._send(urlencode(fields).encode(), "application/x-www-form-urlencoded", kind)

    def _send_payload(self, payload: dict[str, Any], kind: str) -> Response:
        """Interactions arrive as a form with one ``payload`` field holding JSON."""
        return self._send_form({"payload": json.dumps(payload)}, kind)

    # ------------------------------------------------------------------ shared shapes

    def _user(self, user_id: str) -> dict[str, Any]:
        user = self.workspace.user(user_id)
        if user is None:
            raise LookupError(f"no user {user_id} in the sandbox workspace")
        return user

    def _user_ref(self, user_id: str) -> dict[str, str]:
        name = self._user(user_id)["name"]
        return {"id": user_id, "username": name, "name": name, "team_id": self.workspace.team_id}

    def _team(self) -> dict[str, str]:
        return {"id": self.workspace.team_id, "domain": self.workspace.team_domain}

    def _interaction(self, kind: str, user_id: str) -> dict[str, Any]:
        """Fields every interaction payload carries."""
        return {
            "type": kind,
            "team": self._team(),
            "user": self._user_ref(user_id),
            "api_app_id": self.workspace.app_id,
            "token": self.verification_token,
            "enterprise": self._enterprise(),
            "is_enterprise_install": False,
        }

    def _enterprise(self) -> dict[str, str] | None:
        """The org the workspace belongs to, as interactions name it (None outside one)."""
        ws = self.workspace
        if not ws.enterprise_id:
            return None
        return {"id": ws.enterprise_id, "name": ws.enterprise_name or ws.enterprise_id}

    def _response_url(self, user_id: str, channel_id: str, message_ts: str | None = None) -> str:
        response_id = self.workspace.issue_response_url(user_id, channel_id, message_ts)
        base = self.api.root_url if self.api is not None else self.workspace.web_url or "/"
        return f"{base}response/{response_id}"

    def _channel_ref(self, channel_id: str) -> dict[str, str]:
        channel = self.workspace.channel(channel_id)
        if channel is None:
            raise LookupError(f"no channel {channel_id} in the sandbox workspace")
        return {"id": channel_id, "name": "directmessage" if channel["is_im"] else channel["name"]}

    def _require_member(self, user_id: str, channel_id: str) -> None:
        channel = self.workspace.channel(channel_id)
        if channel is None or user_id not in channel["members"]:
            raise LookupError(f"{user_id} is not in {channel_id}, so could not act there")

    # ------------------------------------------------------------------ slash commands

    def command(
        self,
        user_id: str,
        text: str = "",
        command: str = "/setback",
        channel_id: str | None = None,
    ) -> Response:
        """The user types ``command text`` (in their DM with the bot unless a channel is given)."""
        user = self._user(user_id)
        channel_id = channel_id or self.workspace.im_channel_for(user_id)
        self._require_member(user_id, channel_id)
        fields = {
            "token": self.verification_token,
            "team_id": self.workspace.team_id,
            "team_domain": self.workspace.team_domain,
            "channel_id": channel_id,
            "channel_name": self._channel_ref(channel_id)["name"],
            "user_id": user_id,
            "user_name": user["name"],
            "command": command,
            "text": text,
            "api_app_id": self.workspace.app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(user_id, channel_id),
            "trigger_id": self.workspace.issue_trigger_id(user_id),
        }
        enterprise = self._enterprise()
        if enterprise is not None:
            fields.update(enterprise_id=enterprise["id"], enterprise_name=enterprise["name"])
        response = self._send_form(fields, "slash_command")
        if response.error is None and response.body.strip():
            self._show_command_answer(user_id, channel_id, response)
        return response

    def _show_command_answer(self, user_id: str, channel_id: str, response: Response) -> None:
        """Slack shows a slash command's ack body to the user (ephemeral unless in_channel)."""
        try:
            answer = response.json()
        except ValueError:
            answer = {"text": response.text}
        if not isinstance(answer, dict):
            answer = {"text": response.text}
        try:
            blocks = answer.get("blocks")
            blocks = validate_message_blocks(blocks) if blocks is not None else None
            text = str(answer.get("text") or "")
            if answer.get("response_type") == "in_channel":
                self.workspace.post_message(
                    channel_id, text=text, blocks=blocks, require_member=False
                )
            else:
                self.workspace.post_ephemeral(
                    channel_id, user_id, text=text, blocks=blocks, require_member=False
                )
        except SlackError as exc:
            self._refuse(response, "slash_command", exc)

    def _refuse(self, response: Response, kind: str, exc: SlackError) -> None:
        response.error = f"{exc.error}: {exc.detail}" if exc.detail else exc.error
        self.workspace.record_rejection(kind, exc.error, exc.detail)

    # ------------------------------------------------------------------ modals

    def _open_modal(self, user_id: str, view_id: str) -> dict[str, Any]:
        """The modal the user is looking at; they cannot submit or close any other."""
        top = self.workspace.top_view(user_id)
        if top is None or top["id"] != view_id:
            raise LookupError(f"{view_id} is not the modal {user_id} is looking at")
        return top

    def submit_view(self, user_id: str, view_id: str, values: Values) -> Response:
        """The user presses Submit with ``values`` ({block_id: {action_id: state value}}).

        A state value may omit ``type``; it is filled in from the element. Raises
        :class:`SubmissionBlocked` when Slack's client would not submit (a required input is
        empty, a value names an input the view does not have, a text is too long or short).
        """
        view = self._open_modal(user_id, view_id)
        values = self._checked_values(view, values)
        self.workspace.set_view_state(view_id, values)
        payload = self._interaction("view_submission", user_id)
        payload.update(
            trigger_id=self.workspace.issue_trigger_id(user_id),
            view=self.workspace.view(view_id),
            response_urls=[],
        )
        response = self._send_payload(payload, "view_submission")
        if response.error is None:
            self._apply_view_answer(user_id, view_id, response)
        return response

    def _checked_values(
        self, view: dict[str, Any], values: Values, *, submitting: bool = True
    ) -> Values:
        """Values as the client would send them, typed from their elements.

        Only elements the view shows can hold state; on submit, required inputs must be
        filled and texts must respect min/max length, or the client refuses to submit.
        """
        shown = _stateful_elements(view["blocks"])
        checked: Values = {}
        problems = []
        for block_id, actions in values.items():
            for action_id, value in actions.items():
                found = shown.get((block_id, action_id))
                if found is None:
                    problems.append(f"the view has no input {block_id}/{action_id}")
                    continue
                typed = {"type": found[1]["type"], **value}
                checked.setdefault(block_id, {})[action_id] = typed
                problems += _length_problems(block_id, found[1], typed) if submitting else []
        if submitting:
            problems += _missing_required(shown, {**view["state"]["values"], **checked})
        if problems:
            kind = "view_submission" if submitting else "block_actions"
            self.workspace.record_rejection(kind, "blocked_by_client", "; ".join(problems))
            raise SubmissionBlocked("; ".join(problems))
        return checked

    def _apply_view_answer(self, user_id: str, view_id: str, response: Response) -> None:
        """Do what Slack does with the bot's answer to a view_submission."""
        try:
            answer = response.json() or {}
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            self._refuse(response, "view_submission", SlackError("invalid_response", "not JSON"))
            return
        try:
            self._apply_response_action(user_id, view_id, answer)
        except SlackError as exc:
            self._refuse(response, "view_submission", exc)

    def _apply_response_action(self, user_id: str, view_id: str, answer: dict[str, Any]) -> None:
        action = answer.get("response_action")
        if action is None:
            self.workspace.close_view(view_id)
        elif action == "update":
            view = validate_view(answer.get("view"), kinds=("modal",))
            self.workspace.update_view(view, view_id=view_id)
        elif action == "push":
            self.workspace.push_view(user_id, validate_view(answer.get("view"), kinds=("modal",)))
        elif action == "errors":
            self.workspace.set_view_errors(view_id, self._checked_errors(view_id, answer))
        elif action == "clear":
            self.workspace.clear_views(user_id)
        else:
            raise SlackError("invalid_response_action", str(action))

    def _checked_errors(self, view_id: str, answer: dict[str, Any]) -> dict[str, str]:
        """``errors`` must name input blocks of the view; Slack rejects anything else."""
        errors = answer.get("errors")
        if not isinstance(errors, dict) or not errors:
            raise SlackError("invalid_arguments", "errors must be a non-empty object")
        view = self.workspace.view(view_id) or {"blocks": []}
        inputs = {b.get("block_id") for b in view["blocks"] if b.get("type") == "input"}
        unknown = sorted(set(errors) - inputs)
        if unknown:
            raise SlackError("invalid_arguments", f"errors name no input block: {unknown}")
        return {str(k): str(v) for k, v in errors.items()}

    def close_view(
        self, user_id: str, view_id: str, values: Values | None = None
    ) -> Response | None:
        """The user closes the modal (Cancel / X).

        The view is closed whatever the bot answers. Slack only tells the bot when the view
        was opened with ``notify_on_close``; otherwise nothing is sent and None is returned.
        """
        view = self._open_modal(user_id, view_id)
        if values:
            checked = self._checked_values(view, values, submitting=False)
            self.workspace.set_view_state(view_id, checked)
            view = self.workspace.view(view_id) or view
        cleared = bool(view["clear_on_close"])
        self.workspace.close_view(view_id, clear=cleared)
        if not view["notify_on_close"]:
            return None
        payload = self._interaction("view_closed", user_id)
        payload.update(view=view, is_cleared=cleared)
        return self._send_payload(payload, "view_closed")

    # ------------------------------------------------------------------ block actions

    def click(
        self,
        user_id: str,
        action_id: str,
        *,
        value: Any = None,
        block_id: str | None = None,
        view_id: str | None = None,
        message: tuple[str, str] | None = None,
        selected_option: str | dict[str, Any] | None = None,
        values: Values | None = None,
    ) -> Response:
        """The user uses an interactive element in a message or a view (modal or Home tab).

        The element is looked up by ``action_id`` (and ``block_id``) in what the user sees;
        a click on something that is not there raises LookupError. For selects pass
        ``selected_option`` (an option value or the option); for other inputs ``value``.
        """
        if (view_id is None) == (message is None):
            raise ValueError("pass exactly one of view_id or message=(channel, ts)")
        payload = self._interaction("block_actions", user_id)
        payload["trigger_id"] = self.workspace.issue_trigger_id(user_id)
        if message is not None:
            blocks = self._message_context(user_id, message, payload, values)
        else:
            blocks = self._visible_view(user_id, str(view_id))["blocks"]
        found_block_id, element = _find_element(blocks, action_id, block_id)
        action = _action(element, found_block_id, value, selected_option)
        action["action_ts"] = f"{self.clock():.6f}"
        if view_id is not None:
            self._view_context(view_id, found_block_id, action, values, payload)
        payload["actions"] = [action]
        return self._send_payload(payload, "block_actions")

    def _visible_view(self, user_id: str, view_id: str) -> dict[str, Any]:
        home = self.workspace.home_view(user_id)
        if home is not None and home["id"] == view_id:
            return home
        return self._open_modal(user_id, view_id)

    def _view_context(
        self,
        view_id: str,
        block_id: str,
        action: dict[str, Any],
        values: Values | None,
        payload: dict[str, Any],
    ) -> None:
        """A view's block_actions carry the view (with its state), and no response_url."""
        view = self.workspace.view(view_id) or {"blocks": []}
        state = self._checked_values(view, values or {}, submitting=False)
        if action["type"] not in _STATELESS:
            ignored = ("block_id", "action_id", "action_ts", "text", "placeholder", "style")
            current = {k: v for k, v in action.items() if k not in ignored}
            state.setdefault(block_id, {})[action["action_id"]] = current
        self.workspace.set_view_state(view_id, state)
        payload["container"] = {"type": "view", "view_id": view_id}
        payload["view"] = self.workspace.view(view_id)

    def _message_context(
        self,
        user_id: str,
        message: tuple[str, str],
        payload: dict[str, Any],
        values: Values | None,
    ) -> list[dict[str, Any]]:
        """Fill in a message's container, channel, message, state and response_url."""
        channel_id, ts = message
        self._require_member(user_id, channel_id)
        found = self.workspace.find_any_message(channel_id, ts)
        if found is None:
            raise LookupError(f"no message {ts} in {channel_id}")
        shown, ephemeral = found
        if ephemeral and shown["to_user"] != user_id:
            raise LookupError(f"ephemeral message {ts} is not shown to {user_id}")
        container = {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel_id,
            "is_ephemeral": ephemeral,
        }
        if shown.get("thread_ts") and shown["thread_ts"] != ts:
            container["thread_ts"] = shown["thread_ts"]
        shown = {k: v for k, v in shown.items() if k not in ("channel", "to_user", "is_ephemeral")}
        payload.update(
            container=container,
            channel=self._channel_ref(channel_id),
            message=shown,
            state={"values": copy.deepcopy(values or {})},
            response_url=self._response_url(user_id, channel_id, ts),
        )
        return list(shown.get("blocks") or [])

    # ------------------------------------------------------------------ events

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Response:
        """Deliver an Events API ``event_callback``; ``retry_num`` marks a redelivery."""
        self._event_seq += 1
        envelope = {
            "token": self.verification_token,
            "team_id": self.workspace.team_id,
            "context_team_id": self.workspace.team_id,
            "context_enterprise_id": self.workspace.enterprise_id,
            "api_app_id": self.workspace.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._event_seq:08d}{secrets.token_hex(3).upper()}",
            "event_time": int(self.clock()),
            "authorizations": [
                {
                    "enterprise_id": self.workspace.enterprise_id,
                    "team_id": self.workspace.team_id,
                    "user_id": self.workspace.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_urlsafe(24)}",
        }
        if self.workspace.enterprise_id:
            envelope["enterprise_id"] = self.workspace.enterprise_id
        extra = {}
        if retry_num is not None:
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        body = json.dumps(envelope).encode()
        return self._send(body, "application/json", "event_callback", extra)

    def message_im(self, user_id: str, text: str, thread_ts: str | None = None) -> Response:
        """The user writes ``text`` in their DM with the bot: stored, then ``message.im``."""
        self._user(user_id)
        channel_id = self.workspace.im_channel_for(user_id)
        rich_text = {
            "type": "rich_text",
            "block_id": secrets.token_urlsafe(3),
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
        posted = self.workspace.post_message(
            channel_id, text=text, blocks=[rich_text], user=user_id, thread_ts=thread_ts
        )
        event = {
            "type": "message",
            "user": user_id,
            "text": text,
            "ts": posted["ts"],
            "team": self.workspace.team_id,
            "blocks": posted["blocks"],
            "client_msg_id": str(uuid.uuid4()),
            "channel": channel_id,
            "event_ts": posted["ts"],
            "channel_type": "im",
        }
        for key in ("thread_ts", "parent_user_id"):
            if key in posted:
                event[key] = posted[key]
        return self.event(event)

    def message_deleted_im(self, user_id: str, deleted: dict[str, Any]) -> Response:
        """The person deleted one of their own messages in their DM with the app: Slack
        sends ``message`` with subtype ``message_deleted`` (and the message as it was)."""
        channel_id = self.workspace.im_channel_for(user_id)
        now = f"{self.clock():.6f}"
        previous = {
            k: deleted[k] for k in ("type", "user", "text", "ts", "thread_ts") if k in deleted
        }
        event: dict[str, Any] = {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "deleted_ts": deleted["ts"],
            "channel": channel_id,
            "channel_type": "im",
            "previous_message": previous,
            "event_ts": now,
            "ts": now,
        }
        if deleted.get("thread_ts") and deleted["thread_ts"] != deleted["ts"]:
            event["thread_ts"] = deleted["thread_ts"]
        return self.event(event)

    def app_home_opened(self, user_id: str) -> Response:
        """The user opens the app's Home tab (the published view rides along, as in Slack)."""
        self._user(user_id)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.workspace.im_channel_for(user_id),
            "tab": "home",
            "event_ts": f"{self.clock():.6f}",
        }
        home = self.workspace.home_view(user_id)
        if home is not None:
            event["view"] = home
        return self.event(event)


# ---------------------------------------------------------------------------- elements


def _interactive_elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    elements = [e for e in block.get("elements") or [] if isinstance(e, dict)]
    if block.get("type") not in ("actions", "context_actions"):
        elements = []
    return elements + [block[k] for k in ("accessory", "element") if isinstance(block.get(k), dict)]


def _find_element(
    blocks: list[dict[str, Any]], action_id: str, block_id: str | None
) -> tuple[str, dict[str, Any]]:
    """The (block_id, element) the user interacts with; LookupError when it is not shown."""
    for block in blocks:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        for element in _interactive_elements(block):
            if element.get("action_id") == action_id:
                return str(block.get("block_id", "")), element
    where = f" in block {block_id}" if block_id else ""
    raise LookupError(f"no element with action_id {action_id!r}{where} is shown to the user")


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    return options


def _pick_option(element: dict[str, Any], choice: Any) -> dict[str, Any]:
    """The option the user picks, by value or as an option object; it must be offered."""
    wanted = choice.get("value") if isinstance(choice, dict) else choice
    options = _options(element)
    if not options and isinstance(choice, dict):  # external selects load options lazily
        return copy.deepcopy(choice)
    for option in options:
        if option.get("value") == wanted:
            return copy.deepcopy(option)
    raise LookupError(f"{element.get('action_id')!r} offers no option with value {wanted!r}")


def _action(
    element: dict[str, Any], block_id: str, value: Any, selected_option: Any
) -> dict[str, Any]:
    """One entry of ``actions`` shaped as Slack shapes it for this element type."""
    kind = element.get("type", "")
    action: dict[str, Any] = {"type": kind, "block_id": block_id, "action_id": element["action_id"]}
    if kind == "button":
        action["text"] = copy.deepcopy(element.get("text"))
        chosen = value if value is not None else element.get("value")
        action.update(
            {k: v for k, v in (("value", chosen), ("style", element.get("style"))) if v is not None}
        )
    elif kind in _ONE_OPTION:
        choice = selected_option if selected_option is not None else value
        action["selected_option"] = _pick_option(element, choice)
    elif kind in _MANY_OPTIONS:
        action["selected_options"] = [_pick_option(element, v) for v in value or []]
    else:
        action[_SELECTED_FIELD.get(kind, "value")] = value
    if "placeholder" in element and kind != "button":
        action["placeholder"] = copy.deepcopy(element["placeholder"])
    return action


Shown = dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]


def _stateful_elements(blocks: list[dict[str, Any]]) -> Shown:
    """(block_id, action_id) -> (block, element) of every element that keeps state."""
    return {
        (str(block.get("block_id")), str(element.get("action_id"))): (block, element)
        for block in blocks
        for element in _interactive_elements(block)
        if element.get("type") not in _STATELESS
    }


def _has_value(state: dict[str, Any]) -> bool:
    return any(v not in (None, "", [], {}) for k, v in state.items() if k != "type")


def _missing_required(shown: Shown, values: Values) -> list[str]:
    """Non-optional input blocks the user left empty."""
    missing = []
    for (block_id, action_id), (block, _) in shown.items():
        if block.get("type") != "input" or block.get("optional"):
            continue
        state = values.get(block_id, {}).get(action_id)
        if not (state and _has_value(state)):
            missing.append(f"required input {block_id}/{action_id} is empty")
    return missing


def _length_problems(block_id: str, element: dict[str, Any], state: dict[str, Any]) -> list[str]:
    text = state.get("value")
    if element.get("type") != "plain_text_input" or not isinstance(text, str):
        return []
    where = f"{block_id}/{element['action_id']}"
    problems = []
    if "max_length" in element and len(text) > element["max_length"]:
        problems.append(f"{where} is longer than {element['max_length']} characters")
    if text and "min_length" in element and len(text) < element["min_length"]:
        problems.append(f"{where} is shorter than {element['min_length']} characters")
    return problems
