"""The nerve conduction rule (simulation.agents.mechanisms.conduction): analytic checks."""

import numpy as np
import pytest

from simulation.agents.mechanisms import conduction
from simulation.scenario.schema import ConductionParams

P = ConductionParams()


def test_velocity_runs_from_bare_to_normal() -> None:
    v = conduction.fibre_velocity_m_per_s(np.array([-1.0, 0.0, 0.5, 1.0, 2.0]), P)
    bare, normal = P.bare_velocity_m_per_s, P.normal_velocity_m_per_s
    assert v.tolist() == pytest.approx([bare, bare, (bare + normal) / 2, normal, normal])


def test_demyelination_slows_conduction() -> None:
    healthy = conduction.fibre_velocity_m_per_s(np.ones(100), P)
    thin = conduction.fibre_velocity_m_per_s(np.full(100, P.remyelinated_quality), P)
    assert conduction.conduction_velocity_m_per_s(thin, P) < conduction.conduction_velocity_m_per_s(
        healthy, P
    )


def test_velocity_is_read_from_the_fastest_fibres() -> None:
    # 90 bare fibres and 10 normal ones: the fastest tenth sets the velocity.
    v = np.r_[np.full(90, 1.0), np.full(10, 50.0)]
    assert conduction.conduction_velocity_m_per_s(v, P) == pytest.approx(50.0)
    # Losing the fast fibres (axon loss of the large fibres) slows the reading.
    assert conduction.conduction_velocity_m_per_s(v[:95], P) < 50.0


def test_no_fibre_no_response() -> None:
    assert conduction.conduction_velocity_m_per_s(np.zeros(0), P) == 0.0
    assert conduction.amplitude_percent(0, 100) == 0.0
    assert conduction.cmap_percent(0.0, 1.0) == 0.0


def test_amplitudes_fall_with_axon_loss_and_wasting() -> None:
    assert conduction.amplitude_percent(70, 100) == pytest.approx(70.0)
    assert conduction.cmap_percent(1.0, 1.0) == pytest.approx(100.0)
    assert conduction.cmap_percent(0.5, 1.0) == pytest.approx(50.0)
    assert conduction.cmap_percent(1.0, 0.5) == pytest.approx(50.0)
