"""waitress's HTTP channel, with an event loop that does not spin while a worker writes.

waitress serves each connection with a channel. A worker thread writes a response with
`write_soon`: under the channel's output lock it appends the bytes to the output buffer,
then sends them itself. Meanwhile the event loop asks every channel whether it is
`writable`, and waitress's answer is "yes" whenever the buffer holds bytes. So for the
whole time a worker is inside `write_soon` — above all while it waits to take the
interpreter back after the socket call — the loop polls for "socket writable", which a
healthy socket always is: poll returns at once, the loop finds the lock taken, and goes
round again. Measured under 20 keep-alive clients on 2 cores: 25,000–45,000 empty
rounds a second for seconds at a time, a whole core spent, and the workers starved of
the interpreter (that was the `/setback` ack's p99 tail in `benchmarks/ack.py`).

The protocol here (docs/ARCHITECTURE.md → Run modes):

- While a worker is inside `write_soon`, the channel is not writable: the worker sends
  what it wrote itself, so the loop has nothing to do for it.
- When `write_soon` returns with bytes left over (the socket took only part), the
  worker wakes the loop, after the channel is writable again, so the loop sends the
  rest as soon as the socket can take it: no wake-up is lost.
- Beyond the high watermark a worker waits for the loop to drain the buffer, so the
  channel is writable then whatever the worker does (else both would wait forever);
  and a channel that is closing is writable as waitress has it.
- A response's header is held until its first body bytes and goes out with them, in
  one send (waitress sends the header alone first). Every send gives the interpreter
  up, and under load a worker then waits to take it back, so an ack pays that once,
  not twice. A response with no body sends its header when its task finishes.
"""

from __future__ import annotations

from typing import Any

from waitress.channel import HTTPChannel
from waitress.task import WSGITask


class OneSendTask(WSGITask):  # type: ignore[misc]  # why: waitress ships no types
    """A response task whose header goes out with the body's first bytes, in one send."""

    def __init__(self, channel: SteadyChannel, request: Any) -> None:
        super().__init__(channel, request)
        channel.held_header = b""

    def build_response_header(self) -> bytes:
        self.channel.held_header = super().build_response_header()
        return b""

    def finish(self) -> None:
        super().finish()
        self.channel.send_held_header()  # a response with no body: its header alone


class SteadyChannel(HTTPChannel):  # type: ignore[misc]  # why: waitress ships no types
    """An `HTTPChannel` whose loop waits, rather than polls, while a worker writes."""

    task_class = OneSendTask

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._worker_writing = False  # one task runs per channel at a time: a flag will do
        self.held_header = b""
        super().__init__(*args, **kwargs)

    def writable(self) -> bool:
        if self.will_close or self.close_when_flushed:
            return True
        if self._worker_writing:
            return bool(self.total_outbufs_len > self.adj.outbuf_high_watermark)
        return bool(self.total_outbufs_len)

    def send_held_header(self) -> None:
        """Writes a held header that no body bytes came to carry."""
        if self.held_header:
            header, self.held_header = self.held_header, b""
            self.write_soon(header)

    def write_soon(self, data: bytes) -> int:
        if data and self.held_header:
            data, self.held_header = self.held_header + data, b""
        self._worker_writing = True
        try:
            written: int = super().write_soon(data)
            return written
        finally:
            self._worker_writing = False
            if self.total_outbufs_len and self.connected:
                self.server.pull_trigger()
