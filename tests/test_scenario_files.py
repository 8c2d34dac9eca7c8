"""Every shipped scenario loads and runs; a run depends only on its scenario and seed."""

from pathlib import Path

import numpy as np
import pytest
from pandas.testing import assert_frame_equal

from simulation._version import ILLUSTRATIVE_LABEL
from simulation.cli import TABLE_METRICS
from simulation.runs.nerve_outcomes import NOT_FOR_SPINAL
from simulation.runs.runner import run
from simulation.scenario.schema import load_scenario

SCENARIO_FILES = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.toml"))
IDS = [p.stem for p in SCENARIO_FILES]


def test_scenarios_are_shipped():
    """The scenarios folder holds the untreated spinal cord and peripheral examples."""
    assert {"spinal_cord_untreated", "peripheral_crush_untreated"} <= set(IDS)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=IDS)
def test_scenario_file_runs_one_day_with_finite_metrics(path):
    """The file loads, runs a day and records finite metrics, fractions within [0, 1]."""
    scenario = load_scenario(path)
    t = scenario.time
    # Injuries tick hourly; a chronic neuropathy every 6 h.
    assert t.dt_h == (6.0 if scenario.injury.type == "neuropathy" else 1.0)
    result = run(scenario, seed=0, days=1)
    series = result.timeseries
    assert series["day"].iloc[0] == 0.0 and series["day"].iloc[-1] == 1.0
    ticks, every = round(24 / t.dt_h), max(1, round(t.record_every_h / t.dt_h))
    assert len(series) == 1 + ticks // every + (ticks % every != 0)
    assert set(TABLE_METRICS) <= set(series.columns)
    if scenario.injury.type == "spinal_cord":  # not applicable there, documented as nan
        assert series[list(NOT_FOR_SPINAL)].isna().all().all()
        series = series.drop(columns=list(NOT_FOR_SPINAL))
    values = series.to_numpy(dtype=float)
    assert np.isfinite(values).all()
    fractions = series.filter(like="_fraction")
    assert ((fractions >= 0) & (fractions <= 1)).all().all()
    counts = series.filter(like="_count")
    assert (counts >= 0).all().all()
    assert result.metadata["label"] == series.attrs["label"] == ILLUSTRATIVE_LABEL
    assert sorted(result.snapshots) == [0.0, 1.0]
    for snap in result.snapshots.values():
        assert all(np.isfinite(field).all() for field in snap["fields"].values())


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=IDS)
def test_same_seed_same_series_other_seed_differs(path):
    """Two runs with one seed give identical time series; another seed gives a different one."""
    scenario = load_scenario(path)
    # A neuropathy starting healthy (chemotherapy) shows its fibres' spread only once they go.
    days = 120 if scenario.injury.type == "neuropathy" else 3
    first = run(scenario, seed=11, days=days, snapshots=False).timeseries
    again = run(scenario, seed=11, days=days, snapshots=False).timeseries
    other = run(scenario, seed=12, days=days, snapshots=False).timeseries
    assert_frame_equal(first, again, check_exact=True)
    assert first.shape == other.shape
    assert not first.equals(other)
