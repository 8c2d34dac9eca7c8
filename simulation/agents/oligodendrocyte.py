"""Oligodendrocyte precursors and oligodendrocytes (spinal cord): slow remyelination."""

from __future__ import annotations

import math

from simulation.agents.base import TissueCell


class Oligodendrocyte(TissueCell):
    """An oligodendrocyte precursor (OPC) that may mature and myelinate regrown axons.

    Inflammation kills it and blocks its maturation; a mature cell wraps bare axon in its voxel.
    """

    def __init__(self, model, xy, params) -> None:
        super().__init__(model, xy, params)
        self.mature = False

    def step(self) -> None:
        """Survive inflammation, mature, myelinate."""
        if self.p is not self._tuned_p:
            self.tune()
        p = self._p
        c = self._fields["cytokine"][self.xy]
        block = c / (c + p.inflammation_block_half)
        # rolls(rate), inlined
        if c > 0.0 and self._uniform() < -math.expm1(-(p.death_rate_per_h * block) * self._dt):
            self.die()
            return
        if not self.mature:
            if self._uniform() < -math.expm1(-(p.differentiation_per_h * (1.0 - block)) * self._dt):
                self.mature = True
            return
        model = self.model
        if self.ev_signal or self.ngf_signal or model.ev_active:  # else absorbing does nothing
            self.absorb_vesicles(model.ev_params.glia_uptake_per_h)
        boost = 1.0 if self.ev_signal == 0.0 else model.ev_myelin_boost(self)
        model.myelinate(self.xy, p.myelination_per_h * boost)
