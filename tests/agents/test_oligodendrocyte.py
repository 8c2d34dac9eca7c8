"""Oligodendrocyte: matures when inflammation is low and myelinates bare axon."""

import numpy as np

from simulation.agents.mechanisms import vesicles
from simulation.agents.oligodendrocyte import Oligodendrocyte, turn
from simulation.engine.sheet import DIED
from tests.agents.conftest import make_sandbox


def _matured_share(cytokine: float) -> float:
    model = make_sandbox(seed=4, **{"oligodendrocyte.death_rate_per_h": 0.0})
    model.fields["cytokine"][:] = cytokine
    cells = [Oligodendrocyte(model, (2, 2), model.scenario.oligodendrocyte) for _ in range(200)]
    for _ in range(7 * 24):
        for c in cells:
            c.step()
    return sum(c.mature for c in cells) / len(cells)


def test_inflammation_blocks_maturation():
    """High cytokine lets far fewer precursors mature in a week than none."""
    calm, inflamed = _matured_share(0.0), _matured_share(5.0)
    assert calm > 0.35
    assert inflamed < 0.5 * calm


def test_mature_oligodendrocyte_myelinates_bare_axon(sandbox):
    """A mature cell wraps the axon in its voxel, never beyond the axon present."""
    sandbox.axon[2, 2] = 3.0
    cell = Oligodendrocyte(sandbox, (2, 2), sandbox.scenario.oligodendrocyte)
    cell.mature = True
    for _ in range(24 * 60):
        cell.step()
    assert 2.5 < sandbox.myelin[2, 2] <= 3.0
    assert sandbox.myelin.sum() == sandbox.myelin[2, 2]


def _vesicle_myelin(switch_on: bool, ev: float) -> float:
    """Myelin a mature cell wraps in a day, bathed in ``ev`` vesicles, with the EV
    remyelination switch on or off."""
    model = make_sandbox(**{"mechanisms.ev_remyelination": switch_on})
    model.axon[2, 2] = 1.0
    model.fields["ev"][2, 2] = ev
    model.ev_active = ev > 0.0
    model.vesicle_knobs = vesicles.knobs(model)
    p = model.scenario.oligodendrocyte.model_copy(update={"death_rate_per_h": 0.0})
    cell = Oligodendrocyte(model, (2, 2), p)
    cell.mature = True
    for _ in range(24):
        cell.step()
    if ev > 0.0:
        assert cell.ev_signal > 0.0
    return float(model.myelin[2, 2])


def test_vesicles_speed_myelination_only_with_their_switch():
    """Vesicles taken up make a mature cell myelinate faster; with the switch off, no faster."""
    dry = _vesicle_myelin(True, 0.0)
    assert _vesicle_myelin(True, 5.0) > 1.05 * dry
    assert _vesicle_myelin(False, 5.0) == dry


def _tissue_with_oligodendrocytes(seed: int):
    """A 6x5 sandbox: random cytokine and axon, 30 precursors and mature cells that die often."""
    model = make_sandbox(seed=seed, shape=(6, 5))
    rng = np.random.default_rng(seed)
    model.fields["cytokine"][:] = rng.uniform(0.0, 3.0, size=(6, 5))
    model.fields["cytokine"][0, :] = 0.0  # no inflammation here
    model.axon[:] = rng.uniform(0.0, 2.0, size=(6, 5))
    model.fields["ev"][:] = rng.uniform(0.0, 2.0, size=(6, 5))
    model.ev_active = True
    model.vesicle_knobs = vesicles.knobs(model)
    p = model.scenario.oligodendrocyte.model_copy(
        update={"death_rate_per_h": 0.3, "differentiation_per_h": 0.3, "myelination_per_h": 0.2}
    )
    cells = [Oligodendrocyte(model, (k % 6, k % 5), p) for k in range(30)]
    for cell in cells[::2]:
        cell.mature = True
    return model


def test_the_compiled_turn_and_its_python_source_give_the_same_tissue():
    """The kernel compiled and run as plain Python (``.py_func``) give identical results."""
    states = []
    for compiled in (True, False):
        model = _tissue_with_oligodendrocytes(seed=5)
        sheet = model.sheet_of(Oligodendrocyte)
        order = np.random.default_rng(2).permutation(sheet.live_slots())
        u = np.random.default_rng(1).random((order.size, Oligodendrocyte.DRAWS))
        kernel = turn if compiled else turn.py_func
        kernel(order, u, *Oligodendrocyte.kernel_args(model, sheet))
        states.append(
            (sheet.fate.copy(), sheet.mature.copy(), sheet.ev.copy(), sheet.ngf.copy(),
             model.myelin.copy(), model.fields.sink_views["ev"].copy(),
             model.occupancy_of(Oligodendrocyte).copy())
        )  # fmt: skip
    for a, b in zip(*states, strict=True):
        np.testing.assert_array_equal(a, b)
    assert (states[0][0] & DIED).any()  # deaths happened
    assert states[0][4].sum() > 0 and states[0][2].any()  # myelin wrapped, vesicles taken up


def test_grid_agentsets_and_occupancy_agree_after_many_ticks():
    """After deaths, Mesa's grid, the AgentSet, the sheet and the occupancy counts describe the
    same oligodendrocytes."""
    model = _tissue_with_oligodendrocytes(seed=9)
    for _ in range(5):
        Oligodendrocyte.take_turn(model)
    sheet = model.sheet_of(Oligodendrocyte)
    agents = list(model.agents_by_type[Oligodendrocyte])
    assert 0 < len(agents) < 30
    assert sorted(a.slot for a in agents) == sheet.live_slots().tolist()
    occupancy = np.zeros((6, 5), dtype=np.int32)
    for a in agents:
        assert a in a.cell.agents and a.cell.coordinate == a.xy
        occupancy[a.xy] += 1
    np.testing.assert_array_equal(occupancy, model.occupancy_of(Oligodendrocyte))
    assert sum(len(c.agents) for c in model.grid.all_cells) == len(agents)
