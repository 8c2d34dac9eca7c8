"""A comparison request (arms, severity, days, seeds) and the runs it needs (no Streamlit)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from dashboard.library import DEFAULT_ARMS, ArmSpec, arm_labels, build_arm
from simulation.runs.runner import spawn_seeds
from simulation.scenario.schema import Scenario

#: Default horizon of the Compare page (days): six weeks, the horizon the spinal cord trends are
#: validated at (the day-21 graft acts for three weeks, the four EV doses end on day 24); 24 such
#: runs take about 18 s on 2 cores (``python -m benchmarks dashboard``).
DEFAULT_DAYS = 42
#: Default number of seeds per arm.
DEFAULT_SEEDS = 8


@dataclass(frozen=True)
class Request:
    """What the student asked to compare; small and hashable (kept in session state)."""

    arms: tuple[ArmSpec, ...] = tuple(ArmSpec(s) for s in DEFAULT_ARMS)
    severity: float | None = None
    days: float = DEFAULT_DAYS
    seeds: int = DEFAULT_SEEDS
    root_seed: int = 0
    #: Each virtual animal also draws its parameters from the calibration's posterior.
    uncertainty: bool = False

    @property
    def labels(self) -> list[str]:
        """Unique arm labels, in arm order."""
        return arm_labels(self.arms)

    def seed_list(self) -> list[int]:
        """The per-run seeds; a prefix of a longer list, so more seeds reuse earlier runs."""
        return spawn_seeds(self.root_seed, self.seeds)


def build(request: Request, uploads: Mapping[str, str] | None = None) -> dict[str, Scenario]:
    """The validated scenario of every arm by label (one-line ScenarioError if one is bad)."""
    out = {}
    for label, spec in zip(request.labels, request.arms, strict=True):
        out[label] = build_arm(spec, request.severity, dict(uploads or {}), where=label)
    return out


def tidy_frame(series: Mapping[str, Mapping[int, pd.DataFrame]], seeds: list[int]) -> pd.DataFrame:
    """One tidy frame (``day``, metrics, ``seed``, ``scenario``) of the seeds every arm has."""
    common = [s for s in seeds if all(s in runs for runs in series.values())]
    frames = [
        runs[seed].assign(seed=seed, scenario=label)
        for label, runs in series.items()
        for seed in common
    ]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)
