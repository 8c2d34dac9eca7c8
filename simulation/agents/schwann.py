"""Schwann cells (peripheral nerve): repair state, bands of Büngner, NGF, remyelination."""

from __future__ import annotations

from enum import Enum

from simulation.agents.base import TissueCell, tick_chance


class SchwannState(Enum):
    """What a Schwann cell is doing."""

    MYELINATING = "myelinating"  # wrapped around an intact axon
    REPAIR = "repair"  # denervated: clears debris, guides, secretes NGF, divides, migrates
    REMYELINATING = "remyelinating"  # contacted by a regrown axon: wraps it


# Module-level aliases: an Enum member read through its class costs as much as a field read.
_MYELINATING = SchwannState.MYELINATING
_REPAIR = SchwannState.REPAIR
_REMYELINATING = SchwannState.REMYELINATING


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
        self.state = _MYELINATING
        self.denervated = denervated
        self.capacity = model.schwann_capacity

    def tune(self) -> None:
        """Per-tick chances of dedifferentiating and of spreading (constant rates)."""
        super().tune()
        self._dedifferentiation_chance = tick_chance(self.p.dedifferentiation_per_h, self._dt)
        self._spread_chance = tick_chance(self.p.migrate_per_h, self._dt)

    def step(self) -> None:
        """Act according to state."""
        if self.p is not self._tuned_p:
            self.tune()
        state = self.state
        if state is _MYELINATING:
            # rolls(p.dedifferentiation_per_h)
            if self.denervated and self._uniform() < self._dedifferentiation_chance:
                self.state = _REPAIR
            return
        model = self.model
        model.band_view[self.xy] += self.capacity
        if self.ev_signal or model.ev_active:
            self.absorb_vesicles(model.ev_params.glia_uptake_per_h)
            self.make_ngf()
        if state is _REPAIR:
            self.repair()
        else:
            self.remyelinate()

    def remyelinate(self) -> None:
        """Wrap the regrown axon here (faster with neurotrophins and vesicles); some NGF."""
        p = self._p
        model = self.model
        xy = self.xy
        t = self._fields["trophic"][xy]
        neurotrophin = 1.0 + p.trophic_myelination_boost * t / (t + p.trophic_myelination_half)
        boost = 1.0 if self.ev_signal == 0.0 else model.ev_myelin_boost(self)
        rate = p.myelination_per_h * self.capacity * neurotrophin * boost
        model.myelinate(xy, rate, p.internode_voxels)
        rate = 0.25 * p.trophic_per_h * self.capacity
        if rate > 0.0:  # secrete("trophic", rate), inlined
            self._sources["trophic"][xy] += rate * self._dt

    def repair(self) -> None:
        """One tick of repair-cell work."""
        p = self._p
        self.capacity -= self.capacity * p.repair_fade_per_h * self._dt
        self.take_up("debris", p.phagocytosis_per_h * self.capacity)
        self.secrete("trophic", p.trophic_per_h * self.capacity)
        if self.model.axon[self.xy] > 0.0:
            self.state = _REMYELINATING
            return
        c = self.sense("cytokine")
        if self.rolls(p.proliferation_per_h * self.capacity * c / (c + p.mitogen_half_cytokine)):
            self.proliferate()
        if self._uniform() < self._spread_chance:  # rolls(p.migrate_per_h)
            self.spread()

    def proliferate(self) -> None:
        """Divide into the emptiest neighbouring voxel if it has room."""
        xy = self.emptiest_neighbour()
        if self.crowding(xy) < self.p.max_per_voxel:
            daughter = SchwannCell(self.model, xy, self.p, denervated=True)
            daughter.state = _REPAIR
            daughter.capacity = self.capacity

    def spread(self) -> None:
        """Move toward emptier tissue (how repair cells bridge a gap)."""
        xy = self.emptiest_neighbour()
        if self.crowding(xy) < self.crowding():
            self.move_to_voxel(xy)
