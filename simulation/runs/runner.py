"""Running scenarios: one run, or replicates over seeds."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation._version import ILLUSTRATIVE_LABEL, __version__
from simulation.engine.mesa_compat import forget_model
from simulation.runs.budget import Budget, BudgetGuard
from simulation.runs.metrics import collect
from simulation.scenario.schema import Scenario
from simulation.tissue.model import NerveRepairModel


@dataclass
class RunResult:
    """What one run produced.

    Attributes:
        timeseries: one row per recorded tick: ``day`` and one column per metric.
        snapshots: day -> {"fields": {name: 2-D array}, "cells": DataFrame of x, y, type, state}.
        metadata: scenario, seed, package version, the illustrative label.
    """

    timeseries: pd.DataFrame
    snapshots: dict[float, dict[str, Any]] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)


def cell_table(model: NerveRepairModel) -> pd.DataFrame:
    """Every cell agent's voxel, type and state (for drawing the tissue)."""
    rows = []
    for agent in model.agents:
        xy = getattr(agent, "xy", None)
        if xy is None:
            continue
        state = ""
        for attr in ("phenotype", "state"):
            value = getattr(agent, attr, None)
            if value is not None:
                state = value.value
        if getattr(agent, "apoptotic", False):
            state = "apoptotic"
        if getattr(agent, "mature", False):
            state = "mature"
        rows.append((xy[0], xy[1], type(agent).__name__, state))
    return pd.DataFrame(rows, columns=["x", "y", "type", "state"])


def snapshot(model: NerveRepairModel) -> dict[str, Any]:
    """Copies of every field and the cell table, now."""
    return {
        "fields": {name: model.fields[name].copy() for name in model.fields.names},
        "cells": cell_table(model),
    }


class RunState:
    """A run in progress: the model, the rows recorded and the snapshots kept so far.

    :func:`run` drives one from tick 0 to its last tick; :mod:`simulation.runs.branching` pickles
    one part-way and continues the copy as another scenario. Its :attr:`guard` holds it to
    ``budget`` (default: the scenario's ``[budget]``), raising
    :class:`~simulation.runs.budget.RunBudgetError` in :meth:`advance_to`.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 0,
        days: float | None = None,
        progress: Callable[[float], None] | None = None,
        snapshots: bool = True,
        budget: Budget | None = None,
    ) -> None:
        t = scenario.time
        self.ticks = self.ticks_for(scenario, days)
        self.scenario = scenario
        self.seed = seed
        self.guard = BudgetGuard(budget or Budget.of(scenario.budget), run_label(scenario, seed))
        self.guard.resume()
        self.model = NerveRepairModel(scenario, seed=seed)
        self.tick = 0
        self.record_every = max(1, round(t.record_every_h / t.dt_h))
        self.snap_every = max(1, round(t.snapshot_every_days * 24.0 / t.dt_h))
        self.progress = progress
        self.snapshots = snapshots
        self.rows = [collect(self.model)]
        self.snaps = {0.0: snapshot(self.model)} if snapshots else {}
        self._row_tick = self._snap_tick = 0  # the ticks of the last row and snapshot
        self.guard.pause()

    @staticmethod
    def ticks_for(scenario: Scenario, days: float | None = None) -> int:
        """Ticks in ``days`` (default: the scenario's duration); a bad horizon is a ValueError."""
        t = scenario.time
        duration_days = t.duration_days if days is None else days
        if not 0 < duration_days <= 365:
            raise ValueError(f"days: {duration_days} days is outside (0, 365]")
        return math.ceil(duration_days * 24.0 / t.dt_h - 1e-9)

    def advance_to(self, tick: int) -> None:
        """Step the model until ``tick`` ticks are done (at most :attr:`ticks`), recording.

        Raises:
            RunBudgetError: the run passed a limit of its budget (one line).
        """
        model, ticks, guard = self.model, self.ticks, self.guard
        guard.resume()
        try:
            for k in range(self.tick + 1, min(tick, ticks) + 1):
                model.step()
                self.tick = k
                guard.check(model)
                if k % self.record_every == 0 or k == ticks:
                    self.rows.append(collect(model))
                    self._row_tick = k
                    if self.progress is not None:
                        self.progress(k / ticks)
                if self.snapshots and (k % self.snap_every == 0 or k == ticks):
                    self.snaps[round(model.day, 6)] = snapshot(model)
                    self._snap_tick = k
        finally:
            guard.pause()

    def finish(self) -> None:
        """Run to the last tick and make sure it is recorded (a copy made at its last tick
        holds only what the original recorded there)."""
        self.advance_to(self.ticks)
        if self._row_tick != self.tick:
            self.rows.append(collect(self.model))
            self._row_tick = self.tick
        if self.snapshots and self._snap_tick != self.tick:
            self.snaps[round(self.model.day, 6)] = snapshot(self.model)
            self._snap_tick = self.tick

    def result(self) -> RunResult:
        """The finished run (call after :meth:`finish`; the model makes no agents after it)."""
        forget_model(self.model)  # else Mesa keeps it alive for good
        scenario = self.scenario
        frame = pd.DataFrame(self.rows)
        metadata = {
            "scenario": scenario.name,
            "scenario_digest": scenario.digest(),
            "scenario_toml": scenario.to_toml(),
            "seed": int(self.seed),
            "nervesim_version": __version__,
            "label": ILLUSTRATIVE_LABEL,
        }
        frame.attrs.update({k: metadata[k] for k in ("scenario", "seed", "label")})
        return RunResult(frame, self.snaps, metadata)


def run_label(scenario: Scenario, seed: int) -> str:
    """How messages name a run: ``spinal_cord_untreated seed 3``."""
    return f"{scenario.name} seed {seed}"


def run(
    scenario: Scenario,
    seed: int = 0,
    days: float | None = None,
    progress: Callable[[float], None] | None = None,
    snapshots: bool = True,
    budget: Budget | None = None,
) -> RunResult:
    """Run ``scenario`` with ``seed``; the result depends only on these two.

    Args:
        scenario: the validated scenario.
        seed: the random seed (any non-negative integer).
        days: simulate this many days instead of ``scenario.time.duration_days``.
        progress: called with the fraction done after each recorded tick.
        snapshots: keep field snapshots (turn off for large sweeps).
        budget: hold the run to this budget instead of the scenario's ``[budget]``.

    Raises:
        RunBudgetError: the run passed a limit of its budget (one line).
    """
    state = RunState(scenario, seed, days, progress, snapshots, budget)
    state.finish()
    return state.result()


def run_replicates(
    scenario: Scenario,
    seeds: Iterable[int],
    days: float | None = None,
    snapshots: bool = False,
) -> pd.DataFrame:
    """All replicates of ``scenario`` in one tidy frame with a ``seed`` column."""
    frames = []
    for seed in seeds:
        ts = run(scenario, seed, days=days, snapshots=snapshots).timeseries
        frames.append(ts.assign(seed=int(seed), scenario=scenario.name))
    out = pd.concat(frames, ignore_index=True)
    out.attrs["label"] = ILLUSTRATIVE_LABEL
    return out


def spawn_seeds(root: int, n: int) -> list[int]:
    """``n`` independent per-run seeds derived from ``root`` (SeedSequence.spawn)."""
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(root).spawn(n)]
