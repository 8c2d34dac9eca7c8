"""Cached simulation runs: one cache entry per (scenario TOML, seed, days), filled by a pool.

Each run goes into two ``st.cache_data`` functions keyed by the scenario's TOML text, the seed
and the horizon: its time series (what Compare needs, small) and its snapshots (what Tissue
draws, larger). A widget rerun therefore never throws away finished runs, and adding a seed
reuses the runs of the others. Runs that are not cached yet go to a pool of spawned worker
processes (Numba with fork is unsafe); their results are handed to the cached functions, which
store them. A run in flight survives a rerun: the next script run waits for the same future.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, NamedTuple

import pandas as pd
import streamlit as st

from dashboard.pool import get_pool, reset_pool
from dashboard.worker import RunData, simulate


class Job(NamedTuple):
    """One run: the scenario as TOML text, the seed and the horizon in days."""

    scenario_toml: str
    seed: int
    days: float


class _CacheMissError(Exception):
    """Raised by a cache probe that missed."""


_lock = threading.Lock()
_inflight: dict[Job, Future[RunData]] = {}


def _reset_pool() -> None:
    reset_pool()
    with _lock:
        _inflight.clear()


#: Finished runs nobody claimed (their page moved on) are dropped beyond this many.
MAX_UNCLAIMED = 64


def _prune() -> None:
    """Forget finished, unclaimed runs beyond :data:`MAX_UNCLAIMED` (they hold their results)."""
    with _lock:
        done = [job for job, fut in _inflight.items() if fut.done()]
        for job in done[: max(0, len(done) - MAX_UNCLAIMED)]:
            del _inflight[job]


def _submit(job: Job) -> Future[RunData] | None:
    """The future of ``job``: one already in flight, else a new one (None without a pool)."""
    with _lock:
        fut = _inflight.get(job)
    if fut is not None:
        return fut
    pool = get_pool()
    if pool is None:
        return None
    with _lock:
        fut = _inflight.get(job)
        if fut is None:
            fut = pool.submit(simulate, *job)
            _inflight[job] = fut
    return fut


def _claim(job: Job) -> RunData:
    """The run of ``job``: from its future if one is in flight, else computed here."""
    with _lock:
        fut = _inflight.get(job)
    if fut is None:
        return simulate(*job)
    try:
        return fut.result()
    except BrokenProcessPool:
        _reset_pool()
        return simulate(*job)
    finally:
        with _lock:
            if _inflight.get(job) is fut:
                del _inflight[job]


@st.cache_data(max_entries=4000, show_spinner=False)
def cached_timeseries(
    scenario_toml: str, seed: int, days: float, _compute: bool = True
) -> pd.DataFrame:
    """The recorded metrics of one run (``_compute=False`` only probes the cache)."""
    if not _compute:
        raise _CacheMissError
    run = _claim(Job(scenario_toml, seed, days))
    _stash[Job(scenario_toml, seed, days)] = run
    return run.timeseries


@st.cache_data(max_entries=300, show_spinner=False)
def cached_snapshots(
    scenario_toml: str, seed: int, days: float, _compute: bool = True
) -> dict[float, dict[str, Any]]:
    """The field and cell snapshots of one run (``_compute=False`` only probes the cache)."""
    if not _compute:
        raise _CacheMissError
    job = Job(scenario_toml, seed, days)
    run = _stash.pop(job, None) or _claim(job)
    return run.snapshots


# A run computed for one cache, held only until the other cache has stored its part.
_stash: dict[Job, RunData] = {}


def _probe(job: Job) -> pd.DataFrame | None:
    try:
        return cached_timeseries(*job, _compute=False)
    except _CacheMissError:
        return None


def _store(job: Job) -> pd.DataFrame:
    """Claim a finished (or run now) job into both caches; its time series."""
    try:
        ts = cached_timeseries(*job)
        cached_snapshots(*job)
    finally:
        _stash.pop(job, None)
    return ts


def run_many(
    jobs: Sequence[Job],
    progress: Callable[[int, int], None] | None = None,
    on_done: Callable[[dict[Job, pd.DataFrame]], None] | None = None,
) -> dict[Job, pd.DataFrame]:
    """The time series of every job, from the cache or run (in the pool, in ``jobs`` order).

    Args:
        jobs: the runs wanted; their order is the order they are started.
        progress: called with (runs done, runs wanted) after each one finishes.
        on_done: called with the results so far after each one finishes (for live display).
    """
    _prune()
    results: dict[Job, pd.DataFrame] = {}
    missing: list[Job] = []
    for job in dict.fromkeys(jobs):
        ts = _probe(job)
        if ts is None:
            missing.append(job)
        else:
            results[job] = ts
    total = len(results) + len(missing)
    if progress is not None and missing:
        progress(len(results), total)
    futures = {fut: job for job in missing if (fut := _submit(job)) is not None}
    pending = set(futures)
    for job in missing:
        if job in futures.values():
            continue
        results[job] = _store(job)  # no pool: run here, one at a time
        _report(results, total, progress, on_done)
    while pending:
        done, pending = wait(pending, return_when="FIRST_COMPLETED")
        for fut in done:
            results[futures[fut]] = _store(futures[fut])
            _report(results, total, progress, on_done)
    return results


def _report(results, total, progress, on_done) -> None:
    if progress is not None:
        progress(len(results), total)
    if on_done is not None:
        on_done(results)
