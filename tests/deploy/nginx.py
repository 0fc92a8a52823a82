"""Start nginx with deploy/nginx.conf in front of a running bot, on loopback ports.

The test's configuration is the production file with only what a test machine needs
changed: the listen addresses (loopback, free ports), the bot's port, and a
self-signed certificate for 127.0.0.1 in place of the real one. Every limit, timeout and
location is the production one. Each replacement must match exactly once, so an edit to
the production file that this derivation no longer understands fails loudly.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import signal
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.hostile.bot_process import healthz
from tests.sandbox.launch import free_port

PRODUCTION = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
CERT_DIR = "/etc/letsencrypt/live/setback.example.com"
READY_SECONDS = 15.0


def nginx_binary() -> str | None:
    """nginx from PATH or Debian's /usr/sbin (not on a normal user's PATH)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


@dataclass
class Nginx:
    """A running nginx: TLS on `port`, the plain-HTTP redirect on `http_port`."""

    process: subprocess.Popen[bytes]
    port: int
    http_port: int
    tls: ssl.SSLContext
    error_log: Path
    host: str = "127.0.0.1"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1 and localhost, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"deploy/nginx.conf no longer has exactly one {old!r}"
    return text.replace(old, new)


def derive_site(bot_port: int, tls_port: int, http_port: int, cert: Path, key: Path) -> str:
    """The production site file, moved onto loopback ports and a test certificate."""
    site = PRODUCTION.read_text()
    for old, new in (
        ("listen 443 ssl;", f"listen 127.0.0.1:{tls_port} ssl;"),
        ("listen [::]:443 ssl;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("server 127.0.0.1:3000;", f"server 127.0.0.1:{bot_port};"),
        (f"{CERT_DIR}/fullchain.pem", str(cert)),
        (f"{CERT_DIR}/privkey.pem", str(key)),
    ):
        site = _replace_once(site, old, new)
    return site


def main_config(folder: Path, site: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around conf.d, in the test's folder."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the folder
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 2048; }\n"
        "http {\n"
        f"    access_log {folder / 'access.log'};\n{temp}\n"
        f"    include {site};\n"
        "}\n"
    )


@contextmanager
def running_nginx(folder: Path, bot_port: int) -> Iterator[Nginx]:
    binary = nginx_binary()
    assert binary is not None
    cert, key = self_signed(folder)
    tls_port, http_port = free_port(), free_port()
    site = folder / "setback.conf"
    site.write_text(derive_site(bot_port, tls_port, http_port, cert, key))
    conf = folder / "nginx.conf"
    conf.write_text(main_config(folder, site))
    output = folder / "nginx-output.txt"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [binary, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    tls = ssl.create_default_context(cafile=str(cert))
    proxy = Nginx(process, tls_port, http_port, tls, folder / "error.log")
    try:
        _wait_ready(proxy, output)
        yield proxy
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(proxy: Nginx, output: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if proxy.process.poll() is not None:
            break
        with suppress(OSError, ssl.SSLError):
            if healthz(proxy.host, proxy.port, timeout=1.0, tls=proxy.tls) == 200:
                return
        time.sleep(0.1)
    logs = output.read_text(errors="replace")
    with suppress(OSError):
        logs += proxy.error_log.read_text(errors="replace")
    raise AssertionError(f"nginx did not start:\n{logs[-4000:]}")
