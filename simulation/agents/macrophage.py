"""Macrophages and microglia, pro-inflammatory (M1) or pro-repair (M2)."""

from __future__ import annotations

import math
from enum import Enum

from simulation.agents.base import TissueCell, tick_chance
from simulation.agents.neutrophil import Neutrophil

#: Hours an efferocytosis event keeps pushing a macrophage toward M2.
EFFEROCYTOSIS_MEMORY_H = 24.0


class Phenotype(Enum):
    """Macrophage activation states."""

    M1 = "M1"
    M2 = "M2"


# Module-level aliases: an Enum member read through its class costs as much as a field read.
_M1 = Phenotype.M1
_M2 = Phenotype.M2


class Macrophage(TissueCell):
    """A monocyte-derived macrophage (or activated microglia).

    It phagocytoses debris into a load it digests slowly; a heavy myelin-debris load (a "foamy"
    macrophage) and cytokine push it toward M1, which secretes cytokine; trophic factor and eating
    apoptotic neutrophils push it toward M2, which secretes trophic factor and scavenges cytokine.
    Taken-up extracellular vesicles push it toward M2 and damp its M1 cytokine output.
    Recruited monocytes arrive as M1.
    """

    def __init__(self, model, xy, params) -> None:
        super().__init__(model, xy, params)
        self.phenotype = _M1
        self.load = 0.0
        self.efferocytosis_h = 0.0

    def tune(self) -> None:
        """Per-tick chances of dying and of migrating (constant rates)."""
        super().tune()
        self._death_chance = tick_chance(self.p.death_rate_per_h, self._dt)
        self._migrate_chance = tick_chance(self.p.migrate_per_h, self._dt)

    def step(self) -> None:
        """Live one tick: maybe die, eat, digest, polarize, secrete, migrate."""
        if self.p is not self._tuned_p:
            self.tune()
        if self._uniform() < self._death_chance:  # rolls(p.death_rate_per_h)
            self.release_load()
            self.die()
            return
        model = self.model
        if self.ev_signal or model.ev_active:
            self.absorb_vesicles(model.ev_params.macrophage_uptake_per_h)
            self.make_ngf()
        self.phagocytose()
        if self.efferocytosis_h > 0.0 or model.apoptotic_view[self.xy] > 0:
            self.efferocytose()
        self.digest()
        self.polarize()
        self.signal()
        if self._uniform() < self._migrate_chance:  # rolls(p.migrate_per_h)
            self.migrate()

    def ev_calming(self) -> float:
        """How much taken-up vesicles damp M1 cytokine output (0 without EVs or the mechanism)."""
        if self.ev_signal == 0.0 or not self.model.mechanisms.ev_anti_inflammatory:
            return 0.0
        return self.model.ev_params.cytokine_suppression_per_au * self.ev_signal

    def phagocytose(self) -> None:
        """Take up debris at a rate that falls as the load nears capacity."""
        p = self._p
        room = 1.0 - self.load / p.load_capacity
        if room > 0.0:
            xy = self.xy
            debris = self._fields["debris"][xy]
            if debris > 0.0:
                rate = p.phagocytosis_per_h * room
                if rate > 0.0:  # take_up("debris", rate), inlined
                    self._sinks["debris"][xy] += rate
                    self.load += debris * -math.expm1(-rate * self._dt)

    def efferocytose(self) -> None:
        """Eat one apoptotic neutrophil sharing this voxel, if there is one."""
        if self.efferocytosis_h > 0.0:
            self.efferocytosis_h -= self._dt
        if self.model.apoptotic_view[self.xy] <= 0:
            return
        for other in self.cell.agents:
            if isinstance(other, Neutrophil) and other.apoptotic:
                other.die()
                self.efferocytosis_h = EFFEROCYTOSIS_MEMORY_H
                return

    def release_load(self) -> None:
        """A dying macrophage spills its undigested load back as debris."""
        if self.load > 0.0:
            self.model.fields.secrete("debris", self.xy, self.load)

    def digest(self) -> None:
        """Break down part of the ingested load."""
        load = self.load
        self.load = load - load * self._p.digestion_per_h * self._dt

    def polarize(self) -> None:
        """Switch phenotype at rates set by the balance of local M1 and M2 drives."""
        p = self._p
        fields = self._fields
        xy = self.xy
        c = fields["cytokine"][xy]
        t = fields["trophic"][xy]
        m1 = c / (c + p.recruit_half_cytokine) + p.myelin_m1_drive * self.load / p.load_capacity
        m2 = t / (t + p.m2_trophic_half)
        ev = self.ev_signal
        if ev > 0.0 and self.model.mechanisms.ev_anti_inflammatory:
            m2 += self.model.ev_params.m2_drive_per_au * ev
        if self.efferocytosis_h > 0.0:
            m2 += p.efferocytosis_m2_drive
        # rolls(rate), inlined
        if self.phenotype is _M1:
            if self._uniform() < -math.expm1(-(p.to_m2_per_h * m2 / (1.0 + m1)) * self._dt):
                self.phenotype = _M2
        elif self._uniform() < -math.expm1(-(p.to_m1_per_h * m1 / (1.0 + m2)) * self._dt):
            self.phenotype = _M1

    def signal(self) -> None:
        """M1: secrete cytokine (less after taking up vesicles); M2: secrete trophic factor and
        scavenge cytokine."""
        p = self._p
        xy = self.xy
        if self.phenotype is _M1:
            calming = 0.0 if self.ev_signal == 0.0 else self.ev_calming()
            rate = p.cytokine_m1_per_h / (1.0 + calming)
            if rate > 0.0:  # secrete("cytokine", rate), inlined
                self._sources["cytokine"][xy] += rate * self._dt
            return
        rate = p.trophic_m2_per_h
        if rate > 0.0:  # secrete("trophic", rate)
            self._sources["trophic"][xy] += rate * self._dt
        rate = p.cytokine_uptake_m2_per_h
        if rate > 0.0:  # take_up("cytokine", rate); the dose is not used
            self._sinks["cytokine"][xy] += rate

    def migrate(self) -> None:
        """Climb the debris gradient, or the cytokine gradient once loaded to capacity."""
        self.move_to_voxel(
            self.steepest("debris" if self.load < self._p.load_capacity else "cytokine")
        )
