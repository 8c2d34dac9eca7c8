"""Virtual patients whose lesions differ (``injury.severity_sd``) and the cohort anchor that
needs them (sci.natural_conversion: a share of patients, judged over its own cohort)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simulation.evidence.anchors import Anchor
from simulation.evidence.check import cohort_sizes, judge, seeds_for
from simulation.runs.runner import spawn_seeds
from simulation.scenario.schema import Scenario, parameter_info
from simulation.tissue.model import NerveRepairModel


def _model(seed: int, sd: float, severity: float = 0.8, **extra) -> NerveRepairModel:
    scenario = Scenario().with_overrides(
        {"injury.severity": severity, "injury.severity_sd": sd, **extra}
    )
    return NerveRepairModel(scenario, seed=seed, injured=False, shape=(20, 30))


def test_no_spread_keeps_the_scenario_severity_for_every_seed():
    """sd 0 (the library's default): every seed has the scenario's lesion, as before."""
    for seed in range(5):
        model = _model(seed, 0.0)
        assert model.severity == 0.8
        assert model.spared_fraction == pytest.approx(0.2)


def test_patients_differ_reproducibly_and_twins_share_their_lesion():
    """With a spread each seed draws its own severity; the same seed draws the same one again,
    whatever else the scenario says (a treated patient and the untreated twin)."""
    draws = [_model(seed, 0.05).severity for seed in range(6)]
    assert len(set(draws)) == 6
    assert draws == [_model(seed, 0.05).severity for seed in range(6)]
    twin = _model(3, 0.05, **{"neuron.count": 10}).severity
    assert twin == draws[3]


def test_the_spread_is_what_the_parameter_says():
    """Statistical check over 400 patients: mean within 4 standard errors of 0.8 and the
    sample sd within 15 % of 0.05 (the sd's standard error is about 3.5 % at n = 400)."""
    draws = np.array([_model(seed, 0.05).severity for seed in range(400)])
    assert abs(draws.mean() - 0.8) < 4 * 0.05 / math.sqrt(400)
    assert draws.std(ddof=1) == pytest.approx(0.05, rel=0.15)


def test_a_draw_stays_inside_the_allowed_severities():
    """A wide spread near the top is clipped to the severity's range, never past it."""
    _, low, high = parameter_info("injury.severity")
    draws = [_model(seed, 0.3, severity=0.95).severity for seed in range(40)]
    assert max(draws) == high and min(draws) >= low


def test_spared_share_is_the_patients_not_the_grids_rows():
    """The spared share is 1 - severity on any grid, not the rows the grid rounds it to."""
    for rows in (7, 30, 61):
        scenario = Scenario().with_overrides({"injury.severity": 0.77})
        model = NerveRepairModel(scenario, seed=0, injured=False, shape=(20, rows))
        assert model.spared_fraction == pytest.approx(0.23)


def _anchor(patients: int, kind: str = "converted") -> Anchor:
    params = (
        {"metric": ["ais_grade"], "from_day": 3.0, "day": 84.0, "below": 1.0, "at_least": 1.0}
        if kind == "converted"
        else {"metric": ["ais_grade"], "day": 84.0}
    )
    return Anchor(
        id="test.cohort",
        statement="s",
        citation="c",
        species="human",
        measure="m",
        arms=({"scenario": "spinal_cord_untreated.toml", "days": 84.0},),
        statistic={"kind": kind, **params},
        low=0.1,
        high=0.3,
        patients=patients,
    )


def test_a_cohort_anchor_extends_the_seeds_and_keeps_the_ones_given():
    seeds = spawn_seeds(0, 6)
    cohort = seeds_for(_anchor(100), seeds)
    assert len(cohort) == 100 and len(set(cohort)) == 100
    assert cohort[:6] == seeds and cohort == spawn_seeds(0, 100)
    assert seeds_for(_anchor(4), seeds) == seeds
    other = [11, 12, 13]
    assert seeds_for(_anchor(5), other)[:3] == other and len(seeds_for(_anchor(5), other)) == 5
    (arm,) = cohort_sizes([_anchor(100)], seeds)
    assert cohort_sizes([_anchor(100)], seeds)[arm] == 100


def _grades(*values: float) -> pd.DataFrame:
    return pd.DataFrame({"day": [3.0, 84.0], "ais_grade": list(values)})


def test_patients_outside_the_population_are_left_out_not_failed():
    """A converted share counts only patients graded A at first: a B on day 3 is left out; a
    statistic whose nan means 'no value' still fails."""
    anchor = _anchor(0)
    runs = {anchor.model_arms[0]: [_grades(0, 1), _grades(0, 0), _grades(1, 1), _grades(0, 0)]}
    (result,) = judge([anchor], runs)
    assert list(result.values) == [1.0, 0.0, 0.0]
    assert result.interval[0] == pytest.approx(1 / 3)
    assert not result.passed  # 0.33 is above the band's 0.3


def test_the_page_and_the_model_read_one_rule():
    """patient_severity is what the model's lesion is built from (the Cohort page calls it)."""
    from simulation.tissue.model import patient_severity

    scenario = Scenario().with_overrides({"injury.severity_sd": 0.05})
    for seed in range(4):
        model = NerveRepairModel(scenario, seed=seed, injured=False, shape=(20, 30))
        assert model.severity == patient_severity(scenario, seed)
