"""GrowthCone: climbs trophic gradients, stalls and collapses on scar, enters the distal tract."""

from collections import Counter

import numpy as np
import pytest

from simulation.agents.growth_cone import ARRIVED, MAX_STEPS, GrowthCone, GrowthConeSheet, turn
from simulation.agents.mechanisms import vesicles
from simulation.agents.neuron import Neuron
from simulation.engine.sheet import MOVED
from tests.agents.conftest import make_sandbox


def _cone(model, xy=(0, 2)):
    neuron = Neuron(model, xy, model.scenario.neuron)
    neuron.cone = GrowthCone(model, xy, model.scenario.growth_cone, neuron)
    return neuron.cone


def test_cone_waits_out_its_latency_then_extends():
    """No movement before the latency; then it advances along x and lays down axon.

    About four steps in 20 h, four in five of them forward or diagonally forward: over eight
    seeds the mean advance along x is at least two voxels (one seed alone may wander).
    """
    advances = []
    for seed in range(8):
        model = make_sandbox(seed=seed, **{"growth_cone.latency_h": 3.0})
        model.fields["trophic"][:] = 1.0
        cone = _cone(model)
        for _ in range(2):
            cone.step()
        assert cone.xy == (0, 2)
        for _ in range(20):
            cone.step()
        advances.append(cone.xy[0])
        assert model.axon.sum() == len(cone.path) > 0
    assert np.mean(advances) >= 2


def test_cone_steers_up_the_trophic_gradient():
    """With trophic factor only on the upper side, most steps go up in y."""
    moves = Counter()
    for seed in range(60):
        model = make_sandbox(seed=seed, **{"growth_cone.latency_h": 0.0})
        model.fields["trophic"][:, 3:] = 1.0
        cone = _cone(model, (1, 2))
        while cone.xy == (1, 2):
            cone.step()
        moves[cone.xy[1] - 2] += 1
    assert moves[1] > moves[-1] + moves[0]


def test_scar_at_stall_level_blocks_the_cone():
    """A wall of scar at the stall level ahead stops the cone; it never crosses it."""
    model = make_sandbox(**{"growth_cone.latency_h": 0.0, "growth_cone.collapse_rate_per_h": 0.0})
    model.fields["trophic"][:] = 1.0
    model.fields["scar"][2, :] = model.scenario.growth_cone.scar_stall
    cone = _cone(model)
    for _ in range(100):
        cone.step()
    assert cone.xy[0] <= 1


def test_scar_collapses_and_retracts_a_cone():
    """On heavy scar with a high collapse rate the cone retracts along its own path."""
    model = make_sandbox(**{"growth_cone.latency_h": 0.0})
    model.fields["trophic"][:] = 1.0
    cone = _cone(model)
    for _ in range(30):
        if cone.xy[0] >= 3:
            break
        cone.step()
    assert cone.xy[0] >= 3
    before = len(cone.path)
    model.fields["scar"][cone.xy] = 0.5
    cone.p = cone.p.model_copy(update={"collapse_rate_per_h": 50.0})  # collapse surely
    cone.step()
    assert len(cone.path) < before
    assert model.axon.sum() == len(cone.path)


def test_cone_leaving_the_grid_enters_the_distal_tract_and_reaches_the_muscle():
    """At the distal edge the cone enters the tract and, after distal_path_um, reinnervates."""
    model = make_sandbox(
        **{
            "growth_cone.latency_h": 0.0,
            "injury.distal_path_um": 500.0,
            "injury.type": "peripheral",
        }
    )
    model.fields["trophic"][:] = 1.0
    cone = _cone(model, (4, 2))
    for _ in range(5):
        cone.step()
    assert cone.in_distal_tract and cone.bridged
    for _ in range(200):
        cone.step()
    assert cone.arrived and model.muscle.axons_arrived == 1


