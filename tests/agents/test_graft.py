"""Grafted cells: die at a hazard set by inflammation, a cleared cavity, rejection and route;
differentiate; secrete; fill the cavity with substrate; relay once mature; may transform. The
lungs clear intravenous cells."""

import math

import numpy as np
import pytest

from simulation.agents.graft import GraftCluster, GraftSource, LungDepot, turn
from tests.agents.conftest import make_sandbox

#: No cell dies: used where a test counts what the surviving cells become.
IMMORTAL = {
    "base_death_per_h": 0.0,
    "inflammation_death_per_h": 0.0,
    "immune_attack_per_h": 0.0,
}


def _params(model, **update):
    return model.scenario.transplant.model_copy(update=update)


def test_hazard_follows_inflammation_rejection_drugs_scaffold_and_route(sandbox):
    """Each term of the death rate moves it the way its mechanism says."""
    p = _params(sandbox)
    calm = GraftCluster(sandbox, (1, 1), p, GraftSource.NPC, 1000)
    inflamed = GraftCluster(sandbox, (3, 3), p, GraftSource.NPC, 1000)
    sandbox.fields["cytokine"][3, 3] = p.inflammation_half_cytokine  # half the saturating rate
    base = p.base_death_per_h + p.immune_attack_per_h
    assert calm.hazard_per_h() == pytest.approx(base)
    assert inflamed.hazard_per_h() == pytest.approx(base + p.inflammation_death_per_h / 2)

    sandbox.therapy.immunosuppressed_until_h = 1e9
    drugs = p.base_death_per_h + p.immune_attack_per_h * p.immunosuppression_factor
    assert calm.hazard_per_h() == pytest.approx(drugs)

    sandbox.therapy.scaffold = np.ones(sandbox.fields["cytokine"].shape, dtype=bool)
    shielded = p.base_death_per_h + (
        p.immune_attack_per_h * p.immunosuppression_factor * (1.0 - p.scaffold_protection)
    )
    assert calm.hazard_per_h() == pytest.approx(shielded)

    iv = GraftCluster(sandbox, (2, 2), p, GraftSource.MSC, 1000, iv=True)
    assert iv.hazard_per_h() == pytest.approx(shielded + p.iv_homed_death_per_h)


def test_switching_off_immune_attack_removes_its_term():
    """With ``graft_immune_attack`` off, only the baseline death rate is left (no cytokine)."""
    model = make_sandbox(**{"mechanisms.graft_immune_attack": False})
    p = _params(model)
    cluster = GraftCluster(model, (2, 2), p, GraftSource.NPC, 1000)
    assert cluster.hazard_per_h() == pytest.approx(p.base_death_per_h)


def test_grafted_cells_die_exponentially_faster_where_inflamed():
    """Survivors after 48 h match N exp(-h t) within 5 binomial sigmas; more die where inflamed."""
    model = make_sandbox(seed=5)
    p = _params(model, npc_neuron_per_h=0.0, npc_glia_per_h=0.0)
    model.fields["cytokine"][3, 3] = 10 * p.inflammation_half_cytokine
    n = 20_000
    clusters = [GraftCluster(model, xy, p, GraftSource.NPC, n) for xy in ((1, 1), (3, 3))]
    rates = [c.hazard_per_h() for c in clusters]
    ticks = round(48.0 / model.dt_h)
    for _ in range(ticks):
        for c in clusters:
            c.step()
    for c, rate in zip(clusters, rates, strict=True):
        keep = math.exp(-rate * ticks * model.dt_h)
        sigma = math.sqrt(n * keep * (1 - keep))
        assert abs(c.alive - n * keep) < 5 * sigma
    calm, inflamed = clusters
    assert inflamed.alive < 0.8 * calm.alive


def test_progenitors_become_neurons_and_glia_in_the_ratio_of_their_rates():
    """With no deaths the count is conserved and neuron : glia follows kn : kg."""
    model = make_sandbox(seed=2)
    p = _params(model, **IMMORTAL, npc_neuron_per_h=0.006, npc_glia_per_h=0.002)
    cluster = GraftCluster(model, (2, 2), p, GraftSource.NPC, 10_000)
    for _ in range(round(200.0 / model.dt_h)):
        cluster.step()
    assert cluster.alive == 10_000
    assert cluster.neurons + cluster.glia > 5_000
    assert cluster.neurons / cluster.glia == pytest.approx(3.0, rel=0.1)


