"""Headless Chromium for the tests that check built pages (the report, the docs site).

A page is served from a directory by a local HTTP server that records every request; Chromium
opens it headless with its own network pings turned off and every host name but 127.0.0.1
unresolvable, runs its scripts for a virtual-time budget, and prints the final DOM. A harness
page's script writes what it measured as JSON into an element, which :func:`open_page` reads
back. Chromium's net-log shows whether anything left the machine (:func:`offline_violations`).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install -y chromium); "
           "the browser test needs a real browser")

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-extensions", "--disable-default-apps",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection",
    "--disable-breakpad", "--metrics-recording-only", "--no-pings",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    # Chromium still pings its own services (component updater, account check) whatever the
    # flags; no name resolves but 127.0.0.1, so such pings fail inside the browser.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--window-size=1300,1000", "--dump-dom",
]
LOOPBACK = ("127.", "[::1]", "::1")


@dataclass
class Server:
    """A local HTTP server over one directory; ``requests`` holds (client, path) pairs."""

    origin: str
    port: int
    requests: list[tuple[str, str]] = field(default_factory=list)


@contextmanager
def serve(site: Path) -> Iterator[Server]:
    """Serve ``site`` on 127.0.0.1 (a free port) while the block runs."""
    record: list[tuple[str, str]] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, fmt, *args):  # quiet, but remember who asked for what
            record.append((self.client_address[0], self.path))

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    try:
        yield Server(f"http://127.0.0.1:{port}", port, record)
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Page:
    """What Chromium left: the final DOM, its stderr and the net-log events."""

    dom: str
    stderr: str
    events: list[tuple[str, dict]]

    def result(self, element_id: str = "result") -> dict:
        """The JSON a harness script wrote into ``<pre id=element_id>``."""
        match = re.search(rf'<pre id="{element_id}">(.*?)</pre>', self.dom, re.S)
        assert match and match.group(1) != "pending", \
            f"no result in the page; chromium stderr:\n{self.stderr[-2000:]}"
        return json.loads(html.unescape(match.group(1)))


def open_page(url: str, tmp_path: Path, *, budget_ms: int = 10000, timeout: float = 90,
              window: str | None = None) -> Page:
    """Open ``url`` in headless Chromium with a fresh profile; return its DOM and net-log."""
    netlog = tmp_path / f"netlog-{len(list(tmp_path.glob('netlog-*')))}.json"
    flags = [f for f in FLAGS if not (window and f.startswith("--window-size"))]
    if window:
        flags.append(f"--window-size={window}")
    cmd = [CHROMIUM, *flags, f"--virtual-time-budget={budget_ms}",
           f"--user-data-dir={tmp_path / 'profile'}", f"--log-net-log={netlog}", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    return Page(out.stdout, out.stderr, netlog_events(netlog))


def netlog_events(path: Path) -> list[tuple[str, dict]]:
    """(event type name, params) of Chromium's --log-net-log file."""
    text = path.read_text(encoding="utf-8").rstrip()
    if not text.endswith("}"):  # a log cut short at exit: close the events list
        text = text.rstrip(",") + "]}"
    log = json.loads(text)
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    return [(names.get(ev["type"], str(ev["type"])), ev.get("params", {}))
            for ev in log["events"]]


def page_requests(events: list[tuple[str, dict]]) -> list[str]:
    """URLs requested on behalf of pages served from 127.0.0.1 (not Chromium's own pings)."""
    jobs = [p for name, p in events if name == "URL_REQUEST_START_JOB" and "url" in p]
    return [p["url"] for p in jobs
            if p.get("network_isolation_key", "").startswith("http://127.0.0.1")]


def offline_violations(events: list[tuple[str, dict]], port: int) -> list[str]:
    """Everything in the net-log that went, or tried to go, beyond this machine.

    Empty when: every page request was for 127.0.0.1; every other request was Chromium's own
    (no page initiated it); no DNS query was made; every TCP connection and datagram went to
    a loopback address, and one did go to the server on ``port``.
    """
    bad: list[str] = []
    ours = page_requests(events)
    bad += [f"page request {u}" for u in ours if urlsplit(u).hostname != "127.0.0.1"]
    jobs = [p for name, p in events if name == "URL_REQUEST_START_JOB" and "url" in p]
    bad += [f"request {p['url']} from {p.get('initiator')}" for p in jobs
            if p["url"] not in ours and p.get("initiator") != "not an origin"]
    bad += [f"DNS {p}" for name, p in events if name.startswith("DNS_TRANSACTION")]
    sent = [(name, p["address"]) for name, p in events
            if name in ("TCP_CONNECT_ATTEMPT", "UDP_BYTES_SENT") and "address" in p]
    if ("TCP_CONNECT_ATTEMPT", f"127.0.0.1:{port}") not in sent:
        bad.append(f"no connection to the local server on port {port}")
    bad += [f"{name} {addr}" for name, addr in sent if not addr.startswith(LOOPBACK)]
    return bad
