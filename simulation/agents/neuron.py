"""Neurons whose axons the injury cut: they live or die by stress against trophic support.

Each tick a neuron weighs stress (cytokine at the soma and, carried back retrogradely, at its
axon tip; plus host stress such as neurotoxic chemotherapy) against trophic support (trophic
factor at the soma and at the tip, plus vesicles its tip took up). It dies at the hazard
``death_rate * stress * (1 - support)``; its regrown axon then degenerates and its growth cone
is gone.

The rules are the compiled functions below; :func:`turn` plays them for every neuron in the
shuffled order, and :class:`Neuron` is the Mesa agent whose state lives in a
:class:`NeuronSheet`. A neuron has at most one growth cone: the link is stored as slots (this
sheet's ``cone`` column, the cone sheet's ``neuron`` column), and :func:`turn` reads what the
tip senses from the cone sheet's columns.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from simulation.agents.base import TissueCell
from simulation.agents.growth_cone import GrowthCone, withdraw_axon
from simulation.agents.mechanisms import vesicles
from simulation.engine.compiled import rule
from simulation.engine.moves import die, tick_chance
from simulation.engine.sheet import DIED, CellSheet

#: Columns of a neuron's parameter row (names in the ``[neuron]`` group).
PARAMS = ("death_rate_per_h", "stress_half_cytokine", "support_half_trophic", "tip_signal_weight")
_DEATH, _STRESS_HALF, _SUPPORT_HALF, _TIP_WEIGHT = range(len(PARAMS))
#: Uniforms one neuron may use in a turn: death.
DRAWS = 1


class NeuronSheet(CellSheet):
    """Every neuron's voxel, growth cone (its slot, or -1) and parameters, indexed by slot."""

    COLUMNS: ClassVar[dict[str, tuple[Any, float, int]]] = {"cone": (np.intp, -1, 0)}
    PARAMS = PARAMS


@rule
def stress(cytokine_soma, cytokine_tip, host_stress, p):
    """Saturating stress in [0, 1) from cytokine at the soma and (weighted by retrograde
    transport) at the tip, plus host stress."""
    c = cytokine_soma + host_stress + p[_TIP_WEIGHT] * cytokine_tip
    return c / (c + p[_STRESS_HALF])


@rule
def support(trophic_soma, trophic_tip, protection, p):
    """Saturating support in [0, 1) from trophic factor at the soma and (weighted) at the tip,
    plus the trophic-equivalent ``protection`` of vesicles taken up at the tip."""
    t = trophic_soma + p[_TIP_WEIGHT] * trophic_tip + protection
    return t / (t + p[_SUPPORT_HALF])


@rule
def dies(u, stressed, supported, p, dt):
    """A neuron dies at the hazard ``death_rate * stress * (1 - support)``."""
    return u < tick_chance(p[_DEATH] * stressed * (1.0 - supported), dt)


@rule
def turn(order, u, x, y, fate, params, cone, cytokine, trophic, crowd, cone_x, cone_y, cone_fate,
         cytokine_seen, trophic_seen, cone_ev, path_x, path_y, path_len, cone_crowd, axon, myelin,
         host_stress, vk):  # fmt: skip
    """Every neuron in ``order`` weighs stress against support and perhaps dies; a dying
    neuron's axon withdraws (its path degenerates) and its cone dies with it (the cone agent
    leaves, and an arrived axon denervates the muscle, in :meth:`Neuron.settle`)."""
    dt = vk[vesicles.DT]
    for i in range(order.shape[0]):
        s = order[i]
        p = params[s]
        xi = x[s]
        yi = y[s]
        c = cone[s]
        tip_cytokine = 0.0
        tip_trophic = 0.0
        protection = 0.0
        if c >= 0:
            tip_cytokine = cytokine_seen[c]
            tip_trophic = trophic_seen[c]
            protection = vesicles.neuroprotection(cone_ev[c], vk)
        stressed = stress(cytokine[xi, yi], tip_cytokine, host_stress, p)
        supported = support(trophic[xi, yi], tip_trophic, protection, p)
        if dies(u[i, 0], stressed, supported, p, dt):
            if c >= 0:
                withdraw_axon(c, path_x, path_y, path_len, axon, myelin)
                die(c, cone_x, cone_y, cone_fate, cone_crowd)
            die(s, x, y, fate, crowd)


class Neuron(TissueCell):
    """An injured neuron, standing at its soma (spinal cord) or proximal stump (nerve); see the
    module docstring."""

    SHEET = NeuronSheet
    DRAWS = DRAWS
    KERNEL = turn

    @staticmethod
    def kernel_args(model: Any, sheet: NeuronSheet) -> tuple[Any, ...]:
        """Sheet columns (its own and its cones'), fields and knobs, in :func:`turn`'s order."""
        cones = model.sheet_of(GrowthCone)
        return (
            sheet.x,
            sheet.y,
            sheet.fate,
            sheet.params,
            sheet.cone,
            model.fields["cytokine"],
            model.fields["trophic"],
            model.occupancy_of(Neuron),
            cones.x,
            cones.y,
            cones.fate,
            cones.cytokine_seen,
            cones.trophic_seen,
            cones.ev,
            cones.path_x,
            cones.path_y,
            cones.path_len,
            model.occupancy_of(GrowthCone),
            model.axon,
            model.myelin,
            float(model.host_neuron_stress),
            model.vesicle_knobs,
        )

    @staticmethod
    def settle(model: Any, sheet: NeuronSheet, slots: np.ndarray) -> None:
        """Count the neurons lost this turn; their cones (already withdrawn) leave the model."""
        cones = model.sheet_of(GrowthCone)
        for s in slots.tolist():
            if not sheet.fate[s] & DIED:
                continue
            model.neurons_lost += 1
            c = int(sheet.cone[s])
            if c >= 0:
                agent = cones.agents[c]
                if agent is not None:
                    agent.leave()  # also denervates the muscle if the axon had arrived
                sheet.cone[s] = -1

    @property
    def cone(self) -> GrowthCone | None:
        """The growth cone at the tip of this neuron's axon (None once it is gone)."""
        c = int(self._sheet.cone[self.slot])
        return self.model.sheet_of(GrowthCone).agents[c] if c >= 0 else None

    @cone.setter
    def cone(self, cone: GrowthCone | None) -> None:
        old = self.cone
        if old is not None and old is not cone:
            old._sheet.neuron[old.slot] = -1
        if cone is None:
            self._sheet.cone[self.slot] = -1
            return
        self._sheet.cone[self.slot] = cone.slot
        cone._sheet.neuron[cone.slot] = self.slot
