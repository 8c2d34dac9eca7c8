"""Mesa holds the cells: after any sequence of births, deaths, moves and turns, Mesa's grid,
the model's AgentSets, each type's sheet and occupancy counts describe the same cells.

Hypothesis draws random event sequences over the immune and glial types (their turns kill,
move and divide cells) in a small inflamed, debris-filled sandbox."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.agents.astrocyte import Astrocyte
from simulation.agents.macrophage import Macrophage
from simulation.agents.neutrophil import Neutrophil
from simulation.agents.oligodendrocyte import Oligodendrocyte
from simulation.agents.schwann import SchwannCell
from tests.agents.conftest import make_sandbox

KINDS = (Neutrophil, Macrophage, Astrocyte, Oligodendrocyte, SchwannCell)
SHAPE = (6, 4)
FAST = {
    "neutrophil.speed_um_per_h": 75.0,
    "neutrophil.lifespan_h": 3.0,
    "neutrophil.apoptotic_h": 3.0,
    "macrophage.death_rate_per_h": 0.2,
    "macrophage.speed_um_per_h": 75.0,
    "astrocyte.activation_per_h": 1.0,
    "astrocyte.proliferation_per_h": 0.5,
    "astrocyte.speed_um_per_h": 50.0,
    "oligodendrocyte.death_rate_per_h": 0.5,
    "schwann.dedifferentiation_per_h": 1.0,
    "schwann.proliferation_per_h": 0.5,
    "schwann.speed_um_per_h": 50.0,
}

voxel = st.tuples(st.integers(0, SHAPE[0] - 1), st.integers(0, SHAPE[1] - 1))
event = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(KINDS), voxel),
    st.tuples(st.just("turn"), st.sampled_from(KINDS), st.just(None)),
    st.tuples(st.just("tick"), st.just(None), st.just(None)),
    st.tuples(st.just("remove"), st.sampled_from(KINDS), st.integers(0, 50)),
    st.tuples(st.just("move"), st.sampled_from(KINDS), st.tuples(st.integers(0, 50), voxel)),
)


def _sandbox(seed: int):
    model = make_sandbox(seed=seed, shape=SHAPE, **FAST)
    model.fields["cytokine"][:] = np.linspace(0.2, 2.0, SHAPE[0] * SHAPE[1]).reshape(SHAPE)
    model.fields["debris"][:] = 0.5
    return model


def _new(model, kind, xy):
    params = getattr(model.scenario, {SchwannCell: "schwann"}.get(kind, kind.__name__.lower()))
    if kind is SchwannCell:
        return SchwannCell(model, xy, params, denervated=True)
    return kind(model, xy, params)


def _check(model):
    everyone = []
    for kind in KINDS:
        agents = list(model.agents_by_type.get(kind, []))
        everyone += agents
        sheet = model.sheet_of(kind)
        assert sorted(a.slot for a in agents) == sheet.live_slots().tolist()
        assert sheet.live == len(agents)
        occupancy = np.zeros(SHAPE, dtype=np.int32)
        for a in agents:
            assert sheet.agents[a.slot] is a
            assert a.cell.coordinate == a.xy and a in a.cell.agents
            occupancy[a.xy] += 1
        np.testing.assert_array_equal(occupancy, model.occupancy_of(kind), err_msg=kind.__name__)
    on_grid = [a for c in model.grid.all_cells for a in c.agents]
    assert sorted(map(id, on_grid)) == sorted(map(id, everyone))
    for c in model.grid.all_cells:
        assert bool(model.grid.empty.data[c.coordinate]) == (not c.agents)
    apoptotic = np.zeros(SHAPE, dtype=np.int32)
    for a in model.agents_by_type.get(Neutrophil, []):
        apoptotic[a.xy] += a.apoptotic
    np.testing.assert_array_equal(apoptotic, model.apoptotic_neutrophils)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), events=st.lists(event, min_size=1, max_size=60))
def test_grid_agentsets_sheets_and_counts_agree_after_any_events(seed, events):
    """Whatever happens, in whatever order, the four records of who is where agree."""
    model = _sandbox(seed)
    for what, kind, arg in events:
        if what == "add":
            _new(model, kind, arg)
        elif what == "turn":
            kind.take_turn(model)
        elif what == "tick":
            model.step()
        else:
            agents = list(model.agents_by_type.get(kind, []))
            if not agents:
                continue
            if what == "remove":
                agents[arg % len(agents)].die()
            else:
                k, xy = arg
                agents[k % len(agents)].move_to_voxel(xy)
        _check(model)