def test_msc_secretes_vesicles_and_progenitors_do_not():
    """Both release trophic factor; only the MSC cluster adds vesicles to the EV field."""
    model = make_sandbox()
    p = _params(model)
    GraftCluster(model, (1, 1), p, GraftSource.MSC, 10_000).step()
    GraftCluster(model, (3, 3), p, GraftSource.NPC, 10_000).step()
    model.fields.apply_sources()
    ev, trophic = model.fields["ev"], model.fields["trophic"]
    assert ev[1, 1] > 0 and ev[3, 3] == 0
    assert trophic[1, 1] > 0 and trophic[3, 3] > 0


@pytest.mark.parametrize("tumor_switch", [True, False])
def test_undifferentiated_cells_transform_into_counted_tumors(tumor_switch):
    """A fast-transforming remnant gives tumor events; with ``graft_tumor`` off it gives none."""
    model = make_sandbox(seed=1, **{"mechanisms.graft_tumor": tumor_switch})
    p = _params(
        model,
        **IMMORTAL,
        npc_neuron_per_h=0.0,
        npc_glia_per_h=0.0,
        transformation_per_cell_h=1.0e-5,
        tumor_doubling_h=6.0,
        tumor_detect_cells=100.0,
    )
    cluster = GraftCluster(model, (2, 2), p, GraftSource.NPC, 10_000, undifferentiated_fraction=0.5)
    for _ in range(round(120.0 / model.dt_h)):
        cluster.step()
    events = model.therapy.tumor_events
    assert (events >= 1) if tumor_switch else (events == 0)


def test_msc_clusters_never_transform():
    """MSCs carry no undifferentiated remnant, so no clone can start."""
    model = make_sandbox()
    p = _params(model, **IMMORTAL, transformation_per_cell_h=1.0e-5)
    cluster = GraftCluster(model, (2, 2), p, GraftSource.MSC, 10_000)
    for _ in range(100):
        cluster.step()
    assert cluster.undifferentiated == 0 and not cluster.clones
    assert model.therapy.tumor_events == 0


def test_lungs_clear_intravenous_cells_within_about_three_days(sandbox):
    """Trapped cells fall as exp(-k t); after 72 h under 10 % remain and after long enough none."""
    lungs = LungDepot()
    lungs.receive(GraftSource.MSC, 1.0e6)
    k = sandbox.scenario.transplant.iv_lung_clearance_per_h
    ticks = round(72.0 / sandbox.dt_h)
    for _ in range(ticks):
        lungs.step(sandbox)
    left = lungs.cells[GraftSource.MSC]
    assert left == pytest.approx(1.0e6 * math.exp(-k * ticks * sandbox.dt_h), rel=1e-9)
    assert left < 0.1e6
    for _ in range(ticks * 5):
        lungs.step(sandbox)
    assert GraftSource.MSC not in lungs.cells


def test_clone_sizes_outgrow_their_row_and_every_detectable_clone_is_counted_once():
    """Many clones widen the cluster's row; tumor events equal the clones past detection."""
    model = make_sandbox(seed=4)
    p = _params(
        model,
        **IMMORTAL,
        npc_neuron_per_h=0.0,
        npc_glia_per_h=0.0,
        transformation_per_cell_h=1.0e-5,
        tumor_doubling_h=6.0,
        tumor_detect_cells=50.0,
    )
    cluster = GraftCluster(model, (2, 2), p, GraftSource.NPC, 40_000, undifferentiated_fraction=0.5)
    capacity = model.sheet_of(GraftCluster).clone_capacity
    for _ in range(round(96.0 / model.dt_h)):
        cluster.step()
    clones = cluster.clones
    assert len(clones) > capacity
    assert cluster.undifferentiated == 20_000 - len(clones)
    assert model.therapy.tumor_events == sum(size >= p.tumor_detect_cells for size in clones) > 0


