"""The front door's parts on their own (bot.core.front_door): the size cap and the
signature check, without a server, so every branch is pinned down exactly."""

from __future__ import annotations

import io
import time
from typing import Any

from slack_sdk.signature import SignatureVerifier

from bot.core.front_door import (
    BAD_REQUEST,
    TOO_LARGE,
    UNAUTHORIZED,
    Refusal,
    check_signature,
    read_body,
)
from tests.conftest import SIGNING_SECRET
from tests.hostile.bot_process import signed_headers

CAP = 1000


class Unreadable(io.RawIOBase):
    """A body that must never be read."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


class Counting(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.handed_out = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.handed_out += len(chunk)
        return chunk


def environ(body: Any, length: str | None = None, **extra: Any) -> dict[str, Any]:
    env: dict[str, Any] = {"wsgi.input": body, **extra}
    if length is not None:
        env["CONTENT_LENGTH"] = length
    return env


def status(result: bytes | Refusal | None) -> str | None:
    return result.status if isinstance(result, Refusal) else None


def test_a_content_length_over_the_cap_is_refused_unread() -> None:
    assert status(read_body(environ(Unreadable(), str(CAP + 1)), CAP)) == TOO_LARGE
    assert status(read_body(environ(Unreadable(), "9" * 30), CAP)) == TOO_LARGE


def test_a_body_without_length_is_read_only_up_to_the_cap() -> None:
    stream = Counting(b"x" * (50 * CAP))
    result = read_body(environ(stream, None, **{"wsgi.input_terminated": True}), CAP)
    assert status(result) == TOO_LARGE
    assert stream.handed_out == CAP + 1
    fits = read_body(environ(io.BytesIO(b"x" * CAP), None, **{"wsgi.input_terminated": True}), CAP)
    assert fits == b"x" * CAP


def test_lengths_that_do_not_hold() -> None:
    for bad in ("abc", "-1", "1e3", "١٢"):
        assert status(read_body(environ(Unreadable(), bad), CAP)) == BAD_REQUEST, bad
    assert status(read_body(environ(io.BytesIO(b"short"), "10"), CAP)) == BAD_REQUEST
    assert read_body(environ(io.BytesIO(b"exact"), "5"), CAP) == b"exact"
    assert read_body(environ(Unreadable()), CAP) == b""  # no length, not terminated: empty


def signed_env(body: bytes, **headers: str) -> dict[str, Any]:
    names = {"X-Slack-Request-Timestamp": "HTTP_X_SLACK_REQUEST_TIMESTAMP"}
    names["X-Slack-Signature"] = "HTTP_X_SLACK_SIGNATURE"
    env = {names[k]: v for k, v in signed_headers(body).items()}
    env.update(headers)
    return env


def test_signature_verdicts() -> None:
    verifier = SignatureVerifier(SIGNING_SECRET)
    body = b"payload=%7Bnot"
    now = str(int(time.time()))
    cases: list[tuple[dict[str, Any], bytes, str | None]] = [
        (signed_env(body), body, None),
        ({}, body, UNAUTHORIZED),
        ({"HTTP_X_SLACK_REQUEST_TIMESTAMP": now}, body, UNAUTHORIZED),
        (signed_env(body), body + b"!", UNAUTHORIZED),
        (
            signed_env(body, HTTP_X_SLACK_REQUEST_TIMESTAMP=str(int(time.time()) - 400)),
            body,
            UNAUTHORIZED,
        ),
        (signed_env(body, HTTP_X_SLACK_REQUEST_TIMESTAMP="abc"), body, BAD_REQUEST),
        (signed_env(body, HTTP_X_SLACK_REQUEST_TIMESTAMP="\xb2\xb3"), body, BAD_REQUEST),
        (signed_env(body, HTTP_X_SLACK_REQUEST_TIMESTAMP="9" * 40), body, BAD_REQUEST),
        (signed_env(body, HTTP_X_SLACK_SIGNATURE="v0=\xe9"), body, BAD_REQUEST),
        (signed_env(body), b"\xff\xfe", BAD_REQUEST),
    ]
    for env, raw, expected in cases:
        assert status(check_signature(verifier, env, raw)) == expected, (env, raw)
