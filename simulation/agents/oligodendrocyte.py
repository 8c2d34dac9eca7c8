"""Oligodendrocyte precursors and oligodendrocytes (spinal cord): slow remyelination."""

from __future__ import annotations

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
        p = self.p
        c = self.sense("cytokine")
        block = c / (c + p.inflammation_block_half)
        if c > 0.0 and self.rolls(p.death_rate_per_h * block):
            self.die()
            return
        if not self.mature:
            if self.rolls(p.differentiation_per_h * (1.0 - block)):
                self.mature = True
            return
        self.absorb_vesicles(self.model.scenario.ev.glia_uptake_per_h)
        self.model.myelinate(self.xy, p.myelination_per_h * self.model.ev_myelin_boost(self))
