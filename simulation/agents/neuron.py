"""Neurons whose axons the injury cut: they live or die by stress against trophic support."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from simulation.agents.base import TissueCell

if TYPE_CHECKING:
    from simulation.agents.growth_cone import GrowthCone


class Neuron(TissueCell):
    """An injured neuron, standing at its soma (spinal cord) or proximal stump (nerve).

    Each tick it weighs stress (cytokine at the soma and, retrogradely, at its axon tip; plus
    host stress such as neurotoxic chemotherapy) against trophic support (trophic factor at the
    soma and carried back from the tip, plus vesicles taken up at the tip). Death is a hazard
    ``death_rate * stress * (1 - support)``; a dead neuron's regrown axon degenerates with it.
    """

    cone: GrowthCone | None = None

    def step(self) -> None:
        """Weigh stress against support, and perhaps die."""
        if self.p is not self._tuned_p:
            self.tune()
        hazard = self._p.death_rate_per_h * self.feel_stress() * (1.0 - self.feel_support())
        if self._uniform() < -math.expm1(-hazard * self._dt):  # rolls(hazard), inlined
            self.degenerate()

    def feel_stress(self) -> float:
        """Saturating stress in [0, 1) from cytokine here and at the axon tip, plus host stress."""
        p = self._p
        c = self._fields["cytokine"][self.xy] + self.model.host_neuron_stress
        if self.cone is not None:
            c += p.tip_signal_weight * self.cone.cytokine_seen
        return c / (c + p.stress_half_cytokine)

    def feel_support(self) -> float:
        """Saturating support in [0, 1) from trophic factor here and at the tip."""
        p = self._p
        t = self._fields["trophic"][self.xy]
        cone = self.cone
        if cone is not None:
            t += p.tip_signal_weight * cone.trophic_seen
            if cone.ev_signal > 0.0 and self.model.mechanisms.ev_neuroprotection:
                t += self.model.ev_params.neuroprotection_per_au * cone.ev_signal
        return t / (t + p.support_half_trophic)

    def degenerate(self) -> None:
        """Die; the axon's regrown part degenerates too."""
        if self.cone is not None:
            self.cone.withdraw()
            self.cone = None
        self.model.neurons_lost += 1
        self.die()
