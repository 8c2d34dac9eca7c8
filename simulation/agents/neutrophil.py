"""Neutrophils: the first, short-lived, pro-inflammatory responders."""

from __future__ import annotations

from simulation.agents.base import TissueCell, tick_chance


class Neutrophil(TissueCell):
    """A neutrophil recruited from the blood into inflamed tissue.

    While active it secretes cytokine, eats a little debris and crawls up the cytokine gradient.
    After a short life it turns apoptotic and lingers until a macrophage eats it (efferocytosis,
    which pushes that macrophage toward M2) or it falls apart.
    """

    def __init__(self, model, xy, params) -> None:
        super().__init__(model, xy, params)
        self.apoptotic = False

    def tune(self) -> None:
        """Per-tick chances of falling apart, of apoptosis and of migrating (constant rates)."""
        super().tune()
        p, dt = self.p, self._dt
        self._disintegrate_chance = tick_chance(1.0 / p.apoptotic_h, dt)
        self._apoptosis_chance = tick_chance(1.0 / p.lifespan_h, dt)
        self._migrate_chance = tick_chance(p.migrate_per_h, dt)

    def step(self) -> None:
        """Live one tick: age, inflame, phagocytose and migrate."""
        if self.p is not self._tuned_p:
            self.tune()
        if self.apoptotic:
            if self._uniform() < self._disintegrate_chance:  # rolls(1 / p.apoptotic_h)
                self.die()
            return
        if self._uniform() < self._apoptosis_chance:  # rolls(1 / p.lifespan_h)
            self.apoptose()
            return
        p = self._p
        xy = self.xy
        rate = p.cytokine_per_h
        if rate > 0.0:  # secrete("cytokine", rate), inlined
            self._sources["cytokine"][xy] += rate * self._dt
        rate = p.phagocytosis_per_h
        if rate > 0.0:  # take_up("debris", rate); the dose is not used
            self._sinks["debris"][xy] += rate
        if self._uniform() < self._migrate_chance:  # rolls(p.migrate_per_h)
            self.move_to_voxel(self.steepest("cytokine"))

    def apoptose(self) -> None:
        """Enter apoptosis: stop acting, wait to be eaten."""
        self.apoptotic = True
        self.model.apoptotic_view[self.xy] += 1

    def die(self) -> None:
        """Leave the tissue (eaten or disintegrated)."""
        if self.apoptotic:
            self.model.apoptotic_view[self.xy] -= 1
        super().die()
