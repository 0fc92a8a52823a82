"""Encryption at rest for free text: AES-256-GCM under keys the operator holds.

One keyring per process: the first key encrypts, every key decrypts, so keys can be
rotated by prepending a new one and re-encrypting (`setback keys rotate`). The column
types in `storage.types` call `encrypt`/`decrypt` here; nothing else touches keys.

The format. A key is a Fernet key (32 url-safe base64-encoded bytes), as
`SETBACK_ENCRYPTION_KEYS` has always held; the AES-256-GCM key is derived from it with
HKDF-SHA256, so no setting changes. A token is ``gcm1:`` and the url-safe base64 of a
random 96-bit nonce (`storage.nonces`), the ciphertext and its 128-bit tag: ASCII, so
it fits a TEXT column, and authenticated, so a changed byte fails to decrypt rather
than reading as something else. One AEAD call seals a value in about 3 µs, where
Fernet's CBC and HMAC took about 20 µs; every screen of a reflection seals its answers
inside Slack's 3 s.

Tokens written by earlier versions are Fernet tokens (``gAAAAA...``: base64 has no
colon, so the two never look alike). They still decrypt with the same keys, and
`setback keys rotate` re-encrypts them in the current format, since `is_primary` is
true only of a token in the current format under the first key.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from storage import nonces
from storage.db import private_folder

log = logging.getLogger(__name__)

_lock = threading.Lock()

KEY_FILE_NAME = "encryption.key"
PREFIX = "gcm1:"
_NONCE_BYTES = nonces.NONCE_BYTES
_HKDF_INFO = b"setback at-rest AES-256-GCM v1"


class KeyringError(Exception):
    """Keys are missing or malformed; the message names the fix."""


@dataclass(frozen=True)
class _Keyring:
    """The configured keys, first one first: as AEAD keys, and as Fernet keys for the
    tokens earlier versions wrote."""

    aeads: tuple[AESGCM, ...]
    legacy: MultiFernet


_keyring: _Keyring | None = None


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


def _aead(key: bytes) -> AESGCM:
    """The AES-256-GCM key derived from one configured key (module docstring)."""
    material = base64.urlsafe_b64decode(key)
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO)
    return AESGCM(hkdf.derive(material))


def configure(keys: list[bytes]) -> None:
    """Install the keyring used by the encrypted column types."""
    global _keyring
    ring = _Keyring(
        aeads=tuple(_aead(k) for k in keys), legacy=MultiFernet([Fernet(k) for k in keys])
    )
    with _lock:
        _keyring = ring


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


def _ring() -> _Keyring:
    if _keyring is None:
        raise RuntimeError("storage.crypto.configure() was not called before using the database")
    return _keyring


def encrypt(plain: str) -> str:
    """Encrypt text under the first key, as a ``gcm1:`` token (module docstring)."""
    nonce = nonces.take()  # not os.urandom per value: `storage.nonces` says why
    sealed = _ring().aeads[0].encrypt(nonce, plain.encode("utf-8"), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt with any configured key; a token of an earlier version too."""
    plain = _open(token, _ring().aeads)
    if plain is None:
        raise KeyringError(
            "a stored value cannot be decrypted with SETBACK_ENCRYPTION_KEYS; "
            "was a key removed before `setback keys rotate` finished?"
        )
    return plain


def _open(token: str, aeads: tuple[AESGCM, ...]) -> str | None:
    """The plain text, or None when none of `aeads` (nor, for an earlier version's
    token, any configured key) opens it."""
    if not token.startswith(PREFIX):
        try:
            return _ring().legacy.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeEncodeError):
            return None
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
    except (binascii.Error, ValueError):
        return None
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    for aead in aeads:
        try:
            return aead.decrypt(nonce, sealed, None).decode("utf-8")
        except (InvalidTag, ValueError):
            continue
    return None


def rotate_token(token: str) -> str:
    """Re-encrypt one stored token under the first key, in the current format.

    Raises `InvalidToken` when no configured key opens it (`setback keys rotate` names
    the row)."""
    plain = _open(token, _ring().aeads)
    if plain is None:
        raise InvalidToken
    return encrypt(plain)


def is_primary(token: str) -> bool:
    """True when the token is in the current format and opens with the first key
    (rotation can skip it); an earlier version's token is always rotated."""
    if _keyring is None or not token.startswith(PREFIX):
        return False
    return _open(token, _keyring.aeads[:1]) is not None