def test_graft_glia_myelinate_and_graft_neurons_relay_across_the_bridge():
    """Glia wrap bare axon in their voxel; neurons whose processes reach the bridge mark relays."""
    model = make_sandbox(shape=(8, 5))
    model.bridge_x = 6
    model.lesion_x0 = 0  # the graft fills the tissue from its proximal edge
    model.axon[3, 2] = 1.0
    p = _params(
        model,
        **IMMORTAL,
        relay_process_um_per_h=1.0e4,
        relay_min_cells=100.0,
        relay_maturation_h=0.0,
    )
    cluster = GraftCluster(model, (3, 2), p, GraftSource.NPC, 1000)
    cluster.progenitors, cluster.glia, cluster.neurons = 0, 500, 500
    cluster.step()
    assert 0.0 < model.myelin[3, 2] < 1.0
    reach = int(cluster.process_um / model.dx_um)
    assert 3 + reach >= model.bridge_x
    marked = np.zeros_like(model.relay)
    marked[max(0, 3 - reach) : 4, 1:4] = 1
    np.testing.assert_array_equal(model.relay, marked)


@pytest.mark.parametrize(
    "switch",
    ["graft_differentiation", "graft_paracrine", "graft_relay", "graft_tumor", "graft_bridge"],
)
def test_each_switch_turns_off_its_rule(switch):
    """With a graft switch off, its rule leaves no trace; with it on, it does."""
    traces = []
    for on in (True, False):
        model = make_sandbox(seed=6, shape=(8, 5), **{f"mechanisms.{switch}": on})
        model.bridge_x = 4
        model.lesion_x0 = 0
        p = _params(
            model,
            **IMMORTAL,
            npc_neuron_per_h=0.05,
            relay_process_um_per_h=1.0e4,
            relay_min_cells=10.0,
            relay_maturation_h=0.0,
            transformation_per_cell_h=1.0e-4,
            tumor_doubling_h=6.0,
            tumor_detect_cells=10.0,
        )
        cluster = GraftCluster(model, (3, 2), p, GraftSource.NPC, 10_000, 0.1)
        for _ in range(round(48.0 / model.dt_h)):
            cluster.step()
        model.fields.apply_sources()
        traces.append(
            {
                "graft_differentiation": cluster.neurons,
                "graft_paracrine": model.fields["trophic"].sum(),
                "graft_relay": model.relay.sum(),
                "graft_tumor": model.therapy.tumor_events,
                "graft_bridge": model.band.sum(),
            }[switch]
        )
    assert traces[0] > 0 and traces[1] == 0


def _tissue_with_clusters(seed: int):
    """An 8x5 sandbox with cytokine, scar, axon, a scaffold, drugs and eight clusters of
    every kind: NPC with remnants and clones, MSC, intravenous, nearly dead."""
    model = make_sandbox(seed=seed, shape=(8, 5))
    field_rng = np.random.default_rng(seed)
    model.fields["cytokine"][:] = field_rng.random((8, 5))
    model.fields["scar"][:] = 0.5 * field_rng.random((8, 5))
    model.axon[:] = field_rng.random((8, 5))
    model.bridge_x = 5
    model.lesion_mask[2:6, :] = True
    model.fields["debris"][:] = 1.2 * field_rng.random((8, 5))
    model.therapy.scaffold = field_rng.random((8, 5)) < 0.5
    model.therapy.immunosuppressed_until_h = 1e9
    p = _params(
        model,
        npc_neuron_per_h=0.02,
        npc_glia_per_h=0.01,
        msc_differentiation_per_h=0.01,
        relay_process_um_per_h=50.0,
        relay_min_cells=50.0,
        relay_maturation_h=10.0,
        cavity_death_per_h=0.05,
        transformation_per_cell_h=1.0e-4,
        tumor_doubling_h=6.0,
        tumor_detect_cells=20.0,
        iv_homed_death_per_h=0.5,
    )
    for k in range(8):
        source = GraftSource.MSC if k % 3 == 1 else GraftSource.NPC
        cells = 3 if k == 7 else 5_000 * (k + 1)
        GraftCluster(model, (k, k % 5), p, source, cells, 0.1, iv=k % 4 == 2)
    return model


