"""Moving time in the sandbox and the bot together.

The page's clock buttons move the sandbox's clock, then ask the bot to move its own clock
to the same offset and to run one check-in dispatch pass as of that time. The bot answers
on ``POST /dev/clock``, a development-only hook that exists only when the bot was started
with ``SETBACK_DEV_HOOKS=true`` (the sandbox launcher is the only thing that sets it). The
request is signed with the app's signing secret exactly like Slack's requests, so nothing
else on the machine can move the bot's clock.

The sandbox always sends the *absolute* offset, never a step: a bot that restarted (and so
forgot its offset) is put right by the next request instead of drifting.
"""

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import SignatureVerifier

from sandbox.clock import SandboxClock

HOOK_PATH = "/dev/clock"


class HookError(RuntimeError):
    """The bot did not move its clock; the message says why in plain words."""


@dataclass
class BotClockLink:
    """The signed connection to the bot's ``/dev/clock`` hook."""

    hook_url: str
    signing_secret: str
    timeout: float = 60.0

    def set_offset(self, offset_seconds: float, *, dispatch: bool) -> dict[str, Any]:
        """Put the bot's clock ``offset_seconds`` from the wall; optionally dispatch check-ins.

        Returns the bot's JSON answer; raises :class:`HookError` when it does not agree.
        """
        body = json.dumps({"offset_seconds": offset_seconds, "dispatch": dispatch}).encode()
        stamp = str(int(time.time()))  # the bot checks signatures against the real time
        signature = SignatureVerifier(self.signing_secret).generate_signature(
            timestamp=stamp, body=body
        )
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature or "",
        }
        request = urllib.request.Request(self.hook_url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                answer = json.loads(reply.read() or b"{}")
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise HookError(
                    "the bot has no time-travel hook (is it running with SETBACK_DEV_HOOKS=true?)"
                ) from None
            raise HookError(f"the bot answered {exc.code} {exc.reason}") from None
        except (OSError, ValueError) as exc:
            raise HookError(f"the bot could not be reached ({type(exc).__name__})") from None
        if not isinstance(answer, dict) or not answer.get("ok"):
            raise HookError(f"the bot refused: {answer!r}"[:300])
        return answer


class TimeMachine:
    """The page's clock buttons: move the workspace and the bot forward together."""

    def __init__(
        self,
        clock: SandboxClock,
        link: BotClockLink | None,
        on_move: Callable[[], None] | None = None,
    ) -> None:
        self.clock = clock
        self.link = link
        self.on_move = on_move  # e.g. save the new offset even when nothing else changed

    def sync(self) -> dict[str, Any] | None:
        """Tell the bot the current offset without dispatching (at start-up)."""
        if self.link is None:
            return None
        return self.link.set_offset(self.clock.offset, dispatch=False)

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move forward ``seconds`` and let the bot deliver what fell due.

        When the bot cannot follow, the workspace's clock is put back, so the two never
        disagree about the time; the HookError is raised for the page to show.
        """
        before = self.clock.offset
        self.clock.advance(seconds)
        report = None
        if self.link is not None:
            try:
                report = self.link.set_offset(self.clock.offset, dispatch=True).get("dispatch")
            except HookError:
                self.clock.set_offset(before)
                raise
        if self.on_move is not None:
            self.on_move()
        return {"now": self.clock(), "dispatch": report}
