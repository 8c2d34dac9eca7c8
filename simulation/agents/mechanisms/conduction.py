"""Nerve conduction: what a nerve conduction study would record from the model's axons.

A conduction study stimulates the nerve and records downstream. Two numbers come out:

- **conduction velocity** (m/s), read from the onset latency, that is from the fastest fibres
  that conduct; myelin sets it (saltatory conduction), so demyelination slows it and a bare
  regrowing axon conducts at C-fibre speed;
- **response amplitude** (% of normal): the summed response of the fibres that conduct (a
  sensory nerve action potential), or of the muscle fibres they drive (a compound muscle action
  potential, CMAP), so it falls with axon loss and with muscle wasting.

Each fibre's myelin quality runs from 0 (bare) to 1 (normal compact myelin); its velocity is
``bare + (normal - bare) * quality``, a linear interpolation between the two textbook speeds
(illustrative: real velocity scales with fibre diameter and internode length). A regrown fibre
that Schwann cells remyelinated has ``conduction.remyelinated_quality``.

Every outcome that speaks of conduction (peripheral injury, chronic neuropathy) calls these
functions, so the rule is written once.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def fibre_velocity_m_per_s(quality: np.ndarray | float, p: Any) -> np.ndarray:
    """Conduction velocity of fibres with myelin ``quality`` (0 bare .. 1 normal).

    Args:
        quality: myelin quality per fibre, clipped to [0, 1].
        p: the scenario's ``conduction`` parameters.
    """
    q = np.clip(np.asarray(quality, dtype=float), 0.0, 1.0)
    return p.bare_velocity_m_per_s + (p.normal_velocity_m_per_s - p.bare_velocity_m_per_s) * q


def conduction_velocity_m_per_s(velocities: np.ndarray, p: Any) -> float:
    """The velocity a study reports: the mean of the fastest ``p.fastest_share`` of the fibres
    that conduct (at least one); 0.0 when none conducts (no response).

    Args:
        velocities: the velocity of each fibre that conducts past the recording site.
        p: the scenario's ``conduction`` parameters.
    """
    v = np.sort(np.asarray(velocities, dtype=float))
    if v.size == 0:
        return 0.0
    k = max(1, round(p.fastest_share * v.size))
    return float(v[-k:].mean())


def amplitude_percent(conducting: float, normal: float) -> float:
    """A sensory response amplitude: conducting fibres as a percentage of a normal nerve's."""
    return 100.0 * max(0.0, conducting) / normal if normal > 0 else 0.0


def cmap_percent(innervated_fraction: float, muscle_mass_index: float) -> float:
    """A compound muscle action potential: the muscle fibres the conducting motor axons drive,
    as a percentage of normal; smaller with fewer axons and with wasted (thinner) fibres."""
    return 100.0 * min(1.0, max(0.0, innervated_fraction)) * max(0.0, muscle_mass_index)