def test_a_cone_extends_at_most_max_steps_voxels_a_tick():
    """However fast it could grow, a cone makes at most MAX_STEPS steps in one tick."""
    model = make_sandbox(
        shape=(30, 5),
        **{"growth_cone.latency_h": 0.0, "time.dt_h": 6.0, "cns.intrinsic_growth": 1.0},
    )
    model.fields["trophic"][:] = 1.0
    cone = _cone(model)
    fast = {"speed_um_per_h": 200.0, "lateral_weight": 0.0, "guidance_boost": 0.0}
    cone.p = cone.p.model_copy(update=fast)  # ~45 voxels' growth in one 6-hour tick
    cone.step()
    assert len(cone.path) == MAX_STEPS and cone.xy[0] == MAX_STEPS


def test_a_long_axon_widens_the_path_rows_and_keeps_every_voxel():
    """A path longer than the sheet's first row width is kept whole (the rows widen)."""
    model = make_sandbox(shape=(60, 5), **{"growth_cone.latency_h": 0.0})
    model.fields["trophic"][:] = 1.0
    cone = _cone(model)
    for _ in range(160):
        if cone.in_distal_tract:
            break
        cone.step()
    path = cone.path
    assert len(path) > GrowthConeSheet.PATH_WIDTH and cone.xy == path[-1]
    assert model.sheet_of(GrowthCone).path_width >= len(path)
    axon = np.zeros_like(model.axon)
    for xy in path:
        axon[xy] += 1
    np.testing.assert_array_equal(axon, model.axon)


def test_withdraw_by_hand_removes_the_axon_and_the_cone():
    """withdraw(): the regrown path degenerates (with its myelin), the cone leaves, and an
    arrived axon no longer supplies the muscle."""
    model = make_sandbox(
        **{"growth_cone.latency_h": 0.0, "injury.distal_path_um": 50.0, "injury.type": "peripheral"}
    )
    model.fields["trophic"][:] = 1.0
    cone = _cone(model, (1, 2))
    for _ in range(40):
        cone.step()
    assert cone.arrived and model.muscle.axons_arrived == 1 and model.axon.sum() > 0
    model.myelin[:] = 0.5 * model.axon
    neuron = cone.neuron
    cone.withdraw()
    assert model.axon.sum() == 0 and model.myelin.sum() == 0
    assert model.muscle.axons_arrived == 0 and neuron.cone is None
    assert GrowthCone not in model.agents_by_type or not model.agents_by_type[GrowthCone]
    assert model.occupancy_of(GrowthCone).sum() == 0


def _tissue_with_cones(seed: int):
    """An 8x6 sandbox with random trophic factor, a band of scar, vesicles, and ten cones
    spread over it (some at the distal edge), each with its neuron."""
    model = make_sandbox(
        seed=seed,
        shape=(8, 6),
        **{
            "growth_cone.latency_h": 0.0,
            "injury.distal_path_um": 60.0,
            "injury.type": "peripheral",
        },
    )
    model.fields["trophic"][:] = model.rng.random((8, 6))
    model.fields["scar"][3:5, :] = 0.3
    model.fields["ev"][:] = 0.5
    model.fields["ev_ngf"][:] = 0.5
    model.ev_active = True
    model.vesicle_knobs = vesicles.knobs(model)
    model.band[5:, :] = 0.5
    model.relay[2, :] = 1
    p = model.scenario.growth_cone.model_copy(update={"collapse_rate_per_h": 1.0})
    for i in range(10):
        neuron = Neuron(model, (0, i % 6), model.scenario.neuron)
        GrowthCone(model, (int(i * 5 % 8), i % 6), p, neuron)
    return model