def test_the_compiled_turn_and_its_python_source_give_the_same_tissue():
    """The kernel compiled and run as plain Python (``.py_func``) give identical results,
    drawing the same binomials from the same Generator."""
    states = []
    for compiled in (True, False):
        model = _tissue_with_clusters(seed=5)
        sheet = model.sheet_of(GraftCluster)
        args = GraftCluster.kernel_args(model, sheet)
        kernel = turn if compiled else turn.py_func
        for tick in range(40):
            order = np.random.default_rng(tick).permutation(sheet.live_slots())
            u = np.random.default_rng(100 + tick).random((order.size, GraftCluster.DRAWS))
            sheet.fate[order] = 0
            kernel(order, u, *args)
        states.append(
            (sheet.fate.copy(), sheet.counts.copy(), sheet.process_um.copy(),
             sheet.n_clones.copy(), sheet.clones.copy(), sheet.new_tumors.copy(),
             model.fields.source_views["trophic"].copy(), model.fields.source_views["ev"].copy(),
             model.myelin.copy(), model.relay.copy(), model.occupancy_of(GraftCluster).copy(),
             args[0].random(3), model.band.copy(), sheet.neuron_age_h.copy(),
             sheet.mature_at_h.copy())
        )  # fmt: skip
    for a, b in zip(*states, strict=True):
        np.testing.assert_array_equal(a, b)
    fate, counts, process, n_clones = states[0][:4]
    assert (fate & 1).any() and counts[:, 3].any() and process.any() and n_clones.any()
    assert states[0][9].any()  # a relay was marked
    assert states[0][12].any()  # the cavity was filled with substrate


def test_grid_agentsets_and_occupancy_agree_after_deaths_and_deliveries():
    """After deaths and new clusters, Mesa's grid, the AgentSet, the sheet and the occupancy
    counts describe the same clusters; the same seed gives the same tissue."""
    runs = []
    for _ in range(2):
        model = _tissue_with_clusters(seed=9)
        p = model.scenario.transplant.model_copy(update={"iv_homed_death_per_h": 0.3})
        for tick in range(60):
            GraftCluster.take_turn(model)
            if tick % 10 == 0:
                xy = (int(model.rng.integers(8)), int(model.rng.integers(5)))
                GraftCluster(model, xy, p, GraftSource.NPC, 200, iv=True)
        sheet = model.sheet_of(GraftCluster)
        agents = list(model.agents_by_type[GraftCluster])
        assert sorted(a.slot for a in agents) == sheet.live_slots().tolist()
        assert len(agents) < sheet.n  # some clusters died
        occupancy = np.zeros((8, 5), dtype=np.int32)
        for a in agents:
            assert a in a.cell.agents and a.cell.coordinate == a.xy
            assert a.alive > 0 or a.clones
            occupancy[a.xy] += 1
        np.testing.assert_array_equal(occupancy, model.occupancy_of(GraftCluster))
        assert sum(len(c.agents) for c in model.grid.all_cells) == len(agents)
        runs.append((sheet.counts[: sheet.n].copy(), model.therapy.tumor_events))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]


def test_relays_form_only_after_graft_neurons_mature():
    """Graft neurons whose processes already reach the bridge relay nothing until they have
    matured: at least half of ``relay_maturation_h`` after the cluster first had enough of
    them, at most one and a half times it."""
    model = make_sandbox(shape=(8, 5))
    model.bridge_x = 6
    model.lesion_x0 = 0
    p = _params(
        model,
        **IMMORTAL,
        relay_process_um_per_h=1.0e4,
        relay_min_cells=100.0,
        relay_maturation_h=48.0,
    )
    cluster = GraftCluster(model, (3, 2), p, GraftSource.NPC, 1000)
    cluster.progenitors, cluster.neurons = 0, 1000
    for _ in range(round(23.0 / model.dt_h)):
        cluster.step()
    assert 3 + int(cluster.process_um / model.dx_um) >= model.bridge_x
    assert model.relay.sum() == 0
    assert 24.0 <= cluster.mature_at_h <= 72.0
    for _ in range(round(49.0 / model.dt_h)):
        cluster.step()
    assert model.relay.sum() > 0


