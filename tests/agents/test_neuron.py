"""Neuron: dies at the hazard of stress against trophic support."""

import math

import numpy as np

from simulation.agents.growth_cone import GrowthCone
from simulation.agents.mechanisms import vesicles
from simulation.agents.neuron import Neuron, turn
from simulation.engine.sheet import DIED
from tests.agents.conftest import make_sandbox

TICKS = 12


def _death_fraction(cytokine: float, trophic: float, n: int = 400) -> tuple[float, float]:
    model = make_sandbox(seed=1, **{"neuron.death_rate_per_h": 0.1})
    model.fields["cytokine"][:] = cytokine
    model.fields["trophic"][:] = trophic
    neurons = [Neuron(model, (2, 2), model.scenario.neuron) for _ in range(n)]
    for _ in range(TICKS):
        for neuron in neurons:
            if neuron.cell is not None:  # still alive
                neuron.step()
    p = model.scenario.neuron
    stress = cytokine / (cytokine + p.stress_half_cytokine)
    support = trophic / (trophic + p.support_half_trophic)
    expected = -math.expm1(-p.death_rate_per_h * stress * (1 - support) * model.dt_h * TICKS)
    return model.neurons_lost / n, expected


def test_stressed_unsupported_neurons_die_at_the_stated_hazard():
    """High cytokine, no trophic factor: the death fraction matches 1 - exp(-hazard·dt)."""
    observed, expected = _death_fraction(cytokine=2.0, trophic=0.0)
    assert expected > 0.2
    assert abs(observed - expected) < 0.07  # ~3 binomial standard errors at n = 400


def test_trophic_support_protects_neurons():
    """The same stress with abundant trophic factor kills far fewer neurons."""
    unsupported, _ = _death_fraction(cytokine=2.0, trophic=0.0)
    supported, expected = _death_fraction(cytokine=2.0, trophic=5.0)
    assert supported < 0.25 * unsupported
    assert abs(supported - expected) < 0.04


def test_unstressed_neurons_do_not_die(sandbox):
    """No cytokine and no host stress: no neuron dies."""
    neurons = [Neuron(sandbox, (1, 1), sandbox.scenario.neuron) for _ in range(50)]
    for _ in range(24):
        for neuron in neurons:
            neuron.step()
    assert sandbox.neurons_lost == 0


def _neuron_with_an_arrived_axon():
    """A sandbox neuron whose cone has grown across the grid and reached the muscle, its axon
    half myelinated."""
    model = make_sandbox(
        seed=2,
        **{
            "growth_cone.latency_h": 0.0,
            "injury.distal_path_um": 50.0,
            "injury.type": "peripheral",
        },
    )
    model.fields["trophic"][:] = 1.0
    neuron = Neuron(model, (0, 2), model.scenario.neuron)
    cone = GrowthCone(model, (1, 2), model.scenario.growth_cone, neuron)
    for _ in range(40):
        cone.step()
    model.myelin[:] = 0.5 * model.axon
    return model, neuron, cone


def test_a_dying_neuron_withdraws_its_axon_and_loses_its_cone():
    """A neuron that dies takes its regrown axon (and its myelin) and its cone with it, and the
    muscle loses the axon that had reached it."""
    model, neuron, cone = _neuron_with_an_arrived_axon()
    assert neuron.cone is cone and cone.neuron is neuron
    assert cone.arrived and model.muscle.axons_arrived == 1 and len(cone.path) > 2
    model.fields["cytokine"][:] = 5.0
    model.fields["trophic"][:] = 0.0
    neuron.p = neuron.p.model_copy(update={"death_rate_per_h": 1e3})  # dies surely
    neuron.step()
    assert model.neurons_lost == 1 and neuron.cell is None and neuron.cone is None
    assert model.axon.sum() == 0 and model.myelin.sum() == 0
    assert model.muscle.axons_arrived == 0
    for kind in (Neuron, GrowthCone):
        assert kind not in model.agents_by_type or not model.agents_by_type[kind]
        assert model.occupancy_of(kind).sum() == 0


def test_signals_at_the_tip_reach_the_neuron():
    """Cytokine seen only at the axon tip stresses the neuron (retrograde signalling), trophic
    factor only at the tip protects it."""
    lost = {}
    for tip_trophic in (0.0, 5.0):
        model = make_sandbox(seed=1, shape=(8, 5), **{"neuron.death_rate_per_h": 0.1})
        model.fields["cytokine"][4:, :] = 8.0
        model.fields["trophic"][4:, :] = tip_trophic
        for _ in range(200):
            neuron = Neuron(model, (0, 2), model.scenario.neuron)
            GrowthCone(model, (6, 2), model.scenario.growth_cone, neuron)
        for _ in range(TICKS):
            GrowthCone.take_turn(model)  # the tips sense first
            Neuron.take_turn(model)
        lost[tip_trophic] = model.neurons_lost
    assert lost[0.0] > 40 and lost[5.0] < 0.25 * lost[0.0]


