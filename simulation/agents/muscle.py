"""The target muscle: wastes while denervated or unused, recovers with reinnervation or use.

Two injuries reach it differently. After a peripheral injury the muscle's own axons are cut:
it atrophies while denervated and recovers (partly) once regrown axons reinnervate it. Below a
spinal lesion the lower motor neurons are intact, so the muscle stays innervated; it wastes
from *disuse* (less activity reaches the motor pools) toward a higher floor than denervation,
and regains mass as descending input returns and training loads it (sci.lmn_intact).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel


class TargetMuscle:
    """The muscle the injured axons supply (not on the grid).

    Denervated (peripheral nerve), its mass index falls toward ``floor_index`` at a rate
    proportional to the denervated share; its recoverable endplates are lost while denervated,
    so the level it can regrow to after reinnervation is lower the longer reinnervation took.

    Innervated but unused (below a spinal lesion, ``mechanisms.lower_motor_neurons_intact``),
    its mass index moves toward the level its activity keeps up: ``disuse_floor_index`` with no
    activity, full mass with full activity. Activity is the descending input reaching its motor
    pools (:meth:`activity`), plus what training adds.
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

    @property
    def lower_motor_neurons_intact(self) -> bool:
        """True below a spinal lesion: the muscle keeps its own motor neurons."""
        model = self.model
        return model.is_spinal and model.scenario.mechanisms.lower_motor_neurons_intact

    def reinnervate(self) -> None:
        """An axon arrived at the muscle."""
        self.axons_arrived += 1

    def denervate(self) -> None:
        """An axon that had arrived was lost."""
        self.axons_arrived = max(0, self.axons_arrived - 1)

    def activity(self) -> float:
        """Use of the muscle (0-1): descending input reaching its motor pools, through a Hill
        curve (half at ``activity_half_descending``, steepness ``activity_hill``), plus the
        loading that training adds."""
        p = self.p
        drive = _descending_connectivity(self.model) ** p.activity_hill
        use = drive / (drive + p.activity_half_descending**p.activity_hill)
        return min(1.0, use + self.model.adjuncts_rehab("muscle"))

    def step(self) -> None:
        """Waste or regrow for one tick (disuse below a spinal lesion, else denervation)."""
        if self.lower_motor_neurons_intact:
            self._follow_use()
        else:
            self._follow_innervation()

    def _follow_use(self) -> None:
        """Move toward the mass the muscle's activity keeps up: waste from disuse above it,
        regrow below it."""
        p = self.p
        target = p.disuse_floor_index + (1.0 - p.disuse_floor_index) * self.activity()
        gap = target - self.mass_index
        rate = p.recovery_per_h if gap > 0.0 else p.disuse_atrophy_per_h
        self.mass_index += self.model.dt_h * rate * gap

    def _follow_innervation(self) -> None:
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


def _descending_connectivity(model: NerveRepairModel) -> float:
    """The recorded metric ``descending_connectivity_fraction``: its one definition. Looked up
    when called, since the metrics module imports the cell modules (this one among them)."""
    metrics = import_module("simulation.runs.metrics")
    return float(metrics.descending_connectivity_fraction(model))