def test_the_compiled_turn_and_its_python_source_give_the_same_tissue():
    """Over a dozen ticks of extension, collapse and retraction, the distal tract and arrival,
    the kernel compiled and run as plain Python (``.py_func``) give identical results."""
    states = []
    for kernel in (turn, turn.py_func):
        model = _tissue_with_cones(seed=4)
        sheet = model.sheet_of(GrowthCone)
        rng = np.random.default_rng(2)
        fates = 0
        retracted = relayed = False
        for _ in range(12):
            order = sheet.live_slots()
            before = sheet.path_len.copy()
            u = rng.random((order.size, GrowthCone.DRAWS))
            sheet.fate[order] = 0
            kernel(order, u, *GrowthCone.kernel_args(model, sheet))
            fates |= np.bitwise_or.reduce(sheet.fate[order])
            retracted |= bool((sheet.path_len[: sheet.n] < before[: sheet.n]).any())
            relayed |= bool(sheet.relayed[order].any())
        n = sheet.n
        states.append(
            [getattr(sheet, name)[:n].copy() for name in sheet._columns()]
            + [model.axon.copy(), model.myelin.copy(), model.occupancy_of(GrowthCone).copy()]
            + [model.fields.source_views["trophic"].copy(), model.fields.sink_views["ev"].copy()]
        )
        assert fates & MOVED and fates & ARRIVED and retracted  # every rule was exercised
        assert sheet.in_distal_tract.any() and relayed and sheet.ngf.any()
    for a, b in zip(*states, strict=True):
        np.testing.assert_array_equal(a, b)


def test_grid_agentsets_and_occupancy_agree_after_many_ticks():
    """After moves, retractions, arrivals and neuron deaths, Mesa's grid, the AgentSets, the
    sheets, the neuron-cone links, the occupancy counts and the axon layer agree."""
    model = _tissue_with_cones(seed=7)
    model.fields["cytokine"][:] = 2.0
    model.fields["trophic"][0, :] = 0.0  # the somata
    model.fields["ev"][:] = model.fields["ev_ngf"][:] = 0.0  # no neuroprotection
    frail = model.scenario.neuron.model_copy(update={"death_rate_per_h": 0.1})
    for neuron in list(model.agents_by_type[Neuron]):
        neuron.p = frail
    for tick in range(40):
        Neuron.take_turn(model)
        GrowthCone.take_turn(model)
        if tick % 5 == 0:  # a new neuron and its cone
            xy = (int(model.rng.integers(8)), int(model.rng.integers(6)))
            GrowthCone(
                model, xy, model.scenario.growth_cone, Neuron(model, xy, model.scenario.neuron)
            )
    assert model.neurons_lost > 0 and model.muscle.axons_arrived > 0
    for kind in (Neuron, GrowthCone):
        sheet = model.sheet_of(kind)
        agents = list(model.agents_by_type[kind])
        assert sorted(a.slot for a in agents) == sheet.live_slots().tolist()
        occupancy = np.zeros((8, 6), dtype=np.int32)
        for a in agents:
            assert a in a.cell.agents and a.cell.coordinate == a.xy
            occupancy[a.xy] += 1
        np.testing.assert_array_equal(occupancy, model.occupancy_of(kind))
    cones = list(model.agents_by_type[GrowthCone])
    assert len(cones) == len(model.agents_by_type[Neuron])
    assert all(c.neuron.cone is c for c in cones)
    axon = np.zeros_like(model.axon)
    for c in cones:
        for xy in c.path:
            axon[xy] += 1
    np.testing.assert_allclose(axon, model.axon)
    arrived = sum(c.arrived for c in cones)
    assert model.muscle.axons_arrived == arrived
    assert sum(len(c.agents) for c in model.grid.all_cells) == len(cones) + len(
        model.agents_by_type[Neuron]
    )


