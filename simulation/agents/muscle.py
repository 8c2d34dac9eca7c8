"""The target muscle: atrophies while denervated, recovers (partly) once reinnervated."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel


class TargetMuscle:
    """The muscle the injured axons supply (not on the grid).

    Its mass index falls toward ``floor_index`` at a rate proportional to the denervated share;
    its recoverable endplates are lost while denervated, so the level it can regrow to after
    reinnervation is lower the longer reinnervation took.
    """

    def __init__(self, model: NerveRepairModel, params) -> None:
        self.model = model
        self.p = params
        self.mass_index = 1.0
        self.endplates = 1.0
        self.axons_arrived = 0

    @property
    def innervated_fraction(self) -> float:
        """Share of the injured neurons whose axons have reached the muscle."""
        return min(1.0, self.axons_arrived / self.model.neuron_count_initial)

    def reinnervate(self) -> None:
        """An axon arrived at the muscle."""
        self.axons_arrived += 1

    def denervate(self) -> None:
        """An axon that had arrived was lost."""
        self.axons_arrived = max(0, self.axons_arrived - 1)

    def step(self) -> None:
        """Atrophy, lose endplates, and recover toward what the endplates allow."""
        p = self.p
        dt = self.model.dt_h
        f = self.innervated_fraction
        target = p.floor_index + (1.0 - p.floor_index) * self.endplates
        used = 1.0 - self.model.adjuncts_rehab("muscle")
        atrophy = p.atrophy_per_h * (1.0 - f) * (self.mass_index - p.floor_index) * used
        recovery = p.recovery_per_h * f * max(0.0, target - self.mass_index)
        self.mass_index += dt * (recovery - atrophy)
        self.endplates -= dt * p.endplate_loss_per_h * (1.0 - f) * self.endplates
