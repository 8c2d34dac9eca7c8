"""Extracellular vesicles act only through the cells that take them up (one rule per test)."""

import pytest

from simulation.agents.macrophage import Macrophage, Phenotype
from simulation.agents.mechanisms import vesicles
from tests.agents.conftest import make_sandbox

STILL = {"speed_um_per_h": 0.0, "death_rate_per_h": 0.0, "to_m1_per_h": 0.0, "to_m2_per_h": 0.0}


def _vesicles_on(model) -> None:
    """Vesicles are present this tick (what the model's ``apply_therapies`` finds each tick)."""
    model.ev_active = True
    model.vesicle_knobs = vesicles.knobs(model)


def _m1_cytokine_output(**switches) -> tuple[float, float]:
    """(cytokine secreted by an M1 macrophage bathed in vesicles, by one without), one tick."""
    model = make_sandbox(**switches)
    model.fields["ev"][1, 1] = 5.0
    _vesicles_on(model)
    p = model.scenario.macrophage.model_copy(update=STILL)
    bathed, dry = Macrophage(model, (1, 1), p), Macrophage(model, (3, 3), p)
    for _ in range(3):  # the signal builds over a few ticks
        bathed.step()
        dry.step()
    assert bathed.phenotype is dry.phenotype is Phenotype.M1
    model.fields.apply_sources()
    return model.fields["cytokine"][1, 1], model.fields["cytokine"][3, 3]


def test_vesicle_uptake_damps_m1_cytokine_output():
    """An M1 cell that took up vesicles secretes less cytokine than one that did not."""
    bathed, dry = _m1_cytokine_output()
    assert 0 < bathed < 0.9 * dry


def test_without_the_anti_inflammatory_mechanism_vesicles_do_not_damp_cytokine():
    """With ``ev_anti_inflammatory`` off the two cells secrete the same."""
    bathed, dry = _m1_cytokine_output(**{"mechanisms.ev_anti_inflammatory": False})
    assert bathed == pytest.approx(dry, rel=1e-12)


def test_uptake_removes_vesicles_from_the_field(sandbox):
    """What the macrophage's signal gains, the EV field loses (its voxel, one tick, no decay)."""
    sandbox.fields["ev"][2, 2] = 1.0
    _vesicles_on(sandbox)
    cell = Macrophage(sandbox, (2, 2), sandbox.scenario.macrophage.model_copy(update=STILL))
    cell.step()
    sandbox.fields.apply_sources()
    assert cell.ev_signal > 0
    assert 1.0 - sandbox.fields["ev"][2, 2] == pytest.approx(cell.ev_signal, rel=1e-6)


def test_vesicles_shift_macrophages_toward_m2():
    """Of 200 M1 cells, more turn M2 in 2 days with vesicles than without (same seed)."""

    def share_m2(ev: float) -> float:
        model = make_sandbox(seed=4)
        model.fields["ev"][:] = ev
        if ev > 0:
            _vesicles_on(model)
        p = model.scenario.macrophage.model_copy(update={"speed_um_per_h": 0.0})
        p = p.model_copy(update={"death_rate_per_h": 0.0})
        cells = [Macrophage(model, (2, 2), p) for _ in range(200)]
        for _ in range(48):
            Macrophage.take_turn(model)
        return sum(c.phenotype is Phenotype.M2 for c in cells) / len(cells)

    assert share_m2(ev=5.0) > share_m2(ev=0.0) + 0.1


def test_the_vesicle_m2_drive_saturates(sandbox):
    """The drive rises with the signal at ``m2_drive_per_au`` at first and never passes
    ``m2_drive_max``: vesicles shift polarization partly, not as a switch."""
    _vesicles_on(sandbox)
    ev = sandbox.scenario.ev
    k = sandbox.vesicle_knobs
    drives = [vesicles.m2_drive(s, k) for s in (1e-6, 0.01, 0.1, 1.0, 10.0, 1e6)]
    assert drives == sorted(drives)
    assert drives[0] == pytest.approx(ev.m2_drive_per_au * 1e-6, rel=1e-3)
    assert ev.m2_drive_max * 0.99 < drives[-1] <= ev.m2_drive_max


@pytest.mark.parametrize("cargo_switch", [True, False])
def test_ngf_cargo_makes_the_cell_secrete_trophic_factor(cargo_switch):
    """NGF-gene vesicles make their host cell secrete trophic factor; the switch removes it."""
    model = make_sandbox(**{"mechanisms.ev_ngf_cargo": cargo_switch})
    model.fields["ev_ngf"][2, 2] = 5.0
    _vesicles_on(model)
    p = model.scenario.macrophage.model_copy(update=STILL)
    cell = Macrophage(model, (2, 2), p)  # M1: secretes no trophic factor of its own
    for _ in range(3):
        cell.step()
    assert cell.ngf_signal > 0
    model.fields.apply_sources()
    model.fields["trophic"][:] = 0.0
    cell.step()
    model.fields.apply_sources()
    made = model.fields["trophic"][2, 2]
    assert (made > 0) if cargo_switch else (made == 0)


def test_vesicles_never_create_cells(sandbox):
    """A vesicle-filled tissue stepped for a day holds exactly the cells it started with."""
    sandbox.fields["ev"][:] = 5.0
    sandbox.fields["ev_ngf"][:] = 5.0
    before = len(sandbox.agents)
    for _ in range(round(24 / sandbox.dt_h)):
        sandbox.step()
    assert len(sandbox.agents) == before
