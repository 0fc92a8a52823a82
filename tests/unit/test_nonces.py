"""GCM nonces come from the OS in blocks, each byte handed out once (`storage.nonces`)."""

from __future__ import annotations

import os
import threading

import pytest
from cryptography.fernet import Fernet

from storage import crypto, nonces


@pytest.fixture(autouse=True)
def _fresh_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nonces, "_blocks", nonces._Blocks())


def test_a_nonce_is_twelve_bytes_and_none_repeats_over_many_blocks() -> None:
    taken = [nonces.take() for _ in range(5 * nonces.BLOCK // nonces.NONCE_BYTES + 7)]
    assert {len(n) for n in taken} == {nonces.NONCE_BYTES}
    assert len(set(taken)) == len(taken)


def test_the_os_is_asked_once_per_block_not_once_per_nonce(monkeypatch) -> None:
    calls: list[int] = []

    def urandom(n: int) -> bytes:
        calls.append(n)
        return bytes(range(256)) * (n // 256) + bytes(n % 256)

    monkeypatch.setattr(nonces.os, "urandom", urandom)
    per_block = nonces.BLOCK // nonces.NONCE_BYTES
    for _ in range(per_block + 1):
        nonces.take()
    assert calls == [nonces.BLOCK, nonces.BLOCK]


def test_the_nonces_are_the_os_bytes_in_order_each_used_once(monkeypatch) -> None:
    stream = os.urandom(2 * nonces.BLOCK)
    blocks = iter([stream[: nonces.BLOCK], stream[nonces.BLOCK :]])
    monkeypatch.setattr(nonces.os, "urandom", lambda n: next(blocks))
    taken = b"".join(nonces.take() for _ in range(2 * nonces.BLOCK // nonces.NONCE_BYTES))
    assert taken == stream


def test_threads_never_share_a_block(monkeypatch) -> None:
    """Each thread draws its own block: a nonce one thread takes can never be the next
    one another thread takes, with no lock between them."""
    drawn: list[str] = []
    real = os.urandom

    def urandom(n: int) -> bytes:
        drawn.append(threading.current_thread().name)
        return real(n)

    monkeypatch.setattr(nonces.os, "urandom", urandom)
    taken: dict[str, list[bytes]] = {}

    def work() -> None:
        taken[threading.current_thread().name] = [nonces.take() for _ in range(3)]

    for name in ("first", "second"):
        thread = threading.Thread(target=work, name=name)
        thread.start()
        thread.join()
    assert drawn == ["first", "second"]
    assert not set(taken["first"]) & set(taken["second"])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is a POSIX call")
def test_a_forked_child_never_hands_out_what_its_parent_will() -> None:
    nonces.take()  # the parent holds a block with bytes still unused
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next nonces, back to the parent
        try:
            os.close(read)
            os.write(write, b"".join(nonces.take() for _ in range(20)))
        finally:
            os._exit(0)
    os.close(write)
    child = b""
    while chunk := os.read(read, 4096):
        child += chunk
    os.close(read)
    os.waitpid(pid, 0)
    parent = b"".join(nonces.take() for _ in range(20))
    assert len(child) == len(parent) == 20 * nonces.NONCE_BYTES
    assert child != parent


def test_sealed_values_still_open_and_two_seals_of_one_value_differ() -> None:
    crypto.configure([Fernet.generate_key()])
    first, second = crypto.encrypt("the same words"), crypto.encrypt("the same words")
    assert first != second
    assert crypto.decrypt(first) == crypto.decrypt(second) == "the same words"
