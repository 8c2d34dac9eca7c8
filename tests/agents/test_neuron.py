"""Neuron: dies at the hazard of stress against trophic support."""

import math

from simulation.agents.neuron import Neuron
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
