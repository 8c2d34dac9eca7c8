"""Astrocytes (spinal cord): reactive gliosis and the CSPG glial scar."""

from __future__ import annotations

import math

from simulation.agents.base import TissueCell, tick_chance

#: Reactivity above which an astrocyte is scar-forming (deposits CSPG, divides, migrates).
SCAR_FORMING = 0.5


class Astrocyte(TissueCell):
    """A resident astrocyte.

    Cytokine raises its reactivity slowly (over days); once scar-forming it deposits CSPG in its
    voxel (saturating at ``scar_max``), secretes a little cytokine, divides where there is room and
    creeps toward the lesion, stopping at the edge of debris-filled core tissue.
    """

    def __init__(self, model, xy, params) -> None:
        super().__init__(model, xy, params)
        self.reactivity = 0.0

    def tune(self) -> None:
        """Per-tick chance of migrating (a constant rate)."""
        super().tune()
        self._migrate_chance = tick_chance(self.p.migrate_per_h, self._dt)

    def step(self) -> None:
        """React to cytokine; when scar-forming, build scar, divide and migrate."""
        c = self._fields["cytokine"][self.xy]
        if self.reactivity < 1e-3 and c < 1e-3:
            return  # quiescent tissue: nothing to do
        if self.p is not self._tuned_p:
            self.tune()
        if self.react(c) < SCAR_FORMING:
            return
        p = self._p
        self.deposit_scar()
        rate = p.cytokine_per_h
        if rate > 0.0:  # secrete("cytokine", rate), inlined
            self._sources["cytokine"][self.xy] += rate * self._dt
        # rolls(rate), inlined
        rate = p.proliferation_per_h * c / (c + p.proliferation_half_cytokine)
        if self._uniform() < -math.expm1(-rate * self._dt):
            self.proliferate()
        if self._uniform() < self._migrate_chance:  # rolls(p.migrate_per_h)
            self.migrate_to_border()

    def react(self, cytokine: float) -> float:
        """Reactivity rises with cytokine and relaxes back without it; returns the new value."""
        p = self._p
        drive = cytokine / (cytokine + p.activation_half_cytokine)
        dt = self._dt
        r = self.reactivity
        r += dt * (p.activation_per_h * drive * (1.0 - r))
        r -= dt * p.deactivation_per_h * r
        self.reactivity = r
        return r

    def deposit_scar(self) -> None:
        """Lay down CSPG in this voxel, slowing as it approaches ``scar_max``."""
        p = self._p
        xy = self.xy
        room = 1.0 - self._fields["scar"][xy] / p.scar_max
        if room > 0.0:
            rate = p.scar_per_h * self.reactivity * room
            if rate > 0.0:  # secrete("scar", rate), inlined
                self._sources["scar"][xy] += rate * self._dt

    def proliferate(self) -> None:
        """Divide into the emptiest neighbouring voxel if it has room."""
        xy = self.emptiest_neighbour()
        if self.crowding(xy) < self.p.max_per_voxel and not self.model.is_core(xy):
            daughter = Astrocyte(self.model, xy, self.p)
            daughter.reactivity = self.reactivity

    def migrate_to_border(self) -> None:
        """Step up the cytokine gradient, but not into debris-filled core."""
        xy = self.steepest("cytokine", max_here=self.p.max_per_voxel)
        if not self.model.is_core(xy):
            self.move_to_voxel(xy)
