"""Cached simulation runs: one cache entry per (scenario TOML, seed, days), filled by a pool.

Each run goes into two ``st.cache_data`` functions keyed by the scenario's TOML text, the seed
and the horizon: its time series (what Compare needs, small) and its snapshots (what Tissue
draws, larger). A widget rerun therefore never throws away finished runs, and adding a seed
reuses the runs of the others. Runs that are not cached yet go to a pool of spawned worker
processes (Numba with fork is unsafe); their results are handed to the cached functions, which
store them. A run in flight survives a rerun: the next script run waits for the same future.

With at least as many seeds as workers, the arms of one seed go to a worker together, which
simulates their common start once (an untreated arm and a day-21 transplant share 21 days; see
``simulation.branching``); each arm's result is the same as when it runs alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, NamedTuple

import pandas as pd
import streamlit as st

from dashboard.pool import get_pool, reset_pool, worker_count
from dashboard.worker import RunData, simulate, simulate_shared


class Job(NamedTuple):
    """One run: the scenario as TOML text, the seed and the horizon in days."""

    scenario_toml: str
    seed: int
    days: float


class _CacheMissError(Exception):
    """Raised by a cache probe that missed."""


_lock = threading.Lock()
#: Each job in flight: the future of its group's runs and its place in that group.
_inflight: dict[Job, tuple[Future[list[RunData]], int]] = {}


def _reset_pool() -> None:
    reset_pool()
    with _lock:
        _inflight.clear()


#: Finished runs nobody claimed (their page moved on) are dropped beyond this many.
MAX_UNCLAIMED = 64


def _prune() -> None:
    """Forget finished, unclaimed runs beyond :data:`MAX_UNCLAIMED` (they hold their results)."""
    with _lock:
        done = [job for job, (fut, _) in _inflight.items() if fut.done()]
        for job in done[: max(0, len(done) - MAX_UNCLAIMED)]:
            del _inflight[job]


def _submit(group: Sequence[Job]) -> Future[list[RunData]] | None:
    """Start the runs of ``group`` (one seed and horizon) as one task; None without a pool."""
    pool = get_pool()
    if pool is None:
        return None
    tomls = tuple(job.scenario_toml for job in group)
    fut = pool.submit(simulate_shared, tomls, group[0].seed, group[0].days)
    with _lock:
        for i, job in enumerate(group):
            _inflight[job] = (fut, i)
    return fut


def _groups(jobs: Sequence[Job]) -> list[list[Job]]:
    """The jobs as tasks: one per seed and horizon when there are enough seeds to keep every
    worker busy, else one per run (in ``jobs`` order)."""
    seeds = {(job.seed, job.days) for job in jobs}
    if len(seeds) < max(1, worker_count()):
        return [[job] for job in jobs]
    groups: dict[tuple[int, float], list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.seed, job.days), []).append(job)
    return list(groups.values())


def _claim(job: Job) -> RunData:
    """The run of ``job``: from its group's future if one is in flight, else computed here."""
    with _lock:
        entry = _inflight.get(job)
    if entry is None:
        return simulate(*job)
    fut, i = entry
    try:
        return fut.result()[i]
    except BrokenProcessPool:
        _reset_pool()
        return simulate(*job)
    finally:
        with _lock:
            if _inflight.get(job) is entry:
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
    futures: dict[Future[list[RunData]], list[Job]] = {}
    local: list[Job] = []
    with _lock:
        flying = {job: _inflight[job][0] for job in missing if job in _inflight}
    for job, fut in flying.items():  # started by an earlier script run: wait for it
        futures.setdefault(fut, []).append(job)
    for group in _groups([job for job in missing if job not in flying]):
        fut = _submit(group)
        if fut is None:
            local.extend(group)
        else:
            futures[fut] = group
    for job in local:  # no pool: run here, one at a time
        results[job] = _store(job)
        _report(results, total, progress, on_done)
    pending = set(futures)
    while pending:
        done, pending = wait(pending, return_when="FIRST_COMPLETED")
        for fut in done:
            for job in futures[fut]:
                results[job] = _store(job)
            _report(results, total, progress, on_done)
    return results


def _report(results, total, progress, on_done) -> None:
    if progress is not None:
        progress(len(results), total)
    if on_done is not None:
        on_done(results)
