"""The dashboard's worker processes: the shared pool of :mod:`simulation.runs.pool`, sized here.

No Streamlit here, so ``python -m dashboard`` can start the pool before the server runs
without touching Streamlit's caches (``dashboard.runs`` decorates its functions with
``st.cache_data``, which wants the server's runtime).
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

from simulation.runs.pool import reset_shared_pool, shared_pool


def worker_count() -> int:
    """Worker processes: ``NERVESIM_DASHBOARD_WORKERS`` or up to 2 (0 runs in the server)."""
    env = os.environ.get("NERVESIM_DASHBOARD_WORKERS")
    if env is not None and env.strip().isdigit():
        return int(env)
    return max(1, min(2, os.cpu_count() or 1))


def get_pool() -> ProcessPoolExecutor | None:
    """The pool, started (and each worker warmed) on first use; None with 0 workers."""
    return shared_pool(worker_count())


def prewarm() -> None:
    """Start the worker processes now, so the first run does not wait for their imports."""
    get_pool()


def reset_pool() -> None:
    """Drop a broken pool; the next :func:`get_pool` starts a new one."""
    reset_shared_pool()
