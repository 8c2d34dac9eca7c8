"""The illustrative AIS grade: thresholds on descending connectivity, and conversion."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.evidence import statistics
from simulation.runs import metrics
from simulation.scenario.schema import load_scenario
from simulation.tissue.model import NerveRepairModel

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _spinal(severity: float, **outcomes: float) -> NerveRepairModel:
    """A spinal cord at tick 0 with no inflammation: descending connectivity = spared share."""
    overrides = {"injury.severity": severity, **{f"outcomes.{k}": v for k, v in outcomes.items()}}
    scenario = load_scenario(SCENARIOS / "spinal_cord_untreated.toml").with_overrides(overrides)
    model = NerveRepairModel(scenario, seed=1)
    model.fields["cytokine"][:] = 0.0
    return model


def test_ais_grade_counts_the_thresholds_reached():
    """A = 0 with no descending connection; each threshold reached adds one grade, and a
    connectivity exactly at a threshold reaches it."""
    assert metrics.ais_grade(_spinal(1.0)) == 0.0
    model = _spinal(0.4)  # about 0.6 spared: above C (0.35) and D (0.55), below E (0.95)
    c = metrics.descending_connectivity_fraction(model)
    assert 0.55 < c < 0.95
    assert metrics.ais_grade(model) == 3.0
    assert metrics.ais_grade(_spinal(0.4, ais_d_connectivity=0.7, ais_e_connectivity=0.8)) == 2.0
    at = _spinal(0.4, ais_d_connectivity=0.9)
    c = metrics.descending_connectivity_fraction(at)
    exact = _spinal(0.4, ais_b_connectivity=c / 3, ais_c_connectivity=c, ais_d_connectivity=0.9)
    assert metrics.ais_grade(exact) == 2.0


def test_ais_grade_is_recorded_and_rises_with_milder_injury():
    """The metric is in METRICS, and milder lesions never grade lower."""
    assert "ais_grade" in metrics.METRICS
    grades = [metrics.ais_grade(_spinal(s)) for s in (1.0, 0.8, 0.6, 0.4, 0.1)]
    assert grades == sorted(grades) and grades[0] == 0.0 and grades[-1] >= 3.0


def test_a_grade_needs_every_lower_threshold():
    """Thresholds out of order never skip a grade: B out of reach keeps every patient at A."""
    model = _spinal(0.4, ais_b_connectivity=1.0)
    outcomes = model.scenario.outcomes
    assert metrics.descending_connectivity_fraction(model) > outcomes.ais_d_connectivity
    assert metrics.ais_grade(model) == 0.0


def _ts(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"day": np.arange(len(values), dtype=float), "g": values})


def test_converted_statistic():
    """1 for A at the start and B or better at the end, 0 if still A, nan if not A at start."""
    kw = {"metric": ["g"], "from_day": 1.0, "day": 4.0, "below": 1.0, "at_least": 1.0}
    assert statistics.compute("converted", [_ts([0, 0, 0, 1, 1])], kw) == 1.0
    assert statistics.compute("converted", [_ts([0, 0, 1, 1, 0])], kw) == 0.0
    assert math.isnan(statistics.compute("converted", [_ts([0, 2, 2, 2, 2])], kw))
