"""NGF's side effect (simulation/tissue/pain.py) and EV-NGF acting without stopping clearance."""

import math
from pathlib import Path

import pytest

from simulation import NerveRepairModel, load_scenario
from simulation.agents.macrophage import Macrophage
from simulation.agents.schwann import SchwannCell, SchwannState
from simulation.runs.metrics import collect
from simulation.scenario.schema import Scenario
from simulation.tissue.pain import ngf_exposure_au
from tests.agents.conftest import make_sandbox

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _peripheral_sandbox(**over):
    return make_sandbox(**{"injury.type": "peripheral", **over})


def test_more_ngf_around_the_axons_sensitizes_more_and_it_resolves():
    low, high = _peripheral_sandbox(), _peripheral_sandbox()
    for m, ngf in ((low, 0.02), (high, 0.2)):
        m.axon[2, 2] = 1.0
        m.fields["trophic"][2, 2] = ngf
        assert ngf_exposure_au(m) == pytest.approx(ngf)
        for _ in range(48):
            m.pain.step(m)
    assert 0.0 < low.pain.index < high.pain.index < 1.0
    high.fields["trophic"][...] = 0.0
    peak = high.pain.index
    for _ in range(24 * 7):
        high.pain.step(high)
    assert high.pain.index < 0.5 * peak  # about 3 days' half-life


def test_the_switch_turns_sensitization_off():
    m = _peripheral_sandbox(**{"mechanisms.ngf_pain_sensitization": False})
    m.axon[2, 2] = 1.0
    m.fields["trophic"][2, 2] = 1.0
    for _ in range(48):
        m.pain.step(m)
    assert m.pain.index == 0.0


def test_spinal_runs_have_no_pain_index():
    assert math.isnan(collect(NerveRepairModel(Scenario(), seed=0))["pain_sensitization_index"])


def test_ngf_cargo_does_not_stop_clearance():
    """A repair Schwann cell and a macrophage that took up NGF-gene vesicles eat debris as fast
    as ones that did not (EV-NGF acts through NGF, not by stopping clearance)."""
    eaten = {}
    for ngf in (0.0, 5.0):
        sandbox = make_sandbox()
        sandbox.fields["debris"][1, 1] = 1.0
        sandbox.fields["debris"][3, 3] = 1.0
        still = {"speed_um_per_h": 0.0, "proliferation_per_h": 0.0}
        sc = SchwannCell(sandbox, (1, 1), sandbox.scenario.schwann.model_copy(update=still), True)
        sc.state = SchwannState.REPAIR
        mp = Macrophage(
            sandbox, (3, 3), sandbox.scenario.macrophage.model_copy(update={"speed_um_per_h": 0.0})
        )
        for cell in (sc, mp):
            cell.ngf_signal = ngf
            cell.ev_signal = ngf
        for _ in range(12):
            sc.step()
            mp.step()
            sandbox.fields.apply_sources()
        d = sandbox.fields["debris"]
        eaten[ngf] = (1.0 - d[1, 1], 1.0 - d[3, 3])
        if ngf:
            assert sandbox.fields["trophic"].sum() > 0.0  # it makes NGF
    assert eaten[5.0][0] == pytest.approx(eaten[0.0][0], rel=1e-9)  # Schwann cell
    assert eaten[5.0][1] >= 0.9 * eaten[0.0][1] > 0.0  # macrophage


def test_ev_ngf_raises_pain_sensitization_in_a_crush():
    """The side effect in a whole crush, one seed (illustrative): more sensitization at day 7."""
    index = {}
    for name in ("peripheral_crush_untreated.toml", "peripheral_crush_ev_ngf.toml"):
        model = NerveRepairModel(load_scenario(SCENARIOS / name), seed=5)
        for _ in range(7 * 24):
            model.step()
        index[name] = model.pain.index
    assert index["peripheral_crush_ev_ngf.toml"] > 1.1 * index["peripheral_crush_untreated.toml"]
