"""Neutrophil: secretes cytokine, climbs its gradient, apoptoses and lingers."""

from simulation.agents.neutrophil import Neutrophil
from tests.agents.conftest import make_sandbox


def test_active_neutrophil_secretes_cytokine_into_its_voxel(sandbox):
    """After the tick's sources apply, cytokine has appeared where the neutrophil stands."""
    cell = Neutrophil(
        sandbox,
        (2, 2),
        sandbox.scenario.neutrophil.model_copy(update={"migrate_per_h": 0.0, "lifespan_h": 1e6}),
    )
    cell.step()
    sandbox.fields.apply_sources()
    c = sandbox.fields["cytokine"]
    assert c[2, 2] > 0 and c.sum() == c[2, 2]


def test_neutrophil_climbs_the_cytokine_gradient():
    """With cytokine rising along x, a migrating neutrophil moves to higher x."""
    model = make_sandbox(seed=3)
    model.fields["cytokine"][:] = [[x] * 5 for x in range(5)]
    p = model.scenario.neutrophil.model_copy(update={"migrate_per_h": 100.0, "lifespan_h": 1e6})
    cell = Neutrophil(model, (0, 2), p)
    for _ in range(6):
        cell.step()
    assert cell.xy[0] == 4


def test_neutrophil_apoptoses_then_disappears():
    """A short-lived neutrophil turns apoptotic (counted in its voxel), then is gone."""
    model = make_sandbox()
    p = model.scenario.neutrophil.model_copy(update={"lifespan_h": 0.01, "apoptotic_h": 0.01})
    cell = Neutrophil(model, (1, 1), p)
    cell.step()
    assert cell.apoptotic and model.apoptotic_neutrophils[1, 1] == 1
    cell.step()
    assert model.apoptotic_neutrophils[1, 1] == 0
    assert Neutrophil not in model.agents_by_type or len(model.agents_by_type[Neutrophil]) == 0
