"""Runs that share their start: arms that differ only in their therapies are simulated once up
to the first delivery, then continue as copies.

Two scenarios that differ only in ``interventions`` (and their name and description) are the
same run, tick for tick and random draw for random draw, until the first delivery in either:
nothing is drawn or computed for a therapy before it is delivered. So with the same seed, a
therapy arm given at day 21 repeats the untreated arm's first 21 days. :func:`run_shared` runs
the first scenario (the trunk) and, at each other arm's first delivery, pickles the run and
continues one copy as that arm and another as the trunk. Every result is bit-identical to
running its arm alone (``tests/test_branching.py`` checks it over the scenario library); arms
that cannot share, or whose delivery comes after the trunk ends, simply run alone.
"""

from __future__ import annotations

import gc
import math
import pickle
from collections.abc import Sequence

from simulation.runs.budget import Budget
from simulation.runs.runner import RunResult, RunState, run_label
from simulation.scenario.schema import Scenario
from simulation.tissue.therapies import schedule

#: Keys that may differ between arms of one family: what is given, and what the arm is called.
_ARM_KEYS = frozenset({"interventions", "name", "description"})


def _body(scenario: Scenario) -> dict:
    dump = scenario.model_dump(exclude=set(_ARM_KEYS))
    dump["time"].pop("duration_days")  # each run is given its own horizon
    return dump


def fork_hour(trunk: Scenario, arm: Scenario) -> float | None:
    """The hour up to which ``arm`` is ``trunk`` run for run, or None if they differ otherwise.

    That is the first delivery of either scenario (``inf`` when neither gives anything).
    """
    if _body(trunk) != _body(arm):
        return None
    hours = [events[0].hour for events in (schedule(trunk), schedule(arm)) if events]
    return min(hours, default=math.inf)


def _split(state: RunState) -> tuple[RunState, RunState]:
    """Two copies of ``state``, to continue instead of it.

    Both are unpickled: pickling reads every cell's ``__dict__``, which on Python 3.11 makes
    the original's attribute reads slower for the rest of its run, while an
    unpickled cell keeps the fast layout (``restore_attributes``). The collector is paused
    while the copies are built (it would otherwise scan the young objects repeatedly).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        blob = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        return pickle.loads(blob), pickle.loads(blob)
    finally:
        if enabled:
            gc.enable()


def _retarget(state: RunState, scenario: Scenario, ticks: int) -> RunState:
    """``state`` continuing as ``scenario`` up to ``ticks`` (nothing delivered yet, so only the
    schedule and the name change)."""
    state.scenario = scenario
    state.ticks = ticks
    state.guard.who = run_label(scenario, state.seed)
    state.model.retarget(scenario)
    return state


def families(scenarios: Sequence[Scenario]) -> list[list[int]]:
    """The scenarios' indices grouped into families that can share a start (each family's
    first member is its trunk), in order of first appearance."""
    groups: list[list[int]] = []
    for i, scenario in enumerate(scenarios):
        for group in groups:
            if fork_hour(scenarios[group[0]], scenario) is not None:
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


def run_shared(
    scenarios: Sequence[Scenario],
    seed: int = 0,
    days: float | Sequence[float | None] | None = None,
    snapshots: bool = True,
    budget: Budget | None = None,
) -> list[RunResult]:
    """Run every scenario with ``seed`` for ``days``, sharing the start with the first one.

    ``days`` is one horizon for all, or one per scenario (None: the scenario's duration).
    Returns the results in the order of ``scenarios``; each equals ``run(scenario, seed, its
    days, snapshots=snapshots)`` exactly. Each run is held to ``budget`` (default: its
    scenario's ``[budget]``); the first run over budget raises its
    :class:`~simulation.runs.budget.RunBudgetError`.
    """
    if not scenarios:
        return []
    horizons = list(days) if isinstance(days, Sequence) else [days] * len(scenarios)
    if len(horizons) != len(scenarios):
        raise ValueError(f"days: {len(horizons)} horizons for {len(scenarios)} scenarios")
    trunk = RunState(scenarios[0], seed, horizons[0], snapshots=snapshots, budget=budget)
    dt_h = scenarios[0].time.dt_h
    results: list[RunResult | None] = [None] * len(scenarios)
    branches: list[tuple[int, int, Scenario]] = []  # (fork tick, index, scenario)
    for i, scenario in enumerate(scenarios[1:], start=1):
        hour = fork_hour(scenarios[0], scenario)
        ticks = RunState.ticks_for(scenario, horizons[i])
        if hour is None:
            fork_tick = None
        elif math.isinf(hour):  # nothing delivered in either: the same run to the end
            fork_tick = ticks
        else:
            fork_tick = min(math.ceil(hour / dt_h - 1e-9), ticks)
        if fork_tick is None or fork_tick >= trunk.ticks:
            # No shared start, or the trunk ends first (its last record would differ).
            state = RunState(scenario, seed, horizons[i], snapshots=snapshots, budget=budget)
            state.finish()
            results[i] = state.result()
        else:
            branches.append((fork_tick, i, scenario))
    forked: list[tuple[int, RunState]] = []
    for fork_tick, i, scenario in sorted(branches, key=lambda b: b[:2]):
        trunk.advance_to(fork_tick)
        trunk, branch = _split(trunk)
        forked.append((i, _retarget(branch, scenario, RunState.ticks_for(scenario, horizons[i]))))
    trunk.finish()
    results[0] = trunk.result()
    for i, state in forked:
        state.finish()
        results[i] = state.result()
    return results  # type: ignore[return-value]