def test_grafted_cells_fill_the_cavity_with_substrate_within_their_reach():
    """Living grafted cells lay a permissive substrate (as guidance) within ``bridge_reach_um``,
    more the more cells there are, saturating at ``bridge_substrate``."""
    levels = []
    for cells in (1_000, 50_000):
        model = make_sandbox(shape=(11, 11))
        p = _params(model, **IMMORTAL, bridge_reach_um=2 * model.dx_um, bridge_half_cells=5000.0)
        GraftCluster(model, (5, 5), p, GraftSource.NPC, cells).step()
        reach = np.zeros((11, 11), dtype=bool)
        reach[3:8, 3:8] = True
        assert (model.band[reach] > 0).all() and (model.band[~reach] == 0).all()
        levels.append(model.band[5, 5])
    assert 0.0 < levels[0] < levels[1] < p.bridge_substrate


def test_a_cleared_spinal_lesion_kills_grafted_cells_faster():
    """In the lesion, the more of its debris has been cleared (a cavity), the higher the
    hazard; outside the lesion, in a peripheral nerve, or with the switch off, no cavity term."""
    rates = {}
    for name, overrides in (
        ("spinal", {}),
        ("peripheral", {"injury.type": "peripheral"}),
        ("off", {"mechanisms.graft_cavity_death": False}),
    ):
        model = make_sandbox(shape=(4, 1), **overrides)
        model.lesion_mask[1:, :] = True
        full = model.tissue.lesion_debris_au * model.scenario.injury.severity
        model.fields["debris"][:, 0] = [0.0, full, 0.5 * full, 0.0]
        p = model.scenario.transplant
        clusters = [GraftCluster(model, (x, 0), p, GraftSource.NPC, 1000) for x in range(4)]
        rates[name] = [c.hazard_per_h() for c in clusters]
    outside, intact, half, cleared = rates["spinal"]
    k = model.scenario.transplant.cavity_death_per_h
    assert intact == pytest.approx(outside)
    assert half == pytest.approx(outside + 0.5 * k)
    assert cleared == pytest.approx(outside + k)
    assert len(set(rates["peripheral"])) == 1 and len(set(rates["off"])) == 1


def test_only_host_axons_that_grew_into_the_graft_are_relayed():
    """Mature graft neurons relay no voxel proximal to the lesion: a host axon must have grown
    into the graft to reach them."""
    model = make_sandbox(shape=(10, 5))
    model.bridge_x = 8
    model.lesion_x0 = 4
    p = _params(model, **IMMORTAL, relay_process_um_per_h=1.0e4, relay_maturation_h=0.0)
    cluster = GraftCluster(model, (6, 2), p, GraftSource.NPC, 1000)
    cluster.progenitors, cluster.neurons = 0, 1000
    cluster.step()
    assert model.relay[:4].sum() == 0 and model.relay[4:7, 1:4].all()


def test_the_lungs_share_of_an_iv_dose_is_recorded(sandbox):
    """iv_cells_in_lungs_fraction: 0 before any IV dose; after one, the share that did not home,
    falling as exp(-clearance x t) (analytic, to 1e-9)."""

    from simulation.runs.metrics import METRICS

    lungs = sandbox.therapy.lungs
    metric = METRICS["iv_cells_in_lungs_fraction"]
    assert metric.compute(sandbox) == 0.0
    p = sandbox.scenario.transplant
    lungs.given += 2.0e6
    lungs.receive(GraftSource.NPC, 2.0e6 * (1.0 - p.iv_homing_fraction))
    assert metric.compute(sandbox) == pytest.approx(1.0 - p.iv_homing_fraction, abs=1e-12)
    ticks = 24
    for _ in range(ticks):
        lungs.step(sandbox)
    hours = ticks * sandbox.dt_h
    expected = (1.0 - p.iv_homing_fraction) * math.exp(-p.iv_lung_clearance_per_h * hours)
    assert metric.compute(sandbox) == pytest.approx(expected, rel=1e-9)
