"""Schwann cell: denervation turns it into a repair cell; axon contact turns it myelinating."""

import math

import numpy as np

from simulation.agents.mechanisms import vesicles
from simulation.agents.schwann import SchwannCell, SchwannState, turn
from simulation.engine.sheet import DIVIDED, MOVED
from tests.agents.conftest import make_sandbox

STILL = {"speed_um_per_h": 0.0, "proliferation_per_h": 0.0}


def test_only_denervated_schwann_cells_enter_the_repair_state(sandbox):
    """After two days denervated cells are repair cells; innervated ones still myelinate."""
    p = sandbox.scenario.schwann.model_copy(update=STILL)
    cut = [SchwannCell(sandbox, (1, 1), p, denervated=True) for _ in range(30)]
    intact = [SchwannCell(sandbox, (3, 3), p, denervated=False) for _ in range(30)]
    for _ in range(48):
        for c in cut + intact:
            c.step()
    assert sum(c.state is SchwannState.REPAIR for c in cut) >= 25
    assert all(c.state is SchwannState.MYELINATING for c in intact)


def test_repair_cell_secretes_ngf_clears_debris_and_lays_a_band(sandbox):
    """A repair cell adds trophic factor, removes debris and marks its voxel as a band."""
    sandbox.fields["debris"][2, 2] = 1.0
    c = SchwannCell(sandbox, (2, 2), sandbox.scenario.schwann.model_copy(update=STILL), True)
    c.state = SchwannState.REPAIR
    c.step()
    sandbox.fields.apply_sources()
    assert sandbox.fields["trophic"][2, 2] > 0
    assert sandbox.fields["debris"][2, 2] < 1.0
    assert sandbox.band[2, 2] == 1.0  # full capacity on its first day


def test_axon_contact_starts_remyelination_after_a_while(sandbox):
    """A regrown axon in its voxel turns repair cells myelinating at ``redifferentiation_per_h``
    (about a week: few after a day, most after three weeks), and myelin builds. Contact from
    the cell's own territory only (the reach across the nerve: test_physical_units)."""
    p = sandbox.scenario.schwann.model_copy(update=STILL)
    sandbox.axon_reach_territories = 0
    sandbox.axon[1, 1] = 1.0
    cells = [SchwannCell(sandbox, (1, 1), p, True) for _ in range(100)]
    for c in cells:
        c.state = SchwannState.REPAIR

    def turned(hours: int) -> int:
        for _ in range(hours):
            for c in cells:
                c.step()
        return sum(c.state is SchwannState.REMYELINATING for c in cells)

    expected_day_1 = 100 * (1 - math.exp(-p.redifferentiation_per_h * 24))  # ~13
    assert turned(24) < 2 * expected_day_1
    assert turned(24 * 20) > 90
    c = SchwannCell(sandbox, (2, 2), p.model_copy(update={"redifferentiation_per_h": 10.0}), True)
    c.state = SchwannState.REPAIR
    sandbox.axon[2, 2] = 1.0
    c.step()
    assert c.state is SchwannState.REMYELINATING
    for _ in range(24 * 60):  # remyelination takes weeks
        c.step()
    assert 0.5 < sandbox.myelin[2, 2] <= 1.0


def test_a_remyelinating_cell_keeps_clearing_debris(sandbox):
    """Clearance does not stop because an axon arrived (Gaudet et al. 2011): a cell that turned
    remyelinating still eats the myelin debris in its voxel."""
    fast = {**STILL, "redifferentiation_per_h": 10.0}
    c = SchwannCell(sandbox, (2, 2), sandbox.scenario.schwann.model_copy(update=fast), True)
    sandbox.axon_reach_territories = 0  # contact from its own territory only
    c.state = SchwannState.REPAIR
    sandbox.axon[2, 2] = 1.0
    c.step()
    assert c.state is SchwannState.REMYELINATING
    sandbox.fields.apply_sources()
    sandbox.fields["debris"][2, 2] = 1.0
    c.step()
    sandbox.fields.apply_sources()
    assert sandbox.fields["debris"][2, 2] < 1.0


def test_repair_capacity_fades_with_chronic_denervation(sandbox):
    """Capacity falls as exp(-fade·t) while the cell waits in the repair state."""
    p = sandbox.scenario.schwann.model_copy(update=STILL)
    c = SchwannCell(sandbox, (2, 2), p, True)
    c.state = SchwannState.REPAIR
    for _ in range(1000):
        c.step()
    expected = (1 - p.repair_fade_per_h) ** 1000
    assert abs(c.capacity - expected) < 1e-9


def test_remyelinating_cell_wraps_along_one_internode_either_way():
    """Myelin builds up to ``internode_um`` either side along the nerve, no further."""
    sandbox = make_sandbox(**{"schwann.internode_um": 25.0})
    p = sandbox.scenario.schwann.model_copy(update=STILL)
    sandbox.axon[:, 2] = 1.0
    c = SchwannCell(sandbox, (2, 2), p, True)
    c.state = SchwannState.REMYELINATING
    for _ in range(24 * 10):
        c.step()
    assert (sandbox.myelin[1:4, 2] > 0).all()
    assert sandbox.myelin[0, 2] == sandbox.myelin[4, 2] == 0.0
    assert sandbox.band[2, 2] > 0


