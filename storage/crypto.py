"""Encryption at rest for free text, with MultiFernet.

One keyring per process: the first key encrypts, every key decrypts, so keys can be
rotated by prepending a new one and re-encrypting (`setback keys rotate`). The column
types in `storage.types` call `encrypt`/`decrypt` here; nothing else touches keys.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from storage.db import private_folder

log = logging.getLogger(__name__)

_lock = threading.Lock()
_keyring: MultiFernet | None = None
_primary: Fernet | None = None

KEY_FILE_NAME = "encryption.key"


class KeyringError(Exception):
    """Keys are missing or malformed; the message names the fix."""


def parse_keys(raw: str) -> list[bytes]:
    """Split a comma-separated key list and check each is a Fernet key."""
    keys = [k.strip().encode() for k in raw.split(",") if k.strip()]
    if not keys:
        raise KeyringError("SETBACK_ENCRYPTION_KEYS is empty; generate one with `setback keys new`")
    for i, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise KeyringError(
                f"SETBACK_ENCRYPTION_KEYS key #{i} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; `setback keys new` prints one)"
            ) from None
    return keys


def configure(keys: list[bytes]) -> None:
    """Install the keyring used by the encrypted column types."""
    global _keyring, _primary
    with _lock:
        _keyring = MultiFernet([Fernet(k) for k in keys])
        _primary = Fernet(keys[0])


def load_or_create_key_file(data_dir: Path) -> bytes:
    """For the embedded default: a key generated once into the data folder, mode 0600,
    in a folder only its owner can open (0700, an existing one made so).

    A person trying Setback should not have to generate a key first, but their answers
    must still never sit in plain text on disk.
    """
    private_folder(data_dir)
    path = data_dir / KEY_FILE_NAME
    if path.exists():
        return path.read_bytes().strip()
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key + b"\n")
    log.warning(
        "Generated an encryption key in %s (mode 0600). Back it up: without it the stored "
        "reflections cannot be read. Set SETBACK_ENCRYPTION_KEYS to manage keys yourself.",
        path,
    )
    return key


def _ring() -> MultiFernet:
    if _keyring is None:
        raise RuntimeError("storage.crypto.configure() was not called before using the database")
    return _keyring


def encrypt(plain: str) -> str:
    """Encrypt text under the first key; the token is ASCII so it fits a TEXT column."""
    return _ring().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt with any configured key."""
    try:
        return _ring().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise KeyringError(
            "a stored value cannot be decrypted with SETBACK_ENCRYPTION_KEYS; "
            "was a key removed before `setback keys rotate` finished?"
        ) from None


def rotate_token(token: str) -> str:
    """Re-encrypt one stored token under the first key (no-op content-wise)."""
    return _ring().rotate(token.encode("ascii")).decode("ascii")


def is_primary(token: str) -> bool:
    """True when the token already decrypts with the first key (rotation can skip it)."""
    if _primary is None:
        return False
    try:
        _primary.decrypt(token.encode("ascii"))
        return True
    except InvalidToken:
        return False
