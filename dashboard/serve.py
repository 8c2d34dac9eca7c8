"""Start the dashboard on a free loopback port, for the browser test and the benchmark.

The same command as ``make dashboard`` (``python -m dashboard``, which starts the worker
processes and then ``streamlit run``), on another port, stopped afterwards whatever happens.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Debian's Chromium (apt-get install chromium); Playwright drives it, never downloads one.
CHROMIUM = Path("/usr/bin/chromium")
#: Chromium flags for a headless run as root in a container.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    """Whether the server answers its health check with ok."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.read().decode().strip() == "ok"
    except OSError:
        return False


@contextmanager
def serve(log: Path, start_timeout_s: float = 90.0) -> Iterator[str]:
    """The dashboard served on 127.0.0.1 at a free port; yields its URL; stops it on exit.

    Raises:
        RuntimeError: the server exited or did not answer within ``start_timeout_s`` (with the
            end of its log).
    """
    port = free_port()
    cmd = [
        sys.executable, "-m", "dashboard",  # as `make dashboard` starts it
        "--server.port", str(port), "--server.fileWatcherType", "none",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + start_timeout_s
            while not healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {log.read_text()[-2000:]}")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