def test_a_daughter_is_a_denervated_repair_cell_with_her_mothers_capacity():
    """A dividing repair cell's daughter is a denervated repair cell as capable as her mother."""
    model = make_sandbox(seed=1)
    model.fields["cytokine"][:] = 5.0
    p = model.scenario.schwann.model_copy(
        update={"speed_um_per_h": 0.0, "proliferation_per_h": 50.0}
    )
    mother = SchwannCell(model, (2, 2), p, False)
    mother.state = SchwannState.REPAIR
    mother.capacity = 0.7
    mother.step()
    (daughter,) = [c for c in model.agents_by_type[SchwannCell] if c is not mother]
    assert daughter.state is SchwannState.REPAIR and daughter.denervated
    assert daughter.capacity == mother.capacity < 0.7  # faded once, then passed on
    assert daughter.p is p and daughter.cell.coordinate == daughter.xy != mother.xy


def _tissue_with_schwann_cells(seed: int):
    """A 7x5 sandbox: random cytokine, trophic factor and debris, regrown axon (met only in
    a cell's own territory), and
    30 Schwann cells in every state that divide and spread often."""
    model = make_sandbox(seed=seed, shape=(7, 5))
    rng = np.random.default_rng(seed)
    for name in ("cytokine", "trophic", "debris", "ev_ngf"):
        model.fields[name][:] = rng.uniform(0.0, 1.0, size=(7, 5))
    model.axon[:, 2] = 1.0
    model.axon[2:5, 3] = 0.5
    model.axon_reach_territories = 0  # on 5 rows a reach would touch every cell
    model.ev_active = True
    model.vesicle_knobs = vesicles.knobs(model)
    p = model.scenario.schwann.model_copy(
        update={
            "proliferation_per_h": 0.5,
            "speed_um_per_h": 50.0,
            "dedifferentiation_per_h": 0.5,
            "redifferentiation_per_h": 10.0,
        }
    )
    for k in range(30):
        c = SchwannCell(model, (k % 7, k % 4 if k % 4 != 2 else 4), p, denervated=k % 5 != 0)
        c.state = SchwannState(k % 3)
    SchwannCell(model, (3, 2), p, True).state = SchwannState.REPAIR  # meets the axon
    return model


def test_the_compiled_turn_and_its_python_source_give_the_same_tissue():
    """The kernel compiled and run as plain Python (``.py_func``) give identical results."""
    states = []
    for compiled in (True, False):
        model = _tissue_with_schwann_cells(seed=5)
        sheet = model.sheet_of(SchwannCell)
        order = np.random.default_rng(2).permutation(sheet.live_slots())
        u = np.random.default_rng(1).random((order.size, SchwannCell.DRAWS))
        kernel = turn if compiled else turn.py_func
        kernel(order, u, *SchwannCell.kernel_args(model, sheet))
        f = model.fields
        states.append(
            (sheet.x.copy(), sheet.y.copy(), sheet.fate.copy(), sheet.state.copy(),
             sheet.capacity.copy(), sheet.ev.copy(), sheet.ngf.copy(), sheet.daughter_x.copy(),
             sheet.daughter_y.copy(), model.band.copy(), model.myelin.copy(),
             f.sink_views["debris"].copy(), f.source_views["trophic"].copy(),
             f.sink_views["ev_ngf"].copy(), model.occupancy_of(SchwannCell).copy())
        )  # fmt: skip
    for a, b in zip(*states, strict=True):
        np.testing.assert_array_equal(a, b)
    fate, state = states[0][2], states[0][3]
    assert (fate & DIVIDED).any() and (fate & MOVED).any()  # divisions and moves happened
    assert state[30] == SchwannState.REMYELINATING.value  # the repair cell met the axon
    assert states[0][10].sum() > 0  # myelin wrapped


def test_grid_agentsets_and_occupancy_agree_after_many_ticks():
    """After divisions and moves, Mesa's grid, the AgentSet, the sheet and the occupancy counts
    describe the same Schwann cells, and the bands they lay feed the distal support."""
    model = _tissue_with_schwann_cells(seed=9)
    for _ in range(20):
        band = np.zeros((7, 5))
        for a in model.agents_by_type[SchwannCell]:
            if a.state is not SchwannState.MYELINATING:
                band[a.xy] += a.capacity
        model.band[:] = 0.0
        model.schwann_band[:] = 0.0
        SchwannCell.take_turn(model)
    # Each working cell laid a band as strong as its capacity where it stood before it acted.
    np.testing.assert_allclose(model.band, band, rtol=1e-12)
    sheet = model.sheet_of(SchwannCell)
    agents = list(model.agents_by_type[SchwannCell])
    assert len(agents) > 31
    assert sorted(a.slot for a in agents) == sheet.live_slots().tolist()
    occupancy = np.zeros((7, 5), dtype=np.int32)
    for a in agents:
        assert a in a.cell.agents and a.cell.coordinate == a.xy
        occupancy[a.xy] += 1
    np.testing.assert_array_equal(occupancy, model.occupancy_of(SchwannCell))
    assert sum(len(c.agents) for c in model.grid.all_cells) == len(agents)
    model.is_spinal = False
    model.distal_mask[:] = False
    model.distal_mask[4:, :] = True
    model.update_distal_support()
    expected = model.band[4:, :].sum() / occupancy[4:, :].sum()
    assert model.distal_support == expected > 0
