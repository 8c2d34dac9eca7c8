"""Peripheral-nerve outcomes: conduction velocity, CMAP, SFI, who cleared the debris."""

import math
from pathlib import Path

import numpy as np
import pytest

from simulation import NerveRepairModel, load_scenario
from simulation.agents.growth_cone import GrowthCone
from simulation.agents.macrophage import Macrophage
from simulation.agents.schwann import SchwannCell, SchwannState
from simulation.runs import nerve_outcomes as no
from simulation.runs.metrics import METRICS, collect
from simulation.scenario.schema import Scenario
from tests.agents.conftest import make_sandbox

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
PERIPHERAL = {"injury.type": "peripheral", "injury.severity": 1.0}


def _peripheral(days: float = 0.0, **over) -> NerveRepairModel:
    sc = Scenario().with_overrides({**PERIPHERAL, **over})
    model = NerveRepairModel(sc, seed=1)
    for _ in range(round(days * 24)):
        model.step()
    return model


def test_the_outcomes_are_metrics():
    for name in ("conduction_velocity_m_per_s", "cmap_amplitude_percent", "sfi_score"):
        assert name in METRICS


def test_spinal_runs_have_no_nerve_conduction_or_sfi():
    """A spinal cord injury does not denervate the muscle: nan, documented."""
    model = NerveRepairModel(Scenario(), seed=0)
    row = collect(model)
    for name in ("conduction_velocity_m_per_s", "cmap_amplitude_percent", "sfi_score"):
        assert math.isnan(row[name])


def test_a_fresh_complete_injury_has_no_response_and_complete_loss():
    model = _peripheral()
    assert no.conduction_velocity_m_per_s(model) == 0.0
    assert no.cmap_amplitude_percent(model) == 0.0
    assert no.sfi_score(model) == pytest.approx(-100.0)


def test_myelin_along_the_regrown_path_speeds_conduction():
    """Cones marked as arrived conduct; myelinating their paths raises the velocity, and
    reinnervation with full muscle brings CMAP to 100 % and the SFI to 0."""
    model = _peripheral()
    sheet = model.sheet_of(GrowthCone)
    cones = list(model.agents_by_type[GrowthCone])
    for c in cones:
        s = c.slot
        sheet.arrived[s] = 1
        sheet.path_x[s, :3] = [5, 6, 7]
        sheet.path_y[s, :3] = c.xy[1]
        sheet.path_len[s] = 3
        model.axon[[5, 6, 7], c.xy[1]] += 1.0
        model.muscle.reinnervate()
    p = model.scenario.conduction
    bare = no.conduction_velocity_m_per_s(model)
    assert bare == pytest.approx(p.bare_velocity_m_per_s)
    model.myelin[...] = model.axon
    wrapped = no.conduction_velocity_m_per_s(model)
    expected = p.bare_velocity_m_per_s + p.remyelinated_quality * (
        p.normal_velocity_m_per_s - p.bare_velocity_m_per_s
    )
    assert wrapped == pytest.approx(expected)
    model.muscle.mass_index = 1.0
    assert no.cmap_amplitude_percent(model) == pytest.approx(100.0)
    assert no.sfi_score(model) == pytest.approx(0.0)
    model.muscle.mass_index = model.muscle.p.floor_index  # innervated but wasted
    assert -100.0 < no.sfi_score(model) < 0.0
    assert no.cmap_amplitude_percent(model) == pytest.approx(100.0 * model.muscle.p.floor_index)


def test_the_ledger_splits_clearance_by_rate_and_conserves_it():
    """A repair Schwann cell and a macrophage on the same debris: what the tick removes is
    shared in proportion to their uptake rates and adds up to what left the field."""
    sandbox = make_sandbox()
    sandbox.fields["debris"][2, 2] = 1.0
    sandbox.distal_mask[2, 2] = True
    still = {"speed_um_per_h": 0.0, "proliferation_per_h": 0.0}
    schwann = SchwannCell(sandbox, (2, 2), sandbox.scenario.schwann.model_copy(update=still), True)
    schwann.state = SchwannState.REPAIR
    mp = sandbox.scenario.macrophage.model_copy(update={"speed_um_per_h": 0.0})
    Macrophage(sandbox, (2, 2), mp)
    before = sandbox.fields["debris"].sum()
    for kind in (Macrophage, SchwannCell):
        sandbox.activate(kind)
    sandbox.clearance.settle(sandbox)
    sandbox.fields.apply_sources()
    removed = before - sandbox.fields["debris"].sum()
    eaten = sandbox.clearance.eaten_au
    assert removed > 0
    assert sum(eaten.values()) == pytest.approx(removed, rel=1e-9)
    assert eaten["SchwannCell"] > 0 and eaten["Macrophage"] > 0
    assert sandbox.clearance.distal_eaten_au == pytest.approx(eaten)


def test_schwann_cells_clear_most_distal_debris_in_the_first_days():
    """pni.wallerian in one crush run (the anchor checks it over seeds): Schwann cells' share of
    distal-stump clearance by day 3 is above half."""
    model = NerveRepairModel(load_scenario(SCENARIOS / "peripheral_crush_untreated.toml"), seed=2)
    for _ in range(72):
        model.step()
    assert no.schwann_distal_clearance_share_fraction(model) > 0.5


def test_the_ledger_does_not_change_the_run():
    """The ledger only reads the buffers: the debris field is the same without it."""
    a = _peripheral(1.0)
    b = _peripheral()

    class Blind:
        def before_turn(self, *_):
            pass

        after_turn = settle = before_turn

    b.clearance = Blind()
    for _ in range(24):
        b.step()
    assert np.array_equal(a.fields["debris"], b.fields["debris"])


def test_the_stretch_beyond_the_grid_remyelinates_after_a_delay():
    """An axon that reached the muscle: its 1-D stretch starts to myelinate about
    1/redifferentiation_per_h after it was passed, at myelination_per_h x the stump's capacity,
    and conduction speeds up with it."""
    model = _peripheral()
    sheet = model.sheet_of(GrowthCone)
    cone = next(iter(model.agents_by_type[GrowthCone]))
    s = cone.slot
    sheet.in_distal_tract[s] = 1
    sheet.arrived[s] = 1
    sheet.distal_um[s] = 30000.0
    model.muscle.reinnervate()
    tracker = model.distal_myelin
    p = model.scenario.schwann
    delay_h = 1.0 / p.redifferentiation_per_h
    model.distal_support = 1.0
    for t in range(int(delay_h) - 2):
        model.hours = float(t)
        tracker.step(model)
    assert tracker.shares(np.array([s]))[0] == 0.0
    v0 = no.conduction_velocity_m_per_s(model)
    for t in range(int(delay_h), int(delay_h) + 1000):
        model.hours = float(t)
        tracker.step(model)
    share = tracker.shares(np.array([s]))[0]
    assert share == pytest.approx(1 - math.exp(-p.myelination_per_h * 1000), rel=0.01)
    assert no.conduction_velocity_m_per_s(model) > v0
