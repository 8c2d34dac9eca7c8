"""Remyelination of the regrown axon beyond the grid (the distal stump, a long gap's bridge).

On the grid, myelin is a tissue layer Schwann cells build voxel by voxel. Beyond the grid's
distal edge (the 1-D distal tract and a long gap's bridge, :mod:`simulation.tissue.bridge`)
there are no voxels, so the same kinetics are applied to each axon's 1-D stretch as a whole:
the repair Schwann cells an axon passes turn to myelinating it after ``1 /
schwann.redifferentiation_per_h`` on average, then wrap it at ``schwann.myelination_per_h``
times their repair capacity (the distal stump's, ``model.distal_support``). The stretch was
passed on average half-way between the hour the tip left the grid and the hour it reached the
muscle, so its myelinated share is ``1 - exp(-rate * max(0, age - delay))`` with ``age`` the
hours since then. Only axons that reached the muscle are followed (they are the fibres a
conduction study records). A reduced representation: it carries no neurotrophin or vesicle
boost.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel


class DistalMyelin:
    """When each growth cone left the grid and reached the muscle, and its 1-D stretch's
    myelinated share (module docstring), by the cone's slot."""

    def __init__(self) -> None:
        self.left_h = np.full(0, -1.0)
        self.arrived_h = np.full(0, -1.0)
        self.share = np.zeros(0)

    def step(self, model: NerveRepairModel) -> None:
        """Note new departures and arrivals, then advance the myelinated shares one tick."""
        from simulation.agents.growth_cone import GrowthCone

        sheet = model.sheets.get(GrowthCone)
        if sheet is None or sheet.n == 0 or model.is_spinal:
            return
        n = sheet.n
        if self.left_h.size < n:
            grow = n - self.left_h.size
            self.left_h = np.r_[self.left_h, np.full(grow, -1.0)]
            self.arrived_h = np.r_[self.arrived_h, np.full(grow, -1.0)]
            self.share = np.r_[self.share, np.zeros(grow)]
        now = model.hours + model.dt_h
        left = (sheet.in_distal_tract[:n] != 0) & (self.left_h[:n] < 0)
        self.left_h[:n][left] = now
        arrived = (sheet.arrived[:n] != 0) & (self.arrived_h[:n] < 0)
        self.arrived_h[:n][arrived] = now
        p = model.scenario.schwann
        following = self.arrived_h[:n] >= 0
        if not following.any():
            return
        passed = 0.5 * (self.left_h[:n] + self.arrived_h[:n])
        delay = 1.0 / p.redifferentiation_per_h if p.redifferentiation_per_h > 0 else math.inf
        ready = following & (now - passed >= delay)
        rate = p.myelination_per_h * model.distal_support
        if rate > 0.0:
            bare = 1.0 - self.share[:n]
            self.share[:n] += np.where(ready, bare * -math.expm1(-rate * model.dt_h), 0.0)

    def shares(self, slots: np.ndarray) -> np.ndarray:
        """The myelinated share of the 1-D stretch of each cone in ``slots``."""
        out = np.zeros(slots.size)
        known = slots < self.share.size
        out[known] = self.share[slots[known]]
        return out
