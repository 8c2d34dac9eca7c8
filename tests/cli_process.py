"""Run ``nervesim`` as a user does, in a process of its own, on this checkout's code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: The checkout the tests belong to (its package is imported first, whatever is installed).
ROOT = Path(__file__).resolve().parents[1]


def nervesim(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """``python -m simulation ARGS`` in ``cwd``, importing this checkout's package."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
