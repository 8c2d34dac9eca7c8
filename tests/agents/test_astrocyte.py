"""Astrocyte: quiescent without cytokine; reactive with it; builds scar up to scar_max."""

import numpy as np

from simulation.agents.astrocyte import Astrocyte, turn
from simulation.engine.sheet import DIVIDED, MOVED
from tests.agents.conftest import make_sandbox

STILL = {"speed_um_per_h": 0.0, "proliferation_per_h": 0.0}


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
        if hours_to_reactive is None and a.reactivity >= a.p.scar_forming_reactivity:
            hours_to_reactive = hour
    assert hours_to_reactive is not None and 24 <= hours_to_reactive <= 10 * 24
    scar = sandbox.fields["scar"][2, 2]
    assert 0.8 * a.p.scar_max < scar <= a.p.scar_max + 1e-9


def test_reactive_astrocytes_proliferate_up_to_the_crowding_limit():
    """Dividing astrocytes never crowd a voxel past max_per_mm2."""
    model = make_sandbox(seed=2, **{"astrocyte.proliferation_per_h": 0.5})
    model.fields["cytokine"][:] = 2.0
    first = Astrocyte(model, (2, 2), model.scenario.astrocyte)
    first.reactivity = 1.0
    for _ in range(100):
        for a in list(model.agents_by_type[Astrocyte]):
            a.step()
    assert len(model.agents_by_type[Astrocyte]) > 5
    assert (
        model.occupancy_of(Astrocyte).max()
        <= model.scenario.astrocyte.max_per_mm2 * model.voxel_area_mm2
    )


def _tissue_with_astrocytes(seed: int):
    """An 8x6 sandbox: random cytokine, a debris-filled core at x >= 6, two dozen astrocytes of
    mixed reactivity (some quiescent) that divide and migrate often."""
    model = make_sandbox(
        seed=seed,
        shape=(8, 6),
        **{"astrocyte.proliferation_per_h": 0.5, "astrocyte.speed_um_per_h": 25.0},
    )
    rng = np.random.default_rng(seed)
    model.fields["cytokine"][:] = rng.uniform(0.0, 2.0, size=(8, 6))
    model.fields["cytokine"][0, :] = 0.0  # quiescent voxels too
    model.fields["debris"][6:, :] = 2.0 * model.scenario.astrocyte.core_debris_au
    model.fields["scar"][:] = rng.uniform(0.0, 1.2, size=(8, 6))
    for k in range(24):
        cell = Astrocyte(model, (k % 6, k // 4), model.scenario.astrocyte)
        cell.reactivity = 0.0 if k % 6 == 0 else float(rng.uniform(0.3, 1.0))
    return model


def test_the_compiled_turn_and_its_python_source_give_the_same_tissue():
    """The kernel compiled and run as plain Python (``.py_func``) give identical results."""
    states = []
    for compiled in (True, False):
        model = _tissue_with_astrocytes(seed=5)
        sheet = model.sheet_of(Astrocyte)
        order = np.random.default_rng(2).permutation(sheet.live_slots())
        u = np.random.default_rng(1).random((order.size, Astrocyte.DRAWS))
        kernel = turn if compiled else turn.py_func
        kernel(order, u, *Astrocyte.kernel_args(model, sheet))
        states.append(
            (sheet.x.copy(), sheet.y.copy(), sheet.fate.copy(), sheet.r.copy(),
             sheet.daughter_x.copy(), sheet.daughter_y.copy(),
             model.fields.source_views["cytokine"].copy(), model.fields.source_views["scar"].copy(),
             model.occupancy_of(Astrocyte).copy())
        )  # fmt: skip
    for a, b in zip(*states, strict=True):
        np.testing.assert_array_equal(a, b)
    fate = states[0][2]
    assert (fate & DIVIDED).any() and (fate & MOVED).any()  # divisions and moves happened


def test_astrocytes_never_divide_or_move_into_the_core():
    """However often they divide and migrate, no astrocyte enters debris-filled core."""
    model = _tissue_with_astrocytes(seed=3)
    for _ in range(40):
        Astrocyte.take_turn(model)
    assert model.occupancy_of(Astrocyte)[6:, :].sum() == 0
    assert len(model.agents_by_type[Astrocyte]) > 24


def test_a_daughter_is_as_reactive_as_her_mother():
    """A reactive astrocyte's daughter starts with her mother's reactivity and parameters."""
    model = make_sandbox(seed=1)
    model.fields["cytokine"][:] = 2.0
    p = model.scenario.astrocyte.model_copy(
        update={"speed_um_per_h": 0.0, "proliferation_per_h": 50.0}
    )
    mother = Astrocyte(model, (2, 2), p)
    mother.reactivity = 0.9
    mother.step()
    (daughter,) = [a for a in model.agents_by_type[Astrocyte] if a is not mother]
    assert daughter.reactivity == mother.reactivity and daughter.p is p
    assert daughter.xy != mother.xy and daughter.cell.coordinate == daughter.xy


def test_grid_agentsets_and_occupancy_agree_after_many_ticks():
    """After divisions and moves, Mesa's grid, the AgentSet, the sheet and the occupancy counts
    describe the same astrocytes."""
    model = _tissue_with_astrocytes(seed=9)
    for _ in range(30):
        Astrocyte.take_turn(model)
    sheet = model.sheet_of(Astrocyte)
    agents = list(model.agents_by_type[Astrocyte])
    assert len(agents) > 24
    assert sorted(a.slot for a in agents) == sheet.live_slots().tolist()
    occupancy = np.zeros((8, 6), dtype=np.int32)
    for a in agents:
        assert a in a.cell.agents and a.cell.coordinate == a.xy
        occupancy[a.xy] += 1
    np.testing.assert_array_equal(occupancy, model.occupancy_of(Astrocyte))
    assert occupancy.max() <= model.scenario.astrocyte.max_per_mm2 * model.voxel_area_mm2
    assert sum(len(c.agents) for c in model.grid.all_cells) == len(agents)


def test_scar_forming_threshold_comes_from_the_scenario(sandbox):
    """An astrocyte below ``scar_forming_reactivity`` lays no scar; lowering it, one does."""
    sandbox.fields["cytokine"][:] = 1.0
    cells = {}
    for xy, threshold in (((1, 1), 0.99), ((3, 3), 0.01)):
        update = {**STILL, "scar_forming_reactivity": threshold}
        cells[xy] = Astrocyte(sandbox, xy, sandbox.scenario.astrocyte.model_copy(update=update))
    for _ in range(12):
        for a in cells.values():
            a.step()
        sandbox.fields.apply_sources()
    assert sandbox.fields["scar"][1, 1] == 0.0 < sandbox.fields["scar"][3, 3]
