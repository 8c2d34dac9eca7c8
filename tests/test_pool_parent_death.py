"""Pool workers die with their parent: a SIGKILLed parent leaves no worker (nor resource
tracker) behind, and nothing is written after it died.

Each test starts a parent process that makes :func:`simulation.runs.pool.local_pool`, submits
long tasks that write a numbered file every 0.1 s, prints its workers' pids, and waits; the test
kills it with SIGKILL and waits (generously: a 2-core machine may be busy) for every child to go.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals, /proc"),
    pytest.mark.timeout(180),
]

ROOT = Path(__file__).resolve().parent.parent
#: How long the children may take to go: the workers poll every 0.5 s; a loaded 2-core
#: machine may take much longer to schedule them (a liveness bound, not a timing check).
DEADLINE_S = 60.0


def write_forever(folder: str, tag: str) -> None:
    """A long task: a new file in ``folder`` every 0.1 s, for at most two minutes."""
    for k in range(1200):
        (Path(folder) / f"{tag}-{os.getpid()}-{k:05d}.part").write_text("x")
        time.sleep(0.1)


PARENT = """
import os, sys, threading, time
sys.path.insert(0, {root!r})
from simulation.runs.pool import local_pool
from tests.test_pool_parent_death import write_forever

def make():
    pool = local_pool(2)
    futures = [pool.submit(write_forever, {folder!r}, str(k)) for k in range(2)]
    return pool

if {in_thread}:  # a pool made (and its workers started) by a thread that then ends
    box = []
    t = threading.Thread(target=lambda: box.append(make()))
    t.start(); t.join()
    pool = box[0]
else:
    pool = make()
while len(os.listdir({folder!r})) < 4:  # both workers are writing
    time.sleep(0.05)
print("ready", flush=True)
time.sleep(600)
"""


def _children(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


@pytest.mark.parametrize("in_thread", [False, True], ids=["main-thread", "passing-thread"])
def test_workers_and_tracker_die_with_a_killed_parent(tmp_path, in_thread):
    folder = tmp_path / "parts"
    folder.mkdir()
    code = textwrap.dedent(PARENT).format(root=str(ROOT), folder=str(folder), in_thread=in_thread)
    parent = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline().strip() == "ready"
        children = _children(parent.pid)
        workers = {int(p.name.split("-")[1]) for p in folder.iterdir()}
        assert workers <= {c.pid for c in children}
        assert len(workers) == 2
        tracker = [c for c in children if "resource_tracker" in " ".join(c.cmdline())]
        assert len(tracker) == 1  # it exits once every holder of its pipe (the workers) is gone
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        _gone, alive = psutil.wait_procs(children, timeout=DEADLINE_S)
        assert not alive, f"still alive after the parent's SIGKILL: {alive}"
        written = sorted(folder.iterdir())
        time.sleep(1.0)  # nothing is left to write (this is not a timing check)
        assert sorted(folder.iterdir()) == written
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
