"""Random nonces for AES-GCM, drawn from the OS in blocks rather than one call each.

`os.urandom` lets go of the interpreter's lock around the system call. On a busy
server every thread that lets go of it must queue to take it back behind the threads
running Python, and that wait, not the call, is the cost. On the step benchmark's load
(`benchmarks/ack.py`), step p50 averaged 2.47× the bare Bolt floor with one
`os.urandom` per sealed value and 2.31× with this (eight runs each, in one hour). So
each thread keeps a block of the OS's random bytes and hands out a nonce's worth at a
time:

1. the bytes come from `os.urandom` (the OS's CSPRNG), `BLOCK` bytes per call;
2. every byte is handed out once: a block belongs to one thread (`threading.local`),
   so no two threads read the same bytes, and no lock is taken per nonce;
3. a forked child starts with no blocks (`os.register_at_fork`), so a child and its
   parent never hand out the same bytes a block still held at the fork.

A nonce is thus as random as one `os.urandom` call would give, and 96 random bits per
value keep GCM's nonces apart (`storage.crypto`).
"""

from __future__ import annotations

import os
import threading

NONCE_BYTES = 12  # GCM's 96-bit nonce
BLOCK = NONCE_BYTES * 256  # bytes drawn from the OS per refill


class _Blocks(threading.local):
    """This thread's unused random bytes and where the next nonce starts."""

    def __init__(self) -> None:
        self.data = b""
        self.at = 0


_blocks = _Blocks()


def take() -> bytes:
    """A nonce (`NONCE_BYTES` random bytes) that no thread or process was given before."""
    blocks = _blocks
    at = blocks.at
    if at + NONCE_BYTES > len(blocks.data):
        blocks.data, at = os.urandom(BLOCK), 0
    blocks.at = at + NONCE_BYTES
    return blocks.data[at : at + NONCE_BYTES]


def _forget_after_fork() -> None:
    """The child of a fork drops every block it inherited (step 3)."""
    global _blocks
    _blocks = _Blocks()


os.register_at_fork(after_in_child=_forget_after_fork)
