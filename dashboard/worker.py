"""One simulation run, shaped for the dashboard; imported by the worker processes.

This module imports no Streamlit, so a spawned worker starts quickly and never touches the
server's state. Field snapshots are kept as float32 and cell tables with categorical columns:
they are only drawn, and this halves what the cache holds.

Every run here is held to the dashboard's budget (:data:`MAX_AGENTS`, :data:`MAX_MEMORY_MB`,
:data:`MAX_WALL_S`; a scenario's own ``[budget]`` may only lower it): the dashboard runs
scenarios its users upload or edit. A run over it comes back as a :class:`RunData` whose
``error`` is the one-line reason, not as an exception, and the worker lives on.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation.runs.branching import run_shared
from simulation.runs.budget import Budget, RunBudgetError
from simulation.runs.pool import warm_up
from simulation.runs.runner import RunResult, run
from simulation.scenario.schema import Scenario, loads_scenario

#: Live cell agents a dashboard run may reach. Assumed: ~44x the peak of the default 84-day
#: spinal cord run (1,135; benchmarks/results/model.json), a quarter of the command line's
#: default budget: a run this large takes minutes, not the seconds a lesson can wait.
MAX_AGENTS = 50_000
#: Resident memory of a dashboard worker process, MB. Assumed: ~4x a worker running the
#: default scenario (261 MB measured, docs/budgets.md); two workers stay within 2 GB beside
#: the server. Not applied to runs made in the server process itself (0 workers), whose
#: memory is mostly the server's.
MAX_MEMORY_MB = 1024
#: Wall time of one dashboard run, s. Assumed: ~45x the 1.3 s of the default 84-day run;
#: longer than a class waits for one picture.
MAX_WALL_S = 60.0
#: What a message about the dashboard's budget tells the user.
DASHBOARD_HINT = "the dashboard's limit; run the scenario with `nervesim run` to go further"

__all__ = ["RunData", "simulate", "simulate_shared", "warm_up"]


@dataclass
class RunData:
    """What the dashboard keeps of one run.

    Attributes:
        timeseries: one row per recorded tick: ``day`` and one column per metric.
        snapshots: day -> {"fields": {name: 2-D float32 array (x, y)}, "cells": DataFrame}.
        metadata: scenario name, digest and TOML, seed, version, the illustrative label.
        error: why the run stopped (over the dashboard's budget; one line), else None; a
            stopped run has no rows.
    """

    timeseries: pd.DataFrame
    snapshots: dict[float, dict[str, Any]] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def _compact(snap: dict[str, Any]) -> dict[str, Any]:
    cells = snap["cells"].astype({"type": "category", "state": "category"})
    fields = {name: np.asarray(a, dtype=np.float32) for name, a in snap["fields"].items()}
    return {"fields": fields, "cells": cells}


def _run_data(result: RunResult) -> RunData:
    snaps = {float(day): _compact(s) for day, s in result.snapshots.items()}
    return RunData(result.timeseries, snaps, dict(result.metadata))


def dashboard_budget(scenario: Scenario) -> Budget:
    """The budget of a dashboard run of ``scenario``: its own, capped at the dashboard's."""
    in_worker = multiprocessing.parent_process() is not None
    memory_mb = MAX_MEMORY_MB if in_worker else float("inf")
    return Budget.of(scenario.budget).capped(MAX_AGENTS, memory_mb, MAX_WALL_S, DASHBOARD_HINT)


def _stopped(err: RunBudgetError) -> RunData:
    return RunData(pd.DataFrame(), {}, {}, error=str(err))


def simulate(scenario_toml: str, seed: int, days: float) -> RunData:
    """Run the scenario given as TOML text with ``seed`` for ``days`` days (over the
    dashboard's budget: a :class:`RunData` with ``error`` set)."""
    scenario = loads_scenario(scenario_toml, source="dashboard")
    try:
        result = run(
            scenario, seed=seed, days=days, snapshots=True, budget=dashboard_budget(scenario)
        )
    except RunBudgetError as err:
        return _stopped(err)
    return _run_data(result)


def simulate_shared(scenario_tomls: tuple[str, ...], seed: int, days: float) -> list[RunData]:
    """Run several arms with one seed, simulating their common start once (the first arm is
    the trunk the others are copied from at their first therapy; see simulation.runs.branching).
    Each result is exactly what :func:`simulate` gives for that arm. A run over the dashboard's
    budget stops the task: every arm comes back with its ``error`` set."""
    scenarios = [loads_scenario(toml, source="dashboard") for toml in scenario_tomls]
    budget = dashboard_budget(scenarios[0])  # arms that share a start share their budget
    try:
        results = run_shared(scenarios, seed=seed, days=days, snapshots=True, budget=budget)
    except RunBudgetError as err:
        return [_stopped(err) for _ in scenarios]
    return [_run_data(r) for r in results]
