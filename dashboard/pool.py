"""The dashboard's worker processes: one spawned pool per server, started once, warmed.

No Streamlit here, so ``python -m dashboard`` can start the pool before the server runs
without touching Streamlit's caches (``dashboard.runs`` decorates its functions with
``st.cache_data``, which wants the server's runtime).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from dashboard.worker import warm_up

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def worker_count() -> int:
    """Worker processes: ``NERVESIM_DASHBOARD_WORKERS`` or up to 2 (0 runs in the server)."""
    env = os.environ.get("NERVESIM_DASHBOARD_WORKERS")
    if env is not None and env.strip().isdigit():
        return int(env)
    return max(1, min(2, os.cpu_count() or 1))


def get_pool() -> ProcessPoolExecutor | None:
    """The pool, started (and each worker warmed) on first use; None with 0 workers."""
    global _pool
    n = worker_count()
    if n == 0:
        return None
    with _lock:
        if _pool is None:
            _pool = _new_pool(n)
            for _ in range(n):
                _pool.submit(warm_up)
        return _pool


def _new_pool(n: int) -> ProcessPoolExecutor:
    """``n`` spawned workers; the sweep module's pool (tuned allocator, no Ctrl-C) if present."""
    try:
        from simulation.runs.pool import local_pool
    except ImportError:
        return ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn"))
    return local_pool(n)


def prewarm() -> None:
    """Start the worker processes now, so the first run does not wait for their imports."""
    get_pool()


def reset_pool() -> None:
    """Drop a broken pool; the next :func:`get_pool` starts a new one."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None
