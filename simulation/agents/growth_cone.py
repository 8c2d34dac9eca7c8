"""The growth cone at the tip of each regrowing axon."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from simulation.agents.base import TissueCell

if TYPE_CHECKING:
    from simulation.agents.neuron import Neuron

#: Relative preference of straight-forward, diagonal-forward and (scaled by the parameter
#: ``lateral_weight``) sideways steps before field cues are applied.
_FORWARD, _DIAGONAL = 1.0, 0.7


class GrowthCone(TissueCell):
    """The motile tip of one neuron's axon.

    It extends at a speed set by the neuron's intrinsic capacity, trophic support, inflammation,
    myelin debris (its inhibitors, Nogo and MAG) and CSPG scar, faster on repair Schwann-cell
    bands; it steers up the trophic gradient and away from scar, collapses and retracts on scar,
    and counts as *bridged* once past the lesion. Beyond the grid's distal edge it grows along a
    1-D distal tract until it reaches the target
    muscle. The voxels it passes are the axon (the ``axon`` layer counts axons per voxel).
    """

    def __init__(self, model, xy, params, neuron: Neuron) -> None:
        super().__init__(model, xy, params)
        self.neuron = neuron
        self.start_x = xy[0]
        self.path: list[tuple[int, int]] = []
        self.progress_um = 0.0
        self.age_h = 0.0
        self.in_distal_tract = False
        self.distal_um = 0.0
        self.arrived = False
        self.trophic_seen = 0.0
        self.cytokine_seen = 0.0
        self.relayed = False

    # ------------------------------------------------------------------ state
    @property
    def regrown_um(self) -> float:
        """Regrowth along the nerve: grid displacement plus distance along the distal tract."""
        return max(0, self.xy[0] - self.start_x) * self.model.dx_um + self.distal_um

    @property
    def bridged(self) -> bool:
        """True once the tip stands past the lesion's distal edge plus the bridge margin."""
        return self.in_distal_tract or self.xy[0] >= self.model.bridge_x

    # ------------------------------------------------------------------ behaviour
    def step(self) -> None:
        """Sense, then extend, stall or collapse."""
        if self.p is not self._tuned_p:
            self.tune()
        model = self.model
        self.age_h += self._dt
        xy = self.xy
        fields = self._fields
        self.trophic_seen = fields["trophic"][xy]
        self.cytokine_seen = fields["cytokine"][xy]
        if not self.in_distal_tract:
            if self.ev_signal or self.ngf_signal or model.ev_active:  # else these do nothing
                self.absorb_vesicles(model.ev_params.neuron_uptake_per_h)
                self.make_ngf()
            self.relayed = model.relay_view[xy] > 0
        p = self._p
        if self.arrived or self.age_h < p.latency_h:
            return
        if self.in_distal_tract:
            self.grow_distally()
            return
        scar = fields["scar"][xy]
        if scar > 0.0:
            consolidated = 1.0 - model.adjuncts_rehab("consolidation")
            collapse = p.collapse_rate_per_h * scar / p.scar_stall * consolidated
            if self.rolls(collapse):
                self.retract()
                return
        self.progress_um += self.speed_um_per_h(scar, fields["debris"][xy]) * self._dt
        dx = model.dx_um
        while self.progress_um >= dx and not self.in_distal_tract:
            self.progress_um -= dx
            if not self.extend():
                self.progress_um = 0.0
                break

    def speed_um_per_h(self, scar: float, debris: float) -> float:
        """Growth speed: capacity x trophic x inhibition (cytokine, myelin) x scar x guidance."""
        p = self._p
        model = self.model
        t = self.trophic_seen
        trophic = 0.2 + 0.8 * t / (t + p.trophic_half)
        inflamed = 1.0 / (1.0 + self.cytokine_seen / p.inflammation_half)
        inflamed /= 1.0 + debris / p.debris_inhibition_half
        unscarred = max(0.0, 1.0 - scar / p.scar_stall)
        band = min(1.0, model.band_view[self.xy])
        guided = (1.0 + p.guidance_boost * band) / (1.0 + p.guidance_boost)
        trained = 1.0 + model.adjuncts_rehab("growth")
        capacity = model.growth_capacity * trained
        return p.speed_um_per_h * capacity * trophic * inflamed * unscarred * guided

    def extend(self) -> bool:
        """Advance one voxel, choosing among forward and sideways steps; False if blocked."""
        x, y = self.xy
        model = self.model
        if x == model.width - 1:
            self.enter_distal_tract()
            return True
        p = self._p
        trophic = self._fields["trophic"]
        scar = self._fields["scar"]
        band = model.band_view
        here_t = trophic[x, y]
        options = []
        weights = []
        for ddx, ddy, base in (
            (1, 0, _FORWARD),
            (1, -1, _DIAGONAL),
            (1, 1, _DIAGONAL),
            (0, -1, p.lateral_weight),
            (0, 1, p.lateral_weight),
        ):
            nx, ny = x + ddx, y + ddy
            if ny < 0 or ny >= model.height or base <= 0.0:
                continue
            s = scar[nx, ny]
            if s >= p.scar_stall:
                continue
            cue = p.chemotaxis * (trophic[nx, ny] - here_t) / (here_t + p.trophic_half)
            w = base * math.exp(min(cue, 30.0)) * (1.0 - s / p.scar_stall)
            w *= 1.0 + p.guidance_boost * min(1.0, band[nx, ny])
            options.append((nx, ny))
            weights.append(w)
        if not options:
            return False
        nxt = self.random.choices(options, weights)[0]
        self.path.append(nxt)
        model.axon[nxt] += 1.0
        self.move_to_voxel(nxt)
        return True

    def enter_distal_tract(self) -> None:
        """Leave the grid at its distal edge and continue along the distal nerve."""
        self.in_distal_tract = True

    def grow_distally(self) -> None:
        """Grow along the distal tract, supported by distal Schwann cells, toward the muscle."""
        speed = (
            self.p.speed_um_per_h
            * self.model.growth_capacity
            * self.model.tissue.distal_growth_factor
            * self.model.distal_support
        )
        self.distal_um += speed * self.model.dt_h
        if self.distal_um >= self.model.scenario.injury.distal_path_um:
            self.arrived = True
            self.model.muscle.reinnervate()

    def retract(self) -> None:
        """Collapse on scar and pull back ``retraction_um`` along the axon's own path."""
        steps = max(1, round(self.p.retraction_um / self.model.dx_um))
        for _ in range(min(steps, len(self.path))):
            self._unmake_axon(self.path.pop())
        self.progress_um = 0.0
        self.move_to_voxel(self.path[-1] if self.path else (self.start_x, self.xy[1]))

    def withdraw(self) -> None:
        """The neuron died: the whole regrown axon degenerates and the cone disappears."""
        while self.path:
            self._unmake_axon(self.path.pop())
        if self.arrived:
            self.model.muscle.denervate()
        self.die()

    def _unmake_axon(self, xy: tuple[int, int]) -> None:
        axon = self.model.axon
        myelin = self.model.myelin
        if axon[xy] > 0.0:
            myelin[xy] -= myelin[xy] / axon[xy]
            axon[xy] -= 1.0
