"""Pain sensitization: NGF's side effect on the nerve's sensory fibres.

NGF sensitizes nociceptors through TrkA and makes sensory axons sprout: a single NGF dose gives
thermal hyperalgesia within hours and mechanical hyperalgesia lasting days (Lewin, Ritter &
Mendell 1993, J Neurosci 13:2136); this is why NGF as a therapy is limited by pain (Apfel 2002,
Int Rev Neurobiol 50:393). Here the regrowing sensory fibres are exposed to the trophic factor
(NGF) around them: the mean trophic level over the voxels the regrown axons run through (the
``axon`` layer as weights). Their sensitization ``s`` (0 none .. 1 the most) rises with that
exposure and resolves on its own:

    ds/dt = pain.onset_per_h * E / (E + pain.ngf_half_au) * (1 - s) - pain.resolve_per_h * s

so more NGF, from the Schwann cells of the injury or from an NGF gene delivered by vesicles,
sensitizes more and for longer. ``pain_sensitization_index`` records ``s`` (an illustrative
index, not a behavioural threshold); nan in a spinal run (the sensory fibres of a peripheral
nerve). The switch is ``mechanisms.ngf_pain_sensitization``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel


def ngf_exposure_au(model: NerveRepairModel) -> float:
    """Mean trophic factor (NGF) over the regrown axons on the grid, weighted by axons per
    voxel; 0 with no regrown axon."""
    axon = model.axon
    total = float(axon.sum())
    return float(np.vdot(axon, model.fields["trophic"])) / total if total > 0 else 0.0


class PainSensitization:
    """The sensory fibres' sensitization (module docstring)."""

    def __init__(self, model: NerveRepairModel) -> None:
        self.p = model.scenario.pain
        self.on = model.scenario.mechanisms.ngf_pain_sensitization and not model.is_spinal
        self.index = 0.0

    def step(self, model: NerveRepairModel) -> None:
        """One tick of sensitization and resolution (exact for the tick's exposure)."""
        if not self.on:
            return
        p = self.p
        e = ngf_exposure_au(model)
        drive = p.onset_per_h * e / (e + p.ngf_half_au)
        rate = drive + p.resolve_per_h
        if rate <= 0.0:
            return
        settled = drive / rate
        self.index = settled + (self.index - settled) * math.exp(-rate * model.dt_h)
