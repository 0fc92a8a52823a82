"""A private PostgreSQL server that a test starts, freezes and stops — never a shared one.

`private_postgres` runs Debian's server binaries (`/usr/lib/postgresql/<version>/bin`):
`initdb` into a temporary folder, `pg_ctl start` on a free loopback port with its socket
in that folder. PostgreSQL refuses to run as root, so under root it runs as the
`postgres` user (`runuser`), in a folder owned by it. `frozen()` stops every process of
the server with SIGSTOP — the postmaster first, so it forks nothing new, then each
backend — which is what a hung database looks like from the outside: connections are
accepted by the kernel and nothing ever answers. Teardown always sends SIGCONT before
stopping the server, so no frozen process outlives the test.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.sandbox.launch import free_port

DATABASE = "setback"
START_SECONDS = 60


@dataclass
class PrivatePostgres:
    """A running private server: its folder, port and how to run its binaries."""

    bin: Path
    folder: Path
    port: int
    run_as: str | None

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=START_SECONDS)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        """Stop the server at once (SIGCONT first, in case it is frozen)."""
        self._signal_all(signal.SIGCONT)
        with suppress(subprocess.SubprocessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def processes(self) -> list[int]:
        """The postmaster, then every process it started."""
        try:
            postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        children = []
        for status in glob.glob("/proc/[0-9]*/status"):
            with suppress(OSError):
                fields = dict(
                    line.split(":\t", 1) for line in Path(status).read_text().splitlines()
                )
                if fields.get("PPid", "").strip() == str(postmaster):
                    children.append(int(fields["Pid"]))
        return [postmaster, *children]

    def _signal_all(self, sig: signal.Signals) -> None:
        for pid in self.processes():
            with suppress(ProcessLookupError):
                os.kill(pid, sig)

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """Every process of the server stopped (SIGSTOP) until the block ends."""
        self._signal_all(signal.SIGSTOP)
        try:
            yield
        finally:
            self._signal_all(signal.SIGCONT)


def server_binaries() -> Path | None:
    """Debian's PostgreSQL server binaries, newest version first; None when missing."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(found[0]).parent if found else None


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """Start a private server with an empty `setback` database; stop it afterwards."""
    binaries = server_binaries()
    if binaries is None:
        raise LookupError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    run_as = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise LookupError("running as root and there is no postgres user") from None
        run_as = owner.pw_name
    folder = Path(tempfile.mkdtemp(prefix="setback-pg-"))
    if run_as:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    server = PrivatePostgres(binaries, folder, free_port(), run_as)
    try:
        server._run("initdb", "-D", str(server.data), "-A", "trust", "-U", "postgres", "--no-sync")
        server.start()
        admin = f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
