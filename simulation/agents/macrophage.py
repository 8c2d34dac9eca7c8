"""Macrophages and microglia, pro-inflammatory (M1) or pro-repair (M2)."""

from __future__ import annotations

from enum import Enum

from simulation.agents.base import TissueCell
from simulation.agents.neutrophil import Neutrophil

#: Hours an efferocytosis event keeps pushing a macrophage toward M2.
EFFEROCYTOSIS_MEMORY_H = 24.0


class Phenotype(Enum):
    """Macrophage activation states."""

    M1 = "M1"
    M2 = "M2"


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
        self.phenotype = Phenotype.M1
        self.load = 0.0
        self.efferocytosis_h = 0.0

    def step(self) -> None:
        """Live one tick: maybe die, eat, digest, polarize, secrete, migrate."""
        p = self.p
        if self.rolls(p.death_rate_per_h):
            self.release_load()
            self.die()
            return
        if self.ev_signal or self.model.ev_active:
            self.absorb_vesicles(self.model.scenario.ev.macrophage_uptake_per_h)
            self.make_ngf()
        self.phagocytose()
        self.efferocytose()
        self.digest()
        self.polarize()
        if self.phenotype is Phenotype.M1:
            self.secrete("cytokine", p.cytokine_m1_per_h / (1.0 + self.ev_calming()))
        else:
            self.secrete("trophic", p.trophic_m2_per_h)
            self.take_up("cytokine", p.cytokine_uptake_m2_per_h)
        if self.rolls(p.migrate_per_h):
            self.move_to_voxel(
                self.steepest("debris" if self.load < p.load_capacity else "cytokine")
            )

    def ev_calming(self) -> float:
        """How much taken-up vesicles damp M1 cytokine output (0 without EVs or the mechanism)."""
        if self.ev_signal == 0.0 or not self.model.scenario.mechanisms.ev_anti_inflammatory:
            return 0.0
        return self.model.scenario.ev.cytokine_suppression_per_au * self.ev_signal

    def phagocytose(self) -> None:
        """Take up debris at a rate that falls as the load nears capacity."""
        room = 1.0 - self.load / self.p.load_capacity
        if room > 0.0 and self._fields["debris"].item(self.xy) > 0.0:
            self.load += self.take_up("debris", self.p.phagocytosis_per_h * room)

    def efferocytose(self) -> None:
        """Eat one apoptotic neutrophil sharing this voxel, if there is one."""
        if self.efferocytosis_h > 0.0:
            self.efferocytosis_h -= self.model.dt_h
        if self.model.apoptotic_neutrophils[self.xy] <= 0:
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
        self.load -= self.load * self.p.digestion_per_h * self.model.dt_h

    def polarize(self) -> None:
        """Switch phenotype at rates set by the balance of local M1 and M2 drives."""
        p = self.p
        c = self.sense("cytokine")
        t = self.sense("trophic")
        m1 = c / (c + p.recruit_half_cytokine) + p.myelin_m1_drive * self.load / p.load_capacity
        m2 = t / (t + p.m2_trophic_half)
        if self.ev_signal > 0.0 and self.model.scenario.mechanisms.ev_anti_inflammatory:
            m2 += self.model.scenario.ev.m2_drive_per_au * self.ev_signal
        if self.efferocytosis_h > 0.0:
            m2 += p.efferocytosis_m2_drive
        if self.phenotype is Phenotype.M1:
            if self.rolls(p.to_m2_per_h * m2 / (1.0 + m1)):
                self.phenotype = Phenotype.M2
        elif self.rolls(p.to_m1_per_h * m1 / (1.0 + m2)):
            self.phenotype = Phenotype.M1
