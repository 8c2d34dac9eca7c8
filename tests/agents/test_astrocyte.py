"""Astrocyte: quiescent without cytokine; reactive with it; builds scar up to scar_max."""

import random
import weakref

import numpy as np

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


def test_the_sheet_reacts_all_astrocytes_exactly_as_each_would_alone():
    """The model's vectorised turn (react all, step the scar-forming) equals stepping every
    astrocyte in the same shuffled order: same reactivities, sources, daughters, draws."""
    shuffler = random.Random

    def turns(vectorised: bool):
        model = make_sandbox(seed=7, shape=(12, 6), **{"astrocyte.proliferation_per_h": 0.5})
        rng = np.random.default_rng(1)
        model.fields["cytokine"][:] = rng.uniform(0.0, 0.2, size=(12, 6))
        model.fields["cytokine"][0, :] = 0.0  # quiescent voxels too
        for x in range(12):
            for y in (1, 4):
                cell = Astrocyte(model, (x, y), model.scenario.astrocyte)
                cell.reactivity = 0.0 if x == 0 else float(rng.uniform(0.0, 0.9))
        for turn in range(24):
            order = list(model.agents_by_type[Astrocyte])
            shuffler(turn).shuffle(order)
            if vectorised:
                Astrocyte.step_all(model, [weakref.ref(cell) for cell in order])
            else:
                for cell in order:
                    cell.step()
        cells = list(model.agents_by_type[Astrocyte])
        return (
            [(cell.xy, cell.reactivity) for cell in cells],
            model.fields.source_views["scar"].copy(),
            model.random.random(),
        )

    one_by_one, at_once = turns(False), turns(True)
    assert len(at_once[0]) > 24  # some divided
    assert any(r >= SCAR_FORMING for _, r in at_once[0])
    assert one_by_one[0] == at_once[0]
    np.testing.assert_array_equal(one_by_one[1], at_once[1])
    assert one_by_one[2] == at_once[2]
