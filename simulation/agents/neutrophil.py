"""Neutrophils: the first, short-lived, pro-inflammatory responders."""

from __future__ import annotations

from simulation.agents.base import TissueCell


class Neutrophil(TissueCell):
    """A neutrophil recruited from the blood into inflamed tissue.

    While active it secretes cytokine, eats a little debris and crawls up the cytokine gradient.
    After a short life it turns apoptotic and lingers until a macrophage eats it (efferocytosis,
    which pushes that macrophage toward M2) or it falls apart.
    """

    def __init__(self, model, xy, params) -> None:
        super().__init__(model, xy, params)
        self.apoptotic = False

    def step(self) -> None:
        """Live one tick: age, inflame, phagocytose and migrate."""
        p = self.p
        if self.apoptotic:
            if self.rolls(1.0 / p.apoptotic_h):
                self.die()
            return
        if self.rolls(1.0 / p.lifespan_h):
            self.apoptose()
            return
        self.secrete("cytokine", p.cytokine_per_h)
        self.take_up("debris", p.phagocytosis_per_h)
        if self.rolls(p.migrate_per_h):
            self.move_to_voxel(self.steepest("cytokine"))

    def apoptose(self) -> None:
        """Enter apoptosis: stop acting, wait to be eaten."""
        self.apoptotic = True
        self.model.apoptotic_neutrophils[self.xy] += 1

    def die(self) -> None:
        """Leave the tissue (eaten or disintegrated)."""
        if self.apoptotic:
            self.model.apoptotic_neutrophils[self.xy] -= 1
        super().die()
