"""Neutrophil: secretes cytokine, climbs its gradient, apoptoses and lingers."""

import numpy as np

from simulation.agents.neutrophil import Neutrophil, turn
from tests.agents.conftest import make_sandbox


def test_active_neutrophil_secretes_cytokine_into_its_voxel(sandbox):
    """After the tick's sources apply, cytokine has appeared where the neutrophil stands."""
    cell = Neutrophil(
        sandbox,
        (2, 2),
        sandbox.scenario.neutrophil.model_copy(update={"speed_um_per_h": 0.0, "lifespan_h": 1e6}),
    )
    cell.step()
    sandbox.fields.apply_sources()
    c = sandbox.fields["cytokine"]
    assert c[2, 2] > 0 and c.sum() == c[2, 2]


def test_neutrophil_climbs_the_cytokine_gradient():
    """With cytokine rising along x, a migrating neutrophil moves to higher x."""
    model = make_sandbox(seed=3)
    model.fields["cytokine"][:] = [[x] * 5 for x in range(5)]
    p = model.scenario.neutrophil.model_copy(update={"speed_um_per_h": 2500.0, "lifespan_h": 1e6})
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


def _tissue_with_neutrophils(seed: int):
    """A 6x5 sandbox with a cytokine gradient and a dozen neutrophils, some apoptotic."""
    model = make_sandbox(seed=seed, shape=(6, 5))
    model.fields["cytokine"][:] = model.rng.random((6, 5))
    p = model.scenario.neutrophil.model_copy(
        update={"speed_um_per_h": 50.0, "lifespan_h": 3.0, "apoptotic_h": 2.0}
    )
    cells = [Neutrophil(model, (int(i % 6), int(i % 5)), p) for i in range(12)]
    for cell in cells[::3]:
        cell.apoptose()
    return model


def test_the_compiled_turn_and_its_python_source_give_the_same_tissue():
    """The kernel compiled and run as plain Python (``.py_func``) give identical results."""
    states = []
    for compiled in (True, False):
        model = _tissue_with_neutrophils(seed=5)
        sheet = model.sheet_of(Neutrophil)
        order = sheet.live_slots()
        u = np.random.default_rng(1).random((order.size, Neutrophil.DRAWS))
        kernel = turn if compiled else turn.py_func
        kernel(order, u, *Neutrophil.kernel_args(model, sheet))
        states.append(
            (sheet.x.copy(), sheet.y.copy(), sheet.fate.copy(), sheet.apoptotic.copy(),
             model.fields.source_views["cytokine"].copy(), model.fields.sink_views["debris"].copy(),
             model.occupancy_of(Neutrophil).copy(), model.apoptotic_neutrophils.copy())
        )  # fmt: skip
    for a, b in zip(*states, strict=True):
        np.testing.assert_array_equal(a, b)
    assert states[0][2].any()  # something happened: deaths, moves or apoptosis


def test_grid_agentsets_and_occupancy_agree_after_many_ticks():
    """After births (recruitment), deaths and moves, Mesa's grid, the AgentSet, the sheet and
    the occupancy counts describe the same neutrophils."""
    model = _tissue_with_neutrophils(seed=9)
    for _ in range(30):
        Neutrophil.take_turn(model)
        Neutrophil(
            model,
            (int(model.rng.integers(6)), int(model.rng.integers(5))),
            model.scenario.neutrophil,
        )
    sheet = model.sheet_of(Neutrophil)
    agents = list(model.agents_by_type[Neutrophil])
    assert sorted(a.slot for a in agents) == sheet.live_slots().tolist()
    occupancy = np.zeros((6, 5), dtype=np.int32)
    apoptotic = np.zeros((6, 5), dtype=np.int32)
    for a in agents:
        assert a in a.cell.agents and a.cell.coordinate == a.xy
        occupancy[a.xy] += 1
        apoptotic[a.xy] += a.apoptotic
    np.testing.assert_array_equal(occupancy, model.occupancy_of(Neutrophil))
    np.testing.assert_array_equal(apoptotic, model.apoptotic_neutrophils)
    assert sum(len(c.agents) for c in model.grid.all_cells) == len(agents)
