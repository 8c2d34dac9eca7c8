"""Spared descending fibres (spinal cord): their collaterals sprout around the lesion.

A contusion spares a rim of white matter. The spared descending fibres (corticospinal,
reticulospinal) sprout collaterals that grow around the lesion and contact neurons below it
(long propriospinal relay neurons and the motor pools), taking over part of the input the cut
fibres lost (Weidner, Ner & Tuszynski 2001; Bareyre et al. 2004). This is much of the
spontaneous recovery after incomplete injury, and the path chondroitinase ABC and training act
on: the chondroitin sulphate proteoglycans (CSPG) of the scar border and of perineuronal nets
restrain sprouting, and digesting them lets spared fibres sprout more (Barritt et al. 2006);
training drives activity-dependent growth (Garcia-Alias et al. 2009).

The sprouts are not on the grid: the fibres and their collaterals are one number, the
``coverage``, the share of the cut fibres' targets below the lesion that collaterals reach.
New contacts form toward a ceiling (what the spared fibres can supply:
``sprouting.collateral_reach`` cut fibres' targets per spared fibre) at a rate slowed by the
CSPG in the rim around the lesion, read from the scar field each tick, and quickened by
training like any axon growth (``adjuncts.rehab_growth_boost``); contacts that are not used
are pruned (``sprouting.pruning_per_h``), less so with training (``adjuncts.rehab_consolidation``).
The coverage settles where formation and pruning balance, so less CSPG or more training
raises the plateau, not only the pace. The metric ``descending_connectivity_fraction`` counts the
coverage (:mod:`simulation.runs.metrics`). Switch: ``mechanisms.spared_sprouting``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel


class SparedFibres:
    """The fibres the lesion spared, and how far their collaterals reach (spinal cord only)."""

    def __init__(self, model: NerveRepairModel, params) -> None:
        self.model = model
        self.p = params
        self.coverage = 0.0
        #: The rim's voxels as index arrays (read every tick: cheaper than a boolean mask).
        self.rim = np.nonzero(rim_mask(model.lesion_mask, round(params.rim_um / model.dx_um)))

    @property
    def ceiling(self) -> float:
        """The most coverage the spared fibres can supply."""
        return min(1.0, self.model.spared_fraction * self.p.collateral_reach)

    def rim_cspg_au(self) -> float:
        """Mean CSPG (scar field) in the rim of tissue around the lesion."""
        if self.rim[0].size == 0:
            return 0.0
        return float(self.model.fields["scar"][self.rim].mean())

    def permissiveness(self) -> float:
        """How freely collaterals grow through the rim: 1 without CSPG, half at ``cspg_half_au``."""
        return 1.0 / (1.0 + self.rim_cspg_au() / self.p.cspg_half_au)

    def step(self) -> None:
        """Collaterals form contacts toward the ceiling, at a rate the rim's CSPG and training
        set, and unused contacts are pruned."""
        m = self.model
        if not m.is_spinal or not m.scenario.mechanisms.spared_sprouting:
            return
        p = self.p
        forming = p.rate_per_h * self.permissiveness() * (1.0 + m.adjuncts_rehab("growth"))
        pruning = p.pruning_per_h * (1.0 - m.adjuncts_rehab("consolidation"))
        gained = forming * max(0.0, self.ceiling - self.coverage) - pruning * self.coverage
        self.coverage = max(0.0, self.coverage + m.dt_h * gained)


def rim_mask(lesion: np.ndarray, width_voxels: int) -> np.ndarray:
    """Voxels within ``width_voxels`` of the lesion, outside it (at least one voxel wide)."""
    grown = ndimage.binary_dilation(lesion, iterations=max(1, width_voxels))
    return grown & ~lesion
