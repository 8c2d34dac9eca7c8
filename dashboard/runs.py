"""Cached simulation runs: one cache entry per (scenario TOML, seed, days), filled by a pool.

Each run goes into two ``st.cache_data`` functions keyed by the scenario's TOML text, the seed
and the horizon: its time series (what Compare needs, small) and its snapshots (what Tissue
draws, larger). A widget rerun therefore never throws away finished runs, and adding a seed
reuses the runs of the others. Runs that are not cached yet go to a pool of spawned worker
processes (Numba with fork is unsafe); their results are handed to the cached functions, which
store them. A run in flight survives a rerun: the next script run waits for the same future.

With at least two seeds per worker, the arms of one seed go to a worker together, which
simulates their common start once (an untreated arm and a day-21 transplant share 21 days; see
``simulation.runs.branching``); each arm's result is the same as when it runs alone.

A run over the dashboard's budget (:mod:`dashboard.worker`) is not cached: asking for it raises
its one-line :class:`~simulation.runs.budget.RunBudgetError` (a ``ScenarioError``, which the
pages show with ``st.error``), after every other run asked for has been stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, wait
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.inflight import Job, claim, prune, start
from dashboard.worker import RunData
from simulation.runs.budget import RunBudgetError


class _CacheMissError(Exception):
    """Raised by a cache probe that missed."""


@st.cache_data(max_entries=4000, show_spinner=False)
def cached_timeseries(
    scenario_toml: str, seed: int, days: float, _compute: bool = True
) -> pd.DataFrame:
    """The recorded metrics of one run (``_compute=False`` only probes the cache)."""
    if not _compute:
        raise _CacheMissError
    run = claim(Job(scenario_toml, seed, days))
    if run.error is not None:  # raised, so not cached: a later try may fit (wall time, memory)
        raise RunBudgetError(run.error)
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
    run = _stash.pop(job, None) or claim(job)
    if run.error is not None:
        raise RunBudgetError(run.error)
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

    Raises:
        RunBudgetError: a run went over the dashboard's budget (the first such; the other
            runs are stored first).
    """
    prune()
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
    stopped: list[RunBudgetError] = []

    def store(job: Job) -> None:
        try:
            results[job] = _store(job)
        except RunBudgetError as err:
            stopped.append(err)

    started = start(missing)
    for job in missing:
        if job in started:
            futures.setdefault(started[job], []).append(job)
        else:  # no pool: run here, one at a time
            store(job)
            _report(results, total, progress, on_done)
    pending = set(futures)
    while pending:
        done, pending = wait(pending, return_when="FIRST_COMPLETED")
        for fut in done:
            for job in futures[fut]:
                store(job)
            _report(results, total, progress, on_done)
    if stopped:
        raise stopped[0]
    return results


def _report(results, total, progress, on_done) -> None:
    if progress is not None:
        progress(len(results), total)
    if on_done is not None:
        on_done(results)
