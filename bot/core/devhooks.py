"""Development-only hooks for the local sandbox. Never on in production.

``POST /dev/clock`` moves the bot's clock, lets the follow-up work already queued finish
(`Runtime.drain`), and runs one check-in dispatch pass as of the new time, so the sandbox
page's "+1 hour / +1 day / +1 week" buttons can show tomorrow's check-in today. It exists
only when

* ``SETBACK_DEV_HOOKS=true`` — which only the sandbox launcher (``python -m sandbox``,
  ``setback sandbox``) sets — and
* ``SLACK_API_URL`` points at this machine (the sandbox's Web API), so a production bot
  talking to Slack refuses to start with the hook rather than expose it.

Requests are signed with the app's signing secret exactly like Slack's requests
(``X-Slack-Signature``, ``X-Slack-Request-Timestamp``, checked by
``slack_sdk.signature.SignatureVerifier``), so nothing else can move the clock.

Body (JSON): ``{"offset_seconds": N}`` puts the clock N seconds from the real time (the
sandbox always sends this absolute form, so a restarted bot is put right at once), or
``{"advance_seconds": N}`` moves it forward by N > 0; ``"dispatch": false`` skips the
dispatch pass (default true). Answer: ``{"ok": true, "now": ISO, "dispatch": report}``.

The dispatcher is passed in by the composition root (``bot.cli``): this module imports
nothing from ``scheduler``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.signature import SignatureVerifier

from bot.core.runtime import Runtime
from bot.core.settings import Settings

log = logging.getLogger(__name__)

CLOCK_PATH = "/dev/clock"
MAX_BODY = 4096
SETTLE_SECONDS = 10.0  # the longest a clock move waits for follow-up work before its pass

StartResponse = Callable[..., Any]
Route = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Dispatch = Callable[[Runtime], object]  # a dispatcher pass (bot never imports scheduler)


class DevHooksNotAllowed(Exception):
    """SETBACK_DEV_HOOKS is on where it must not be; the message says why."""


def _is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def enabled(settings: Settings) -> bool:
    """Whether to mount the hooks; raises DevHooksNotAllowed outside the local sandbox."""
    if not settings.setback_dev_hooks:
        return False
    if not _is_local(settings.slack_api_url):
        raise DevHooksNotAllowed(
            "Setting SETBACK_DEV_HOOKS is for the local sandbox only, but SLACK_API_URL "
            f"is {settings.slack_api_url}. Remove SETBACK_DEV_HOOKS from your environment."
        )
    return True


def _answer(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body, default=str).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def _read(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(min(length, MAX_BODY)) if length > 0 else b""


def _signed(verifier: SignatureVerifier, environ: dict[str, Any], body: bytes) -> bool:
    stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    if not stamp.isdigit():  # the verifier would raise on a missing or odd timestamp
        return False
    return verifier.is_valid(
        body=body, timestamp=stamp, signature=environ.get("HTTP_X_SLACK_SIGNATURE", "")
    )


def _move(rt: Runtime, request: dict[str, Any]) -> str | None:
    """Move the clock as asked; returns a reason when the request cannot be honoured."""
    if "offset_seconds" in request:
        set_offset = getattr(rt.clock, "set_offset", None)
        if set_offset is None:
            return "this bot's clock cannot be set to an offset"
        set_offset(timedelta(seconds=float(request["offset_seconds"])))
        return None
    seconds = float(request.get("advance_seconds", 0))
    if seconds <= 0:
        return "send offset_seconds, or advance_seconds greater than 0"
    advance = getattr(rt.clock, "advance", None)
    if advance is None:
        return "this bot's clock cannot be moved"
    advance(timedelta(seconds=seconds))
    return None


def _report(result: object) -> object:
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    return result


def clock_route(rt: Runtime, dispatch: Dispatch | None) -> Route:
    """The ``POST /dev/clock`` WSGI route (see the module docstring)."""
    verifier = SignatureVerifier(str(rt.settings.slack_signing_secret))

    def route(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = _read(environ)
        if not _signed(verifier, environ, body):
            return _answer(start_response, "401 Unauthorized", {"ok": False, "error": "signature"})
        try:
            request = json.loads(body or b"{}")
            problem = _move(rt, request) if isinstance(request, dict) else "send a JSON object"
        except (ValueError, TypeError, OverflowError):
            problem = "offset_seconds and advance_seconds must be numbers"
        if problem:
            return _answer(start_response, "400 Bad Request", {"ok": False, "error": problem})
        report = None
        if dispatch is not None and request.get("dispatch", True):
            # What the last clicks queued (a summary DM and its thread's record) lands
            # first, as it would have long before tomorrow: "+1 day" right after Finish
            # then finds the thread and posts the check-ins.
            rt.drain(timeout=SETTLE_SECONDS)
            try:
                report = _report(dispatch(rt))
            except Exception as exc:  # noqa: BLE001 - answer the sandbox, keep serving
                log.error("dispatch after a clock move failed: %s", type(exc).__name__)
                error = {"ok": False, "error": f"dispatch failed: {type(exc).__name__}"}
                return _answer(start_response, "500 Internal Server Error", error)
        now = rt.clock.now().isoformat()
        return _answer(start_response, "200 OK", {"ok": True, "now": now, "dispatch": report})

    return route


def routes(rt: Runtime, dispatch: Dispatch | None) -> dict[tuple[str, str], Route]:
    """The development routes to pass to ``bot.core.web.make_wsgi(..., extra=...)``."""
    log.warning(
        "Development hooks are on (SETBACK_DEV_HOOKS): %s can move this bot's clock. "
        "Never run a production bot like this.",
        CLOCK_PATH,
    )
    return {("POST", CLOCK_PATH): clock_route(rt, dispatch)}
