"""Astrocyte: quiescent without cytokine; reactive with it; builds scar up to scar_max."""

from simulation.agents.astrocyte import SCAR_FORMING, Astrocyte
from tests.agents.conftest import make_sandbox

STILL = {"migrate_per_h": 0.0, "proliferation_per_h": 0.0}


def test_astrocyte_stays_quiescent_without_cytokine(sandbox):
    """No cytokine: no reactivity, no scar, no daughters after two weeks."""
    a = Astrocyte(sandbox, (2, 2), sandbox.scenario.astrocyte)
    for _ in range(14 * 24):
        a.step()
        sandbox.fields.apply_sources()
    assert a.reactivity == 0.0 and sandbox.fields["scar"].sum() == 0.0
    assert len(sandbox.agents_by_type[Astrocyte]) == 1


def test_cytokine_makes_astrocytes_reactive_over_days_and_they_build_scar(sandbox):
    """In cytokine an astrocyte turns scar-forming within days and deposits scar toward max."""
    sandbox.fields["cytokine"][:] = 1.0
    a = Astrocyte(sandbox, (2, 2), sandbox.scenario.astrocyte.model_copy(update=STILL))
    hours_to_reactive = None
    for hour in range(1, 30 * 24):
        a.step()
        sandbox.fields.apply_sources()
        if hours_to_reactive is None and a.reactivity >= SCAR_FORMING:
            hours_to_reactive = hour
    assert hours_to_reactive is not None and 24 <= hours_to_reactive <= 10 * 24
    scar = sandbox.fields["scar"][2, 2]
    assert 0.8 * a.p.scar_max < scar <= a.p.scar_max + 1e-9


def test_reactive_astrocytes_proliferate_up_to_the_crowding_limit():
    """Dividing astrocytes never put more than max_per_voxel in one voxel."""
    model = make_sandbox(seed=2, **{"astrocyte.proliferation_per_h": 0.5})
    model.fields["cytokine"][:] = 2.0
    first = Astrocyte(model, (2, 2), model.scenario.astrocyte)
    first.reactivity = 1.0
    for _ in range(100):
        for a in list(model.agents_by_type[Astrocyte]):
            a.step()
    assert len(model.agents_by_type[Astrocyte]) > 5
    assert model.occupancy_of(Astrocyte).max() <= model.scenario.astrocyte.max_per_voxel
