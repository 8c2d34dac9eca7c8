"""Chronic peripheral neuropathy: length-dependent die-back, its drivers and its therapies."""

from pathlib import Path

import numpy as np
import pytest

from simulation.runs.runner import run
from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import Scenario, load_scenario, validate_scenario
from simulation.tissue.model import NerveRepairModel
from simulation.tissue.neuropathy import advance_fibres

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
P = Scenario().neuropathy


def _course(lengths, stress, years, support=0.0, p=P):
    """Fibres of ``lengths`` (mm) after ``years`` at constant ``stress``: (end, myelin)."""
    length = np.asarray(lengths, dtype=float)
    end, myelin, away = length.copy(), np.ones_like(length), np.zeros_like(length)
    z = np.ones_like(length)
    for _ in range(round(years * 365 / 7)):
        advance_fibres(length, end, myelin, away, z, stress, stress, support, 1.0, 7.0, p)
    return end, myelin


def _scenario(stem, **overrides):
    sc = load_scenario(SCENARIOS / f"{stem}.toml")
    return sc.with_overrides(overrides) if overrides else sc


def test_longer_axons_lose_more():
    """Under the same stress the longest fibres die back first and furthest; short ones keep."""
    lengths = [500.0, 700.0, 850.0, 1000.0]
    end, _ = _course(lengths, stress=1.3, years=3)
    lost = np.asarray(lengths) - end
    assert lost[0] == 0.0
    assert np.all(np.diff(lost) >= 0) and lost[-1] > lost[1] + 50.0


def test_no_stress_no_loss():
    """With no stress nothing dies back and myelin stays normal, however long."""
    end, myelin = _course([600.0, 1000.0], stress=0.0, years=20)
    assert np.array_equal(end, [600.0, 1000.0])
    assert np.allclose(myelin, 1.0)


def test_support_slows_dieback():
    """Trophic support raises capacity: less die-back under the same stress."""
    bare, _ = _course([1000.0], stress=1.3, years=2)
    held, _ = _course([1000.0], stress=1.3, years=2, support=0.8)
    assert held[0] > bare[0]


def test_higher_hba1c_drives_more_loss():
    """Eight years at HbA1c 9 % leave more die-back and slower conduction than at 7 %."""
    stem = "neuropathy_diabetic_case_untreated"
    high = NerveRepairModel(_scenario(stem, **{"host.hba1c_percent": 9.0}), seed=1).nerve
    low = NerveRepairModel(_scenario(stem, **{"host.hba1c_percent": 7.0}), seed=1).nerve
    normal = NerveRepairModel(_scenario(stem, **{"host.hba1c_percent": 5.4}), seed=1).nerve
    assert high.dieback_mean_mm() > low.dieback_mean_mm() > normal.dieback_mean_mm() == 0.0
    assert high.sensory_velocity_m_per_s() < low.sensory_velocity_m_per_s()
    assert normal.sensory_velocity_m_per_s() == pytest.approx(50.0)
    assert normal.snap_amplitude_percent() == 100.0


def test_glucose_control_slows_progression():
    """Lowering HbA1c (glucose_control) slows the loss of the next year against the twin."""
    untreated = _scenario("neuropathy_diabetic_case_untreated")
    controlled = untreated.with_overrides({}).model_copy(
        update={"interventions": [_scenario("neuropathy_diabetic_case_treated").interventions[0]]}
    )
    a = run(untreated, seed=2, snapshots=False).timeseries.iloc[-1]
    b = run(controlled, seed=2, snapshots=False).timeseries.iloc[-1]
    assert b["hba1c_percent"] == pytest.approx(7.0, abs=0.01)
    assert b["dieback_mean_mm"] < a["dieback_mean_mm"]
    assert b["sensory_velocity_m_per_s"] > a["sensory_velocity_m_per_s"]


@pytest.mark.parametrize("seed", [0, 3])
def test_case_improves_of_the_order_reported_and_late_stage_responds_less(seed):
    """The treated case gains about 1-2 m/s on its twin at 12 months; the same treatment in
    late-stage loss moves amplitude and distal fibres less than in the early case."""
    ends = {}
    for stem in (
        "neuropathy_diabetic_case_untreated",
        "neuropathy_diabetic_case_treated",
        "neuropathy_diabetic_late_untreated",
        "neuropathy_diabetic_late_treated",
    ):
        ends[stem] = run(_scenario(stem), seed=seed, snapshots=False).timeseries.iloc[-1]
    early_u, early_t = (
        ends["neuropathy_diabetic_case_untreated"],
        ends["neuropathy_diabetic_case_treated"],
    )
    late_u, late_t = (
        ends["neuropathy_diabetic_late_untreated"],
        ends["neuropathy_diabetic_late_treated"],
    )
    cv = "sensory_velocity_m_per_s"
    assert 0.9 <= early_t[cv] - early_u[cv] <= 3.6
    for metric in ("snap_amplitude_percent", "distal_fibre_density_percent"):
        assert late_t[metric] - late_u[metric] < early_t[metric] - early_u[metric]
    assert late_t["snap_amplitude_percent"] < 10.0  # lost fibres stay lost
    assert late_t[cv] - late_u[cv] <= early_t[cv] - early_u[cv]


