"""A long gap's 1-D bridge (simulation/tissue/bridge.py), repair choices and delayed repair."""

import math
from pathlib import Path

import numpy as np
import pytest

from simulation import NerveRepairModel, load_scenario
from simulation.agents.growth_cone import GrowthCone
from simulation.runs.metrics import axons_bridged_fraction
from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import BridgeParams, Scenario, loads_scenario
from simulation.tissue.bridge import cable_ends_um, critical_gap_um

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
P = BridgeParams()


def test_a_hollow_tube_cable_spans_short_gaps_only():
    """The default critical gap lies between Lundborg's 10 mm (bridged) and 15 mm (not)."""
    critical = critical_gap_um(P.exudate_length_um, P.fibrin_threshold)
    assert 10000.0 < critical < 15000.0
    assert cable_ends_um(6000.0, P.exudate_length_um, P.fibrin_threshold) == 6000.0
    ends = cable_ends_um(20000.0, P.exudate_length_um, P.fibrin_threshold)
    assert 0.0 < ends < 10000.0  # only near each stump: a hole in the middle
    # just past the critical gap the cable breaks in the middle
    assert cable_ends_um(critical + 1.0, P.exudate_length_um, P.fibrin_threshold) < (
        (critical + 1.0) / 2.0
    )


def _gap(repair: str, gap_um: float, repair_day: float = 0.0, **over) -> NerveRepairModel:
    sc = load_scenario(SCENARIOS / "peripheral_gap_6mm_tube.toml").with_overrides(
        {
            "injury.repair": repair,
            "injury.gap_length_um": gap_um,
            "injury.repair_day": repair_day,
            **over,
        }
    )
    return NerveRepairModel(sc, seed=3)


def _advance_bridge(model: NerveRepairModel, days: float) -> None:
    """Only the bridge (no cells): it is deterministic and reads only the clock."""
    b = model.bridge
    for t in range(round(days * 24)):
        b.step((t + 1) * model.dt_h, model.dt_h)


@pytest.mark.parametrize(
    ("repair", "gap_um", "crosses"),
    [
        ("hollow_tube", 6000.0, True),
        ("hollow_tube", 20000.0, False),
        ("filled_conduit", 20000.0, True),
        ("autograft", 20000.0, True),
        ("none", 6000.0, False),
    ],
)
def test_which_repairs_carry_schwann_cells_across(repair, gap_um, crosses):
    model = _gap(repair, gap_um)
    _advance_bridge(model, 60)
    b = model.bridge
    assert (b.reach_um == pytest.approx(b.length_um)) is crosses
    if not crosses:
        assert b.reach_um < b.length_um


def test_without_migration_only_a_graft_carries_schwann_cells():
    tube = _gap("hollow_tube", 6000.0, **{"mechanisms.bridge_schwann_migration": False})
    graft = _gap("autograft", 6000.0, **{"mechanisms.bridge_schwann_migration": False})
    _advance_bridge(tube, 60)
    _advance_bridge(graft, 60)
    assert tube.bridge.reach_um == 0.0
    assert graft.bridge.reach_um == pytest.approx(graft.bridge.length_um)


def test_nothing_crosses_before_a_delayed_repair_and_the_stump_fades():
    model = _gap("autograft", 6000.0, repair_day=30.0)
    _advance_bridge(model, 29)
    assert model.bridge.reach_um == 0.0
    _advance_bridge(model, 31)  # the clock restarts: day 31
    assert model.bridge.reach_um > 0.0
    fade = model.scenario.schwann.repair_fade_per_h
    assert model.bridge.stump_capacity == pytest.approx(math.exp(-fade * 31 * 24))


def test_a_cone_in_the_bridge_grows_only_as_far_as_the_schwann_cells():
    """Sandbox of the cone's distal rule: behind the front it grows, at the front it stops."""
    model = _gap("hollow_tube", 20000.0)
    _advance_bridge(model, 20)
    b = model.bridge
    assert 0.0 < b.reach_um < b.length_um
    cone = next(iter(model.agents_by_type[GrowthCone]))
    sheet = model.sheet_of(GrowthCone)
    s = cone.slot
    sheet.in_distal_tract[s] = 1
    sheet.age_h[s] = 1e4
    sheet.distal_um[s] = b.reach_um - 10.0
    for _ in range(48):
        model.activate(GrowthCone)
    assert sheet.distal_um[s] == pytest.approx(b.reach_um)
    assert not cone.bridged
    assert sheet.arrived[s] == 0


def test_a_cone_past_the_bridge_counts_as_bridged():
    model = _gap("autograft", 6000.0)
    cone = next(iter(model.agents_by_type[GrowthCone]))
    sheet = model.sheet_of(GrowthCone)
    sheet.in_distal_tract[cone.slot] = 1
    sheet.distal_um[cone.slot] = model.bridge.length_um - 1.0
    assert not cone.bridged
    sheet.distal_um[cone.slot] = model.bridge.length_um
    assert cone.bridged
    assert axons_bridged_fraction(model) == pytest.approx(1 / model.neuron_count_initial)


def test_a_repair_needs_a_long_gap_and_a_gap_a_transection():
    with pytest.raises((ValueError, ScenarioError)):
        Scenario().with_overrides({"injury.type": "peripheral", "injury.repair": "hollow_tube"})
    with pytest.raises((ValueError, ScenarioError)):
        loads_scenario(
            '[injury]\ntype = "peripheral"\nperipheral_kind = "crush"\ngap_length_um = 6000.0\n'
        )


@pytest.mark.parametrize(
    "name",
    [
        "peripheral_gap_6mm_tube.toml",
        "peripheral_gap_20mm_tube.toml",
        "peripheral_gap_20mm_autograft.toml",
    ],
)
def test_short_tube_and_long_graft_cross_long_tube_does_not(name):
    """pni.gap in one seed at day 42 (the anchors check it over seeds)."""
    model = NerveRepairModel(load_scenario(SCENARIOS / name), seed=1)
    for _ in range(42 * 24):
        model.step()
    bridged = axons_bridged_fraction(model)
    if "20mm_tube" in name:
        assert bridged == 0.0
        assert np.isclose(model.muscle.innervated_fraction, 0.0)
    else:
        assert bridged > 0.5


def test_arm_ratio_can_compare_the_same_time_after_a_later_event():
    """``shift_days`` reads the second arm's window that much later (a delayed repair)."""
    import pandas as pd

    from simulation.evidence.statistics import arm_ratio

    days = np.arange(0.0, 200.0)
    early = pd.DataFrame({"day": days, "m": np.where(days >= 10, 50.0, 0.0)})
    late = pd.DataFrame({"day": days, "m": np.where(days >= 100, 25.0, 0.0)})
    assert arm_ratio([early, late], ["m"], [70.0, 84.0]) == pytest.approx(0.0)
    assert arm_ratio([early, late], ["m"], [70.0, 84.0], shift_days=90.0) == pytest.approx(0.5)
