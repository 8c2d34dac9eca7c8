"""One simulation run, shaped for the dashboard; imported by the worker processes.

This module imports no Streamlit, so a spawned worker starts quickly and never touches the
server's state. Field snapshots are kept as float32 and cell tables with categorical columns:
they are only drawn, and this halves what the cache holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation.runs.branching import run_shared
from simulation.runs.pool import warm_up
from simulation.runs.runner import RunResult, run
from simulation.scenario.schema import loads_scenario

__all__ = ["RunData", "simulate", "simulate_shared", "warm_up"]


@dataclass
class RunData:
    """What the dashboard keeps of one run.

    Attributes:
        timeseries: one row per recorded tick: ``day`` and one column per metric.
        snapshots: day -> {"fields": {name: 2-D float32 array (x, y)}, "cells": DataFrame}.
        metadata: scenario name, digest and TOML, seed, version, the illustrative label.
    """

    timeseries: pd.DataFrame
    snapshots: dict[float, dict[str, Any]] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)


def _compact(snap: dict[str, Any]) -> dict[str, Any]:
    cells = snap["cells"].astype({"type": "category", "state": "category"})
    fields = {name: np.asarray(a, dtype=np.float32) for name, a in snap["fields"].items()}
    return {"fields": fields, "cells": cells}


def _run_data(result: RunResult) -> RunData:
    snaps = {float(day): _compact(s) for day, s in result.snapshots.items()}
    return RunData(result.timeseries, snaps, dict(result.metadata))


def simulate(scenario_toml: str, seed: int, days: float) -> RunData:
    """Run the scenario given as TOML text with ``seed`` for ``days`` days."""
    scenario = loads_scenario(scenario_toml, source="dashboard")
    return _run_data(run(scenario, seed=seed, days=days, snapshots=True))


def simulate_shared(scenario_tomls: tuple[str, ...], seed: int, days: float) -> list[RunData]:
    """Run several arms with one seed, simulating their common start once (the first arm is
    the trunk the others are copied from at their first therapy; see simulation.runs.branching).
    Each result is exactly what :func:`simulate` gives for that arm."""
    scenarios = [loads_scenario(toml, source="dashboard") for toml in scenario_tomls]
    return [_run_data(r) for r in run_shared(scenarios, seed=seed, days=days, snapshots=True)]