def test_speed_rule_reads_its_trophic_floor_and_step_preferences_from_the_scenario():
    """Without trophic factor a cone keeps ``trophic_floor`` of its supported speed, and the
    base preference of a forward or diagonal step is ``forward_weight`` or ``diagonal_weight``."""
    from simulation.agents.growth_cone import PARAMS, speed_um_per_h, step_weight

    def row(**update):
        sheet = GrowthConeSheet()
        group = make_sandbox().scenario.growth_cone.model_copy(update=update)
        sheet.set_params(0, group)
        return sheet.params[0]

    speed = speed_um_per_h.py_func
    # no trophic factor, cytokine, scar, debris or band; a permissive substrate
    args = (0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    p = row()
    top, guidance = (p[PARAMS.index(k)] for k in ("speed_um_per_h", "guidance_boost"))
    unguided = top / (1.0 + guidance)  # off the repair bands
    assert speed(*args, p, 1.0) == pytest.approx(0.2 * unguided)
    assert speed(*args, row(trophic_floor=0.5), 1.0) == pytest.approx(0.5 * unguided)
    zeros = np.zeros((4, 4))
    weight = step_weight.py_func
    p = row(forward_weight=2.0, diagonal_weight=0.25)
    assert weight(0, 1, 1, zeros, zeros, zeros, p, 4, 25.0) == 2.0
    assert weight(1, 1, 1, zeros, zeros, zeros, p, 4, 25.0) == 0.25


def _advance_um(tissue: str, seed: int, hours: int = 60, **overrides) -> float:
    """How far a cone grows in ``hours`` through intact CNS white matter, graft-filled tissue
    or plain tissue (a spinal sandbox, trophic factor everywhere)."""
    from simulation.agents.graft import GraftCluster, GraftSource

    model = make_sandbox(seed=seed, shape=(40, 5), **{"growth_cone.latency_h": 0.0, **overrides})
    model.fields["trophic"][:] = 1.0
    if tissue == "white matter":
        model.intact_myelin[:] = 1.0
    elif tissue == "graft":
        p = model.scenario.transplant.model_copy(update={"bridge_reach_um": 1000.0})
        GraftCluster(model, (20, 2), p, GraftSource.NPC, 50_000).step()
    cone = _cone(model)
    for _ in range(hours):
        cone.step()
    return cone.regrown_um


def test_a_cone_stalls_in_intact_cns_white_matter_and_grows_on_graft_substrate():
    """Over six seeds a cone grows less than half as far through intact CNS white matter
    (its myelin inhibitors) as through tissue a graft has filled with permissive substrate;
    with ``cns_myelin_inhibition`` off, white matter is plain tissue."""
    seeds = range(6)
    white = np.mean([_advance_um("white matter", s) for s in seeds])
    graft = np.mean([_advance_um("graft", s) for s in seeds])
    plain = np.mean([_advance_um("plain", s) for s in seeds])
    switch_off = {"mechanisms.cns_myelin_inhibition": False}
    off = np.mean([_advance_um("white matter", s, **switch_off) for s in seeds])
    assert white < 0.5 * graft
    assert graft > plain > white
    assert off == plain


def _straight_cone_um(dx_um: float, hours: int, slow_from_um: float, slow: float) -> tuple:
    """A cone that can only step forward through plain tissue whose substrate drops to ``slow``
    from ``slow_from_um`` past the cut on; its regrowth after ``hours`` and its top speed."""
    from simulation.agents.growth_cone import speed_um_per_h

    width = round(600.0 / dx_um)
    model = make_sandbox(
        shape=(width, 3),
        **{
            "grid.dx_um": dx_um,
            "growth_cone.latency_h": 0.0,
            "growth_cone.lateral_weight": 0.0,
            "growth_cone.diagonal_weight": 0.0,
        },
    )
    model.fields["trophic"][:] = 1.0
    model.substrate[1 + round(slow_from_um / dx_um) :, :] = slow
    cone = _cone(model, (0, 1))
    p = model.sheet_of(GrowthCone).params[cone.slot]
    top = speed_um_per_h.py_func(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, p, model.growth_capacity)
    for _ in range(hours):
        cone.step()
    return cone.regrown_um, top


@pytest.mark.parametrize("hours", [1, 2, 3, 7])
def test_a_cone_meets_a_slow_voxel_where_it_begins_whatever_the_voxel_size(hours):
    """Analytic: growing at the top speed v to a boundary D past the cut, then at ``slow`` x v,
    a cone has come v t (t <= D / v) or D + slow v (t - D / v) after t hours, exactly (to
    rounding), on 50, 25 and 12.5 µm voxels: the tick's time is spent voxel by voxel, each at
    its own voxel's speed, from the cut at the far side of the voxel the cone started in."""
    slow_from_um, slow = 100.0, 0.2
    for dx_um in (50.0, 25.0, 12.5):
        got, v = _straight_cone_um(dx_um, hours, slow_from_um, slow)
        t_edge = slow_from_um / v
        want = v * hours if hours <= t_edge else slow_from_um + slow * v * (hours - t_edge)
        assert got == pytest.approx(want, rel=1e-9), (dx_um, got, want)