def _tissue_with_neurons(seed: int):
    """A 6x5 sandbox with sixteen neurons, twelve with a cone that has grown an axon (some
    already to the muscle); then random cytokine, little trophic factor and some vesicles."""
    model = make_sandbox(
        seed=seed,
        shape=(6, 5),
        **{
            "growth_cone.latency_h": 0.0,
            "injury.distal_path_um": 50.0,
            "injury.type": "peripheral",
        },
    )
    p = model.scenario.neuron.model_copy(update={"death_rate_per_h": 5.0})
    neurons = [Neuron(model, (i % 6, i % 5), p) for i in range(16)]
    for i, neuron in enumerate(neurons[:12]):
        GrowthCone(model, (i % 3, i % 5), model.scenario.growth_cone, neuron)
    model.fields["trophic"][:] = 1.0
    for _ in range(12):
        GrowthCone.take_turn(model)
    model.myelin[:] = 0.3 * model.axon
    model.fields["cytokine"][:] = 3.0 * model.rng.random((6, 5))
    model.fields["trophic"][:] = 0.05 * model.rng.random((6, 5))
    model.fields["ev"][:] = 0.2
    model.ev_active = True
    model.vesicle_knobs = vesicles.knobs(model)
    GrowthCone.take_turn(model)  # the tips sense the new fields and take up vesicles
    return model


def test_the_compiled_turn_and_its_python_source_give_the_same_tissue():
    """The kernel compiled and run as plain Python (``.py_func``) give identical results,
    including the axons that dying neurons withdraw."""
    states = []
    for kernel in (turn, turn.py_func):
        model = _tissue_with_neurons(seed=3)
        axon_before = model.axon.sum()
        sheet = model.sheet_of(Neuron)
        cones = model.sheet_of(GrowthCone)
        order = sheet.live_slots()
        u = np.random.default_rng(1).random((order.size, Neuron.DRAWS))
        kernel(order, u, *Neuron.kernel_args(model, sheet))
        columns = (sheet.fate, sheet.cone, cones.fate, cones.path_len, model.axon, model.myelin)
        occupancy = (model.occupancy_of(Neuron), model.occupancy_of(GrowthCone))
        states.append([a.copy() for a in (*columns, *occupancy)])
        died = (sheet.fate[order] & DIED) != 0
        assert died.any() and not died.all()
        assert (cones.fate[: cones.n] & DIED).any() and model.axon.sum() < axon_before
    for a, b in zip(*states, strict=True):
        np.testing.assert_array_equal(a, b)


SEED_WITH_DEATHS_AND_ARRIVALS = 12


def test_grid_agentsets_and_occupancy_agree_after_deaths():
    """After neurons die (with and without cones), Mesa's grid, the AgentSets, the sheets, the
    links and the occupancy counts describe the same cells. (A seed where some neurons die and
    some with an arrived cone survive, under the per-cell random streams.)"""
    model = _tissue_with_neurons(seed=SEED_WITH_DEATHS_AND_ARRIVALS)
    arrived_before = model.muscle.axons_arrived
    Neuron.take_turn(model)
    GrowthCone.take_turn(model)
    assert 0 < model.neurons_lost < 16 and 0 < model.muscle.axons_arrived < arrived_before
    for kind in (Neuron, GrowthCone):
        sheet = model.sheet_of(kind)
        agents = list(model.agents_by_type.get(kind, []))
        assert sorted(a.slot for a in agents) == sheet.live_slots().tolist()
        occupancy = np.zeros((6, 5), dtype=np.int32)
        for a in agents:
            assert a in a.cell.agents and a.cell.coordinate == a.xy
            occupancy[a.xy] += 1
        np.testing.assert_array_equal(occupancy, model.occupancy_of(kind))
    neurons = list(model.agents_by_type.get(Neuron, []))
    cones = list(model.agents_by_type.get(GrowthCone, []))
    assert model.neurons_lost == 16 - len(neurons)
    assert all(c.neuron.cone is c for c in cones)
    assert sum(n.cone is not None for n in neurons) == len(cones)
    assert model.muscle.axons_arrived == sum(c.arrived for c in cones)
    assert sum(len(c.agents) for c in model.grid.all_cells) == len(neurons) + len(cones)
