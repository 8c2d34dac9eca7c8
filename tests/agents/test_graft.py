"""Grafted cells: die at a hazard set by inflammation, rejection and route; differentiate;
secrete; may transform. The lungs clear intravenous cells."""

import math

import numpy as np
import pytest

from simulation.agents.graft import GraftCluster, GraftSource, LungDepot
from tests.agents.conftest import make_sandbox

#: No cell dies: used where a test counts what the surviving cells become.
IMMORTAL = {
    "base_death_per_h": 0.0,
    "inflammation_death_per_h": 0.0,
    "immune_attack_per_h": 0.0,
}


def _params(model, **update):
    return model.scenario.transplant.model_copy(update=update)


def test_hazard_follows_inflammation_rejection_drugs_scaffold_and_route(sandbox):
    """Each term of the death rate moves it the way its mechanism says."""
    p = _params(sandbox)
    calm = GraftCluster(sandbox, (1, 1), p, GraftSource.NPC, 1000)
    inflamed = GraftCluster(sandbox, (3, 3), p, GraftSource.NPC, 1000)
    sandbox.fields["cytokine"][3, 3] = p.inflammation_half_cytokine  # half the saturating rate
    on = sandbox.mechanisms
    base = p.base_death_per_h + p.immune_attack_per_h
    assert calm.hazard_per_h(on) == pytest.approx(base)
    assert inflamed.hazard_per_h(on) == pytest.approx(base + p.inflammation_death_per_h / 2)

    sandbox.therapy.immunosuppressed_until_h = 1e9
    drugs = p.base_death_per_h + p.immune_attack_per_h * p.immunosuppression_factor
    assert calm.hazard_per_h(on) == pytest.approx(drugs)

    sandbox.therapy.scaffold = np.ones(sandbox.fields["cytokine"].shape, dtype=bool)
    shielded = p.base_death_per_h + (
        p.immune_attack_per_h * p.immunosuppression_factor * (1.0 - p.scaffold_protection)
    )
    assert calm.hazard_per_h(on) == pytest.approx(shielded)

    iv = GraftCluster(sandbox, (2, 2), p, GraftSource.MSC, 1000, iv=True)
    assert iv.hazard_per_h(on) == pytest.approx(shielded + p.iv_homed_death_per_h)


def test_switching_off_immune_attack_removes_its_term():
    """With ``graft_immune_attack`` off, only the baseline death rate is left (no cytokine)."""
    model = make_sandbox(**{"mechanisms.graft_immune_attack": False})
    p = _params(model)
    cluster = GraftCluster(model, (2, 2), p, GraftSource.NPC, 1000)
    assert cluster.hazard_per_h(model.mechanisms) == pytest.approx(p.base_death_per_h)


def test_grafted_cells_die_exponentially_faster_where_inflamed():
    """Survivors after 48 h match N exp(-h t) within 5 binomial sigmas; more die where inflamed."""
    model = make_sandbox(seed=5)
    p = _params(model, npc_neuron_per_h=0.0, npc_glia_per_h=0.0)
    model.fields["cytokine"][3, 3] = 10 * p.inflammation_half_cytokine
    n = 20_000
    clusters = [GraftCluster(model, xy, p, GraftSource.NPC, n) for xy in ((1, 1), (3, 3))]
    rates = [c.hazard_per_h(model.mechanisms) for c in clusters]
    ticks = round(48.0 / model.dt_h)
    for _ in range(ticks):
        for c in clusters:
            c.survive(model.mechanisms)
    for c, rate in zip(clusters, rates, strict=True):
        keep = math.exp(-rate * ticks * model.dt_h)
        sigma = math.sqrt(n * keep * (1 - keep))
        assert abs(c.alive - n * keep) < 5 * sigma
    calm, inflamed = clusters
    assert inflamed.alive < 0.8 * calm.alive


def test_progenitors_become_neurons_and_glia_in_the_ratio_of_their_rates():
    """With no deaths the count is conserved and neuron : glia follows kn : kg."""
    model = make_sandbox(seed=2)
    p = _params(model, **IMMORTAL, npc_neuron_per_h=0.006, npc_glia_per_h=0.002)
    cluster = GraftCluster(model, (2, 2), p, GraftSource.NPC, 10_000)
    for _ in range(round(200.0 / model.dt_h)):
        cluster.differentiate()
    assert cluster.alive == 10_000
    assert cluster.neurons + cluster.glia > 5_000
    assert cluster.neurons / cluster.glia == pytest.approx(3.0, rel=0.1)


def test_msc_secretes_vesicles_and_progenitors_do_not():
    """Both release trophic factor; only the MSC cluster adds vesicles to the EV field."""
    model = make_sandbox()
    p = _params(model)
    GraftCluster(model, (1, 1), p, GraftSource.MSC, 10_000).secrete_factors()
    GraftCluster(model, (3, 3), p, GraftSource.NPC, 10_000).secrete_factors()
    model.fields.apply_sources()
    ev, trophic = model.fields["ev"], model.fields["trophic"]
    assert ev[1, 1] > 0 and ev[3, 3] == 0
    assert trophic[1, 1] > 0 and trophic[3, 3] > 0


@pytest.mark.parametrize("tumor_switch", [True, False])
def test_undifferentiated_cells_transform_into_counted_tumors(tumor_switch):
    """A fast-transforming remnant gives tumor events; with ``graft_tumor`` off it gives none."""
    model = make_sandbox(seed=1, **{"mechanisms.graft_tumor": tumor_switch})
    p = _params(
        model,
        **IMMORTAL,
        npc_neuron_per_h=0.0,
        npc_glia_per_h=0.0,
        transformation_per_cell_h=1.0e-5,
        tumor_doubling_h=6.0,
        tumor_detect_cells=100.0,
    )
    cluster = GraftCluster(model, (2, 2), p, GraftSource.NPC, 10_000, undifferentiated_fraction=0.5)
    for _ in range(round(120.0 / model.dt_h)):
        cluster.step()
    events = model.therapy.tumor_events
    assert (events >= 1) if tumor_switch else (events == 0)


def test_msc_clusters_never_transform():
    """MSCs carry no undifferentiated remnant, so no clone can start."""
    model = make_sandbox()
    p = _params(model, **IMMORTAL, transformation_per_cell_h=1.0e-5)
    cluster = GraftCluster(model, (2, 2), p, GraftSource.MSC, 10_000)
    for _ in range(100):
        cluster.step()
    assert cluster.undifferentiated == 0 and not cluster.clones
    assert model.therapy.tumor_events == 0


def test_lungs_clear_intravenous_cells_within_about_three_days(sandbox):
    """Trapped cells fall as exp(-k t); after 72 h under 10 % remain and after long enough none."""
    lungs = LungDepot()
    lungs.receive(GraftSource.MSC, 1.0e6)
    k = sandbox.scenario.transplant.iv_lung_clearance_per_h
    ticks = round(72.0 / sandbox.dt_h)
    for _ in range(ticks):
        lungs.step(sandbox)
    left = lungs.cells[GraftSource.MSC]
    assert left == pytest.approx(1.0e6 * math.exp(-k * ticks * sandbox.dt_h), rel=1e-9)
    assert left < 0.1e6
    for _ in range(ticks * 5):
        lungs.step(sandbox)
    assert GraftSource.MSC not in lungs.cells
