"""Schwann cells (peripheral nerve): repair state, bands of Büngner, NGF, remyelination."""

from __future__ import annotations

from enum import Enum

from simulation.agents.base import TissueCell


class SchwannState(Enum):
    """What a Schwann cell is doing."""

    MYELINATING = "myelinating"  # wrapped around an intact axon
    REPAIR = "repair"  # denervated: clears debris, guides, secretes NGF, divides, migrates
    REMYELINATING = "remyelinating"  # contacted by a regrown axon: wraps it


class SchwannCell(TissueCell):
    """A Schwann cell of the peripheral nerve.

    Losing its axon (distal to the injury) it dedifferentiates into a repair cell; repair cells
    eat myelin debris, secrete NGF, divide, spread into empty tissue (bridging a gap) and line up
    as guidance bands whose strength is their repair capacity. Remyelination is faster where
    neurotrophins (trophic factor) are high and after taking up vesicles. Capacity fades the
    longer the cell stays denervated. A regrown axon reaching it turns it back to myelinating
    that axon.
    """

    def __init__(self, model, xy, params, denervated: bool = False) -> None:
        super().__init__(model, xy, params)
        self.state = SchwannState.MYELINATING
        self.denervated = denervated
        self.capacity = model.schwann_capacity

    def step(self) -> None:
        """Act according to state."""
        if self.state is SchwannState.MYELINATING:
            if self.denervated and self.rolls(self.p.dedifferentiation_per_h):
                self.state = SchwannState.REPAIR
            return
        self.model.band[self.xy] += self.capacity
        if self.ev_signal or self.model.ev_active:
            self.absorb_vesicles(self.model.scenario.ev.glia_uptake_per_h)
            self.make_ngf()
        if self.state is SchwannState.REPAIR:
            self.repair()
        else:
            p = self.p
            t = self.sense("trophic")
            neurotrophin = 1.0 + p.trophic_myelination_boost * t / (t + p.trophic_myelination_half)
            rate = (
                p.myelination_per_h
                * self.capacity
                * neurotrophin
                * self.model.ev_myelin_boost(self)
            )
            self.model.myelinate(self.xy, rate, p.internode_voxels)
            self.secrete("trophic", 0.25 * self.p.trophic_per_h * self.capacity)

    def repair(self) -> None:
        """One tick of repair-cell work."""
        p = self.p
        self.capacity -= self.capacity * p.repair_fade_per_h * self.model.dt_h
        self.take_up("debris", p.phagocytosis_per_h * self.capacity)
        self.secrete("trophic", p.trophic_per_h * self.capacity)
        if self.model.axon[self.xy] > 0.0:
            self.state = SchwannState.REMYELINATING
            return
        c = self.sense("cytokine")
        if self.rolls(p.proliferation_per_h * self.capacity * c / (c + p.mitogen_half_cytokine)):
            self.proliferate()
        if self.rolls(p.migrate_per_h):
            self.spread()

    def proliferate(self) -> None:
        """Divide into the emptiest neighbouring voxel if it has room."""
        xy = self.emptiest_neighbour()
        if self.crowding(xy) < self.p.max_per_voxel:
            daughter = SchwannCell(self.model, xy, self.p, denervated=True)
            daughter.state = SchwannState.REPAIR
            daughter.capacity = self.capacity

    def spread(self) -> None:
        """Move toward emptier tissue (how repair cells bridge a gap)."""
        xy = self.emptiest_neighbour()
        if self.crowding(xy) < self.crowding():
            self.move_to_voxel(xy)
