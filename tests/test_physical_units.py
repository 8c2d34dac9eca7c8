"""The model's rules are in physical units: what they do does not depend on the voxel size.

Each test sets the same tissue up at the default 25 µm voxels and at 12.5 µm (four times the
voxels) and checks one rule: a cell's secretion is an amount over its territory, densities and
recruitment are per mm², crawling speeds are µm/h, doses spread over the lesion, the enzyme acts
where it was injected and fades with its half-life. The whole-model check is
``tests/test_convergence.py``.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.agents.astrocyte import Astrocyte
from simulation.agents.macrophage import Macrophage
from simulation.agents.neutrophil import Neutrophil
from simulation.engine.moves import MAX_MOVES, moves_this_tick
from simulation.fields import FieldSet, FieldSpec
from simulation.fields.fieldset import (
    spread_over_blocks,
    spread_over_territory,
    territory_overlap,
    territory_weights,
)
from simulation.scenario.schema import (
    CELL_TERRITORY_UM2,
    Scenario,
    ScenarioError,
    validate_scenario,
)
from simulation.scenario.therapy_params import Chondroitinase, EVTherapy
from simulation.tissue.model import NerveRepairModel
from simulation.tissue.therapies import Event, deliver

COARSE_UM, FINE_UM = 25.0, 12.5


def _refined(scenario: Scenario, dx_um: float) -> Scenario:
    """The same tissue as ``scenario`` with voxels of edge ``dx_um``."""
    g = scenario.grid
    k = g.dx_um / dx_um
    return scenario.with_overrides(
        {
            "grid.dx_um": dx_um,
            "grid.width_voxels": round(g.width_voxels * k),
            "grid.height_voxels": round(g.height_voxels * k),
        }
    )


# ------------------------------------------------------------------ territories
@pytest.mark.parametrize("cell_scale", [0.25, 1.0, 2.0, 4.0, 6.25, 9.0, 16.0])
def test_a_territory_covers_its_area(cell_scale):
    """The overlap shares along one axis sum to the territory's width; the weights to 1."""
    overlap = territory_overlap(cell_scale)
    assert overlap.sum() == pytest.approx(math.sqrt(cell_scale))
    assert territory_weights(cell_scale).sum() == pytest.approx(1.0)
    assert len(overlap) % 2 == 1 and np.allclose(overlap, overlap[::-1])


@settings(max_examples=30, deadline=None)
@given(
    x=st.integers(0, 9),
    y=st.integers(0, 6),
    cell_scale=st.sampled_from([1.0, 4.0, 6.25, 16.0]),
)
def test_spreading_over_a_territory_conserves_the_amount(x, y, cell_scale):
    """A cell's write, spread over its territory (edges folded back), keeps its amount:
    ``cell_scale`` times what it wrote, in voxel units."""
    values = np.zeros((10, 7))
    values[x, y] = 2.0
    spread = spread_over_territory(values, cell_scale)
    assert spread.sum() == pytest.approx(2.0 * cell_scale)
    assert (spread >= 0).all()


