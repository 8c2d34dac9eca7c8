"""The model bridge: a particle (parameter values) -> runs -> the anchors' statistics -> features.

A *simulator* maps a particle's parameter values and a few seeds to one number per target
anchor: the anchor's statistic (:mod:`simulation.evidence.statistics`), averaged over the
seeds. :class:`NerveSimModel` runs the scenarios the anchors name with the particle's values as
overrides; :class:`ToyModel` is a stand-in with a known answer for tests and benchmarks.

The ABC compares *features*, not statistics: for an anchor with a published band, how far the
statistic lies outside the band (0 inside it); for a point target (``[target_values]``), the
signed difference from the value; both divided by the anchor's natural scale (its band's width,
:attr:`~simulation.calibration.spec.Target.scale`), so the observed features are all 0. A
statistic that cannot be computed (a peak of zero) counts as :data:`MISSING_FEATURE` scales
away. The adaptive distance (:mod:`simulation.calibration.abc`) re-weights the features by
their spread in each generation.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from simulation.calibration.spec import Calibration, FreeParameter, Target

#: The feature of a statistic that could not be computed: this many band widths off. Assumed:
#: far enough to be rejected once the tolerance has shrunk, finite so that scales stay finite.
MISSING_FEATURE = 10.0


class Simulator(Protocol):
    """What the ABC runs for each particle."""

    def statistics(self, values: Mapping[str, float], seeds: Sequence[int]) -> dict[str, float]:
        """Each target anchor's statistic (by id), mean over ``seeds``; nan when missing."""
        ...


class NerveSimModel:
    """Runs the target anchors' arms with the particle's values as scenario overrides."""

    def __init__(self, calibration: Calibration) -> None:
        self.scenarios = calibration.scenarios
        self.anchors = tuple(t.anchor for t in calibration.targets)

    def statistics(self, values: Mapping[str, float], seeds: Sequence[int]) -> dict[str, float]:
        """Run every arm the anchors need for every seed; a run over its budget gives nan."""
        from simulation.evidence.check import arms_needed, judge
        from simulation.runs.budget import RunBudgetError
        from simulation.runs.runner import run

        runs = {}
        try:
            for arm in arms_needed(self.anchors):
                scenario = self.scenarios[arm.scenario].with_overrides(dict(values))
                runs[arm] = [
                    run(scenario, int(s), days=arm.days, snapshots=False).timeseries for s in seeds
                ]
        except RunBudgetError:
            return {a.id: math.nan for a in self.anchors}
        out = {}
        for result in judge(self.anchors, runs):
            v = result.values
            out[result.anchor.id] = float(np.mean(v)) if np.all(np.isfinite(v)) else math.nan
        return out


class ToyModel:
    """A stand-in simulator with a known answer.

    Target ``i`` reads free parameter ``i mod d``: its position in its prior's sampling space
    (0 at lo, 1 at hi; :meth:`FreeParameter.unit`) plus Gaussian noise of ``toy.noise`` per
    seed, so a target value ``u`` pins that parameter at ``lo + u (hi - lo)`` (in log space for
    loguniform priors). ``toy.delay_s`` makes each run sleep, to stand for a simulation's cost.
    """

    def __init__(self, calibration: Calibration) -> None:
        self.parameters = calibration.parameters
        self.targets = tuple(t.id for t in calibration.targets)
        self.noise = calibration.spec.toy.noise
        self.delay_s = calibration.spec.toy.delay_s

    def statistics(self, values: Mapping[str, float], seeds: Sequence[int]) -> dict[str, float]:
        """The toy statistics (see the class)."""
        d = len(self.parameters)
        out = {}
        for i, target in enumerate(self.targets):
            p = self.parameters[i % d]
            draws = [np.random.default_rng([int(s), i]).normal() for s in seeds]
            out[target] = p.unit(values[p.key]) + self.noise * float(np.mean(draws))
        if self.delay_s:
            time.sleep(self.delay_s * len(seeds))
        return out


def simulator(calibration: Calibration) -> Simulator:
    """The simulator the calibration file names."""
    if calibration.spec.model == "toy":
        return ToyModel(calibration)
    return NerveSimModel(calibration)


def feature(target: Target, statistic: float) -> float:
    """How far ``statistic`` is from ``target``, in the anchor's scales (see the module)."""
    if not math.isfinite(statistic):
        return MISSING_FEATURE
    if target.value is not None:
        return (statistic - target.value) / target.scale
    a = target.anchor
    below = a.low - statistic if math.isfinite(a.low) else 0.0
    above = statistic - a.high if math.isfinite(a.high) else 0.0
    return max(0.0, below, above) / target.scale


def observed(calibration: Calibration) -> dict[str, float]:
    """The observed features: every target met exactly (all 0)."""
    return {t.id: 0.0 for t in calibration.targets}


def parameter_name(i: int) -> str:
    """The name pyabc knows free parameter ``i`` by (the history's column): ``p0``, ``p1``."""
    return f"p{i}"


def natural_values(
    parameters: Sequence[FreeParameter], particle: Mapping[str, Any]
) -> dict[str, float | int]:
    """A pyabc particle (sampling-space values by :func:`parameter_name`) as scenario values."""
    return {p.key: p.natural(float(particle[parameter_name(i)])) for i, p in enumerate(parameters)}


class BridgeModel:
    """The pyabc model: a particle -> seeds (drawn from the seeded global generator, so they
    follow from the root seed and the proposal's index) -> statistics -> features.

    Picklable (cloudpickle), so that worker processes and Dask workers can run it.
    """

    def __init__(self, calibration: Calibration) -> None:
        self.parameters = calibration.parameters
        self.targets = calibration.targets
        self.seeds = calibration.spec.seeds_per_particle
        self.simulator = simulator(calibration)

    def seeds_for_particle(self) -> list[int]:
        """This particle's run seeds, from numpy's global generator (seeded per proposal)."""
        drawn = np.random.randint(0, 2**31 - 1, size=self.seeds)  # noqa: NPY002 (seeded per proposal)
        return [int(s) for s in drawn]

    def statistics(self, particle: Mapping[str, Any]) -> dict[str, float]:
        """The particle's statistics (by anchor id), for its own seeds."""
        values = natural_values(self.parameters, particle)
        return self.simulator.statistics(values, self.seeds_for_particle())

    def __call__(self, particle: Mapping[str, Any]) -> dict[str, float]:
        stats = self.statistics(particle)
        return {t.id: feature(t, stats[t.id]) for t in self.targets}