def test_oxaliplatin_is_axonal_dose_dependent_and_coasts():
    """Oxaliplatin lowers amplitude and distal fibres with cumulative dose, keeps worsening
    after the last cycle (day 154), spares conduction velocity, then partly recovers."""
    ts = run(_scenario("neuropathy_chemo_oxaliplatin"), seed=0, snapshots=False).timeseries
    worst = ts.loc[ts["distal_fibre_density_percent"].idxmin()]
    assert worst["day"] > 154.0
    assert worst["distal_fibre_density_percent"] < 50.0
    early = ts.loc[(ts["day"] - 28).abs().idxmin()]
    assert early["distal_fibre_density_percent"] > 90.0  # few cycles, little loss
    assert ts["snap_amplitude_percent"].min() < 95.0
    assert ts["sensory_velocity_m_per_s"].min() > 45.0
    assert ts["distal_fibre_density_percent"].iloc[-1] > worst["distal_fibre_density_percent"]


def test_support_switch_is_the_only_path_of_msc_support():
    """With nerve_trophic_support off, IV MSCs and training leave the fibres as untreated."""
    untreated = _scenario("neuropathy_chemo_oxaliplatin")
    treated = _scenario(
        "neuropathy_chemo_oxaliplatin_treated", **{"mechanisms.nerve_trophic_support": False}
    )
    a = run(untreated, seed=0, snapshots=False).timeseries
    b = run(treated, seed=0, snapshots=False).timeseries
    assert b["nerve_support_index"].max() == 0.0
    for metric in ("snap_amplitude_percent", "distal_fibre_density_percent", "dieback_mean_mm"):
        assert np.allclose(a[metric], b[metric])


def test_more_fibre_agents_tell_the_same_story():
    """Four times as many fibre agents give about the same sensory response (agent weights)."""
    stem = "neuropathy_diabetic_case_untreated"
    few = NerveRepairModel(_scenario(stem), seed=0).nerve
    many = NerveRepairModel(_scenario(stem, **{"neuropathy.fibres": 1600}), seed=0).nerve
    assert many.snap_amplitude_percent() == pytest.approx(few.snap_amplitude_percent(), abs=8.0)
    assert many.sensory_velocity_m_per_s() == pytest.approx(few.sensory_velocity_m_per_s(), abs=1.5)


def test_neuropathy_interventions_need_a_neuropathy():
    """Glucose control in a crush scenario is a one-line error naming the key."""
    data = _scenario("peripheral_crush_untreated").to_dict()
    data["interventions"] = [{"kind": "glucose_control", "day": 0.0}]
    with pytest.raises(ScenarioError, match=r"interventions\[0\]\.kind"):
        validate_scenario(data)


def test_injury_runs_record_no_neuropathy_metrics():
    """A crush records its own metrics and none of the neuropathy's."""
    ts = run(_scenario("peripheral_crush_untreated"), seed=0, days=1, snapshots=False).timeseries
    assert "sensory_velocity_m_per_s" not in ts.columns
    assert "axons_bridged_fraction" in ts.columns


def test_a_shorter_tick_tells_the_same_story():
    """Halving the tick (6 h to 3 h) changes the treated case's course by little."""
    sc = _scenario("neuropathy_diabetic_case_treated")
    coarse = run(sc, seed=0, snapshots=False).timeseries
    fine = run(sc.with_overrides({"time.dt_h": 3.0}), seed=0, snapshots=False).timeseries
    for metric, tol in (("sensory_velocity_m_per_s", 0.3), ("distal_fibre_density_percent", 2.0)):
        for day in (91.0, 365.0):
            a = coarse.loc[(coarse["day"] - day).abs().idxmin(), metric]
            b = fine.loc[(fine["day"] - day).abs().idxmin(), metric]
            assert a == pytest.approx(b, abs=tol), (metric, day)
