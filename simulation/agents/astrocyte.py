"""Astrocytes (spinal cord): reactive gliosis and the CSPG glial scar."""

from __future__ import annotations

from simulation.agents.base import TissueCell

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

    def step(self) -> None:
        """React to cytokine; when scar-forming, build scar, divide and migrate."""
        c = self.sense("cytokine")
        if self.reactivity < 1e-3 and c < 1e-3:
            return  # quiescent tissue: nothing to do
        self.react(c)
        if self.reactivity < SCAR_FORMING:
            return
        self.deposit_scar()
        self.secrete("cytokine", self.p.cytokine_per_h)
        if self.rolls(self.p.proliferation_per_h * c / (c + self.p.proliferation_half_cytokine)):
            self.proliferate()
        if self.rolls(self.p.migrate_per_h):
            self.migrate_to_border()

    def react(self, cytokine: float) -> None:
        """Reactivity rises with cytokine and relaxes back without it."""
        p = self.p
        drive = cytokine / (cytokine + p.activation_half_cytokine)
        dt = self.model.dt_h
        self.reactivity += dt * (p.activation_per_h * drive * (1.0 - self.reactivity))
        self.reactivity -= dt * p.deactivation_per_h * self.reactivity

    def deposit_scar(self) -> None:
        """Lay down CSPG in this voxel, slowing as it approaches ``scar_max``."""
        room = 1.0 - self.sense("scar") / self.p.scar_max
        if room > 0.0:
            self.secrete("scar", self.p.scar_per_h * self.reactivity * room)

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
