"""Web API calls over TLS: Setback's kept connections beside slack_sdk's own client.

    .venv/bin/python benchmarks/web_api.py [--calls 300] [--rounds 2]

Slack's Web API is HTTPS. slack_sdk's `WebClient` opens a connection for each call, so
each call pays a TCP and a TLS handshake; Setback's `KeptAliveClient`
(`bot.core.slack_http`) keeps its thread's connection open. Both call `auth.test` on a
local HTTPS server (HTTP/1.1, with a certificate made for the run as the deploy tests
make theirs), in rounds that alternate so drift hits both; the floor is slack_sdk's
client. Printed per client: wall time and CPU time per call (the client's and the
server's, one process), then the ratios. Over loopback no network round trip is
counted: against Slack each handshake also costs round trips, which this understates.
"""

from __future__ import annotations

import argparse
import http.server
import json
import ssl
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient  # noqa: E402

from bot.core.slack_http import KeptAliveClient  # noqa: E402
from tests.deploy.nginx import self_signed  # noqa: E402


class _Answer(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        data = json.dumps({"ok": True, "team_id": "T0BENCH"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _per_call(client: WebClient, calls: int) -> tuple[float, float]:
    """Wall and CPU milliseconds per `auth.test`, after one call to warm up."""
    client.auth_test()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        client.auth_test()
    return (
        (time.perf_counter() - wall) / calls * 1000,
        (time.process_time() - cpu) / calls * 1000,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="per client per round")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cert_file, key_file = self_signed(Path(tmp))  # the deploy tests' certificate
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
        server.daemon_threads = True
        served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        served.load_cert_chain(cert_file, key_file)
        server.socket = served.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        trusted = ssl.create_default_context(cafile=str(cert_file))
        url = f"https://localhost:{server.server_address[1]}/api/"
        figures: dict[str, list[tuple[float, float]]] = {"sdk": [], "kept": []}
        for _ in range(args.rounds):
            for name, kind in (("sdk", WebClient), ("kept", KeptAliveClient)):
                client = kind(token="xoxb-bench", base_url=url, ssl=trusted)
                figures[name].append(_per_call(client, args.calls))
        server.shutdown()
        server.server_close()
    print(f"Web API calls over TLS (auth.test on a local HTTPS server), {args.calls} a round:")
    med = {}
    labels = {"sdk": "slack_sdk WebClient (floor)", "kept": "Setback KeptAliveClient"}
    for name, label in labels.items():
        wall = statistics.median(w for w, _ in figures[name])
        cpu = statistics.median(c for _, c in figures[name])
        med[name] = (wall, cpu)
        print(f"  {label:<28} {wall:6.3f} ms a call  {cpu:6.3f} ms CPU a call")
    (sdk_wall, sdk_cpu), (kept_wall, kept_cpu) = med["sdk"], med["kept"]
    print(
        f"  ratio kept/floor: wall {kept_wall / sdk_wall:.2f}x  CPU {kept_cpu / sdk_cpu:.2f}x"
        "  (one handshake a thread instead of one a call)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