@pytest.mark.parametrize("dx_um", [COARSE_UM, FINE_UM, 50.0])
def test_one_cell_secretes_the_same_amount_at_any_voxel_size(dx_um):
    """Secreting ``s`` au/h over its territory adds ``s x territory`` (au·µm²) to the tissue,
    whatever the voxel size."""
    n = round(500 / dx_um)
    fs = FieldSet(
        (n, n), dx_um, [FieldSpec("tnf", 0.0, 0.0)], cell_scale=CELL_TERRITORY_UM2 / dx_um**2
    )
    fs.secrete("tnf", (n // 2, n // 2), 0.4)
    fs.add_uniform_source("tnf", 0.1)  # a tissue-wide concentration: not a cell's amount
    fs.apply_sources()
    tissue_um2 = (n * dx_um) ** 2
    assert fs.total("tnf") == pytest.approx(0.4 * CELL_TERRITORY_UM2 + 0.1 * tissue_um2)


@pytest.mark.parametrize("dx_um", [COARSE_UM, FINE_UM])
def test_one_cells_uptake_removes_the_same_amount_at_any_voxel_size(dx_um):
    """First-order uptake over its territory removes about ``rate x c x territory`` an hour
    from a uniform field, whatever the voxel size."""
    n = round(500 / dx_um)
    fs = FieldSet(
        (n, n), dx_um, [FieldSpec("ev", 0.0, 0.0)], cell_scale=CELL_TERRITORY_UM2 / dx_um**2
    )
    fs["ev"][:] = 1.0
    before = fs.total("ev")
    fs.take_up("ev", (n // 2, n // 2), 0.01)
    fs.apply_sources()
    removed = before - fs.total("ev")
    assert removed == pytest.approx(0.01 * CELL_TERRITORY_UM2, rel=0.01)


# ------------------------------------------------------------------ densities, recruitment
@pytest.mark.parametrize("dx_um", [COARSE_UM, FINE_UM])
def test_resident_cells_are_so_many_per_mm2(dx_um):
    """Resident astrocytes over a spinal tissue: ``density_per_mm2`` x area outside the lesion,
    within 4 Poisson standard deviations, at either voxel size."""
    model = NerveRepairModel(_refined(Scenario(), dx_um), seed=1)
    area_mm2 = (~model.lesion_mask).sum() * model.voxel_area_mm2
    expected = model.scenario.astrocyte.density_per_mm2 * area_mm2
    count = len(model.agents_by_type[Astrocyte])
    assert abs(count - expected) < 4 * math.sqrt(expected)


@pytest.mark.parametrize("dx_um", [COARSE_UM, FINE_UM])
def test_recruitment_is_per_mm2_per_hour(dx_um):
    """With cytokine saturating everywhere, monocytes arrive at ``recruit_per_mm2_per_h`` x
    tissue area x recruitment weight per hour (summed over 24 h, within 4 Poisson sd)."""
    sc = _refined(Scenario(), dx_um)
    model = NerveRepairModel(sc, seed=2, injured=False)
    model.fields["cytokine"][:] = 1e6
    for _ in range(24):
        model.recruit_leukocytes()
    tissue_mm2 = model.width * model.height * model.voxel_area_mm2
    weight = 1.0  # c / (c + half) -> 1; no debris
    expected = sc.macrophage.recruit_per_mm2_per_h * tissue_mm2 * weight * 24
    count = len(model.agents_by_type[Macrophage])
    assert abs(count - expected) < 4 * math.sqrt(expected)


# ------------------------------------------------------------------ crawling
@pytest.mark.parametrize("dx_um", [COARSE_UM, FINE_UM, 50.0])
@pytest.mark.parametrize("speed_um_per_h", [1.25, 12.5, 25.0, 60.0])
def test_moves_a_tick_give_the_mean_speed(dx_um, speed_um_per_h):
    """Moves per tick are Poisson with mean speed·dt/dx: the mean distance an hour is the
    speed at any voxel size (within 2 % over 20 000 draws, below the MAX_MOVES bound)."""
    u = np.random.default_rng(0).random(20_000)
    moves = np.array([moves_this_tick(v, speed_um_per_h, dx_um, 1.0) for v in u])
    assert moves.max() <= MAX_MOVES
    assert moves.mean() * dx_um == pytest.approx(speed_um_per_h, rel=0.02)


@pytest.mark.parametrize("dx_um", [COARSE_UM, FINE_UM])
def test_a_neutrophil_climbs_a_gradient_at_its_speed(dx_um):
    """Up a steep cytokine ramp along x, a neutrophil covers about ``speed_um_per_h`` an hour
    (mean over 40 cells and 8 h, within 10 %), at either voxel size."""
    sc = _refined(Scenario(), dx_um)
    params = sc.neutrophil.model_copy(update={"lifespan_h": 1e6})  # none turns apoptotic
    model = NerveRepairModel(sc, seed=3, injured=False)
    x = np.arange(model.width, dtype=float)
    model.fields["cytokine"][:] = x[:, None]
    starts = []
    for k in range(40):
        cell = Neutrophil(model, (2, 1 + k % (model.height - 2)), params)
        starts.append(cell)
    for _ in range(8):
        Neutrophil.take_turn(model)
    moved_um = np.mean([(c.xy[0] - 2) * dx_um for c in starts])
    assert moved_um == pytest.approx(8 * sc.neutrophil.speed_um_per_h, rel=0.1)


# ------------------------------------------------------------------ doses and the enzyme
def _ev_amount_after_bolus(dx_um: float, lesion_length_um: float = 500.0) -> float:
    sc = _refined(Scenario(), dx_um).with_overrides({"injury.lesion_length_um": lesion_length_um})
    model = NerveRepairModel(sc, seed=0)
    item = EVTherapy(day=0.0, dose_particles=1e10)
    deliver(model, Event(0.0, 0, item))
    return model.fields.total("ev") + model.fields.total("ev_ngf")


def test_an_ev_dose_is_an_amount():
    """10^10 particles put ``10 x au_mm2_per_1e9_particles`` (au·mm²) into the tissue at any
    voxel size and any lesion size; a lesion twice as long holds them at half the
    concentration."""
    expected_um2 = 10 * Scenario().ev.au_mm2_per_1e9_particles * 1e6
    for dx_um in (COARSE_UM, FINE_UM):
        assert _ev_amount_after_bolus(dx_um) == pytest.approx(expected_um2)
    assert _ev_amount_after_bolus(COARSE_UM, 1000.0) == pytest.approx(expected_um2)
    sc = Scenario()
    short = NerveRepairModel(sc, seed=0)
    long = NerveRepairModel(sc.with_overrides({"injury.lesion_length_um": 1000.0}), seed=0)
    for model in (short, long):
        deliver(model, Event(0.0, 0, EVTherapy(day=0.0, dose_particles=1e10)))
    c_short = short.fields["ev_ngf"][short.lesion_mask].mean()
    c_long = long.fields["ev_ngf"][long.lesion_mask].mean()
    assert c_short > 0 and c_long == pytest.approx(c_short / 2)


def test_chondroitinase_acts_where_injected_and_fades_with_its_half_life():
    """The enzyme digests scar only within ``spread_um`` of the lesion, at a rate that halves
    every ``half_life_h``."""
    sc = Scenario()
    model = NerveRepairModel(sc, seed=0)
    enzyme = Chondroitinase(day=0.0, half_life_h=24.0, spread_um=100.0)
    deliver(model, Event(0.0, 0, enzyme))
    ((fresh, where),) = model.therapy.chabc_activity(0.0)
    ((day_later, _),) = model.therapy.chabc_activity(24.0)
    assert fresh == 1.0 and day_later == pytest.approx(0.5)
    reach = round(100.0 / model.dx_um)
    assert where[model.lesion_mask].all()
    assert not where[: model.lesion_x0 - reach - 1].any()
    assert not where[model.lesion_x1 + reach + 1 :].any()
    model.fields["scar"][:] = 1.0
    model.apply_therapies()
    model.fields.apply_sources()
    scar = model.fields["scar"]
    assert scar[~where].min() == 1.0 and scar[where].max() < 1.0
    assert model.therapy.chabc_activity(24.0 * 9)  # 2^-9 of fresh activity: still acting
    assert not model.therapy.chabc_activity(24.0 * 10)  # 2^-10 < 0.1 %: forgotten


# ------------------------------------------------------------------ the schema
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("astrocyte.density_per_voxel", "astrocyte.density_per_mm2"),
        ("schwann.max_per_voxel", "schwann.max_per_mm2"),
        ("macrophage.recruit_per_h", "macrophage.recruit_per_mm2_per_h"),
        ("neutrophil.migrate_per_h", "neutrophil.speed_um_per_h"),
        ("schwann.internode_voxels", "schwann.internode_um"),
        ("ev.lesion_au_per_1e9_particles", "ev.au_mm2_per_1e9_particles"),
    ],
)
def test_a_per_voxel_key_points_to_its_physical_successor(old, new):
    """A scenario naming a retired per-voxel key gets one line naming the key to use."""
    group, key = old.split(".")
    with pytest.raises(ScenarioError) as err:
        validate_scenario({group: {key: 1}})
    message = str(err.value)
    assert "\n" not in message and old in message and new in message


def test_steering_follows_the_gradient_not_the_voxel_difference():
    """The trophic cue of a step is the gradient over ``sensing_um``: the same ramp in µm gives
    the same forward-step weight at 25 and at 12.5 µm voxels (the difference between
    neighbours halves, the voxel edge halves too)."""
    from simulation.agents.growth_cone import GrowthConeSheet, step_weight

    sheet = GrowthConeSheet()
    sheet.set_params(0, Scenario().growth_cone)
    p = sheet.params[0]
    weights = []
    for dx_um in (COARSE_UM, FINE_UM):
        x_um = (np.arange(6) - 2) * dx_um  # from the cone's voxel (x = 2)
        trophic = np.repeat((0.1 + 0.001 * x_um)[:, None], 5, axis=1)  # 0.001 au per µm
        zeros = np.zeros_like(trophic)
        weights.append(step_weight.py_func(0, 2, 2, trophic, zeros, zeros, p, 5, dx_um))
    assert weights[0] > Scenario().growth_cone.forward_weight  # the ramp pulls forward
    assert weights[0] == pytest.approx(weights[1], rel=1e-12)


@pytest.mark.parametrize("dx_um", [COARSE_UM, FINE_UM])
def test_dividing_astrocytes_crowd_to_the_same_density(dx_um):
    """Reactive astrocytes dividing without pause fill a 250 µm square to at most
    ``max_per_mm2``, on voxels that hold three cells' worth (25 µm) or under one (12.5 µm,
    where the 3 x 3 block around a voxel keeps the density)."""
    sc = _refined(Scenario(), dx_um)
    n = round(250 / dx_um)
    model = NerveRepairModel(sc, seed=4, injured=False, shape=(n, n))
    model.fields["cytokine"][:] = 5.0
    p = sc.astrocyte.model_copy(update={"speed_um_per_h": 0.0, "proliferation_per_h": 5.0})
    for xy in ((n // 4, n // 4), (3 * n // 4, 3 * n // 4)):
        Astrocyte(model, xy, p).reactivity = 1.0
    for _ in range(60):
        Astrocyte.take_turn(model)
    area_mm2 = n * n * model.voxel_area_mm2
    density = len(model.agents_by_type[Astrocyte]) / area_mm2
    assert 0.6 * sc.astrocyte.max_per_mm2 < density <= sc.astrocyte.max_per_mm2


def _tissue_laid_in_blocks(name: str, dx_um: float, dt_h: float = 1.0) -> FieldSet:
    """A 200 µm square of one field that cells lay and eat in blocks, on ``dx_um`` voxels."""
    n = round(200 / dx_um)
    return FieldSet(
        (n, n),
        dx_um,
        [FieldSpec(name, 0.0, 0.0, laid_in_blocks=True)],
        dt_h=dt_h,
        cell_scale=CELL_TERRITORY_UM2 / dx_um**2,
    )


@pytest.mark.parametrize("dx_um", [COARSE_UM, FINE_UM])
def test_scar_is_laid_over_whole_voxels_of_the_territory(dx_um):
    """A matrix laid in blocks keeps its amount and covers one territory of whole voxels (the
    block of the grid's tiling that holds the cell), leaving the voxels around it clean."""
    fs = _tissue_laid_in_blocks("scar", dx_um)
    fs.secrete("scar", (3, 3), 0.02)
    fs.apply_sources()
    assert fs.total("scar") == pytest.approx(0.02 * CELL_TERRITORY_UM2)
    covered = np.argwhere(fs["scar"] > 0)
    assert len(covered) * dx_um**2 == pytest.approx(CELL_TERRITORY_UM2)
    assert fs["scar"].max() == pytest.approx(0.02)


@settings(max_examples=30, deadline=None)
@given(
    x=st.integers(0, 8),
    y=st.integers(0, 6),
    side=st.integers(1, 4),
)
def test_gathering_writes_into_blocks_conserves_the_amount(x, y, side):
    """A write gathered into its block of the grid's tiling keeps its amount (blocks cut at the
    far edges included) and fills that block evenly, nothing outside it."""
    values = np.zeros((9, 7))
    values[x, y] = 3.0
    out = spread_over_blocks(values, side)
    assert out.sum() == pytest.approx(3.0)
    x0, y0 = x - x % side, y - y % side
    block = out[x0 : x0 + side, y0 : y0 + side]
    assert np.allclose(block, block.flat[0]) and block.sum() == pytest.approx(3.0)


@pytest.mark.parametrize("dx_um", [COARSE_UM, FINE_UM])
def test_a_cell_eats_only_the_debris_of_its_territory(dx_um):
    """A debris eater that stays put for days clears its territory (625 µm²) and no more, at
    either voxel size: a centred smear over partly covered voxels would eat those voxels whole
    (about 1400 µm² at 12.5 µm), which made debris clear faster on finer grids."""
    fs = _tissue_laid_in_blocks("debris", dx_um, dt_h=0.5)
    n = fs["debris"].shape[0]
    fs["debris"][:] = 1.0
    before = fs.total("debris")
    for _ in range(400):  # 200 h at 0.2 /h: the patch is gone
        fs.take_up("debris", (n // 2, n // 2), 0.2)
        fs.apply_sources()
    assert before - fs.total("debris") == pytest.approx(CELL_TERRITORY_UM2, rel=0.01)


def test_a_crawling_cell_reads_the_gradient_one_territory_away():
    """``steepest_neighbour`` reads the field ``reach`` voxels out: with a territory two voxels
    wide (12.5 µm voxels) a cell heads for the richer tissue 25 µm away rather than the
    neighbour its own uptake left a little richer; on 25 µm voxels (reach 1) it reads the
    neighbours, as before."""
    from simulation.engine.moves import steepest_neighbour
    from simulation.fields.fieldset import territory_side

    field = np.zeros((9, 9))
    field[6, 4] = 1.0  # richer tissue two voxels to the right
    field[3, 4] = 0.5  # the left neighbour, a little richer than here
    crowd = np.zeros((9, 9), dtype=np.int32)
    assert territory_side(CELL_TERRITORY_UM2 / FINE_UM**2) == 2
    assert territory_side(CELL_TERRITORY_UM2 / COARSE_UM**2) == 1
    assert steepest_neighbour(field, crowd, 4, 4, 1.0, 10, 0, 2) == (5, 4)
    assert steepest_neighbour(field, crowd, 4, 4, 1.0, 10, 0, 1) == (3, 4)


def _coarse(crowd: np.ndarray, side: int) -> np.ndarray:
    """Cells per block of the ``side`` x ``side`` tiling (blocks cut at the far edges too)."""
    w, h = crowd.shape
    return np.add.reduceat(
        np.add.reduceat(crowd, np.arange(0, w, side), axis=0), np.arange(0, h, side), axis=1
    )


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.integers(0, 3), min_size=80, max_size=80),
    x=st.integers(0, 9),
    y=st.integers(0, 7),
    cap=st.sampled_from([0.3, 0.5, 0.75, 1.0, 2.0, 3.0]),
)
def test_crowding_is_judged_per_territory_as_on_voxels_a_territory_wide(cells, x, y, cap):
    """``has_room`` with territories two voxels wide answers exactly what it answers on the
    grid of those territories (each holding four voxels' worth of cells), so cells crowd the
    same area at any voxel size; with territories one voxel wide the blocks are the voxels."""
    from simulation.engine.moves import has_room

    crowd = np.array(cells, dtype=np.int32).reshape(10, 8)
    assert has_room(crowd, x, y, cap, 2) == has_room(_coarse(crowd, 2), x // 2, y // 2, 4 * cap, 1)
    here = crowd[x, y]
    if cap >= 1.0:
        assert has_room(crowd, x, y, cap, 1) == (here < cap)


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.integers(0, 3), min_size=80, max_size=80),
    x=st.integers(0, 9),
    y=st.integers(0, 7),
    start=st.integers(0, 7),
)
def test_a_daughter_settles_in_the_emptiest_territory_next_door(cells, x, y, start):
    """``emptiest_territory`` moves one territory in a Moore direction, into another block of
    the tiling, and picks a block no fuller than any other it could reach; with territories
    one voxel wide it is the emptiest Moore neighbour (the first in scan order on a tie)."""
    from simulation.engine.moves import NEIGHBOUR_DX, NEIGHBOUR_DY, emptiest_territory

    crowd = np.array(cells, dtype=np.int32).reshape(10, 8)
    ring = [
        (x + NEIGHBOUR_DX[(start + k) % 8], y + NEIGHBOUR_DY[(start + k) % 8]) for k in range(8)
    ]
    ring = [(i, j) for i, j in ring if 0 <= i < 10 and 0 <= j < 8]
    fewest = min(crowd[v] for v in ring)
    one = next(v for v in ring if crowd[v] == fewest)
    assert emptiest_territory(crowd, x, y, start, 1) == (*one, fewest)
    nx, ny, held = emptiest_territory(crowd, x, y, start, 2)
    blocks = _coarse(crowd, 2)
    reachable = [
        blocks[(x + 2 * i) // 2, (y + 2 * j) // 2]
        for i in (-1, 0, 1)
        for j in (-1, 0, 1)
        if (i, j) != (0, 0) and 0 <= x + 2 * i < 10 and 0 <= y + 2 * j < 8
    ]
    assert (nx // 2, ny // 2) != (x // 2, y // 2)
    assert max(abs(nx - x), abs(ny - y)) == 2
    assert blocks[nx // 2, ny // 2] == min(reachable) == held


@settings(max_examples=60, deadline=None)
@given(
    paths=st.lists(st.integers(0, 3), min_size=40, max_size=40),
    x=st.integers(0, 9),
    y=st.integers(0, 7),
    reach=st.integers(0, 3),
    per_agent=st.sampled_from([0.25, 1.0]),
)
def test_axon_contact_is_the_same_on_voxels_half_a_territory_wide(paths, x, y, reach, per_agent):
    """A bundle path crossing a territory runs through ``side`` voxels of it on a finer grid:
    ``axon_contact`` with territories two voxels wide answers what it answers on the grid of
    those territories, for any reach across the nerve and any bundles per agent."""
    from simulation.agents.schwann import axon_contact

    coarse = np.array(paths, dtype=np.float64).reshape(5, 8)
    fine = np.zeros((10, 16))
    for i in range(5):
        for j in range(8):
            fine[2 * i : 2 * i + 2, 2 * j + (i + j) % 2] = coarse[i, j]  # along x, one row
    want = axon_contact(coarse, x // 2, y, 1, per_agent, reach)
    got = axon_contact(fine, x, 2 * y + (x % 2), 2, per_agent, reach)
    assert got == pytest.approx(want, abs=1e-12)


def test_axon_contact_averages_the_bundles_across_its_reach():
    """One bundle every third row: at no reach a cell touches a whole bundle or none (a third
    of cells touch); with the reach spanning the gaps every cell inside touches a third of one,
    as it would if the same bundles were 4x the agents in every row at a quarter each."""
    from simulation.agents.schwann import axon_contact

    sparse = np.zeros((4, 12))
    sparse[:, ::3] = 1.0
    alone = [axon_contact(sparse, 1, y, 1, 1.0, 0) for y in range(12)]
    assert sorted(set(alone)) == [0.0, 1.0] and sum(alone) == 4
    spread = [axon_contact(sparse, 1, y, 1, 1.0, 1) for y in range(1, 11)]
    assert spread == pytest.approx([1 / 3] * 10)
    even = np.full((4, 12), 4 / 3)  # 4x the agents, a quarter of a bundle each
    assert axon_contact(even, 1, 5, 1, 0.25, 1) == pytest.approx(1 / 3)
    assert axon_contact(even, 1, 5, 1, 0.25, 0) == pytest.approx(1 / 3)
    assert axon_contact(np.full((4, 12), 9.0), 1, 5, 1, 1.0, 1) == 1.0  # at most one bundle


def test_the_reach_is_the_same_length_at_any_voxel_size():
    """``schwann.axon_reach_um`` becomes the same number of territories at 25 and 12.5 µm."""
    reach = []
    for dx_um in (25.0, 12.5):
        sc = _refined(Scenario(), dx_um)
        model = NerveRepairModel(sc, seed=0, injured=False, shape=(8, 8))
        reach.append(model.axon_reach_territories)
    assert reach[0] == reach[1] == round(Scenario().schwann.axon_reach_um / 25.0) >= 1


def _schwann_spread(dx_um: float, seed: int) -> tuple[int, int]:
    """One repair Schwann cell in a 300 µm square full of mitogen, dividing and crawling for
    three days: how many cells, and how many territories (625 µm² blocks) they occupy."""
    from simulation.agents.schwann import SchwannCell, SchwannState
    from simulation.fields.fieldset import territory_side

    sc = _refined(Scenario(), dx_um)
    n = round(300 / dx_um)
    model = NerveRepairModel(sc, seed=seed, injured=False, shape=(n, n))
    model.fields["cytokine"][:] = 5.0
    p = sc.schwann.model_copy(update={"proliferation_per_h": 0.08})
    cell = SchwannCell(model, (n // 2, n // 2), p, denervated=True)
    cell.state = SchwannState.REPAIR
    for _ in range(72):
        SchwannCell.take_turn(model)
    side = territory_side(CELL_TERRITORY_UM2 / dx_um**2)
    cells = list(model.agents_by_type[SchwannCell])
    return len(cells), len({(c.xy[0] // side, c.xy[1] // side) for c in cells})


def test_dividing_crawling_schwann_cells_spread_over_the_same_territories_at_any_voxel_size():
    """A clone of repair cells growing from one cell covers the same territories on 12.5 µm
    voxels as on 25 µm ones, seed for seed: a daughter settles, and a cell crawls, a territory
    at a time, so on the finer grid the clone plays out the coarse grid's moves (a debris
    eater clears its territory, so this is what clears the nerve). Placed in the next voxel
    and crawling voxel by voxel, fine-grid clones packed tighter and grew half as big (over 12
    seeds 52 cells, 0.79 of them with a territory of their own, against 105 and 0.86 on 25 µm
    voxels), and the crush's debris cleared 1.2-1.6 sd slower on the finer grid."""
    for seed in range(6):
        coarse = _schwann_spread(COARSE_UM, seed)
        assert coarse[0] > 5  # the clone grew
        assert _schwann_spread(FINE_UM, seed) == coarse


def _neutrophils_on_a_ramp(dx_um: float, seed: int) -> list[tuple[int, int]]:
    """Forty neutrophils climbing a cytokine ramp that rises from block to block (constant
    within each 25 µm block) for 8 h: the 25 µm blocks they end in."""
    from simulation.fields.fieldset import territory_side

    sc = _refined(Scenario(), dx_um)
    side = territory_side(CELL_TERRITORY_UM2 / dx_um**2)
    params = sc.neutrophil.model_copy(update={"lifespan_h": 1e6})  # none turns apoptotic
    model = NerveRepairModel(sc, seed=seed, injured=False)
    x = np.arange(model.width) // side
    y = np.arange(model.height) // side
    model.fields["cytokine"][:] = x[:, None] + 0.1 * np.sin(y)[None, :]
    cells = [Neutrophil(model, (2 * side, (1 + k % 20) * side), params) for k in range(40)]
    for _ in range(8):
        Neutrophil.take_turn(model)
    return [(c.xy[0] // side, c.xy[1] // side) for c in cells]


def test_climbing_cells_step_a_territory_at_a_time_at_any_voxel_size():
    """Neutrophils climbing a gradient on 12.5 µm voxels replay the 25 µm grid's moves, seed
    for seed, block for block: a climber steps a territory (25 µm) at a time toward the best
    direction read a territory away. Stepping voxel by voxel, they gathered on a peak in
    clumps smaller than a territory, and on 12.5 µm voxels macrophages found apoptotic
    neutrophils in more territories and turned M2 sooner (spinal inflammation at day 3 1.1-1.2
    pooled sd lower)."""
    for seed in range(4):
        coarse = _neutrophils_on_a_ramp(COARSE_UM, seed)
        assert max(b[0] for b in coarse) > 2  # they climbed
        assert _neutrophils_on_a_ramp(FINE_UM, seed) == coarse


def test_a_macrophage_eats_apoptotic_neutrophils_only_in_its_territory():
    """``efferocytose`` scans the block of the grid's tiling that holds the macrophage (2 x 2
    voxels at 12.5 µm, its own voxel at 25 µm) and nothing beyond it."""
    from simulation.agents.macrophage import efferocytose

    p = np.zeros(32)
    for side, here, inside, outside in ((2, (3, 3), (2, 2), (4, 3)), (1, (3, 3), (3, 3), (2, 3))):
        for u in (0.0, 0.3, 0.6, 0.99):
            count = np.zeros((8, 8), dtype=np.int32)
            count[outside] = 1
            memory, ate_x, ate_y = np.zeros(1), np.zeros(1, np.intp), np.zeros(1, np.intp)
            args = (0, *here, p, memory, ate_x, ate_y, count, side, 1.0)
            assert not efferocytose.py_func(u, *args)
            count[inside] = 1
            assert efferocytose.py_func(u, *args)
            assert (ate_x[0], ate_y[0]) == inside and count[inside] == 0 and count[outside] == 1
