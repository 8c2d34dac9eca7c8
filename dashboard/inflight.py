"""Runs in flight in the worker pool, by job (no Streamlit, so the server's launcher can start
the start page's runs before the first page is opened).

A job is one run: a scenario as TOML text, a seed and a horizon. Jobs go to the pool in groups
(the arms of one seed together: their common start is simulated once, see
``simulation.runs.branching``); :func:`claim` hands a job's result over once, to the cache in
:mod:`dashboard.runs`, which stores it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import NamedTuple

from dashboard.pool import get_pool, reset_pool, worker_count
from dashboard.worker import RunData, simulate, simulate_shared


class Job(NamedTuple):
    """One run: the scenario as TOML text, the seed and the horizon in days."""

    scenario_toml: str
    seed: int
    days: float


_lock = threading.Lock()
#: Each job in flight: the future of its group's runs and its place in that group.
_inflight: dict[Job, tuple[Future[list[RunData]], int]] = {}


def reset() -> None:
    """Drop a broken pool and forget what was in flight in it."""
    reset_pool()
    with _lock:
        _inflight.clear()


#: Finished runs nobody claimed (their page moved on) are dropped beyond this many.
MAX_UNCLAIMED = 64


def prune() -> None:
    """Forget finished, unclaimed runs beyond :data:`MAX_UNCLAIMED` (they hold their results)."""
    with _lock:
        done = [job for job, (fut, _) in _inflight.items() if fut.done()]
        for job in done[: max(0, len(done) - MAX_UNCLAIMED)]:
            del _inflight[job]


def start(jobs: Sequence[Job]) -> dict[Job, Future[list[RunData]]]:
    """The future of every job: the one already in flight (started by another script run or
    at launch), else a new task of its group (see :func:`groups`). Empty without a pool.

    Looking up and starting happen under one lock, so two sessions asking for the same run at
    once start it once.
    """
    pool = get_pool()
    if pool is None:
        return {}
    with _lock:
        out = {job: _inflight[job][0] for job in jobs if job in _inflight}
        for group in groups([job for job in jobs if job not in out]):
            tomls = tuple(job.scenario_toml for job in group)
            fut = pool.submit(simulate_shared, tomls, group[0].seed, group[0].days)
            for i, job in enumerate(group):
                _inflight[job] = (fut, i)
                out[job] = fut
    return out


def groups(jobs: Sequence[Job]) -> list[list[Job]]:
    """The jobs as tasks: one per seed and horizon when there are at least two seeds per
    worker (fewer, larger tasks would leave a worker idle at the end), else one per run (in
    ``jobs`` order)."""
    seeds = {(job.seed, job.days) for job in jobs}
    if len(seeds) < 2 * max(1, worker_count()):
        return [[job] for job in jobs]
    grouped: dict[tuple[int, float], list[Job]] = {}
    for job in jobs:
        grouped.setdefault((job.seed, job.days), []).append(job)
    return list(grouped.values())


def claim(job: Job) -> RunData:
    """The run of ``job``: from its group's future if one is in flight, else computed here."""
    with _lock:
        entry = _inflight.get(job)
    if entry is None:
        return simulate(*job)
    fut, i = entry
    try:
        return fut.result()[i]
    except BrokenProcessPool:
        reset()
        return simulate(*job)
    finally:
        with _lock:
            if _inflight.get(job) is entry:
                del _inflight[job]


def start_default() -> int:
    """Start the runs of the start page's default comparison; the number of runs started.

    Called by ``python -m dashboard`` as the server starts: a teacher opening the page finds
    them running (or done) instead of starting them.
    """
    from dashboard.comparison import Request, build

    request = Request()
    scenarios = build(request)
    jobs = [
        Job(scenario.to_toml(), seed, request.days)
        for seed in request.seed_list()
        for scenario in scenarios.values()
    ]
    return len(start(jobs))
