"""Column types: UTC datetimes and encrypted text/JSON.

Keeping these conversions in column types means no repository or service can forget
them: every datetime read back is aware UTC, every free-text value is ciphertext on disk.

A hot write can seal its values beforehand (`seal_json`, `seal_text`) and bind the
`Sealed` token as plain text, so the encryption runs before a write lock is taken rather
than inside the transaction; the stored token is the same one the column type writes, and
`open_json` reads back a token selected as plain text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.types import TypeDecorator

from storage import crypto


@dataclass(frozen=True, slots=True)
class Sealed:
    """A value already encrypted under the keyring, ready to bind as plain text."""

    token: str


def seal_text(value: str) -> Sealed:
    """`value` encrypted as `EncryptedText` stores it."""
    return Sealed(crypto.encrypt(value))


def seal_json(value: Any) -> Sealed:
    """`value` encrypted as `EncryptedJSON` stores it."""
    return Sealed(crypto.encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":"))))


def open_json(token: str) -> Any:
    """An `EncryptedJSON` token read as plain text, decrypted and parsed."""
    return json.loads(crypto.decrypt(token))


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC; rejects naive input to catch clock bugs."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class EncryptedText(TypeDecorator[str]):
    """Free text encrypted at rest with the process keyring (MultiFernet)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else crypto.encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else crypto.decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON document (a step's answers) encrypted as one token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else seal_json(value).token

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else open_json(value)
